/*
 * campaigns_api.c: notification campaigns in the admin API (issue 13 point
 * 5, docs/notifications.md). Staff only.
 *   GET|POST /api/admin/campaign-templates, GET|PATCH .../{template_id}
 *   GET|POST /api/admin/campaigns, GET|PATCH .../{campaign_id}
 *   POST /api/admin/campaigns/audience-count   the live count while building
 *   POST /api/admin/campaigns/{id}/preview|send|cancel
 *   GET|PUT /api/admin/campaigns/kill-switch    {stopped}: stop every campaign
 *   GET  /api/admin/campaign-executions?campaign_id=   the delivery log
 * The domain is src/notifications/campaigns.c; this file is the glue.
 */
#include <string.h>

#include "admin/admin.h"
#include "admin/admin_list.h"
#include "core/text.h"
#include "module.h"
#include "notifications/campaigns.h"

static const char *const TYPES[] = {"promotional", "system", "event_update", "reminder", NULL};

/* ---- templates --------------------------------------------------------------- */

static json_t *template_list_row(op_t *op, db_rows_t *r)
{
    (void)op;
    return json_pack("{s:I, s:s, s:s, s:b, s:i, s:s, s:s, s:b, s:I, s:o}", "id",
                     (json_int_t)db_col_int(r, 0), "uuid", db_col_text(r, 1), "name",
                     db_col_text(r, 2), "is_active", db_col_bool(r, 3), "version",
                     (int)db_col_int(r, 4), "title", db_col_text(r, 5), "body", db_col_text(r, 6),
                     "locked", !db_col_isnull(r, 7), "campaigns", (json_int_t)db_col_int(r, 8),
                     "updated_at", text_json_time(db_col_time(r, 9)));
}

static const admin_sort_t template_sorts[] = {
    {"updated_at", "t.updated_at"}, {"name", "t.name"}, {0}};
static const char *const template_sort_names[] = {"updated_at", "name", NULL};
static const char *const template_csv[] = {"id", "name", "version", "title", "body", NULL};
static const admin_filter_t template_filters[] = {{"is_active", AF_BOOL, "t.is_active = ?"}, {0}};

static const admin_list_t template_list = {
    .name = "campaign_templates",
    .columns = "t.id, t.uuid, t.name, t.is_active, v.version, v.title, v.body, v.locked_at, "
               "(SELECT count(*) FROM campaigns c JOIN campaign_template_versions w ON w.id = "
               "c.template_version_id WHERE w.template_id = t.id), t.updated_at",
    .from = "campaign_templates t JOIN campaign_template_versions v ON v.template_id = t.id",
    .where = "v.version = (SELECT MAX(w.version) FROM campaign_template_versions w WHERE "
             "w.template_id = t.id)",
    .filters = template_filters,
    .search = "t.name @ILIKE ? ESCAPE '\\'",
    .sorts = template_sorts,
    .tiebreak = "t.id",
    .row = template_list_row,
    .csv = template_csv,
};

static err_t *list_templates(http_req_t *req, op_t *op, const input_t *in)
{
    return admin_list_reply(req, op, in, &template_list);
}

static err_t *create_template(http_req_t *req, op_t *op, const input_t *in)
{
    campaign_template_input_t t = {
        .name = in_str(in, "name"), .title = in_str(in, "title"), .body = in_str(in, "body")};
    json_t *out = NULL;
    return http_reply_result(req, 201, campaign_template_create(op, &t, &out), &out);
}

static err_t *get_template(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    json_t *out = NULL;
    return http_reply_result(
        req, 200, campaign_template_get(op, http_param_int(req, "template_id"), &out), &out);
}

static err_t *update_template(http_req_t *req, op_t *op, const input_t *in)
{
    campaign_template_input_t t = {
        .name = in_str(in, "name"), .title = in_str(in, "title"), .body = in_str(in, "body")};
    if (!t.name && !t.title && !t.body)
        return op_fail(op, 400, "NOTHING_TO_CHANGE", "Send name, title or body.");
    json_t *out = NULL;
    return http_reply_result(
        req, 200, campaign_template_update(op, http_param_int(req, "template_id"), &t, &out), &out);
}

/* ---- campaigns ---------------------------------------------------------------- */

static const admin_filter_t campaign_filters[] = {{"state", AF_TEXT, "c.state = ?"}, {0}};
static const admin_sort_t campaign_sorts[] = {
    {"created_at", "c.created_at"}, {"name", "c.name"}, {"scheduled_at", "c.scheduled_at"}, {0}};
