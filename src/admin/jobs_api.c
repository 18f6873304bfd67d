/*
 * jobs_api.c: the job queue in the admin API (issue 12 point 2,
 * docs/admin.md).
 *   GET  /api/admin/jobs               the jobs (filters kind, status), CSV
 *   GET  /api/admin/jobs/summary       per kind: how many wait, run, failed
 *                                      (will retry), are dead; the oldest due
 *                                      job's wait in seconds
 *   POST /api/admin/jobs/{id}/retry    a dead job back to pending, attempts
 *                                      reset, due now; audited
 */
#include "admin/admin.h"
#include "admin/admin_list.h"
#include "audit/audit.h"
#include "core/text.h"
#include "module.h"

#define JOB_COLUMNS                                                                                \
    "j.id, j.kind, j.status, j.attempts, j.max_attempts, j.run_at, j.last_error, j.finished_at, "  \
    "j.created_at, j.updated_at, COALESCE(j.dedupe_key, '')"

static json_t *job_row(op_t *op, db_rows_t *r)
{
    (void)op;
    return json_pack(
        "{s:I, s:s, s:s, s:I, s:I, s:o, s:s, s:o, s:o, s:o, s:s}", "id",
        (json_int_t)db_col_int(r, 0), "kind", db_col_text(r, 1), "status", db_col_text(r, 2),
        "attempts", (json_int_t)db_col_int(r, 3), "max_attempts", (json_int_t)db_col_int(r, 4),
        "run_at", text_json_time(db_col_time(r, 5)), "last_error", db_col_text(r, 6), "finished_at",
        text_json_time_or_null(db_col_time(r, 7)), "created_at", text_json_time(db_col_time(r, 8)),
        "updated_at", text_json_time(db_col_time(r, 9)), "dedupe_key", db_col_text(r, 10));
}

static const admin_filter_t job_filters[] = {
    {"kind", AF_TEXT, "j.kind = ?"},
    {"status", AF_TEXT, "j.status = ?"},
    {0},
};
static const admin_sort_t job_sorts[] = {
    {"created_at", "j.created_at"}, {"run_at", "j.run_at"}, {0}};
static const char *const job_sort_names[] = {"created_at", "run_at", NULL};
static const char *const job_csv[] = {"id",           "kind",   "status",     "attempts",
                                      "max_attempts", "run_at", "last_error", "finished_at",
                                      "created_at",   NULL};

static const admin_list_t admin_jobs = {
    .name = "jobs",
    .columns = JOB_COLUMNS,
    .from = "jobs j",
    .filters = job_filters,
    .sorts = job_sorts,
    .tiebreak = "j.id",
    .row = job_row,
    .csv = job_csv,
};

static err_t *list_jobs(http_req_t *req, op_t *op, const input_t *in)
{
    return admin_list_reply(req, op, in, &admin_jobs);
}

/* Counts by status are one indexed GROUP BY over the live rows; done rows
 * are counted too (the purge removes old ones). */
static json_t *summary_row(op_t *op, db_rows_t *r)
{
    int64_t due = db_col_time(r, 6);
    return json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:o}", "kind", db_col_text(r, 0), "pending",
                     (json_int_t)db_col_int(r, 1), "running", (json_int_t)db_col_int(r, 2),
                     "failed", (json_int_t)db_col_int(r, 3), "dead", (json_int_t)db_col_int(r, 4),
                     "done", (json_int_t)db_col_int(r, 5), "oldest_due_wait_seconds",
                     due ? json_integer((op->now_us - due) / 1000000) : json_null());
}

static err_t *jobs_summary(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    json_t *rows = NULL;
    err_t *e = op_list(
        op,
        "SELECT kind, SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END), SUM(CASE WHEN status = "
        "'running' THEN 1 ELSE 0 END), SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN status = 'dead' THEN 1 ELSE 0 END), SUM(CASE WHEN status = 'done' THEN 1 "
        "ELSE 0 END), MIN(CASE WHEN status IN ('pending', 'failed') AND run_at <= $1 THEN run_at "
        "END) FROM jobs GROUP BY kind ORDER BY kind",
        DB_ARGS(db_time(op->now_us)), summary_row, &rows);
    if (e)
        return e;
    http_reply_json(req, 200, json_pack("{s:o}", "kinds", rows));
    return NULL;
}

typedef struct {
    int64_t id;
    bool done;
} retry_ctx_t;

static err_t *retry_tx(op_t *op, void *arg)
{
    retry_ctx_t *x = arg;
    int64_t n = 0;
    int rc =
        db_exec(op->db,
                "UPDATE jobs SET status = 'pending', attempts = 0, run_at = $2, locked_until = "
                "NULL, locked_by = NULL, finished_at = NULL, updated_at = $2 WHERE id = $1 AND "
                "status = 'dead'",
                DB_ARGS(db_int(x->id), db_time(op->now_us)), &n);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (n == 0) {
        bool found = false;
        int64_t one = 0;
        rc = db_query_int(op->db, "SELECT 1 FROM jobs WHERE id = $1", DB_ARGS(db_int(x->id)), &one,
                          &found);
        if (rc != DB_OK)
            return op_db_fail(op, rc);
        return found ? op_fail(op, 409, "JOB_NOT_DEAD", "Only a dead job can be retried.")
                     : op_fail(op, 404, "JOB_NOT_FOUND", "Job not found.");
    }
    audit_entry_t a = {.actor_id = op->actor.id,
                       .action = "job.retried",
                       .object_type = "job",
                       .object_id = x->id,
                       .severity = AUDIT_MEDIUM,
                       .success = true};
    rc = audit_write(op->db, op, &a);
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}

static err_t *retry_job(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    retry_ctx_t x = {.id = http_param_int(req, "job_id")};
    err_t *e = op_tx(op, DB_TX_WRITE, retry_tx, &x);
    if (e)
        return e;
    json_t *out = NULL;
    if ((e = op_one(op, "SELECT " JOB_COLUMNS " FROM jobs j WHERE j.id = $1", DB_ARGS(db_int(x.id)),
                    job_row, "JOB_NOT_FOUND", "Job not found.", &out)))
        return e;
    http_reply_json(req, 200, out);
    return NULL;
}

static const char *const STATUSES[] = {"pending", "running", "done", "failed", "dead", NULL};

static const field_t list_fields[] = {
    ADMIN_LIST_FIELDS(job_sort_names),
    {"kind", FT_STRING, 0, .in = FIELD_QUERY, .min_len = 1, .max_len = 100},
    {"status", FT_STRING, 0, .in = FIELD_QUERY, .choices = STATUSES},
    FIELDS_END,
};

static const route_def_t job_routes[] = {
    {.method = HTTP_GET,
     .pattern = "/api/admin/jobs",
     .handler = list_jobs,
     .auth = AUTH_STAFF,
     .fields = list_fields,
     .tag = "admin"},
    {.method = HTTP_GET,
     .pattern = "/api/admin/jobs/summary",
     .handler = jobs_summary,
     .auth = AUTH_STAFF,
     .tag = "admin"},
    {.method = HTTP_POST,
     .pattern = "/api/admin/jobs/{job_id:int}/retry",
     .handler = retry_job,
     .auth = AUTH_STAFF,
     .tag = "admin"},
    ROUTES_END,
};

const module_t admin_jobs_module = {.name = "admin_jobs", .routes = job_routes};
