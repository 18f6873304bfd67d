/*
 * events_api.c: the admin API's events (issue 12 point 2, docs/admin.md).
 *   GET  /api/admin/events                  list: search title, filters, sorts, CSV
 *   GET  /api/admin/events/{id}             detail: requests, attendees, check-ins,
 *                                           orders and revenue
 *   POST /api/admin/events/{id}/cancel      {reason}: cancelled, every going
 *                                           attendee told, audited
 *   POST /api/admin/events/{id}/unpublish   {reason}: private, so off every
 *                                           listing and search (refused while
 *                                           anyone holds a ticket, who would lose
 *                                           sight of it: cancel it instead)
 */
#include <stdlib.h>
#include <string.h>

#include "admin/admin.h"
#include "admin/admin_list.h"
#include "app.h"
#include "audit/audit.h"
#include "core/rand.h"
#include "core/text.h"
#include "events/event.h"
#include "events/events.h"
#include "money/fee.h"
#include "module.h"
#include "notifications/notifications.h"

/* ---- the list --------------------------------------------------------------- */

#define EVENT_COLUMNS                                                                              \
    "e.id, e.uuid, e.title, e.status, e.host_id, COALESCE(u.phone, ''), COALESCE(p.name, ''), "    \
    "e.start_time, e.end_time, e.is_paid, e.ticket_price_minor, e.currency, "                      \
    "e.max_capacity, " EVENT_SQL_SEATS_TAKEN(                                                      \
        "e") ", e.requests_count, e.is_public, e.is_active, e.created_at, "                        \
             "e.canonical_url"
#define EVENT_FROM                                                                                 \
    "events e JOIN users u ON u.id = e.host_id LEFT JOIN user_profiles p ON p.user_id = e.host_id"

static json_t *event_row(op_t *op, db_rows_t *r)
{
    (void)op;
    char price[32];
    money_format(db_col_int(r, 10), price);
    return json_pack("{s:I, s:s, s:s, s:s, s:I, s:s, s:s, s:o, s:o, s:b, s:s, s:s, s:I, s:I, s:I, "
                     "s:b, s:b, s:o, s:s}",
                     "id", (json_int_t)db_col_int(r, 0), "uuid", db_col_text(r, 1), "title",
                     db_col_text(r, 2), "status", db_col_text(r, 3), "host_id",
                     (json_int_t)db_col_int(r, 4), "host_phone", db_col_text(r, 5), "host_name",
                     db_col_text(r, 6), "start_time", text_json_time(db_col_time(r, 7)), "end_time",
                     text_json_time(db_col_time(r, 8)), "is_paid", db_col_bool(r, 9),
                     "ticket_price", price, "currency", db_col_text(r, 11), "max_capacity",
                     (json_int_t)db_col_int(r, 12), "going_count", (json_int_t)db_col_int(r, 13),
                     "requests_count", (json_int_t)db_col_int(r, 14), "is_public",
                     db_col_bool(r, 15), "is_active", db_col_bool(r, 16), "created_at",
                     text_json_time(db_col_time(r, 17)), "canonical_url", db_col_text(r, 18));
}

static const admin_filter_t event_filters[] = {
    {"status", AF_TEXT, "e.status = ?"},       {"host_id", AF_INT, "e.host_id = ?"},
    {"is_paid", AF_BOOL, "e.is_paid = ?"},     {"is_public", AF_BOOL, "e.is_public = ?"},
    {"is_active", AF_BOOL, "e.is_active = ?"}, {"start_from", AF_TIME, "e.start_time >= ?"},
    {"start_to", AF_TIME, "e.start_time < ?"}, {0},
};

static const admin_sort_t event_sorts[] = {
    {"start_time", "e.start_time"},
    {"created_at", "e.created_at"},
    {"title", "e.title"},
    {"requests_count", "e.requests_count"},
    {0},
};
static const char *const event_sort_names[] = {"start_time", "created_at", "title",
                                               "requests_count", NULL};
static const char *const event_csv[] = {
    "id",           "uuid",      "title",        "status",        "host_id",
    "host_phone",   "host_name", "start_time",   "end_time",      "is_paid",
    "ticket_price", "currency",  "max_capacity", "going_count",   "requests_count",
    "is_public",    "is_active", "created_at",   "canonical_url", NULL};

static const admin_list_t admin_events = {
    .name = "events",
    .columns = EVENT_COLUMNS,
    .from = EVENT_FROM,
    .filters = event_filters,
    .search = "e.title @ILIKE ? ESCAPE '\\'",
    .sorts = event_sorts,
    .tiebreak = "e.id",
    .row = event_row,
    .csv = event_csv,
};

