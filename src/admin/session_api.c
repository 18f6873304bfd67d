/*
 * session_api.c: signing in to the admin console (issue 12, docs/admin.md).
 *   POST   /api/admin/session   phone + password -> session cookie + CSRF token
 *   GET    /api/admin/session   who is signed in (the console after a reload)
 *   DELETE /api/admin/session   sign out (this session)
 *   DELETE /api/admin/sessions  sign out everywhere (every session of the caller)
 * Failed sign-ins count per phone (locked after STAFF_SIGNIN_MAX_FAILURES in
 * 15 minutes from the first) and per client address; every attempt is
 * audited. A wrong phone, a wrong password, an account without a password and
 * one that is not (or no longer) active staff all get the same answer, after
 * the same argon2id work, so the form says nothing about which accounts exist.
 */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "audit/audit.h"
#include "auth/auth.h"
#include "auth/ratelimit.h"
#include "auth/staff_session.h"
#include "core/clock.h"
#include "core/rand.h"
#include "core/text.h"
#include "http/router.h"
#include "module.h"

#define STAFF_SIGNIN_MAX_FAILURES 5
#define STAFF_SIGNIN_LOCK_S       (15 * 60)
#define STAFF_SIGNIN_IP_MAX       30
#define STAFF_SIGNIN_IP_WINDOW_S  (10 * 60)

/* ---- answers ---------------------------------------------------------------- */

static const char SQL_ME[] =
    "SELECT u.id, u.uuid, u.phone, COALESCE(p.name, ''), u.is_staff, u.is_superuser FROM users u "
    "LEFT JOIN user_profiles p ON p.user_id = u.id WHERE u.id = $1";

static json_t *me_row(op_t *op, db_rows_t *r)
{
    (void)op;
    return json_pack("{s:I, s:s, s:s, s:s, s:b, s:b}", "id", (json_int_t)db_col_int(r, 0), "uuid",
                     db_col_text(r, 1), "phone", db_col_text(r, 2), "name", db_col_text(r, 3),
                     "is_staff", db_col_bool(r, 4), "is_superuser", db_col_bool(r, 5));
}

/* {user, csrf_token, expires_at, idle_until, idle_timeout_seconds, signed_in_with}:
 * a session's when secret is given, else the bearer token's (no CSRF). */
static err_t *reply_session(http_req_t *req, op_t *op, int status, const char *secret,
                            const staff_session_t *s)
{
    json_t *users = NULL;
    err_t *e = op_list(op, SQL_ME, DB_ARGS(db_int(op->actor.id)), me_row, &users);
    if (e)
        return e;
    json_t *out = json_object();
    json_object_set(out, "user", json_array_size(users) ? json_array_get(users, 0) : json_null());
    json_decref(users);
    if (secret) {
        char csrf[STAFF_SECRET_LEN + 1];
        staff_csrf_token(&op->app->keys, secret, csrf);
        json_object_set_new(out, "csrf_token", json_string(csrf));
        json_object_set_new(out, "expires_at", text_json_time(s->expires_at));
        json_object_set_new(out, "idle_until", text_json_time(s->idle_until));
        json_object_set_new(out, "signed_in_with", json_string("session"));
    } else {
        json_object_set_new(out, "csrf_token", json_null());
        json_object_set_new(out, "expires_at", json_null());
        json_object_set_new(out, "idle_until", json_null());
        json_object_set_new(out, "signed_in_with", json_string("token"));
    }
    json_object_set_new(out, "idle_timeout_seconds", json_integer(STAFF_SESSION_IDLE_S));
    http_reply_json(req, status, out);
    return NULL;
}

/* Set-Cookie for secret, or the one that deletes the cookie (secret NULL).
 * Secure everywhere but development (plain http on a laptop). */
static void set_cookie(http_req_t *req, op_t *op, const char *secret)
{
    const char *secure = op->app->cfg.env == ENV_DEVELOPMENT ? "" : "; Secure";
    http_set_header(req, "Set-Cookie",
                    arena_printf(op->arena,
                                 STAFF_COOKIE "=%s; Path=" STAFF_COOKIE_PATH
                                              "; Max-Age=%d; HttpOnly; SameSite=Strict%s",
                                 secret ? secret : "", secret ? STAFF_SESSION_MAX_S : 0, secure));
    http_set_header(req, "Cache-Control", "no-store");
}

/* ---- signing in ------------------------------------------------------------- */

static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

/* A hash to verify against when there is no account or no password, so that
 * case costs what a wrong password costs. */
