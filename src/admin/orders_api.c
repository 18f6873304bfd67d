/*
 * orders_api.c: the admin API's orders and payments (issue 12 point 2,
 * docs/admin.md). Refunds are POST /api/admin/orders/{order_id}/refund
 * (money/refunds.c); these are the lists staff find orders with.
 *   GET /api/admin/orders              list: search order id or buyer phone,
 *                                      filters, sorts, CSV
 *   GET /api/admin/orders/{order_id}   detail: the order, its transactions and
 *                                      every callback received for it
 * Provider answers are shown without the fields that authenticate or
 * identify a card (hashes, card numbers and tokens, keys).
 */
#include <string.h>

#include "admin/admin.h"
#include "admin/admin_list.h"
#include "core/text.h"
#include "money/fee.h"
#include "module.h"

#define ORDER_COLUMNS                                                                              \
    "o.id, o.order_id, o.event_id, e.title, o.user_id, COALESCE(u.phone, ''), o.amount_minor, "    \
    "o.platform_fee_minor, o.refund_amount_minor, o.currency, o.seats_count, o.status, "           \
    "o.payment_provider, o.payment_method, o.transaction_id, o.failure_reason, o.created_at, "     \
    "o.updated_at"
#define ORDER_FROM                                                                                 \
    "payment_orders o JOIN events e ON e.id = o.event_id JOIN users u ON u.id = o.user_id"

static json_t *money(int64_t minor)
{
    char s[32];
    money_format(minor, s);
    return json_string(s);
}

static json_t *order_row(op_t *op, db_rows_t *r)
{
    (void)op;
    return json_pack(
        "{s:I, s:s, s:I, s:s, s:I, s:s, s:o, s:o, s:o, s:s, s:I, s:s, s:s, s:s, s:s, "
        "s:s, s:o, s:o}",
        "id", (json_int_t)db_col_int(r, 0), "order_id", db_col_text(r, 1), "event_id",
        (json_int_t)db_col_int(r, 2), "event_title", db_col_text(r, 3), "user_id",
        (json_int_t)db_col_int(r, 4), "user_phone", db_col_text(r, 5), "amount",
        money(db_col_int(r, 6)), "platform_fee", money(db_col_int(r, 7)), "refunded",
        money(db_col_int(r, 8)), "currency", db_col_text(r, 9), "seats",
        (json_int_t)db_col_int(r, 10), "status", db_col_text(r, 11), "payment_provider",
        db_col_text(r, 12), "payment_method", db_col_text(r, 13) ? db_col_text(r, 13) : "",
        "transaction_id", db_col_text(r, 14) ? db_col_text(r, 14) : "", "failure_reason",
        db_col_text(r, 15) ? db_col_text(r, 15) : "", "created_at",
        text_json_time(db_col_time(r, 16)), "updated_at", text_json_time(db_col_time(r, 17)));
}

static const admin_filter_t order_filters[] = {
    {"status", AF_TEXT, "o.status = ?"},
    {"provider", AF_TEXT, "o.payment_provider = ?"},
    {"event_id", AF_INT, "o.event_id = ?"},
    {"user_id", AF_INT, "o.user_id = ?"},
    {"refunded", AF_BOOL, "(o.refund_amount_minor > 0) = ?"},
    {"created_from", AF_TIME, "o.created_at >= ?"},
    {"created_to", AF_TIME, "o.created_at < ?"},
    {0},
};

static const admin_sort_t order_sorts[] = {
    {"created_at", "o.created_at"},
    {"amount", "o.amount_minor"},
    {"status", "o.status"},
    {0},
};
static const char *const order_sort_names[] = {"created_at", "amount", "status", NULL};
static const char *const order_csv[] = {"id",
                                        "order_id",
                                        "event_id",
                                        "event_title",
                                        "user_id",
                                        "user_phone",
                                        "amount",
                                        "platform_fee",
                                        "refunded",
                                        "currency",
                                        "seats",
                                        "status",
                                        "payment_provider",
                                        "payment_method",
                                        "transaction_id",
                                        "failure_reason",
                                        "created_at",
                                        NULL};

static const admin_list_t admin_orders = {
    .name = "orders",
    .columns = ORDER_COLUMNS,
    .from = ORDER_FROM,
    .filters = order_filters,
    .search = "o.order_id LIKE ? ESCAPE '\\' OR u.phone LIKE ? ESCAPE '\\'",
    .sorts = order_sorts,
    .tiebreak = "o.id",
    .row = order_row,
    .csv = order_csv,
};

static err_t *list_orders(http_req_t *req, op_t *op, const input_t *in)
{
    return admin_list_reply(req, op, in, &admin_orders);
}

/* ---- one order ------------------------------------------------------------------ */

static json_t *transaction_row(op_t *op, db_rows_t *r)
{
    (void)op;
    return json_pack("{s:I, s:s, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "id",
                     (json_int_t)db_col_int(r, 0), "type", db_col_text(r, 1), "amount",
                     money(db_col_int(r, 2)), "currency", db_col_text(r, 3), "provider",
                     db_col_text(r, 4), "provider_transaction_id",
                     db_col_text(r, 5) ? db_col_text(r, 5) : "", "status", db_col_text(r, 6),
                     "reason", db_col_text(r, 7) ? db_col_text(r, 7) : "", "failure_reason",
                     db_col_text(r, 8) ? db_col_text(r, 8) : "", "created_at",
                     text_json_time(db_col_time(r, 9)));
}

