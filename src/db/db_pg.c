/*
 * db_pg.c: the PostgreSQL driver over libpq. Each SQL text is prepared once
 * per session under a generated name and then run with text-format
 * parameters (PostgreSQL infers their types from context); SQLSTATEs map
 * onto db_status_t; a dropped connection is re-established on acquire.
 *
 * Round trips, not SQL, are what a short transaction costs (every one wakes
 * a backend), so a transaction's BEGIN is not sent on its own: it waits and
 * goes with the first statement in one libpq pipeline. Writes whose result
 * nobody reads (db_exec_later) wait the same way and go with the next
 * statement or the COMMIT. A pipeline is synced and drained before any
 * result is handed out, so callers still see one statement at a time.
 */
#include "db/db_internal.h"

#include "core/log.h"

#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    db_conn_t base;
    PGconn *pg;
    db_cache_t cache; /* original SQL text -> id of the statement named "s<id>" */
    int next_id;
    int statement_timeout_ms;
    const char *begin; /* BEGIN not sent yet ("BEGIN" or "BEGIN READ ONLY"), or NULL */
    int queued;        /* results owed by the open pipeline (0: not in pipeline mode) */
} pg_conn_t;

typedef struct {
    db_rows_t base;
    PGresult *res; /* the whole result, fetched by the query */
    int row, nrows;
} pg_rows_t;

/* ---- errors --------------------------------------------------------------- */

static int pg_status(const char *sqlstate)
{
    static const struct {
        const char *state;
        int status;
    } map[] = {
        {"40001", DB_RETRY},       /* serialization_failure */
        {"40P01", DB_RETRY},       /* deadlock_detected */
        {"23505", DB_UNIQUE},      /* unique_violation */
        {"23503", DB_FOREIGN_KEY}, /* foreign_key_violation */
        {"23514", DB_CHECK},       /* check_violation */
        {"23502", DB_NOT_NULL},    /* not_null_violation */
        {"57014", DB_TIMEOUT},     /* query_canceled: statement_timeout */
    };
    for (size_t i = 0; sqlstate && i < sizeof map / sizeof map[0]; i++)
        if (strcmp(sqlstate, map[i].state) == 0)
            return map[i].status;
    return DB_ERROR;
}

/* Records the error of res (or of the connection when there is no result). */
static int pg_fail(pg_conn_t *pc, const PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *name = res ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME) : NULL;
    const char *table = res ? PQresultErrorField(res, PG_DIAG_TABLE_NAME) : NULL;
    const char *column = res ? PQresultErrorField(res, PG_DIAG_COLUMN_NAME) : NULL;
    char msg[256], constraint[128] = "";

    snprintf(msg, sizeof msg, "%s", primary ? primary : PQerrorMessage(pc->pg));
    /* Data exceptions (class 22) quote the rejected input, as in
     * 'invalid input syntax for type uuid: "..."': keep values out of logs. */
    char *quoted = state && strncmp(state, "22", 2) == 0 ? strstr(msg, ": \"") : NULL;
    if (quoted)
        *quoted = '\0';
    /* NOT NULL violations have no constraint name; report "table.column" as SQLite does. */
    if (name)
        snprintf(constraint, sizeof constraint, "%s", name);
    else if (table && column)
        snprintf(constraint, sizeof constraint, "%s.%s", table, column);
    return db_fail(&pc->base, pg_status(state), msg, constraint);
}

/* ---- pipeline ---------------------------------------------------------------- */

/* Queues sql (no parameters) on the pipeline, opening it (and sending a
 * waiting BEGIN first) if needed. */
static int pg_pipe_send(pg_conn_t *pc, const char *sql)
{
    if (pc->queued == 0 && !PQenterPipelineMode(pc->pg))
        return db_fail(&pc->base, DB_ERROR, PQerrorMessage(pc->pg), NULL);
    if (pc->begin) {
        const char *begin = pc->begin;
        pc->begin = NULL;
        int rc = pg_pipe_send(pc, begin);
        if (rc != DB_OK)
            return rc;
    }
    if (sql && !PQsendQueryParams(pc->pg, sql, 0, NULL, NULL, NULL, NULL, 0))
        return db_fail(&pc->base, DB_ERROR, PQerrorMessage(pc->pg), NULL);
    pc->queued += sql ? 1 : 0;
    return DB_OK;
}

