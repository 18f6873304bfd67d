#!/usr/bin/env bash
# bench/seed.sql.sh pg|sqlite|pg-rush: prints the SQL that fills a freshly
# migrated Loopin database with the benchmark data set, using SQL only (a
# numbers table from generate_series on PostgreSQL, from a recursive CTE on
# SQLite), so it runs in seconds:
#   bash bench/seed.sql.sh pg     | psql -v ON_ERROR_STOP=1 -q "$URL"
#   bash bench/seed.sql.sh sqlite | sqlite3 -bail path.db
#   bash bench/seed.sql.sh pg-rush | psql ...   (after pg: the hot-event rush)
# Sizes (environment): BENCH_USERS (10000), BENCH_EVENTS (2500),
# BENCH_REQUESTS (50000), BENCH_VENUES (100), BENCH_W3_USERS (1000);
# pg-rush: BENCH_RUSH_USERS (5000), BENCH_RUSH_SOLO (500), BENCH_RUSH_CAPACITY (1000000),
# BENCH_RUSH_SELLOUT (half the rush users), BENCH_PAID_PRICE_MINOR (49900: 499.00 INR),
# BENCH_PAID_CAPACITY (the rush users: reservations fill the paid events). BENCH_T0 (epoch seconds) is when
# event 0 would start; by default the day of the run minus 80% of the events'
# span, so the last fifth of the events is always in the future (W3 asks to
# join those) whatever the date.
#
# What it makes (every CHECK constraint of the migrations holds):
#   users + user_profiles: ids 1..U, active, E.164 phones +9190XXXXXXXX, names
#     "Bench User i", two interests each; then ids U+1..U+W3 the same way but
#     with no join request at all (W3's requesters: the first 400 for wrk, the
#     rest for pgbench, the last one for the statement check);
#   venues: ids 1..V in Bengaluru;
#   events: ids 1..E, host 1 + 7i mod U, venue 1 + i mod V (every 10th has no
#     venue, only venue_text), canonical_id 'b<i>', slug 'bench-event-<i>',
#     canonical_url '/in/bengaluru/events/bench-event-<i>--b<i>', 3 hours long,
#     one every 4 hours from BENCH_T0; status draft when i % 20 = 0,
#     cancelled when i % 50 = 7, completed when i % 25 = 11, else published;
#     private when i % 30 = 13; every 4th paid (499.00); 2-3 interests each;
#     one event_slugs row each (the current slug); on PostgreSQL the
#     events_seat_buckets trigger of 0017 gives each its 8 seat buckets;
#   event_requests: R rows, event 1 + (r-1) mod E, the k-th round of requests
#     (k = (r-1) div E) from user 1 + (STEP*k + 7e + 13) mod U with
#     STEP = U div ceil(R/E): every (event, requester) pair occurs once, and
#     never the host; 60% pending, then accepted, declined, cancelled.
#     Inserted after the events: the counter trigger of 0011 keeps
#     requests_count (on PostgreSQL it is set once instead, see below).
# Visible to everyone (active, public, published|completed|postponed):
#   i % 20 <> 0 AND i % 50 <> 7 AND i % 30 <> 13.
#
# pg-rush (PostgreSQL only, after pg; bench/run.sh's durable part): users
# U+W3+1 .. U+W3+N ("Rush User j", profiles), and three free, public,
# published events hosted by user 1, starting in 30 days:
#   E+1 'rusha'  max_capacity BENCH_RUSH_CAPACITY (the rush: never full);
#   E+2 'rushb'  max_capacity BENCH_RUSH_SELLOUT (the sell-out: fewer seats
#                than people);
#   E+3 'guard'  max_capacity 100000000 (pgbench's bucketed guard, seat_take);
#   E+4 'solo'   max_capacity BENCH_RUSH_CAPACITY (confirmations one at a
#                time: the cost of one without contention);
# three paid ones (ticket BENCH_PAID_PRICE_MINOR), by default as full as
# reservations make them (max_capacity = the people holding a seat):
#   E+5 'paid'     max_capacity BENCH_PAID_CAPACITY (the paid rush: order,
#                  then PayU's callback);
#   E+6 'paidcb'   max_capacity BENCH_PAID_CAPACITY (orders, then the
#                  callbacks 3x each);
#   E+7 'paidsolo' max_capacity BENCH_RUSH_SOLO (purchases one at a time);
# and one more free one for pgbench:
#   E+8 'pgconf' max_capacity BENCH_RUSH_CAPACITY (bench/pgbench/confirm.sql
#                and checkin.sql: the rush's and the door's statements
#                without HTTP), with an accepted join request for 1 seat for
#                every user 2..U (the data set's users; user 1 hosts it);
# and for every rush user an accepted join request for 1 seat on E+1, E+2,
# E+5 and E+6, and for the first BENCH_RUSH_SOLO (500) of them on E+4 and
# E+7. On the paid events each accepted request holds its seat in a live
# capacity reservation, as accepting it over HTTP would (requests.c
# reserve(): 1 seat, expiring in a day, reservation_key
# md5('rush-c' || event || '-' || user)::uuid so bench/rush.mjs can name it);
# the trigger of migration 0019 counts those seats in the buckets' taken and
# held. It also creates bench_seat_guard (event_id, capacity, taken), one row
# (event 1, capacity 2e9): pgbench's single-row guard.
set -euo pipefail

