-- bench/pgbench/guard_row.sql: the single-row seat guard. Every transaction
-- takes one seat of ONE event from one counter row, guarded so it can never
-- pass the capacity (issue 9: "a guarded conditional UPDATE ... WHERE taken
-- + $n <= capacity"). The row stays locked from the UPDATE until the COMMIT
-- is durable, so with fsync on the event's seats are taken one commit at a
-- time. Table bench_seat_guard comes from `bench/seed.sql.sh pg-rush`
-- (event 1, capacity 2e9). bench/run.sh runs it on the durable cluster.
BEGIN;
UPDATE bench_seat_guard SET taken = taken + 1 WHERE event_id = 1 AND taken + 1 <= capacity;
COMMIT;
