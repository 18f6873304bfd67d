/*
 * devices.c: push devices (issue 13 point 1; API.md 11, docs/notifications.md).
 *   POST   /api/notifications/devices/register   {onesignal_player_id, platform}
 *   DELETE /api/notifications/devices/{player_id}
 *   GET    /api/notifications/devices             the caller's devices
 * A player id belongs to one account at a time: registering one that exists
 * moves it to the caller (a phone passed on, a reinstall), reactivated, with
 * the new platform. Phone and login tokens both work (API.md 15: the old
 * backend refused phone tokens); waitlisted accounts may register (they get
 * the welcome push); staff accounts may not (they use the console).
 */
#include <string.h>
#include <strings.h>

#include "core/rand.h"
#include "core/text.h"
#include "http/router.h"
#include "module.h"
#include "notifications/notifications.h"

typedef struct {
    const char *player, *platform;
    int64_t id;
    bool existed;
} register_ctx_t;

static err_t *register_tx(op_t *op, void *arg)
{
    register_ctx_t *x = arg;
    bool found = false;
    int rc = db_query_int(op->db,
                          "SELECT id FROM user_devices WHERE onesignal_player_id = $1 @FOR_UPDATE",
                          DB_ARGS(db_text(x->player)), &x->id, &found);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    x->existed = found;
    char uuid[37];
    rand_uuid(uuid);
    /* the upsert also settles a race with another first registration */
    rc = db_query_int(op->db,
                      "INSERT INTO user_devices (uuid, user_id, onesignal_player_id, platform, "
                      "is_active, last_seen_at, created_at, updated_at) VALUES ($1, $2, $3, $4, "
                      "$5, $6, $6, $6) ON CONFLICT (onesignal_player_id) DO UPDATE SET user_id = "
                      "excluded.user_id, platform = excluded.platform, is_active = "
                      "excluded.is_active, last_seen_at = excluded.last_seen_at, updated_at = "
                      "excluded.updated_at RETURNING id",
                      DB_ARGS(db_text(uuid), db_int(op->actor.id), db_text(x->player),
                              db_text(x->platform), db_bool(true), db_time(op->now_us)),
                      &x->id, &found);
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}

static err_t *register_device(http_req_t *req, op_t *op, const input_t *in)
{
    if (op->actor.is_staff || op->actor.is_superuser)
        return op_fail(op, 403, "ADMIN_CANNOT_REGISTER_DEVICE",
                       "Device registration is only available for customer accounts. Admin "
                       "accounts cannot register devices.");
    const char *platform = in_str(in, "platform");
    if (strcasecmp(platform, "ios") != 0 && strcasecmp(platform, "android") != 0)
        return op_fail(op, 400, "INVALID_PLATFORM", "Platform must be 'ios' or 'android'");
    register_ctx_t x = {.player = in_str(in, "onesignal_player_id"),
                        .platform = strcasecmp(platform, "ios") == 0 ? "ios" : "android"};
    err_t *e = op_tx(op, DB_TX_WRITE, register_tx, &x);
    if (e)
        return e;
    http_reply_json(
        req, 200,
        json_pack("{s:b, s:s, s:I}", "success", 1, "message",
                  x.existed ? "Device updated successfully" : "Device registered successfully",
                  "device_id", (json_int_t)x.id));
    return NULL;
}

static err_t *deactivate_device(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    int64_t id = 0;
    bool found = false;
    int rc = db_query_int(op->db,
                          "UPDATE user_devices SET is_active = $3, updated_at = $4 WHERE "
                          "onesignal_player_id = $1 AND user_id = $2 RETURNING id",
                          DB_ARGS(db_text(http_param(req, "player_id")), db_int(op->actor.id),
                                  db_bool(false), db_time(op->now_us)),
                          &id, &found);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (!found)
        return op_fail(op, 404, "DEVICE_NOT_FOUND",
                       "Device not found or does not belong to this user");
    http_reply_json(req, 200,
                    json_pack("{s:b, s:s, s:I}", "success", 1, "message",
                              "Device deactivated successfully", "device_id", (json_int_t)id));
    return NULL;
}

static json_t *device_row(op_t *op, db_rows_t *r)
{
    (void)op;
    return json_pack("{s:I, s:s, s:s, s:b, s:o, s:o}", "id", (json_int_t)db_col_int(r, 0),
                     "onesignal_player_id", db_col_text(r, 1), "platform", db_col_text(r, 2),
                     "is_active", db_col_bool(r, 3), "last_seen_at",
                     text_json_time_or_null(db_col_time(r, 4)), "created_at",
                     text_json_time(db_col_time(r, 5)));
}

static err_t *list_devices(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    json_t *rows = NULL;
    err_t *e = op_list(op,
                       "SELECT id, onesignal_player_id, platform, is_active, last_seen_at, "
                       "created_at FROM user_devices WHERE user_id = $1 ORDER BY is_active DESC, "
                       "last_seen_at DESC, id DESC",
                       DB_ARGS(db_int(op->actor.id)), device_row, &rows);
    if (e)
        return e;
    http_reply_json(req, 200, json_pack("{s:b, s:o}", "success", 1, "data", rows));
    return NULL;
}

static const field_t register_fields[] = {
    {"onesignal_player_id", FT_STRING, F_REQUIRED | F_TRIM, .min_len = 1, .max_len = 255},
    {"platform", FT_STRING, F_REQUIRED | F_TRIM, .min_len = 1, .max_len = 20},
    FIELDS_END,
};

static const field_t player_fields[] = {
    {"player_id", FT_STRING, 0, .in = FIELD_PATH, .min_len = 1, .max_len = 255},
    FIELDS_END,
};

static const route_def_t device_routes[] = {
    {.method = HTTP_POST,
     .pattern = "/api/notifications/devices/register",
     .handler = register_device,
     .auth = AUTH_SIGNED_IN,
     .body = BODY_JSON,
     .fields = register_fields,
     .tag = "notifications"},
    {.method = HTTP_DELETE,
     .pattern = "/api/notifications/devices/{player_id}",
     .handler = deactivate_device,
     .auth = AUTH_SIGNED_IN,
     .fields = player_fields,
     .tag = "notifications"},
    {.method = HTTP_GET,
     .pattern = "/api/notifications/devices",
     .handler = list_devices,
     .auth = AUTH_SIGNED_IN,
     .tag = "notifications"},
    ROUTES_END,
};

const module_t devices_module = {.name = "devices", .routes = device_routes};