static err_t *list_events(http_req_t *req, op_t *op, const input_t *in)
{
    return admin_list_reply(req, op, in, &admin_events);
}

/* ---- one event --------------------------------------------------------------- */

static err_t *load_event_row(op_t *op, int64_t id, json_t **out)
{
    json_t *rows = NULL;
    err_t *e = op_list(op, "SELECT " EVENT_COLUMNS " FROM " EVENT_FROM " WHERE e.id = $1",
                       DB_ARGS(db_int(id)), event_row, &rows);
    if (e)
        return e;
    *out = json_array_size(rows) ? json_incref(json_array_get(rows, 0)) : NULL;
    json_decref(rows);
    return *out ? NULL : event_not_found(op, id);
}

static json_t *request_row(op_t *op, db_rows_t *r)
{
    (void)op;
    return json_pack("{s:I, s:I, s:s, s:s, s:s, s:I, s:o}", "id", (json_int_t)db_col_int(r, 0),
                     "user_id", (json_int_t)db_col_int(r, 1), "phone", db_col_text(r, 2), "name",
                     db_col_text(r, 3), "status", db_col_text(r, 4), "seats_requested",
                     (json_int_t)db_col_int(r, 5), "created_at", text_json_time(db_col_time(r, 6)));
}

static json_t *attendee_row(op_t *op, db_rows_t *r)
{
    (void)op;
    return json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:I, s:o, s:o}", "id",
                     (json_int_t)db_col_int(r, 0), "user_id", (json_int_t)db_col_int(r, 1), "phone",
                     db_col_text(r, 2), "name", db_col_text(r, 3), "status", db_col_text(r, 4),
                     "payment_status", db_col_text(r, 5), "seats", (json_int_t)db_col_int(r, 6),
                     "checked_in_at", text_json_time_or_null(db_col_time(r, 7)), "created_at",
                     text_json_time(db_col_time(r, 8)));
}

static json_t *scan_row(op_t *op, db_rows_t *r)
{
    (void)op;
    return json_pack("{s:I, s:o, s:s, s:s, s:s, s:s, s:o}", "id", (json_int_t)db_col_int(r, 0),
                     "attendance_record_id", op_col_int_or_null(r, 1), "action", db_col_text(r, 2),
                     "source", db_col_text(r, 3), "result", db_col_text(r, 4), "reason",
                     db_col_text(r, 5), "scanned_at", text_json_time(db_col_time(r, 6)));
}

static json_t *order_row(op_t *op, db_rows_t *r)
{
    (void)op;
    char amount[32], refunded[32];
    money_format(db_col_int(r, 3), amount);
    money_format(db_col_int(r, 4), refunded);
    return json_pack("{s:I, s:s, s:I, s:s, s:s, s:s, s:s, s:o}", "id", (json_int_t)db_col_int(r, 0),
                     "order_id", db_col_text(r, 1), "user_id", (json_int_t)db_col_int(r, 2),
                     "amount", amount, "refunded", refunded, "status", db_col_text(r, 5),
                     "payment_provider", db_col_text(r, 6), "created_at",
                     text_json_time(db_col_time(r, 7)));
}

/* Money taken for the event: what paid orders brought, the platform's part,
 * the host's, and what was refunded. */
static json_t *revenue_row(op_t *op, db_rows_t *r)
{
    (void)op;
    char gross[32], fee[32], host[32], refunded[32];
    money_format(db_col_int(r, 1), gross);
    money_format(db_col_int(r, 2), fee);
    money_format(db_col_int(r, 1) - db_col_int(r, 2), host);
    money_format(db_col_int(r, 3), refunded);
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:I}", "paid_orders", (json_int_t)db_col_int(r, 0),
                     "gross", gross, "platform_fee", fee, "host_share", host, "refunded", refunded,
                     "seats_sold", (json_int_t)db_col_int(r, 4));
}

