/*
 * op.c: building operation contexts and their common errors (op.h).
 */
#include "op.h"

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
    return e;
}

bool op_is_staff(const op_t *op)
{
    return op->actor.is_staff || op->actor.is_superuser;
}
