-- bench/pgbench/confirm.sql: the rush's work without HTTP. POST
-- /api/events/{id}/confirm-attendance {"seats":1} by a person with an
-- accepted join request, as a warm `loopin serve` process sends it
-- (prepared statements, libpq pipeline mode, src/db/db_pg.c), same texts,
-- same order, same round trips:
--   1. the guard's account query (src/auth/guard.c SQL_USER; every rush
--      user asks once, so the guard's cache never has the account);
--   2. one pipeline: BEGIN + the event row (src/events/event.c event_load,
--      seats from the seat buckets);
--   3. the accepted request, locked (src/tickets/attendance.c find_admission);
--   4. the attendee INSERT (take_seats; its trigger takes the seat from the
--      event's buckets, seat_take of 0023);
--   5. the ticket row INSERT ... RETURNING id, code_hash (issue_ticket);
--   6. one pipeline: the deferred writes (db_exec_later) and COMMIT: the
--      ticket's code (issue_ticket), the person's in-app notification
--      (notify_ticket), the audit row (src/audit/audit.c);
--   7. after the commit, the ticket as the answer shows it
--      (src/tickets/tickets.c ticket_just_issued).
-- bench/run.sh checks these texts against the server's (PostgreSQL
-- statement log, the server's NULL parameters written as NULL) before it
-- runs pgbench.
--
-- Differences from the server, all of them strings pgbench cannot make:
-- * One statement more, one round trip: the four uuids (attendee, ticket,
--   notification, audit row) and the ticket code's seed and hash come
--   from a first SELECT (\gset cannot be used inside a pipeline, so it cannot
--   ride along with the BEGIN). The ratio server/pgbench is slightly
--   flattering.
-- * The ticket code is an Ed25519 signature made in C (ticket_keys_code);
--   the database only stores its seed (32 hex characters) and the code's
--   SHA-256 (64 hex characters, unique). pgbench binds placeholders of the
--   same shape: code_seed = md5 of the ids, code_hash = two md5s of the ids
--   (unique per ticket).
-- * Where the server binds NULL (the attendee's invite_id and
--   payment_order_id, the ticket's payment_order_id, the audit row's
--   object_uuid) the script writes NULL: pgbench cannot bind a NULL.
-- * The notification's and audit row's texts, created_at and the client's
--   ip/user agent/request id are fixed (-D) instead of per request.
--
-- Each transaction needs a person with an accepted request on the event who
-- has not confirmed yet: `bench/seed.sql.sh pg-rush` gives every user
-- 2..BENCH_USERS one on the event 'pgconf' (BENCH_EVENTS + 8). Person
-- n = base + k * clients + client_id (k counting this client's transactions:
-- pgbench keeps variables across transactions) is user ufirst + n; run with
-- -t so that no n repeats.
-- Variables (-D): k=0, base, clients, ufirst, eid, jti, seats=1, f=false,
-- t=true, zero=0, unpaid=unpaid, now (a timestamptz), ntype, ntitle, nmsg,
-- rtype, nmeta (the notification), aaction, atype, apayload, ip, ua, reqid,
-- sev (the audit row).
\set n :base + :k * :clients + :client_id
\set k :k + 1
\set uid :ufirst + :n
SELECT gen_random_uuid() AS pu, gen_random_uuid() AS tu, gen_random_uuid() AS nu, gen_random_uuid() AS au, '' AS blank, md5('pgconf-seed-' || :eid || '-' || :uid) AS seed, md5('pgconf-a-' || :eid || '-' || :uid) || md5('pgconf-b-' || :eid || '-' || :uid) AS hash \gset
SELECT u.uuid, u.phone, u.is_active, u.is_staff, u.is_superuser, p.waitlist_promote_at, EXISTS (SELECT 1 FROM revoked_tokens r WHERE r.jti = :jti) FROM users u LEFT JOIN user_profiles p ON p.user_id = u.id WHERE u.id = :uid;
\startpipeline
BEGIN;
SELECT id, uuid, canonical_id, slug, slug_version, slug_is_manual, canonical_url, title, description, host_id, venue_id, venue_text, country_code, city_slug, start_time, end_time, max_capacity, (SELECT COALESCE(SUM(sb.taken - sb.held), 0) FROM event_seat_buckets sb WHERE sb.event_id = events.id), requests_count, is_paid, ticket_price_minor, currency, status, is_public, is_active, cover_images, allow_plus_one, gst_number, allowed_genders, updated_at, (SELECT COALESCE(SUM(sb.held), 0) FROM event_seat_buckets sb WHERE sb.event_id = events.id) FROM events WHERE id = :eid;
\endpipeline
SELECT id, seats_requested FROM event_requests WHERE event_id = :eid AND requester_id = :uid AND status = 'accepted' ORDER BY id DESC LIMIT 1 FOR UPDATE \gset r_
INSERT INTO event_attendees (uuid, event_id, user_id, request_id, invite_id, seats, status, is_paid, price_paid_minor, platform_fee_minor, payment_order_id, created_at, updated_at) VALUES (:pu, :eid, :uid, :r_id, NULL, :seats, 'going', :f, :zero, :zero, NULL, :now, :now) ON CONFLICT (event_id, user_id) DO UPDATE SET status = 'going', seats = excluded.seats, request_id = excluded.request_id, invite_id = excluded.invite_id, checked_in_at = NULL, is_paid = excluded.is_paid, price_paid_minor = excluded.price_paid_minor, platform_fee_minor = excluded.platform_fee_minor, payment_order_id = excluded.payment_order_id, updated_at = excluded.updated_at WHERE event_attendees.status NOT IN ('going', 'checked_in');
INSERT INTO attendance_records (uuid, event_id, user_id, status, payment_status, ticket_ref, seats, created_at, updated_at) VALUES (:tu, :eid, :uid, 'going', 'unpaid', :tu, :seats, :now, :now) ON CONFLICT (event_id, user_id) DO UPDATE SET updated_at = excluded.updated_at RETURNING id, code_hash \gset a_
\startpipeline
UPDATE attendance_records SET status = 'going', payment_status = :unpaid, payment_order_id = NULL, seats = :seats, code_seed = :seed, code_hash = :hash, checked_in_at = NULL, checked_out_at = NULL, updated_at = :now WHERE id = :a_id;
INSERT INTO notifications (uuid, recipient_id, sender_id, type, title, message, reference_type, reference_id, metadata, created_at, updated_at) VALUES (:nu, :uid, :uid, :ntype, :ntitle, :nmsg, :rtype, :a_id, :nmeta, :now, :now);
INSERT INTO audit_log (uuid, actor_user_id, action, object_type, object_id, object_uuid, payload, ip_address, user_agent, request_id, severity, is_successful, error_message, created_at) VALUES (:au, :uid, :aaction, :atype, :eid, NULL, :apayload, :ip, :ua, :reqid, :sev, :t, :blank, :now);
COMMIT;
\endpipeline
SELECT r.id, r.event_id, e.title, e.start_time, e.end_time, r.code_seed, r.seats, e.is_paid, r.payment_status, r.status, r.created_at, COALESCE(v.name, e.venue_text), e.cover_images, r.checked_in_at, r.uuid, r.updated_at FROM attendance_records r JOIN events e ON e.id = r.event_id LEFT JOIN venues v ON v.id = e.venue_id WHERE r.user_id = :uid AND r.event_id = :eid AND r.status IN ('going', 'checked_in');
