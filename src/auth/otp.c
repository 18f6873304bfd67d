/*
 * otp.c: issuing and checking one-time codes (rules in otp.h). Limits live
 * in the database so they hold across processes: the lockout and the IP
 * limit in auth_rate_limits, the per-phone limits read from the codes
 * themselves (one indexed range scan of the last hour).
 */
#include "auth/otp.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "auth/ratelimit.h"
#include "core/clock.h"
#include "core/rand.h"

#define HOUR_S 3600

void otp_generate(char code[5])
{
    snprintf(code, 5, "%04u", (unsigned)rand_uniform(10000) % 10000u);
}

void otp_hash(const unsigned char key[32], const char *phone, const char *code, char out[65])
{
    crypto_auth_hmacsha256_state st;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_init(&st, key, 32);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)phone, strlen(phone));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)"|" OTP_TYPE "|", 8);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)code, strlen(code));
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2hex(out, 65, mac, sizeof mac);
}

static void lock_key(const char *phone, char out[48])
{
    snprintf(out, 48, "otp-fail:%s", phone);
}

static const char SQL_RECENT[] =
    "SELECT count(*), min(created_at), max(created_at) FROM user_phone_otps "
    "WHERE phone = $1 AND created_at > $2";

static const char SQL_SUPERSEDE[] =
    "UPDATE user_phone_otps SET status = 'expired', updated_at = $2 "
    "WHERE phone = $1 AND otp_type = '" OTP_TYPE "' AND status = 'pending'";

static const char SQL_INSERT[] =
    "INSERT INTO user_phone_otps (phone, otp_type, code_hash, status, attempts, expires_at, "
    "created_at, updated_at) VALUES ($1, '" OTP_TYPE "', $2, 'pending', 0, $3, $4, $4) "
    "RETURNING id";

/* Per-phone limits: the cooldown since the last code, and codes in the last
 * hour. */
static int check_phone_limits(db_conn_t *c, const app_t *app, const char *phone, int64_t now,
                              otp_issue_t *result, int64_t *retry)
{
    db_rows_t *rows;
    int rc = db_query(c, SQL_RECENT, DB_ARGS(db_text(phone), db_time(now - HOUR_S * USEC_PER_SEC)),
                      &rows);
    if (rc != DB_OK)
        return rc;
    if (db_next(rows)) {
        int64_t n = db_col_int(rows, 0), oldest = db_col_time(rows, 1),
                newest = db_col_time(rows, 2);
        int64_t cooldown_end = newest + (int64_t)app->cfg.otp_cooldown_s * USEC_PER_SEC;
        if (n > 0 && cooldown_end > now) {
            *result = OTP_REFUSED_COOLDOWN;
            *retry = (cooldown_end - now + USEC_PER_SEC - 1) / USEC_PER_SEC;
        } else if (n >= app->cfg.otp_per_phone_hour) {
            *result = OTP_REFUSED_PHONE;
            *retry = (oldest + HOUR_S * USEC_PER_SEC - now + USEC_PER_SEC - 1) / USEC_PER_SEC;
        }
    }
    rc = db_rows_status(rows);
    db_rows_free(rows);
    return rc;
}

int otp_issue_tx(db_conn_t *c, const app_t *app, const char *phone, const char *client_ip,
                 const char *code, otp_issue_t *result, int64_t *retry_after_s, int64_t *otp_id)
{
    int64_t now = clock_now_us(), failures = 0;
    char key[80];
    *result = OTP_ISSUED;
    *retry_after_s = 0;
    /* Serialise requests for one phone: the upsert row-locks a per-phone
     * counter until commit, so a concurrent request sees this one's code
     * (PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises writers). */
    int64_t serial = 0;
    snprintf(key, sizeof key, "otp-issue:%s", phone);
    int rc = ratelimit_hit(c, key, HOUR_S, now, &serial, retry_after_s);
    if (rc != DB_OK)
        return rc;
    now = clock_now_us(); /* the lock may have waited for another request */
    lock_key(phone, key);
    rc = ratelimit_window(c, key, OTP_LOCK_WINDOW_S, now, &failures, retry_after_s);
    if (rc != DB_OK || failures >= OTP_MAX_FAILURES) {
        *result = OTP_REFUSED_LOCKED;
        return rc;
    }
    rc = check_phone_limits(c, app, phone, now, result, retry_after_s);
    if (rc != DB_OK || *result != OTP_ISSUED)
        return rc;
    int64_t ip_count = 0;
    snprintf(key, sizeof key, "otp-ip:%s", client_ip);
    rc = ratelimit_hit(c, key, HOUR_S, now, &ip_count, retry_after_s);
    if (rc != DB_OK || ip_count > app->cfg.otp_per_ip_hour) {
        *result = OTP_REFUSED_IP;
        return rc;
    }
    *retry_after_s = 0;
    char hash[65];
    otp_hash(app->keys.otp, phone, code, hash);
    rc = db_exec(c, SQL_SUPERSEDE, DB_ARGS(db_text(phone), db_time(now)), NULL);
    if (rc == DB_OK) {
        bool found = false;
        rc = db_query_int(c, SQL_INSERT,
                          DB_ARGS(db_text(phone), db_text(hash),
                                  db_time(now + OTP_TTL_S * USEC_PER_SEC), db_time(now)),
                          otp_id, &found);
    }
    if (rc == DB_UNIQUE) { /* a concurrent request for the same phone won */
        *result = OTP_REFUSED_COOLDOWN;
        *retry_after_s = app->cfg.otp_cooldown_s > 0 ? app->cfg.otp_cooldown_s : 1;
    }
    return rc; /* DB_UNIQUE rolls back: PostgreSQL has aborted the transaction */
}

