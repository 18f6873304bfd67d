/*
 * jobs.c: the queue mechanics: enqueue, claim with a lease, finish, retry
 * with backoff, and the scheduler thread that drives them inside `serve`
 * (and alone in `loopin worker`).
 */
#include "jobs/jobs.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/rand.h"
#include "http/metrics.h"

#define LEASE_S          300
#define MAX_BACKOFF_S    3600
#define PERIODIC_CHECK_S 30

static const job_kind_t *find_kind(const app_t *app, const char *kind)
{
    for (int i = 0; app->job_kinds && app->job_kinds[i]; i++)
        if (strcmp(app->job_kinds[i]->kind, kind) == 0)
            return app->job_kinds[i];
    return NULL;
}

static const char SQL_ENQUEUE[] =
    "INSERT INTO jobs (kind, payload, status, attempts, max_attempts, run_at, dedupe_key, "
    "created_at, updated_at) VALUES ($1, $2, 'pending', 0, $3, $4, $5, $6, $6) "
    "ON CONFLICT (kind, dedupe_key) WHERE status IN ('pending', 'running') AND dedupe_key IS "
    "NOT NULL DO NOTHING";

int jobs_enqueue(const app_t *app, db_conn_t *c, const char *kind, const char *payload_json,
                 int64_t run_at_us, const char *dedupe_key, bool *added)
{
    const job_kind_t *k = find_kind(app, kind);
    int64_t n = 0;
    int rc = db_exec(c, SQL_ENQUEUE,
                     DB_ARGS(db_text(kind), db_text(payload_json ? payload_json : "{}"),
                             db_int(k && k->max_attempts ? k->max_attempts : 5), db_time(run_at_us),
                             db_text(dedupe_key), db_time(clock_now_us())),
                     &n);
    if (added)
        *added = rc == DB_OK && n > 0;
    return rc;
}

/* A job whose worker died on its last allowed attempt is dead, not retried. */
static const char SQL_BURY[] =
    "UPDATE jobs SET status = 'dead', locked_until = NULL, finished_at = $1, updated_at = $1, "
    "last_error = 'lease expired on the last attempt' "
    "WHERE status = 'running' AND locked_until < $1 AND attempts >= max_attempts";

/* Takes over jobs whose lease expired (their worker died), else the oldest
 * due ones, up to CLAIM_BATCH in one transaction. Two statements, not one
 * with OR: each walks its own index in order (jobs_lease_idx, jobs_due_idx)
 * and stops at the LIMIT, where the OR made SQLite collect and sort every
 * due job on each claim, quadratic under a backlog (a campaign's 10,000 push
 * jobs). Claiming several at once matters on PostgreSQL, where each scan
 * first steps over the index entries of the jobs just finished (dead until
 * vacuumed): one scan per batch instead of one per job. */
#define CLAIM_BATCH      8
#define RECOVER_EVERY_US (1000 * 1000LL)
#define SQL_CLAIM_SET                                                                              \
    "UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_until = $2, "             \
    "locked_by = $3, updated_at = $1 WHERE id IN (SELECT id FROM jobs WHERE "
#define SQL_CLAIM_RETURNING ") RETURNING id, kind, payload, attempts, max_attempts"
static const char SQL_TAKE_OVER[] =
    SQL_CLAIM_SET "status = 'running' AND locked_until < $1 AND attempts < max_attempts ORDER BY "
                  "locked_until, id LIMIT $4 @SKIP_LOCKED" SQL_CLAIM_RETURNING;
static const char SQL_CLAIM[] =
    SQL_CLAIM_SET "status = 'pending' AND run_at <= $1 AND attempts < max_attempts ORDER BY "
                  "run_at, id LIMIT $4 @SKIP_LOCKED" SQL_CLAIM_RETURNING;

typedef struct {
    int64_t id, attempts, max_attempts;
    char kind[64];
    char *payload;
} claimed_t;

typedef struct {
    app_t *app;
    const char *worker;
    claimed_t jobs[CLAIM_BATCH];
    int n;
} claim_t;

