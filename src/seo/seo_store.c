/*
 * seo_store.c: the SEO surfaces' reads (seo_store.h). The city page selects
 * with the listing's rules (active, public, a listed status) in one city,
 * optionally one interest; the row stores its city slug, so no join.
 */
#include "seo/seo_store.h"

#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "events/slug.h"

bool seo_event_is_live(const event_t *e)
{
    return e->is_active && e->is_public && !strcmp(e->status, "published");
}

static bool canonical_id_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > CANONICAL_ID_LEN)
        return false;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
            return false;
    return true;
}

err_t *seo_not_found(op_t *op, const char *id)
{
    if (id && canonical_id_ok(id))
        return op_fail(op, 404, "EVENT_NOT_FOUND", "Event %s not found.", id);
    return op_fail(op, 404, "EVENT_NOT_FOUND", "Event not found.");
}

err_t *seo_live_canonical(op_t *op, const char *cid, event_t *e)
{
    if (!canonical_id_ok(cid))
        return seo_not_found(op, cid);
    bool found = false;
    int rc = event_load_canonical(op->db, op->arena, cid, e, &found);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    return found && seo_event_is_live(e) ? NULL : seo_not_found(op, cid);
}

/* Every slug an event ever had; the current one may also be only in events. */
static const char SQL_SLUG_OWNER[] =
    "SELECT event_id FROM event_slugs WHERE slug = $1 UNION SELECT id FROM events WHERE slug = $1";

err_t *seo_event_by_slug(op_t *op, const char *slug, event_t *e, bool *found)
{
    *found = false;
    if (!slug_valid(slug))
        return NULL;
    int64_t id = 0;
    int rc = db_query_int(op->db, SQL_SLUG_OWNER, DB_ARGS(db_text(slug)), &id, found);
    if (rc == DB_OK && *found)
        rc = event_load(op->db, op->arena, id, e, found);
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}

/* ---- the event's SEO view -------------------------------------------------------- */

/* The host's name and the venue (with coordinates) in one round trip. */
static const char SQL_EVENT_DETAILS[] =
    "SELECT p.name, v.id, v.name, v.address, v.city, v.country_code, v.venue_type, v.latitude, "
    "v.longitude FROM events e LEFT JOIN user_profiles p ON p.user_id = e.host_id "
    "LEFT JOIN venues v ON v.id = e.venue_id WHERE e.id = $1";

static const char *col_copy(arena_t *a, db_rows_t *rows, int col)
{
    return db_col_isnull(rows, col) ? NULL : arena_strdup(a, db_col_text(rows, col));
}

/* The first cover image URL of the JSON array text, or NULL. */
static const char *first_cover(arena_t *a, const char *covers)
{
    json_t *arr = json_loads(covers ? covers : "[]", 0, NULL);
    const char *first = json_string_value(json_array_get(arr, 0));
    const char *out = first ? arena_strdup(a, first) : NULL;
    json_decref(arr);
    return out;
}

static void seo_from_event(op_t *op, const event_t *e, seo_event_t *s)
{
    memset(s, 0, sizeof *s);
    s->canonical_id = e->canonical_id;
    s->slug = e->slug;
    s->title = e->title;
    s->description = e->description;
    s->canonical_url = e->canonical_url;
    s->country_code = e->country_code;
    s->city_slug = e->city_slug;
    s->start_time = e->start_time;
    s->end_time = e->end_time;
    s->status = e->status;
    s->cover_image = first_cover(op->arena, e->cover_images);
    s->is_paid = e->is_paid;
    s->price = event_price_string(op->arena, e->ticket_price_minor);
    s->currency = e->currency;
    s->going_count = e->going_count;
    s->max_capacity = e->max_capacity;
    s->venue_text = e->venue_text;
    s->public_url = op->app->cfg.public_url;
}

err_t *seo_event_load(op_t *op, const event_t *e, seo_event_t *s)
{
    seo_from_event(op, e, s);
    db_rows_t *rows;
    int rc = db_query(op->db, SQL_EVENT_DETAILS, DB_ARGS(db_int(e->id)), &rows);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (db_next(rows)) {
        arena_t *a = op->arena;
        s->host_name = col_copy(a, rows, 0);
        s->has_venue = !db_col_isnull(rows, 1);
        s->venue_name = col_copy(a, rows, 2);
        s->venue_address = col_copy(a, rows, 3);
        s->venue_city = col_copy(a, rows, 4);
        s->venue_country = col_copy(a, rows, 5);
        s->venue_type = col_copy(a, rows, 6);
        s->has_geo = !db_col_isnull(rows, 7) && !db_col_isnull(rows, 8);
        s->latitude = db_col_real(rows, 7);
        s->longitude = db_col_real(rows, 8);
    }
    rc = db_rows_status(rows);
    db_rows_free(rows);
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}

