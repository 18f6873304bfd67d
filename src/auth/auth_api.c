/*
 * auth_api.c: phone sign-up and login over one-time codes, and logout
 * (API.md section 3; the decisions in docs/accounts.md). Answers keep the
 * AuthResponse envelope {success, message, data, token}: business failures
 * are 200 with success=false, rate limits 429 with Retry-After.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "app.h"
#include "audit/audit.h"
#include "auth/auth.h"
#include "auth/jwt.h"
#include "auth/otp.h"
#include "auth/sms.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/phone.h"
#include "core/rand.h"
#include "http/input.h"
#include "http/router.h"
#include "module.h"

#define MSG_PHONE "Invalid phone number format. Use international format, e.g. +919876543210"

void auth_reply(http_req_t *req, int status, bool success, const char *message, json_t *data,
                const char *token, const char *error_code)
{
    json_t *body = json_pack("{s:b, s:s, s:o, s:s?}", "success", success, "message", message,
                             "data", data ? data : json_null(), "token", token);
    if (!success) {
        json_object_set_new(body, "detail", json_string(message));
        if (error_code) {
            json_object_set_new(body, "error_code", json_string(error_code));
            req->res.error_code = error_code;
        }
    }
    http_reply_json(req, status, body);
}

static void reply_limited(http_req_t *req, const char *code, int64_t retry_after,
                          const char *message)
{
    char ra[24];
    snprintf(ra, sizeof ra, "%lld", (long long)(retry_after > 0 ? retry_after : 1));
    http_set_header(req, "Retry-After", ra);
    auth_reply(req, 429, false, message, NULL, NULL, code);
}

/* Reads and normalises body.phone_number (and, when code is non-NULL, a
 * 4-digit body.otp_code). -1 with a 422 written on bad input. */
static int read_phone_body(http_req_t *req, char phone[17], const char **code)
{
    json_t *obj = input_object(req);
    if (!obj)
        return -1;
    json_t *details = json_array();
    const char *raw = input_string(details, obj, "phone_number", true);
    if (raw && !phone_normalize(raw, phone))
        input_value_error(details, obj, "phone_number", MSG_PHONE);
    if (code) {
        *code = input_string(details, obj, "otp_code", true);
        if (*code && (strlen(*code) != 4 || strspn(*code, "0123456789") != 4))
            input_value_error(details, obj, "otp_code", "OTP must be exactly 4 digits");
    }
    return input_finish(req, details);
}

/* ---- accounts --------------------------------------------------------- */

typedef struct {
    int64_t id;
    bool exists, complete, is_verified;
    char name[128];
} account_t;

static const char SQL_ACCOUNT[] =
    "SELECT u.id, p.name, p.profile_pictures <> '[]', p.is_verified FROM users u "
    "LEFT JOIN user_profiles p ON p.user_id = u.id WHERE u.phone = $1";

static int load_account(db_conn_t *c, const char *phone, account_t *a)
{
    db_rows_t *rows;
    memset(a, 0, sizeof *a);
    int rc = db_query(c, SQL_ACCOUNT, DB_ARGS(db_text(phone)), &rows);
    if (rc != DB_OK)
        return rc;
    if (db_next(rows)) {
        a->exists = true;
        a->id = db_col_int(rows, 0);
        const char *name = db_col_text(rows, 1);
        snprintf(a->name, sizeof a->name, "%s", name ? name : "");
        a->complete = a->name[0] && db_col_bool(rows, 2);
        a->is_verified = db_col_bool(rows, 3);
    }
    rc = db_rows_status(rows);
    db_rows_free(rows);
    return rc;
}

/* ---- sending a code ----------------------------------------------------- */

typedef struct {
    http_req_t *req;
    const char *phone, *code;
    otp_issue_t result;
    int64_t retry_after, otp_id;
} issue_ctx_t;

static int issue_tx(db_conn_t *c, void *arg)
{
    issue_ctx_t *x = arg;
    return otp_issue_tx(c, x->req->app, x->phone, x->req->client_ip, x->code, &x->result,
                        &x->retry_after, &x->otp_id);
}

static void reply_refused(http_req_t *req, const issue_ctx_t *x)
{
    char msg[128];
    switch (x->result) {
    case OTP_REFUSED_LOCKED:
        snprintf(msg, sizeof msg, "Too many attempts. Please try again in %lld minutes.",
                 (long long)((x->retry_after + 59) / 60));
        reply_limited(req, "OTP_LOCKED", x->retry_after, msg);
        break;
    case OTP_REFUSED_COOLDOWN:
        snprintf(msg, sizeof msg, "Please wait %lld seconds before requesting a new code.",
                 (long long)x->retry_after);
        reply_limited(req, "OTP_COOLDOWN", x->retry_after, msg);
        break;
    default:
        reply_limited(req, "OTP_RATE_LIMITED", x->retry_after,
                      "Too many verification codes requested. Please try again later.");
    }
}

