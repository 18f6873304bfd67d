-- 0017_seat_buckets (SQLite; see the PostgreSQL twin)
--
-- SQLite has one writer at a time, so one bucket per event is the guard:
-- the triggers move its taken seats and the event_seat_buckets_room CHECK
-- refuses overbooking (CAPACITY_FULL). capacity NULL: unlimited.
-- events.going_count is retired (always 0); going_count is SUM(taken).

CREATE TABLE event_seat_buckets (
    event_id INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    bucket   INTEGER NOT NULL CHECK (bucket BETWEEN 0 AND 63),
    capacity INTEGER CHECK (capacity >= 0),
    taken    INTEGER NOT NULL DEFAULT 0 CHECK (taken >= 0),
    PRIMARY KEY (event_id, bucket),
    CONSTRAINT event_seat_buckets_room CHECK (capacity IS NULL OR taken <= capacity)
) STRICT, WITHOUT ROWID;

INSERT INTO event_seat_buckets (event_id, bucket, capacity, taken)
    SELECT e.id, 0, NULLIF(e.max_capacity, 0),
           (SELECT COALESCE(SUM(a.seats), 0) FROM event_attendees a
            WHERE a.event_id = e.id AND a.status IN ('going', 'checked_in'))
    FROM events e;

DROP TRIGGER event_attendees_counter_ins;
DROP TRIGGER event_attendees_counter_upd;
DROP TRIGGER event_attendees_counter_del;
UPDATE events SET going_count = 0 WHERE going_count <> 0;

CREATE TRIGGER event_attendees_seats_ins AFTER INSERT ON event_attendees
    WHEN NEW.status IN ('going', 'checked_in')
BEGIN
    UPDATE event_seat_buckets SET taken = taken + NEW.seats WHERE event_id = NEW.event_id;
END;
CREATE TRIGGER event_attendees_seats_upd AFTER UPDATE OF status, seats, event_id ON event_attendees
BEGIN
    SELECT RAISE(ABORT, 'an attendee cannot move between events')
        WHERE OLD.event_id <> NEW.event_id;
    UPDATE event_seat_buckets SET taken = taken
        + (CASE WHEN NEW.status IN ('going', 'checked_in') THEN NEW.seats ELSE 0 END)
        - (CASE WHEN OLD.status IN ('going', 'checked_in') THEN OLD.seats ELSE 0 END)
        WHERE event_id = NEW.event_id;
END;
CREATE TRIGGER event_attendees_seats_del AFTER DELETE ON event_attendees
    WHEN OLD.status IN ('going', 'checked_in')
BEGIN
    UPDATE event_seat_buckets SET taken = taken - OLD.seats WHERE event_id = OLD.event_id;
END;

CREATE TRIGGER events_seat_buckets_ins AFTER INSERT ON events
BEGIN
    INSERT INTO event_seat_buckets (event_id, bucket, capacity)
        VALUES (NEW.id, 0, NULLIF(NEW.max_capacity, 0));
END;
CREATE TRIGGER events_seat_buckets_upd AFTER UPDATE OF max_capacity ON events
    WHEN NEW.max_capacity <> OLD.max_capacity
BEGIN
    UPDATE event_seat_buckets SET capacity = NULLIF(NEW.max_capacity, 0) WHERE event_id = NEW.id;
END;