/* ---- interests and the city page --------------------------------------------------- */

static const char SQL_INTEREST[] =
    "SELECT id, name, slug FROM event_interests WHERE slug = $1 AND is_active = TRUE";

err_t *seo_interest_find(op_t *op, const char *slug, json_t **out)
{
    *out = NULL;
    db_rows_t *rows;
    int rc = db_query(op->db, SQL_INTEREST, DB_ARGS(db_text(slug)), &rows);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (db_next(rows))
        *out = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)db_col_int(rows, 0), "name",
                         db_col_text(rows, 1), "slug", db_col_text(rows, 2));
    rc = db_rows_status(rows);
    db_rows_free(rows);
    if (rc != DB_OK) {
        json_decref(*out);
        *out = NULL;
        return op_db_fail(op, rc);
    }
    return *out ? NULL : op_fail(op, 404, "INTEREST_NOT_FOUND", "Event interest not found.");
}

#define SQL_CITY_WHERE                                                                             \
    "FROM events e WHERE e.is_active = TRUE AND e.is_public = TRUE AND e.status = $1 "             \
    "AND e.country_code = $2 AND e.city_slug = $3"
#define SQL_CITY_INTEREST                                                                          \
    " AND EXISTS (SELECT 1 FROM event_interest_map m WHERE m.event_id = e.id "                     \
    "AND m.interest_id = $4)"
#define SQL_CITY_ORDER " ORDER BY e.start_time DESC, e.id DESC"

static const char SQL_CITY_COUNT[] = "SELECT count(*) " SQL_CITY_WHERE;
static const char SQL_CITY_COUNT_I[] = "SELECT count(*) " SQL_CITY_WHERE SQL_CITY_INTEREST;
static const char SQL_CITY_IDS[] =
    "SELECT e.id " SQL_CITY_WHERE SQL_CITY_ORDER " LIMIT $4 OFFSET $5";
static const char SQL_CITY_IDS_I[] =
    "SELECT e.id " SQL_CITY_WHERE SQL_CITY_INTEREST SQL_CITY_ORDER " LIMIT $5 OFFSET $6";

/* Drafts and cancelled events are never public (docs/events.md,
 * "Visibility"), so asking for them selects nothing. */
static bool status_is_listed(const char *status)
{
    return !strcmp(status, "published") || !strcmp(status, "completed") ||
           !strcmp(status, "postponed");
}

err_t *seo_city_select(op_t *op, const seo_city_query_t *q, seo_page_t *pg, int64_t *ids, int *n)
{
    *n = 0;
    db_param_t p[6] = {db_text(q->status), db_text(q->country_code), db_text(q->city_slug),
                       db_int(q->interest_id)};
    int np = q->interest_id ? 4 : 3;
    int64_t total = 0;
    bool found = false;
    int rc = DB_OK;
    if (status_is_listed(q->status))
        rc = db_query_int(op->db, q->interest_id ? SQL_CITY_COUNT_I : SQL_CITY_COUNT, p, np, &total,
                          &found);
    seo_paginate(q->page, q->limit, total, pg);
    if (rc != DB_OK || !pg->has_rows)
        return rc == DB_OK ? NULL : op_db_fail(op, rc);
    p[np] = db_int(pg->limit);
    p[np + 1] = db_int(pg->offset);
    db_rows_t *rows;
    rc = db_query(op->db, q->interest_id ? SQL_CITY_IDS_I : SQL_CITY_IDS, p, np + 2, &rows);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    while (db_next(rows) && *n < SEO_CITY_PAGE_MAX)
        ids[(*n)++] = db_col_int(rows, 0);
    rc = db_rows_status(rows);
    db_rows_free(rows);
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}

/* "Venue, City", else the venue's name or city alone, else venue_text. */
const char *seo_event_place(arena_t *a, const seo_event_t *s)
{
    const char *name = s->has_venue && s->venue_name ? s->venue_name : "";
    const char *city = s->has_venue && s->venue_city ? s->venue_city : "";
    if (*name && *city)
        return arena_printf(a, "%s, %s", name, city);
    if (*name || *city)
        return *name ? name : city;
    return s->venue_text;
}