dialect=${1:?usage: seed.sql.sh pg|sqlite|pg-rush}
U=${BENCH_USERS:-10000}
E=${BENCH_EVENTS:-2500}
R=${BENCH_REQUESTS:-50000}
V=${BENCH_VENUES:-100}
W3=${BENCH_W3_USERS:-1000}
T0=${BENCH_T0:-$(($(date -u +%s) / 86400 * 86400 - E * 4 / 5 * 14400))}
ORIGIN=1748736000 # 2025-06-01T00:00:00Z, the origin of ts() below

if [[ $dialect == pg-rush ]]; then
    N=${BENCH_RUSH_USERS:-5000}
    CAP=${BENCH_RUSH_CAPACITY:-1000000}
    SOLD=${BENCH_RUSH_SELLOUT:-$((N / 2))}
    SOLO=${BENCH_RUSH_SOLO:-500}
    PRICE=${BENCH_PAID_PRICE_MINOR:-49900}
    PCAP=${BENCH_PAID_CAPACITY:-$N}
    B=$((U + W3))
    cat <<SQL
\\set ON_ERROR_STOP on
SET client_min_messages = warning;
BEGIN;
INSERT INTO users (id, uuid, phone, first_name, last_name, is_active, is_staff, is_superuser,
                   date_joined, last_login, created_at, updated_at) OVERRIDING SYSTEM VALUE
SELECT $B + j, md5('rush-u' || j)::uuid, '+9191' || lpad(j::text, 8, '0'), 'Rush', 'User ' || j,
       true, false, false, now() - interval '90 days', now() - interval '1 day',
       now() - interval '90 days', now() - interval '90 days'
FROM generate_series(1, $N) AS j;
INSERT INTO user_profiles (user_id, uuid, name, phone_number, bio, location, gender,
                           is_verified, is_active, created_at, updated_at)
SELECT $B + j, md5('rush-p' || j)::uuid, 'Rush User ' || j, '+9191' || lpad(j::text, 8, '0'),
       'Generated for the rush.', 'Bengaluru', '', false, true,
       now() - interval '90 days', now() - interval '90 days'
FROM generate_series(1, $N) AS j;
INSERT INTO events (id, uuid, host_id, venue_id, canonical_id, slug, slug_version, slug_is_manual,
                    canonical_url, title, description, venue_text, country_code, city_slug,
                    start_time, end_time, max_capacity, going_count, requests_count, is_paid,
                    ticket_price_minor, currency, allow_plus_one, gst_number, allowed_genders,
                    cover_images, status, is_public, is_active, published_at, deleted_at,
                    created_at, updated_at) OVERRIDING SYSTEM VALUE
SELECT $E + k, md5('rush-e' || k)::uuid, 1, 1, c, 'bench-' || c, 1, false,
       '/in/bengaluru/events/bench-' || c || '--' || c, 'Bench hot event ' || c,
       'A generated hot event for the Loopin benchmark.', '', 'in', 'bengaluru',
       now() + interval '30 days', now() + interval '30 days 3 hours', cap, 0, 0, price > 0, price,
       'INR', false, '', 'all', '[]'::jsonb, 'published', true, true, now(), NULL, now(), now()
FROM (VALUES (1, 'rusha', $CAP, 0), (2, 'rushb', $SOLD, 0), (3, 'guard', 100000000, 0),
             (4, 'solo', $CAP, 0), (5, 'paid', $PCAP, $PRICE), (6, 'paidcb', $PCAP, $PRICE),
             (7, 'paidsolo', $SOLO, $PRICE), (8, 'pgconf', $CAP, 0))
    AS t (k, c, cap, price);
