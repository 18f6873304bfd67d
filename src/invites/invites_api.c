/*
 * invites_api.c: HTTP side of invitations (API.md section 8 with the app's
 * shapes; docs/invitations.md) and the people search the app invites from.
 */
#include <string.h>

#include "core/clock.h"
#include "core/text.h"
#include "http/router.h"
#include "invites/invites.h"
#include "module.h"

/* out is read after the domain call returned: C leaves the order in which a
 * call's arguments are evaluated unspecified (gcc reads them right to left). */
static int64_t event_of(http_req_t *req)
{
    return http_param_int(req, "event_id");
}

static err_t *owner_invite(http_req_t *req, op_t *op)
{
    return event_require_manager(op, event_of(req), "PERMISSION_DENIED",
                                 "Only the event host can invite users to this event.");
}

static err_t *owner_view(http_req_t *req, op_t *op)
{
    return event_require_manager(op, event_of(req), "PERMISSION_DENIED",
                                 "Only the event host can view invitations for this event.");
}

/* expires_at wins over expiry_policy; neither: no expiry. */
static err_t *expiry_of(op_t *op, const input_t *in, int64_t *out)
{
    const char *at = in_str(in, "expires_at"), *policy = in_str(in, "expiry_policy");
    *out = 0;
    if (at) {
        clock_parse_iso(at, out);
        if (*out <= op->now_us)
            return op_fail(op, 400, "INVALID_EXPIRY", "expires_at must be in the future.");
    } else if (policy) {
        *out = invite_policy_expiry(policy, op->now_us);
    }
    return NULL;
}

static err_t *create(http_req_t *req, op_t *op, const input_t *in)
{
    json_t *list = in_json(in, "user_ids");
    int64_t ids[INVITE_IDS_MAX];
    int n = 0;
    for (size_t i = 0; i < json_array_size(list) && n < INVITE_IDS_MAX; i++) {
        int64_t id = json_integer_value(json_array_get(list, i));
        bool seen = false;
        for (int k = 0; k < n; k++)
            seen |= ids[k] == id;
        if (!seen)
            ids[n++] = id;
    }
    invite_spec_t s = {.user_ids = ids,
                       .n = n,
                       .message = in_str(in, "message"),
                       .expiry_policy = in_str(in, "expiry_policy")};
    json_t *out = NULL;
    err_t *e = expiry_of(op, in, &s.expires_at);
    if (!e)
        e = invites_create(op, event_of(req), &s, &out);
    return http_reply_result(req, 200, e, &out);
}

static err_t *list(http_req_t *req, op_t *op, const input_t *in)
{
    json_t *out = NULL;
    return http_reply_result(
        req, 200, invites_of_event(op, event_of(req), in_str(in, "status_filter"), &out), &out);
}

static err_t *mine(http_req_t *req, op_t *op, const input_t *in)
{
    json_t *out = NULL;
    return http_reply_result(req, 200, invites_mine(op, in_str(in, "status_filter"), &out), &out);
}

static err_t *respond(http_req_t *req, op_t *op, const input_t *in)
{
    json_t *out = NULL;
    bool going = strcmp(in_str(in, "response"), "going") == 0;
    return http_reply_result(
        req, 200, invite_respond(op, http_param_int(req, "invite_id"), going, &out), &out);
}

static err_t *link_create(http_req_t *req, op_t *op, const input_t *in)
{
    link_spec_t s = {.max_uses = (int)in_int(in, "max_uses", 1),
                     .expiry_policy = in_str(in, "expiry_policy"),
                     .message = in_str(in, "message")};
    json_t *out = NULL;
    err_t *e = expiry_of(op, in, &s.expires_at);
    if (!e)
        e = invite_link_create(op, event_of(req), &s, &out);
    return http_reply_result(req, 201, e, &out);
}

static err_t *link_list(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    json_t *out = NULL;
    return http_reply_result(req, 200, invite_links_of_event(op, event_of(req), &out), &out);
}

static err_t *link_revoke(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    json_t *out = NULL;
    return http_reply_result(
        req, 200, invite_link_revoke(op, event_of(req), http_param_int(req, "link_id"), &out),
        &out);
}

static err_t *link_accept(http_req_t *req, op_t *op, const input_t *in)
{
    json_t *out = NULL;
    return http_reply_result(req, 200, invite_link_accept(op, in_str(in, "token"), &out), &out);
}

static err_t *search(http_req_t *req, op_t *op, const input_t *in)
{
    int64_t event_id = in_int(in, "event_id", 0);
    json_t *out = NULL;
    err_t *e = event_require_manager(op, event_id, "PERMISSION_DENIED",
                                     "Only the event host can invite users to this event.");
    if (!e)
        e = invite_user_search(op, event_id, in_str(in, "search"), in_int(in, "offset", 0),
                               in_int(in, "limit", 100), &out);
    return http_reply_result(req, 200, e, &out);
}

