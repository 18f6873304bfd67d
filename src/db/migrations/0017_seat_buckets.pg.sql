-- 0017_seat_buckets (PostgreSQL 15)
--
-- The capacity guard, spread over bucket rows so a hot event does not
-- serialise on one row (issue 9; docs/admission.md "Seats"). Every event has
-- eight buckets; each holds part of the event's capacity (NULL: unlimited)
-- and the seats taken from it. The seats of confirmed attendees (and, with
-- issue 10, of live reservations) are taken from the buckets by triggers, in
-- the transaction that confirms them, so no code path can forget them:
--   seat_take: the first bucket with room that nobody holds (FOR UPDATE SKIP
--              LOCKED); when none has room for n seats, every bucket is
--              locked in bucket order and the free room is re-spread, with
--              these seats in bucket 0; no room at all raises the
--              event_seat_buckets_room check violation (CAPACITY_FULL).
--   seat_release: the inverse, from any bucket holding enough seats.
--   seat_spread: a new max_capacity re-spreads the free room; below the
--              seats taken it raises the same violation.
-- going_count in every response is SUM(taken) read in the event's own
-- statement. events.going_count and its trigger are retired (the event row
-- would be the hot row again); the column stays, always 0, for old readers.

CREATE TABLE event_seat_buckets (
    event_id BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    bucket   INTEGER NOT NULL CHECK (bucket BETWEEN 0 AND 63),
    capacity INTEGER CHECK (capacity >= 0),
    taken    INTEGER NOT NULL DEFAULT 0 CHECK (taken >= 0),
    PRIMARY KEY (event_id, bucket),
    CONSTRAINT event_seat_buckets_room CHECK (capacity IS NULL OR taken <= capacity)
);

-- Re-spreads the room left (cap - taken) over the event's buckets, keeping
-- what each has taken. cap 0 = unlimited.
CREATE FUNCTION seat_spread(p_event BIGINT, p_cap INTEGER) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    total INTEGER;
    nb    INTEGER;
    free  INTEGER;
BEGIN
    PERFORM 1 FROM event_seat_buckets WHERE event_id = p_event ORDER BY bucket FOR UPDATE;
    SELECT COALESCE(SUM(taken), 0), count(*) INTO total, nb
        FROM event_seat_buckets WHERE event_id = p_event;
    IF nb = 0 THEN
        RETURN;
    END IF;
    IF p_cap = 0 THEN
        UPDATE event_seat_buckets SET capacity = NULL WHERE event_id = p_event;
        RETURN;
    END IF;
    IF total > p_cap THEN
        RAISE EXCEPTION 'violates check constraint "event_seat_buckets_room": capacity % is below the % seats taken', p_cap, total
            USING ERRCODE = 'check_violation', CONSTRAINT = 'event_seat_buckets_room';
    END IF;
    free := p_cap - total;
    UPDATE event_seat_buckets
        SET capacity = taken + free / nb + CASE WHEN bucket < free % nb THEN 1 ELSE 0 END
        WHERE event_id = p_event;
END;
$$;

CREATE FUNCTION seat_take(p_event BIGINT, p_seats INTEGER) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    b     INTEGER;
    total INTEGER;
    cap   BIGINT;
    nb    INTEGER;
    free  INTEGER;
BEGIN
    SELECT bucket INTO b FROM event_seat_buckets
        WHERE event_id = p_event AND (capacity IS NULL OR taken + p_seats <= capacity)
        ORDER BY bucket LIMIT 1 FOR UPDATE SKIP LOCKED;
    IF FOUND THEN
        UPDATE event_seat_buckets SET taken = taken + p_seats
            WHERE event_id = p_event AND bucket = b;
        RETURN;
    END IF;
    -- Slow path: no free bucket has room (near sell-out, or all are held).
    PERFORM 1 FROM event_seat_buckets WHERE event_id = p_event ORDER BY bucket FOR UPDATE;
    SELECT COALESCE(SUM(taken), 0), SUM(capacity), count(*), count(capacity)
        INTO total, cap, nb, free
        FROM event_seat_buckets WHERE event_id = p_event;
    IF nb = 0 THEN
        RAISE EXCEPTION 'event % has no seat buckets', p_event
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    IF free < nb THEN -- unlimited
        UPDATE event_seat_buckets SET taken = taken + p_seats
            WHERE event_id = p_event AND bucket = 0;
        RETURN;
    END IF;
    free := cap - total - p_seats;
    IF free < 0 THEN
        RAISE EXCEPTION 'violates check constraint "event_seat_buckets_room": no room for % seat(s)', p_seats
            USING ERRCODE = 'check_violation', CONSTRAINT = 'event_seat_buckets_room';
    END IF;
    UPDATE event_seat_buckets
        SET taken = taken + CASE WHEN bucket = 0 THEN p_seats ELSE 0 END,
            capacity = taken + CASE WHEN bucket = 0 THEN p_seats ELSE 0 END
                       + free / nb + CASE WHEN bucket < free % nb THEN 1 ELSE 0 END
        WHERE event_id = p_event;