/* Syncs the pipeline and reads every result it owes, in order. The first
 * failure is the one reported (the server skips the rest, which come back
 * PGRES_PIPELINE_ABORTED). On DB_OK, *last (may be NULL) is the last
 * statement's result, for the caller to PQclear. Leaves pipeline mode. */
static int pg_pipe_drain(pg_conn_t *pc, PGresult **last)
{
    int rc = DB_OK, owed = pc->queued;
    if (last)
        *last = NULL;
    if (owed == 0)
        return DB_OK;
    pc->queued = 0;
    if (!PQpipelineSync(pc->pg))
        rc = db_fail(&pc->base, DB_ERROR, PQerrorMessage(pc->pg), NULL);
    for (int i = 0; i < owed; i++) {
        PGresult *res = PQgetResult(pc->pg);
        if (!res) { /* the connection broke: nothing more will come */
            if (rc == DB_OK)
                rc = db_fail(&pc->base, DB_ERROR, PQerrorMessage(pc->pg), NULL);
            break;
        }
        ExecStatusType st = PQresultStatus(res);
        bool good = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
        if (!good && rc == DB_OK && st != PGRES_PIPELINE_ABORTED)
            rc = pg_fail(pc, res);
        if (good && i == owed - 1 && last && rc == DB_OK)
            *last = res;
        else
            PQclear(res);
        PQclear(PQgetResult(pc->pg)); /* the NULL that ends each statement's results */
    }
    /* Everything up to the sync point: only PGRES_PIPELINE_SYNC is left. */
    for (PGresult *res; (res = PQgetResult(pc->pg)) != NULL;) {
        bool sync = PQresultStatus(res) == PGRES_PIPELINE_SYNC;
        PQclear(res);
        if (sync)
            break;
    }
    if (!PQexitPipelineMode(pc->pg) && rc == DB_OK)
        rc = db_fail(&pc->base, DB_ERROR, PQerrorMessage(pc->pg), NULL);
    if (rc != DB_OK && last && *last) {
        PQclear(*last);
        *last = NULL;
    }
    return rc;
}

/* Before anything that cannot go in a pipeline: sends what waits (a BEGIN,
 * deferred writes) and reads their results. */
static int pg_settle(pg_conn_t *pc)
{
    if (pc->begin && pc->queued == 0) {
        const char *begin = pc->begin;
        pc->begin = NULL;
        PGresult *res = PQexec(pc->pg, begin);
        int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? DB_OK : pg_fail(pc, res);
        PQclear(res);
        return rc;
    }
    int rc = pc->begin ? pg_pipe_send(pc, NULL) : DB_OK;
    return rc == DB_OK ? pg_pipe_drain(pc, NULL) : rc;
}

/* Runs a parameterless command (session setup, transaction control, scripts). */
static int pg_command(pg_conn_t *pc, const char *sql, PGresult **keep)
{
    int rc = pg_settle(pc);
    if (rc != DB_OK)
        return rc;
    PGresult *res = PQexec(pc->pg, sql);
    ExecStatusType st = PQresultStatus(res);
    rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? DB_OK : pg_fail(pc, res);
    if (rc == DB_OK && keep)
        *keep = res;
    else
        PQclear(res);
    return rc;
}

/* ---- statements --------------------------------------------------------------- */

/* Writes the server-side name of sql's prepared statement, preparing it on
 * first use in this session. */