static void claim_clear(claim_t *cl)
{
    for (int i = 0; i < cl->n; i++)
        free(cl->jobs[i].payload);
    cl->n = 0;
}

static int by_id(const void *a, const void *b)
{
    int64_t x = ((const claimed_t *)a)->id, y = ((const claimed_t *)b)->id;
    return (x > y) - (x < y);
}

static int claim_rows(db_conn_t *c, claim_t *cl, const char *sql, int64_t now)
{
    db_rows_t *rows;
    int rc = db_query(c, sql,
                      DB_ARGS(db_time(now), db_time(now + LEASE_S * USEC_PER_SEC),
                              db_text(cl->worker), db_int(CLAIM_BATCH - cl->n)),
                      &rows);
    if (rc != DB_OK)
        return rc;
    while (db_next(rows) && cl->n < CLAIM_BATCH) {
        claimed_t *j = &cl->jobs[cl->n++];
        j->id = db_col_int(rows, 0);
        snprintf(j->kind, sizeof j->kind, "%s", db_col_text(rows, 1));
        j->payload = strdup(db_col_text(rows, 2) ? db_col_text(rows, 2) : "{}");
        j->attempts = db_col_int(rows, 3);
        j->max_attempts = db_col_int(rows, 4);
    }
    rc = db_rows_status(rows);
    db_rows_free(rows);
    return rc;
}

static int64_t lease_of(const app_t *app, const char *kind)
{
    const job_kind_t *k = find_kind(app, kind);
    return k && k->lease_s > 0 ? k->lease_s : LEASE_S;
}

/* (Re)starts the job's lease at now if this worker still holds it; *held
 * (may be NULL) says whether it did: a later job of a batch whose lease ran
 * out while the earlier ones ran may have been taken over. */
static int lease(db_conn_t *c, const app_t *app, const char *worker, const claimed_t *j,
                 int64_t now, bool *held)
{
    int64_t n = 0;
    int rc = db_exec(c,
                     "UPDATE jobs SET locked_until = $2 WHERE id = $1 AND locked_by = $3 AND "
                     "status = 'running'",
                     DB_ARGS(db_int(j->id), db_time(now + lease_of(app, j->kind) * USEC_PER_SEC),
                             db_text(worker)),
                     &n);
    if (held)
        *held = rc == DB_OK && n == 1;
    return rc;
}

static int claim_tx(db_conn_t *c, void *ctx)
{
    claim_t *cl = ctx;
    claim_clear(cl); /* a retried transaction starts over */
    int64_t now = clock_now_us();
    /* Expired leases (a dead worker's jobs) are looked for once a second per
     * process, not on every claim: on PostgreSQL those scans step over the
     * index entries of every job that finished since the last vacuum, and a
     * lease is 30 s or more anyway. */
    int rc = DB_OK;
    if (now >= atomic_load(&cl->app->jobs_recover_at)) {
        atomic_store(&cl->app->jobs_recover_at, now + RECOVER_EVERY_US);
        rc = db_exec(c, SQL_BURY, DB_ARGS(db_time(now)), NULL);
        if (rc == DB_OK)
            rc = claim_rows(c, cl, SQL_TAKE_OVER, now);
    }
    if (rc == DB_OK && cl->n < CLAIM_BATCH)
        rc = claim_rows(c, cl, SQL_CLAIM, now);
    if (rc != DB_OK)
        return rc;
    qsort(cl->jobs, (size_t)cl->n, sizeof cl->jobs[0], by_id); /* oldest first */
    for (int i = 0; i < cl->n && rc == DB_OK; i++)
        if (lease_of(cl->app, cl->jobs[i].kind) != LEASE_S)
            rc = lease(c, cl->app, cl->worker, &cl->jobs[i], now, NULL);
    return rc;
}

static int64_t backoff_us(int64_t attempts)
{
    int64_t s = 5;
    for (int64_t i = 1; i < attempts && s < MAX_BACKOFF_S; i++)
        s *= 2;
    if (s > MAX_BACKOFF_S)
        s = MAX_BACKOFF_S;
    return s * USEC_PER_SEC + (int64_t)rand_uniform((uint32_t)(s * 200000)); /* +0-20% */
}

