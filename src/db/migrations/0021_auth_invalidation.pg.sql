-- 0021_auth_invalidation (PostgreSQL 15)
--
-- Every process keeps the guard's view of accounts and tokens in memory
-- (src/auth/auth_cache.c) and must hear of every change to it, whoever makes
-- it: the API, the CLI, staff in psql. These triggers publish on the
-- channel loopin_invalidate, which each `loopin serve` LISTENs to
-- (src/db/db_notify.c). NOTIFY is delivered at commit and never for a
-- rolled-back change; identical payloads in one transaction arrive once.
--   user:<id>   the account's flags, phone or password, or its promotion time
--   jti:<jti>   a token was revoked
--   all         a table the cache reads was truncated

CREATE FUNCTION auth_notify_user() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM pg_notify('loopin_invalidate', 'user:' || OLD.id);
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.id <> OLD.id THEN
        PERFORM pg_notify('loopin_invalidate', 'user:' || NEW.id);
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION auth_notify_profile() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM pg_notify('loopin_invalidate', 'user:' || OLD.user_id);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM pg_notify('loopin_invalidate', 'user:' || NEW.user_id);
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION auth_notify_revoked() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('loopin_invalidate', 'jti:' || NEW.jti);
    RETURN NULL;
END $$;

CREATE FUNCTION auth_notify_all() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('loopin_invalidate', 'all');
    RETURN NULL;
END $$;

-- A new account is never cached (the guard caches only accounts it found),
-- and users.last_login changes at every login: only what the guard reads,
-- and the password, publish.
CREATE TRIGGER users_auth_notify_update AFTER UPDATE ON users FOR EACH ROW
    WHEN (OLD.is_active IS DISTINCT FROM NEW.is_active
          OR OLD.is_staff IS DISTINCT FROM NEW.is_staff
          OR OLD.is_superuser IS DISTINCT FROM NEW.is_superuser
          OR OLD.phone IS DISTINCT FROM NEW.phone
          OR OLD.uuid IS DISTINCT FROM NEW.uuid
          OR OLD.password_hash IS DISTINCT FROM NEW.password_hash
          OR OLD.id IS DISTINCT FROM NEW.id)
    EXECUTE FUNCTION auth_notify_user();
CREATE TRIGGER users_auth_notify_delete AFTER DELETE ON users FOR EACH ROW
    EXECUTE FUNCTION auth_notify_user();
CREATE TRIGGER users_auth_notify_truncate AFTER TRUNCATE ON users FOR EACH STATEMENT
    EXECUTE FUNCTION auth_notify_all();

-- The guard reads one column of the profile: the waitlist promotion time.
CREATE TRIGGER user_profiles_auth_notify_insert AFTER INSERT ON user_profiles FOR EACH ROW
    WHEN (NEW.waitlist_promote_at IS NOT NULL)
    EXECUTE FUNCTION auth_notify_profile();
CREATE TRIGGER user_profiles_auth_notify_update AFTER UPDATE ON user_profiles FOR EACH ROW
    WHEN (OLD.waitlist_promote_at IS DISTINCT FROM NEW.waitlist_promote_at
          OR OLD.user_id IS DISTINCT FROM NEW.user_id)
    EXECUTE FUNCTION auth_notify_profile();
CREATE TRIGGER user_profiles_auth_notify_delete AFTER DELETE ON user_profiles FOR EACH ROW
    WHEN (OLD.waitlist_promote_at IS NOT NULL)
    EXECUTE FUNCTION auth_notify_profile();
CREATE TRIGGER user_profiles_auth_notify_truncate AFTER TRUNCATE ON user_profiles
    FOR EACH STATEMENT EXECUTE FUNCTION auth_notify_all();

-- Only "not revoked" is cached, so deleting a revocation (the purge of
-- expired ones) needs no message; a new one, or a changed jti, does.
CREATE TRIGGER revoked_tokens_auth_notify_insert AFTER INSERT ON revoked_tokens FOR EACH ROW
    EXECUTE FUNCTION auth_notify_revoked();
CREATE TRIGGER revoked_tokens_auth_notify_update AFTER UPDATE OF jti ON revoked_tokens FOR EACH ROW
    EXECUTE FUNCTION auth_notify_revoked();