/* Issues and sends a code. 0 when sent; -1 with the response written. */
static int send_code(http_req_t *req, const char *phone, int64_t actor_id)
{
    char code[5], body[128];
    otp_generate(code);
    issue_ctx_t x = {.req = req, .phone = phone, .code = code};
    int rc = db_tx_run(req->db, DB_TX_WRITE, issue_tx, &x);
    if (rc != DB_OK && !(rc == DB_UNIQUE && x.result == OTP_REFUSED_COOLDOWN)) {
        http_db_unavailable(req);
        return -1;
    }
    if (x.result != OTP_ISSUED) {
        reply_refused(req, &x);
        return -1;
    }
    snprintf(body, sizeof body,
             "Your Loopin verification code is: %s. This code expires in 10 minutes.", code);
    char err[160] = "";
    int sent = sms_send(req->app->sms, phone, body, err, sizeof err);
    sodium_memzero(code, sizeof code);
    sodium_memzero(body, sizeof body);
    audit_entry_t e = {.actor_id = actor_id,
                       .action = "auth.otp.sent",
                       .object_type = "phone",
                       .payload = json_pack("{s:s}", "phone", phone),
                       .success = sent == 0,
                       .error = sent == 0 ? NULL : err};
    audit_write(req->db, &req->op, &e);
    if (sent != 0) {
        otp_invalidate(req->db, x.otp_id); /* never leave a live code nobody received */
        auth_reply(req, 200, false, "Failed to send OTP. Please try again.", NULL, NULL,
                   "SMS_SEND_FAILED");
        return -1;
    }
    return 0;
}

static void auth_signup(http_req_t *req)
{
    char phone[17];
    account_t a;
    if (read_phone_body(req, phone, NULL) != 0 || !http_db(req))
        return;
    if (load_account(req->db, phone, &a) != DB_OK) {
        http_db_unavailable(req);
        return;
    }
    if (send_code(req, phone, a.id) != 0)
        return;
    const char *msg =
        !a.exists    ? "OTP sent successfully to your phone number. Please verify to complete "
                       "signup."
        : a.complete ? "OTP sent successfully to your phone number. Please verify to login."
                     : "OTP sent successfully. Please verify to complete your registration.";
    auth_reply(req, 200, true, msg,
               json_pack("{s:s, s:s, s:b}", "phone_number", phone, "user_status",
                         a.exists ? "existing" : "new", "otp_sent", 1),
               NULL, NULL);
}

static void auth_login(http_req_t *req)
{
    char phone[17];
    account_t a;
    if (read_phone_body(req, phone, NULL) != 0 || !http_db(req))
        return;
    if (load_account(req->db, phone, &a) != DB_OK) {
        http_db_unavailable(req);
        return;
    }
    if (!a.exists) {
        auth_reply(req, 200, false, "User not found. Please signup first.", NULL, NULL,
                   "USER_NOT_FOUND");
        return;
    }
    if (send_code(req, phone, a.id) != 0)
        return;
    auth_reply(req, 200, true, "OTP sent successfully to your phone number",
               json_pack("{s:s}", "phone_number", phone), NULL, NULL);
}

/* ---- verifying a code ----------------------------------------------------- */

typedef struct {
    http_req_t *req;
    const char *phone, *code;
    bool may_create; /* verify-otp creates accounts, verify-login never does */
    otp_check_t result;
    int attempts_left;
    int64_t retry_after;
    bool created;
    account_t account;
} verify_ctx_t;

static const char SQL_NEW_USER[] =
    "INSERT INTO users (uuid, phone, is_active, is_staff, is_superuser, date_joined, last_login, "
    "created_at, updated_at) VALUES ($1, $2, $3, $4, $4, $5, $5, $5, $5) RETURNING id";

static const char SQL_PROFILE_SHELL[] =
    "INSERT INTO user_profiles (user_id, uuid, phone_number, is_verified, is_active, created_at, "
    "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (user_id) DO UPDATE SET "
    "is_verified = excluded.is_verified, updated_at = excluded.updated_at";

static const char SQL_LAST_LOGIN[] = "UPDATE users SET last_login = $2 WHERE id = $1";

