/*
 * db_pool.c: the connection pool and the driver-independent half of db.h:
 * borrowing and returning connections, transactions (with retry on busy or
 * serialization failures), and the thin dispatch from the public db_* calls
 * to the driver behind each connection.
 */
#include "db/db_internal.h"

#include "core/log.h"

#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DB_TX_ATTEMPTS 5

struct db_pool {
    const struct db_driver *drv;
    int size;
    int acquire_timeout_ms;
    pthread_mutex_t mu;
    pthread_cond_t returned; /* a connection went back on the idle stack */
    int nidle;               /* guarded by mu, as is idle[] */
    db_conn_t **idle;        /* stack of connections nobody holds */
    db_conn_t **all;         /* every connection, for close */
    db_pool_wait_t wait;     /* guarded by mu */
};

const double db_pool_wait_bounds[DB_POOL_WAIT_BUCKETS] = {0.0001, 0.0005, 0.001, 0.005, 0.01,
                                                          0.05,   0.1,    0.5,   1,     5};

/* Counts one borrow's wait (under mu). */
static void note_wait(db_pool_t *pool, int64_t waited_ns, bool timed_out)
{
    double s = (double)waited_ns / 1e9;
    int b = 0;
    while (b < DB_POOL_WAIT_BUCKETS && s > db_pool_wait_bounds[b])
        b++;
    if (b < DB_POOL_WAIT_BUCKETS)
        pool->wait.bucket[b]++;
    pool->wait.count++;
    pool->wait.sum_s += s;
    pool->wait.timeouts += timed_out;
}

static int64_t mono_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

void db_pool_wait_stats(db_pool_t *pool, db_pool_wait_t *out)
{
    pthread_mutex_lock(&pool->mu);
    *out = pool->wait;
    pthread_mutex_unlock(&pool->mu);
}

/* ---- pool ------------------------------------------------------------- */

static db_pool_t *pool_alloc(const struct db_driver *drv, const db_pool_config_t *cfg)
{
    db_pool_t *pool = calloc(1, sizeof *pool);
    if (!pool)
        return NULL;
    pool->drv = drv;
    pool->size = cfg->size;
    pool->acquire_timeout_ms = cfg->acquire_timeout_ms > 0 ? cfg->acquire_timeout_ms : 0;
    pool->idle = calloc((size_t)cfg->size, sizeof *pool->idle);
    pool->all = calloc((size_t)cfg->size, sizeof *pool->all);
    /* Deadlines use the monotonic clock so a wall-clock jump cannot stretch them. */
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&pool->returned, &attr);
    pthread_condattr_destroy(&attr);
    pthread_mutex_init(&pool->mu, NULL);
    if (!pool->idle || !pool->all) {
        db_pool_close(pool);
        return NULL;
    }
    return pool;
}

int db_pool_open(const db_pool_config_t *cfg, db_pool_t **out, char *err, size_t errlen)
{
    char path[4096], masked[512], reason[256];
    *out = NULL;
    db_url_mask(cfg->url, masked, sizeof masked);
    int dialect = db_url_dialect(cfg->url, path, sizeof path);
    if (!dialect) {
        snprintf(err, errlen, "unsupported database URL '%s'", masked);
        return DB_ERROR;
    }
    if (cfg->size < 1) {
        snprintf(err, errlen, "database pool size must be at least 1");
        return DB_ERROR;
    }
    if (sodium_init() < 0) { /* randombytes_uniform jitters the retry backoff */
        snprintf(err, errlen, "libsodium failed to initialise");
        return DB_ERROR;
    }
    const struct db_driver *drv = dialect == DB_DIALECT_PG ? &db_pg_driver : &db_sqlite_driver;
    db_pool_t *pool = pool_alloc(drv, cfg);
    if (!pool) {
        snprintf(err, errlen, "out of memory");
        return DB_ERROR;
    }
    /* Every slot connects now, so a bad URL or password fails at startup. */
    const char *target = dialect == DB_DIALECT_PG ? cfg->url : path;
    for (int i = 0; i < cfg->size; i++) {
        db_conn_t *c = NULL;
        if (drv->open(target, cfg, &c, reason, sizeof reason) != DB_OK) {
            snprintf(err, errlen, "cannot open database '%s': %s", masked, reason);
            db_pool_close(pool);
            return DB_ERROR;
        }
        c->pool = pool;
        pool->all[i] = c;
        pool->idle[pool->nidle++] = c;
    }
    *out = pool;
    return DB_OK;
}

/* Every connection must have been released. */
void db_pool_close(db_pool_t *pool)
{
    if (!pool)
        return;
    for (int i = 0; pool->all && i < pool->size; i++)
        if (pool->all[i])
            pool->drv->close(pool->all[i]);
    pthread_cond_destroy(&pool->returned);
    pthread_mutex_destroy(&pool->mu);
    free(pool->all);
    free(pool->idle);
    free(pool);
}

db_dialect_t db_pool_dialect(const db_pool_t *pool)
{
    return pool->drv->dialect;
}

