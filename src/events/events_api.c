/*
 * events_api.c: HTTP side of single events: GET /api/events/{id}, POST
 * (multipart with cover uploads), PUT, DELETE (soft, refused once money is
 * involved), the share URL and the canonical lookup, and the route table of
 * the events module. Rules and SQL are in event.c, event_fields.c,
 * events_write.c and events_update.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/text.h"
#include "events/events.h"
#include "events/slug.h"
#include "media/storage.h"
#include "module.h"

/* ---- reading ------------------------------------------------------------- */

/* Loads {event_id} and applies the read rules. */
static err_t *load_visible(http_req_t *req, op_t *op, event_t *e)
{
    int64_t id = http_param_int(req, "event_id");
    bool found = false;
    int rc = event_load(op->db, op->arena, id, e, &found);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    return found ? event_check_visible(op, e) : event_not_found(op, id);
}

/* The EventResponse of one event into *body (its object, without the
 * list's brackets); *found false when there is no such event. */
static int write_one(op_t *op, int64_t id, strbuf_t *body, event_brief_t *b, bool *found)
{
    strbuf_t list;
    sb_init(&list);
    int n = 0;
    int rc = event_write_list(op->db, op->actor.id, &id, 1, &list, b, &n);
    *found = rc == DB_OK && n == 1;
    if (*found)
        sb_append(body, list.data + 1, list.len - 2);
    sb_free(&list);
    return rc;
}

/* The answer with its ETag, the event's strong validator. */
static void reply_body(http_req_t *req, int status, strbuf_t *body, const event_brief_t *b)
{
    char tag[64];
    event_etag(b->id, b->updated_at, tag);
    http_set_header(req, "ETag", tag);
    http_reply_json_buf(req, status, body);
}

/* GET /api/events/{id}: the hot read. The response row itself carries what
 * the visibility rules need, so no separate load. */
static err_t *events_get(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    int64_t id = http_param_int(req, "event_id");
    strbuf_t body;
    sb_init(&body);
    event_brief_t b = {0};
    bool found = false;
    int rc = write_one(op, id, &body, &b, &found);
    event_t e = {
        .id = id, .host_id = b.host_id, .is_active = b.is_active, .is_public = b.is_public};
    err_t *err = rc != DB_OK ? op_db_fail(op, rc) : !found ? event_not_found(op, id) : NULL;
    if (!err) {
        snprintf(e.status, sizeof e.status, "%s", b.status);
        err = event_check_visible(op, &e);
    }
    if (err) {
        sb_free(&body);
        return err;
    }
    reply_body(req, 200, &body, &b);
    return NULL;
}

static err_t *reply_event(http_req_t *req, op_t *op, int status, int64_t id)
{
    strbuf_t body;
    sb_init(&body);
    event_brief_t b = {0};
    bool found = false;
    int rc = write_one(op, id, &body, &b, &found);
    if (rc != DB_OK || !found) {
        sb_free(&body);
        return op_db_fail(op, rc != DB_OK ? rc : DB_ERROR);
    }
    reply_body(req, status, &body, &b);
    return NULL;
}

static err_t *events_share_url(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    event_t e;
    err_t *err = load_visible(req, op, &e);
    if (err)
        return err;
    const char *path = e.canonical_url[0] ? e.canonical_url
                                          : arena_printf(op->arena, "/events/%s", e.canonical_id);
    http_reply_json(req, 200,
                    json_pack("{s:s, s:s, s:s, s:s}", "canonical_id", e.canonical_id,
                              "canonical_url",
                              arena_printf(op->arena, "%s%s", op->app->cfg.public_url, path),
                              "canonical_path", path, "slug", e.slug));
    return NULL;
}

