-- 0026_dashboard_indexes (SQLite; see the PostgreSQL twin)
CREATE INDEX event_requests_created_at_idx ON event_requests (created_at);
CREATE INDEX event_requests_responded_idx ON event_requests (responded_at) WHERE responded_at IS NOT NULL;
CREATE INDEX payment_orders_refunded_idx ON payment_orders (refunded_at) WHERE refunded_at IS NOT NULL;
CREATE INDEX events_host_created_idx ON events (host_id, created_at);