INSERT INTO event_slugs (event_id, slug, version, created_at)
SELECT $E + k, 'bench-' || c, 1, now()
FROM (VALUES (1, 'rusha'), (2, 'rushb'), (3, 'guard'), (4, 'solo'), (5, 'paid'), (6, 'paidcb'),
             (7, 'paidsolo'), (8, 'pgconf')) AS t (k, c);
INSERT INTO event_requests (uuid, event_id, requester_id, status, message, host_message,
                            seats_requested, responded_at, created_at, updated_at)
SELECT md5('rush-r' || k || '-' || j)::uuid, $E + k, $B + j, 'accepted', 'Rush request', '', 1,
       now(), now() - interval '1 hour', now()
FROM generate_series(1, $N) AS j CROSS JOIN (VALUES (1), (2), (4), (5), (6), (7)) AS t (k)
WHERE k NOT IN (4, 7) OR j <= $SOLO;
INSERT INTO event_requests (uuid, event_id, requester_id, status, message, host_message,
                            seats_requested, responded_at, created_at, updated_at)
SELECT md5('pgconf-r' || j)::uuid, $E + 8, j, 'accepted', 'pgbench request', '', 1,
       now(), now() - interval '1 hour', now()
FROM generate_series(2, $U) AS j;
-- the paid events' accepted requests hold their seats (trigger of 0019)
INSERT INTO capacity_reservations (reservation_key, event_id, user_id, request_id, seats_reserved,
                                   expires_at, created_at, updated_at)
SELECT md5('rush-c' || r.event_id || '-' || r.requester_id)::uuid, r.event_id, r.requester_id,
       r.id, r.seats_requested, now() + interval '1 day', r.responded_at, r.responded_at
FROM event_requests r WHERE r.event_id BETWEEN $E + 5 AND $E + 7 ORDER BY r.event_id, r.requester_id;
CREATE TABLE bench_seat_guard (event_id BIGINT PRIMARY KEY, capacity INTEGER NOT NULL,
                               taken INTEGER NOT NULL CHECK (taken <= capacity));
INSERT INTO bench_seat_guard VALUES (1, 2000000000, 0);
DO \$\$
BEGIN
    PERFORM setval(pg_get_serial_sequence('users', 'id'), (SELECT max(id) FROM users));
    PERFORM setval(pg_get_serial_sequence('events', 'id'), (SELECT max(id) FROM events));
    IF (SELECT count(*) FROM event_seat_buckets WHERE event_id > $E) <> 64 THEN
        RAISE EXCEPTION 'seed: the hot events have no seat buckets';
    END IF;
    IF EXISTS (SELECT 1 FROM (SELECT event_id, SUM(taken) AS t, SUM(held) AS h FROM event_seat_buckets
               WHERE event_id BETWEEN $E + 5 AND $E + 7 GROUP BY event_id) b
               JOIN (SELECT event_id, SUM(seats_reserved) AS n FROM capacity_reservations GROUP BY event_id) c
               ON c.event_id = b.event_id WHERE b.t <> c.n OR b.h <> c.n) THEN
        RAISE EXCEPTION 'seed: the paid events'' buckets do not hold their reservations';
    END IF;
END \$\$;
COMMIT;
ANALYZE;
SQL
    exit 0
fi
rounds=$(((R + E - 1) / E))
STEP=$((U / rounds))
if ((STEP < 1 || STEP * (rounds - 1) + 13 >= U || U < 10 || E < 1 || V < 1)); then
    echo "seed.sql.sh: $R requests over $E events need more than $U users" >&2
    exit 1
fi
UA=$((U + W3)) # every user: the data set's and W3's requesters
N=$UA
((E > N)) && N=$E
((R > N)) && N=$R

case $dialect in
pg)
    # uuid from md5(tag || i), shaped as a lower-case version 4 uuid
    uuid() {
        local h="md5('$1' || $2)"
        echo "(substr($h, 1, 8) || '-' || substr($h, 9, 4) || '-4' || substr($h, 14, 3) || '-8' || substr($h, 18, 3) || '-' || substr($h, 21, 12))::uuid"
    }
    # timestamp: seconds after 2025-06-01T00:00:00Z
    ts() { echo "(timestamptz '2025-06-01 00:00:00+00' + ($1) * interval '1 second')"; }
    pad8() { echo "lpad(($1)::text, 8, '0')"; }
    json() { echo "($1)::jsonb"; }
    over="OVERRIDING SYSTEM VALUE"
    # The counter trigger of 0011 would update an event row once per pending
    # request: 30,000 non-HOT updates (every index, the GIN one included),
    # ten seconds and a table bloated tenfold. So on PostgreSQL it is off for
    # the bulk insert and requests_count is set once with the trigger's
    # definition (pending requests), then checked; VACUUM FULL below drops
    # the old row versions.
    req_before="ALTER TABLE event_requests DISABLE TRIGGER event_requests_counter;"
    req_after="UPDATE events e SET requests_count = c.n FROM (SELECT event_id, count(*) AS n
    FROM event_requests WHERE status = 'pending' GROUP BY event_id) c WHERE c.event_id = e.id;
