-- 0007_notifications (PostgreSQL 15)
--
-- Push devices and in-app notifications. Both belong to their user and go
-- with them (ON DELETE CASCADE); notifications are kept 30 days (purged by a
-- job using notifications_created_at_idx).

-- user_devices: OneSignal push registrations. A player id is globally unique:
-- registering one that exists reassigns it to the caller. Removing a device
-- deactivates it.
CREATE TABLE user_devices (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid                UUID NOT NULL UNIQUE,
    user_id             BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    onesignal_player_id TEXT NOT NULL UNIQUE CHECK (length(onesignal_player_id) BETWEEN 1 AND 255),
    platform            TEXT NOT NULL CHECK (platform IN ('ios', 'android')),
    is_active           BOOLEAN NOT NULL DEFAULT true,
    last_seen_at        TIMESTAMPTZ,
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX user_devices_user_idx ON user_devices (user_id, is_active);

-- notifications: the in-app inbox. Always written, whether or not a push was
-- sent. reference_type / reference_id point at the related object (e.g.
-- 'event_request' / its id); sender is optional (system messages have none).
CREATE TABLE notifications (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid           UUID NOT NULL UNIQUE,
    recipient_id   BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    sender_id      BIGINT REFERENCES users (id) ON DELETE SET NULL,
    type           TEXT NOT NULL CHECK (type IN ('event_request', 'event_invite', 'event_update', 'event_cancelled', 'event_live', 'payment_success', 'payment_failed', 'booking_success', 'request_approved', 'new_join_request', 'ticket_confirmed', 'event_started', 'payout_reminder', 'reminder', 'system', 'promotional')),
    title          TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    message        TEXT NOT NULL DEFAULT '',
    reference_type TEXT NOT NULL DEFAULT '' CHECK (length(reference_type) <= 50),
    reference_id   BIGINT,
    is_read        BOOLEAN NOT NULL DEFAULT false,
    read_at        TIMESTAMPTZ,
    metadata       JSONB NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX notifications_recipient_idx ON notifications (recipient_id, is_read, created_at);
CREATE INDEX notifications_sender_idx ON notifications (sender_id);
CREATE INDEX notifications_created_at_idx ON notifications (created_at);
