-- 0022_listing_notify (PostgreSQL 15)
--
-- Each `loopin serve` keeps the events listing's version (listing_versions,
-- bumped by the triggers of 0011 whenever what a listing shows changes) in
-- memory, with the totals and page ids it has counted under it
-- (src/events/events_list.c). A bump publishes on the invalidation bus
-- (0021, src/db/db_notify.c) so every process forgets its copy at commit.
--   listing:<name>   the listing's version moved

CREATE FUNCTION listing_versions_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('loopin_invalidate', 'listing:' || NEW.name);
    RETURN NULL;
END $$;

CREATE TRIGGER listing_versions_notify AFTER UPDATE ON listing_versions FOR EACH ROW
    EXECUTE FUNCTION listing_versions_notify();
