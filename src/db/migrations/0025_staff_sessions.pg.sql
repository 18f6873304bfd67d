-- 0025_staff_sessions (PostgreSQL 15)
--
-- Browser sessions of the admin console (src/auth/staff_session.c). The
-- cookie carries a random secret; only its SHA-256 is stored, so a copy of
-- this table signs nobody in. A session ends at expires_at (absolute), after
-- idle_until passes without use, or when revoked (logout, "log out
-- everywhere", the account losing staff). Rows outlive their end for a day
-- (the console's "sessions" page), then the periodic purge removes them.

CREATE TABLE staff_sessions (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    secret_hash  TEXT NOT NULL UNIQUE CHECK (secret_hash ~ '^[0-9a-f]{64}$'),
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    ip_address   TEXT NOT NULL DEFAULT '' CHECK (length(ip_address) <= 45),
    user_agent   TEXT NOT NULL DEFAULT '' CHECK (length(user_agent) <= 1024),
    created_at   TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    idle_until   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    revoked_at   TIMESTAMPTZ,
    CHECK (idle_until <= expires_at AND created_at <= expires_at)
);
CREATE INDEX staff_sessions_user_idx ON staff_sessions (user_id, revoked_at);
CREATE INDEX staff_sessions_expires_idx ON staff_sessions (expires_at);
