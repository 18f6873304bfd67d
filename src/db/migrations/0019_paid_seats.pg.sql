-- 0019_paid_seats (PostgreSQL 15)
--
-- Paid admission (issue 10; docs/money.md). A capacity reservation holds its
-- seats in the event's seat buckets (0017) while it is neither consumed (its
-- seats moved to the attendee a payment confirmed) nor released (expired,
-- cancelled or reclaimed): the same trigger-kept guard as attendees, so
-- confirmed seats plus live reservations never exceed the capacity. An
-- expired reservation still holds its seats until it is released; the code
-- releases an event's expired reservations inside the transaction that
-- needs seats (and a periodic job releases the rest), so it never blocks a
-- sale. Orders gain the states 'expired' (unpaid past expires_at) and
-- 'refund_pending' (paid after its seats were gone: the money goes back).

-- Each bucket also counts the seats its live reservations hold (held <=
-- taken): going_count, the confirmed seats, is SUM(taken - held).
ALTER TABLE event_seat_buckets ADD COLUMN held INTEGER NOT NULL DEFAULT 0 CHECK (held >= 0);
ALTER TABLE event_seat_buckets ADD CONSTRAINT event_seat_buckets_held CHECK (held <= taken);

-- seat_take / seat_release with p_held: the seats are (or were) a
-- reservation's, counted in held as well. Same buckets, same guard.
CREATE OR REPLACE FUNCTION seat_take(p_event BIGINT, p_seats INTEGER, p_held BOOLEAN) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    b     INTEGER;
    total INTEGER;
    cap   BIGINT;
    nb    INTEGER;
    free  INTEGER;
    h     INTEGER := CASE WHEN p_held THEN p_seats ELSE 0 END;
BEGIN
    SELECT bucket INTO b FROM event_seat_buckets
        WHERE event_id = p_event AND (capacity IS NULL OR taken + p_seats <= capacity)
        ORDER BY bucket LIMIT 1 FOR UPDATE SKIP LOCKED;
    IF FOUND THEN
        UPDATE event_seat_buckets SET taken = taken + p_seats, held = held + h
            WHERE event_id = p_event AND bucket = b;
        RETURN;
    END IF;
    PERFORM 1 FROM event_seat_buckets WHERE event_id = p_event ORDER BY bucket FOR UPDATE;
    SELECT COALESCE(SUM(taken), 0), SUM(capacity), count(*), count(capacity)
        INTO total, cap, nb, free
        FROM event_seat_buckets WHERE event_id = p_event;
    IF nb = 0 THEN
        RAISE EXCEPTION 'event % has no seat buckets', p_event
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    IF free < nb THEN
        UPDATE event_seat_buckets SET taken = taken + p_seats, held = held + h
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
            held = held + CASE WHEN bucket = 0 THEN h ELSE 0 END,
            capacity = taken + CASE WHEN bucket = 0 THEN p_seats ELSE 0 END
                       + free / nb + CASE WHEN bucket < free % nb THEN 1 ELSE 0 END
        WHERE event_id = p_event;
END;
$$;

CREATE OR REPLACE FUNCTION seat_release(p_event BIGINT, p_seats INTEGER, p_held BOOLEAN)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    b    INTEGER;
    todo INTEGER := p_seats;
    d    INTEGER;
    r    RECORD;
BEGIN
    SELECT bucket INTO b FROM event_seat_buckets
        WHERE event_id = p_event
          AND (CASE WHEN p_held THEN held ELSE taken - held END) >= p_seats
        ORDER BY bucket DESC LIMIT 1 FOR UPDATE SKIP LOCKED;
    IF FOUND THEN
        UPDATE event_seat_buckets SET taken = taken - p_seats,
            held = held - CASE WHEN p_held THEN p_seats ELSE 0 END
            WHERE event_id = p_event AND bucket = b;
        RETURN;
    END IF;
    FOR r IN SELECT bucket, taken, held FROM event_seat_buckets
             WHERE event_id = p_event ORDER BY bucket FOR UPDATE LOOP
        EXIT WHEN todo = 0;
        d := LEAST(CASE WHEN p_held THEN r.held ELSE r.taken - r.held END, todo);
        IF d > 0 THEN
            UPDATE event_seat_buckets SET taken = taken - d,
                held = held - CASE WHEN p_held THEN d ELSE 0 END
                WHERE event_id = p_event AND bucket = r.bucket;
            todo := todo - d;
        END IF;
    END LOOP;
    IF todo > 0 THEN
        RAISE EXCEPTION 'violates check constraint "event_seat_buckets_taken": releasing % seat(s) more than taken', todo
            USING ERRCODE = 'check_violation', CONSTRAINT = 'event_seat_buckets_taken';
    END IF;
END;
$$;

-- The two-argument forms (attendees' seats) keep their callers.
CREATE OR REPLACE FUNCTION seat_take(p_event BIGINT, p_seats INTEGER) RETURNS void
LANGUAGE sql AS $$ SELECT seat_take(p_event, p_seats, false) $$;
CREATE OR REPLACE FUNCTION seat_release(p_event BIGINT, p_seats INTEGER) RETURNS void
LANGUAGE sql AS $$ SELECT seat_release(p_event, p_seats, false) $$;

ALTER TABLE capacity_reservations ADD COLUMN released_at TIMESTAMPTZ;
ALTER TABLE capacity_reservations ADD CONSTRAINT capacity_reservations_one_end
    CHECK (NOT (consumed AND released_at IS NOT NULL));

CREATE FUNCTION capacity_reservations_seats() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    was INTEGER := 0;
    now_ INTEGER := 0;
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.event_id <> NEW.event_id THEN
        RAISE EXCEPTION 'a reservation cannot move between events' USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND NOT OLD.consumed AND OLD.released_at IS NULL THEN
        was := OLD.seats_reserved;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NOT NEW.consumed AND NEW.released_at IS NULL THEN
        now_ := NEW.seats_reserved;
    END IF;
    IF now_ > was THEN
        PERFORM seat_take(NEW.event_id, now_ - was, true);
    ELSIF was > now_ THEN
        PERFORM seat_release(OLD.event_id, was - now_, true);
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER capacity_reservations_seats
    AFTER INSERT OR DELETE OR UPDATE OF consumed, released_at, seats_reserved, event_id
    ON capacity_reservations FOR EACH ROW EXECUTE FUNCTION capacity_reservations_seats();

ALTER TABLE payment_orders DROP CONSTRAINT payment_orders_status_check;
ALTER TABLE payment_orders ADD CONSTRAINT payment_orders_status_check CHECK (status IN ('created', 'pending', 'paid', 'completed', 'failed', 'cancelled', 'refunded', 'unpaid', 'expired', 'refund_pending'));
