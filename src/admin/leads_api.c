/*
 * leads_api.c: "Become a Host" leads and hosts' bank accounts in the admin
 * API (issue 12 point 2, docs/admin.md).
 *   GET   /api/admin/host-leads               search name or phone; filters
 *                                             is_contacted, is_converted; CSV
 *   PATCH /api/admin/host-leads/{id}          {is_contacted?, is_converted?, notes?}
 *   GET   /api/admin/bank-accounts            filters host_id, is_verified,
 *                                             is_active; the number masked
 *   POST  /api/admin/bank-accounts/{id}/verify {is_verified}: staff checked the
 *                                             account (who and when recorded)
 *   POST  /api/admin/host-leads/{id}/whatsapp  {message, content_sid?}: queued
 *                                             (lead_whatsapp.c); the lead is
 *                                             marked contacted
 *   GET   /api/admin/host-leads/{id}/messages the delivery log
 */
#include "admin/admin.h"
#include "admin/admin_list.h"
#include "audit/audit.h"
#include "core/text.h"
#include "module.h"
#include "notifications/lead_whatsapp.h"

/* ---- host leads ------------------------------------------------------------------ */

#define LEAD_COLUMNS                                                                               \
    "l.id, l.uuid, l.first_name, l.last_name, l.phone_number, l.message, l.is_contacted, "         \
    "l.is_converted, l.notes, l.created_at, l.updated_at"

static json_t *lead_row(op_t *op, db_rows_t *r)
{
    (void)op;
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:s, s:o, s:o}", "id",
                     (json_int_t)db_col_int(r, 0), "uuid", db_col_text(r, 1), "first_name",
                     db_col_text(r, 2), "last_name", db_col_text(r, 3), "phone_number",
                     db_col_text(r, 4), "message", db_col_text(r, 5), "is_contacted",
                     db_col_bool(r, 6), "is_converted", db_col_bool(r, 7), "notes",
                     db_col_text(r, 8), "created_at", text_json_time(db_col_time(r, 9)),
                     "updated_at", text_json_time(db_col_time(r, 10)));
}

static const admin_filter_t lead_filters[] = {
    {"is_contacted", AF_BOOL, "l.is_contacted = ?"},
    {"is_converted", AF_BOOL, "l.is_converted = ?"},
    {0},
};
static const admin_sort_t lead_sorts[] = {
    {"created_at", "l.created_at"}, {"name", "l.first_name"}, {0}};
static const char *const lead_sort_names[] = {"created_at", "name", NULL};
static const char *const lead_csv[] = {
    "id",           "first_name",   "last_name", "phone_number", "message",
    "is_contacted", "is_converted", "notes",     "created_at",   NULL};

static const admin_list_t admin_leads = {
    .name = "host_leads",
    .columns = LEAD_COLUMNS,
    .from = "host_leads l",
    .filters = lead_filters,
    .search = "l.phone_number LIKE ? ESCAPE '\\' OR (l.first_name || ' ' || l.last_name) @ILIKE ? "
              "ESCAPE '\\'",
    .sorts = lead_sorts,
    .tiebreak = "l.id",
    .row = lead_row,
    .csv = lead_csv,
};

static err_t *list_leads(http_req_t *req, op_t *op, const input_t *in)
{
    return admin_list_reply(req, op, in, &admin_leads);
}

/* The one row of sql ($1 = id) through row(), or 404 with code. */
static err_t *reply_one(http_req_t *req, op_t *op, const char *sql, int64_t id, op_row_fn row,
                        const char *code)
{
    json_t *out = NULL;
    err_t *e = op_one(op, sql, DB_ARGS(db_int(id)), row, code, "Not found.", &out);
    if (!e)
        http_reply_json(req, 200, out);
    return e;
}

typedef struct {
    int64_t id;
    bool has_contacted, contacted, has_converted, converted;
    const char *notes;
} lead_ctx_t;

static err_t *lead_tx(op_t *op, void *arg)
{
    lead_ctx_t *x = arg;
    int64_t n = 0;
    int rc = db_exec(op->db,
                     "UPDATE host_leads SET is_contacted = CASE WHEN $2 THEN $3 ELSE is_contacted "
                     "END, is_converted = CASE WHEN $4 THEN $5 ELSE is_converted END, notes = "
                     "COALESCE($6, notes), updated_at = $7 WHERE id = $1",
                     DB_ARGS(db_int(x->id), db_bool(x->has_contacted), db_bool(x->contacted),
                             db_bool(x->has_converted), db_bool(x->converted), db_text(x->notes),
                             db_time(op->now_us)),
                     &n);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (n == 0)
        return op_fail(op, 404, "LEAD_NOT_FOUND", "Host lead not found.");
    json_t *after = json_object();
    if (x->has_contacted)
        json_object_set_new(after, "is_contacted", json_boolean(x->contacted));
    if (x->has_converted)
        json_object_set_new(after, "is_converted", json_boolean(x->converted));
    if (x->notes)
        json_object_set_new(after, "notes_changed", json_true());
    audit_entry_t a = {.actor_id = op->actor.id,
                       .action = "host_lead.updated",
                       .object_type = "host_lead",
                       .object_id = x->id,
                       .payload = after,
                       .severity = AUDIT_LOW,
                       .success = true};
    rc = audit_write(op->db, op, &a);
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}

