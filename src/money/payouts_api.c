/*
 * payouts_api.c: HTTP side of payouts (API.md 10; docs/money.md
 * "Payouts"): the host's requests and earnings, and the staff workflow.
 * Errors use the {detail, error_code[, details]} envelope.
 */
#include <string.h>

#include "http/csv.h"
#include "http/router.h"
#include "module.h"
#include "money/payouts.h"

/* out is read after the domain call returned: C leaves the order in which a
 * call's arguments are evaluated unspecified (gcc reads them right to left). */
static err_t *create_request(http_req_t *req, op_t *op, const input_t *in)
{
    json_t *out = NULL;
    return http_reply_result(
        req, 201,
        payout_create(op, in_int(in, "event_id", 0), in_int(in, "bank_account_id", 0), &out), &out);
}

static err_t *list_requests(http_req_t *req, op_t *op, const input_t *in)
{
    json_t *out = NULL;
    return http_reply_result(req, 200,
                             payouts_mine(op, in_str(in, "status"), in_int(in, "offset", 0),
                                          in_int(in, "limit", 20), &out),
                             &out);
}

static err_t *get_request(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    json_t *out = NULL;
    return http_reply_result(req, 200, payout_get_mine(op, http_param_int(req, "payout_id"), &out),
                             &out);
}

static err_t *earnings(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    json_t *out = NULL;
    return http_reply_result(req, 200, payout_earnings(op, &out), &out);
}

/* The CSV export's columns (format=csv: every match, at most PAYOUT_CSV_MAX). */
#define PAYOUT_CSV_MAX 50000
static const char *const payout_csv[] = {"id",
                                         "status",
                                         "host_id",
                                         "host_name",
                                         "event_id",
                                         "event_name",
                                         "total_tickets_sold",
                                         "final_earning",
                                         "platform_fee_amount",
                                         "created_at",
                                         "processed_at",
                                         "transaction_reference",
                                         NULL};

static err_t *admin_list(http_req_t *req, op_t *op, const input_t *in)
{
    const char *format = in_str(in, "format");
    bool csv = format && !strcmp(format, "csv");
    payout_filter_t f = {.status = in_str(in, "status"),
                         .event_id = in_int(in, "event_id", 0),
                         .host_id = in_int(in, "host_id", 0),
                         .offset = csv ? 0 : in_int(in, "offset", 0),
                         .limit = csv ? PAYOUT_CSV_MAX : in_int(in, "limit", 20)};
    json_t *out = NULL;
    err_t *e = payouts_admin_list(op, &f, &out);
    if (e || !csv)
        return http_reply_result(req, 200, e, &out);
    http_reply_csv(
        req, "payouts", payout_csv, json_object_get(out, "data"),
        json_integer_value(json_object_get(json_object_get(out, "pagination"), "total")));
    json_decref(out);
    return NULL;
}

static err_t *admin_get(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    json_t *out = NULL;
    return http_reply_result(req, 200, payout_admin_get(op, http_param_int(req, "payout_id"), &out),
                             &out);
}

static err_t *move(http_req_t *req, op_t *op, const input_t *in, payout_action_t action)
{
    payout_move_t m = {.action = action,
                       .id = http_param_int(req, "payout_id"),
                       .notes = in_str(in, "notes"),
                       .transaction_reference =
                           action == PAYOUT_COMPLETE ? in_str(in, "transaction_reference") : NULL,
                       .reason = action == PAYOUT_REJECT ? in_str(in, "reason") : NULL};
    json_t *out = NULL;
    return http_reply_result(req, 200, payout_move(op, &m, &out), &out);
}

static err_t *approve(http_req_t *req, op_t *op, const input_t *in)
{
    return move(req, op, in, PAYOUT_APPROVE);
}

static err_t *process(http_req_t *req, op_t *op, const input_t *in)
{
    return move(req, op, in, PAYOUT_PROCESS);
}

static err_t *complete(http_req_t *req, op_t *op, const input_t *in)
{
    return move(req, op, in, PAYOUT_COMPLETE);
}

static err_t *reject(http_req_t *req, op_t *op, const input_t *in)
{
    return move(req, op, in, PAYOUT_REJECT);
}

static err_t *cancel(http_req_t *req, op_t *op, const input_t *in)
{
    return move(req, op, in, PAYOUT_CANCEL);
}

/* ---- fields --------------------------------------------------------------------------------- */

static const char *const STATUSES[] = {"pending",  "approved",  "processing", "completed",
                                       "rejected", "cancelled", NULL};

