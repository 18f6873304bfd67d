/*
 * preferences.c: which notification types a person gets as push (issue 13
 * point 2; API.md 14.10, docs/notifications.md).
 *   GET /api/notifications/preferences   every type: {type, push_enabled, is_default}
 *   PUT /api/notifications/preferences   {"preferences": {"<type>": true|false, ...}}
 * A type nobody chose for has the default of API.md 14.10 (push for
 * payments, event changes, requests, invitations, reminders and system
 * messages; promotions and the rest off: fail closed). The in-app row is
 * always written whatever is chosen here.
 */
#include <string.h>

#include "http/router.h"
#include "module.h"
#include "notifications/notifications.h"

static const struct {
    const char *type;
    bool push; /* the default */
} TYPES[] = {
    {"event_request", true},     {"event_invite", true},      {"event_update", true},
    {"event_cancelled", true},   {"event_live", false},       {"payment_success", true},
    {"payment_failed", true},    {"booking_success", false},  {"request_approved", false},
    {"new_join_request", false}, {"ticket_confirmed", false}, {"event_started", false},
    {"payout_reminder", false},  {"reminder", true},          {"system", true},
    {"promotional", false},
};
#define NTYPES ((int)(sizeof TYPES / sizeof TYPES[0]))

static int type_index(const char *t)
{
    for (int i = 0; i < NTYPES; i++)
        if (!strcmp(TYPES[i].type, t))
            return i;
    return -1;
}

bool notification_push_default(const char *type)
{
    int k = type ? type_index(type) : -1;
    return k >= 0 && TYPES[k].push;
}

static err_t *reply(http_req_t *req, op_t *op)
{
    int chosen[NTYPES];
    for (int i = 0; i < NTYPES; i++)
        chosen[i] = -1;
    db_rows_t *rows;
    int rc = db_query(op->db,
                      "SELECT type, push_enabled FROM notification_preferences WHERE user_id = $1",
                      DB_ARGS(db_int(op->actor.id)), &rows);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    while (db_next(rows)) {
        int k = type_index(db_col_text(rows, 0));
        if (k >= 0)
            chosen[k] = db_col_bool(rows, 1);
    }
    rc = db_rows_status(rows);
    db_rows_free(rows);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    json_t *list = json_array();
    for (int i = 0; i < NTYPES; i++)
        json_array_append_new(list,
                              json_pack("{s:s, s:b, s:b}", "type", TYPES[i].type, "push_enabled",
                                        chosen[i] < 0 ? TYPES[i].push : chosen[i] == 1,
                                        "is_default", chosen[i] < 0));
    http_reply_json(req, 200, json_pack("{s:b, s:o}", "success", 1, "data", list));
    return NULL;
}

static err_t *get_preferences(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    return reply(req, op);
}

typedef struct {
    json_t *prefs;
} put_ctx_t;

static err_t *put_tx(op_t *op, void *arg)
{
    put_ctx_t *x = arg;
    const char *type;
    json_t *v;
    json_object_foreach(x->prefs, type, v)
    {
        int rc = db_exec(op->db,
                         "INSERT INTO notification_preferences (user_id, type, push_enabled, "
                         "updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT (user_id, type) DO "
                         "UPDATE SET push_enabled = excluded.push_enabled, updated_at = "
                         "excluded.updated_at",
                         DB_ARGS(db_int(op->actor.id), db_text(type), db_bool(json_is_true(v)),
                                 db_time(op->now_us)),
                         NULL);
        if (rc != DB_OK)
            return op_db_fail(op, rc);
    }
    return NULL;
}

static err_t *put_preferences(http_req_t *req, op_t *op, const input_t *in)
{
    put_ctx_t x = {.prefs = in_json(in, "preferences")};
    err_t *e = op_tx(op, DB_TX_WRITE, put_tx, &x);
    return e ? e : reply(req, op);
}

/* {"<known type>": boolean, ...}, at least one. */
static const char *prefs_check(arena_t *a, json_t *v, json_t **out, const char **type)
{
    (void)a;
    (void)out;
    (void)type;
    if (!json_is_object(v) || json_object_size(v) == 0)
        return "preferences must be an object of notification types to true or false";
    const char *k;
    json_t *b;
    json_object_foreach(v, k, b)
    {
        if (type_index(k) < 0)
            return "unknown notification type in preferences";
        if (!json_is_boolean(b))
            return "each preference must be true or false";
    }
    return NULL;
}

static const field_t put_fields[] = {
    {"preferences", FT_ANY, F_REQUIRED, .check = prefs_check},
    FIELDS_END,
};

static const route_def_t preference_routes[] = {
    {.method = HTTP_GET,
     .pattern = "/api/notifications/preferences",
     .handler = get_preferences,
     .auth = AUTH_SIGNED_IN,
     .tag = "notifications"},
    {.method = HTTP_PUT,
     .pattern = "/api/notifications/preferences",
     .handler = put_preferences,
     .auth = AUTH_SIGNED_IN,
     .body = BODY_JSON,
     .fields = put_fields,
     .tag = "notifications"},
    ROUTES_END,
};

const module_t preferences_module = {.name = "notification_preferences",
                                     .routes = preference_routes};
