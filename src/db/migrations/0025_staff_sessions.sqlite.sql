-- 0025_staff_sessions (SQLite; see the PostgreSQL twin)

CREATE TABLE staff_sessions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    secret_hash  TEXT NOT NULL UNIQUE CHECK (length(secret_hash) = 64 AND secret_hash NOT GLOB '*[^0-9a-f]*'),
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    ip_address   TEXT NOT NULL DEFAULT '' CHECK (length(ip_address) <= 45),
    user_agent   TEXT NOT NULL DEFAULT '' CHECK (length(user_agent) <= 1024),
    created_at   TEXT NOT NULL CHECK (created_at GLOB '????-??-??T??:??:??.??????Z'),
    last_seen_at TEXT NOT NULL CHECK (last_seen_at GLOB '????-??-??T??:??:??.??????Z'),
    idle_until   TEXT NOT NULL CHECK (idle_until GLOB '????-??-??T??:??:??.??????Z'),
    expires_at   TEXT NOT NULL CHECK (expires_at GLOB '????-??-??T??:??:??.??????Z'),
    revoked_at   TEXT CHECK (revoked_at GLOB '????-??-??T??:??:??.??????Z'),
    CHECK (idle_until <= expires_at AND created_at <= expires_at)
) STRICT;
CREATE INDEX staff_sessions_user_idx ON staff_sessions (user_id, revoked_at);
CREATE INDEX staff_sessions_expires_idx ON staff_sessions (expires_at);
