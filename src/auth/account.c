/*
 * account.c: the sign-up, login and logout rules and their SQL (account.h).
 * Codes are issued and checked inside write transactions (otp.c); the SMS is
 * sent after the issuing commit, and a code whose SMS failed is removed so a
 * code nobody received never starts the cooldown.
 */
#include "auth/account.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "audit/audit.h"
#include "auth/jwt.h"
#include "auth/otp.h"
#include "auth/sms.h"
#include "auth/waitlist.h"
#include "core/clock.h"
#include "core/rand.h"
#include "db/db_notify.h"

/* ---- finding an account ------------------------------------------------------ */

static const char SQL_ACCOUNT[] =
    "SELECT u.id, p.name, p.profile_pictures <> '[]', p.is_verified, u.is_active, "
    "p.waitlist_promote_at FROM users u LEFT JOIN user_profiles p ON p.user_id = u.id "
    "WHERE u.phone = $1";

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
        a->is_active = db_col_bool(rows, 4);
        a->waitlist_promote_at = db_col_time(rows, 5);
    }
    rc = db_rows_status(rows);
    db_rows_free(rows);
    return rc;
}

err_t *account_find(op_t *op, const char *phone, account_t *a)
{
    int rc = load_account(op->db, phone, a);
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}

/* A refusal in the AuthResponse envelope (status 200, success false). */
static err_t *refuse(op_t *op, const char *code, const char *message)
{
    return op_fail(op, 200, code, "%s", message);
}

static err_t *limited(op_t *op, const char *code, int64_t retry_after, const char *message)
{
    err_t *e = op_fail(op, 429, code, "%s", message);
    e->retry_after = (int)(retry_after > 0 ? retry_after : 1);
    return e;
}

/* ---- sending a code -------------------------------------------------------------- */

typedef struct {
    const char *phone, *code;
    otp_issue_t result;
    int64_t retry_after, otp_id;
} issue_ctx_t;

static err_t *issue_refusal(op_t *op, const issue_ctx_t *x)
{
    switch (x->result) {
    case OTP_REFUSED_LOCKED:
        return limited(op, "OTP_LOCKED", x->retry_after,
                       arena_printf(op->arena,
                                    "Too many attempts. Please try again in %lld minutes.",
                                    (long long)((x->retry_after + 59) / 60)));
    case OTP_REFUSED_COOLDOWN:
        return limited(op, "OTP_COOLDOWN", x->retry_after,
                       arena_printf(op->arena,
                                    "Please wait %lld seconds before requesting a new code.",
                                    (long long)x->retry_after));
    default:
        return limited(op, "OTP_RATE_LIMITED", x->retry_after,
                       "Too many verification codes requested. Please try again later.");
    }
}

typedef struct {
    op_t *op;
    issue_ctx_t *x;
} issue_call_t;

static int issue_call(db_conn_t *c, void *arg)
{
    issue_call_t *ic = arg;
    issue_ctx_t *x = ic->x;
    return otp_issue_tx(c, ic->op->app, x->phone, ic->op->client_ip, x->code, &x->result,
                        &x->retry_after, &x->otp_id);
}

/* Sends the code and records the attempt; a failed SMS removes the code. */
static err_t *deliver(op_t *op, const char *phone, char code[5], int64_t otp_id, int64_t actor_id)
{
    char body[128], err[160] = "";
    snprintf(body, sizeof body,
             "Your Loopin verification code is: %s. This code expires in 10 minutes.", code);
    int sent = sms_send(op->app->sms, phone, body, err, sizeof err);
    sodium_memzero(code, 5);
    sodium_memzero(body, sizeof body);
    audit_entry_t e = {.actor_id = actor_id,
                       .action = "auth.otp.sent",
                       .object_type = "phone",
                       .payload = json_pack("{s:s}", "phone", phone),
                       .success = sent == 0,
                       .error = sent == 0 ? NULL : err};
    audit_write(op->db, op, &e);
    if (sent == 0)
        return NULL;
    otp_invalidate(op->db, otp_id); /* never leave a live code nobody received */
    return refuse(op, "SMS_SEND_FAILED", "Failed to send OTP. Please try again.");
}

err_t *account_send_code(op_t *op, const char *phone, int64_t actor_id)
{
    char code[5];
    otp_generate(code);
    issue_ctx_t x = {.phone = phone, .code = code};
    issue_call_t ic = {op, &x};
    int rc = db_tx_run(op->db, DB_TX_WRITE, issue_call, &ic);
    /* a concurrent request for the phone won the race: that is the cooldown */
    if (rc != DB_OK && !(rc == DB_UNIQUE && x.result == OTP_REFUSED_COOLDOWN)) {
        sodium_memzero(code, sizeof code);
        return op_db_fail(op, rc);
    }
    if (x.result != OTP_ISSUED) {
        sodium_memzero(code, sizeof code);
        return issue_refusal(op, &x);
    }
    return deliver(op, phone, code, x.otp_id, actor_id);
}

