-- 0024_sqlite_invalidation_log (SQLite)
--
-- The invalidation bus on SQLite. PostgreSQL publishes with NOTIFY (0021,
-- 0022); SQLite has no NOTIFY, so the same changes append the same payloads
-- to cache_invalidations inside the writer's transaction, and every process
-- reads what was appended since its last look (src/db/db_notify_sqlite.c,
-- every 100 ms). Like NOTIFY, a rolled-back change appends nothing, and any
-- writer is covered: the API, the CLI, sqlite3. AUTOINCREMENT keeps seq
-- rising even after the readers purge old rows (created_at, unix seconds).
--   user:<id>       the account's flags, phone or password, or its promotion time
--   jti:<jti>       a token was revoked
--   listing:<name>  the listing's version moved

CREATE TABLE cache_invalidations (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    payload TEXT NOT NULL,
    created_at INTEGER NOT NULL DEFAULT (CAST(strftime('%s', 'now') AS INTEGER))
);
CREATE INDEX cache_invalidations_created ON cache_invalidations (created_at);

-- users: what the guard reads, and the password (not last_login).
CREATE TRIGGER users_auth_invalidate_update AFTER UPDATE ON users FOR EACH ROW
    WHEN OLD.is_active IS NOT NEW.is_active
      OR OLD.is_staff IS NOT NEW.is_staff
      OR OLD.is_superuser IS NOT NEW.is_superuser
      OR OLD.phone IS NOT NEW.phone
      OR OLD.uuid IS NOT NEW.uuid
      OR OLD.password_hash IS NOT NEW.password_hash
      OR OLD.id IS NOT NEW.id
BEGIN
    INSERT INTO cache_invalidations (payload) VALUES ('user:' || OLD.id);
    INSERT INTO cache_invalidations (payload) SELECT 'user:' || NEW.id WHERE NEW.id IS NOT OLD.id;
END;
CREATE TRIGGER users_auth_invalidate_delete AFTER DELETE ON users FOR EACH ROW
BEGIN
    INSERT INTO cache_invalidations (payload) VALUES ('user:' || OLD.id);
END;

-- user_profiles: the waitlist promotion time.
CREATE TRIGGER user_profiles_auth_invalidate_insert AFTER INSERT ON user_profiles FOR EACH ROW
    WHEN NEW.waitlist_promote_at IS NOT NULL
BEGIN
    INSERT INTO cache_invalidations (payload) VALUES ('user:' || NEW.user_id);
END;
CREATE TRIGGER user_profiles_auth_invalidate_update AFTER UPDATE ON user_profiles FOR EACH ROW
    WHEN OLD.waitlist_promote_at IS NOT NEW.waitlist_promote_at
      OR OLD.user_id IS NOT NEW.user_id
BEGIN
    INSERT INTO cache_invalidations (payload) VALUES ('user:' || OLD.user_id);
    INSERT INTO cache_invalidations (payload)
        SELECT 'user:' || NEW.user_id WHERE NEW.user_id IS NOT OLD.user_id;
END;
CREATE TRIGGER user_profiles_auth_invalidate_delete AFTER DELETE ON user_profiles FOR EACH ROW
    WHEN OLD.waitlist_promote_at IS NOT NULL
BEGIN
    INSERT INTO cache_invalidations (payload) VALUES ('user:' || OLD.user_id);
END;

-- revoked_tokens: a new revocation (only "not revoked" is cached).
CREATE TRIGGER revoked_tokens_auth_invalidate_insert AFTER INSERT ON revoked_tokens FOR EACH ROW
BEGIN
    INSERT INTO cache_invalidations (payload) VALUES ('jti:' || NEW.jti);
END;
CREATE TRIGGER revoked_tokens_auth_invalidate_update AFTER UPDATE OF jti ON revoked_tokens
    FOR EACH ROW
BEGIN
    INSERT INTO cache_invalidations (payload) VALUES ('jti:' || NEW.jti);
END;

-- listing_versions: a bump (0011's triggers).
CREATE TRIGGER listing_versions_invalidate AFTER UPDATE ON listing_versions FOR EACH ROW
BEGIN
    INSERT INTO cache_invalidations (payload) VALUES ('listing:' || NEW.name);
END;
