/*
 * purge.c: the periodic housekeeping job. Deletes rows whose only purpose has
 * expired: OTPs (a day after expiry, so lockout windows can still see them),
 * idempotency keys, revoked-token entries past the token's own expiry,
 * rate-limit windows, and finished jobs after a week. Idempotent by nature.
 */
#include <stdio.h>

#include "core/clock.h"
#include "core/log.h"
#include "jobs/handlers.h"

#define DAY_US (86400LL * USEC_PER_SEC)

static const struct {
    const char *what;
    const char *sql;
    int64_t keep_us; /* rows older than now - keep_us go */
} purges[] = {
    {"otps", "DELETE FROM user_phone_otps WHERE expires_at < $1", DAY_US},
    {"idempotency_keys", "DELETE FROM idempotency_keys WHERE expires_at < $1", 0},
    {"revoked_tokens", "DELETE FROM revoked_tokens WHERE expires_at < $1", 0},
    {"rate_limits", "DELETE FROM auth_rate_limits WHERE window_start < $1", DAY_US},
    {"jobs", "DELETE FROM jobs WHERE status IN ('done', 'dead') AND updated_at < $1", 7 * DAY_US},
    {"slug_locks", "DELETE FROM slug_locks WHERE locked_at < $1", DAY_US},
};
#define NPURGES (int)(sizeof purges / sizeof purges[0])

typedef struct {
    int64_t now;
    int64_t deleted[NPURGES];
} purge_ctx_t;

static int purge_tx(db_conn_t *c, void *arg)
{
    purge_ctx_t *p = arg;
    for (int i = 0; i < NPURGES; i++) {
        int rc =
            db_exec(c, purges[i].sql, DB_ARGS(db_time(p->now - purges[i].keep_us)), &p->deleted[i]);
        if (rc != DB_OK)
            return rc;
    }
    return DB_OK;
}

int job_purge_expired(app_t *app, db_conn_t *c, json_t *payload, char *err, size_t errlen)
{
    (void)app;
    (void)payload;
    purge_ctx_t p = {.now = clock_now_us()};
    int rc = db_tx_run(c, DB_TX_WRITE, purge_tx, &p);
    if (rc != DB_OK) {
        snprintf(err, errlen, "purge failed: %s", db_errmsg(c));
        return -1;
    }
    char n[NPURGES][24];
    for (int i = 0; i < NPURGES; i++)
        snprintf(n[i], sizeof n[i], "%lld", (long long)p.deleted[i]);
    log_msg(LOG_INFO, "purged expired rows", purges[0].what, n[0], purges[1].what, n[1],
            purges[2].what, n[2], purges[3].what, n[3], purges[4].what, n[4], purges[5].what, n[5],
            NULL);
    return 0;
}
