-- bench/pgbench/checkin.sql: the door's work without HTTP. POST
-- /api/events/{id}/check-in {"code", "nonce", "type": "entry"} by the host,
-- as a warm `loopin serve` process sends it (the host's account is in the
-- guard's cache after the first scan; prepared statements, libpq pipeline
-- mode, src/db/db_pg.c), same texts, same order:
--   1. the event row (the route's owner check, src/events/event.c
--      event_require_manager, event_load);
--   2. one pipeline: BEGIN + the ticket row, locked by its id
--      (src/tickets/checkin.c lock_ticket; the decision is made on it);
--   3. the scan recorded under its nonce with that outcome (claim: INSERT
--      ... ON CONFLICT DO NOTHING RETURNING id);
--   4. one pipeline: the deferred write (db_exec_later) and COMMIT: the
--      ticket checked in (apply).
-- bench/run.sh checks these texts against the server's (PostgreSQL
-- statement log) before it runs pgbench.
--
-- Differences from the server:
-- * The code's Ed25519 signature and hash are checked in C before any SQL
--   (inspect, decide); pgbench only runs the SQL, for the tickets that
--   bench/pgbench/confirm.sql issued, each checked in once.
-- * One statement more, one round trip: the scan's uuid and nonce come from
--   a first SELECT (pgbench cannot make strings). The nonce is
--   'pgbench-<ticket id>' (bench/rush.mjs sends 'bench-<run>-<i>').
-- * The scan times (scanned_at, created_at) are fixed (-D).
--
-- Ticket n = base + k * clients + client_id (k counting this client's
-- transactions) is attendance_records row rfirst + n (the rows confirm.sql
-- made are consecutive; bench/run.sh checks); run with -t so that no n
-- repeats.
-- Variables (-D): k=0, base, clients, rfirst, eid, host (the event's host),
-- now (a timestamptz), act=check_in, src=online, accepted=accepted.
\set n :base + :k * :clients + :client_id
\set k :k + 1
\set rid :rfirst + :n
SELECT gen_random_uuid() AS su, 'pgbench-' || :rid AS nonce, '' AS blank \gset
SELECT id, uuid, canonical_id, slug, slug_version, slug_is_manual, canonical_url, title, description, host_id, venue_id, venue_text, country_code, city_slug, start_time, end_time, max_capacity, (SELECT COALESCE(SUM(sb.taken - sb.held), 0) FROM event_seat_buckets sb WHERE sb.event_id = events.id), requests_count, is_paid, ticket_price_minor, currency, status, is_public, is_active, cover_images, allow_plus_one, gst_number, allowed_genders, updated_at, (SELECT COALESCE(SUM(sb.held), 0) FROM event_seat_buckets sb WHERE sb.event_id = events.id) FROM events WHERE id = :eid;
\startpipeline
BEGIN;
SELECT id, status, COALESCE(code_hash, ''), payment_status, checked_in_at, user_id, seats, checked_out_at, COALESCE((SELECT p.name FROM user_profiles p WHERE p.user_id = attendance_records.user_id), '') FROM attendance_records WHERE event_id = :eid AND id = :rid FOR UPDATE;
\endpipeline
INSERT INTO ticket_scans (uuid, event_id, scanned_by_id, client_scan_id, device_id, action, source, result, reason, attendance_record_id, scanned_at, created_at, updated_at) VALUES (:su, :eid, :host, :nonce, :blank, :act, :src, :accepted, :blank, :rid, :now, :now, :now) ON CONFLICT (scanned_by_id, client_scan_id) DO NOTHING RETURNING id;
\startpipeline
UPDATE attendance_records SET status = 'checked_in', checked_in_at = :now, checked_out_at = NULL, updated_at = :now WHERE id = :rid;
COMMIT;
\endpipeline
