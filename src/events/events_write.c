/*
 * events_write.c: creating (multipart, with cover uploads) and updating
 * (JSON) events. Identity is settled inside the write transaction: a
 * random canonical id, a slug unique across every slug ever used, and the
 * canonical URL; interests and the slug history change with the event, so a
 * failure leaves nothing behind (uploaded covers are deleted too).
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
#include "media/storage.h"

#define MAX_COVERS 3

/* ---- identity --------------------------------------------------------- */

/* Country and city for the canonical URL: the venue's, else the slug of
 * venue_text, else in/unknown. */
int resolve_place(db_conn_t *c, const event_fields_t *f, place_t *p)
{
    memset(p, 0, sizeof *p);
    snprintf(p->country_code, sizeof p->country_code, "in");
    slug_generate(f->venue_text, SLUG_STORED_MAX, "unknown", p->city_slug);
    if (!f->venue_id)
        return DB_OK;
    db_rows_t *rows;
    int rc = db_query(c, "SELECT country_code, city_slug, is_active FROM venues WHERE id = $1",
                      DB_ARGS(db_int(f->venue_id)), &rows);
    if (rc != DB_OK)
        return rc;
    if ((p->found = db_next(rows))) {
        snprintf(p->country_code, sizeof p->country_code, "%s", db_col_text(rows, 0));
        snprintf(p->city_slug, sizeof p->city_slug, "%s", db_col_text(rows, 1));
        p->active = db_col_bool(rows, 2);
    }
    rc = db_rows_status(rows);
    db_rows_free(rows);
    return rc;
}

/* Owner of a slug in the history (0: free). */
int slug_owner(db_conn_t *c, const char *slug, int64_t *owner)
{
    bool found = false;
    *owner = 0;
    return db_query_int(c, "SELECT event_id FROM event_slugs WHERE slug = $1",
                        DB_ARGS(db_text(slug)), owner, &found);
}

/* A slug for event_id (0 when new): base itself when free or already this
 * event's, else base-1 .. base-100, else base-{unix time} (API.md 14.3),
 * else base-{unix time}-{random}. The base is row-locked first (slug_locks)
 * so concurrent creators of one title queue up; a caller that still lost a
 * race for a slug
 * (unique violation) passes random_only to skip straight to random
 * suffixes, so concurrent creators of one title cannot keep colliding. */
int choose_slug(db_conn_t *c, const char *base, int64_t event_id, bool random_only, char out[104])
{
    int64_t owner, ts = clock_now_us() / USEC_PER_SEC;
    int rc = db_exec(c,
                     "INSERT INTO slug_locks (base, locked_at) VALUES ($1, $2) ON CONFLICT (base) "
                     "DO UPDATE SET locked_at = excluded.locked_at",
                     DB_ARGS(db_text(base), db_time(clock_now_us())), NULL);
    if (rc != DB_OK)
        return rc;
    for (int i = random_only ? 102 : 0; i <= 120; i++) {
        char rnd[9];
        rand_hex(rnd, 4);
        if (i == 0)
            snprintf(out, 104, "%s", base);
        else if (i <= 100)
            snprintf(out, 104, "%s-%d", base, i);
        else if (i == 101)
            snprintf(out, 104, "%s-%lld", base, (long long)ts);
        else
            snprintf(out, 104, "%s-%lld-%s", base, (long long)ts, rnd);
        rc = slug_owner(c, out, &owner);
        if (rc != DB_OK || owner == 0 || owner == event_id)
            return rc;
    }
    return DB_RETRY;
}

int record_slug(db_conn_t *c, int64_t event_id, const char *slug, int version)
{
    return db_exec(
        c,
        "INSERT INTO event_slugs (event_id, slug, version, created_at) VALUES ($1, $2, "
        "$3, $4) ON CONFLICT (slug) DO NOTHING",
        DB_ARGS(db_int(event_id), db_text(slug), db_int(version), db_time(clock_now_us())), NULL);
}

