/*
 * notifications_api.c: GET /api/notifications (paginated, newest first,
 * ?unread_only=), GET /api/notifications/unread-count, PUT
 * /api/notifications/{id}/read and PUT /api/notifications/read-all, all for
 * the caller's own inbox; and the 30-day purge. Queries in notifications.c.
 */
#include "core/clock.h"
#include "http/router.h"
#include "module.h"
#include "notifications/notifications.h"

/* out is read after the domain call returned: C leaves the order in which a
 * call's arguments are evaluated unspecified (gcc reads them right to left). */
static err_t *list(http_req_t *req, op_t *op, const input_t *in)
{
    json_t *out = NULL;
    return http_reply_result(req, 200,
                             notifications_list(op, in_bool(in, "unread_only", false),
                                                in_int(in, "offset", 0), in_int(in, "limit", 20),
                                                &out),
                             &out);
}

static err_t *unread(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    json_t *out = NULL;
    return http_reply_result(req, 200, notifications_unread(op, &out), &out);
}

static err_t *mark_read(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    json_t *out = NULL;
    return http_reply_result(
        req, 200, notification_mark_read(op, http_param_int(req, "notification_id"), &out), &out);
}

static err_t *mark_all(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    json_t *out = NULL;
    return http_reply_result(req, 200, notifications_mark_all_read(op, &out), &out);
}

static const field_t list_fields[] = {
    {"unread_only", FT_BOOL, 0, .in = FIELD_QUERY},
    {"offset", FT_INT, 0, .in = FIELD_QUERY, .min = 0, .max = INT32_MAX},
    {"limit", FT_INT, 0, .in = FIELD_QUERY, .min = 1, .max = 100},
    FIELDS_END,
};

#define INBOX_ROUTE(m, path, fn)                                                                   \
    .method = m, .pattern = path, .handler = fn, .auth = AUTH_ACTIVE, .tag = "notifications"

static const route_def_t notifications_routes[] = {
    {INBOX_ROUTE(HTTP_GET, "/api/notifications", list), .fields = list_fields},
    {INBOX_ROUTE(HTTP_GET, "/api/notifications/unread-count", unread)},
    {INBOX_ROUTE(HTTP_PUT, "/api/notifications/{notification_id:int}/read", mark_read),
     .body = BODY_JSON, .body_optional = true},
    {INBOX_ROUTE(HTTP_PUT, "/api/notifications/read-all", mark_all), .body = BODY_JSON,
     .body_optional = true},
    ROUTES_END,
};

static const purge_def_t notifications_purges[] = {
    {"notifications", "DELETE FROM notifications WHERE created_at < $1",
     NOTIFICATIONS_KEEP_DAYS * 86400LL * USEC_PER_SEC},
    {0},
};

const module_t notifications_module = {
    .name = "notifications", .routes = notifications_routes, .purges = notifications_purges};
