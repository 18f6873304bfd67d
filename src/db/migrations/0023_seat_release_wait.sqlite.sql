-- 0023_seat_release_wait (SQLite; see the PostgreSQL twin): nothing to do.
-- SQLite keeps one seat bucket per event and one writer at a time.
SELECT 1;