/* ---- fields ------------------------------------------------------------------------------ */

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

static const char *datetime_check(arena_t *a, json_t *v, json_t **out, const char **type)
{
    (void)a;
    (void)out;
    int64_t t;
    if (json_is_null(v) || (json_is_string(v) && clock_parse_iso(json_string_value(v), &t)))
        return NULL;
    *type = "datetime_from_date_parsing";
    return "Input should be a valid datetime";
}

static const char *const policies[] = {"24h", "48h", "72h", "7d", "none", NULL};
static const char *const statuses[] = {"pending", "accepted", "declined", "expired", NULL};
static const char *const responses[] = {"going", "not_going", "declined", NULL};

static const field_t create_fields[] = {
    {"user_ids", FT_LIST, F_REQUIRED, .min_len = 1, .max_len = INVITE_IDS_MAX, .check = ids_check},
    {"message", FT_STRING, F_NULLABLE, .max_len = INVITE_MESSAGE_MAX},
    {"expires_at", FT_ANY, F_NULLABLE, .check = datetime_check},
    {"expiry_policy", FT_STRING, F_NULLABLE, .choices = policies},
    FIELDS_END,
};

static const field_t status_fields[] = {
    {"status_filter", FT_STRING, 0, .in = FIELD_QUERY, .choices = statuses},
    FIELDS_END,
};

static const field_t respond_fields[] = {
    {"response", FT_STRING, F_REQUIRED, .choices = responses},
    {"message", FT_STRING, F_NULLABLE, .max_len = 200},
    FIELDS_END,
};

static const field_t link_fields[] = {
    {"max_uses", FT_INT, 0, .min = 1, .max = INVITE_LINK_USES},
    {"message", FT_STRING, F_NULLABLE, .max_len = INVITE_MESSAGE_MAX},
    {"expires_at", FT_ANY, F_NULLABLE, .check = datetime_check},
    {"expiry_policy", FT_STRING, F_NULLABLE, .choices = policies},
    FIELDS_END,
};

static const field_t token_fields[] = {
    {"token", FT_STRING, F_REQUIRED, .in = FIELD_PATH, .pattern = "^[A-Za-z0-9_-]{43}$"},
    FIELDS_END,
};

static const field_t search_fields[] = {
    {"event_id", FT_INT, F_REQUIRED, .in = FIELD_QUERY, .min = 1, .max = INT64_MAX},
    {"search", FT_STRING, F_TRIM, .in = FIELD_QUERY, .max_len = 100},
    {"offset", FT_INT, 0, .in = FIELD_QUERY, .min = 0, .max = INT32_MAX},
    {"limit", FT_INT, 0, .in = FIELD_QUERY, .min = 1, .max = 100},
    FIELDS_END,
};

#define INV_ROUTE(m, path, fn, level)                                                              \
    .method = m, .pattern = path, .handler = fn, .auth = level, .envelope = ENVELOPE_EVENT,        \
    .tag = "invitations"
#define EVENT_PATH "/api/events/{event_id:int}"

static const route_def_t invites_routes[] = {
    {INV_ROUTE(HTTP_POST, EVENT_PATH "/invitations", create, AUTH_HOST), .owner = owner_invite,
     .body = BODY_JSON, .fields = create_fields},
    {INV_ROUTE(HTTP_GET, EVENT_PATH "/invitations", list, AUTH_HOST), .owner = owner_view,
     .fields = status_fields},
    {INV_ROUTE(HTTP_GET, "/api/events/my-invitations", mine, AUTH_ACTIVE), .fields = status_fields},
    {INV_ROUTE(HTTP_PUT, "/api/events/invitations/{invite_id:int}/respond", respond, AUTH_ACTIVE),
     .body = BODY_JSON, .fields = respond_fields},
    {INV_ROUTE(HTTP_POST, EVENT_PATH "/invite-links", link_create, AUTH_HOST),
     .owner = owner_invite, .body = BODY_JSON, .body_optional = true, .fields = link_fields},
    {INV_ROUTE(HTTP_GET, EVENT_PATH "/invite-links", link_list, AUTH_HOST), .owner = owner_view},
    {INV_ROUTE(HTTP_DELETE, EVENT_PATH "/invite-links/{link_id:int}", link_revoke, AUTH_HOST),
     .owner = owner_invite},
    {INV_ROUTE(HTTP_POST, "/api/invite-links/{token}/accept", link_accept, AUTH_ACTIVE),
     .body = BODY_JSON, .body_optional = true, .fields = token_fields},
    {INV_ROUTE(HTTP_GET, "/api/events/users/search", search, AUTH_ACTIVE), .fields = search_fields},
    ROUTES_END,
};

const module_t invites_module = {.name = "invites", .routes = invites_routes};
