/*
 * events_api.c: reading and removing single events: GET /api/events/{id},
 * DELETE (soft, refused once money is involved), the share URL and the
 * canonical lookup; plus the route table of the events module.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "app.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "events/event.h"
#include "events/events.h"
#include "module.h"

static void not_found(http_req_t *req, int64_t id)
{
    event_error(req, 404, "EVENT_NOT_FOUND", "Event %lld not found.", (long long)id);
}

static void private_event(http_req_t *req)
{
    event_error(req, 403, "PERMISSION_DENIED",
                "This is a private event. You don't have permission to view it.");
}

/* The read rules of docs/events.md for a loaded event: 0 when the caller
 * may see it; -1 with the response written. */
static int check_visible(http_req_t *req, const actor_t *u, const event_t *e)
{
    bool manage = event_can_manage(e, u);
    if (!manage &&
        (!e->is_active || !strcmp(e->status, "draft") || !strcmp(e->status, "cancelled"))) {
        not_found(req, e->id);
        return -1;
    }
    if (!manage && !e->is_public) {
        private_event(req);
        return -1;
    }
    return 0;
}

/* Loads {event_id} and applies the read rules. */
static int load_visible(http_req_t *req, const actor_t *u, event_t *e)
{
    int64_t id = http_param_int(req, "event_id");
    bool found = false;
    if (event_load(req->db, &req->arena, id, e, &found) != DB_OK) {
        http_db_unavailable(req);
        return -1;
    }
    if (!found) {
        not_found(req, id);
        return -1;
    }
    return check_visible(req, u, e);
}

static void reply_event(http_req_t *req, int status, int64_t id)
{
    json_t *o = event_json_by_id(req->db, id);
    if (o)
        http_reply_json(req, status, o);
    else
        http_db_unavailable(req);
}

/* GET /api/events/{id}: the hot read. The response row itself carries what
 * the visibility rules need, so no separate load. */
static void events_get(http_req_t *req)
{
    actor_t u;
    if (guard_require(req, GUARD_ACTIVE, &u) != 0)
        return;
    int64_t id = http_param_int(req, "event_id");
    json_t *list = event_json_list(req->db, &id, 1);
    json_t *o = json_incref(json_array_get(list, 0));
    json_decref(list);
    if (!o) {
        if (list)
            not_found(req, id);
        else
            http_db_unavailable(req);
        return;
    }
    event_t e = {.id = id};
    e.host_id = json_integer_value(json_object_get(json_object_get(o, "host"), "id"));
    e.is_active = json_is_true(json_object_get(o, "is_active"));
    e.is_public = json_is_true(json_object_get(o, "is_public"));
    snprintf(e.status, sizeof e.status, "%s", json_string_value(json_object_get(o, "status")));
    int rc = check_visible(req, &u, &e);
    if (rc == 0)
        http_reply_json(req, 200, o);
    else
        json_decref(o);
}

static void events_share_url(http_req_t *req)
{
    actor_t u;
    event_t e;
    if (guard_require(req, GUARD_OPTIONAL, &u) != 0 || !http_db(req) ||
        load_visible(req, &u, &e) != 0)
        return;
    const char *path = e.canonical_url[0] ? e.canonical_url
                                          : arena_printf(&req->arena, "/events/%s", e.canonical_id);
    http_reply_json(req, 200,
                    json_pack("{s:s, s:s, s:s, s:s}", "canonical_id", e.canonical_id,
                              "canonical_url",
                              arena_printf(&req->arena, "%s%s", req->app->cfg.public_url, path),
                              "canonical_path", path, "slug", e.slug));
}

/* The header is required (FastAPI's HTTPBearer) and must be a Bearer one;
 * the token itself is optional (a bad one means anonymous). */
static int header_required(http_req_t *req)
{
    const char *h = http_header(req, "Authorization");
    while (h && *h == ' ')
        h++;
    if (!h || !*h) {
        http_error(req, 403, "NOT_AUTHENTICATED", "Not authenticated");
        return -1;
    }
    if (strncasecmp(h, "Bearer ", 7) != 0) {
        http_error(req, 403, "INVALID_AUTH_SCHEME", "Invalid authentication credentials");
        return -1;
    }
    return 0;
}

