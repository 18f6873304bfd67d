-- 0013_slug_locks (PostgreSQL 15)
--
-- slug_locks: one row per slug base being assigned. Choosing a slug first
-- upserts its base here, which row-locks it until commit, so concurrent
-- creates of events with the same title take -1, -2, ... in turn instead of
-- racing for the same suffix. Rows are purged after a day.
CREATE TABLE slug_locks (
    base      TEXT PRIMARY KEY CHECK (length(base) BETWEEN 1 AND 100),
    locked_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX slug_locks_locked_at_idx ON slug_locks (locked_at);