ALTER TABLE event_requests ENABLE TRIGGER event_requests_counter;"
    cat <<SQL
\\set ON_ERROR_STOP on
SET client_min_messages = warning;
BEGIN;
CREATE TEMP TABLE bench_n (i INTEGER PRIMARY KEY) ON COMMIT DROP;
INSERT INTO bench_n SELECT generate_series(1, $N);
SQL
    ;;
sqlite)
    # tag -> the second group of the uuid, so rows of different tables differ
    uuid() {
        local tag
        case $1 in u) tag=1 ;; p) tag=2 ;; v) tag=3 ;; e) tag=4 ;; r) tag=5 ;; *) tag=9 ;; esac
        echo "printf('%08x-%04x-4000-8000-%012x', $2, $tag, $2)"
    }
    ts() { echo "strftime('%Y-%m-%dT%H:%M:%S.000000Z', '2025-06-01 00:00:00', ($1) || ' seconds')"; }
    pad8() { echo "printf('%08d', $1)"; }
    json() { echo "($1)"; }
    over=""
    # SQLite updates in place: the counter trigger stays on and keeps
    # requests_count as the application would.
    req_before=""
    req_after=""
    cat <<SQL
.bail on
PRAGMA foreign_keys = ON;
BEGIN;
CREATE TEMP TABLE bench_n (i INTEGER PRIMARY KEY);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $N)
INSERT INTO bench_n (i) SELECT i FROM n;
SQL
    ;;
*)
    echo "seed.sql.sh: dialect must be pg or sqlite" >&2
    exit 2
    ;;
esac

# Event i starts BENCH_T0 + 4i hours and lasts 3 hours; it was created 30
# days before.
ev_start="($((T0 - ORIGIN)) + i * 14400)"
status="CASE WHEN i % 20 = 0 THEN 'draft' WHEN i % 50 = 7 THEN 'cancelled' WHEN i % 25 = 11 THEN 'completed' ELSE 'published' END"

cat <<SQL
INSERT INTO users (id, uuid, phone, first_name, last_name, is_active, is_staff, is_superuser,
                   date_joined, last_login, created_at, updated_at) $over
SELECT i, $(uuid u i), '+9190' || $(pad8 i), 'Bench', 'User ' || i, true, false, false,
       $(ts "i * 60"), $(ts "i * 60 + 86400"), $(ts "i * 60"), $(ts "i * 60")
FROM bench_n WHERE i <= $UA;

INSERT INTO user_profiles (user_id, uuid, name, phone_number, bio, location, gender,
                           is_verified, is_active, created_at, updated_at)
SELECT i, $(uuid p i), 'Bench User ' || i, '+9190' || $(pad8 i), 'Generated for the benchmark.',
       'Bengaluru', CASE i % 4 WHEN 0 THEN 'male' WHEN 1 THEN 'female' WHEN 2 THEN 'other' ELSE '' END,
       i % 3 = 0, true, $(ts "i * 60"), $(ts "i * 60 + 600")
FROM bench_n WHERE i <= $UA;

INSERT INTO user_event_interests (user_id, interest_id)
SELECT n.i, t.id FROM bench_n n JOIN event_interests t
    ON t.id = 1 + n.i % 20 OR t.id = 1 + (n.i * 3 + 7) % 20
WHERE n.i <= $UA;

INSERT INTO venues (id, uuid, name, address, city, country_code, city_slug, venue_type,
                    capacity, latitude, longitude, created_at, updated_at) $over
SELECT i, $(uuid v i), 'Bench Venue ' || i, i || ' MG Road, Bengaluru', 'Bengaluru', 'in',
       'bengaluru', CASE i % 4 WHEN 0 THEN 'indoor' WHEN 1 THEN 'outdoor' WHEN 2 THEN 'hybrid' ELSE 'indoor' END,
       100 + i % 400, 12.9 + (i % 100) * 0.001, 77.5 + (i % 100) * 0.001,
       $(ts "i * 3600"), $(ts "i * 3600")
FROM bench_n WHERE i <= $V;

