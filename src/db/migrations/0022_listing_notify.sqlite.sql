-- 0022_listing_notify (SQLite; see the PostgreSQL twin): nothing to do.
-- On SQLite the listing reads its version at every request (in process, no
-- round trip): there is no invalidation bus, and other processes (the CLI,
-- sqlite3) may write the file.
SELECT 1;