int otp_invalidate(db_conn_t *c, int64_t otp_id)
{
    /* Deleted rather than marked: a code nobody received must not count
     * towards the phone's cooldown or hourly limit (the audit log keeps the
     * failed send; the client IP limit still applies). */
    return db_exec(c, "DELETE FROM user_phone_otps WHERE id = $1 AND status = 'pending'",
                   DB_ARGS(db_int(otp_id)), NULL);
}

static const char SQL_PENDING[] =
    "SELECT id, code_hash, expires_at FROM user_phone_otps WHERE phone = $1 AND otp_type = "
    "'" OTP_TYPE "' AND status = 'pending' @FOR_UPDATE";

typedef struct {
    int64_t id, expires_at;
    char hash[65];
} pending_t;

static int load_pending(db_conn_t *c, const char *phone, pending_t *p)
{
    db_rows_t *rows;
    int rc = db_query(c, SQL_PENDING, DB_ARGS(db_text(phone)), &rows);
    if (rc != DB_OK)
        return rc;
    p->id = 0;
    if (db_next(rows)) {
        p->id = db_col_int(rows, 0);
        snprintf(p->hash, sizeof p->hash, "%s", db_col_text(rows, 1));
        p->expires_at = db_col_time(rows, 2);
    }
    rc = db_rows_status(rows);
    db_rows_free(rows);
    return rc;
}

static int set_status(db_conn_t *c, int64_t id, const char *status, int64_t now, bool attempt)
{
    return db_exec(c,
                   attempt ? "UPDATE user_phone_otps SET status = $2, attempts = attempts + 1, "
                             "updated_at = $3 WHERE id = $1"
                   : !strcmp(status, "verified")
                       ? "UPDATE user_phone_otps SET status = $2, verified_at = $3, "
                         "updated_at = $3 WHERE id = $1"
                       : "UPDATE user_phone_otps SET status = $2, updated_at = $3 WHERE id = $1",
                   DB_ARGS(db_int(id), db_text(status), db_time(now)), NULL);
}

/* A wrong code: counted on the code and in the phone's lockout window. */
static int record_failure(db_conn_t *c, const char *phone, const pending_t *p, int64_t now,
                          otp_check_t *result, int *left, int64_t *retry)
{
    char key[80];
    int64_t failures = 0;
    lock_key(phone, key);
    int rc = ratelimit_since_first(c, key, OTP_LOCK_WINDOW_S, now, &failures, retry);
    if (rc != DB_OK)
        return rc;
    bool locked = failures >= OTP_MAX_FAILURES;
    rc = set_status(c, p->id, locked ? "failed" : "pending", now, true);
    *result = locked ? OTP_LOCKED_NOW : OTP_WRONG;
    *left = locked ? 0 : (int)(OTP_MAX_FAILURES - failures);
    return rc;
}

int otp_check_tx(db_conn_t *c, const app_t *app, const char *phone, const char *code,
                 otp_check_t *result, int *attempts_left, int64_t *retry_after_s)
{
    int64_t now = clock_now_us(), failures = 0;
    char key[80];
    *attempts_left = 0;
    lock_key(phone, key);
    int rc = ratelimit_window(c, key, OTP_LOCK_WINDOW_S, now, &failures, retry_after_s);
    if (rc != DB_OK)
        return rc;
    if (failures >= OTP_MAX_FAILURES) {
        *result = OTP_LOCKED;
        return DB_OK;
    }
    pending_t p;
    if ((rc = load_pending(c, phone, &p)) != DB_OK)
        return rc;
    if (!p.id) {
        *result = OTP_NOT_FOUND;
        return DB_OK;
    }
    if (now >= p.expires_at) {
        *result = OTP_EXPIRED;
        return set_status(c, p.id, "expired", now, false);
    }
    char hash[65];
    otp_hash(app->keys.otp, phone, code, hash);
    if (sodium_memcmp(hash, p.hash, 64) != 0)
        return record_failure(c, phone, &p, now, result, attempts_left, retry_after_s);
    *result = OTP_OK;
    return set_status(c, p.id, "verified", now, false);
}