static const char *const campaign_sort_names[] = {"created_at", "name", "scheduled_at", NULL};
static const char *const campaign_csv[] = {
    "id", "name", "state", "recipients", "created_at", "scheduled_at", "finished_at", NULL};

static const admin_list_t campaign_list = {
    .name = "campaigns",
    .columns =
        "c.id, c.uuid, c.name, c.state, c.notification_type, c.variables, c.audience, "
        "c.preview_count, c.previewed_at, c.scheduled_at, c.started_at, c.finished_at, "
        "c.recipients, c.failure_reason, c.created_at, c.updated_at, v.template_id, v.version, "
        "v.title, v.body, (SELECT count(*) FROM campaign_executions x WHERE x.campaign_id = c.id "
        "AND x.status = 'sent'), (SELECT count(*) FROM campaign_executions x WHERE "
        "x.campaign_id = c.id AND x.status = 'pending'), (SELECT count(*) FROM "
        "campaign_executions x WHERE x.campaign_id = c.id AND x.status = 'skipped'), "
        "c.created_by",
    .from = "campaigns c JOIN campaign_template_versions v ON v.id = c.template_version_id",
    .filters = campaign_filters,
    .search = "c.name @ILIKE ? ESCAPE '\\'",
    .sorts = campaign_sorts,
    .tiebreak = "c.id",
    .row = campaign_row,
    .csv = campaign_csv,
};

static err_t *list_campaigns(http_req_t *req, op_t *op, const input_t *in)
{
    return admin_list_reply(req, op, in, &campaign_list);
}

static campaign_input_t campaign_input(const input_t *in)
{
    return (campaign_input_t){.name = in_str(in, "name"),
                              .template_id = in_int(in, "template_id", 0),
                              .variables = in_json(in, "variables"),
                              .audience = in_json(in, "audience"),
                              .notification_type = in_str(in, "notification_type")};
}

static err_t *create_campaign(http_req_t *req, op_t *op, const input_t *in)
{
    campaign_input_t c = campaign_input(in);
    json_t *empty = json_object();
    if (!c.variables)
        c.variables = empty;
    if (!c.notification_type)
        c.notification_type = "promotional";
    json_t *out = NULL;
    err_t *e = http_reply_result(req, 201, campaign_create(op, &c, &out), &out);
    json_decref(empty);
    return e;
}

static int64_t campaign_id(http_req_t *req)
{
    return http_param_int(req, "campaign_id");
}

static err_t *get_campaign(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    json_t *out = NULL;
    return http_reply_result(req, 200, campaign_get(op, campaign_id(req), &out), &out);
}

static err_t *update_campaign(http_req_t *req, op_t *op, const input_t *in)
{
    campaign_input_t c = campaign_input(in);
    json_t *out = NULL;
    return http_reply_result(req, 200, campaign_update(op, campaign_id(req), &c, &out), &out);
}

static err_t *count_audience(http_req_t *req, op_t *op, const input_t *in)
{
    const char *type = in_str(in, "notification_type");
    json_t *out = NULL;
    return http_reply_result(
        req, 200,
        campaign_audience_count(op, in_json(in, "audience"), type ? type : "promotional", &out),
        &out);
}

static err_t *preview_campaign(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    json_t *out = NULL;
    return http_reply_result(req, 200, campaign_preview(op, campaign_id(req), &out), &out);
}

static err_t *send_campaign(http_req_t *req, op_t *op, const input_t *in)
{
    json_t *out = NULL;
    return http_reply_result(
        req, 200, campaign_send(op, campaign_id(req), in_int(in, "scheduled_at", 0), &out), &out);
}

static err_t *cancel_campaign(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    json_t *out = NULL;
    return http_reply_result(req, 200, campaign_cancel(op, campaign_id(req), &out), &out);
}

static err_t *get_switch(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    json_t *out = NULL;
    return http_reply_result(req, 200, campaign_kill_switch(op, -1, &out), &out);
}

static err_t *put_switch(http_req_t *req, op_t *op, const input_t *in)
{
    json_t *out = NULL;
    return http_reply_result(req, 200,
                             campaign_kill_switch(op, in_bool(in, "stopped", false), &out), &out);
}

/* ---- the delivery log ---------------------------------------------------------- */