int set_interests(db_conn_t *c, int64_t event_id, const event_fields_t *f)
{
    int rc = db_exec(c, "DELETE FROM event_interest_map WHERE event_id = $1",
                     DB_ARGS(db_int(event_id)), NULL);
    for (int i = 0; rc == DB_OK && i < f->ninterests; i++)
        rc = db_exec(c, "INSERT INTO event_interest_map (event_id, interest_id) VALUES ($1, $2)",
                     DB_ARGS(db_int(event_id), db_int(f->interests[i])), NULL);
    return rc;
}

/* Every listed interest must exist and be active. */
int check_interests(db_conn_t *c, const event_fields_t *f, json_t *details)
{
    for (int i = 0; i < f->ninterests; i++) {
        int64_t n = 0;
        bool found = false;
        int rc = db_query_int(c,
                              "SELECT count(*) FROM event_interests WHERE id = $1 AND is_active = "
                              "$2",
                              DB_ARGS(db_int(f->interests[i]), db_bool(true)), &n, &found);
        if (rc != DB_OK)
            return rc;
        if (n == 0) {
            err_detail_add(details, "value_error", "body", "event_interest_ids",
                           "Value error, unknown or inactive event interest",
                           json_integer(f->interests[i]));
            return DB_OK;
        }
    }
    return DB_OK;
}

/* ---- create ----------------------------------------------------------- */

typedef struct {
    http_req_t *req;
    const event_fields_t *f;
    const place_t *place;
    int64_t host_id;
    const char *covers; /* JSON array text */
    int64_t id;
    int attempt; /* > 0 after losing a slug race */
} create_ctx_t;

static const char SQL_INSERT[] =
    "INSERT INTO events (uuid, host_id, venue_id, canonical_id, slug, slug_version, "
    "slug_is_manual, canonical_url, title, description, venue_text, country_code, city_slug, "
    "start_time, end_time, max_capacity, is_paid, ticket_price_minor, currency, allow_plus_one, "
    "gst_number, allowed_genders, cover_images, status, is_public, is_active, published_at, "
    "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 1, $6, $7, $8, $9, $10, $11, $12, $13, "
    "$14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $27) RETURNING id";

static int create_tx(db_conn_t *c, void *arg)
{
    create_ctx_t *x = arg;
    const event_fields_t *f = x->f;
    char uuid[37], cid[CANONICAL_ID_LEN + 1], base[SLUG_MAX + 1], slug[104], url[320];
    int64_t now = clock_now_us();
    rand_uuid(uuid);
    slug_canonical_id(cid);
    slug_generate(f->title, SLUG_MAX, NULL, base);
    int rc = choose_slug(c, base, 0, x->attempt > 0, slug);
    if (rc != DB_OK)
        return rc;
    slug_canonical_url(x->place->country_code, x->place->city_slug, slug, cid, url, sizeof url);
    bool published = !strcmp(f->status, "published"), found = false;
    rc = db_query_int(
        c, SQL_INSERT,
        DB_ARGS(db_text(uuid), db_int(x->host_id), f->venue_id ? db_int(f->venue_id) : db_null(),
                db_text(cid), db_text(slug), db_bool(false), db_text(url), db_text(f->title),
                db_text(f->description), db_text(f->venue_text), db_text(x->place->country_code),
                db_text(x->place->city_slug), db_time(f->start_time), db_time(f->end_time),
                db_int(f->max_capacity), db_bool(f->is_paid), db_int(f->ticket_price_minor),
                db_text(f->currency), db_bool(f->allow_plus_one), db_text(f->gst_number),
                db_text(f->allowed_genders), db_text(x->covers), db_text(f->status),
                db_bool(f->is_public), db_bool(true), published ? db_time(now) : db_null(),
                db_time(now)),
        &x->id, &found);
    if (rc == DB_OK)
        rc = record_slug(c, x->id, slug, 1);
    if (rc == DB_OK)
        rc = set_interests(c, x->id, f);
    audit_entry_t a = {.actor_id = x->host_id,
                       .action = "event.create",
                       .object_type = "event",
                       .object_id = x->id,
                       .object_uuid = uuid,
                       .success = true};
    return rc == DB_OK ? audit_write(c, &x->req->op, &a) : rc;
}