/* A canonical id is 1-10 base62 characters; anything else cannot exist. */
static bool canonical_id_ok(const char *s)
{
    size_t n = strspn(s, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
    return n >= 1 && n <= 10 && s[n] == '\0';
}

static void events_canonical(http_req_t *req)
{
    actor_t u;
    event_t e;
    bool found = false;
    if (header_required(req) != 0 || guard_require(req, GUARD_OPTIONAL, &u) != 0 || !http_db(req))
        return;
    const char *cid = http_param(req, "canonical_id");
    if (canonical_id_ok(cid) &&
        event_load_canonical(req->db, &req->arena, cid, &e, &found) != DB_OK) {
        http_db_unavailable(req);
        return;
    }
    if (!found || !e.is_active || !e.is_public || strcmp(e.status, "published") != 0) {
        if (canonical_id_ok(cid))
            event_error(req, 404, "EVENT_NOT_FOUND", "Event %s not found.", cid);
        else
            event_error(req, 404, "EVENT_NOT_FOUND", "Event not found.");
        return;
    }
    reply_event(req, 200, e.id);
}

/* ---- delete ----------------------------------------------------------- */

static const char SQL_HAS_SALES[] =
    "SELECT count(*) FROM events e WHERE e.id = $1 AND (EXISTS (SELECT 1 FROM attendance_records "
    "r WHERE r.event_id = e.id AND r.payment_status IN ('paid', 'completed', 'refunded')) OR "
    "EXISTS (SELECT 1 FROM event_attendees a WHERE a.event_id = e.id AND a.is_paid = $2) OR "
    "EXISTS (SELECT 1 FROM host_payout_requests p WHERE p.event_id = e.id))";

static const char SQL_SOFT_DELETE[] =
    "UPDATE events SET is_active = $2, deleted_at = $3, updated_at = $3 WHERE id = $1 AND "
    "is_active = $4";

typedef struct {
    http_req_t *req;
    const event_t *e;
    int64_t actor;
    bool has_sales;
    int64_t changed;
} delete_ctx_t;

static int delete_tx(db_conn_t *c, void *arg)
{
    delete_ctx_t *x = arg;
    int64_t sales = 0, now = clock_now_us();
    bool found = false;
    int rc =
        db_query_int(c, SQL_HAS_SALES, DB_ARGS(db_int(x->e->id), db_bool(true)), &sales, &found);
    x->has_sales = sales > 0;
    if (rc != DB_OK || x->has_sales)
        return rc;
    rc = db_exec(c, SQL_SOFT_DELETE,
                 DB_ARGS(db_int(x->e->id), db_bool(false), db_time(now), db_bool(true)),
                 &x->changed);
    if (rc != DB_OK || x->changed == 0)
        return rc;
    audit_entry_t a = {.actor_id = x->actor,
                       .action = "event.delete",
                       .object_type = "event",
                       .object_id = x->e->id,
                       .object_uuid = x->e->uuid,
                       .severity = AUDIT_MEDIUM,
                       .success = true};
    return audit_write(c, &x->req->op, &a);
}

/* Soft-deletes e for u (permission already checked). 0 or -1 with the
 * response written. Shared with PUT {"is_active": false}. */
int events_soft_delete(http_req_t *req, const event_t *e, const actor_t *u)
{
    delete_ctx_t x = {.req = req, .e = e, .actor = u->id};
    if (db_tx_run(req->db, DB_TX_WRITE, delete_tx, &x) != DB_OK) {
        http_db_unavailable(req);
        return -1;
    }
    if (x.has_sales) {
        event_error(req, 409, "EVENT_HAS_SALES",
                    "Events with sold tickets or payout requests cannot be deleted; cancel the "
                    "event instead.");
        return -1;
    }
    if (x.changed == 0) {
        not_found(req, e->id);
        return -1;
    }
    return 0;
}

/* Loads {event_id} for a host or staff write: 404 when missing or deleted,
 * 403 for anyone else. */
int events_load_managed(http_req_t *req, const actor_t *u, event_t *e)
{
    int64_t id = http_param_int(req, "event_id");
    bool found = false;
    if (event_load(req->db, &req->arena, id, e, &found) != DB_OK) {
        http_db_unavailable(req);
        return -1;
    }
    if (!found || !e->is_active) {
        not_found(req, id);
        return -1;
    }
    if (!event_can_manage(e, u)) {
        event_error(req, 403, "PERMISSION_DENIED",
                    "You don't have permission to modify this event.");
        return -1;
    }
    return 0;
}

static void events_delete(http_req_t *req)
{
    actor_t u;
    event_t e;
    if (guard_require(req, GUARD_ACTIVE, &u) != 0 || events_load_managed(req, &u, &e) != 0 ||
        events_soft_delete(req, &e, &u) != 0)
        return;
    http_reply_empty(req, 204);
}

static void events_routes(router_t *r)
{
    router_add(r, HTTP_GET, "/api/events", events_list, BODY_NONE, false);
    router_add(r, HTTP_POST, "/api/events", events_create, BODY_MULTIPART, false);
    router_add(r, HTTP_GET, "/api/events/{event_id:int}", events_get, BODY_NONE, false);
    router_add(r, HTTP_PUT, "/api/events/{event_id:int}", events_update, BODY_JSON, false);
    router_add(r, HTTP_DELETE, "/api/events/{event_id:int}", events_delete, BODY_NONE, false);
    router_add(r, HTTP_GET, "/api/events/{event_id:int}/share-url", events_share_url, BODY_NONE,
               false);
    router_add(r, HTTP_GET, "/api/events/canonical/{canonical_id}", events_canonical, BODY_NONE,
               false);
}

static const purge_def_t events_purges[] = {
    {"slug_locks", "DELETE FROM slug_locks WHERE locked_at < $1", 86400LL * USEC_PER_SEC},
    {0},
};

const module_t events_module = {
    .name = "events", .legacy_routes = events_routes, .purges = events_purges};
