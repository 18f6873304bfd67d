-- 0019_paid_seats (SQLite; see the PostgreSQL twin)

-- Live reservations' seats, also counted in held (going_count is
-- SUM(taken - held)). SQLite cannot add a table constraint; the triggers
-- below keep held <= taken, and the CHECK on the column keeps it >= 0.
ALTER TABLE event_seat_buckets ADD COLUMN held INTEGER NOT NULL DEFAULT 0 CHECK (held >= 0);
CREATE TRIGGER event_seat_buckets_held BEFORE UPDATE OF taken, held ON event_seat_buckets
    WHEN NEW.held > NEW.taken
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: event_seat_buckets_held');
END;

ALTER TABLE capacity_reservations ADD COLUMN released_at TEXT
    CHECK (released_at GLOB '????-??-??T??:??:??.??????Z');
CREATE TRIGGER capacity_reservations_one_end_ins BEFORE INSERT ON capacity_reservations
    WHEN NEW.consumed AND NEW.released_at IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: capacity_reservations_one_end');
END;
CREATE TRIGGER capacity_reservations_one_end_upd BEFORE UPDATE OF consumed, released_at ON capacity_reservations
    WHEN NEW.consumed AND NEW.released_at IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: capacity_reservations_one_end');
END;

CREATE TRIGGER capacity_reservations_seats_ins AFTER INSERT ON capacity_reservations
    WHEN NOT NEW.consumed AND NEW.released_at IS NULL
BEGIN
    UPDATE event_seat_buckets SET taken = taken + NEW.seats_reserved, held = held + NEW.seats_reserved
        WHERE event_id = NEW.event_id;
END;
CREATE TRIGGER capacity_reservations_seats_upd
    AFTER UPDATE OF consumed, released_at, seats_reserved, event_id ON capacity_reservations
BEGIN
    SELECT RAISE(ABORT, 'a reservation cannot move between events')
        WHERE OLD.event_id <> NEW.event_id;
    UPDATE event_seat_buckets SET
        taken = taken
            + (CASE WHEN NOT NEW.consumed AND NEW.released_at IS NULL THEN NEW.seats_reserved ELSE 0 END)
            - (CASE WHEN NOT OLD.consumed AND OLD.released_at IS NULL THEN OLD.seats_reserved ELSE 0 END),
        held = held
            + (CASE WHEN NOT NEW.consumed AND NEW.released_at IS NULL THEN NEW.seats_reserved ELSE 0 END)
            - (CASE WHEN NOT OLD.consumed AND OLD.released_at IS NULL THEN OLD.seats_reserved ELSE 0 END)
        WHERE event_id = NEW.event_id;
END;
CREATE TRIGGER capacity_reservations_seats_del AFTER DELETE ON capacity_reservations
    WHEN NOT OLD.consumed AND OLD.released_at IS NULL
BEGIN
    UPDATE event_seat_buckets SET taken = taken - OLD.seats_reserved, held = held - OLD.seats_reserved
        WHERE event_id = OLD.event_id;
END;

PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(sql, '''cancelled'', ''refunded'', ''unpaid''))',
                  '''cancelled'', ''refunded'', ''unpaid'', ''expired'', ''refund_pending''))')
WHERE type = 'table' AND name = 'payment_orders';
PRAGMA schema_version = @SCHEMA_VERSION_NEXT;
PRAGMA writable_schema = OFF;
