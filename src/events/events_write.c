/*
 * events_write.c: what creating and updating an event share, and creating
 * itself. Identity is settled inside the write transaction: a random
 * canonical id, a slug unique across every slug ever used, and the
 * canonical URL (place from the venue); interests and the slug history
 * change with the event, so a failure leaves nothing behind. The checks that
 * need the database (interests, venue) close validation for both writes.
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
#include "venues/venue.h"

/* ---- identity --------------------------------------------------------- */

/* Country and city for the canonical URL: the venue's, else the slug of
 * venue_text, else in/unknown. */
int event_place_resolve(db_conn_t *c, const event_fields_t *f, event_place_t *p)
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
int event_slug_owner(db_conn_t *c, const char *slug, int64_t *owner)
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
int event_slug_choose(db_conn_t *c, const char *base, int64_t event_id, bool random_only,
                      int64_t now_us, char out[104])
{
    int64_t owner, ts = now_us / USEC_PER_SEC;
    int rc = db_exec(c,
                     "INSERT INTO slug_locks (base, locked_at) VALUES ($1, $2) ON CONFLICT (base) "
                     "DO UPDATE SET locked_at = excluded.locked_at",
                     DB_ARGS(db_text(base), db_time(now_us)), NULL);
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
        rc = event_slug_owner(c, out, &owner);
        if (rc != DB_OK || owner == 0 || owner == event_id)
            return rc;
    }
    return DB_RETRY;
}

int event_slug_record(db_conn_t *c, int64_t event_id, const char *slug, int version, int64_t now_us)
{
    return db_exec(c,
                   "INSERT INTO event_slugs (event_id, slug, version, created_at) VALUES ($1, $2, "
                   "$3, $4) ON CONFLICT (slug) DO NOTHING",
                   DB_ARGS(db_int(event_id), db_text(slug), db_int(version), db_time(now_us)),
                   NULL);
}

int event_interests_set(db_conn_t *c, int64_t event_id, const event_fields_t *f)
{
    int rc = db_exec(c, "DELETE FROM event_interest_map WHERE event_id = $1",
                     DB_ARGS(db_int(event_id)), NULL);
    for (int i = 0; rc == DB_OK && i < f->ninterests; i++)
        rc = db_exec(c, "INSERT INTO event_interest_map (event_id, interest_id) VALUES ($1, $2)",
                     DB_ARGS(db_int(event_id), db_int(f->interests[i])), NULL);
    return rc;
}

/* Unknown or inactive interests are skipped, not refused (API.md 5): an
 * app holding a stale list of interests can still create its event. */
static int keep_active_interests(db_conn_t *c, event_fields_t *f)
{
    int kept = 0;
    for (int i = 0; i < f->ninterests; i++) {
        int64_t n = 0;
        bool found = false;
        int rc = db_query_int(c,
                              "SELECT count(*) FROM event_interests WHERE id = $1 AND is_active = "
                              "$2",
                              DB_ARGS(db_int(f->interests[i]), db_bool(true)), &n, &found);
        if (rc != DB_OK)
            return rc;
        if (n > 0)
            f->interests[kept++] = f->interests[i];
    }
    f->ninterests = kept;
    return DB_OK;
}

err_t *event_fields_finish(op_t *op, event_fields_t *f, json_t *details, event_place_t *place,
                           int64_t current_venue)
{
    int rc = keep_active_interests(op->db, f);
    if (rc == DB_OK)
        rc = event_place_resolve(op->db, f, place);
    if (rc != DB_OK) {
        json_decref(details);
        return op_db_fail(op, rc);
    }
    if (json_array_size(details) > 0)
        return err_validation(op->arena, details);
    json_decref(details);
    if (f->venue_id && f->venue_id != current_venue && (!place->found || !place->active))
        return op_fail(op, 404, "VENUE_NOT_FOUND", "Venue not found.");
    return NULL;
}

/* ---- create ----------------------------------------------------------- */

