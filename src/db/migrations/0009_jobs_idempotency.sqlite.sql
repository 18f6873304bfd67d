-- 0009_jobs_idempotency (SQLite 3.40)
--
-- Infrastructure shared by every server process: the background job queue
-- (expiring orders and reservations, marking invites expired, purging old
-- notifications and tokens, daily audit summaries, push delivery, ...) and
-- the stored responses of requests sent with an Idempotency-Key header.

-- jobs: a durable queue polled by every process. A worker claims a due job
-- (status 'pending', run_at <= now; SKIP LOCKED on PostgreSQL) by setting
-- status 'running', locked_by and locked_until; a 'running' job whose lease
-- (locked_until) has passed may be reclaimed. Failures retry until
-- max_attempts, then the job is 'dead'. dedupe_key lets periodic or
-- per-object jobs be scheduled once across processes: at most one pending or
-- running job per (kind, dedupe_key).
CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 100),
    payload      TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(payload) AND json_type(payload) = 'object'),
    status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed', 'dead')),
    attempts     INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts INTEGER NOT NULL DEFAULT 5 CHECK (max_attempts >= 1),
    run_at       TEXT NOT NULL CHECK (run_at GLOB '????-??-??T??:??:??.??????Z'),
    locked_until TEXT CHECK (locked_until GLOB '????-??-??T??:??:??.??????Z'),
    locked_by    TEXT CHECK (length(locked_by) BETWEEN 1 AND 200),
    last_error   TEXT NOT NULL DEFAULT '',
    dedupe_key   TEXT CHECK (length(dedupe_key) BETWEEN 1 AND 200),
    finished_at  TEXT CHECK (finished_at GLOB '????-??-??T??:??:??.??????Z'),
    created_at   TEXT NOT NULL CHECK (created_at GLOB '????-??-??T??:??:??.??????Z'),
    updated_at   TEXT NOT NULL CHECK (updated_at GLOB '????-??-??T??:??:??.??????Z'),
    CHECK (attempts <= max_attempts),
    CHECK (status <> 'running' OR (locked_by IS NOT NULL AND locked_until IS NOT NULL))
) STRICT;
CREATE INDEX jobs_due_idx ON jobs (status, run_at);
CREATE INDEX jobs_lease_idx ON jobs (locked_until) WHERE status = 'running';
CREATE UNIQUE INDEX jobs_dedupe_key ON jobs (kind, dedupe_key) WHERE status IN ('pending', 'running') AND dedupe_key IS NOT NULL;

-- idempotency_keys: the first response to a (user, Idempotency-Key) request,
-- replayed for retries of the same request; request_hash (hex digest of
-- method, path and body) detects the same key reused for a different
-- request. response_status is NULL while the first request is still being
-- processed. Rows are purged after expires_at.
CREATE TABLE idempotency_keys (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    key             TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    method          TEXT NOT NULL CHECK (method IN ('POST', 'PUT', 'PATCH', 'DELETE')),
    path            TEXT NOT NULL CHECK (length(path) BETWEEN 1 AND 2048),
    request_hash    TEXT NOT NULL CHECK (length(request_hash) BETWEEN 32 AND 128 AND request_hash NOT GLOB '*[^0-9a-f]*'),
    response_status INTEGER CHECK (response_status BETWEEN 100 AND 599),
    response_body   TEXT,
    created_at      TEXT NOT NULL CHECK (created_at GLOB '????-??-??T??:??:??.??????Z'),
    expires_at      TEXT NOT NULL CHECK (expires_at GLOB '????-??-??T??:??:??.??????Z'),
    UNIQUE (user_id, key)
) STRICT;
CREATE INDEX idempotency_keys_expires_at_idx ON idempotency_keys (expires_at);
