-- 0020_seat_take_wait (SQLite; see the PostgreSQL twin): nothing to do,
-- SQLite has one bucket per event and one writer at a time.
SELECT 1;
