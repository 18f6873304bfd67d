/*
 * requests_api.c: HTTP side of join requests (API.md section 6):
 * POST /api/events/{id}/requests, GET /api/events/my-requests,
 * GET /api/events/{id}/my-request, and for the host (or staff)
 * GET /api/events/{id}/requests and PUT .../requests/{rid}/accept|decline.
 * Rules and SQL are in requests.c.
 */
#include <string.h>

#include "events/event.h"
#include "http/router.h"
#include "module.h"
#include "requests/requests.h"

/* The host's object check with the route's own refusal. */
static err_t *host_of(http_req_t *req, op_t *op, const char *code, const char *message)
{
    return event_require_manager(op, http_param_int(req, "event_id"), code, message);
}

static err_t *owner_list(http_req_t *req, op_t *op)
{
    return host_of(req, op, "PERMISSION_DENIED",
                   "Only the event host can view requests for this event.");
}

static err_t *owner_accept(http_req_t *req, op_t *op)
{
    return host_of(req, op, "PERMISSION_DENIED",
                   "Only the event host can accept requests for this event.");
}

static err_t *owner_decline(http_req_t *req, op_t *op)
{
    return host_of(req, op, "NOT_HOST", "Only the event host can decline requests");
}

static err_t *owner_profile(http_req_t *req, op_t *op)
{
    return host_of(req, op, "NOT_HOST", "Only the event host can view requester profiles");
}

static err_t *owner_bulk(http_req_t *req, op_t *op)
{
    return host_of(req, op, "PERMISSION_DENIED", "Only the event host can perform bulk actions");
}

static err_t *create_request(http_req_t *req, op_t *op, const input_t *in)
{
    json_t *out = NULL;
    err_t *e = request_create(op, http_param_int(req, "event_id"),
                              (int)in_int(in, "seats_requested", 1), in_str(in, "message"), &out);
    return http_reply_result(req, 201, e, &out);
}

static err_t *my_requests(http_req_t *req, op_t *op, const input_t *in)
{
    json_t *out = NULL;
    err_t *e = requests_mine(op, in_str(in, "status_filter"), &out);
    return http_reply_result(req, 200, e, &out);
}

static err_t *my_request(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    json_t *out = NULL;
    err_t *e = request_mine(op, http_param_int(req, "event_id"), &out);
    return http_reply_result(req, 200, e, &out);
}

static err_t *event_requests(http_req_t *req, op_t *op, const input_t *in)
{
    json_t *out = NULL;
    err_t *e = requests_of_event(op, http_param_int(req, "event_id"), in_int(in, "offset", 0),
                                 in_int(in, "limit", 100), &out);
    return http_reply_result(req, 200, e, &out);
}

static err_t *answer(http_req_t *req, op_t *op, const input_t *in, bool accept)
{
    json_t *out = NULL;
    err_t *e =
        request_respond(op, http_param_int(req, "event_id"), http_param_int(req, "request_id"),
                        accept, in_str(in, "host_message"), &out);
    return http_reply_result(req, 200, e, &out);
}

static err_t *accept_request(http_req_t *req, op_t *op, const input_t *in)
{
    return answer(req, op, in, true);
}

static err_t *decline_request(http_req_t *req, op_t *op, const input_t *in)
{
    return answer(req, op, in, false);
}

static err_t *requester_profile(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    json_t *out = NULL;
    err_t *e = request_requester_profile(op, http_param_int(req, "event_id"),
                                         http_param_int(req, "request_id"), &out);
    return http_reply_result(req, 200, e, &out);
}

/* request_ids: 1-100 positive integers (checked by the field). */
static const char *ids_check(arena_t *a, json_t *v, json_t **out, const char **type)
{
    (void)a;
    (void)out;
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x)
    {
        if (!json_is_integer(x) || json_integer_value(x) < 1) {
            *type = "int_type";
            return "Input should be a valid integer";
        }
    }
    return NULL;
}