static int pg_prepare(pg_conn_t *pc, const char *sql, char name[16])
{
    db_cache_entry_t *e = db_cache_get(&pc->cache, sql);
    if (e) {
        snprintf(name, 16, "s%d", e->id);
        return DB_OK;
    }
    /* PQprepare cannot run inside a pipeline: a statement's first use in
     * this session sends what waits first. */
    int rc = pg_settle(pc);
    if (rc != DB_OK)
        return rc;
    char *text = db_sql_rewrite(sql, DB_DIALECT_PG);
    if (!text)
        return db_fail(&pc->base, DB_ERROR, "out of memory", NULL);
    int id = ++pc->next_id;
    snprintf(name, 16, "s%d", id);
    PGresult *res = PQprepare(pc->pg, name, text, 0, NULL);
    free(text);
    rc = PQresultStatus(res) == PGRES_COMMAND_OK ? DB_OK : pg_fail(pc, res);
    PQclear(res);
    if (rc != DB_OK)
        return rc;
    if (!db_cache_put(&pc->cache, sql, NULL, id))
        return db_fail(&pc->base, DB_ERROR, "out of memory", NULL);
    pc->base.prepares++;
    return DB_OK;
}

/* Text form of a parameter; numbers are printed into buf. NULL is SQL NULL. */
static const char *pg_param_text(const db_param_t *p, char buf[32])
{
    switch (p->type) {
    case DB_P_TEXT:
        return p->s;
    case DB_P_INT:
        snprintf(buf, 32, "%" PRId64, p->i);
        return buf;
    case DB_P_REAL:
        snprintf(buf, 32, "%.17g", p->d);
        return buf;
    case DB_P_BOOL:
        return p->i ? "t" : "f";
    case DB_P_TIME:
        db_format_time(p->i, buf);
        return buf;
    case DB_P_NULL:
    default:
        return NULL;
    }
}

/* Prepares (or reuses) and executes sql. With out, waits and on DB_OK *out
 * is the result; without, the statement is only queued (db_exec_later) and
 * its outcome comes with the next statement or the COMMIT. A statement goes
 * straight out when nothing waits; otherwise it joins the pipeline. */
static int pg_run(pg_conn_t *pc, const char *sql, const db_param_t *params, int n, PGresult **out)
{
    char name[16];
    int rc = pg_prepare(pc, sql, name);
    if (rc != DB_OK)
        return rc;
    const char **values = n > 0 ? calloc((size_t)n, sizeof *values) : NULL;
    char(*scratch)[32] = n > 0 ? calloc((size_t)n, sizeof *scratch) : NULL;
    if (n > 0 && (!values || !scratch)) {
        free(values);
        free(scratch);
        return db_fail(&pc->base, DB_ERROR, "out of memory", NULL);
    }
    for (int i = 0; i < n; i++)
        values[i] = pg_param_text(&params[i], scratch[i]);
    PGresult *res = NULL;
    if (out && !pc->begin && pc->queued == 0) {
        res = PQexecPrepared(pc->pg, name, n, values, NULL, NULL, 0);
        ExecStatusType st = PQresultStatus(res);
        if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
            rc = pg_fail(pc, res);
            PQclear(res);
            res = NULL;
        }
    } else {
        /* libpq copies the parameters into its output buffer here. */
        rc = pg_pipe_send(pc, NULL);
        if (rc == DB_OK && !PQsendQueryPrepared(pc->pg, name, n, values, NULL, NULL, 0))
            rc = db_fail(&pc->base, DB_ERROR, PQerrorMessage(pc->pg), NULL);
        pc->queued += rc == DB_OK ? 1 : 0;
        if (out && pc->queued > 0) {
            int drained = pg_pipe_drain(pc, &res);
            rc = rc == DB_OK ? drained : rc;
        }
    }
    free(values);
    free(scratch);
    if (out && rc == DB_OK)
        *out = res;
    return rc;
}

static int pg_exec(db_conn_t *conn, const char *sql, const db_param_t *params, int n,
                   int64_t *affected)
{
    PGresult *res;
    int rc = pg_run((pg_conn_t *)conn, sql, params, n, &res);
    if (rc != DB_OK)
        return rc;
    /* PQcmdTuples also counts the rows a SELECT returned; those changed nothing. */
    if (affected && strncmp(PQcmdStatus(res), "SELECT", 6) != 0)
        *affected = strtoll(PQcmdTuples(res), NULL, 10); /* "" for commands without a count */
    PQclear(res);
    return DB_OK;
}

static int pg_exec_later(db_conn_t *conn, const char *sql, const db_param_t *params, int n)
{
    return pg_run((pg_conn_t *)conn, sql, params, n, NULL);
}

