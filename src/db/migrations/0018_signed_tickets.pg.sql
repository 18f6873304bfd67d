-- 0018_signed_tickets (PostgreSQL 15)
--
-- Signed ticket codes (issue 9; docs/tickets.md). A ticket code is an
-- Ed25519-signed payload (version, ticket id, event id, random seed) under a
-- per-event key pair. The database keeps the public key, the private key
-- sealed with a key derived from LOOPIN_SECRET_KEY, and per ticket only the
-- seed and the SHA-256 of the current code: a dump can neither forge nor
-- reprint a ticket. A cancelled or replaced code goes on the revocation list.
-- ticket_secrets (salted hashes of random secrets) never held a row and goes.
-- Invitations gain share links (a token anyone holding it can accept, up to
-- max_uses times) and the app's expiry_policy label.

DROP TABLE ticket_secrets;

CREATE TABLE event_ticket_keys (
    event_id   BIGINT PRIMARY KEY REFERENCES events (id) ON DELETE RESTRICT,
    public_key TEXT NOT NULL CHECK (public_key ~ '^[A-Za-z0-9_-]{43}$'),
    sealed_key TEXT NOT NULL CHECK (length(sealed_key) BETWEEN 40 AND 400),
    created_at TIMESTAMPTZ NOT NULL
);

ALTER TABLE attendance_records ADD COLUMN code_seed TEXT CHECK (code_seed ~ '^[0-9a-f]{32}$');
ALTER TABLE attendance_records ADD COLUMN code_hash TEXT CHECK (code_hash ~ '^[0-9a-f]{64}$');
ALTER TABLE attendance_records ADD CONSTRAINT attendance_records_code_pair
    CHECK ((code_seed IS NULL) = (code_hash IS NULL));
CREATE UNIQUE INDEX attendance_records_code_hash_key ON attendance_records (code_hash);
CREATE INDEX attendance_records_event_updated_idx ON attendance_records (event_id, updated_at);

CREATE TABLE ticket_revocations (
    id                   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id             BIGINT NOT NULL REFERENCES events (id) ON DELETE RESTRICT,
    attendance_record_id BIGINT NOT NULL REFERENCES attendance_records (id) ON DELETE RESTRICT,
    code_hash            TEXT NOT NULL UNIQUE CHECK (code_hash ~ '^[0-9a-f]{64}$'),
    reason               TEXT NOT NULL CHECK (reason IN ('cancelled', 'replaced', 'refunded', 'revoked')),
    revoked_at           TIMESTAMPTZ NOT NULL
);
CREATE INDEX ticket_revocations_event_idx ON ticket_revocations (event_id, revoked_at);
CREATE INDEX ticket_revocations_record_idx ON ticket_revocations (attendance_record_id);

CREATE TABLE event_invite_links (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid          UUID NOT NULL UNIQUE,
    event_id      BIGINT NOT NULL REFERENCES events (id) ON DELETE RESTRICT,
    created_by_id BIGINT NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    token_hash    TEXT NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    max_uses      INTEGER NOT NULL DEFAULT 1 CHECK (max_uses BETWEEN 1 AND 1000),
    uses          INTEGER NOT NULL DEFAULT 0 CHECK (uses >= 0),
    message       TEXT NOT NULL DEFAULT '' CHECK (length(message) <= 500),
    expires_at    TIMESTAMPTZ,
    revoked_at    TIMESTAMPTZ,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    CONSTRAINT event_invite_links_uses CHECK (uses <= max_uses)
);
CREATE INDEX event_invite_links_event_idx ON event_invite_links (event_id, created_at);
CREATE INDEX event_invite_links_created_by_idx ON event_invite_links (created_by_id);

ALTER TABLE event_invites ADD COLUMN link_id BIGINT REFERENCES event_invite_links (id) ON DELETE RESTRICT;
ALTER TABLE event_invites ADD COLUMN expiry_policy TEXT NOT NULL DEFAULT '' CHECK (length(expiry_policy) <= 20);
CREATE INDEX event_invites_link_idx ON event_invites (link_id);

-- Notification types for the invitation answers and cancelled attendance.
ALTER TABLE notifications DROP CONSTRAINT notifications_type_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_type_check CHECK (type IN ('event_request', 'event_invite', 'event_update', 'event_cancelled', 'event_live', 'payment_success', 'payment_failed', 'booking_success', 'request_approved', 'new_join_request', 'ticket_confirmed', 'event_started', 'payout_reminder', 'reminder', 'system', 'promotional', 'invite_accepted', 'invite_declined', 'attendance_cancelled'));