/* Checks and stores the cover files; the keys stored so far go to keys. */
static int store_covers(http_req_t *req, json_t *urls, const char **keys, int *nkeys)
{
    int bad = 0;
    image_type_t types[MAX_COVERS];
    const http_file_t *files[MAX_COVERS];
    int n = 0;
    for (int i = 0; i < req->nfiles; i++) {
        if (strcmp(req->files[i].field, "cover_images") != 0)
            continue;
        files[n] = &req->files[i];
        bad += image_check(files[n], &types[n]) != IMAGE_OK;
        n++;
    }
    if (bad) {
        event_error(req, 400, "IMAGE_UPLOAD_FAILED",
                    "Failed to upload %d file(s). Please check file formats and sizes.", bad);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        const char *key, *url;
        if (storage_put(req->app->storage, &req->arena, "events", files[i]->data, files[i]->size,
                        image_ext(types[i]), &key, &url) != 0) {
            event_error(req, 400, "IMAGE_UPLOAD_FAILED", "Failed to store the cover images.");
            return -1;
        }
        keys[(*nkeys)++] = key;
        json_array_append_new(urls, json_string(url));
    }
    return 0;
}

static int count_covers(const http_req_t *req)
{
    int n = 0;
    for (int i = 0; i < req->nfiles; i++)
        n += strcmp(req->files[i].field, "cover_images") == 0;
    return n;
}

/* Validation before anything is stored: -1 with the response written. */
static int validate_create(http_req_t *req, event_fields_t *f, place_t *place)
{
    json_t *form = event_fields_form_object(req), *details = json_array();
    const char *msg = NULL;
    event_fields_defaults(f);
    const char *code = event_fields_apply(f, form, true, &req->arena, details, &msg);
    json_decref(form);
    int covers = count_covers(req);
    if (!code && covers > MAX_COVERS) {
        code = "TOO_MANY_COVER_IMAGES";
        msg = "At most 3 cover images are allowed.";
    }
    if (code) {
        json_decref(details);
        event_error(req, 400, code, "%s", msg);
        return -1;
    }
    event_fields_check(f, details);
    if (covers == 0)
        err_detail_add(details, "missing", "body", "cover_images",
                       "Field required: 1 to 3 cover images", NULL);
    return event_fields_finish(req, f, details, place, 0);
}

int event_fields_finish(http_req_t *req, const event_fields_t *f, json_t *details, place_t *place,
                        int64_t current_venue)
{
    if (check_interests(req->db, f, details) != DB_OK ||
        resolve_place(req->db, f, place) != DB_OK) {
        json_decref(details);
        http_db_unavailable(req);
        return -1;
    }
    if (json_array_size(details) > 0) {
        http_error_validation(req, details);
        return -1;
    }
    json_decref(details);
    if (f->venue_id && f->venue_id != current_venue && (!place->found || !place->active)) {
        event_error(req, 404, "VENUE_NOT_FOUND", "Venue not found.");
        return -1;
    }
    return 0;
}

void events_create(http_req_t *req)
{
    actor_t u;
    event_fields_t f;
    place_t place;
    if (guard_require(req, GUARD_ACTIVE, &u) != 0 || !http_db(req) ||
        validate_create(req, &f, &place) != 0)
        return;
    const char *keys[MAX_COVERS];
    int nkeys = 0;
    json_t *urls = json_array();
    if (store_covers(req, urls, keys, &nkeys) == 0) {
        char *covers = json_dumps(urls, JSON_COMPACT);
        create_ctx_t x = {.req = req, .f = &f, .place = &place, .host_id = u.id, .covers = covers};
        int rc = DB_UNIQUE;
        for (x.attempt = 0; x.attempt < 5 && rc == DB_UNIQUE; x.attempt++)
            rc = db_tx_run(req->db, DB_TX_WRITE, create_tx, &x); /* unique: a slug race */
        free(covers);
        if (rc == DB_OK) {
            nkeys = 0; /* committed: the event owns the files now */
            json_t *o = event_json_by_id(req->db, x.id);
            if (o)
                http_reply_json(req, 201, o);
        }
        if (req->res.status == 0)
            http_db_unavailable(req);
    }
    for (int i = 0; i < nkeys; i++)
        storage_delete(req->app->storage, keys[i]);
    json_decref(urls);
}
