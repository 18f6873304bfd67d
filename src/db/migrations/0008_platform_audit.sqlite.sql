-- 0008_platform_audit (SQLite 3.40)
--
-- Platform-wide configuration and the audit trail: the platform fee
-- singleton (seeded at 10.00%), the append-only audit log and its daily
-- per-user, per-action summary.

-- platform_fee_config: exactly one row (id = 1). The fee is added on top of
-- the host's base fare, in basis points (10.00% = 1000; 0..100.00%). Changed
-- only by superusers; updated_by_id records who.
CREATE TABLE platform_fee_config (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    fee_basis_points INTEGER NOT NULL CHECK (fee_basis_points BETWEEN 0 AND 10000),
    is_active        INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    description      TEXT NOT NULL DEFAULT '',
    updated_by_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at       TEXT NOT NULL CHECK (created_at GLOB '????-??-??T??:??:??.??????Z'),
    updated_at       TEXT NOT NULL CHECK (updated_at GLOB '????-??-??T??:??:??.??????Z')
) STRICT;
CREATE INDEX platform_fee_config_updated_by_idx ON platform_fee_config (updated_by_id);
-- The default row. Its timestamps are the migration's own time (the one
-- place where the database clock is used: no application clock exists yet).
INSERT INTO platform_fee_config (id, fee_basis_points, is_active, description, created_at, updated_at)
VALUES (1, 1000, 1, 'Default platform fee (10.00%)',
        strftime('%Y-%m-%dT%H:%M:%S', 'now') || '.000000Z', strftime('%Y-%m-%dT%H:%M:%S', 'now') || '.000000Z');

-- audit_log: who did what to which object, with the change payload, client
-- ip / user agent, severity and outcome. Append-only: the triggers below make
-- every UPDATE and DELETE fail, so the product can only add rows.
-- action is an open set of snake_case verbs (create, update, delete, login,
-- logout, password_change, profile_update, fee_change, payout_approve, ...).
-- actor_user_id is NULL for anonymous actions (e.g. a failed login).
CREATE TABLE audit_log (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid          TEXT NOT NULL UNIQUE CHECK (uuid GLOB '????????-????-????-????-????????????' AND uuid NOT GLOB '*[^0-9a-f-]*'),
    actor_user_id INTEGER REFERENCES users (id) ON DELETE RESTRICT,
    action        TEXT NOT NULL CHECK (length(action) <= 64 AND action GLOB '[a-z]*' AND action NOT GLOB '*[^a-z0-9_.]*'),
    object_type   TEXT NOT NULL DEFAULT '' CHECK (length(object_type) <= 64),
    object_id     INTEGER,
    object_uuid   TEXT CHECK (object_uuid GLOB '????????-????-????-????-????????????' AND object_uuid NOT GLOB '*[^0-9a-f-]*'),
    payload       TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(payload)),
    ip_address    TEXT NOT NULL DEFAULT '' CHECK (length(ip_address) <= 45),
    user_agent    TEXT NOT NULL DEFAULT '' CHECK (length(user_agent) <= 1024),
    request_id    TEXT NOT NULL DEFAULT '' CHECK (length(request_id) <= 64),
    severity      TEXT NOT NULL DEFAULT 'low' CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    is_successful INTEGER NOT NULL DEFAULT 1 CHECK (is_successful IN (0, 1)),
    error_message TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL CHECK (created_at GLOB '????-??-??T??:??:??.??????Z')
) STRICT;
CREATE INDEX audit_log_created_at_idx ON audit_log (created_at);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_user_id, created_at);
CREATE INDEX audit_log_object_idx ON audit_log (object_type, object_id);
CREATE INDEX audit_log_action_idx ON audit_log (action, created_at);
CREATE INDEX audit_log_severity_idx ON audit_log (severity, created_at);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only (UPDATE refused)');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only (DELETE refused)');
END;

-- audit_log_summary: daily aggregate per (date, user, action), filled by a
-- job; user_id is NULL for anonymous actions. One row per key: the unique
-- index maps NULL to 0 (no user has id 0), because NULLs never collide in a
-- plain UNIQUE. Upsert with ON CONFLICT (date, (COALESCE(user_id, 0)), action).
CREATE TABLE audit_log_summary (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    date             TEXT NOT NULL CHECK (date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]' AND date(date, '+0 days') IS date),
    user_id          INTEGER REFERENCES users (id) ON DELETE CASCADE,
    action           TEXT NOT NULL CHECK (length(action) <= 64 AND action GLOB '[a-z]*' AND action NOT GLOB '*[^a-z0-9_.]*'),
    count            INTEGER NOT NULL DEFAULT 0 CHECK (count >= 0),
    successful_count INTEGER NOT NULL DEFAULT 0 CHECK (successful_count >= 0),
    failed_count     INTEGER NOT NULL DEFAULT 0 CHECK (failed_count >= 0),
    created_at       TEXT NOT NULL CHECK (created_at GLOB '????-??-??T??:??:??.??????Z'),
    updated_at       TEXT NOT NULL CHECK (updated_at GLOB '????-??-??T??:??:??.??????Z'),
    CHECK (successful_count + failed_count = count)
) STRICT;
CREATE UNIQUE INDEX audit_log_summary_key ON audit_log_summary (date, (COALESCE(user_id, 0)), action);
CREATE INDEX audit_log_summary_user_idx ON audit_log_summary (user_id);