static const field_t create_fields[] = {
    {.name = "event_id", .type = FT_INT, .flags = F_REQUIRED, .min = 1, .max = INT64_MAX},
    {.name = "bank_account_id", .type = FT_INT, .flags = F_REQUIRED, .min = 1, .max = INT64_MAX},
    FIELDS_END,
};

/* API.md: status is any string (an unknown one matches nothing). */
static const field_t mine_fields[] = {
    {.name = "status", .type = FT_STRING, .in = FIELD_QUERY, .max_len = 50},
    {.name = "offset", .type = FT_INT, .in = FIELD_QUERY, .min = 0, .max = INT32_MAX},
    {.name = "limit", .type = FT_INT, .in = FIELD_QUERY, .min = 1, .max = 100},
    FIELDS_END,
};

static const char *const FORMATS[] = {"json", "csv", NULL};

static const field_t admin_list_fields[] = {
    {.name = "status", .type = FT_STRING, .in = FIELD_QUERY, .choices = STATUSES},
    {.name = "event_id", .type = FT_INT, .in = FIELD_QUERY, .min = 1, .max = INT64_MAX},
    {.name = "host_id", .type = FT_INT, .in = FIELD_QUERY, .min = 1, .max = INT64_MAX},
    {.name = "offset", .type = FT_INT, .in = FIELD_QUERY, .min = 0, .max = INT32_MAX},
    {.name = "limit", .type = FT_INT, .in = FIELD_QUERY, .min = 1, .max = 100},
    {.name = "format", .type = FT_STRING, .flags = F_ICASE, .in = FIELD_QUERY, .choices = FORMATS},
    FIELDS_END,
};

#define NOTES_FIELD                                                                                \
    {                                                                                              \
        .name = "notes", .type = FT_STRING, .flags = F_NULLABLE | F_TRIM,                          \
        .max_len = PAYOUT_NOTES_MAX                                                                \
    }

static const field_t notes_fields[] = {
    NOTES_FIELD,
    FIELDS_END,
};

static const field_t complete_fields[] = {
    {.name = "transaction_reference",
     .type = FT_STRING,
     .flags = F_REQUIRED | F_TRIM,
     .min_len = 1,
     .max_len = PAYOUT_REFERENCE_MAX},
    NOTES_FIELD,
    FIELDS_END,
};

static const field_t reject_fields[] = {
    {.name = "reason",
     .type = FT_STRING,
     .flags = F_REQUIRED | F_TRIM,
     .min_len = 1,
     .max_len = PAYOUT_REASON_MAX},
    NOTES_FIELD,
    FIELDS_END,
};

/* ---- routes --------------------------------------------------------------------------------- */

#define PAYOUT_ROUTE(m, path, fn, level)                                                           \
    .method = m, .pattern = path, .handler = fn, .auth = level, .tag = "money"
#define MOVE_ROUTE(verb, fn, f)                                                                    \
    {                                                                                              \
        PAYOUT_ROUTE(HTTP_POST, "/api/admin/payouts/{payout_id:int}/" verb, fn, AUTH_STAFF),       \
            .body = BODY_JSON, .body_optional = true, .fields = f, .idempotent = true              \
    }

static const route_def_t payouts_routes[] = {
    {PAYOUT_ROUTE(HTTP_POST, "/api/payouts/requests", create_request, AUTH_ACTIVE),
     .body = BODY_JSON, .fields = create_fields, .idempotent = true},
    {PAYOUT_ROUTE(HTTP_GET, "/api/payouts/requests", list_requests, AUTH_ACTIVE),
     .fields = mine_fields},
    {PAYOUT_ROUTE(HTTP_GET, "/api/payouts/requests/{payout_id:int}", get_request, AUTH_ACTIVE)},
    {PAYOUT_ROUTE(HTTP_GET, "/api/payouts/earnings", earnings, AUTH_ACTIVE)},
    {PAYOUT_ROUTE(HTTP_GET, "/api/admin/payouts", admin_list, AUTH_STAFF),
     .fields = admin_list_fields},
    {PAYOUT_ROUTE(HTTP_GET, "/api/admin/payouts/{payout_id:int}", admin_get, AUTH_STAFF)},
    MOVE_ROUTE("approve", approve, notes_fields),
    MOVE_ROUTE("process", process, notes_fields),
    MOVE_ROUTE("complete", complete, complete_fields),
    MOVE_ROUTE("reject", reject, reject_fields),
    MOVE_ROUTE("cancel", cancel, notes_fields),
    ROUTES_END,
};

const module_t payouts_module = {.name = "payouts", .routes = payouts_routes};