int db_pool_size(const db_pool_t *pool)
{
    return pool->size;
}

int db_pool_in_use(db_pool_t *pool)
{
    pthread_mutex_lock(&pool->mu);
    int n = pool->size - pool->nidle;
    pthread_mutex_unlock(&pool->mu);
    return n;
}

static struct timespec deadline_after_ms(int ms)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    t.tv_sec += ms / 1000;
    t.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    return t;
}

db_conn_t *db_acquire(db_pool_t *pool)
{
    struct timespec deadline = deadline_after_ms(pool->acquire_timeout_ms);
    int rc = 0;
    int64_t t0 = mono_ns();
    pthread_mutex_lock(&pool->mu);
    while (pool->nidle == 0 && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&pool->returned, &pool->mu, &deadline);
    db_conn_t *c = pool->nidle > 0 ? pool->idle[--pool->nidle] : NULL;
    note_wait(pool, mono_ns() - t0, !c);
    pthread_mutex_unlock(&pool->mu);

    /* Reconnecting happens outside the lock: it may take a network round trip. */
    if (c && c->drv->revive(c) != DB_OK) {
        log_msg(LOG_WARN, "database connection lost", "error", c->errmsg, NULL);
        db_release(c);
        return NULL;
    }
    return c;
}

void db_release(db_conn_t *c)
{
    if (!c)
        return;
    /* Leave nothing of this request behind for the next borrower: a forgotten
     * cursor (on SQLite it pins a read snapshot) or an open transaction, even
     * one begun with a raw "BEGIN" (the driver checks locally, no round trip). */
    if (c->open_rows)
        db_rows_free(c->open_rows);
    c->in_tx = false;
    c->drv->tx(c, DB_TX_ROLLBACK, DB_TX_WRITE);
    c->errmsg[0] = '\0';
    c->constraint[0] = '\0';

    db_pool_t *pool = c->pool;
    pthread_mutex_lock(&pool->mu);
    pool->idle[pool->nidle++] = c;
    pthread_cond_signal(&pool->returned);
    pthread_mutex_unlock(&pool->mu);
}

/* ---- connection state -------------------------------------------------- */

int db_fail(db_conn_t *c, int status, const char *msg, const char *constraint)
{
    if (msg != c->errmsg) /* snprintf must not copy onto itself */
        snprintf(c->errmsg, sizeof c->errmsg, "%s", msg && *msg ? msg : "unknown database error");
    c->errmsg[strcspn(c->errmsg, "\n")] = '\0'; /* libpq appends hints on further lines */
    snprintf(c->constraint, sizeof c->constraint, "%s", constraint ? constraint : "");
    return status;
}

db_dialect_t db_dialect(const db_conn_t *c)
{
    return c->drv->dialect;
}

const char *db_errmsg(const db_conn_t *c)
{
    return c->errmsg;
}

const char *db_err_constraint(const db_conn_t *c)
{
    return c->constraint;
}

/* ---- statements ---------------------------------------------------------- */

/* Checks shared by every statement: sane parameters, and no cursor still
 * open (SQLite would silently reset a cached statement under it). */
static int statement_ok(db_conn_t *c, const db_param_t *params, int nparams)
{
    if (nparams < 0 || (nparams > 0 && !params))
        return db_fail(c, DB_ERROR, "invalid statement parameters", NULL);
    if (c->open_rows)
        return db_fail(c, DB_ERROR, "a cursor is still open on this connection", NULL);
    return DB_OK;
}

int db_exec(db_conn_t *c, const char *sql, const db_param_t *params, int nparams, int64_t *affected)
{
    if (affected)
        *affected = 0;
    int rc = statement_ok(c, params, nparams);
    return rc != DB_OK ? rc : c->drv->exec(c, sql, params, nparams, affected);
}

int db_exec_later(db_conn_t *c, const char *sql, const db_param_t *params, int nparams)
{
    if (!c->in_tx || !c->drv->exec_later)
        return db_exec(c, sql, params, nparams, NULL);
    int rc = statement_ok(c, params, nparams);
    return rc != DB_OK ? rc : c->drv->exec_later(c, sql, params, nparams);
}

int db_query(db_conn_t *c, const char *sql, const db_param_t *params, int nparams, db_rows_t **out)
{
    *out = NULL;
    int rc = statement_ok(c, params, nparams);
    if (rc == DB_OK)
        rc = c->drv->query(c, sql, params, nparams, out);
    if (rc == DB_OK)
        c->open_rows = *out;
    return rc;
}

int db_exec_script(db_conn_t *c, const char *sql)
{
    int rc = statement_ok(c, NULL, 0);
    return rc != DB_OK ? rc : c->drv->script(c, sql);
}

