/*
 * events_update.c: PUT /api/events/{id}. The body is applied field by field
 * to the loaded event, the combined result is checked (times, price, status
 * transition), the slug and canonical URL follow the title and place rules
 * of API.md 14.3, and going attendees hear about a moved published event.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/rand.h"
#include "events/event_fields.h"
#include "events/events.h"
#include "events/slug.h"

/* Allowed status changes (staying put is always allowed). */
static bool transition_ok(const char *from, const char *to)
{
    static const char *const allowed[][2] = {
        {"draft", "published"},     {"draft", "cancelled"},     {"published", "completed"},
        {"published", "cancelled"}, {"published", "postponed"}, {"postponed", "published"},
        {"postponed", "cancelled"},
    };
    if (!strcmp(from, to))
        return true;
    for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
        if (!strcmp(allowed[i][0], from) && !strcmp(allowed[i][1], to))
            return true;
    return false;
}

/* cover_images on PUT: 1-3 http(s) URLs. */
static void apply_covers(event_fields_t *f, json_t *body, json_t *d)
{
    json_t *v = json_object_get(body, "cover_images"), *x;
    size_t i;
    if (!v)
        return;
    bool ok = json_is_array(v) && json_array_size(v) >= 1 && json_array_size(v) <= 3;
    json_array_foreach(v, i, x)
    {
        const char *s = json_string_value(x);
        ok &= s && strlen(s) <= 2048 && (!strncmp(s, "https://", 8) || !strncmp(s, "http://", 7));
    }
    if (!ok)
        err_detail_add(d, "value_error", "body", "cover_images",
                       "Value error, cover_images must be a list of 1 to 3 http(s) URLs",
                       json_incref(v));
    else
        f->cover_urls = v;
}

typedef struct {
    http_req_t *req;
    const event_t *e;
    event_fields_t *f;
    const place_t *place;
    int64_t actor;
    bool title_changed, moved;
    int status; /* 0, or 409 for a taken slug */
} update_ctx_t;

static const char SQL_UPDATE[] =
    "UPDATE events SET venue_id = $2, slug = $3, slug_version = $4, slug_is_manual = $5, "
    "canonical_url = $6, title = $7, description = $8, venue_text = $9, country_code = $10, "
    "city_slug = $11, start_time = $12, end_time = $13, max_capacity = $14, is_paid = $15, "
    "ticket_price_minor = $16, currency = $17, allow_plus_one = $18, gst_number = $19, "
    "allowed_genders = $20, cover_images = COALESCE($21, cover_images), status = $22, "
    "is_public = $23, published_at = COALESCE(published_at, $24), updated_at = $25 WHERE id = $1";

/* The slug after this update: a manual one from the body, a regenerated one
 * when an automatic slug's title changed, else the current one. */
static int next_slug(update_ctx_t *x, db_conn_t *c, char slug[104], bool *manual, int *version)
{
    const event_t *e = x->e;
    snprintf(slug, 104, "%s", e->slug);
    *manual = e->slug_is_manual;
    *version = e->slug_version;
    if (x->f->slug && strcmp(x->f->slug, e->slug) != 0) {
        int64_t owner;
        int rc = slug_owner(c, x->f->slug, &owner);
        if (rc != DB_OK || (owner && owner != e->id)) {
            x->status = rc == DB_OK ? 409 : 0;
            return rc == DB_OK ? DB_UNIQUE : rc;
        }
        snprintf(slug, 104, "%s", x->f->slug);
        *manual = true;
        (*version)++;
    } else if (x->title_changed) {
        (*version)++;
        if (!*manual) {
            char base[SLUG_MAX + 1];
            slug_generate(x->f->title, SLUG_MAX, NULL, base);
            return choose_slug(c, base, e->id, false, slug);
        }
    }
    return DB_OK;
}

#define NOTIFY_BATCH 256

/* One batch of going attendees after user id `after` (keyset order). */
static int going_batch(db_conn_t *c, int64_t event_id, int64_t after, int64_t *ids, int *n)
{
    db_rows_t *rows;
    int rc = db_query(c,
                      "SELECT user_id FROM event_attendees WHERE event_id = $1 AND status = "
                      "'going' AND user_id > $2 ORDER BY user_id LIMIT $3",
                      DB_ARGS(db_int(event_id), db_int(after), db_int(NOTIFY_BATCH)), &rows);
    if (rc != DB_OK)
        return rc;
    *n = 0;
    while (db_next(rows) && *n < NOTIFY_BATCH)
        ids[(*n)++] = db_col_int(rows, 0);
    rc = db_rows_status(rows);
    db_rows_free(rows);
    return rc;
}

/* Tells every going attendee that a published event moved, in batches (a
 * cursor cannot stay open while inserting on the same connection). */
static int notify_moved(db_conn_t *c, const update_ctx_t *x)
{
    bool time = x->f->start_time != x->e->start_time, venue = x->f->venue_id != x->e->venue_id;
    char msg[1024], uuid[37]; /* title: at most 200 characters of up to 4 bytes */
    snprintf(msg, sizeof msg, "The event '%s' has been updated (%s changed).", x->f->title,
             time && venue ? "time, venue"
             : time        ? "time"
                           : "venue");
    int64_t now = clock_now_us(), ids[NOTIFY_BATCH], after = 0;
    int n = 0, rc;
    do {
        rc = going_batch(c, x->e->id, after, ids, &n);
        for (int i = 0; rc == DB_OK && i < n; i++) {
            rand_uuid(uuid);
            rc = db_exec(
                c,
                "INSERT INTO notifications (uuid, recipient_id, sender_id, type, title, message, "
                "reference_type, reference_id, metadata, created_at, updated_at) VALUES ($1, "
                "$2, $3, 'event_update', 'Event Updated', $4, 'event', $5, $6, $7, $7)",
                DB_ARGS(db_text(uuid), db_int(ids[i]), db_int(x->actor), db_text(msg),
                        db_int(x->e->id),
                        db_text("{\"type\":\"event_update\",\"route\":\"event_detail\"}"),
                        db_time(now)),
                NULL);
        }
        after = n > 0 ? ids[n - 1] : after;
    } while (rc == DB_OK && n == NOTIFY_BATCH);
    return rc;
}

