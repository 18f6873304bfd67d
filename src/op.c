/*
 * op.c: building operation contexts and their common errors (op.h).
 */
#include "op.h"

#include "jobs/jobs.h"

#include <stdarg.h>

#include "core/clock.h"

void op_init_system(op_t *op, struct app *app, db_conn_t *db, arena_t *arena, const char *who)
{
    *op = (op_t){.app = app,
                 .db = db,
                 .arena = arena,
                 .request_id = who,
                 .client_ip = "",
                 .user_agent = "",
                 .now_us = clock_now_us()};
}

err_t *op_fail(op_t *op, int status, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = arena_vprintf(op->arena, fmt, ap);
    va_end(ap);
    return err_new(op->arena, status, code, "%s", msg);
}

err_t *op_db_fail(op_t *op, int rc)
{
    err_t *e;
    if (rc == DB_TIMEOUT || rc == DB_RETRY) {
        e = err_new(op->arena, 503, "SERVICE_UNAVAILABLE",
                    "The database is busy; please retry shortly");
        e->retry_after = 1;
    } else {
        e = err_new(op->arena, 500, "INTERNAL_SERVER_ERROR", "Internal server error");
    }
    const char *msg = op->db ? db_errmsg(op->db) : NULL;
    e->cause = arena_printf(op->arena, "database error %d: %s", rc, msg && *msg ? msg : "-");
    e->db_rc = rc;
    return e;
}

bool op_is_staff(const op_t *op)
{
    return op->actor.is_staff || op->actor.is_superuser;
}

typedef struct {
    op_t *op;
    op_tx_fn fn;
    void *ctx;
    err_t *err;
} tx_call_t;

/* db_tx_run's callback: the refusal is kept, and mapped to a status that
 * rolls back (and re-runs only for DB_RETRY). */
static int tx_call(db_conn_t *c, void *arg)
{
    tx_call_t *t = arg;
    (void)c;
    err_discard(t->err); /* an earlier, retried attempt's */
    t->err = t->fn(t->op, t->ctx);
    if (!t->err)
        return DB_OK;
    return t->err->db_rc == DB_RETRY ? DB_RETRY : DB_ERROR;
}

err_t *op_tx(op_t *op, db_tx_mode_t mode, op_tx_fn fn, void *ctx)
{
    tx_call_t t = {.op = op, .fn = fn, .ctx = ctx};
    int rc = db_tx_run(op->db, mode, tx_call, &t);
    if (t.err)
        return t.err;
    if (rc == DB_OK && op->jobs_queued) {
        op->jobs_queued = false;
        jobs_kick(op->app);
    }
    return rc == DB_OK ? NULL : op_db_fail(op, rc); /* the commit failed */
}

err_t *op_list(op_t *op, const char *sql, const db_param_t *p, int n, op_row_fn row, json_t **out)
{
    db_rows_t *rows;
    *out = NULL;
    int rc = db_query(op->db, sql, p, n, &rows);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    json_t *list = json_array();
    bool lost = false; /* a row that could not be made (a bad json_pack format) */
    while (db_next(rows))
        lost |= json_array_append_new(list, row(op, rows)) != 0;
    rc = db_rows_status(rows);
    db_rows_free(rows);
    if (rc != DB_OK || lost) {
        json_decref(list);
        if (rc != DB_OK)
            return op_db_fail(op, rc);
        err_t *e = op_fail(op, 500, "INTERNAL_SERVER_ERROR", "Internal server error");
        e->cause = "op_list: a row could not be written";
        return e;
    }
    *out = list;
    return NULL;
}

err_t *op_one(op_t *op, const char *sql, const db_param_t *p, int n, op_row_fn row,
              const char *code, const char *message, json_t **out)
{
    json_t *rows = NULL;
    *out = NULL;
    err_t *e = op_list(op, sql, p, n, row, &rows);
    if (e)
        return e;
    *out = json_array_size(rows) ? json_incref(json_array_get(rows, 0)) : NULL;
    json_decref(rows);
    return *out ? NULL : op_fail(op, 404, code, "%s", message);
}

json_t *op_col_int_or_null(db_rows_t *r, int col)
{
    return db_col_isnull(r, col) ? json_null() : json_integer(db_col_int(r, col));
}
