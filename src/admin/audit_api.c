/*
 * audit_api.c: the audit trail in the admin API (issue 12 point 4,
 * docs/admin.md).
 *   GET /api/admin/audit            every row, filtered (actor, action, object,
 *                                   severity, outcome, dates), CSV
 *   GET /api/admin/audit/{id}       one row with its payload
 *   GET /api/admin/audit/summary    the daily counts per date, user and action
 * and the job that keeps audit_log_summary: every hour it recounts
 * yesterday and today (UTC) from audit_log, replacing those dates' rows in
 * one transaction, so running it again, or on several processes, gives the
 * same rows.
 */
#include <stdio.h>
#include <string.h>

#include "admin/admin.h"
#include "admin/admin_list.h"
#include "core/clock.h"
#include "core/text.h"
#include "jobs/jobs.h"
#include "module.h"

/* ---- the trail ----------------------------------------------------------------- */

#define AUDIT_COLUMNS                                                                              \
    "a.id, a.uuid, a.created_at, a.actor_user_id, COALESCE(u.phone, ''), a.action, "               \
    "a.object_type, a.object_id, a.severity, a.is_successful, a.error_message, a.ip_address, "     \
    "a.user_agent, a.request_id, a.payload"
#define AUDIT_FROM "audit_log a LEFT JOIN users u ON u.id = a.actor_user_id"

static json_t *audit_row(op_t *op, db_rows_t *r)
{
    (void)op;
    return json_pack("{s:I, s:s, s:o, s:o, s:s, s:s, s:s, s:o, s:s, s:b, s:s, s:s, s:s, s:s, s:o}",
                     "id", (json_int_t)db_col_int(r, 0), "uuid", db_col_text(r, 1), "created_at",
                     text_json_time(db_col_time(r, 2)), "actor_id", op_col_int_or_null(r, 3),
                     "actor_phone", db_col_text(r, 4), "action", db_col_text(r, 5), "object_type",
                     db_col_text(r, 6), "object_id", op_col_int_or_null(r, 7), "severity",
                     db_col_text(r, 8), "is_successful", db_col_bool(r, 9), "error_message",
                     db_col_text(r, 10), "ip_address", db_col_text(r, 11), "user_agent",
                     db_col_text(r, 12), "request_id", db_col_text(r, 13), "payload",
                     text_json_object(db_col_text(r, 14)));
}

static const admin_filter_t audit_filters[] = {
    {"actor_id", AF_INT, "a.actor_user_id = ?"},
    {"action", AF_TEXT, "a.action = ?"},
    {"action_prefix", AF_TEXT, "substr(a.action, 1, length(?)) = ?"},
    {"object_type", AF_TEXT, "a.object_type = ?"},
    {"object_id", AF_INT, "a.object_id = ?"},
    {"severity", AF_TEXT, "a.severity = ?"},
    {"is_successful", AF_BOOL, "a.is_successful = ?"},
    {"from", AF_TIME, "a.created_at >= ?"},
    {"to", AF_TIME, "a.created_at < ?"},
    {0},
};

static const admin_sort_t audit_sorts[] = {{"created_at", "a.created_at"}, {0}};
static const char *const audit_sort_names[] = {"created_at", NULL};
static const char *const audit_csv[] = {
    "id",          "created_at", "actor_id", "actor_phone",   "action",
    "object_type", "object_id",  "severity", "is_successful", "error_message",
    "ip_address",  "request_id", NULL};

static const admin_list_t audit_list = {
    .name = "audit",
    .columns = AUDIT_COLUMNS,
    .from = AUDIT_FROM,
    .filters = audit_filters,
    .sorts = audit_sorts,
    .tiebreak = "a.id",
    .row = audit_row,
    .csv = audit_csv,
};

static err_t *list_audit(http_req_t *req, op_t *op, const input_t *in)
{
    return admin_list_reply(req, op, in, &audit_list);
}

static err_t *get_audit(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    json_t *out = NULL;
    err_t *e = op_one(op, "SELECT " AUDIT_COLUMNS " FROM " AUDIT_FROM " WHERE a.id = $1",
                      DB_ARGS(db_int(http_param_int(req, "audit_id"))), audit_row,
                      "AUDIT_ROW_NOT_FOUND", "Audit row not found.", &out);
    if (!e)
        http_reply_json(req, 200, out);
    return e;
}

/* ---- the daily summary ----------------------------------------------------------- */

static json_t *summary_row(op_t *op, db_rows_t *r)
{
    (void)op;
    return json_pack("{s:s, s:o, s:s, s:s, s:I, s:I, s:I}", "date", db_col_text(r, 0), "user_id",
                     op_col_int_or_null(r, 1), "user_phone", db_col_text(r, 2), "action",
                     db_col_text(r, 3), "count", (json_int_t)db_col_int(r, 4), "successful_count",
                     (json_int_t)db_col_int(r, 5), "failed_count", (json_int_t)db_col_int(r, 6));
}

static const admin_filter_t summary_filters[] = {
    {"user_id", AF_INT, "s.user_id = ?"},
    {"action", AF_TEXT, "s.action = ?"},
    {"date_from", AF_TEXT, "s.date >= ?@AS_DATE"},
    {"date_to", AF_TEXT, "s.date <= ?@AS_DATE"},
    {0},
};
static const admin_sort_t summary_sorts[] = {{"date", "s.date"}, {"count", "s.count"}, {0}};
static const char *const summary_sort_names[] = {"date", "count", NULL};
static const char *const summary_csv[] = {"date",  "user_id",          "user_phone",   "action",
                                          "count", "successful_count", "failed_count", NULL};