static void finish(db_conn_t *c, const char *worker, const claimed_t *cl, bool ok,
                   const char *error)
{
    int64_t now = clock_now_us();
    if (ok) {
        db_exec(c,
                "UPDATE jobs SET status = 'done', locked_until = NULL, last_error = '', "
                "finished_at = $2, updated_at = $2 WHERE id = $1 AND locked_by = $3",
                DB_ARGS(db_int(cl->id), db_time(now), db_text(worker)), NULL);
        return;
    }
    bool dead = cl->attempts >= cl->max_attempts;
    db_exec(c,
            "UPDATE jobs SET status = $2, run_at = $3, locked_until = NULL, last_error = $4, "
            "finished_at = $5, updated_at = $6 WHERE id = $1 AND locked_by = $7",
            DB_ARGS(db_int(cl->id), db_text(dead ? "dead" : "pending"),
                    db_time(now + backoff_us(cl->attempts)), db_text(error),
                    dead ? db_time(now) : db_null(), db_time(now), db_text(worker)),
            NULL);
}

/* Runs the handler as a system operation; 0 or -1 with err filled. */
static int run_handler(app_t *app, db_conn_t *c, const job_kind_t *k, const claimed_t *cl,
                       json_t *payload, char *err, size_t errlen)
{
    arena_t arena;
    arena_init(&arena);
    op_t op;
    op_init_system(&op, app, c, &arena,
                   arena_printf(&arena, "job:%s:%lld", cl->kind, (long long)cl->id));
    err_t *e = k->handler(&op, payload);
    if (e)
        snprintf(err, errlen, "%s%s%s", e->message, e->cause ? ": " : "", e->cause ? e->cause : "");
    err_discard(e);
    arena_free(&arena);
    return e ? -1 : 0;
}

/* Runs one claimed job on c and records how it went. */
static void run_claimed(app_t *app, db_conn_t *c, const char *worker, const claimed_t *cl)
{
    const job_kind_t *k = find_kind(app, cl->kind);
    char err[256] = "";
    json_t *payload = json_loads(cl->payload, 0, NULL);
    int hrc = -1;
    if (!k)
        snprintf(err, sizeof err, "no handler for job kind %s", cl->kind);
    else
        hrc = run_handler(app, c, k, cl, payload, err, sizeof err);
    json_decref(payload);
    if (db_in_tx(c))
        db_tx_rollback(c); /* a handler must not leave a transaction open */
    finish(c, worker, cl, hrc == 0, err);
    if (k && k->period_s > 0) /* schedule the next run now, not at the next check */
        jobs_enqueue(app, c, k->kind, "{}", clock_now_us() + k->period_s * USEC_PER_SEC, k->kind,
                     NULL);
    if (app->metrics)
        metrics_job_done(app->metrics, cl->kind, hrc == 0);
    char idbuf[24];
    snprintf(idbuf, sizeof idbuf, "%lld", (long long)cl->id);
    if (hrc == 0)
        log_msg(LOG_INFO, "job done", "kind", cl->kind, "id", idbuf, NULL);
    else
        log_msg(LOG_WARN, "job failed", "kind", cl->kind, "id", idbuf, "error", err, NULL);
}