static void dummy_init(void)
{
    char pw[33];
    rand_hex(pw, 16); /* 16 random bytes as 32 hex digits */
    if (crypto_pwhash_str(dummy_hash, pw, strlen(pw), crypto_pwhash_OPSLIMIT_MODERATE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        dummy_hash[0] = '\0';
}

static err_t *locked(op_t *op, int64_t retry_after)
{
    err_t *e = op_fail(op, 429, "TOO_MANY_ATTEMPTS",
                       "Too many failed sign-ins. Please try again in %lld minutes.",
                       (long long)((retry_after + 59) / 60));
    e->retry_after = (int)(retry_after > 0 ? retry_after : 1);
    return e;
}

static void audit_attempt(op_t *op, int64_t user_id, const char *action, const char *phone,
                          audit_severity_t sev, bool ok, const char *error)
{
    audit_entry_t a = {.actor_id = user_id,
                       .action = action,
                       .object_type = "user",
                       .object_id = user_id,
                       .payload = json_pack("{s:s}", "phone", phone),
                       .severity = sev,
                       .success = ok,
                       .error = error};
    audit_write(op->db, op, &a);
}

/* The per-phone lock and the per-address budget, before any password work. */
static err_t *signin_limits(op_t *op, const char *phone)
{
    int64_t failures = 0, retry = 0, hits = 0;
    int rc = ratelimit_window(op->db, arena_printf(op->arena, "staff_signin:%s", phone),
                              STAFF_SIGNIN_LOCK_S, op->now_us, &failures, &retry);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (failures >= STAFF_SIGNIN_MAX_FAILURES)
        return locked(op, retry);
    rc = ratelimit_hit(op->db, arena_printf(op->arena, "staff_signin_ip:%s", op->client_ip),
                       STAFF_SIGNIN_IP_WINDOW_S, op->now_us, &hits, &retry);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    return hits > STAFF_SIGNIN_IP_MAX ? locked(op, retry) : NULL;
}

static const char SQL_ACCOUNT[] =
    "SELECT id, COALESCE(password_hash, ''), is_active, is_staff, is_superuser FROM users WHERE "
    "phone = $1";

typedef struct {
    int64_t id;
    char hash[crypto_pwhash_STRBYTES];
    bool allowed; /* active staff */
} account_t;

static int load_account(op_t *op, const char *phone, account_t *a)
{
    db_rows_t *rows;
    memset(a, 0, sizeof *a);
    int rc = db_query(op->db, SQL_ACCOUNT, DB_ARGS(db_text(phone)), &rows);
    if (rc != DB_OK)
        return rc;
    if (db_next(rows)) {
        a->id = db_col_int(rows, 0);
        snprintf(a->hash, sizeof a->hash, "%s", db_col_text(rows, 1));
        a->allowed = db_col_bool(rows, 2) && (db_col_bool(rows, 3) || db_col_bool(rows, 4));
    }
    rc = db_rows_status(rows);
    db_rows_free(rows);
    return rc;
}

/* A failure: counted toward the lock, audited, one answer for every cause. */
static err_t *signin_failed(op_t *op, const char *phone, const account_t *a, const char *why)
{
    int64_t failures = 0, retry = 0;
    int rc = ratelimit_since_first(op->db, arena_printf(op->arena, "staff_signin:%s", phone),
                                   STAFF_SIGNIN_LOCK_S, op->now_us, &failures, &retry);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    bool now_locked = failures >= STAFF_SIGNIN_MAX_FAILURES;
    audit_attempt(op, a->id, now_locked ? "admin.signin.locked" : "admin.signin.failed", phone,
                  now_locked ? AUDIT_HIGH : AUDIT_MEDIUM, false, why);
    return op_fail(op, 401, "INVALID_CREDENTIALS", "The phone number or password is not correct.");
}

typedef struct {
    int64_t user_id;
    const char *phone;
    char secret[STAFF_SECRET_LEN + 1];
    staff_session_t s;
} open_ctx_t;

static err_t *open_tx(op_t *op, void *arg)
{
    open_ctx_t *x = arg;
    int rc = staff_session_create(op, x->user_id, x->secret, &x->s);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    audit_attempt(op, x->user_id, "admin.signin", x->phone, AUDIT_MEDIUM, true, NULL);
    return NULL;
}

static err_t *signin(http_req_t *req, op_t *op, const input_t *in)
{
    const char *phone = in_str(in, "phone_number"), *password = in_str(in, "password");
    err_t *e = signin_limits(op, phone);
    if (e)
        return e;
    account_t a;
    int rc = load_account(op, phone, &a);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    pthread_once(&dummy_once, dummy_init);
    const char *hash = a.hash[0] ? a.hash : dummy_hash;
    bool ok = crypto_pwhash_str_verify(hash, password, strlen(password)) == 0 && a.hash[0];
    if (!ok || !a.allowed)
        return signin_failed(op, phone, &a,
                             !a.id        ? "no such account"
                             : !a.hash[0] ? "no password set"
                             : !ok        ? "wrong password"
                                          : "not active staff");
    open_ctx_t x = {.user_id = a.id, .phone = phone};
    if ((e = op_tx(op, DB_TX_WRITE, open_tx, &x)))
        return e;
    op->actor.id = a.id;
    set_cookie(req, op, x.secret);
    e = reply_session(req, op, 200, x.secret, &x.s);
    sodium_memzero(x.secret, sizeof x.secret);
    return e;
}

/* ---- the session in use ----------------------------------------------------- */

static err_t *current(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    if (!op->actor.session_id)
        return reply_session(req, op, 200, NULL, NULL);
    staff_session_t s;
    auth_account_t a;
    bool found = false;
    const char *secret = http_cookie(req, STAFF_COOKIE);
    int rc = staff_session_find(op, secret, &s, &a, &found);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (!found) /* ended between the guard and here */
        return op_fail(op, 401, "SESSION_EXPIRED", "Your session has ended. Please sign in again.");
    return reply_session(req, op, 200, secret, &s);
}

static err_t *signout(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    if (!op->actor.session_id)
        return op_fail(op, 400, "NO_SESSION",
                       "This request was not made with a console session; a bearer token ends "
                       "with POST /api/auth/logout.");
    int64_t n = 0;
    int rc = staff_session_revoke(op, op->actor.session_id, &n);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    audit_entry_t a = {.actor_id = op->actor.id,
                       .action = "admin.signout",
                       .object_type = "staff_session",
                       .object_id = op->actor.session_id,
                       .severity = AUDIT_LOW,
                       .success = true};
    audit_write(op->db, op, &a);
    set_cookie(req, op, NULL);
    http_reply_json(req, 200, json_pack("{s:b}", "signed_out", true));
    return NULL;
}

static err_t *signout_everywhere(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    int64_t n = 0;
    int rc = staff_session_revoke_user(op, op->actor.id, &n);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    audit_entry_t a = {.actor_id = op->actor.id,
                       .action = "admin.sessions.revoked",
                       .object_type = "user",
                       .object_id = op->actor.id,
                       .payload = json_pack("{s:I}", "sessions", (json_int_t)n),
                       .severity = AUDIT_MEDIUM,
                       .success = true};
    audit_write(op->db, op, &a);
    if (op->actor.session_id)
        set_cookie(req, op, NULL);
    http_reply_json(req, 200, json_pack("{s:I}", "sessions_ended", (json_int_t)n));
    return NULL;
}

/* ---- routes ----------------------------------------------------------------- */

static const field_t signin_fields[] = {
    {"phone_number", FT_STRING, F_REQUIRED, .check = auth_phone_check},
    {"password", FT_STRING, F_REQUIRED, .min_len = 1, .max_len = 1024},
    FIELDS_END,
};

static const route_def_t session_routes[] = {
    {.method = HTTP_POST,
     .pattern = "/api/admin/session",
     .handler = signin,
     .auth = AUTH_ANONYMOUS,
     .body = BODY_JSON,
     .fields = signin_fields,
     .tag = "admin"},
    {.method = HTTP_GET,
     .pattern = "/api/admin/session",
     .handler = current,
     .auth = AUTH_STAFF,
     .tag = "admin"},
    {.method = HTTP_DELETE,
     .pattern = "/api/admin/session",
     .handler = signout,
     .auth = AUTH_STAFF,
     .tag = "admin"},
    {.method = HTTP_DELETE,
     .pattern = "/api/admin/sessions",
     .handler = signout_everywhere,
     .auth = AUTH_STAFF,
     .tag = "admin"},
    ROUTES_END,
};

#define DAY_US (86400LL * USEC_PER_SEC)
static const purge_def_t session_purges[] = {
    {"staff_sessions", "DELETE FROM staff_sessions WHERE expires_at < $1", DAY_US},
    {0},
};

const module_t admin_session_module = {
    .name = "admin_session", .routes = session_routes, .purges = session_purges};