static int pg_query(db_conn_t *conn, const char *sql, const db_param_t *params, int n,
                    db_rows_t **out)
{
    PGresult *res;
    int rc = pg_run((pg_conn_t *)conn, sql, params, n, &res);
    if (rc != DB_OK)
        return rc;
    pg_rows_t *r = malloc(sizeof *r);
    if (!r) {
        PQclear(res);
        return db_fail(conn, DB_ERROR, "out of memory", NULL);
    }
    *r = (pg_rows_t){
        .base = {.conn = conn, .status = DB_OK}, .res = res, .row = -1, .nrows = PQntuples(res)};
    *out = &r->base;
    return DB_OK;
}

/* Several ';'-separated statements run by the simple query protocol. */
static int pg_script(db_conn_t *conn, const char *sql)
{
    return pg_command((pg_conn_t *)conn, sql, NULL);
}

static int pg_tx(db_conn_t *conn, db_tx_op_t op, db_tx_mode_t mode)
{
    pg_conn_t *pc = (pg_conn_t *)conn;
    PGresult *res = NULL;
    int rc;
    switch (op) {
    case DB_TX_BEGIN:
        /* Sent with the first statement (pg_pipe_send). */
        pc->begin = mode == DB_TX_READ ? "BEGIN READ ONLY" : "BEGIN";
        return DB_OK;
    case DB_TX_COMMIT:
        if (pc->begin && pc->queued == 0) { /* nothing was ever sent: nothing to commit */
            pc->begin = NULL;
            return DB_OK;
        }
        /* COMMIT goes with the writes still waiting. COMMIT of a transaction
         * aborted by an earlier error "succeeds" with the tag ROLLBACK; that
         * must not pass for a commit. */
        rc = pg_pipe_send(pc, "COMMIT");
        if (rc == DB_OK)
            rc = pg_pipe_drain(pc, &res);
        else
            pg_pipe_drain(pc, NULL);
        if (rc == DB_OK && strcmp(PQcmdStatus(res), "ROLLBACK") == 0)
            rc = db_fail(conn, DB_ERROR, "transaction was aborted and rolled back", NULL);
        PQclear(res);
        return rc;
    case DB_TX_ROLLBACK:
    default:
        pc->begin = NULL; /* never sent: nothing to end */
        pg_pipe_drain(pc, NULL);
        /* Nothing to end (after a failed COMMIT, or a dead connection): skip
         * the round trip and the server's "no transaction" warning. */
        if (PQtransactionStatus(pc->pg) != PQTRANS_INTRANS &&
            PQtransactionStatus(pc->pg) != PQTRANS_INERROR)
            return DB_OK;
        return pg_command(pc, "ROLLBACK", NULL);
    }
}

/* ---- cursor ------------------------------------------------------------------ */

static bool pg_next(db_rows_t *rows)
{
    pg_rows_t *r = (pg_rows_t *)rows;
    if (r->row < r->nrows)
        r->row++;
    return r->row < r->nrows;
}

static void pg_rows_free(db_rows_t *rows)
{
    pg_rows_t *r = (pg_rows_t *)rows;
    PQclear(r->res);
    free(r);
}

static const pg_rows_t *pg_rows(const db_rows_t *rows)
{
    return (const pg_rows_t *)rows;
}

static int pg_ncols(const db_rows_t *rows)
{
    return PQnfields(pg_rows(rows)->res);
}

static const char *pg_col_name(const db_rows_t *rows, int col)
{
    return PQfname(pg_rows(rows)->res, col);
}

/* libpq bounds-checks the row: before the first db_next everything reads NULL. */
static bool pg_col_isnull(const db_rows_t *rows, int col)
{
    return PQgetisnull(pg_rows(rows)->res, pg_rows(rows)->row, col) != 0;
}

static const char *pg_col_text(const db_rows_t *rows, int col)
{
    return pg_col_isnull(rows, col) ? NULL
                                    : PQgetvalue(pg_rows(rows)->res, pg_rows(rows)->row, col);
}

static int64_t pg_col_int(const db_rows_t *rows, int col)
{
    const char *s = pg_col_text(rows, col);
    return s ? strtoll(s, NULL, 10) : 0;
}

