-- 0026_dashboard_indexes (PostgreSQL 15)
--
-- The admin dashboard (src/admin/dashboard.c) counts rows per week, month or
-- year with one range query per figure; each needs an index on the time it
-- counts by, so a page load reads the period's rows, never a whole table.
CREATE INDEX event_requests_created_at_idx ON event_requests (created_at);
CREATE INDEX event_requests_responded_idx ON event_requests (responded_at) WHERE responded_at IS NOT NULL;
CREATE INDEX payment_orders_refunded_idx ON payment_orders (refunded_at) WHERE refunded_at IS NOT NULL;
CREATE INDEX events_host_created_idx ON events (host_id, created_at);