static const admin_section_t sections[] = {
    {"requests",
     "SELECT r.id, r.requester_id, COALESCE(u.phone, ''), COALESCE(p.name, ''), r.status, "
     "r.seats_requested, r.created_at FROM event_requests r JOIN users u ON u.id = "
     "r.requester_id LEFT JOIN user_profiles p ON p.user_id = r.requester_id WHERE r.event_id = "
     "$1 ORDER BY r.created_at DESC, r.id DESC LIMIT 50",
     request_row, false},
    {"attendees",
     "SELECT a.id, a.user_id, COALESCE(u.phone, ''), COALESCE(p.name, ''), a.status, "
     "a.payment_status, a.seats, a.checked_in_at, a.created_at FROM attendance_records a JOIN "
     "users u ON u.id = a.user_id LEFT JOIN user_profiles p ON p.user_id = a.user_id WHERE "
     "a.event_id = $1 ORDER BY a.created_at DESC, a.id DESC LIMIT 50",
     attendee_row, false},
    {"check_ins",
     "SELECT id, attendance_record_id, action, source, result, COALESCE(reason, ''), scanned_at "
     "FROM ticket_scans WHERE event_id = $1 ORDER BY scanned_at DESC, id DESC LIMIT 50",
     scan_row, false},
    {"orders",
     "SELECT id, order_id, user_id, amount_minor, refund_amount_minor, status, "
     "payment_provider, created_at FROM payment_orders WHERE event_id = $1 ORDER BY created_at "
     "DESC, id DESC LIMIT 50",
     order_row, false},
    {"revenue",
     "SELECT count(*), COALESCE(SUM(amount_minor), 0), COALESCE(SUM(platform_fee_minor), 0), "
     "COALESCE(SUM(refund_amount_minor), 0), COALESCE(SUM(seats_count), 0) FROM payment_orders "
     "WHERE event_id = $1 AND status IN ('paid', 'completed', 'refunded')",
     revenue_row, true},
    {0},
};

static err_t *get_event(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    int64_t id = http_param_int(req, "event_id");
    json_t *out = NULL;
    err_t *e = load_event_row(op, id, &out);
    return e ? e : admin_detail_reply(req, op, out, id, sections);
}

/* ---- actions ------------------------------------------------------------------ */

typedef struct {
    int64_t id;
    const char *reason;
    bool cancel;
    int64_t told, paid_orders;
} status_ctx_t;

static int tell_going(op_t *op, const event_t *e, const char *reason, int64_t *told)
{
    json_t *meta = json_pack("{s:I, s:s}", "event_id", (json_int_t)e->id, "reason", reason);
    char *text = json_dumps(meta, JSON_COMPACT);
    json_decref(meta);
    notify_ref_t n = {.key = "event_cancelled_reason",
                      .reference_type = "event",
                      .reference_id = e->id,
                      .metadata = text ? arena_strdup(op->arena, text) : NULL};
    free(text);
    int rc = db_query_int(op->db,
                          "SELECT count(*) FROM event_attendees WHERE event_id = $1 AND status = "
                          "'going'",
                          DB_ARGS(db_int(e->id)), told, &(bool){false});
    return rc == DB_OK ? event_notify_going(op, e->id, &n,
                                            TPL_ARGS({"event_name", e->title}, {"reason", reason}))
                       : rc;
}

static err_t *audit_change(op_t *op, const event_t *e, const status_ctx_t *x, json_t *payload)
{
    audit_entry_t a = {.actor_id = op->actor.id,
                       .action = x->cancel ? "event.cancelled" : "event.unpublished",
                       .object_type = "event",
                       .object_id = x->id,
                       .object_uuid = e->uuid,
                       .payload = payload,
                       .severity = AUDIT_HIGH,
                       .success = true};
    int rc = audit_write(op->db, op, &a);
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}

/* Cancelled, with every going attendee told; *paid_orders still to refund. */
static err_t *cancel_locked(op_t *op, const event_t *e, status_ctx_t *x)
{
    bool found;
    if (!strcmp(e->status, "cancelled") || !event_status_transition_ok(e->status, "cancelled"))
        return op_fail(op, 409, "INVALID_STATUS_TRANSITION", "A %s event cannot be cancelled.",
                       e->status);
    int rc =
        db_exec(op->db, "UPDATE events SET status = 'cancelled', updated_at = $2 WHERE id = $1",
                DB_ARGS(db_int(x->id), db_time(op->now_us)), NULL);
    if (rc == DB_OK)
        rc = tell_going(op, e, x->reason, &x->told);
    if (rc == DB_OK)
        rc = db_query_int(op->db,
                          "SELECT count(*) FROM payment_orders WHERE event_id = $1 AND status IN "
                          "('paid', 'completed') AND refund_amount_minor < amount_minor",
                          DB_ARGS(db_int(x->id)), &x->paid_orders, &found);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    return audit_change(op, e, x,
                        json_pack("{s:s, s:s, s:s, s:I}", "reason", x->reason, "from", e->status,
                                  "to", "cancelled", "attendees_told", (json_int_t)x->told));
}

