-- 0027_notification_preferences (SQLite; see the PostgreSQL twin)
CREATE TABLE notification_preferences (
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    type         TEXT NOT NULL CHECK (type IN ('event_request', 'event_invite', 'event_update', 'event_cancelled', 'event_live', 'payment_success', 'payment_failed', 'booking_success', 'request_approved', 'new_join_request', 'ticket_confirmed', 'event_started', 'payout_reminder', 'reminder', 'system', 'promotional')),
    push_enabled INTEGER NOT NULL CHECK (push_enabled IN (0, 1)),
    updated_at   TEXT NOT NULL CHECK (updated_at GLOB '????-??-??T??:??:??.??????Z'),
    PRIMARY KEY (user_id, type)
) STRICT;
