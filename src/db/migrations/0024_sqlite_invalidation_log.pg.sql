-- 0024_sqlite_invalidation_log (PostgreSQL 15): nothing to do. PostgreSQL
-- publishes these changes with NOTIFY (0021, 0022); the SQLite twin creates
-- the log table SQLite's processes read instead.
SELECT 1;
