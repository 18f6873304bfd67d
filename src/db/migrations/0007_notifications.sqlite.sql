-- 0007_notifications (SQLite 3.40)
--
-- Push devices and in-app notifications. Both belong to their user and go
-- with them (ON DELETE CASCADE); notifications are kept 30 days (purged by a
-- job using notifications_created_at_idx).

-- user_devices: OneSignal push registrations. A player id is globally unique:
-- registering one that exists reassigns it to the caller. Removing a device
-- deactivates it.
CREATE TABLE user_devices (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid                TEXT NOT NULL UNIQUE CHECK (uuid GLOB '????????-????-????-????-????????????' AND uuid NOT GLOB '*[^0-9a-f-]*'),
    user_id             INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    onesignal_player_id TEXT NOT NULL UNIQUE CHECK (length(onesignal_player_id) BETWEEN 1 AND 255),
    platform            TEXT NOT NULL CHECK (platform IN ('ios', 'android')),
    is_active           INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    last_seen_at        TEXT CHECK (last_seen_at GLOB '????-??-??T??:??:??.??????Z'),
    created_at          TEXT NOT NULL CHECK (created_at GLOB '????-??-??T??:??:??.??????Z'),
    updated_at          TEXT NOT NULL CHECK (updated_at GLOB '????-??-??T??:??:??.??????Z')
) STRICT;
CREATE INDEX user_devices_user_idx ON user_devices (user_id, is_active);

-- notifications: the in-app inbox. Always written, whether or not a push was
-- sent. reference_type / reference_id point at the related object (e.g.
-- 'event_request' / its id); sender is optional (system messages have none).
CREATE TABLE notifications (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid           TEXT NOT NULL UNIQUE CHECK (uuid GLOB '????????-????-????-????-????????????' AND uuid NOT GLOB '*[^0-9a-f-]*'),
    recipient_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    sender_id      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    type           TEXT NOT NULL CHECK (type IN ('event_request', 'event_invite', 'event_update', 'event_cancelled', 'event_live', 'payment_success', 'payment_failed', 'booking_success', 'request_approved', 'new_join_request', 'ticket_confirmed', 'event_started', 'payout_reminder', 'reminder', 'system', 'promotional')),
    title          TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    message        TEXT NOT NULL DEFAULT '',
    reference_type TEXT NOT NULL DEFAULT '' CHECK (length(reference_type) <= 50),
    reference_id   INTEGER,
    is_read        INTEGER NOT NULL DEFAULT 0 CHECK (is_read IN (0, 1)),
    read_at        TEXT CHECK (read_at GLOB '????-??-??T??:??:??.??????Z'),
    metadata       TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata) AND json_type(metadata) = 'object'),
    created_at     TEXT NOT NULL CHECK (created_at GLOB '????-??-??T??:??:??.??????Z'),
    updated_at     TEXT NOT NULL CHECK (updated_at GLOB '????-??-??T??:??:??.??????Z')
) STRICT;
CREATE INDEX notifications_recipient_idx ON notifications (recipient_id, is_read, created_at);
CREATE INDEX notifications_sender_idx ON notifications (sender_id);
CREATE INDEX notifications_created_at_idx ON notifications (created_at);
