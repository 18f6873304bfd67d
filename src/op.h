/*
 * op.h: the operation context every domain function takes. An HTTP request,
 * a background job, a CLI command and (later) an admin console action all
 * build one the same way: who acts, on which database connection, from
 * where, at what time, with which arena for temporaries. Domain code reads
 * this and never an http_req_t, so it runs the same from anywhere.
 */
#ifndef LOOPIN_OP_H
#define LOOPIN_OP_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "core/arena.h"
#include "core/err.h"
#include "db/db.h"

struct app;
struct event;

/* The account acting (id 0: anonymous, or the system for jobs and CLI). */
typedef struct {
    int64_t id; /* users.id == user_profiles.user_id */
    char uuid[37];
    char phone[32];
    bool is_active; /* false while on the account waitlist */
    bool is_staff, is_superuser;
    char jti[64];       /* the token's id, for logout */
    int64_t token_exp;  /* seconds */
    int64_t session_id; /* the console session (staff_session.h) when signed in by cookie */
} actor_t;

typedef struct op {
    struct app *app;
    db_conn_t *db; /* borrowed for the operation */
    arena_t *arena;
    actor_t actor;
    const char *request_id; /* or "" */
    const char *client_ip;  /* or "" */
    const char *user_agent; /* or "" */
    int64_t now_us;         /* read once from core/clock when the operation starts */
    /* The event a route's owner check loaded for this request (in the arena),
     * so the handler need not read it again; NULL when none was. */
    const struct event *event;
    /* Set when the operation queued a job: op_tx wakes this process's job
     * runner after the commit, so the job need not wait for the next poll. */
    bool jobs_queued;
} op_t;

/* A context for work that is not a request (jobs, CLI): system actor,
 * request_id set to who ("job:purge_expired", "cli:createsuperuser"). */
void op_init_system(op_t *op, struct app *app, db_conn_t *db, arena_t *arena, const char *who);

/* A refusal: err_new on the operation's arena. */
err_t *op_fail(op_t *op, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* A database failure, answered one documented way everywhere: DB_TIMEOUT
 * and DB_RETRY (busy, serialization, pool) are 503 SERVICE_UNAVAILABLE with
 * Retry-After: 1; anything else is 500 INTERNAL_SERVER_ERROR. The driver's
 * message becomes the cause (logged once by whoever renders the error). */
err_t *op_db_fail(op_t *op, int rc);

bool op_is_staff(const op_t *op);

/* One JSON value per result row (may read op: the clock, the arena). */
typedef json_t *(*op_row_fn)(op_t *op, db_rows_t *r);
/* Runs a query into a new array (*out, one row() per row), or answers the
 * database failure (*out NULL). */
err_t *op_list(op_t *op, const char *sql, const db_param_t *p, int n, op_row_fn row, json_t **out);
/* The first row of the query through row() (*out, a new reference), or a
 * 404 with code and message when there is none. */
err_t *op_one(op_t *op, const char *sql, const db_param_t *p, int n, op_row_fn row,
              const char *code, const char *message, json_t **out);
/* For row functions: an integer column as a JSON integer, null when NULL. */
json_t *op_col_int_or_null(db_rows_t *r, int col);

/* Runs fn in a transaction on op->db: committed when fn returns NULL,
 * rolled back when it returns an error (a business refusal or a database
 * failure from op_db_fail), which op_tx then returns. A busy database or a
 * serialization failure (op_db_fail with DB_RETRY) re-runs fn, as db_tx_run
 * does, so fn must keep its side effects inside the transaction. */
typedef err_t *(*op_tx_fn)(op_t *op, void *ctx);
err_t *op_tx(op_t *op, db_tx_mode_t mode, op_tx_fn fn, void *ctx);

#endif