int db_query_int(db_conn_t *c, const char *sql, const db_param_t *params, int nparams,
                 int64_t *value, bool *found)
{
    db_rows_t *rows;
    *value = 0;
    if (found)
        *found = false;
    int rc = db_query(c, sql, params, nparams, &rows);
    if (rc != DB_OK)
        return rc;
    if (db_next(rows)) {
        *value = db_col_int(rows, 0);
        if (found)
            *found = true;
    }
    rc = db_rows_status(rows);
    db_rows_free(rows);
    return rc;
}

/* ---- cursors ---------------------------------------------------------------- */

bool db_next(db_rows_t *rows)
{
    return rows && rows->status == DB_OK && rows->conn->drv->next(rows);
}

int db_rows_status(const db_rows_t *rows)
{
    return rows ? rows->status : DB_ERROR;
}

void db_rows_free(db_rows_t *rows)
{
    if (!rows)
        return;
    rows->conn->open_rows = NULL;
    rows->conn->drv->rows_free(rows);
}

int db_ncols(const db_rows_t *rows)
{
    return rows->conn->drv->ncols(rows);
}

static bool col_ok(const db_rows_t *rows, int col)
{
    return col >= 0 && col < db_ncols(rows);
}

const char *db_col_name(const db_rows_t *rows, int col)
{
    return col_ok(rows, col) ? rows->conn->drv->col_name(rows, col) : NULL;
}

bool db_col_isnull(const db_rows_t *rows, int col)
{
    return !col_ok(rows, col) || rows->conn->drv->col_isnull(rows, col);
}

const char *db_col_text(const db_rows_t *rows, int col)
{
    return col_ok(rows, col) ? rows->conn->drv->col_text(rows, col) : NULL;
}

int64_t db_col_int(const db_rows_t *rows, int col)
{
    return col_ok(rows, col) ? rows->conn->drv->col_int(rows, col) : 0;
}

double db_col_real(const db_rows_t *rows, int col)
{
    return col_ok(rows, col) ? rows->conn->drv->col_real(rows, col) : 0.0;
}

/* PG prints booleans as 't'/'f'; SQLite stores 0/1 integers, though a 'true'
 * or 't' written as text reads as true as well. */
bool db_col_bool(const db_rows_t *rows, int col)
{
    const char *s = db_col_text(rows, col);
    if (!s)
        return false;
    return strcmp(s, "t") == 0 || strcmp(s, "true") == 0 || db_col_int(rows, col) != 0;
}

int64_t db_col_time(const db_rows_t *rows, int col)
{
    const char *s = db_col_text(rows, col);
    int64_t usec;
    return s && db_parse_time(s, &usec) ? usec : 0;
}

/* ---- transactions --------------------------------------------------------- */

bool db_in_tx(const db_conn_t *c)
{
    return c->in_tx;
}

int db_tx_begin(db_conn_t *c, db_tx_mode_t mode)
{
    if (c->in_tx)
        return db_fail(c, DB_ERROR, "a transaction is already open", NULL);
    int rc = statement_ok(c, NULL, 0);
    if (rc == DB_OK)
        rc = c->drv->tx(c, DB_TX_BEGIN, mode);
    c->in_tx = rc == DB_OK;
    return rc;
}

int db_tx_commit(db_conn_t *c)
{
    if (!c->in_tx)
        return db_fail(c, DB_ERROR, "no transaction is open", NULL);
    int rc = c->drv->tx(c, DB_TX_COMMIT, DB_TX_WRITE);
    /* A failed COMMIT can leave SQLite's transaction open (SQLITE_BUSY);
     * end it so the connection is clean either way. */
    if (rc != DB_OK)
        c->drv->tx(c, DB_TX_ROLLBACK, DB_TX_WRITE);
    c->in_tx = false;
    return rc;
}

int db_tx_rollback(db_conn_t *c)
{
    if (!c->in_tx)
        return DB_OK;
    c->in_tx = false; /* even if ROLLBACK fails: the connection is then broken */
    return c->drv->tx(c, DB_TX_ROLLBACK, DB_TX_WRITE);
}

/* Sleeps before retry number `retry` (1-based): a ceiling of 5, 10, 20, 40 ms
 * (never above 50), jittered down to half of it so that transactions which
 * just collided do not collide again in lockstep. */
static void retry_backoff(int retry)
{
    uint32_t ceiling_us = retry < 5 ? 5000u << (retry - 1) : 50000u;
    uint32_t us = ceiling_us / 2 + randombytes_uniform(ceiling_us / 2 + 1);
    struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)us * 1000L};
    nanosleep(&ts, NULL);
}

int db_tx_run(db_conn_t *c, db_tx_mode_t mode, db_tx_fn fn, void *ctx)
{
    int rc = DB_ERROR;
    for (int attempt = 1; attempt <= DB_TX_ATTEMPTS; attempt++) {
        if (attempt > 1)
            retry_backoff(attempt - 1);
        rc = db_tx_begin(c, mode);
        if (rc == DB_OK) {
            rc = fn(c, ctx);
            if (rc == DB_OK)
                rc = db_tx_commit(c);
            else
                db_tx_rollback(c);
        }
        if (rc != DB_RETRY)
            break;
    }
    return rc;
}
