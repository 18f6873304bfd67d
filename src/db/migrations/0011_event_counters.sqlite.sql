-- 0011_event_counters (SQLite)
--
-- Counters the database keeps itself, in the same transaction as the change
-- that moves them (see the PostgreSQL twin for the why):
--   events.requests_count  pending join requests;
--   events.going_count     confirmed seats (attendees going or checked in);
--   listing_versions       bumped when anything that decides listings changes.

CREATE TABLE listing_versions (
    name    TEXT PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 50),
    version INTEGER NOT NULL DEFAULT 0 CHECK (version >= 0)
) STRICT;
INSERT INTO listing_versions (name, version) VALUES ('events', 0);

CREATE TRIGGER event_requests_counter_ins AFTER INSERT ON event_requests
    WHEN NEW.status = 'pending'
BEGIN
    UPDATE events SET requests_count = requests_count + 1 WHERE id = NEW.event_id;
END;
CREATE TRIGGER event_requests_counter_upd AFTER UPDATE OF status ON event_requests
    WHEN (OLD.status = 'pending') <> (NEW.status = 'pending')
BEGIN
    UPDATE events SET requests_count = requests_count
        + (CASE WHEN NEW.status = 'pending' THEN 1 ELSE -1 END) WHERE id = NEW.event_id;
END;
CREATE TRIGGER event_requests_counter_del AFTER DELETE ON event_requests
    WHEN OLD.status = 'pending'
BEGIN
    UPDATE events SET requests_count = requests_count - 1 WHERE id = OLD.event_id;
END;

CREATE TRIGGER event_attendees_counter_ins AFTER INSERT ON event_attendees
    WHEN NEW.status IN ('going', 'checked_in')
BEGIN
    UPDATE events SET going_count = going_count + NEW.seats WHERE id = NEW.event_id;
END;
CREATE TRIGGER event_attendees_counter_upd AFTER UPDATE OF status, seats ON event_attendees
BEGIN
    UPDATE events SET going_count = going_count
        + (CASE WHEN NEW.status IN ('going', 'checked_in') THEN NEW.seats ELSE 0 END)
        - (CASE WHEN OLD.status IN ('going', 'checked_in') THEN OLD.seats ELSE 0 END)
        WHERE id = NEW.event_id;
END;
CREATE TRIGGER event_attendees_counter_del AFTER DELETE ON event_attendees
    WHEN OLD.status IN ('going', 'checked_in')
BEGIN
    UPDATE events SET going_count = going_count - OLD.seats WHERE id = OLD.event_id;
END;

CREATE TRIGGER events_listing_bump_ins AFTER INSERT ON events
BEGIN
    UPDATE listing_versions SET version = version + 1 WHERE name = 'events';
END;
CREATE TRIGGER events_listing_bump_del AFTER DELETE ON events
BEGIN
    UPDATE listing_versions SET version = version + 1 WHERE name = 'events';
END;
CREATE TRIGGER events_listing_bump_upd AFTER UPDATE OF is_active, is_public, status, host_id,
    venue_id, start_time, end_time, is_paid, allowed_genders, title, description ON events
BEGIN
    UPDATE listing_versions SET version = version + 1 WHERE name = 'events';
END;
CREATE TRIGGER event_interest_map_listing_bump_ins AFTER INSERT ON event_interest_map
BEGIN
    UPDATE listing_versions SET version = version + 1 WHERE name = 'events';
END;
CREATE TRIGGER event_interest_map_listing_bump_del AFTER DELETE ON event_interest_map
BEGIN
    UPDATE listing_versions SET version = version + 1 WHERE name = 'events';
END;
