-- 0027_notification_preferences (PostgreSQL 15)
--
-- A person's choices about push notifications, per notification type
-- (src/notifications/preferences.c). A type without a row has the default of
-- API.md 14.10 (push on for payments, event changes, requests, invitations,
-- reminders and system messages; off for promotions). The in-app row is
-- always written; this only decides the push.
CREATE TABLE notification_preferences (
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    type         TEXT NOT NULL CHECK (type IN ('event_request', 'event_invite', 'event_update', 'event_cancelled', 'event_live', 'payment_success', 'payment_failed', 'booking_success', 'request_approved', 'new_join_request', 'ticket_confirmed', 'event_started', 'payout_reminder', 'reminder', 'system', 'promotional')),
    push_enabled BOOLEAN NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, type)
);