static json_t *execution_row(op_t *op, db_rows_t *r)
{
    (void)op;
    return json_pack("{s:I, s:I, s:I, s:s, s:s, s:i, s:s, s:o, s:o, s:s, s:s, s:o}", "id",
                     (json_int_t)db_col_int(r, 0), "campaign_id", (json_int_t)db_col_int(r, 1),
                     "user_id", (json_int_t)db_col_int(r, 2), "name", db_col_text(r, 3), "phone",
                     db_col_text(r, 4) ? db_col_text(r, 4) : "", "batch", (int)db_col_int(r, 5),
                     "status", db_col_text(r, 6), "notification_uuid",
                     db_col_isnull(r, 7) ? json_null() : json_string(db_col_text(r, 7)),
                     "processed_at", text_json_time_or_null(db_col_time(r, 8)), "push_status",
                     db_col_text(r, 9) ? db_col_text(r, 9) : "", "push_error",
                     db_col_text(r, 10) ? db_col_text(r, 10) : "", "push_sent_at",
                     text_json_time_or_null(db_col_time(r, 11)));
}

static const admin_filter_t execution_filters[] = {{"campaign_id", AF_INT, "e.campaign_id = ?"},
                                                   {"status", AF_TEXT, "e.status = ?"},
                                                   {"push_status", AF_TEXT, "d.status = ?"},
                                                   {0}};
static const admin_sort_t execution_sorts[] = {{"id", "e.id"}, {0}};
static const char *const execution_sort_names[] = {"id", NULL};
static const char *const execution_csv[] = {"id",          "user_id",      "name",         "status",
                                            "push_status", "processed_at", "push_sent_at", NULL};

static const admin_list_t execution_list = {
    .name = "campaign_executions",
    .columns = "e.id, e.campaign_id, e.user_id, COALESCE(p.name, ''), u.phone, e.batch_no, "
               "e.status, e.notification_uuid, e.processed_at, d.status, d.error, d.sent_at",
    .from = "campaign_executions e JOIN users u ON u.id = e.user_id LEFT JOIN user_profiles p ON "
            "p.user_id = e.user_id LEFT JOIN notification_deliveries d ON d.notification_uuid = "
            "e.notification_uuid AND d.channel = 'push'",
    .filters = execution_filters,
    .search = "p.name @ILIKE ? ESCAPE '\\'",
    .sorts = execution_sorts,
    .tiebreak = "e.id",
    .row = execution_row,
    .csv = execution_csv,
};

static err_t *list_executions(http_req_t *req, op_t *op, const input_t *in)
{
    return admin_list_reply(req, op, in, &execution_list);
}

/* ---- fields and routes ----------------------------------------------------------- */

static const field_t template_list_fields[] = {
    ADMIN_LIST_FIELDS(template_sort_names),
    ADMIN_SEARCH_FIELD,
    {"is_active", FT_BOOL, 0, .in = FIELD_QUERY},
    FIELDS_END,
};

static const field_t template_create_fields[] = {
    {"name", FT_STRING, F_REQUIRED | F_TRIM, .min_len = 1, .max_len = 100},
    {"title", FT_STRING, F_REQUIRED | F_TRIM, .min_len = 1, .max_len = 200},
    {"body", FT_STRING, F_REQUIRED | F_TRIM, .min_len = 1, .max_len = 1000},
    FIELDS_END,
};

static const field_t template_update_fields[] = {
    {"name", FT_STRING, F_TRIM, .min_len = 1, .max_len = 100},
    {"title", FT_STRING, F_TRIM, .min_len = 1, .max_len = 200},
    {"body", FT_STRING, F_TRIM, .min_len = 1, .max_len = 1000},
    FIELDS_END,
};

static const char *vars_check(arena_t *a, json_t *v, json_t **out, const char **type)
{
    (void)a;
    (void)out;
    (void)type;
    return campaign_variables_check(v);
}

static const char *audience_shape(arena_t *a, json_t *v, json_t **out, const char **type)
{
    (void)a;
    (void)out;
    (void)type;
    return json_is_object(v) ? NULL : "audience must be an object {\"all\": [...], \"any\": [...]}";
}

static const field_t campaign_list_fields[] = {
    ADMIN_LIST_FIELDS(campaign_sort_names),
    ADMIN_SEARCH_FIELD,
    {"state", FT_STRING, 0, .in = FIELD_QUERY,
     .choices = (const char *const[]){"draft", "previewed", "scheduled", "sending", "sent",
                                      "cancelled", "failed", NULL}},
    FIELDS_END,
};

