/*
 * guard.c: the one verifier for protected routes (contract in guard.h).
 * Order matters and mirrors what clients rely on: header shape (403), token
 * (401), account (401), waitlist promotion, then the route's level (403).
 */
#include "auth/guard.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "app.h"
#include "auth/auth_cache.h"
#include "auth/jwt_memo.h"
#include "auth/staff_session.h"
#include "auth/waitlist.h"
#include "core/clock.h"
#include "http/router.h"

static err_t *unauthorized(op_t *op, const char *code, const char *detail)
{
    return err_new(op->arena, 401, code, "%s", detail);
}

const char *guard_waitlist_message(op_t *op)
{
    const config_t *cfg = &op->app->cfg;
    return arena_printf(op->arena,
                        "Your account is on the waitlist. You can only access your profile. "
                        "Please wait %.2f-%.2f hours for activation.",
                        cfg->waitlist_min_minutes / 60.0, cfg->waitlist_max_minutes / 60.0);
}

/* Splits "Bearer <token>". 0 ok, 1 missing/empty, 2 another scheme. */
static int bearer_token(http_req_t *req, const char **token)
{
    const char *h = http_header(req, "Authorization");
    if (!h)
        return 1;
    while (*h == ' ')
        h++;
    const char *sp = strchr(h, ' ');
    if (!*h || !sp)
        return 1; /* FastAPI's HTTPBearer: no scheme or no credentials */
    if ((size_t)(sp - h) != 6 || strncasecmp(h, "Bearer", 6) != 0)
        return 2;
    while (*sp == ' ')
        sp++;
    if (!*sp)
        return 1;
    *token = sp;
    return 0;
}

static err_t *header_refusal(op_t *op, int shape)
{
    return shape == 1 ? err_new(op->arena, 403, "NOT_AUTHENTICATED", "Not authenticated")
                      : err_new(op->arena, 403, "INVALID_AUTH_SCHEME",
                                "Invalid authentication credentials");
}

/* One round trip: the account, its promotion time and whether the token
 * was revoked. Run on a cache miss (auth_cache.h) and after a promotion. */
static const char SQL_USER[] =
    "SELECT u.uuid, u.phone, u.is_active, u.is_staff, u.is_superuser, "
    "p.waitlist_promote_at, EXISTS (SELECT 1 FROM revoked_tokens r WHERE r.jti = $2) "
    "FROM users u LEFT JOIN user_profiles p ON p.user_id = u.id WHERE u.id = $1";

/* Loads the account; *found false when it no longer exists. */
static int load_user(db_conn_t *c, const actor_t *u, auth_account_t *a, bool *found, bool *revoked)
{
    db_rows_t *rows;
    int rc = db_query(c, SQL_USER, DB_ARGS(db_int(u->id), db_text(u->jti)), &rows);
    if (rc != DB_OK)
        return rc;
    *found = db_next(rows);
    if (*found) {
        memset(a, 0, sizeof *a);
        snprintf(a->uuid, sizeof a->uuid, "%s", db_col_text(rows, 0));
        snprintf(a->phone, sizeof a->phone, "%s", db_col_text(rows, 1) ? db_col_text(rows, 1) : "");
        a->is_active = db_col_bool(rows, 2);
        a->is_staff = db_col_bool(rows, 3);
        a->is_superuser = db_col_bool(rows, 4);
        a->promote_at = db_col_time(rows, 5);
        *revoked = db_col_bool(rows, 6);
    }
    rc = db_rows_status(rows);
    db_rows_free(rows);
    return rc;
}

/* Reads the account from the database and, when the token may be used,
 * offers it to the cache (which drops it if an invalidation came first). */
static int fetch_user(op_t *op, auth_account_t *a, bool *found, bool *revoked)
{
    auth_cache_t *cache = op->app->auth_cache;
    uint64_t ticket = auth_cache_ticket(cache);
    *found = *revoked = false;
    int rc = load_user(op->db, &op->actor, a, found, revoked);
    if (rc == DB_OK && *found && !*revoked)
        auth_cache_put(cache, ticket, op->actor.id, op->actor.jti, a);
    return rc;
}

static void actor_set(actor_t *u, const auth_account_t *a)
{
    memcpy(u->uuid, a->uuid, sizeof u->uuid);
    memcpy(u->phone, a->phone, sizeof u->phone);
    u->is_active = a->is_active;
    u->is_staff = a->is_staff;
    u->is_superuser = a->is_superuser;
}

static bool promotion_due(const op_t *op, const auth_account_t *a, unsigned flags)
{
    return !a->is_active && a->promote_at && a->promote_at <= op->now_us &&
           !(flags & AUTHF_NO_PROMOTION);
}

/* The token's claims into op->actor: NULL, or the refusal (for a required
 * login). */
static err_t *read_token(http_req_t *req, op_t *op)
{
    const char *token = NULL;
    int shape = bearer_token(req, &token);
    if (shape != 0)
        return header_refusal(op, shape);
    jwt_claims_t cl;
    jwt_status_t st = jwt_verify_memo(op->app->keys.jwt, token, op->now_us / USEC_PER_SEC, &cl);
    if (st != JWT_OK)
        return st == JWT_EXPIRED ? unauthorized(op, "TOKEN_EXPIRED", "Token has expired")
                                 : unauthorized(op, "INVALID_TOKEN", "Invalid token");
    memset(&op->actor, 0, sizeof op->actor);
    op->actor.id = cl.user_id;
    op->actor.token_exp = cl.exp;
    snprintf(op->actor.jti, sizeof op->actor.jti, "%s", cl.jti);
    return NULL;
}