typedef struct {
    const event_fields_t *f;
    const event_place_t *place;
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

static int insert_event(op_t *op, create_ctx_t *x, const char *uuid, const char *cid,
                        const char *slug, const char *url)
{
    const event_fields_t *f = x->f;
    bool published = !strcmp(f->status, "published"), found = false;
    return db_query_int(
        op->db, SQL_INSERT,
        DB_ARGS(db_text(uuid), db_int(op->actor.id), f->venue_id ? db_int(f->venue_id) : db_null(),
                db_text(cid), db_text(slug), db_bool(false), db_text(url), db_text(f->title),
                db_text(f->description), db_text(f->venue_text), db_text(x->place->country_code),
                db_text(x->place->city_slug), db_time(f->start_time), db_time(f->end_time),
                db_int(f->max_capacity), db_bool(f->is_paid), db_int(f->ticket_price_minor),
                db_text(f->currency), db_bool(f->allow_plus_one), db_text(f->gst_number),
                db_text(f->allowed_genders), db_text(x->covers), db_text(f->status),
                db_bool(f->is_public), db_bool(true), published ? db_time(op->now_us) : db_null(),
                db_time(op->now_us)),
        &x->id, &found);
}

/* The app's place becomes the event's venue (found or created) and gives
 * the canonical URL its city, in the event's own transaction. */
static int settle_app_venue(op_t *op, event_fields_t *f, event_place_t *place)
{
    if (!f->app_venue.name)
        return DB_OK;
    venue_input_t v = {.name = f->app_venue.name,
                       .address = f->app_venue.address,
                       .city = f->app_venue.city,
                       .has_latitude = f->app_venue.has_latitude,
                       .latitude = f->app_venue.latitude,
                       .has_longitude = f->app_venue.has_longitude,
                       .longitude = f->app_venue.longitude};
    snprintf(v.country_code, sizeof v.country_code, "%s", f->app_venue.country_code);
    int rc = venue_find_or_create(op->db, &v, f->app_venue.place_id, op->now_us, &f->venue_id);
    if (rc == DB_OK)
        rc = event_place_resolve(op->db, f, place);
    return rc;
}

/* The row, its identity, slug history, interests and audit entry. */
static err_t *create_row(op_t *op, create_ctx_t *x)
{
    char uuid[37], cid[CANONICAL_ID_LEN + 1], base[SLUG_MAX + 1], slug[104], url[320];
    rand_uuid(uuid);
    slug_canonical_id(cid);
    slug_generate(x->f->title, SLUG_MAX, NULL, base);
    int rc = event_slug_choose(op->db, base, 0, x->attempt > 0, op->now_us, slug);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    slug_canonical_url(x->place->country_code, x->place->city_slug, slug, cid, url, sizeof url);
    rc = insert_event(op, x, uuid, cid, slug, url);
    if (rc == DB_OK)
        rc = event_slug_record(op->db, x->id, slug, 1, op->now_us);
    if (rc == DB_OK)
        rc = event_interests_set(op->db, x->id, x->f);
    notify_ref_t n = {.to = op->actor.id,
                      .key = "event_created",
                      .reference_type = "event",
                      .reference_id = x->id,
                      .metadata = arena_printf(op->arena, "{\"event_id\":%lld}", (long long)x->id)};
    if (rc == DB_OK)
        rc = notify_template(op, &n, TPL_ARGS({"event_name", x->f->title}));
    if (rc == DB_OK && !strcmp(x->f->status, "published") && x->f->is_public)
        rc = notify_event_published(op, x->id);
    audit_entry_t a = {.actor_id = op->actor.id,
                       .action = "event.create",
                       .object_type = "event",
                       .object_id = x->id,
                       .object_uuid = uuid,
                       .success = true};
    if (rc == DB_OK)
        rc = audit_write(op->db, op, &a);
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}

/* May run more than once: works on copies of the fields and place. */
static err_t *create_tx(op_t *op, void *arg)
{
    create_ctx_t *x = arg;
    event_fields_t f = *x->f;
    event_place_t place = *x->place;
    int rc = settle_app_venue(op, &f, &place);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    create_ctx_t y = *x;
    y.f = &f;
    y.place = &place;
    err_t *e = create_row(op, &y);
    x->id = y.id;
    return e;
}

err_t *event_create(op_t *op, const event_fields_t *f, const event_place_t *place,
                    const char *covers_json, int64_t *id)
{
    create_ctx_t x = {.f = f, .place = place, .covers = covers_json};
    err_t *e = NULL;
    /* a unique violation is a lost slug race: again, with random suffixes */
    for (x.attempt = 0; x.attempt < 5; x.attempt++) {
        err_discard(e);
        e = op_tx(op, DB_TX_WRITE, create_tx, &x);
        if (!e || e->db_rc != DB_UNIQUE)
            break;
    }
    if (!e)
        listing_changed(op->app);
    *id = x.id;
    return e;
}