static const field_t campaign_create_fields[] = {
    {"name", FT_STRING, F_REQUIRED | F_TRIM, .min_len = 1, .max_len = 200},
    {"template_id", FT_INT, F_REQUIRED, .min = 1, .max = INT64_MAX},
    {"variables", FT_ANY, 0, .check = vars_check},
    {"audience", FT_ANY, F_REQUIRED, .check = audience_shape},
    {"notification_type", FT_STRING, 0, .choices = TYPES},
    FIELDS_END,
};

static const field_t campaign_update_fields[] = {
    {"name", FT_STRING, F_TRIM, .min_len = 1, .max_len = 200},
    {"template_id", FT_INT, 0, .min = 1, .max = INT64_MAX},
    {"variables", FT_ANY, 0, .check = vars_check},
    {"audience", FT_ANY, 0, .check = audience_shape},
    {"notification_type", FT_STRING, 0, .choices = TYPES},
    FIELDS_END,
};

static const field_t count_fields[] = {
    {"audience", FT_ANY, F_REQUIRED, .check = audience_shape},
    {"notification_type", FT_STRING, 0, .choices = TYPES},
    FIELDS_END,
};

static const field_t send_fields[] = {
    {"scheduled_at", FT_STRING, 0, .check = field_check_datetime},
    FIELDS_END,
};

static const field_t switch_fields[] = {
    {"stopped", FT_BOOL, F_REQUIRED | F_STRICT, .in = FIELD_BODY},
    FIELDS_END,
};

static const field_t execution_list_fields[] = {
    ADMIN_LIST_FIELDS(execution_sort_names),
    ADMIN_SEARCH_FIELD,
    {"campaign_id", FT_INT, F_REQUIRED, .in = FIELD_QUERY, .min = 1, .max = INT64_MAX},
    {"status", FT_STRING, 0, .in = FIELD_QUERY,
     .choices = (const char *const[]){"pending", "sent", "skipped", NULL}},
    {"push_status", FT_STRING, 0, .in = FIELD_QUERY,
     .choices = (const char *const[]){"sending", "sent", "skipped", "failed", NULL}},
    FIELDS_END,
};

#define STAFF(m, p, h) .method = m, .pattern = p, .handler = h, .auth = AUTH_STAFF, .tag = "admin"
#define WITH_BODY(f)   .body = BODY_JSON, .fields = f

static const route_def_t campaign_routes[] = {
    {STAFF(HTTP_GET, "/api/admin/campaign-templates", list_templates),
     .fields = template_list_fields},
    {STAFF(HTTP_POST, "/api/admin/campaign-templates", create_template),
     WITH_BODY(template_create_fields)},
    {STAFF(HTTP_GET, "/api/admin/campaign-templates/{template_id:int}", get_template)},
    {STAFF(HTTP_PATCH, "/api/admin/campaign-templates/{template_id:int}", update_template),
     WITH_BODY(template_update_fields)},
    {STAFF(HTTP_GET, "/api/admin/campaigns", list_campaigns), .fields = campaign_list_fields},
    {STAFF(HTTP_POST, "/api/admin/campaigns", create_campaign), WITH_BODY(campaign_create_fields)},
    {STAFF(HTTP_POST, "/api/admin/campaigns/audience-count", count_audience),
     WITH_BODY(count_fields)},
    {STAFF(HTTP_GET, "/api/admin/campaigns/kill-switch", get_switch)},
    {STAFF(HTTP_PUT, "/api/admin/campaigns/kill-switch", put_switch), WITH_BODY(switch_fields)},
    {STAFF(HTTP_GET, "/api/admin/campaigns/{campaign_id:int}", get_campaign)},
    {STAFF(HTTP_PATCH, "/api/admin/campaigns/{campaign_id:int}", update_campaign),
     WITH_BODY(campaign_update_fields)},
    {STAFF(HTTP_POST, "/api/admin/campaigns/{campaign_id:int}/preview", preview_campaign),
     .body = BODY_JSON, .body_optional = true},
    {STAFF(HTTP_POST, "/api/admin/campaigns/{campaign_id:int}/send", send_campaign),
     WITH_BODY(send_fields), .body_optional = true},
    {STAFF(HTTP_POST, "/api/admin/campaigns/{campaign_id:int}/cancel", cancel_campaign),
     .body = BODY_JSON, .body_optional = true},
    {STAFF(HTTP_GET, "/api/admin/campaign-executions", list_executions),
     .fields = execution_list_fields},
    ROUTES_END,
};

const module_t campaigns_module = {.name = "campaigns", .routes = campaign_routes};
