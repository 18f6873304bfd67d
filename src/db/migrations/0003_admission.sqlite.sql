-- 0003_admission (SQLite 3.40)
--
-- The admission paths and their common end: join requests (the host accepts),
-- invitations (the guest accepts), the attendee row (one per person and
-- event: the seat holder), and capacity reservations (seats held while a
-- payment is open). Event Hub bookings will add a third path ending in the
-- same event_attendees row.
--
-- Capacity invariant (SPEC): confirmed seats + live reservations never exceed
-- a non-zero events.max_capacity. The application checks it after locking the
-- event row (SELECT ... FOR UPDATE on PostgreSQL; BEGIN IMMEDIATE serialises
-- writers on SQLite) and events.going_count <= max_capacity is a CHECK.
-- Money and ticket history is never cascaded away: ON DELETE RESTRICT.

-- event_requests: "may I join?" from a user to an event's host. History is
-- kept (declined / cancelled / expired rows stay), but a user has at most ONE
-- pending request per event, enforced by a partial unique index so that two
-- concurrent POSTs cannot both succeed.
CREATE TABLE event_requests (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid            TEXT NOT NULL UNIQUE CHECK (uuid GLOB '????????-????-????-????-????????????' AND uuid NOT GLOB '*[^0-9a-f-]*'),
    event_id        INTEGER NOT NULL REFERENCES events (id) ON DELETE RESTRICT,
    requester_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'declined', 'cancelled', 'expired')),
    message         TEXT NOT NULL DEFAULT '' CHECK (length(message) <= 2000),
    host_message    TEXT NOT NULL DEFAULT '' CHECK (length(host_message) <= 500),
    seats_requested INTEGER NOT NULL DEFAULT 1 CHECK (seats_requested >= 1),
    responded_at    TEXT CHECK (responded_at GLOB '????-??-??T??:??:??.??????Z'),
    created_at      TEXT NOT NULL CHECK (created_at GLOB '????-??-??T??:??:??.??????Z'),
    updated_at      TEXT NOT NULL CHECK (updated_at GLOB '????-??-??T??:??:??.??????Z')
) STRICT;
CREATE UNIQUE INDEX event_requests_one_pending_key ON event_requests (event_id, requester_id) WHERE status = 'pending';
CREATE INDEX event_requests_event_idx ON event_requests (event_id, status, created_at);
CREATE INDEX event_requests_requester_idx ON event_requests (requester_id, created_at);

-- event_invites: an invitation from the host to one user; one per (event,
-- user) whatever its status. expires_at is optional; a pending invite past
-- it is marked 'expired'.
CREATE TABLE event_invites (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid            TEXT NOT NULL UNIQUE CHECK (uuid GLOB '????????-????-????-????-????????????' AND uuid NOT GLOB '*[^0-9a-f-]*'),
    event_id        INTEGER NOT NULL REFERENCES events (id) ON DELETE RESTRICT,
    host_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    invited_user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'declined', 'expired')),
    invite_type     TEXT NOT NULL DEFAULT 'direct' CHECK (invite_type IN ('direct', 'share_link')),
    message         TEXT NOT NULL DEFAULT '' CHECK (length(message) <= 500),
    expires_at      TEXT CHECK (expires_at GLOB '????-??-??T??:??:??.??????Z'),
    responded_at    TEXT CHECK (responded_at GLOB '????-??-??T??:??:??.??????Z'),
    created_at      TEXT NOT NULL CHECK (created_at GLOB '????-??-??T??:??:??.??????Z'),
    updated_at      TEXT NOT NULL CHECK (updated_at GLOB '????-??-??T??:??:??.??????Z'),
    UNIQUE (event_id, invited_user_id)
) STRICT;
CREATE INDEX event_invites_invited_user_idx ON event_invites (invited_user_id, created_at);
CREATE INDEX event_invites_host_idx ON event_invites (host_id);
CREATE INDEX event_invites_event_status_idx ON event_invites (event_id, status, created_at);
CREATE INDEX event_invites_pending_expiry_idx ON event_invites (expires_at) WHERE status = 'pending' AND expires_at IS NOT NULL;

