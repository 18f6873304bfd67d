-- 0011_event_counters (PostgreSQL 15)
--
-- Counters the database keeps itself, in the same transaction as the change
-- that moves them, so no code path can forget them and no request recomputes
-- them by scanning:
--   events.requests_count  pending join requests;
--   events.going_count     confirmed seats (attendees going or checked in);
--                          its CHECK (<= max_capacity) then refuses overbooking;
--   listing_versions       bumped when anything that decides which events a
--                          listing shows changes; processes cache listing
--                          totals tagged with it.

CREATE TABLE listing_versions (
    name    TEXT PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 50),
    version BIGINT NOT NULL DEFAULT 0 CHECK (version >= 0)
);
INSERT INTO listing_versions (name, version) VALUES ('events', 0);

CREATE FUNCTION event_requests_counter() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    delta INTEGER := 0;
    target BIGINT;
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'pending' THEN
        delta := delta + 1;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'pending' THEN
        delta := delta - 1;
    END IF;
    target := CASE WHEN TG_OP = 'DELETE' THEN OLD.event_id ELSE NEW.event_id END;
    IF delta <> 0 THEN
        UPDATE events SET requests_count = requests_count + delta WHERE id = target;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER event_requests_counter AFTER INSERT OR DELETE OR UPDATE OF status ON event_requests
    FOR EACH ROW EXECUTE FUNCTION event_requests_counter();

CREATE FUNCTION event_attendees_counter() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    delta INTEGER := 0;
    target BIGINT;
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status IN ('going', 'checked_in') THEN
        delta := delta + NEW.seats;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status IN ('going', 'checked_in') THEN
        delta := delta - OLD.seats;
    END IF;
    target := CASE WHEN TG_OP = 'DELETE' THEN OLD.event_id ELSE NEW.event_id END;
    IF delta <> 0 THEN
        UPDATE events SET going_count = going_count + delta WHERE id = target;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER event_attendees_counter AFTER INSERT OR DELETE OR UPDATE OF status, seats
    ON event_attendees FOR EACH ROW EXECUTE FUNCTION event_attendees_counter();

CREATE FUNCTION events_listing_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE listing_versions SET version = version + 1 WHERE name = 'events';
    RETURN NULL;
END;
$$;
CREATE TRIGGER events_listing_bump AFTER INSERT OR DELETE OR UPDATE OF is_active, is_public,
    status, host_id, venue_id, start_time, end_time, is_paid, allowed_genders, title,
    description ON events FOR EACH STATEMENT EXECUTE FUNCTION events_listing_bump();
CREATE TRIGGER event_interest_map_listing_bump AFTER INSERT OR DELETE OR UPDATE
    ON event_interest_map FOR EACH STATEMENT EXECUTE FUNCTION events_listing_bump();