/* The account behind the token, promoted when due: NULL, or the refusal.
 * A cached account answers without a query, unless its promotion is due:
 * that goes to the database, where one conditional UPDATE decides it. */
static err_t *load_account(op_t *op, unsigned flags)
{
    actor_t *u = &op->actor;
    auth_account_t a;
    if (auth_cache_get(op->app->auth_cache, u->id, u->jti, &a) && !promotion_due(op, &a, flags)) {
        actor_set(u, &a);
        return NULL;
    }
    bool found = false, revoked = false;
    int rc = fetch_user(op, &a, &found, &revoked);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (found && revoked)
        return unauthorized(op, "TOKEN_REVOKED", "Token has been revoked");
    if (!found)
        return unauthorized(op, "USER_NOT_FOUND", "User not found");
    if (promotion_due(op, &a, flags)) {
        bool promoted = false;
        if ((rc = waitlist_promote_if_due(op, u->id, &promoted)) != DB_OK ||
            (rc = fetch_user(op, &a, &found, &revoked)) != DB_OK)
            return op_db_fail(op, rc);
        if (!found)
            return unauthorized(op, "USER_NOT_FOUND", "User not found");
    }
    actor_set(u, &a);
    return NULL;
}

/* The level's own requirement, for a loaded account. */
static err_t *check_level(http_req_t *req, auth_level_t level, op_t *op)
{
    const actor_t *u = &op->actor;
    if (!u->is_active && level != AUTH_SIGNED_IN)
        return err_new(op->arena, 403, "ACCOUNT_WAITLISTED", "%s", guard_waitlist_message(op));
    bool staff = u->is_staff || u->is_superuser;
    bool super = u->is_staff && u->is_superuser;
    if ((level == AUTH_STAFF && !staff) || (level == AUTH_SUPERUSER && !super))
        return err_new(op->arena, 403, "ADMIN_REQUIRED", "This endpoint requires admin privileges");
    (void)req; /* AUTH_HOST's object check (route->owner) runs next, in the pipeline */
    return NULL;
}

/* Optional levels: any failure short of a database error means anonymous;
 * so does a waitlisted account (it browses as a guest). */
static err_t *optional(http_req_t *req, unsigned flags, op_t *op)
{
    err_t *e = read_token(req, op);
    if (!e)
        e = load_account(op, flags);
    if (e && e->status >= 500)
        return e;
    if (e || (!op->actor.is_active && !(flags & AUTHF_WAITLISTED))) {
        err_discard(e);
        memset(&op->actor, 0, sizeof op->actor);
    }
    return NULL;
}

/* The console's way in (staff_session.h): a staff route called with the
 * session cookie and no Authorization header. A state change needs the
 * session's CSRF token as well. */
static err_t *session_check(http_req_t *req, auth_level_t level, op_t *op, const char *secret)
{
    staff_session_t s;
    auth_account_t a;
    bool found = false;
    int rc = staff_session_find(op, secret, &s, &a, &found);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (!found)
        return unauthorized(op, "SESSION_EXPIRED", "Your session has ended. Please sign in again.");
    http_method_t m = req->method;
    if (m != HTTP_GET && m != HTTP_HEAD &&
        !staff_csrf_ok(&op->app->keys, secret, http_header(req, STAFF_CSRF_HEADER)))
        return err_new(op->arena, 403, "CSRF_FAILED",
                       "This request needs the session's CSRF token in " STAFF_CSRF_HEADER ".");
    op->actor.id = s.user_id;
    op->actor.session_id = s.id;
    actor_set(&op->actor, &a);
    return check_level(req, level, op);
}

err_t *guard_check(http_req_t *req, auth_level_t level, unsigned flags, op_t *op)
{
    memset(&op->actor, 0, sizeof op->actor);
    switch (level) {
    case AUTH_ANONYMOUS:
        return NULL;
    case AUTH_BEARER_OPTIONAL: {
        /* FastAPI's HTTPBearer wants "Bearer <credentials>"; a bad token is a guest */
        const char *token;
        int shape = bearer_token(req, &token);
        if (shape != 0)
            return header_refusal(op, shape);
        return optional(req, flags, op);
    }
    case AUTH_OPTIONAL:
        return optional(req, flags, op);
    case AUTH_STAFF:
    case AUTH_SUPERUSER: {
        const char *secret = http_cookie(req, STAFF_COOKIE);
        if (secret && !http_header(req, "Authorization")) {
            err_t *e = session_check(req, level, op, secret);
            if (e)
                memset(&op->actor, 0, sizeof op->actor);
            return e;
        }
        break;
    }
    default:
        break;
    }
    err_t *e = read_token(req, op);
    if (!e)
        e = load_account(op, flags);
    if (!e)
        e = check_level(req, level, op);
    if (e)
        memset(&op->actor, 0, sizeof op->actor);
    return e;
}
