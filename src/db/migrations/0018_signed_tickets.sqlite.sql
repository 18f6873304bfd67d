-- 0018_signed_tickets (SQLite; see the PostgreSQL twin)

DROP TABLE ticket_secrets;

CREATE TABLE event_ticket_keys (
    event_id   INTEGER PRIMARY KEY REFERENCES events (id) ON DELETE RESTRICT,
    public_key TEXT NOT NULL CHECK (length(public_key) = 43 AND public_key NOT GLOB '*[^A-Za-z0-9_-]*'),
    sealed_key TEXT NOT NULL CHECK (length(sealed_key) BETWEEN 40 AND 400),
    created_at TEXT NOT NULL CHECK (created_at GLOB '????-??-??T??:??:??.??????Z')
) STRICT;

ALTER TABLE attendance_records ADD COLUMN code_seed TEXT
    CHECK (length(code_seed) = 32 AND code_seed NOT GLOB '*[^0-9a-f]*');
ALTER TABLE attendance_records ADD COLUMN code_hash TEXT
    CHECK (length(code_hash) = 64 AND code_hash NOT GLOB '*[^0-9a-f]*');
CREATE TRIGGER attendance_records_code_pair_ins BEFORE INSERT ON attendance_records
    WHEN (NEW.code_seed IS NULL) <> (NEW.code_hash IS NULL)
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: attendance_records_code_pair');
END;
CREATE TRIGGER attendance_records_code_pair_upd BEFORE UPDATE OF code_seed, code_hash ON attendance_records
    WHEN (NEW.code_seed IS NULL) <> (NEW.code_hash IS NULL)
BEGIN
    SELECT RAISE(ABORT, 'CHECK constraint failed: attendance_records_code_pair');
END;
CREATE UNIQUE INDEX attendance_records_code_hash_key ON attendance_records (code_hash);
CREATE INDEX attendance_records_event_updated_idx ON attendance_records (event_id, updated_at);

CREATE TABLE ticket_revocations (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id             INTEGER NOT NULL REFERENCES events (id) ON DELETE RESTRICT,
    attendance_record_id INTEGER NOT NULL REFERENCES attendance_records (id) ON DELETE RESTRICT,
    code_hash            TEXT NOT NULL UNIQUE CHECK (length(code_hash) = 64 AND code_hash NOT GLOB '*[^0-9a-f]*'),
    reason               TEXT NOT NULL CHECK (reason IN ('cancelled', 'replaced', 'refunded', 'revoked')),
    revoked_at           TEXT NOT NULL CHECK (revoked_at GLOB '????-??-??T??:??:??.??????Z')
) STRICT;
CREATE INDEX ticket_revocations_event_idx ON ticket_revocations (event_id, revoked_at);
CREATE INDEX ticket_revocations_record_idx ON ticket_revocations (attendance_record_id);

CREATE TABLE event_invite_links (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid          TEXT NOT NULL UNIQUE CHECK (uuid GLOB '????????-????-????-????-????????????' AND uuid NOT GLOB '*[^0-9a-f-]*'),
    event_id      INTEGER NOT NULL REFERENCES events (id) ON DELETE RESTRICT,
    created_by_id INTEGER NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    token_hash    TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64 AND token_hash NOT GLOB '*[^0-9a-f]*'),
    max_uses      INTEGER NOT NULL DEFAULT 1 CHECK (max_uses BETWEEN 1 AND 1000),
    uses          INTEGER NOT NULL DEFAULT 0 CHECK (uses >= 0),
    message       TEXT NOT NULL DEFAULT '' CHECK (length(message) <= 500),
    expires_at    TEXT CHECK (expires_at GLOB '????-??-??T??:??:??.??????Z'),
    revoked_at    TEXT CHECK (revoked_at GLOB '????-??-??T??:??:??.??????Z'),
    created_at    TEXT NOT NULL CHECK (created_at GLOB '????-??-??T??:??:??.??????Z'),
    updated_at    TEXT NOT NULL CHECK (updated_at GLOB '????-??-??T??:??:??.??????Z'),
    CONSTRAINT event_invite_links_uses CHECK (uses <= max_uses)
) STRICT;
CREATE INDEX event_invite_links_event_idx ON event_invite_links (event_id, created_at);
CREATE INDEX event_invite_links_created_by_idx ON event_invite_links (created_by_id);

ALTER TABLE event_invites ADD COLUMN link_id INTEGER REFERENCES event_invite_links (id) ON DELETE RESTRICT;
ALTER TABLE event_invites ADD COLUMN expiry_policy TEXT NOT NULL DEFAULT '' CHECK (length(expiry_policy) <= 20);
CREATE INDEX event_invites_link_idx ON event_invites (link_id);

-- Notification types for the invitation answers and cancelled attendance
-- (the documented schema edit, as in 0016).
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(sql, '''system'', ''promotional'')',
                  '''system'', ''promotional'', ''invite_accepted'', ''invite_declined'', ''attendance_cancelled'')')
WHERE type = 'table' AND name = 'notifications';
PRAGMA schema_version = @SCHEMA_VERSION_NEXT;
PRAGMA writable_schema = OFF;