/* ---- verifying a code -------------------------------------------------------------- */

typedef struct {
    op_t *op;
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
    int64_t now = x->op->now_us;
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
        x->created = x->account.exists = x->account.is_active = true;
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
    return audit_write(c, x->op, &e);
}

static int verify_tx(db_conn_t *c, void *arg)
{
    verify_ctx_t *x = arg;
    x->created = false;
    memset(&x->account, 0, sizeof x->account);
    int rc = otp_check_tx(c, x->op->app, x->phone, x->code, &x->result, &x->attempts_left,
                          &x->retry_after);
    if (rc == DB_OK && x->result == OTP_OK)
        rc = settle_account(c, x);
    if (rc == DB_OK)
        rc = audit_verify(c, x);
    return rc;
}

/* The refusal for a code that did not verify. */
static err_t *check_refusal(op_t *op, const verify_ctx_t *x)
{
    switch (x->result) {
    case OTP_NOT_FOUND:
        return refuse(op, "OTP_NOT_FOUND",
                      "No OTP found for this phone number. Please request a new OTP.");
    case OTP_EXPIRED:
        return refuse(op, "OTP_EXPIRED", "OTP has expired");
    case OTP_WRONG:
        return refuse(
            op, "OTP_INVALID",
            arena_printf(op->arena, "Invalid OTP. %d attempts remaining", x->attempts_left));
    default:
        return limited(op, "OTP_LOCKED", x->retry_after,
                       arena_printf(op->arena,
                                    "Too many attempts. Please try again in %lld minutes.",
                                    (long long)((x->retry_after + 59) / 60)));
    }
}

err_t *account_verify(op_t *op, const char *phone, const char *code, bool may_create,
                      account_t *out)
{
    verify_ctx_t x = {.op = op, .phone = phone, .code = code, .may_create = may_create};
    if (!may_create) {
        err_t *e = account_find(op, phone, out);
        if (e)
            return e;
        if (!out->exists) /* never spend a code on an unknown account */
            return refuse(op, "USER_NOT_FOUND", "User not found");
    }
    int rc = db_tx_run(op->db, DB_TX_WRITE, verify_tx, &x);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (x.result != OTP_OK)
        return check_refusal(op, &x);
    *out = x.account;
    return NULL;
}

err_t *account_settle_waitlist(op_t *op, account_t *a)
{
    if (a->is_active || !a->waitlist_promote_at || a->waitlist_promote_at > op->now_us)
        return NULL;
    bool promoted = false;
    int rc = waitlist_promote_if_due(op, a->id, &promoted);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    a->is_active = true; /* by this call or a concurrent one */
    a->waitlist_promote_at = 0;
    return NULL;
}

char *account_issue_token(op_t *op, int64_t user_id, const char *phone)
{
    jwt_claims_t cl = {.user_id = user_id};
    cl.iat = op->now_us / USEC_PER_SEC;
    cl.exp = cl.iat + op->app->cfg.token_ttl_s;
    snprintf(cl.phone_number, sizeof cl.phone_number, "%s", phone);
    rand_hex(cl.jti, 16);
    return jwt_sign(op->app->keys.jwt, &cl);
}

/* ---- logout ------------------------------------------------------------------------ */

static const char SQL_REVOKE[] =
    "INSERT INTO revoked_tokens (jti, user_id, expires_at, created_at) VALUES ($1, $2, $3, $4) "
    "ON CONFLICT (jti) DO NOTHING";

err_t *account_logout(op_t *op)
{
    const actor_t *u = &op->actor;
    if (u->id == 0)
        return NULL; /* no valid token: nothing to revoke, and logout always succeeds */
    int rc = db_exec(op->db, SQL_REVOKE,
                     DB_ARGS(db_text(u->jti), db_int(u->id), db_time(u->token_exp * USEC_PER_SEC),
                             db_time(op->now_us)),
                     NULL);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    /* committed: this process refuses the token from now on (other
     * processes hear of it from the revoked_tokens trigger, migration 0021) */
    db_notify_local(op->app->notify, "jti:%s", u->jti);
    audit_entry_t e = {.actor_id = u->id,
                       .action = "auth.logout",
                       .object_type = "user",
                       .object_id = u->id,
                       .success = true};
    rc = audit_write(op->db, op, &e);
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}