END;
$$;

CREATE FUNCTION seat_release(p_event BIGINT, p_seats INTEGER) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    b    INTEGER;
    todo INTEGER := p_seats;
    r    RECORD;
BEGIN
    SELECT bucket INTO b FROM event_seat_buckets
        WHERE event_id = p_event AND taken >= p_seats
        ORDER BY bucket DESC LIMIT 1 FOR UPDATE SKIP LOCKED;
    IF FOUND THEN
        UPDATE event_seat_buckets SET taken = taken - p_seats
            WHERE event_id = p_event AND bucket = b;
        RETURN;
    END IF;
    FOR r IN SELECT bucket, taken FROM event_seat_buckets
             WHERE event_id = p_event ORDER BY bucket FOR UPDATE LOOP
        EXIT WHEN todo = 0;
        IF r.taken > 0 THEN
            UPDATE event_seat_buckets SET taken = taken - LEAST(r.taken, todo)
                WHERE event_id = p_event AND bucket = r.bucket;
            todo := todo - LEAST(r.taken, todo);
        END IF;
    END LOOP;
    IF todo > 0 THEN
        RAISE EXCEPTION 'violates check constraint "event_seat_buckets_taken": releasing % seat(s) more than taken', todo
            USING ERRCODE = 'check_violation', CONSTRAINT = 'event_seat_buckets_taken';
    END IF;
END;
$$;

-- Attendees going or checked in hold their seats.
CREATE FUNCTION event_attendees_seats() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    was INTEGER := 0;
    now_ INTEGER := 0;
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.event_id <> NEW.event_id THEN
        RAISE EXCEPTION 'an attendee cannot move between events' USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status IN ('going', 'checked_in') THEN
        was := OLD.seats;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status IN ('going', 'checked_in') THEN
        now_ := NEW.seats;
    END IF;
    IF now_ > was THEN
        PERFORM seat_take(NEW.event_id, now_ - was);
    ELSIF was > now_ THEN
        PERFORM seat_release(OLD.event_id, was - now_);
    END IF;
    RETURN NULL;
END;
$$;

CREATE FUNCTION events_seat_buckets() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO event_seat_buckets (event_id, bucket, capacity)
            SELECT NEW.id, g, CASE WHEN NEW.max_capacity = 0 THEN NULL
                                   ELSE NEW.max_capacity / 8
                                        + CASE WHEN g < NEW.max_capacity % 8 THEN 1 ELSE 0 END END
            FROM generate_series(0, 7) AS g;
    ELSIF NEW.max_capacity <> OLD.max_capacity THEN
        PERFORM seat_spread(NEW.id, NEW.max_capacity);
    END IF;
    RETURN NULL;
END;
$$;

-- Existing events: their confirmed seats go to bucket 0, then the room is spread.
INSERT INTO event_seat_buckets (event_id, bucket, capacity, taken)
    SELECT e.id, g, NULL, CASE WHEN g = 0 THEN
        (SELECT COALESCE(SUM(a.seats), 0) FROM event_attendees a
         WHERE a.event_id = e.id AND a.status IN ('going', 'checked_in')) ELSE 0 END
    FROM events e CROSS JOIN generate_series(0, 7) AS g;
SELECT seat_spread(id, max_capacity) FROM events;

DROP TRIGGER event_attendees_counter ON event_attendees;
DROP FUNCTION event_attendees_counter();
UPDATE events SET going_count = 0 WHERE going_count <> 0;
COMMENT ON COLUMN events.going_count IS 'retired by 0017: always 0; SUM(event_seat_buckets.taken)';

CREATE TRIGGER event_attendees_seats AFTER INSERT OR DELETE OR UPDATE OF status, seats, event_id
    ON event_attendees FOR EACH ROW EXECUTE FUNCTION event_attendees_seats();
CREATE TRIGGER events_seat_buckets AFTER INSERT OR UPDATE OF max_capacity ON events
    FOR EACH ROW EXECUTE FUNCTION events_seat_buckets();