/* Private: off the listing and search; not while anyone holds a ticket. */
static err_t *unpublish_locked(op_t *op, const event_t *e, status_ctx_t *x)
{
    if (!e->is_public)
        return op_fail(op, 409, "ALREADY_PRIVATE", "This event is not listed publicly.");
    if (e->going_count > 0)
        return op_fail(op, 409, "EVENT_HAS_ATTENDEES",
                       "People hold tickets for this event; cancel it instead.");
    int rc = db_exec(op->db, "UPDATE events SET is_public = $2, updated_at = $3 WHERE id = $1",
                     DB_ARGS(db_int(x->id), db_bool(false), db_time(op->now_us)), NULL);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    return audit_change(op, e, x,
                        json_pack("{s:s, s:{s:b}, s:{s:b}}", "reason", x->reason, "before",
                                  "is_public", true, "after", "is_public", false));
}

static err_t *status_tx(op_t *op, void *arg)
{
    status_ctx_t *x = arg;
    event_t e;
    bool found = false;
    int rc = event_load_for_update(op->db, op->arena, x->id, &e, &found);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (!found || !e.is_active)
        return event_not_found(op, x->id);
    return x->cancel ? cancel_locked(op, &e, x) : unpublish_locked(op, &e, x);
}

static err_t *change_status(http_req_t *req, op_t *op, const input_t *in, bool cancel)
{
    status_ctx_t x = {
        .id = http_param_int(req, "event_id"), .reason = in_str(in, "reason"), .cancel = cancel};
    err_t *e = op_tx(op, DB_TX_WRITE, status_tx, &x);
    if (e)
        return e;
    listing_changed(op->app);
    json_t *out = NULL;
    if ((e = load_event_row(op, x.id, &out)))
        return e;
    if (cancel) {
        json_object_set_new(out, "attendees_told", json_integer(x.told));
        json_object_set_new(out, "paid_orders_to_refund", json_integer(x.paid_orders));
    }
    http_reply_json(req, 200, out);
    return NULL;
}

static err_t *cancel_event(http_req_t *req, op_t *op, const input_t *in)
{
    return change_status(req, op, in, true);
}

static err_t *unpublish_event(http_req_t *req, op_t *op, const input_t *in)
{
    return change_status(req, op, in, false);
}

/* ---- routes -------------------------------------------------------------------- */

static const char *const STATUSES[] = {"draft",     "published", "cancelled",
                                       "completed", "postponed", NULL};

static const field_t list_fields[] = {
    ADMIN_LIST_FIELDS(event_sort_names),
    ADMIN_SEARCH_FIELD,
    {"status", FT_STRING, 0, .in = FIELD_QUERY, .choices = STATUSES},
    {"host_id", FT_INT, 0, .in = FIELD_QUERY, .min = 1, .max = INT64_MAX},
    {"is_paid", FT_BOOL, 0, .in = FIELD_QUERY},
    {"is_public", FT_BOOL, 0, .in = FIELD_QUERY},
    {"is_active", FT_BOOL, 0, .in = FIELD_QUERY},
    {"start_from", FT_STRING, 0, .in = FIELD_QUERY, .check = field_check_datetime},
    {"start_to", FT_STRING, 0, .in = FIELD_QUERY, .check = field_check_datetime},
    FIELDS_END,
};

static const field_t reason_fields[] = {
    {"reason", FT_STRING, F_REQUIRED | F_TRIM, .min_len = 3, .max_len = 500},
    FIELDS_END,
};

static const route_def_t event_routes[] = {
    {.method = HTTP_GET,
     .pattern = "/api/admin/events",
     .handler = list_events,
     .auth = AUTH_STAFF,
     .fields = list_fields,
     .tag = "admin"},
    {.method = HTTP_GET,
     .pattern = "/api/admin/events/{event_id:int}",
     .handler = get_event,
     .auth = AUTH_STAFF,
     .tag = "admin"},
    {.method = HTTP_POST,
     .pattern = "/api/admin/events/{event_id:int}/cancel",
     .handler = cancel_event,
     .auth = AUTH_STAFF,
     .body = BODY_JSON,
     .fields = reason_fields,
     .tag = "admin"},
    {.method = HTTP_POST,
     .pattern = "/api/admin/events/{event_id:int}/unpublish",
     .handler = unpublish_event,
     .auth = AUTH_STAFF,
     .body = BODY_JSON,
     .fields = reason_fields,
     .tag = "admin"},
    ROUTES_END,
};

const module_t admin_events_module = {.name = "admin_events", .routes = event_routes};
