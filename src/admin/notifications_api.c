/*
 * notifications_api.c: the notifications sent, in the admin API (issue 12
 * point 2, docs/admin.md). GET /api/admin/notifications lists every in-app
 * notification with its recipient (filters type, recipient, sender,
 * reference, read, dates; CSV). Push and SMS delivery logs come with the
 * notifications issue (13).
 */
#include "admin/admin.h"
#include "admin/admin_list.h"
#include "core/text.h"
#include "module.h"

#define NOTE_COLUMNS                                                                               \
    "n.id, n.uuid, n.recipient_id, COALESCE(u.phone, ''), n.sender_id, n.type, n.title, "          \
    "n.message, n.reference_type, n.reference_id, n.is_read, n.read_at, n.created_at"

static json_t *note_row(op_t *op, db_rows_t *r)
{
    (void)op;
    return json_pack("{s:I, s:s, s:I, s:s, s:o, s:s, s:s, s:s, s:s, s:o, s:b, s:o, s:o}", "id",
                     (json_int_t)db_col_int(r, 0), "uuid", db_col_text(r, 1), "recipient_id",
                     (json_int_t)db_col_int(r, 2), "recipient_phone", db_col_text(r, 3),
                     "sender_id", op_col_int_or_null(r, 4), "type", db_col_text(r, 5), "title",
                     db_col_text(r, 6), "message", db_col_text(r, 7), "reference_type",
                     db_col_text(r, 8), "reference_id", op_col_int_or_null(r, 9), "is_read",
                     db_col_bool(r, 10), "read_at", text_json_time_or_null(db_col_time(r, 11)),
                     "created_at", text_json_time(db_col_time(r, 12)));
}

static const admin_filter_t note_filters[] = {
    {"type", AF_TEXT, "n.type = ?"},
    {"recipient_id", AF_INT, "n.recipient_id = ?"},
    {"sender_id", AF_INT, "n.sender_id = ?"},
    {"reference_type", AF_TEXT, "n.reference_type = ?"},
    {"reference_id", AF_INT, "n.reference_id = ?"},
    {"is_read", AF_BOOL, "n.is_read = ?"},
    {"from", AF_TIME, "n.created_at >= ?"},
    {"to", AF_TIME, "n.created_at < ?"},
    {0},
};
static const admin_sort_t note_sorts[] = {{"created_at", "n.created_at"}, {0}};
static const char *const note_sort_names[] = {"created_at", NULL};
static const char *const note_csv[] = {
    "id",      "created_at",     "recipient_id", "recipient_phone", "type", "title",
    "message", "reference_type", "reference_id", "is_read",         NULL};

static const admin_list_t admin_notes = {
    .name = "notifications",
    .columns = NOTE_COLUMNS,
    .from = "notifications n JOIN users u ON u.id = n.recipient_id",
    .filters = note_filters,
    .search = "n.title @ILIKE ? ESCAPE '\\' OR n.message @ILIKE ? ESCAPE '\\'",
    .sorts = note_sorts,
    .tiebreak = "n.id",
    .row = note_row,
    .csv = note_csv,
};

static err_t *list_notes(http_req_t *req, op_t *op, const input_t *in)
{
    return admin_list_reply(req, op, in, &admin_notes);
}

static const char *const TYPES[] = {"event_request",
                                    "event_invite",
                                    "event_update",
                                    "event_cancelled",
                                    "event_live",
                                    "payment_success",
                                    "payment_failed",
                                    "booking_success",
                                    "request_approved",
                                    "new_join_request",
                                    "ticket_confirmed",
                                    "event_started",
                                    "payout_reminder",
                                    "reminder",
                                    "system",
                                    "promotional",
                                    NULL};

static const field_t fields[] = {
    ADMIN_LIST_FIELDS(note_sort_names),
    ADMIN_SEARCH_FIELD,
    {"type", FT_STRING, 0, .in = FIELD_QUERY, .choices = TYPES},
    {"recipient_id", FT_INT, 0, .in = FIELD_QUERY, .min = 1, .max = INT64_MAX},
    {"sender_id", FT_INT, 0, .in = FIELD_QUERY, .min = 1, .max = INT64_MAX},
    {"reference_type", FT_STRING, 0, .in = FIELD_QUERY, .min_len = 1, .max_len = 50},
    {"reference_id", FT_INT, 0, .in = FIELD_QUERY, .min = 1, .max = INT64_MAX},
    {"is_read", FT_BOOL, 0, .in = FIELD_QUERY},
    {"from", FT_STRING, 0, .in = FIELD_QUERY, .check = field_check_datetime},
    {"to", FT_STRING, 0, .in = FIELD_QUERY, .check = field_check_datetime},
    FIELDS_END,
};

static const route_def_t note_routes[] = {
    {.method = HTTP_GET,
     .pattern = "/api/admin/notifications",
     .handler = list_notes,
     .auth = AUTH_STAFF,
     .fields = fields,
     .tag = "admin"},
    ROUTES_END,
};

const module_t admin_notifications_module = {.name = "admin_notifications", .routes = note_routes};