static err_t *update_lead(http_req_t *req, op_t *op, const input_t *in)
{
    lead_ctx_t x = {.id = http_param_int(req, "lead_id"),
                    .has_contacted = in_has(in, "is_contacted"),
                    .contacted = in_bool(in, "is_contacted", false),
                    .has_converted = in_has(in, "is_converted"),
                    .converted = in_bool(in, "is_converted", false),
                    .notes = in_str(in, "notes")};
    if (!x.has_contacted && !x.has_converted && !x.notes)
        return op_fail(op, 400, "NOTHING_TO_CHANGE", "Send is_contacted, is_converted or notes.");
    err_t *e = op_tx(op, DB_TX_WRITE, lead_tx, &x);
    return e ? e
             : reply_one(req, op, "SELECT " LEAD_COLUMNS " FROM host_leads l WHERE l.id = $1", x.id,
                         lead_row, "LEAD_NOT_FOUND");
}

/* ---- bank accounts ------------------------------------------------------------- */

#define BANK_COLUMNS                                                                               \
    "b.id, b.uuid, b.host_id, COALESCE(u.phone, ''), b.bank_name, b.account_holder_name, "         \
    "b.account_last4, b.ifsc_code, b.is_primary, b.is_verified, b.is_active, b.verified_at, "      \
    "b.verified_by_id, b.created_at"
#define BANK_FROM "bank_accounts b JOIN users u ON u.id = b.host_id"

static json_t *bank_row(op_t *op, db_rows_t *r)
{
    (void)op;
    return json_pack("{s:I, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:b, s:o, s:o, s:o}", "id",
                     (json_int_t)db_col_int(r, 0), "uuid", db_col_text(r, 1), "host_id",
                     (json_int_t)db_col_int(r, 2), "host_phone", db_col_text(r, 3), "bank_name",
                     db_col_text(r, 4), "account_holder_name", db_col_text(r, 5),
                     "account_number_masked",
                     arena_printf(op->arena, "XXXXXXXX%s", db_col_text(r, 6)), "ifsc_code",
                     db_col_text(r, 7), "is_primary", db_col_bool(r, 8), "is_verified",
                     db_col_bool(r, 9), "is_active", db_col_bool(r, 10), "verified_at",
                     text_json_time_or_null(db_col_time(r, 11)), "verified_by_id",
                     op_col_int_or_null(r, 12), "created_at", text_json_time(db_col_time(r, 13)));
}

static const admin_filter_t bank_filters[] = {
    {"host_id", AF_INT, "b.host_id = ?"},
    {"is_verified", AF_BOOL, "b.is_verified = ?"},
    {"is_active", AF_BOOL, "b.is_active = ?"},
    {0},
};
static const admin_sort_t bank_sorts[] = {{"created_at", "b.created_at"}, {0}};
static const char *const bank_sort_names[] = {"created_at", NULL};
static const char *const bank_csv[] = {"id",
                                       "host_id",
                                       "host_phone",
                                       "bank_name",
                                       "account_holder_name",
                                       "account_number_masked",
                                       "ifsc_code",
                                       "is_primary",
                                       "is_verified",
                                       "is_active",
                                       "created_at",
                                       NULL};

static const admin_list_t admin_banks = {
    .name = "bank_accounts",
    .columns = BANK_COLUMNS,
    .from = BANK_FROM,
    .filters = bank_filters,
    .sorts = bank_sorts,
    .tiebreak = "b.id",
    .row = bank_row,
    .csv = bank_csv,
};

static err_t *list_banks(http_req_t *req, op_t *op, const input_t *in)
{
    return admin_list_reply(req, op, in, &admin_banks);
}

typedef struct {
    int64_t id;
    bool verified;
} verify_ctx_t;

static err_t *verify_tx(op_t *op, void *arg)
{
    verify_ctx_t *x = arg;
    int64_t n = 0;
    int rc =
        x->verified
            ? db_exec(
                  op->db,
                  "UPDATE bank_accounts SET is_verified = $2, verified_at = $3, "
                  "verified_by_id = $4, updated_at = $3 WHERE id = $1 AND is_active = $2",
                  DB_ARGS(db_int(x->id), db_bool(true), db_time(op->now_us), db_int(op->actor.id)),
                  &n)
            : db_exec(op->db,
                      "UPDATE bank_accounts SET is_verified = $2, verified_at = NULL, "
                      "verified_by_id = NULL, updated_at = $3 WHERE id = $1 AND is_active = $4",
                      DB_ARGS(db_int(x->id), db_bool(false), db_time(op->now_us), db_bool(true)),
                      &n);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (n == 0)
        return op_fail(op, 404, "BANK_ACCOUNT_NOT_FOUND", "Bank account not found.");
    audit_entry_t a = {.actor_id = op->actor.id,
                       .action = x->verified ? "bank_account.verified" : "bank_account.unverified",
                       .object_type = "bank_account",
                       .object_id = x->id,
                       .severity = AUDIT_HIGH,
                       .success = true};
    rc = audit_write(op->db, op, &a);
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}

