/*
 * purge.c: the periodic housekeeping job. Each module declares the rows
 * whose only purpose has expired (module.h purges: OTPs a day after expiry,
 * revoked tokens, rate-limit windows, slug locks, ...); this job deletes
 * them all in one transaction. Idempotent by nature.
 */
#include "jobs/purge.h"

#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/strbuf.h"

#define DAY_US (86400LL * USEC_PER_SEC)

typedef struct {
    const app_t *app;
    int64_t now;
    strbuf_t counts; /* "otps=3 jobs=0 ..." for the log */
} purge_ctx_t;

static int purge_tx(db_conn_t *c, void *arg)
{
    purge_ctx_t *p = arg;
    p->counts.len = 0;
    for (int i = 0; p->app->purges && p->app->purges[i]; i++) {
        const purge_def_t *d = p->app->purges[i];
        int64_t n = 0;
        int rc = db_exec(c, d->sql, DB_ARGS(db_time(p->now - d->keep_us)), &n);
        if (rc != DB_OK)
            return rc;
        sb_printf(&p->counts, "%s%s=%lld", p->counts.len ? " " : "", d->what, (long long)n);
    }
    return DB_OK;
}

err_t *jobs_purge_expired(op_t *op, json_t *payload)
{
    (void)payload;
    purge_ctx_t p = {.app = op->app, .now = op->now_us};
    sb_init(&p.counts);
    int rc = db_tx_run(op->db, DB_TX_WRITE, purge_tx, &p);
    if (rc == DB_OK)
        log_msg(LOG_INFO, "purged expired rows", "deleted", p.counts.data ? p.counts.data : "",
                NULL);
    sb_free(&p.counts);
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}

/* The queue's own housekeeping, declared like any module's. */
const purge_def_t jobs_purges[] = {
    {"jobs", "DELETE FROM jobs WHERE status IN ('done', 'dead') AND updated_at < $1", 7 * DAY_US},
    {"idempotency_keys", "DELETE FROM idempotency_keys WHERE expires_at < $1", 0},
    {0},
};

const job_kind_t jobs_kinds[] = {
    {"purge_expired", jobs_purge_expired, 600, 5, 0},
    {0},
};
