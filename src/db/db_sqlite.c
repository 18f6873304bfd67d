/*
 * db_sqlite.c: the SQLite driver. One sqlite3 handle per pooled connection,
 * opened without SQLite's own mutexes (the pool hands a connection to one
 * thread at a time), in WAL mode; prepared statements cached per connection;
 * SQLite result codes mapped onto db_status_t.
 */
#include "db/db_internal.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    db_conn_t base;
    sqlite3 *db;
    db_cache_t cache; /* original SQL text -> sqlite3_stmt */
} lite_conn_t;

typedef struct {
    db_rows_t base;
    sqlite3_stmt *stmt; /* borrowed from the cache; reset on free */
    bool ahead;         /* query stepped to the first row, db_next has not seen it */
    bool done;
} lite_rows_t;

/* ---- errors --------------------------------------------------------------- */

static int lite_status(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE:
        return DB_OK;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return DB_RETRY;
    case SQLITE_CONSTRAINT:
        break;
    default:
        return DB_ERROR;
    }
    switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
        return DB_UNIQUE;
    case SQLITE_CONSTRAINT_FOREIGNKEY:
        return DB_FOREIGN_KEY;
    case SQLITE_CONSTRAINT_CHECK:
        return DB_CHECK;
    case SQLITE_CONSTRAINT_NOTNULL:
        return DB_NOT_NULL;
    default:
        return DB_ERROR;
    }
}

/* Records the handle's error. SQLite names the constraint only in the message
 * ("UNIQUE constraint failed: users.email"), so that tail is the constraint. */
static int lite_fail(lite_conn_t *lc, int rc)
{
    static const char marker[] = "constraint failed: ";
    const char *msg = sqlite3_errmsg(lc->db);
    const char *tail = (rc & 0xff) == SQLITE_CONSTRAINT ? strstr(msg, marker) : NULL;
    return db_fail(&lc->base, lite_status(rc), msg, tail ? tail + strlen(marker) : NULL);
}

/* ---- statements --------------------------------------------------------------- */

static void lite_finalize(void *stmt)
{
    sqlite3_finalize(stmt);
}

