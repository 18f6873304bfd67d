-- bench/pgbench/guard_buckets.sql: the bucketed seat guard as the server
-- runs it: seat_take() of migration 0017 (src/db/migrations/
-- 0017_seat_buckets.pg.sql), which the event_attendees_seats trigger calls
-- when a confirmation inserts a going attendee. Fast path: the first of the
-- event's 8 bucket rows with room that nobody holds (FOR UPDATE SKIP
-- LOCKED); when none is free, every bucket is locked in order and the room
-- re-spread. One seat per transaction on ONE event with a huge capacity
-- (-D event=<id>: the 'guard' event of `bench/seed.sql.sh pg-rush`,
-- 100,000,000 seats). bench/run.sh runs it on the durable cluster.
BEGIN;
SELECT seat_take(:event, 1);
COMMIT;