INSERT INTO events (id, uuid, host_id, venue_id, canonical_id, slug, slug_version, slug_is_manual,
                    canonical_url, title, description, venue_text, country_code, city_slug,
                    start_time, end_time, max_capacity, going_count, requests_count, is_paid,
                    ticket_price_minor, currency, allow_plus_one, gst_number, allowed_genders,
                    cover_images, status, is_public, is_active, published_at, deleted_at,
                    created_at, updated_at) $over
SELECT i, $(uuid e i), 1 + (i * 7) % $U, CASE WHEN i % 10 = 9 THEN NULL ELSE 1 + i % $V END,
       'b' || i, 'bench-event-' || i, 1, false,
       '/in/bengaluru/events/bench-event-' || i || '--b' || i,
       'Bench event ' || i || ': music, food and friends',
       'A generated event for the Loopin benchmark, number ' || i || '. Live music from local '
       || 'bands, street food from the best stalls of the city, board games and a long evening '
       || 'with friends old and new. Doors open half an hour before the start; bring a friend, '
       || 'bring a jacket, and bring your appetite. Seats are limited, so request early and the '
       || 'host will get back to you within a day.',
       CASE WHEN i % 10 = 9 THEN 'Cubbon Park, Bengaluru' ELSE '' END, 'in', 'bengaluru',
       $(ts "$ev_start"), $(ts "$ev_start + 10800"),
       CASE WHEN i % 3 = 0 THEN 0 ELSE 100 + i % 200 END, 0, 0,
       i % 4 = 0, CASE WHEN i % 4 = 0 THEN 49900 ELSE 0 END, 'INR', i % 2 = 0, '', 'all',
       $(json "'[\"/media/events/bench-' || i || '.jpg\"]'"),
       $status, i % 30 <> 13, true,
       CASE WHEN i % 20 = 0 OR i % 50 = 7 THEN NULL ELSE $(ts "$ev_start - 2592000 + 3600") END, NULL,
       $(ts "$ev_start - 2592000"), $(ts "$ev_start - 2592000 + 3600")
FROM bench_n WHERE i <= $E;

INSERT INTO event_slugs (event_id, slug, version, created_at)
SELECT i, 'bench-event-' || i, 1, $(ts "$ev_start - 2592000") FROM bench_n WHERE i <= $E;

INSERT INTO event_interest_map (event_id, interest_id)
SELECT n.i, t.id FROM bench_n n JOIN event_interests t
    ON t.id = 1 + n.i % 20 OR t.id = 1 + (n.i * 7 + 3) % 20
       OR (n.i % 3 = 0 AND t.id = 1 + (n.i * 13 + 5) % 20)
WHERE n.i <= $E;

$req_before
INSERT INTO event_requests (id, uuid, event_id, requester_id, status, message, host_message,
                            seats_requested, responded_at, created_at, updated_at) $over
SELECT i, $(uuid r i), 1 + (i - 1) % $E,
       1 + ($STEP * ((i - 1) / $E) + 7 * (1 + (i - 1) % $E) + 13) % $U,
       CASE WHEN i % 10 < 6 THEN 'pending' WHEN i % 10 < 8 THEN 'accepted'
            WHEN i % 10 = 8 THEN 'declined' ELSE 'cancelled' END,
       'Hi! May I join? Request ' || i, '', 1 + i % 2,
       CASE WHEN i % 10 IN (6, 7, 8) THEN $(ts "20000000 + i * 60 + 3600") END,
       $(ts "20000000 + i * 60"), $(ts "20000000 + i * 60")
FROM bench_n WHERE i <= $R;
$req_after
SQL

if [[ $dialect == pg ]]; then
    cat <<'SQL'
DO $$
BEGIN -- identities go on after the generated ids
    PERFORM setval(pg_get_serial_sequence('users', 'id'), (SELECT max(id) FROM users));
    PERFORM setval(pg_get_serial_sequence('venues', 'id'), (SELECT max(id) FROM venues));
    PERFORM setval(pg_get_serial_sequence('events', 'id'), (SELECT max(id) FROM events));
    PERFORM setval(pg_get_serial_sequence('event_slugs', 'id'), (SELECT max(id) FROM event_slugs));
    PERFORM setval(pg_get_serial_sequence('event_requests', 'id'), (SELECT max(id) FROM event_requests));
END $$;
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM events e WHERE e.requests_count <> (SELECT count(*)
               FROM event_requests r WHERE r.event_id = e.id AND r.status = 'pending')) THEN
        RAISE EXCEPTION 'seed: requests_count disagrees with the pending requests';
    END IF;
END $$;
COMMIT;
VACUUM FULL events;
VACUUM ANALYZE;
SQL
else
    cat <<'SQL'
COMMIT;
ANALYZE;
SQL
fi
