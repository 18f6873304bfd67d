-- bench/pgbench/w2.sql: W2, GET /api/events?limit=20, anonymous. The
-- statements the server runs per request once the listing total is cached
-- (src/events/events_list.c: the total is reused while the listing version is
-- unchanged, so the count query runs once per process and version): the
-- version read, the page's ids, then the EventResponse rows of those ids with
-- the 20-id bucket (src/events/event_json.c: one row per event and interest).
-- Same texts as the server's; bench/run.sh
-- checks them against the PostgreSQL statement log before it runs pgbench.
-- Variables (-D): t=true (the visibility flags), limit=20, offset=0, anon=0 (no caller), p1..p20
-- (the ids of the first page, which is what the server binds every time).
SELECT version FROM listing_versions WHERE name = 'events';
SELECT e.id FROM events e WHERE 1 = 1 AND ((e.is_active = :t AND e.is_public = :t)) ORDER BY e.start_time DESC, e.id DESC LIMIT :limit OFFSET :offset;
SELECT e.id, e.uuid, e.canonical_id, e.title, e.slug, e.slug_version, e.canonical_url, e.description, e.host_id, u.phone, u.email, p.name, e.venue_id, v.uuid, v.name, v.city, v.venue_type, v.address, e.venue_text, e.start_time, e.end_time, e.max_capacity, (SELECT COALESCE(SUM(sb.taken - sb.held), 0) FROM event_seat_buckets sb WHERE sb.event_id = e.id), e.requests_count, e.is_paid, e.ticket_price_minor, e.currency, e.allow_plus_one, e.gst_number, e.allowed_genders, e.cover_images, e.status, e.is_public, e.is_active, e.created_at, e.updated_at, i.id, i.name, i.slug, p.profile_pictures, v.latitude, v.longitude, CASE WHEN e.host_id = :anon THEN (SELECT pr.status FROM host_payout_requests pr WHERE pr.event_id = e.id ORDER BY pr.id DESC LIMIT 1) END FROM events e JOIN users u ON u.id = e.host_id LEFT JOIN user_profiles p ON p.user_id = e.host_id LEFT JOIN venues v ON v.id = e.venue_id LEFT JOIN event_interest_map m ON m.event_id = e.id LEFT JOIN event_interests i ON i.id = m.interest_id WHERE e.id IN (:p1, :p2, :p3, :p4, :p5, :p6, :p7, :p8, :p9, :p10, :p11, :p12, :p13, :p14, :p15, :p16, :p17, :p18, :p19, :p20) ORDER BY e.id, i.name, i.id;