/* Returns the cached statement for sql, preparing it on first use. */
static int lite_prepare(lite_conn_t *lc, const char *sql, sqlite3_stmt **out)
{
    db_cache_entry_t *e = db_cache_get(&lc->cache, sql);
    if (e) {
        *out = e->stmt;
        return DB_OK;
    }
    char *text = db_sql_rewrite(sql, DB_DIALECT_SQLITE);
    if (!text)
        return db_fail(&lc->base, DB_ERROR, "out of memory", NULL);
    sqlite3_stmt *stmt = NULL;
    const char *tail = NULL;
    int rc = sqlite3_prepare_v3(lc->db, text, -1, SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
    /* prepare stops after the first statement; a second one would be ignored. */
    bool one = rc == SQLITE_OK && stmt && tail[strspn(tail, " \t\r\n;")] == '\0';
    free(text);
    if (rc != SQLITE_OK)
        return lite_fail(lc, rc);
    if (!one || !db_cache_put(&lc->cache, sql, stmt, 0)) {
        sqlite3_finalize(stmt);
        return db_fail(&lc->base, DB_ERROR, one ? "out of memory" : "expected one SQL statement",
                       NULL);
    }
    lc->base.prepares++;
    *out = stmt;
    return DB_OK;
}

static int lite_bind_one(sqlite3_stmt *stmt, int idx, const db_param_t *p)
{
    char ts[32];
    switch (p->type) {
    case DB_P_TEXT:
        return sqlite3_bind_text(stmt, idx, p->s, -1, SQLITE_TRANSIENT);
    case DB_P_INT:
        return sqlite3_bind_int64(stmt, idx, p->i);
    case DB_P_REAL:
        return sqlite3_bind_double(stmt, idx, p->d);
    case DB_P_BOOL:
        return sqlite3_bind_int(stmt, idx, p->i != 0);
    case DB_P_TIME:
        db_format_time(p->i, ts);
        return sqlite3_bind_text(stmt, idx, ts, -1, SQLITE_TRANSIENT);
    case DB_P_NULL:
    default:
        return sqlite3_bind_null(stmt, idx);
    }
}

static void lite_finish(sqlite3_stmt *stmt)
{
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
}

/* Prepares (or reuses) the statement and binds $i to params[i-1]. */
static int lite_start(lite_conn_t *lc, const char *sql, const db_param_t *params, int n,
                      sqlite3_stmt **out)
{
    sqlite3_stmt *stmt = NULL;
    int rc = lite_prepare(lc, sql, &stmt);
    if (rc != DB_OK)
        return rc;
    if (sqlite3_bind_parameter_count(stmt) != n) {
        char msg[96];
        snprintf(msg, sizeof msg, "statement takes %d parameters, %d given",
                 sqlite3_bind_parameter_count(stmt), n);
        return db_fail(&lc->base, DB_ERROR, msg, NULL);
    }
    for (int i = 0; i < n; i++) {
        int brc = lite_bind_one(stmt, i + 1, &params[i]);
        if (brc != SQLITE_OK) {
            rc = lite_fail(lc, brc);
            lite_finish(stmt);
            return rc;
        }
    }
    *out = stmt;
    return DB_OK;
}

static int lite_exec(db_conn_t *conn, const char *sql, const db_param_t *params, int n,
                     int64_t *affected)
{
    lite_conn_t *lc = (lite_conn_t *)conn;
    sqlite3_stmt *stmt = NULL;
    int rc = lite_start(lc, sql, params, n, &stmt);
    if (rc != DB_OK)
        return rc;
    int src;
    while ((src = sqlite3_step(stmt)) == SQLITE_ROW)
        ;
    if (src == SQLITE_DONE) {
        /* changes() keeps the count of the last writing statement; a read has none. */
        if (affected)
            *affected = sqlite3_stmt_readonly(stmt) ? 0 : sqlite3_changes64(lc->db);
    } else {
        rc = lite_fail(lc, src);
    }
    lite_finish(stmt);
    return rc;
}

/* Steps to the first row here, so that errors (a constraint hit by
 * INSERT ... RETURNING, a busy database) come back from db_query itself. */
static int lite_query(db_conn_t *conn, const char *sql, const db_param_t *params, int n,
                      db_rows_t **out)
{
    lite_conn_t *lc = (lite_conn_t *)conn;
    sqlite3_stmt *stmt = NULL;
    int rc = lite_start(lc, sql, params, n, &stmt);
    if (rc != DB_OK)
        return rc;
    lite_rows_t *r = calloc(1, sizeof *r);
    int src = r ? sqlite3_step(stmt) : SQLITE_NOMEM;
    if (src != SQLITE_ROW && src != SQLITE_DONE) {
        rc = r ? lite_fail(lc, src) : db_fail(conn, DB_ERROR, "out of memory", NULL);
        lite_finish(stmt);
        free(r);
        return rc;
    }
    *r = (lite_rows_t){.base = {.conn = conn, .status = DB_OK},
                       .stmt = stmt,
                       .ahead = src == SQLITE_ROW,
                       .done = src == SQLITE_DONE};
    *out = &r->base;
    return DB_OK;
}

static int lite_script(db_conn_t *conn, const char *sql)
{
    lite_conn_t *lc = (lite_conn_t *)conn;
    int rc = sqlite3_exec(lc->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? DB_OK : lite_fail(lc, rc);
}

static int lite_tx(db_conn_t *conn, db_tx_op_t op, db_tx_mode_t mode)
{
    lite_conn_t *lc = (lite_conn_t *)conn;
    switch (op) {
    case DB_TX_BEGIN:
        /* IMMEDIATE takes the write lock up front (waiting busy_timeout), so a
         * writer never fails halfway through on a lock upgrade. */
        return lite_exec(conn, mode == DB_TX_WRITE ? "BEGIN IMMEDIATE" : "BEGIN", NULL, 0, NULL);
    case DB_TX_COMMIT:
        return lite_exec(conn, "COMMIT", NULL, 0, NULL);
    case DB_TX_ROLLBACK:
    default:
        /* Some errors (SQLITE_FULL, SQLITE_IOERR...) already rolled back. */
        if (sqlite3_get_autocommit(lc->db))
            return DB_OK;
        return lite_exec(conn, "ROLLBACK", NULL, 0, NULL);
    }
}

/* ---- cursor ------------------------------------------------------------------ */

static bool lite_next(db_rows_t *rows)
{
    lite_rows_t *r = (lite_rows_t *)rows;
    if (r->ahead) {
        r->ahead = false;
        return true;
    }
    if (r->done)
        return false;
    int src = sqlite3_step(r->stmt);
    if (src == SQLITE_ROW)
        return true;
    r->done = true;
    if (src != SQLITE_DONE)
        rows->status = lite_fail((lite_conn_t *)rows->conn, src);
    return false;
}

static void lite_rows_free(db_rows_t *rows)
{
    lite_rows_t *r = (lite_rows_t *)rows;
    lite_finish(r->stmt);
    free(r);
}

static sqlite3_stmt *stmt_of(const db_rows_t *rows)
{
    return ((const lite_rows_t *)rows)->stmt;
}

static int lite_ncols(const db_rows_t *rows)
{
    return sqlite3_column_count(stmt_of(rows));
}

static const char *lite_col_name(const db_rows_t *rows, int col)
{
    return sqlite3_column_name(stmt_of(rows), col);
}

static bool lite_col_isnull(const db_rows_t *rows, int col)
{
    return sqlite3_column_type(stmt_of(rows), col) == SQLITE_NULL;
}

static const char *lite_col_text(const db_rows_t *rows, int col)
{
    return (const char *)sqlite3_column_text(stmt_of(rows), col);
}

static int64_t lite_col_int(const db_rows_t *rows, int col)
{
    return sqlite3_column_int64(stmt_of(rows), col);
}

static double lite_col_real(const db_rows_t *rows, int col)
{
    return sqlite3_column_double(stmt_of(rows), col);
}

/* ---- connection ------------------------------------------------------------ */

static void lite_close(db_conn_t *conn)
{
    lite_conn_t *lc = (lite_conn_t *)conn;
    db_cache_clear(&lc->cache, lite_finalize);
    sqlite3_close(lc->db);
    free(lc);
}

/* Before SQLite's first use in the process: without memory statistics its
 * allocator takes no global mutex per allocation (we never read them). */
static void lite_configure(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static int lite_open(const char *path, const db_pool_config_t *cfg, db_conn_t **out, char *err,
                     size_t errlen)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, lite_configure);
    lite_conn_t *lc = calloc(1, sizeof *lc);
    if (!lc) {
        snprintf(err, errlen, "out of memory");
        return DB_ERROR;
    }
    lc->base.drv = &db_sqlite_driver;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(path, &lc->db, flags, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_extended_result_codes(lc->db, 1);
        /* Set before the PRAGMAs: switching to WAL briefly needs a lock that a
         * sibling connection opening at the same moment may hold. */
        sqlite3_busy_timeout(lc->db,
                             cfg->statement_timeout_ms > 0 ? cfg->statement_timeout_ms : 5000);
        /* mmap_size: reads map the file instead of a pread() system call per
         * page (the page cache is shared, so the 256 MiB is address space,
         * not memory per connection); temp_store: sorts stay in memory. */
        rc = sqlite3_exec(lc->db,
                          "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                          " PRAGMA foreign_keys=ON; PRAGMA mmap_size=268435456;"
                          " PRAGMA temp_store=MEMORY",
                          NULL, NULL, NULL);
    }
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "%s", lc->db ? sqlite3_errmsg(lc->db) : sqlite3_errstr(rc));
        sqlite3_close(lc->db);
        free(lc);
        return DB_ERROR;
    }
    *out = &lc->base;
    return DB_OK;
}

/* A local file cannot drop like a socket: nothing to re-establish. */
static int lite_revive(db_conn_t *conn)
{
    (void)conn;
    return DB_OK;
}

const struct db_driver db_sqlite_driver = {
    .dialect = DB_DIALECT_SQLITE,
    .open = lite_open,
    .close = lite_close,
    .revive = lite_revive,
    .exec = lite_exec,
    .query = lite_query,
    .script = lite_script,
    .tx = lite_tx,
    .next = lite_next,
    .rows_free = lite_rows_free,
    .ncols = lite_ncols,
    .col_name = lite_col_name,
    .col_isnull = lite_col_isnull,
    .col_text = lite_col_text,
    .col_int = lite_col_int,
    .col_real = lite_col_real,
};