/* The verified phone's account: created (with a profile shell) when new,
 * marked verified and logged in otherwise. */
static int settle_account(db_conn_t *c, verify_ctx_t *x)
{
    int64_t now = clock_now_us();
    char uuid[37];
    int rc = load_account(c, x->phone, &x->account);
    if (rc != DB_OK || (!x->account.exists && !x->may_create))
        return rc;
    if (!x->account.exists) {
        bool found = false;
        rand_uuid(uuid);
        rc = db_query_int(
            c, SQL_NEW_USER,
            DB_ARGS(db_text(uuid), db_text(x->phone), db_bool(true), db_bool(false), db_time(now)),
            &x->account.id, &found);
        if (rc != DB_OK)
            return rc;
        x->created = x->account.exists = true;
    } else if ((rc = db_exec(c, SQL_LAST_LOGIN, DB_ARGS(db_int(x->account.id), db_time(now)),
                             NULL)) != DB_OK) {
        return rc;
    }
    rand_uuid(uuid);
    rc = db_exec(c, SQL_PROFILE_SHELL,
                 DB_ARGS(db_int(x->account.id), db_text(uuid), db_text(x->phone), db_bool(true),
                         db_bool(true), db_time(now)),
                 NULL);
    x->account.is_verified = true;
    return rc;
}

static int audit_verify(db_conn_t *c, verify_ctx_t *x)
{
    bool ok = x->result == OTP_OK && x->account.exists;
    bool locked = x->result == OTP_LOCKED_NOW;
    if (x->result == OTP_NOT_FOUND || x->result == OTP_EXPIRED)
        return DB_OK;
    audit_entry_t e = {.actor_id = x->account.id,
                       .action = ok       ? (x->created ? "auth.signup" : "auth.login")
                                 : locked ? "auth.otp.locked"
                                          : "auth.login.failed",
                       .object_type = "user",
                       .object_id = x->account.id,
                       .payload = json_pack("{s:s}", "phone", x->phone),
                       .severity = ok       ? AUDIT_LOW
                                   : locked ? AUDIT_HIGH
                                            : AUDIT_MEDIUM,
                       .success = ok,
                       .error = ok ? NULL : "wrong or locked verification code"};
    return audit_write(c, &x->req->op, &e);
}

static int verify_tx(db_conn_t *c, void *arg)
{
    verify_ctx_t *x = arg;
    x->created = false;
    memset(&x->account, 0, sizeof x->account);
    int rc = otp_check_tx(c, x->req->app, x->phone, x->code, &x->result, &x->attempts_left,
                          &x->retry_after);
    if (rc == DB_OK && x->result == OTP_OK)
        rc = settle_account(c, x);
    if (rc == DB_OK)
        rc = audit_verify(c, x);
    return rc;
}

/* Writes the failure answer for a code that did not verify. */
static void reply_check_failure(http_req_t *req, const verify_ctx_t *x)
{
    char msg[96];
    switch (x->result) {
    case OTP_NOT_FOUND:
        auth_reply(req, 200, false, "No OTP found for this phone number. Please request a new OTP.",
                   NULL, NULL, "OTP_NOT_FOUND");
        break;
    case OTP_EXPIRED:
        auth_reply(req, 200, false, "OTP has expired", NULL, NULL, "OTP_EXPIRED");
        break;
    case OTP_WRONG:
        snprintf(msg, sizeof msg, "Invalid OTP. %d attempts remaining", x->attempts_left);
        auth_reply(req, 200, false, msg, NULL, NULL, "OTP_INVALID");
        break;
    default:
        snprintf(msg, sizeof msg, "Too many attempts. Please try again in %lld minutes.",
                 (long long)((x->retry_after + 59) / 60));
        reply_limited(req, "OTP_LOCKED", x->retry_after, msg);
    }
}

static char *issue_token(http_req_t *req, int64_t user_id, const char *phone)
{
    jwt_claims_t cl = {.user_id = user_id};
    cl.iat = clock_now_us() / USEC_PER_SEC;
    cl.exp = cl.iat + req->app->cfg.token_ttl_s;
    snprintf(cl.phone_number, sizeof cl.phone_number, "%s", phone);
    rand_hex(cl.jti, 16);
    return jwt_sign(req->app->keys.jwt, &cl);
}

/* Shared by verify-otp and verify-login. Returns the settled context or
 * NULL when the answer has been written. */