static int update_tx(db_conn_t *c, void *arg)
{
    update_ctx_t *x = arg;
    event_fields_t *f = x->f;
    char slug[104], url[320];
    bool manual;
    int version;
    int rc = next_slug(x, c, slug, &manual, &version);
    if (rc != DB_OK)
        return rc;
    slug_canonical_url(x->place->country_code, x->place->city_slug, slug, x->e->canonical_id, url,
                       sizeof url);
    char *covers = f->cover_urls ? json_dumps(f->cover_urls, JSON_COMPACT) : NULL;
    int64_t now = clock_now_us();
    rc = db_exec(c, SQL_UPDATE,
                 DB_ARGS(db_int(x->e->id), f->venue_id ? db_int(f->venue_id) : db_null(),
                         db_text(slug), db_int(version), db_bool(manual), db_text(url),
                         db_text(f->title), db_text(f->description), db_text(f->venue_text),
                         db_text(x->place->country_code), db_text(x->place->city_slug),
                         db_time(f->start_time), db_time(f->end_time), db_int(f->max_capacity),
                         db_bool(f->is_paid), db_int(f->ticket_price_minor), db_text(f->currency),
                         db_bool(f->allow_plus_one), db_text(f->gst_number),
                         db_text(f->allowed_genders), db_text(covers), db_text(f->status),
                         db_bool(f->is_public),
                         !strcmp(f->status, "published") ? db_time(now) : db_null(), db_time(now)),
                 NULL);
    free(covers);
    if (rc == DB_OK)
        rc = record_slug(c, x->e->id, slug, version);
    if (rc == DB_OK && f->interests_set)
        rc = set_interests(c, x->e->id, f);
    if (rc == DB_OK && x->moved)
        rc = notify_moved(c, x);
    audit_entry_t a = {.actor_id = x->actor,
                       .action = "event.update",
                       .object_type = "event",
                       .object_id = x->e->id,
                       .object_uuid = x->e->uuid,
                       .success = true};
    return rc == DB_OK ? audit_write(c, &x->req->op, &a) : rc;
}

/* Reads the body into f; -1 with the response written. */
static int validate_update(http_req_t *req, const event_t *e, event_fields_t *f, place_t *place)
{
    json_t *body = req->json, *details = json_array();
    const char *msg = NULL, *code = NULL;
    if (!json_is_object(body)) {
        json_decref(details);
        http_error_field(req, "dict_type", "body", NULL, "Input should be a valid object",
                         json_incref(body));
        return -1;
    }
    event_fields_from_event(f, e);
    code = event_fields_apply(f, body, false, &req->arena, details, &msg);
    json_t *slug = json_object_get(body, "slug");
    if (slug && !(json_is_string(slug) && slug_valid(json_string_value(slug))))
        err_detail_add(details, "value_error", "body", "slug",
                       "Value error, a slug is 1-100 of a-z, 0-9 and single '-'",
                       json_incref(slug));
    else if (slug)
        f->slug = json_string_value(slug);
    apply_covers(f, body, details);
    if (code) {
        json_decref(details);
        event_error(req, 400, code, "%s", msg);
        return -1;
    }
    event_fields_check(f, details);
    if (f->max_capacity > 0 && f->max_capacity < e->going_count)
        err_detail_add(details, "value_error", "body", "max_capacity",
                       "Value error, max_capacity cannot be below the seats already confirmed",
                       json_integer(f->max_capacity));
    if (event_fields_finish(req, f, details, place, e->venue_id) != 0)
        return -1;
    if (!transition_ok(e->status, f->status)) {
        event_error(req, 400, "INVALID_STATUS_TRANSITION", "An event cannot go from %s to %s.",
                    e->status, f->status);
        return -1;
    }
    return 0;
}

void events_update(http_req_t *req)
{
    actor_t u;
    event_t e;
    event_fields_t f;
    place_t place;
    if (guard_require(req, GUARD_ACTIVE, &u) != 0 || events_load_managed(req, &u, &e) != 0)
        return;
    json_t *active = json_object_get(req->json, "is_active");
    if (json_is_false(active)) { /* API.md: is_active false works as a delete */
        json_t *o = events_soft_delete(req, &e, &u) == 0 ? event_json_by_id(req->db, e.id) : NULL;
        if (o)
            http_reply_json(req, 200, o);
        else
            http_db_unavailable(req);
        return;
    }
    if (validate_update(req, &e, &f, &place) != 0)
        return;
    update_ctx_t x = {.req = req, .e = &e, .f = &f, .place = &place, .actor = u.id};
    x.title_changed = strcmp(f.title, e.title) != 0;
    x.moved = !strcmp(f.status, "published") &&
              (f.start_time != e.start_time || f.venue_id != e.venue_id);
    int rc = db_tx_run(req->db, DB_TX_WRITE, update_tx, &x);
    if (rc == DB_UNIQUE && x.status == 409) {
        event_error(req, 409, "SLUG_TAKEN", "Another event uses or used the slug '%s'.", f.slug);
        return;
    }
    if (rc != DB_OK) {
        http_db_unavailable(req);
        return;
    }
    json_t *o = event_json_by_id(req->db, e.id);
    if (o)
        http_reply_json(req, 200, o);
    else
        http_db_unavailable(req);
}
