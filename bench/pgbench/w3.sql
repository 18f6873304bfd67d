-- bench/pgbench/w3.sql: W3, POST /api/events/{id}/requests {"seats_requested":1}
-- as an active user. The statements the server runs per request, in order,
-- with the same text (each :variable becomes a $n parameter under
-- -M prepared): the verifier's account query (src/auth/guard.c SQL_USER),
-- then one transaction (src/requests/requests.c create_tx): the event row
-- (src/events/event.c event_load: going_count and the seats reservations
-- hold, both from the seat buckets), the
-- requester's gender, the last request of this person for this event, the
-- INSERT (its AFTER trigger event_requests_counter of 0011 adds 1 to
-- events.requests_count), the host's in-app notification (requests.c
-- notify), the audit row (src/audit/audit.c), the new request as the host
-- sees it, COMMIT. bench/run.sh checks these texts against what the server
-- sends (PostgreSQL statement log) before it runs pgbench.
--
-- One statement more than the server: pgbench cannot make strings, so the
-- three uuids the server makes itself (request, notification, audit row) and
-- the empty strings it binds (message, error_message) come from a first
-- SELECT. It costs pgbench one round trip per transaction, so the ratio
-- server/pgbench is slightly flattering (docs/benchmarks.md says by how much).
-- Where the server binds NULL (audit object_uuid) pgbench binds the request's
-- uuid (pgbench cannot bind NULL).
--
-- Each transaction needs an (event, requester) pair of its own (the
-- one-pending unique index refuses a second pending request): pair number
-- n = base + k * clients + client_id, k counting this client's transactions
-- (pgbench keeps variables across transactions), event efirst + n mod
-- ecount, requester ufirst + (n div ecount) mod ucount: transactions in
-- flight are for different events, as the server's under wrk are.
-- Variables (-D): users (the generated range), jti, t=true, k=0, base,
-- clients, ufirst, ucount, efirst, ecount, seats=1, now (a timestamptz),
-- ntype, ntitle, nmsg, nmeta (the notification), aaction, atype, apayload, ip, ua,
-- reqid, sev (the audit row).
\set k :k + 1
\set n :base + :k * :clients + :client_id
\set eid :efirst + :n % :ecount
\set uid :ufirst + (:n / :ecount) % :ucount
\set host 1 + (:eid * 7) % :users
SELECT gen_random_uuid() AS ru, gen_random_uuid() AS nu, gen_random_uuid() AS au, '' AS blank \gset
SELECT u.uuid, u.phone, u.is_active, u.is_staff, u.is_superuser, p.waitlist_promote_at, EXISTS (SELECT 1 FROM revoked_tokens r WHERE r.jti = :jti) FROM users u LEFT JOIN user_profiles p ON p.user_id = u.id WHERE u.id = :uid;
BEGIN;
SELECT id, uuid, canonical_id, slug, slug_version, slug_is_manual, canonical_url, title, description, host_id, venue_id, venue_text, country_code, city_slug, start_time, end_time, max_capacity, (SELECT COALESCE(SUM(sb.taken - sb.held), 0) FROM event_seat_buckets sb WHERE sb.event_id = events.id), requests_count, is_paid, ticket_price_minor, currency, status, is_public, is_active, cover_images, allow_plus_one, gst_number, allowed_genders, updated_at, (SELECT COALESCE(SUM(sb.held), 0) FROM event_seat_buckets sb WHERE sb.event_id = events.id) FROM events WHERE id = :eid;
SELECT COALESCE(gender, '') FROM user_profiles WHERE user_id = :uid;
SELECT status FROM event_requests WHERE event_id = :eid AND requester_id = :uid ORDER BY created_at DESC, id DESC LIMIT 1;
INSERT INTO event_requests (uuid, event_id, requester_id, status, message, seats_requested, created_at, updated_at) VALUES (:ru, :eid, :uid, 'pending', :blank, :seats, :now, :now) RETURNING id \gset
INSERT INTO notifications (uuid, recipient_id, sender_id, type, title, message, reference_type, reference_id, metadata, created_at, updated_at) VALUES (:nu, :host, :uid, :ntype, :ntitle, :nmsg, :rtype, :id, :nmeta, :now, :now);
INSERT INTO audit_log (uuid, actor_user_id, action, object_type, object_id, object_uuid, payload, ip_address, user_agent, request_id, severity, is_successful, error_message, created_at) VALUES (:au, :uid, :aaction, :atype, :id, :ru, :apayload, :ip, :ua, :reqid, :sev, :t, :blank, :now);
SELECT r.id, r.uuid, r.event_id, r.requester_id, COALESCE(p.name, ''), r.status, r.message, r.host_message, r.seats_requested, r.created_at, r.updated_at, p.profile_pictures, e.title, EXISTS (SELECT 1 FROM event_attendees a WHERE a.event_id = r.event_id AND a.user_id = r.requester_id AND a.status IN ('going', 'checked_in')), c.reservation_key, c.expires_at, e.is_paid FROM event_requests r JOIN events e ON e.id = r.event_id LEFT JOIN capacity_reservations c ON c.id = (SELECT max(c2.id) FROM capacity_reservations c2 WHERE c2.request_id = r.id AND NOT c2.consumed AND c2.released_at IS NULL) LEFT JOIN user_profiles p ON p.user_id = r.requester_id WHERE r.id = :id;
COMMIT;
