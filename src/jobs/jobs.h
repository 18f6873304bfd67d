/*
 * jobs.h: durable background jobs in the `jobs` table. A job is claimed with
 * a lease (FOR UPDATE SKIP LOCKED on PostgreSQL, BEGIN IMMEDIATE on SQLite),
 * run by its kind's handler, and marked done, or retried with exponential
 * backoff, or dead after max_attempts. A crashed worker's lease expires and
 * another worker takes the job over, so handlers must be idempotent.
 *
 * Periodic jobs are rows like any other, scheduled with a dedupe key so that
 * several processes keep exactly one pending instance.
 */
#ifndef LOOPIN_JOBS_H
#define LOOPIN_JOBS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "app.h"
#include "op.h"

/* Runs one job as the operation op (system actor, request_id
 * "job:<kind>:<id>", op->db the worker's connection). NULL on success, else
 * the error (its message and cause are logged; the job is retried). */
typedef err_t *(*job_handler_fn)(op_t *op, json_t *payload);

typedef struct job_kind {
    const char *kind;
    job_handler_fn handler;
    int64_t period_s; /* > 0: scheduled periodically */
    int max_attempts;
    int lease_s; /* > 0: how long a worker holds a claimed job before another may take it
                  * over (default 300 s); short for small jobs that must resume soon after
                  * their worker dies */
} job_kind_t;

/* Rows a module no longer needs, deleted by the periodic purge_expired job:
 * `sql` is a DELETE taking one parameter, the cutoff time (now - keep_us). */
typedef struct purge_def {
    const char *what; /* short name for the log */
    const char *sql;
    int64_t keep_us;
} purge_def_t;

/* Adds a job. dedupe_key (may be NULL): at most one pending/running job per
 * (kind, dedupe_key); a duplicate is silently not added (*added=false). */
int jobs_enqueue(const app_t *app, db_conn_t *c, const char *kind, const char *payload_json,
                 int64_t run_at_us, const char *dedupe_key, bool *added);

/* Claims a few due jobs (at most 8, in one transaction) and runs them one
 * after another. *ran tells whether any ran. */
int jobs_run_one(app_t *app, const char *worker_id, bool *ran);

/* Makes sure each periodic kind has its next run scheduled. */
int jobs_schedule_periodic(app_t *app);

/* Wakes this process's runner now (after a commit that queued a due job);
 * other processes find the job at their next poll. */
void jobs_kick(app_t *app);

typedef struct jobs_runner jobs_runner_t;
/* A scheduler thread polling every cfg.jobs_poll_ms. */
jobs_runner_t *jobs_runner_start(app_t *app);
void jobs_runner_stop(jobs_runner_t *r);

#endif
