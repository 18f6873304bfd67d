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
        PERFORM seat_take(NEW.event_id, now_ - was);
    ELSIF was > now_ THEN
        PERFORM seat_release(OLD.event_id, was - now_);
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER capacity_reservations_seats
    AFTER INSERT OR DELETE OR UPDATE OF consumed, released_at, seats_reserved, event_id
    ON capacity_reservations FOR EACH ROW EXECUTE FUNCTION capacity_reservations_seats();

ALTER TABLE payment_orders DROP CONSTRAINT payment_orders_status_check;
ALTER TABLE payment_orders ADD CONSTRAINT payment_orders_status_check CHECK (status IN ('created', 'pending', 'paid', 'completed', 'failed', 'cancelled', 'refunded', 'unpaid', 'expired', 'refund_pending'));