int jobs_run_one(app_t *app, const char *worker_id, bool *ran)
{
    *ran = false;
    db_conn_t *c = db_acquire(app->db);
    if (!c)
        return DB_TIMEOUT;
    /* PostgreSQL caches a generic plan per prepared statement, made with the
     * statistics of the moment: on a fresh database the queue's tables are
     * tiny, their plans become sequential scans and stay so while a campaign
     * fills them (each claim and each delivery then read every row). Jobs
     * plan each statement for the table as it is now; requests keep their
     * cached plans. */
    bool pg = db_dialect(c) == DB_DIALECT_PG;
    if (pg)
        db_exec(c, "SET plan_cache_mode = force_custom_plan", NULL, 0, NULL);
    claim_t cl = {.app = app, .worker = worker_id};
    int rc = db_tx_run(c, DB_TX_WRITE, claim_tx, &cl);
    if (rc == DB_OK) {
        *ran = cl.n > 0;
        for (int i = 0; i < cl.n; i++) {
            bool held = true; /* the first was leased by the claim itself */
            if (i > 0 && lease(c, app, worker_id, &cl.jobs[i], clock_now_us(), &held) != DB_OK)
                held = false;
            if (held)
                run_claimed(app, c, worker_id, &cl.jobs[i]);
        }
    }
    claim_clear(&cl);
    if (pg)
        db_exec(c, "RESET plan_cache_mode", NULL, 0, NULL);
    db_release(c);
    return rc;
}

int jobs_schedule_periodic(app_t *app)
{
    db_conn_t *c = db_acquire(app->db);
    if (!c)
        return DB_TIMEOUT;
    int rc = DB_OK;
    for (int i = 0; app->job_kinds && app->job_kinds[i] && rc == DB_OK; i++) {
        const job_kind_t *k = app->job_kinds[i];
        if (k->period_s > 0)
            rc = jobs_enqueue(app, c, k->kind, "{}", clock_now_us() + k->period_s * USEC_PER_SEC,
                              k->kind, NULL);
    }
    db_release(c);
    return rc;
}

/* ---- the scheduler thread ------------------------------------------- */

struct jobs_runner {
    app_t *app;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
    bool kicked; /* work was queued since the last look: do not sleep */
    char worker_id[64];
};

void jobs_kick(app_t *app)
{
    jobs_runner_t *r = app ? app->jobs : NULL;
    if (!r)
        return;
    pthread_mutex_lock(&r->mu);
    r->kicked = true;
    pthread_cond_signal(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

static bool wait_or_stop(jobs_runner_t *r, int ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&r->mu);
    if (!r->stop && !r->kicked)
        pthread_cond_timedwait(&r->cv, &r->mu, &ts);
    r->kicked = false;
    bool stop = r->stop;
    pthread_mutex_unlock(&r->mu);
    return stop;
}

static void *runner_main(void *arg)
{
    jobs_runner_t *r = arg;
    int64_t next_periodic = 0;
    for (;;) {
        int64_t now = clock_mono_us();
        if (now >= next_periodic) {
            if (jobs_schedule_periodic(r->app) != DB_OK)
                log_msg(LOG_WARN, "could not schedule periodic jobs", NULL);
            next_periodic = now + PERIODIC_CHECK_S * USEC_PER_SEC;
        }
        bool ran = false;
        /* Drain what is due before sleeping again. */
        while (jobs_run_one(r->app, r->worker_id, &ran) == DB_OK && ran) {
            pthread_mutex_lock(&r->mu);
            bool stop = r->stop;
            pthread_mutex_unlock(&r->mu);
            if (stop)
                return NULL;
        }
        if (wait_or_stop(r, r->app->cfg.jobs_poll_ms))
            return NULL;
    }
}

jobs_runner_t *jobs_runner_start(app_t *app)
{
    jobs_runner_t *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->app = app;
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv, NULL);
    char rnd[9];
    rand_hex(rnd, 4);
    char host[32] = "";
    gethostname(host, sizeof host - 1);
    snprintf(r->worker_id, sizeof r->worker_id, "%s:%d:%s", host, (int)getpid(), rnd);
    if (pthread_create(&r->thread, NULL, runner_main, r) != 0) {
        pthread_mutex_destroy(&r->mu);
        pthread_cond_destroy(&r->cv);
        free(r);
        return NULL;
    }
    return r;
}

void jobs_runner_stop(jobs_runner_t *r)
{
    if (!r)
        return;
    pthread_mutex_lock(&r->mu);
    r->stop = true;
    pthread_cond_signal(&r->cv);
    pthread_mutex_unlock(&r->mu);
    pthread_join(r->thread, NULL);
    pthread_mutex_destroy(&r->mu);
    pthread_cond_destroy(&r->cv);
    free(r);
}