/* A canonical id is 1-10 base62 characters; anything else cannot exist. */
static bool canonical_id_ok(const char *s)
{
    size_t n = strspn(s, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
    return n >= 1 && n <= 10 && s[n] == '\0';
}

static err_t *events_canonical(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    event_t e;
    bool found = false;
    const char *cid = http_param(req, "canonical_id");
    if (!canonical_id_ok(cid))
        return op_fail(op, 404, "EVENT_NOT_FOUND", "Event not found.");
    int rc = event_load_canonical(op->db, op->arena, cid, &e, &found);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (!found || !e.is_active || !e.is_public || strcmp(e.status, "published") != 0)
        return op_fail(op, 404, "EVENT_NOT_FOUND", "Event %s not found.", cid);
    return reply_event(req, op, 200, e.id);
}

/* ---- the host's object check (AUTH_HOST) ------------------------------------ */

/* {event_id} exists, is not deleted, and the caller hosts it (or is staff). */
static err_t *events_owner(http_req_t *req, op_t *op)
{
    return event_require_manager(op, http_param_int(req, "event_id"), "PERMISSION_DENIED",
                                 "You don't have permission to modify this event.");
}

/* The event the owner check accepted. */
static err_t *load_managed(http_req_t *req, op_t *op, event_t *e)
{
    bool found = false;
    int64_t id = http_param_int(req, "event_id");
    int rc = event_load(op->db, op->arena, id, e, &found);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    return found && e->is_active ? NULL : event_not_found(op, id);
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
    const event_t *e;
} delete_ctx_t;

static err_t *delete_tx(op_t *op, void *arg)
{
    delete_ctx_t *x = arg;
    int64_t sales = 0, changed = 0;
    bool found = false;
    int rc = db_query_int(op->db, SQL_HAS_SALES, DB_ARGS(db_int(x->e->id), db_bool(true)), &sales,
                          &found);
    if (rc == DB_OK && sales > 0)
        return op_fail(op, 409, "EVENT_HAS_SALES",
                       "Events with sold tickets or payout requests cannot be deleted; cancel the "
                       "event instead.");
    if (rc == DB_OK)
        rc = db_exec(op->db, SQL_SOFT_DELETE,
                     DB_ARGS(db_int(x->e->id), db_bool(false), db_time(op->now_us), db_bool(true)),
                     &changed);
    if (rc == DB_OK && changed == 0)
        return event_not_found(op, x->e->id);
    audit_entry_t a = {.actor_id = op->actor.id,
                       .action = "event.delete",
                       .object_type = "event",
                       .object_id = x->e->id,
                       .object_uuid = x->e->uuid,
                       .severity = AUDIT_MEDIUM,
                       .success = true};
    if (rc == DB_OK)
        rc = audit_write(op->db, op, &a);
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}

err_t *event_soft_delete(op_t *op, const event_t *e)
{
    delete_ctx_t x = {.e = e};
    err_t *err = op_tx(op, DB_TX_WRITE, delete_tx, &x);
    if (!err)
        listing_changed(op->app);
    return err;
}

static err_t *events_delete(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    event_t e;
    err_t *err = load_managed(req, op, &e);
    if (!err)
        err = event_soft_delete(op, &e);
    if (err)
        return err;
    http_reply_empty(req, 204);
    return NULL;
}

/* ---- create ---------------------------------------------------------------- */

typedef struct {
    const char *keys[EVENT_MAX_COVERS];
    int nkeys;
    json_t *urls; /* owned */
} covers_t;

/* Checks and stores the cover files. What a failed request stored stays:
 * objects are named by content and may be another event's. */
static err_t *store_covers(op_t *op, const http_file_t *const *files, int n, covers_t *c)
{
    int bad = 0;
    image_type_t types[EVENT_MAX_COVERS];
    for (int i = 0; i < n; i++)
        bad += image_check(files[i], &types[i]) != IMAGE_OK;
    if (bad)
        return op_fail(op, 400, "IMAGE_UPLOAD_FAILED",
                       "Failed to upload %d file(s). Please check file formats and sizes.", bad);
    for (int i = 0; i < n; i++) {
        const char *key, *url;
        if (storage_put(op->app->storage, op->arena, "events", files[i]->data, files[i]->size,
                        image_ext(types[i]), &key, &url) != 0)
            return op_fail(op, 400, "IMAGE_UPLOAD_FAILED", "Failed to store the cover images.");
        c->keys[c->nkeys++] = key;
        json_array_append_new(c->urls, json_string(url));
    }
    return NULL;
}

/* Every rule before anything is stored. */
static err_t *validate_create(op_t *op, const input_t *in, int ncovers, event_fields_t *f,
                              event_place_t *place)
{
    json_t *details = json_array();
    event_fields_defaults(f);
    err_t *e = event_fields_apply(f, in, op, details);
    if (!e)
        event_fields_apply_app_venue(f, in);
    if (!e && ncovers > EVENT_MAX_COVERS)
        e = op_fail(op, 400, "TOO_MANY_COVER_IMAGES", "At most 3 cover images are allowed.");
    if (e) {
        json_decref(details);
        return e;
    }
    event_fields_check(f, details); /* 0 covers is fine: the app lets hosts skip them */
    return event_fields_finish(op, f, details, place, 0);
}

static err_t *events_create(http_req_t *req, op_t *op, const input_t *in)
{
    event_fields_t f;
    event_place_t place;
    int ncovers;
    const http_file_t *const *files = in_files(in, "cover_images", &ncovers);
    err_t *e = validate_create(op, in, ncovers, &f, &place);
    if (e)
        return e;
    covers_t c = {.urls = json_array()};
    int64_t id = 0;
    e = store_covers(op, files, ncovers, &c);
    if (!e) {
        char *covers = json_dumps(c.urls, JSON_COMPACT);
        e = event_create(op, &f, &place, covers, &id);
        free(covers);
    }
    if (!e)
        e = reply_event(req, op, 201, id);
    json_decref(c.urls);
    return e;
}

/* ---- update ------------------------------------------------------------------ */

/* The body applied over the stored event, every rule checked. */
static err_t *validate_update(op_t *op, const input_t *in, const event_t *e, event_fields_t *f,
                              event_place_t *place)
{
    json_t *details = json_array();
    event_fields_from_event(f, e);
    err_t *err = event_fields_apply(f, in, op, details);
    if (err) {
        json_decref(details);
        return err;
    }
    f->slug = in_str(in, "slug");
    f->cover_urls = in_json(in, "cover_images");
    event_fields_check(f, details);
    if (f->max_capacity > 0 && f->max_capacity < e->going_count + e->seats_held)
        err_detail_add(details, "value_error", "body", "max_capacity",
                       "Value error, max_capacity cannot be below the seats already confirmed",
                       json_integer(f->max_capacity));
    if ((err = event_fields_finish(op, f, details, place, e->venue_id)) != NULL)
        return err;
    if (!event_status_transition_ok(e->status, f->status))
        return op_fail(op, 400, "INVALID_STATUS_TRANSITION", "An event cannot go from %s to %s.",
                       e->status, f->status);
    return NULL;
}

/* If-Match (RFC 9110 13.1.1): "*" or a list of strong tags; NULL when the
 * header is absent or one tag is the event's current one, else 412. */
static err_t *check_if_match(http_req_t *req, op_t *op, const event_t *e)
{
    const char *h = http_header(req, "If-Match");
    if (!h)
        return NULL;
    char tag[64];
    event_etag(e->id, e->updated_at, tag);
    if (text_etag_matches(h, tag))
        return NULL;
    return op_fail(op, 412, "PRECONDITION_FAILED",
                   "The event changed since you read it (If-Match does not match its ETag); "
                   "read it again and retry.");
}

typedef struct {
    http_req_t *req;
    const input_t *in;
    event_t e;
} put_ctx_t;

/* Read, check and write in one transaction on the locked row. */
static err_t *put_tx(op_t *op, void *arg)
{
    put_ctx_t *x = arg;
    int64_t id = http_param_int(x->req, "event_id");
    bool found = false;
    event_fields_t f;
    event_place_t place;
    int rc = event_load_for_update(op->db, op->arena, id, &x->e, &found);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (!found || !x->e.is_active)
        return event_not_found(op, id);
    err_t *err = check_if_match(x->req, op, &x->e);
    if (!err)
        err = validate_update(op, x->in, &x->e, &f, &place);
    return err ? err : event_update_locked(op, &x->e, &f, &place);
}

static err_t *events_update(http_req_t *req, op_t *op, const input_t *in)
{
    if (in_has(in, "is_active") && !in_bool(in, "is_active", true)) {
        /* API.md: is_active false works as a delete */
        event_t e;
        err_t *err = load_managed(req, op, &e);
        if (!err)
            err = check_if_match(req, op, &e);
        if (!err)
            err = event_soft_delete(op, &e);
        return err ? err : reply_event(req, op, 200, e.id);
    }
    put_ctx_t x = {.req = req, .in = in};
    err_t *err = op_tx(op, DB_TX_WRITE, put_tx, &x);
    if (err)
        return err;
    listing_changed(op->app);
    return reply_event(req, op, 200, x.e.id);
}

/* ---- the route table ------------------------------------------------------------ */

#define EVENT_ROUTE(m, path, fn, level)                                                            \
    .method = m, .pattern = path, .handler = fn, .auth = level, .envelope = ENVELOPE_EVENT,        \
    .tag = "events"

static const route_def_t events_routes[] = {
    {EVENT_ROUTE(HTTP_GET, "/api/events", events_list, AUTH_OPTIONAL),
     .fields = events_list_fields},
    {EVENT_ROUTE(HTTP_POST, "/api/events", events_create, AUTH_ACTIVE), .body = BODY_MULTIPART,
     .fields = event_create_fields},
    {EVENT_ROUTE(HTTP_GET, "/api/events/{event_id:int}", events_get, AUTH_ACTIVE)},
    {EVENT_ROUTE(HTTP_PUT, "/api/events/{event_id:int}", events_update, AUTH_HOST),
     .body = BODY_JSON, .fields = event_update_fields, .owner = events_owner},
    {EVENT_ROUTE(HTTP_DELETE, "/api/events/{event_id:int}", events_delete, AUTH_HOST),
     .owner = events_owner},
    {EVENT_ROUTE(HTTP_GET, "/api/events/{event_id:int}/share-url", events_share_url,
                 AUTH_OPTIONAL)},
    {EVENT_ROUTE(HTTP_GET, "/api/events/canonical/{canonical_id}", events_canonical,
                 AUTH_BEARER_OPTIONAL)},
    ROUTES_END,
};

static const purge_def_t events_purges[] = {
    {"slug_locks", "DELETE FROM slug_locks WHERE locked_at < $1", 86400LL * USEC_PER_SEC},
    {0},
};

static int events_start(app_t *app)
{
    app->events_cache = events_cache_new(app->notify);
    return app->events_cache ? 0 : -1;
}

static void events_stop(app_t *app)
{
    events_cache_free(app->events_cache);
    app->events_cache = NULL;
}

const module_t events_module = {.name = "events",
                                .routes = events_routes,
                                .purges = events_purges,
                                .start = events_start,
                                .stop = events_stop};
