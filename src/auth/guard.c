/*
 * guard.c: the one verifier for protected routes (contract in guard.h).
 * Order matters and mirrors what clients rely on: header shape (403), token
 * (401), account (401), waitlist promotion, then the route's requirements
 * (403).
 */
#include "auth/guard.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "app.h"
#include "auth/jwt.h"
#include "auth/waitlist.h"
#include "core/clock.h"

static int unauthorized(http_req_t *req, const char *code, const char *detail)
{
    http_set_header(req, "WWW-Authenticate", "Bearer");
    http_error(req, 401, code, "%s", detail);
    return -1;
}

const char *guard_waitlist_message(http_req_t *req)
{
    const config_t *cfg = &req->app->cfg;
    return arena_printf(&req->arena,
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

/* One round trip: the account, its promotion time and whether the token
 * was revoked. */
static const char SQL_USER[] =
    "SELECT u.uuid, u.phone, u.is_active, u.is_staff, u.is_superuser, "
    "p.waitlist_promote_at, EXISTS (SELECT 1 FROM revoked_tokens r WHERE r.jti = $2) "
    "FROM users u LEFT JOIN user_profiles p ON p.user_id = u.id WHERE u.id = $1";

/* Loads the account; *found false when it no longer exists. */
static int load_user(db_conn_t *c, auth_user_t *u, int64_t *promote_at, bool *found, bool *revoked)
{
    db_rows_t *rows;
    int rc = db_query(c, SQL_USER, DB_ARGS(db_int(u->id), db_text(u->jti)), &rows);
    if (rc != DB_OK)
        return rc;
    *found = db_next(rows);
    if (*found) {
        snprintf(u->uuid, sizeof u->uuid, "%s", db_col_text(rows, 0));
        snprintf(u->phone, sizeof u->phone, "%s", db_col_text(rows, 1) ? db_col_text(rows, 1) : "");
        u->is_active = db_col_bool(rows, 2);
        u->is_staff = db_col_bool(rows, 3);
        u->is_superuser = db_col_bool(rows, 4);
        *promote_at = db_col_time(rows, 5);
        *revoked = db_col_bool(rows, 6);
    }
    rc = db_rows_status(rows);
    db_rows_free(rows);
    return rc;
}

static int db_failure(http_req_t *req)
{
    http_db_unavailable(req);
    return -1;
}

/* Token to account: 0, or -1 with the response written (*anonymous set when
 * an optional route should go on without a user). */
static int authenticate(http_req_t *req, int flags, auth_user_t *u, bool *anonymous)
{
    const char *token = NULL;
    int shape = bearer_token(req, &token);
    bool optional = flags & GUARD_OPTIONAL;
    if (shape != 0) {
        *anonymous = optional;
        if (optional)
            return -1;
        http_error(req, 403, shape == 1 ? "NOT_AUTHENTICATED" : "INVALID_AUTH_SCHEME",
                   shape == 1 ? "Not authenticated" : "Invalid authentication credentials");
        return -1;
    }
    jwt_claims_t cl;
    jwt_status_t st = jwt_verify(req->app->keys.jwt, token, clock_now_us() / USEC_PER_SEC, &cl);
    if (st != JWT_OK) {
        *anonymous = optional;
        if (optional)
            return -1;
        return st == JWT_EXPIRED ? unauthorized(req, "TOKEN_EXPIRED", "Token has expired")
                                 : unauthorized(req, "INVALID_TOKEN", "Invalid token");
    }
    if (!http_db(req))
        return -1;
    memset(u, 0, sizeof *u);
    u->id = cl.user_id;
    u->token_exp = cl.exp;
    snprintf(u->jti, sizeof u->jti, "%s", cl.jti);
    return 0;
}

int guard_require(http_req_t *req, int flags, auth_user_t *u)
{
    bool anonymous = false;
    if (authenticate(req, flags, u, &anonymous) != 0) {
        if (!anonymous)
            return -1;
        memset(u, 0, sizeof *u);
        return 0;
    }
    int64_t promote_at = 0;
    bool found = false, revoked = false;
    if (load_user(req->db, u, &promote_at, &found, &revoked) != DB_OK)
        return db_failure(req);
    if (found && revoked) {
        if (flags & GUARD_OPTIONAL) {
            memset(u, 0, sizeof *u);
            return 0;
        }
        return unauthorized(req, "TOKEN_REVOKED", "Token has been revoked");
    }
    if (!found) {
        memset(u, 0, sizeof *u);
        return (flags & GUARD_OPTIONAL) ? 0 : unauthorized(req, "USER_NOT_FOUND", "User not found");
    }
    if (!u->is_active && promote_at && promote_at <= clock_now_us() &&
        !(flags & GUARD_NO_PROMOTION)) {
        bool promoted = false;
        if (waitlist_promote_if_due(req, u->id, &promoted) != DB_OK ||
            load_user(req->db, u, &promote_at, &found, &revoked) != DB_OK || !found)
            return db_failure(req);
    }
    if (!u->is_active && !(flags & GUARD_ALLOW_WAITLISTED)) {
        if (flags & GUARD_OPTIONAL) {
            memset(u, 0, sizeof *u); /* waitlisted callers browse anonymously */
            return 0;
        }
        http_error(req, 403, "ACCOUNT_WAITLISTED", "%s", guard_waitlist_message(req));
        return -1;
    }
    bool staff = u->is_staff || u->is_superuser;
    bool super = u->is_staff && u->is_superuser;
    if (((flags & GUARD_STAFF) && !staff) || ((flags & GUARD_SUPERUSER) && !super)) {
        http_error(req, 403, "ADMIN_REQUIRED", "This endpoint requires admin privileges");
        return -1;
    }
    return 0;
}