static verify_ctx_t *verify_common(http_req_t *req, verify_ctx_t *x, bool may_create)
{
    char *p = arena_alloc(&req->arena, 17);
    if (read_phone_body(req, p, &x->code) != 0 || !http_db(req))
        return NULL;
    x->req = req;
    x->phone = p;
    x->may_create = may_create;
    if (!may_create) {
        account_t a;
        if (load_account(req->db, p, &a) != DB_OK) {
            http_db_unavailable(req);
            return NULL;
        }
        if (!a.exists) { /* never spend a code on an unknown account */
            auth_reply(req, 200, false, "User not found", NULL, NULL, "USER_NOT_FOUND");
            return NULL;
        }
    }
    if (db_tx_run(req->db, DB_TX_WRITE, verify_tx, x) != DB_OK) {
        http_db_unavailable(req);
        return NULL;
    }
    if (x->result != OTP_OK) {
        reply_check_failure(req, x);
        return NULL;
    }
    return x;
}

static void auth_verify_otp(http_req_t *req)
{
    verify_ctx_t x = {0};
    if (!verify_common(req, &x, true))
        return;
    char *token = issue_token(req, x.account.id, x.phone);
    bool needs = !x.account.complete;
    auth_reply(req, 200, true,
               needs ? "OTP verified successfully. Please complete your profile to continue."
                     : "OTP verified successfully. You are logged in.",
               json_pack("{s:I, s:s, s:b, s:b}", "user_id", (json_int_t)x.account.id,
                         "phone_number", x.phone, "needs_profile_completion", needs, "is_verified",
                         1),
               token, NULL);
    free(token);
}

static void auth_verify_login(http_req_t *req)
{
    verify_ctx_t x = {0};
    if (!verify_common(req, &x, false))
        return;
    char *token = issue_token(req, x.account.id, x.phone);
    auth_reply(req, 200, true, "Login successful",
               json_pack("{s:I, s:s, s:s, s:b}", "user_id", (json_int_t)x.account.id,
                         "phone_number", x.phone, "name", x.account.name, "is_verified", 1),
               token, NULL);
    free(token);
}

/* ---- logout ----------------------------------------------------------- */

static const char SQL_REVOKE[] =
    "INSERT INTO revoked_tokens (jti, user_id, expires_at, created_at) VALUES ($1, $2, $3, $4) "
    "ON CONFLICT (jti) DO NOTHING";

/* Always succeeds (API.md); a valid bearer token is revoked until it would
 * have expired anyway. */
static void auth_logout(http_req_t *req)
{
    const char *h = http_header(req, "Authorization");
    jwt_claims_t cl;
    if (h && strncasecmp(h, "Bearer ", 7) == 0 &&
        jwt_verify(req->app->keys.jwt, h + 7, clock_now_us() / USEC_PER_SEC, &cl) == JWT_OK &&
        http_db(req)) {
        int64_t now = clock_now_us();
        if (db_exec(req->db, SQL_REVOKE,
                    DB_ARGS(db_text(cl.jti), db_int(cl.user_id), db_time(cl.exp * USEC_PER_SEC),
                            db_time(now)),
                    NULL) == DB_OK) {
            audit_entry_t e = {.actor_id = cl.user_id,
                               .action = "auth.logout",
                               .object_type = "user",
                               .object_id = cl.user_id,
                               .success = true};
            audit_write(req->db, &req->op, &e);
        }
    }
    auth_reply(req, 200, true, "Logged out successfully", NULL, NULL, NULL);
}

static void auth_routes(router_t *r)
{
    router_add(r, HTTP_POST, "/api/auth/signup", auth_signup, BODY_JSON, false);
    router_add(r, HTTP_POST, "/api/auth/verify-otp", auth_verify_otp, BODY_JSON, false);
    router_add(r, HTTP_POST, "/api/auth/login", auth_login, BODY_JSON, false);
    router_add(r, HTTP_POST, "/api/auth/verify-login", auth_verify_login, BODY_JSON, false);
    router_add(r, HTTP_POST, "/api/auth/logout", auth_logout, BODY_NONE, false);
}

#define DAY_US (86400LL * USEC_PER_SEC)
static const purge_def_t auth_purges[] = {
    {"otps", "DELETE FROM user_phone_otps WHERE expires_at < $1", DAY_US},
    {"revoked_tokens", "DELETE FROM revoked_tokens WHERE expires_at < $1", 0},
    {"rate_limits", "DELETE FROM auth_rate_limits WHERE window_start < $1", DAY_US},
    {0},
};

const module_t auth_module = {.name = "auth", .legacy_routes = auth_routes, .purges = auth_purges};
