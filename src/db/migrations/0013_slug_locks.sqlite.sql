-- 0013_slug_locks (SQLite)
--
-- slug_locks: one row per slug base being assigned (see the PostgreSQL twin;
-- on SQLite, BEGIN IMMEDIATE already serialises writers). Purged after a day.
CREATE TABLE slug_locks (
    base      TEXT PRIMARY KEY CHECK (length(base) BETWEEN 1 AND 100),
    locked_at TEXT NOT NULL CHECK (locked_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]Z')
) STRICT;
CREATE INDEX slug_locks_locked_at_idx ON slug_locks (locked_at);