-- event_attendees: the seat holder, one row per (event, user) whichever path
-- admitted them (request_id / invite_id record the path; payment_order_id is
-- added by 0005_payments). Money is in minor units of `currency`.
CREATE TABLE event_attendees (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid               TEXT NOT NULL UNIQUE CHECK (uuid GLOB '????????-????-????-????-????????????' AND uuid NOT GLOB '*[^0-9a-f-]*'),
    event_id           INTEGER NOT NULL REFERENCES events (id) ON DELETE RESTRICT,
    user_id            INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    request_id         INTEGER REFERENCES event_requests (id) ON DELETE SET NULL,
    invite_id          INTEGER REFERENCES event_invites (id) ON DELETE SET NULL,
    ticket_type        TEXT NOT NULL DEFAULT 'general' CHECK (ticket_type IN ('standard', 'vip', 'early_bird', 'premium', 'general', 'group', 'couple', 'family', 'student', 'senior_citizen', 'disabled', 'other')),
    seats              INTEGER NOT NULL DEFAULT 1 CHECK (seats >= 1),
    is_paid            INTEGER NOT NULL DEFAULT 0 CHECK (is_paid IN (0, 1)),
    price_paid_minor   INTEGER NOT NULL DEFAULT 0 CHECK (price_paid_minor >= 0),
    platform_fee_minor INTEGER NOT NULL DEFAULT 0 CHECK (platform_fee_minor >= 0),
    currency           TEXT NOT NULL DEFAULT 'INR' CHECK (currency IN ('INR', 'USD', 'EUR', 'GBP')),
    status             TEXT NOT NULL DEFAULT 'going' CHECK (status IN ('going', 'not_going', 'maybe', 'checked_in', 'cancelled')),
    checked_in_at      TEXT CHECK (checked_in_at GLOB '????-??-??T??:??:??.??????Z'),
    created_at         TEXT NOT NULL CHECK (created_at GLOB '????-??-??T??:??:??.??????Z'),
    updated_at         TEXT NOT NULL CHECK (updated_at GLOB '????-??-??T??:??:??.??????Z'),
    UNIQUE (event_id, user_id),
    CHECK (status <> 'checked_in' OR checked_in_at IS NOT NULL)
) STRICT;
CREATE INDEX event_attendees_event_status_idx ON event_attendees (event_id, status);
CREATE INDEX event_attendees_user_idx ON event_attendees (user_id, created_at);
CREATE INDEX event_attendees_request_idx ON event_attendees (request_id);
CREATE INDEX event_attendees_invite_idx ON event_attendees (invite_id);

-- capacity_reservations: seats held for a buyer while a payment order is
-- open. A reservation is live while consumed is false and expires_at is in
-- the future; confirmed payment consumes it (the seats move to the attendee).
-- reservation_key is the reservation's public id (a uuid).
CREATE TABLE capacity_reservations (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    reservation_key TEXT NOT NULL UNIQUE CHECK (reservation_key GLOB '????????-????-????-????-????????????' AND reservation_key NOT GLOB '*[^0-9a-f-]*'),
    event_id        INTEGER NOT NULL REFERENCES events (id) ON DELETE RESTRICT,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    request_id      INTEGER REFERENCES event_requests (id) ON DELETE SET NULL,
    seats_reserved  INTEGER NOT NULL CHECK (seats_reserved >= 1),
    consumed        INTEGER NOT NULL DEFAULT 0 CHECK (consumed IN (0, 1)),
    consumed_at     TEXT CHECK (consumed_at GLOB '????-??-??T??:??:??.??????Z'),
    expires_at      TEXT NOT NULL CHECK (expires_at GLOB '????-??-??T??:??:??.??????Z'),
    created_at      TEXT NOT NULL CHECK (created_at GLOB '????-??-??T??:??:??.??????Z'),
    updated_at      TEXT NOT NULL CHECK (updated_at GLOB '????-??-??T??:??:??.??????Z'),
    CHECK (consumed = (consumed_at IS NOT NULL))
) STRICT;
-- live reservations per event: SUM(seats_reserved) WHERE event_id = $1 AND
-- consumed = false AND expires_at > $now
CREATE INDEX capacity_reservations_live_idx ON capacity_reservations (event_id, expires_at) WHERE consumed = false;
CREATE INDEX capacity_reservations_event_user_idx ON capacity_reservations (event_id, user_id);
CREATE INDEX capacity_reservations_user_idx ON capacity_reservations (user_id);
CREATE INDEX capacity_reservations_request_idx ON capacity_reservations (request_id);
