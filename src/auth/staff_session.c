/*
 * staff_session.c: the console's sessions (staff_session.h). The secret
 * never reaches the database or a log: rows are found by SHA-256 of the
 * secret, and the CSRF token is an HMAC of it.
 */
#include "auth/staff_session.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "core/clock.h"
#include "core/rand.h"

#define B64 sodium_base64_VARIANT_URLSAFE_NO_PADDING

_Static_assert(STAFF_SECRET_LEN + 1 == sodium_base64_ENCODED_LEN(32, B64), "secret length");

static void secret_hash(const char *secret, char hex[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)secret, strlen(secret));
    sodium_bin2hex(hex, 65, h, sizeof h);
}

static const char SQL_CREATE[] =
    "INSERT INTO staff_sessions (secret_hash, user_id, ip_address, user_agent, created_at, "
    "last_seen_at, idle_until, expires_at) VALUES ($1, $2, $3, $4, $5, $5, $6, $7) RETURNING id";

int staff_session_create(op_t *op, int64_t user_id, char secret[STAFF_SECRET_LEN + 1],
                         staff_session_t *out)
{
    unsigned char raw[32];
    char hash[65];
    rand_bytes(raw, sizeof raw);
    sodium_bin2base64(secret, STAFF_SECRET_LEN + 1, raw, sizeof raw, B64);
    sodium_memzero(raw, sizeof raw);
    secret_hash(secret, hash);
    int64_t now = op->now_us;
    *out = (staff_session_t){.user_id = user_id,
                             .created_at = now,
                             .last_seen_at = now,
                             .idle_until = now + STAFF_SESSION_IDLE_S * USEC_PER_SEC,
                             .expires_at = now + STAFF_SESSION_MAX_S * USEC_PER_SEC};
    bool found = false;
    char ua[1025];
    snprintf(ua, sizeof ua, "%s", op->user_agent ? op->user_agent : "");
    return db_query_int(op->db, SQL_CREATE,
                        DB_ARGS(db_text(hash), db_int(user_id), db_text(op->client_ip), db_text(ua),
                                db_time(now), db_time(out->idle_until), db_time(out->expires_at)),
                        &out->id, &found);
}

static const char SQL_FIND[] =
    "SELECT s.id, s.user_id, s.created_at, s.expires_at, s.idle_until, s.last_seen_at, u.uuid, "
    "u.phone, u.is_active, u.is_staff, u.is_superuser FROM staff_sessions s JOIN users u ON u.id "
    "= s.user_id WHERE s.secret_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND "
    "s.idle_until > $2";
static const char SQL_SEEN[] =
    "UPDATE staff_sessions SET last_seen_at = $2, idle_until = $3 WHERE id = $1 AND revoked_at IS "
    "NULL";

static void read_row(db_rows_t *r, staff_session_t *s, auth_account_t *a)
{
    *s = (staff_session_t){.id = db_col_int(r, 0),
                           .user_id = db_col_int(r, 1),
                           .created_at = db_col_time(r, 2),
                           .expires_at = db_col_time(r, 3),
                           .idle_until = db_col_time(r, 4),
                           .last_seen_at = db_col_time(r, 5)};
    memset(a, 0, sizeof *a);
    snprintf(a->uuid, sizeof a->uuid, "%s", db_col_text(r, 6));
    snprintf(a->phone, sizeof a->phone, "%s", db_col_text(r, 7) ? db_col_text(r, 7) : "");
    a->is_active = db_col_bool(r, 8);
    a->is_staff = db_col_bool(r, 9);
    a->is_superuser = db_col_bool(r, 10);
}

int staff_session_find(op_t *op, const char *secret, staff_session_t *s, auth_account_t *a,
                       bool *found)
{
    *found = false;
    if (!secret || strlen(secret) != STAFF_SECRET_LEN)
        return DB_OK;
    char hash[65];
    secret_hash(secret, hash);
    db_rows_t *rows;
    int rc = db_query(op->db, SQL_FIND, DB_ARGS(db_text(hash), db_time(op->now_us)), &rows);
    if (rc != DB_OK)
        return rc;
    if ((*found = db_next(rows)))
        read_row(rows, s, a);
    rc = db_rows_status(rows);
    db_rows_free(rows);
    if (rc != DB_OK || !*found || op->now_us - s->last_seen_at < STAFF_SEEN_EVERY_S * USEC_PER_SEC)
        return rc;
    int64_t idle = op->now_us + STAFF_SESSION_IDLE_S * USEC_PER_SEC;
    s->idle_until = idle < s->expires_at ? idle : s->expires_at;
    s->last_seen_at = op->now_us;
    return db_exec(op->db, SQL_SEEN,
                   DB_ARGS(db_int(s->id), db_time(s->last_seen_at), db_time(s->idle_until)), NULL);
}

int staff_session_revoke(op_t *op, int64_t session_id, int64_t *n)
{
    return db_exec(op->db,
                   "UPDATE staff_sessions SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
                   DB_ARGS(db_int(session_id), db_time(op->now_us)), n);
}

int staff_session_revoke_user(op_t *op, int64_t user_id, int64_t *n)
{
    return db_exec(op->db,
                   "UPDATE staff_sessions SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS "
                   "NULL AND expires_at > $2",
                   DB_ARGS(db_int(user_id), db_time(op->now_us)), n);
}

void staff_csrf_token(const keys_t *keys, const char *secret, char out[STAFF_SECRET_LEN + 1])
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256(mac, (const unsigned char *)secret, strlen(secret), keys->csrf);
    sodium_bin2base64(out, STAFF_SECRET_LEN + 1, mac, sizeof mac, B64);
}

bool staff_csrf_ok(const keys_t *keys, const char *secret, const char *token)
{
    if (!secret || !token || strlen(token) != STAFF_SECRET_LEN)
        return false;
    char want[STAFF_SECRET_LEN + 1];
    staff_csrf_token(keys, secret, want);
    return sodium_memcmp(want, token, STAFF_SECRET_LEN) == 0;
}