static err_t *bulk_action(http_req_t *req, op_t *op, const input_t *in)
{
    json_t *list = in_json(in, "request_ids");
    int64_t ids[REQUEST_BULK_MAX];
    int n = 0;
    for (size_t i = 0; i < json_array_size(list) && n < REQUEST_BULK_MAX; i++)
        ids[n++] = json_integer_value(json_array_get(list, i));
    json_t *out = NULL;
    err_t *e = requests_bulk(op, http_param_int(req, "event_id"), ids, n,
                             strcmp(in_str(in, "action"), "accept") == 0,
                             in_str(in, "host_message"), &out);
    return http_reply_result(req, 200, e, &out);
}

static const char *const actions[] = {"accept", "decline", NULL};

static const field_t bulk_fields[] = {
    {"request_ids", FT_LIST, F_REQUIRED, .min_len = 1, .max_len = REQUEST_BULK_MAX,
     .check = ids_check},
    {"action", FT_STRING, F_REQUIRED, .choices = actions},
    {"host_message", FT_STRING, F_NULLABLE, .max_len = REQUEST_REPLY_MAX},
    FIELDS_END,
};

static const char *const statuses[] = {"pending", "accepted", "declined", "cancelled", NULL};

static const field_t create_fields[] = {
    {"message", FT_STRING, F_NULLABLE, .max_len = REQUEST_MESSAGE_MAX},
    {"seats_requested", FT_INT, 0, .min = 1, .max = REQUEST_SEATS_MAX},
    FIELDS_END,
};

static const field_t mine_fields[] = {
    {"status_filter", FT_STRING, 0, .in = FIELD_QUERY, .choices = statuses},
    FIELDS_END,
};

static const field_t page_fields[] = {
    {"offset", FT_INT, 0, .in = FIELD_QUERY, .min = 0, .max = INT32_MAX},
    {"limit", FT_INT, 0, .in = FIELD_QUERY, .min = 1, .max = 500},
    FIELDS_END,
};

static const field_t answer_fields[] = {
    {"host_message", FT_STRING, F_NULLABLE, .max_len = REQUEST_REPLY_MAX},
    FIELDS_END,
};

#define REQ_ROUTE(m, path, fn, level)                                                              \
    .method = m, .pattern = path, .handler = fn, .auth = level, .envelope = ENVELOPE_EVENT,        \
    .tag = "requests"

static const route_def_t requests_routes[] = {
    {REQ_ROUTE(HTTP_POST, "/api/events/{event_id:int}/requests", create_request, AUTH_ACTIVE),
     .body = BODY_JSON, .body_optional = true, .fields = create_fields},
    {REQ_ROUTE(HTTP_GET, "/api/events/my-requests", my_requests, AUTH_ACTIVE),
     .fields = mine_fields},
    {REQ_ROUTE(HTTP_GET, "/api/events/{event_id:int}/my-request", my_request, AUTH_ACTIVE)},
    {REQ_ROUTE(HTTP_GET, "/api/events/{event_id:int}/requests", event_requests, AUTH_HOST),
     .owner = owner_list, .fields = page_fields},
    {REQ_ROUTE(HTTP_PUT, "/api/events/{event_id:int}/requests/{request_id:int}/accept",
               accept_request, AUTH_HOST),
     .owner = owner_accept, .body = BODY_JSON, .body_optional = true, .fields = answer_fields,
     .idempotent = true},
    {REQ_ROUTE(HTTP_PUT, "/api/events/{event_id:int}/requests/{request_id:int}/decline",
               decline_request, AUTH_HOST),
     .owner = owner_decline, .body = BODY_JSON, .body_optional = true, .fields = answer_fields},
    {REQ_ROUTE(HTTP_GET, "/api/events/{event_id:int}/requests/{request_id:int}/profile",
               requester_profile, AUTH_HOST),
     .owner = owner_profile},
    {REQ_ROUTE(HTTP_POST, "/api/events/{event_id:int}/requests/bulk-action", bulk_action,
               AUTH_HOST),
     .owner = owner_bulk, .body = BODY_JSON, .fields = bulk_fields, .idempotent = true},
    ROUTES_END,
};

const module_t requests_module = {.name = "requests", .routes = requests_routes};