static const admin_list_t summary_list = {
    .name = "audit_summary",
    .columns = "CAST(s.date AS TEXT), s.user_id, COALESCE(u.phone, ''), s.action, s.count, "
               "s.successful_count, s.failed_count",
    .from = "audit_log_summary s LEFT JOIN users u ON u.id = s.user_id",
    .filters = summary_filters,
    .sorts = summary_sorts,
    .tiebreak = "s.id",
    .row = summary_row,
    .csv = summary_csv,
};

static err_t *list_summary(http_req_t *req, op_t *op, const input_t *in)
{
    return admin_list_reply(req, op, in, &summary_list);
}

#define DAY_US (86400LL * USEC_PER_SEC)

static const char SQL_CLEAR_DAY[] = "DELETE FROM audit_log_summary WHERE date = $1@AS_DATE";
static const char SQL_COUNT_DAY[] =
    "INSERT INTO audit_log_summary (date, user_id, action, count, successful_count, "
    "failed_count, created_at, updated_at) SELECT $1@AS_DATE, actor_user_id, action, count(*), "
    "SUM(CASE WHEN is_successful THEN 1 ELSE 0 END), SUM(CASE WHEN is_successful THEN 0 ELSE 1 "
    "END), $4@AS_TIME, $4@AS_TIME FROM audit_log WHERE created_at >= $2 AND created_at < $3 GROUP "
    "BY "
    "actor_user_id, action";

/* Recounts the UTC day that starts at day_us. */
static err_t *count_day(op_t *op, int64_t day_us)
{
    char iso[32], date[11];
    clock_format_iso(day_us, iso);
    snprintf(date, sizeof date, "%.10s", iso);
    int rc = db_exec(op->db, SQL_CLEAR_DAY, DB_ARGS(db_text(date)), NULL);
    if (rc == DB_OK)
        rc = db_exec(
            op->db, SQL_COUNT_DAY,
            DB_ARGS(db_text(date), db_time(day_us), db_time(day_us + DAY_US), db_time(op->now_us)),
            NULL);
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}

static err_t *summary_tx(op_t *op, void *arg)
{
    (void)arg;
    int64_t today = op->now_us - op->now_us % DAY_US;
    err_t *e = count_day(op, today - DAY_US);
    return e ? e : count_day(op, today);
}

static err_t *summary_job(op_t *op, json_t *payload)
{
    (void)payload;
    return op_tx(op, DB_TX_WRITE, summary_tx, NULL);
}

/* ---- routes ---------------------------------------------------------------------- */

static const char *const SEVERITIES[] = {"low", "medium", "high", "critical", NULL};

static const field_t audit_fields[] = {
    ADMIN_LIST_FIELDS(audit_sort_names),
    {"actor_id", FT_INT, 0, .in = FIELD_QUERY, .min = 1, .max = INT64_MAX},
    {"action", FT_STRING, 0, .in = FIELD_QUERY, .max_len = 64, .pattern = "^[a-z][a-z0-9_.]*$"},
    {"action_prefix", FT_STRING, 0, .in = FIELD_QUERY, .max_len = 64,
     .pattern = "^[a-z][a-z0-9_.]*$"},
    {"object_type", FT_STRING, 0, .in = FIELD_QUERY, .min_len = 1, .max_len = 64},
    {"object_id", FT_INT, 0, .in = FIELD_QUERY, .min = 1, .max = INT64_MAX},
    {"severity", FT_STRING, 0, .in = FIELD_QUERY, .choices = SEVERITIES},
    {"is_successful", FT_BOOL, 0, .in = FIELD_QUERY},
    {"from", FT_STRING, 0, .in = FIELD_QUERY, .check = field_check_datetime},
    {"to", FT_STRING, 0, .in = FIELD_QUERY, .check = field_check_datetime},
    FIELDS_END,
};

static const field_t summary_fields[] = {
    ADMIN_LIST_FIELDS(summary_sort_names),
    {"user_id", FT_INT, 0, .in = FIELD_QUERY, .min = 1, .max = INT64_MAX},
    {"action", FT_STRING, 0, .in = FIELD_QUERY, .max_len = 64, .pattern = "^[a-z][a-z0-9_.]*$"},
    {"date_from", FT_STRING, 0, .in = FIELD_QUERY, .pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
    {"date_to", FT_STRING, 0, .in = FIELD_QUERY, .pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
    FIELDS_END,
};

static const route_def_t audit_routes[] = {
    {.method = HTTP_GET,
     .pattern = "/api/admin/audit",
     .handler = list_audit,
     .auth = AUTH_STAFF,
     .fields = audit_fields,
     .tag = "admin"},
    {.method = HTTP_GET,
     .pattern = "/api/admin/audit/summary",
     .handler = list_summary,
     .auth = AUTH_STAFF,
     .fields = summary_fields,
     .tag = "admin"},
    {.method = HTTP_GET,
     .pattern = "/api/admin/audit/{audit_id:int}",
     .handler = get_audit,
     .auth = AUTH_STAFF,
     .tag = "admin"},
    ROUTES_END,
};

static const job_kind_t audit_jobs[] = {
    {.kind = "audit_summary", .handler = summary_job, .period_s = 3600, .max_attempts = 5},
    {0},
};

const module_t admin_audit_module = {
    .name = "admin_audit", .routes = audit_routes, .jobs = audit_jobs};