/* A provider's fields without what authenticates the message or identifies
 * a card. */
static json_t *redacted(const char *text)
{
    static const char *const hidden[] = {"hash", "card", "token", "key", "salt", "cvv", NULL};
    json_t *o = text_json_object(text), *v;
    const char *k;
    void *tmp;
    json_object_foreach_safe(o, tmp, k, v)
    {
        for (int i = 0; hidden[i]; i++)
            if (strstr(k, hidden[i])) {
                json_object_set_new(o, k, json_string("[hidden]"));
                break;
            }
    }
    return o;
}

static json_t *callback_row(op_t *op, db_rows_t *r)
{
    (void)op;
    return json_pack("{s:I, s:s, s:s, s:b, s:b, s:o, s:s, s:s, s:o, s:o}", "id",
                     (json_int_t)db_col_int(r, 0), "provider", db_col_text(r, 1), "type",
                     db_col_text(r, 2), "signature_valid", db_col_bool(r, 3), "processed",
                     db_col_bool(r, 4), "processed_at", text_json_time_or_null(db_col_time(r, 5)),
                     "processing_error", db_col_text(r, 6) ? db_col_text(r, 6) : "", "remote_ip",
                     db_col_text(r, 7) ? db_col_text(r, 7) : "", "received_at",
                     text_json_time(db_col_time(r, 8)), "payload", redacted(db_col_text(r, 9)));
}

static err_t *get_order(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    const char *order_id = http_param(req, "order_id");
    json_t *out = NULL, *list = NULL;
    err_t *e =
        op_one(op, "SELECT " ORDER_COLUMNS " FROM " ORDER_FROM " WHERE o.order_id = $1",
               DB_ARGS(db_text(order_id)), order_row, "ORDER_NOT_FOUND", "Order not found.", &out);
    if (e)
        return e;
    int64_t id = json_integer_value(json_object_get(out, "id"));
    e = op_list(op,
                "SELECT id, transaction_type, amount_minor, currency, provider, "
                "provider_transaction_id, status, reason, failure_reason, created_at FROM "
                "payment_transactions WHERE payment_order_id = $1 ORDER BY created_at, id",
                DB_ARGS(db_int(id)), transaction_row, &list);
    if (!e) {
        json_object_set_new(out, "transactions", list);
        e = op_list(op,
                    "SELECT id, provider, webhook_type, signature_valid, processed, processed_at, "
                    "processing_error, remote_ip, received_at, payload FROM payment_webhooks "
                    "WHERE payment_order_id = $1 ORDER BY received_at, id",
                    DB_ARGS(db_int(id)), callback_row, &list);
    }
    if (e) {
        json_decref(out);
        return e;
    }
    json_object_set_new(out, "callbacks", list);
    http_reply_json(req, 200, out);
    return NULL;
}

/* ---- routes --------------------------------------------------------------------- */

static const char *const STATUSES[] = {"created",   "pending",  "paid",   "completed", "failed",
                                       "cancelled", "refunded", "unpaid", NULL};
static const char *const PROVIDERS[] = {"razorpay",      "stripe", "paypal", "paytm",
                                        "phonepe",       "gpay",   "payu",   "cash",
                                        "bank_transfer", "test",   NULL};

static const field_t list_fields[] = {
    ADMIN_LIST_FIELDS(order_sort_names),
    ADMIN_SEARCH_FIELD,
    {"status", FT_STRING, 0, .in = FIELD_QUERY, .choices = STATUSES},
    {"provider", FT_STRING, 0, .in = FIELD_QUERY, .choices = PROVIDERS},
    {"event_id", FT_INT, 0, .in = FIELD_QUERY, .min = 1, .max = INT64_MAX},
    {"user_id", FT_INT, 0, .in = FIELD_QUERY, .min = 1, .max = INT64_MAX},
    {"refunded", FT_BOOL, 0, .in = FIELD_QUERY},
    {"created_from", FT_STRING, 0, .in = FIELD_QUERY, .check = field_check_datetime},
    {"created_to", FT_STRING, 0, .in = FIELD_QUERY, .check = field_check_datetime},
    FIELDS_END,
};

static const field_t get_fields[] = {
    {"order_id", FT_STRING, 0, .in = FIELD_PATH, .min_len = 1, .max_len = 64},
    FIELDS_END,
};

static const route_def_t order_routes[] = {
    {.method = HTTP_GET,
     .pattern = "/api/admin/orders",
     .handler = list_orders,
     .auth = AUTH_STAFF,
     .fields = list_fields,
     .tag = "admin"},
    {.method = HTTP_GET,
     .pattern = "/api/admin/orders/{order_id}",
     .handler = get_order,
     .auth = AUTH_STAFF,
     .fields = get_fields,
     .tag = "admin"},
    ROUTES_END,
};

const module_t admin_orders_module = {.name = "admin_orders", .routes = order_routes};
