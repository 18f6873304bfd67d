-- 0021_auth_invalidation (SQLite; see the PostgreSQL twin): nothing to do.
-- On SQLite the guard reads the database at every request: it has no
-- invalidation bus, and the file may be written by other processes (the
-- CLI, sqlite3) that no in-process signal would see.
SELECT 1;