static err_t *verify_bank(http_req_t *req, op_t *op, const input_t *in)
{
    verify_ctx_t x = {http_param_int(req, "account_id"), in_bool(in, "is_verified", true)};
    err_t *e = op_tx(op, DB_TX_WRITE, verify_tx, &x);
    return e ? e
             : reply_one(req, op, "SELECT " BANK_COLUMNS " FROM " BANK_FROM " WHERE b.id = $1",
                         x.id, bank_row, "BANK_ACCOUNT_NOT_FOUND");
}

/* ---- routes --------------------------------------------------------------------- */

static const field_t lead_list_fields[] = {
    ADMIN_LIST_FIELDS(lead_sort_names),
    ADMIN_SEARCH_FIELD,
    {"is_contacted", FT_BOOL, 0, .in = FIELD_QUERY},
    {"is_converted", FT_BOOL, 0, .in = FIELD_QUERY},
    FIELDS_END,
};

static const field_t lead_fields[] = {
    {"is_contacted", FT_BOOL, 0, .in = FIELD_BODY},
    {"is_converted", FT_BOOL, 0, .in = FIELD_BODY},
    {"notes", FT_STRING, F_TRIM, .max_len = 2000},
    FIELDS_END,
};

static const field_t bank_list_fields[] = {
    ADMIN_LIST_FIELDS(bank_sort_names),
    {"host_id", FT_INT, 0, .in = FIELD_QUERY, .min = 1, .max = INT64_MAX},
    {"is_verified", FT_BOOL, 0, .in = FIELD_QUERY},
    {"is_active", FT_BOOL, 0, .in = FIELD_QUERY},
    FIELDS_END,
};

static err_t *send_whatsapp(http_req_t *req, op_t *op, const input_t *in)
{
    json_t *out = NULL;
    return http_reply_result(req, 202,
                             lead_message_send(op, http_param_int(req, "lead_id"),
                                               in_str(in, "message"), in_str(in, "content_sid"),
                                               &out),
                             &out);
}

static err_t *list_messages(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    int64_t id = http_param_int(req, "lead_id");
    json_t *lead = NULL, *out = NULL;
    err_t *e =
        op_one(op, "SELECT " LEAD_COLUMNS " FROM host_leads l WHERE l.id = $1", DB_ARGS(db_int(id)),
               lead_row, "LEAD_NOT_FOUND", "Host lead not found.", &lead);
    if (!e)
        e = lead_messages_list(op, id, &out);
    if (e) {
        json_decref(lead);
        return e;
    }
    http_reply_json(req, 200, json_pack("{s:o, s:o}", "lead", lead, "data", out));
    return NULL;
}

static const field_t whatsapp_fields[] = {
    {"message", FT_STRING, F_REQUIRED | F_TRIM, .min_len = 1, .max_len = 1000},
    {"content_sid", FT_STRING, F_TRIM, .min_len = 1, .max_len = 64, .pattern = "^[A-Za-z0-9]+$"},
    FIELDS_END,
};

static const field_t verify_fields[] = {
    {"is_verified", FT_BOOL, 0, .def = "true"},
    FIELDS_END,
};

static const route_def_t lead_routes[] = {
    {.method = HTTP_GET,
     .pattern = "/api/admin/host-leads",
     .handler = list_leads,
     .auth = AUTH_STAFF,
     .fields = lead_list_fields,
     .tag = "admin"},
    {.method = HTTP_PATCH,
     .pattern = "/api/admin/host-leads/{lead_id:int}",
     .handler = update_lead,
     .auth = AUTH_STAFF,
     .body = BODY_JSON,
     .fields = lead_fields,
     .tag = "admin"},
    {.method = HTTP_POST,
     .pattern = "/api/admin/host-leads/{lead_id:int}/whatsapp",
     .handler = send_whatsapp,
     .auth = AUTH_STAFF,
     .body = BODY_JSON,
     .fields = whatsapp_fields,
     .tag = "admin"},
    {.method = HTTP_GET,
     .pattern = "/api/admin/host-leads/{lead_id:int}/messages",
     .handler = list_messages,
     .auth = AUTH_STAFF,
     .tag = "admin"},
    {.method = HTTP_GET,
     .pattern = "/api/admin/bank-accounts",
     .handler = list_banks,
     .auth = AUTH_STAFF,
     .fields = bank_list_fields,
     .tag = "admin"},
    {.method = HTTP_POST,
     .pattern = "/api/admin/bank-accounts/{account_id:int}/verify",
     .handler = verify_bank,
     .auth = AUTH_STAFF,
     .body = BODY_JSON,
     .fields = verify_fields,
     .tag = "admin"},
    ROUTES_END,
};

const module_t admin_leads_module = {.name = "admin_leads", .routes = lead_routes};
