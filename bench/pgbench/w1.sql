-- bench/pgbench/w1.sql: W1, GET /api/events/{id} as an active user. The one
-- statement the server runs per request once the caller's account and token
-- are in the guard's cache (src/auth/auth_cache.c): the EventResponse query
-- with the 1-id bucket (src/events/event_json.c response_sql; $1 is the
-- caller, whose own events show their payout status; one row per event, its
-- interests aggregated; the visibility check reads that row). The same text as the server's;
-- bench/run.sh checks it against the PostgreSQL statement log before it runs
-- pgbench.
-- Variables (-D): users, events (the generated ranges).
\set uid random(1, :users)
\set eid random(1, :events)
SELECT e.id, e.uuid, e.canonical_id, e.title, e.slug, e.slug_version, e.canonical_url, e.description, e.host_id, u.phone, u.email, p.name, e.venue_id, v.uuid, v.name, v.city, v.venue_type, v.address, e.venue_text, e.start_time, e.end_time, e.max_capacity, (SELECT COALESCE(SUM(sb.taken - sb.held), 0) FROM event_seat_buckets sb WHERE sb.event_id = e.id), e.requests_count, e.is_paid, e.ticket_price_minor, e.currency, e.allow_plus_one, e.gst_number, e.allowed_genders, e.cover_images, e.status, e.is_public, e.is_active, e.created_at, e.updated_at, (SELECT json_agg(json_build_array(i.id, i.name, i.slug)) FROM event_interest_map m JOIN event_interests i ON i.id = m.interest_id WHERE m.event_id = e.id), p.profile_pictures, v.latitude, v.longitude, CASE WHEN e.host_id = :uid THEN (SELECT pr.status FROM host_payout_requests pr WHERE pr.event_id = e.id ORDER BY pr.id DESC LIMIT 1) END FROM events e JOIN users u ON u.id = e.host_id LEFT JOIN user_profiles p ON p.user_id = e.host_id LEFT JOIN venues v ON v.id = e.venue_id WHERE e.id IN (:eid);