static double pg_col_real(const db_rows_t *rows, int col)
{
    const char *s = pg_col_text(rows, col);
    return s ? strtod(s, NULL) : 0.0;
}

/* ---- connection ------------------------------------------------------------ */

/* Server warnings go to our JSON log rather than libpq's default of stderr. */
static void pg_notice(void *arg, const char *message)
{
    char line[256];
    (void)arg;
    snprintf(line, sizeof line, "%s", message);
    line[strcspn(line, "\n")] = '\0';
    log_msg(LOG_WARN, "postgresql notice", "message", line, NULL);
}

/* Per-session settings: run after every connect and reconnect. Times are
 * exchanged in UTC so timestamptz text parses the same everywhere. */
static int pg_session_setup(pg_conn_t *pc)
{
    char sql[160];
    snprintf(sql, sizeof sql,
             "SET TIME ZONE 'UTC'; SET statement_timeout = %d;"
             " SET client_min_messages = warning",
             pc->statement_timeout_ms);
    return pg_command(pc, sql, NULL);
}

static void pg_close(db_conn_t *conn)
{
    pg_conn_t *pc = (pg_conn_t *)conn;
    db_cache_clear(&pc->cache, NULL); /* server-side statements end with the session */
    PQfinish(pc->pg);
    free(pc);
}

static int pg_open(const char *url, const db_pool_config_t *cfg, db_conn_t **out, char *err,
                   size_t errlen)
{
    pg_conn_t *pc = calloc(1, sizeof *pc);
    if (!pc) {
        snprintf(err, errlen, "out of memory");
        return DB_ERROR;
    }
    pc->base.drv = &db_pg_driver;
    pc->statement_timeout_ms = cfg->statement_timeout_ms > 0 ? cfg->statement_timeout_ms : 0;
    pc->pg = PQconnectdb(url);
    if (pc->pg && PQstatus(pc->pg) == CONNECTION_OK) {
        PQsetNoticeProcessor(pc->pg, pg_notice, NULL);
        if (pg_session_setup(pc) == DB_OK) {
            *out = &pc->base;
            return DB_OK;
        }
    }
    if (pc->base.errmsg[0])
        snprintf(err, errlen, "%s", pc->base.errmsg);
    else
        snprintf(err, errlen, "%s", pc->pg ? PQerrorMessage(pc->pg) : "out of memory");
    err[strcspn(err, "\n")] = '\0';
    PQfinish(pc->pg);
    free(pc);
    return DB_ERROR;
}

/* libpq marks a connection bad only once it notices. Reading what the server
 * sent while we were idle (after a restart: a FATAL, then end of stream) lets
 * it notice before the borrower's first statement fails. Each call reads
 * once, so the end of stream shows on the call after the FATAL. */
static int pg_revive(db_conn_t *conn)
{
    pg_conn_t *pc = (pg_conn_t *)conn;
    for (int i = 0; i < 2 && PQstatus(pc->pg) == CONNECTION_OK; i++)
        PQconsumeInput(pc->pg);
    if (PQstatus(pc->pg) == CONNECTION_OK)
        return DB_OK;
    db_cache_clear(&pc->cache, NULL); /* the old session's statements are gone */
    PQreset(pc->pg);
    if (PQstatus(pc->pg) != CONNECTION_OK)
        return db_fail(conn, DB_ERROR, PQerrorMessage(pc->pg), NULL);
    return pg_session_setup(pc);
}

const struct db_driver db_pg_driver = {
    .dialect = DB_DIALECT_PG,
    .open = pg_open,
    .close = pg_close,
    .revive = pg_revive,
    .exec = pg_exec,
    .exec_later = pg_exec_later,
    .query = pg_query,
    .script = pg_script,
    .tx = pg_tx,
    .next = pg_next,
    .rows_free = pg_rows_free,
    .ncols = pg_ncols,
    .col_name = pg_col_name,
    .col_isnull = pg_col_isnull,
    .col_text = pg_col_text,
    .col_int = pg_col_int,
    .col_real = pg_col_real,
};
