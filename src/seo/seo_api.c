/*
 * seo_api.c: HTTP side of event SEO and calendars: the city page and event
 * metadata endpoints (API.md 5), the public SEO object and the canonical page
 * path with their 301s to the current canonical URL (API.md 12, 14.3), and
 * the iCalendar download. The text builders are seo.c and ics.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app.h"
#include "auth/guard_legacy.h"
#include "core/clock.h"
#include "events/event.h"
#include "seo/ics.h"
#include "seo/seo.h"
#include "events/slug.h"
#include "http/input.h"
#include "http/router.h"
#include "module.h"

#define STATUS_TEXT       "'draft', 'published', 'cancelled', 'completed' or 'postponed'"
#define INTEREST_SLUG_MAX 120

/* The SEO and canonical endpoints use FastAPI's mandatory HTTPBearer (the
 * header must be there) but treat any token problem as anonymous
 * (API.md 2.2). 0 with *u filled (id 0: anonymous), or -1 when answered. */
static int header_then_optional(http_req_t *req, actor_t *u)
{
    const char *h = http_header(req, "Authorization");
    while (h && *h == ' ')
        h++;
    const char *sp = h ? strchr(h, ' ') : NULL;
    const char *cred = sp;
    while (cred && *cred == ' ')
        cred++;
    if (!h || !*h || !sp || !*cred) {
        http_error(req, 403, "NOT_AUTHENTICATED", "Not authenticated");
        return -1;
    }
    if (sp - h != 6 || strncasecmp(h, "Bearer", 6) != 0) {
        http_error(req, 403, "INVALID_AUTH_SCHEME", "Invalid authentication credentials");
        return -1;
    }
    return guard_require(req, GUARD_OPTIONAL, u);
}

/* [a-z0-9-]{1,max} after lower-casing s in place. */
static bool lower_slug_ok(char *s, size_t max)
{
    size_t n = 0;
    for (char *p = s; *p; p++, n++) {
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
            return false;
    }
    return n >= 1 && n <= max;
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

static void event_not_found(http_req_t *req, const char *id)
{
    if (id && canonical_id_ok(id))
        event_error(req, 404, "EVENT_NOT_FOUND", "Event %s not found.", id);
    else
        event_error(req, 404, "EVENT_NOT_FOUND", "Event not found.");
}

/* Active, public and published: what the public SEO surfaces show. */
static bool event_is_live(const event_t *e)
{
    return e->is_active && e->is_public && !strcmp(e->status, "published");
}

/* 301 to the current canonical URL. */
static void redirect_canonical(http_req_t *req, const event_t *e)
{
    const char *url = arena_printf(&req->arena, "%s%s", req->app->cfg.public_url,
                                   e->canonical_url ? e->canonical_url : "");
    http_set_header(req, "Location", url);
    http_reply_json(req, 301,
                    json_pack("{s:s, s:s}", "detail", "Moved Permanently", "location", url));
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

static void seo_from_event(http_req_t *req, const event_t *e, seo_event_t *s)
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
    s->cover_image = first_cover(&req->arena, e->cover_images);
    s->is_paid = e->is_paid;
    s->price = event_price_string(&req->arena, e->ticket_price_minor);
    s->currency = e->currency;
    s->going_count = e->going_count;
    s->max_capacity = e->max_capacity;
    s->venue_text = e->venue_text;
    s->public_url = req->app->cfg.public_url;
}

/* Fills *s for e: the event's columns, its host's name and its venue. */
static int load_seo_event(http_req_t *req, const event_t *e, seo_event_t *s)
{
    seo_from_event(req, e, s);
    db_rows_t *rows;
    int rc = db_query(req->db, SQL_EVENT_DETAILS, DB_ARGS(db_int(e->id)), &rows);
    if (rc != DB_OK)
        return rc;
    if (db_next(rows)) {
        arena_t *a = &req->arena;
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
    return rc;
}

/* Loads a live event by canonical id: 0, or -1 with the 404 / error written. */
static int load_live_canonical(http_req_t *req, const char *cid, event_t *e)
{
    if (!canonical_id_ok(cid)) {
        event_not_found(req, cid);
        return -1;
    }
    db_conn_t *c = http_db(req);
    if (!c)
        return -1;
    bool found = false;
    int rc = event_load_canonical(c, &req->arena, cid, e, &found);
    if (rc != DB_OK) {
        http_db_error(req, rc, NULL);
        return -1;
    }
    if (!found || !event_is_live(e)) {
        event_not_found(req, cid);
        return -1;
    }
    return 0;
}

/* 200 with the public SEO object of e. */
static void reply_public_object(http_req_t *req, const event_t *e)
{
    seo_event_t s;
    int rc = load_seo_event(req, e, &s);
    if (rc != DB_OK) {
        http_db_error(req, rc, NULL);
        return;
    }
    http_reply_json(req, 200, seo_public_object(&req->arena, &s));
}

/* ---- GET /api/events/seo/canonical/{canonical_id}/metadata --------------------------- */

static void canonical_metadata(http_req_t *req)
{
    actor_t u;
    if (header_then_optional(req, &u) != 0)
        return;
    event_t e;
    if (load_live_canonical(req, http_param(req, "canonical_id"), &e) != 0)
        return;
    seo_event_t s;
    int rc = load_seo_event(req, &e, &s);
    json_t *event = rc == DB_OK ? event_json_by_id(req->db, e.id) : NULL;
    if (!event) {
        http_db_error(req, rc != DB_OK ? rc : DB_ERROR, NULL);
        return;
    }
    arena_t *a = &req->arena;
    http_reply_json(req, 200,
                    json_pack("{s:o, s:{s:o, s:o}, s:o}", "seo", seo_event_meta(a, &s), "schema",
                              "event", seo_event_schema(a, &s), "breadcrumb",
                              seo_event_breadcrumb(a, &s), "event", event));
}

/* ---- GET /api/public/events/{canonical_id}/seo ----------------------------------------- */

static void public_event_seo(http_req_t *req)
{
    event_t e;
    if (load_live_canonical(req, http_param(req, "canonical_id"), &e) != 0)
        return;
    const char *url_slug = http_query(req, "url_event_slug");
    const char *url_city = http_query(req, "url_city_slug");
    if ((url_slug && *url_slug && strcmp(url_slug, e.slug) != 0) ||
        (url_city && *url_city && strcmp(url_city, e.city_slug) != 0)) {
        redirect_canonical(req, &e);
        return;
    }
    reply_public_object(req, &e);
}

/* ---- GET /{country_code}/{city_slug}/events/{slug_id} ------------------------------------- */

/* Every slug an event ever had; the current one may also be only in events. */
static const char SQL_SLUG_OWNER[] =
    "SELECT event_id FROM event_slugs WHERE slug = $1 UNION SELECT id FROM events WHERE slug = $1";

/* The event a bare slug (no "--{id}") names: 0 with *found, or -1 answered. */
static int load_by_old_slug(http_req_t *req, const char *slug, event_t *e, bool *found)
{
    *found = false;
    if (!slug_valid(slug))
        return 0;
    int64_t id = 0;
    int rc = db_query_int(req->db, SQL_SLUG_OWNER, DB_ARGS(db_text(slug)), &id, found);
    if (rc == DB_OK && *found)
        rc = event_load(req->db, &req->arena, id, e, found);
    if (rc != DB_OK) {
        http_db_error(req, rc, NULL);
        return -1;
    }
    return 0;
}

static void canonical_page(http_req_t *req)
{
    const char *segment = http_param(req, "slug_id");
    char slug[SLUG_STORED_MAX + 4], cid[CANONICAL_ID_LEN + 2];
    bool split = slug_split_path_segment(segment, slug, sizeof slug, cid, sizeof cid);
    db_conn_t *c = http_db(req);
    if (!c)
        return;
    event_t e;
    bool found = false;
    int rc = DB_OK;
    if (split)
        rc = event_load_canonical(c, &req->arena, cid, &e, &found);
    else if (load_by_old_slug(req, segment, &e, &found) != 0)
        return;
    if (rc != DB_OK) {
        http_db_error(req, rc, NULL);
        return;
    }
    if (!found || !event_is_live(&e)) {
        event_not_found(req, split ? cid : NULL);
        return;
    }
    if (!split || strcmp(slug, e.slug) != 0 ||
        strcmp(http_param(req, "country_code"), e.country_code) != 0 ||
        strcmp(http_param(req, "city_slug"), e.city_slug) != 0) {
        redirect_canonical(req, &e);
        return;
    }
    reply_public_object(req, &e);
}

/* ---- GET /api/events/seo/cities/{country_code}/{city_slug}/events ----------------------- */

typedef struct {
    char *country_code, *city_slug; /* lower-cased arena copies */
    const char *interest_slug;      /* NULL: no filter */
    const char *status;
    int64_t page, limit;
} city_query_t;

static bool status_valid(const char *s)
{
    static const char *const all[] = {"draft", "published", "cancelled", "completed", "postponed"};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (!strcmp(s, all[i]))
            return true;
    return false;
}

/* A path segment lower-cased into *out; false with a pattern detail when
 * it is not 1..max of [a-z0-9-] (letters_only: exactly max letters). */
static bool path_slug(http_req_t *req, json_t *details, const char *name, bool letters_only,
                      size_t max, char **out)
{
    const char *raw = http_param(req, name);
    *out = arena_strdup(&req->arena, raw);
    bool ok = lower_slug_ok(*out, max);
    if (ok && letters_only)
        ok = strlen(*out) == max && strspn(*out, "abcdefghijklmnopqrstuvwxyz") == max;
    if (!ok)
        err_detail_add(details, "string_pattern_mismatch", "path", name,
                       letters_only ? "String should match pattern '^[a-z]{2}$'"
                                    : "String should match pattern '^[a-z0-9-]+$'",
                       json_string(raw));
    return ok;
}

/* 0, or -1 with the 422 written. */
static int read_city_query(http_req_t *req, city_query_t *q)
{
    json_t *details = json_array();
    memset(q, 0, sizeof *q);
    q->page = 1;
    q->limit = SEO_CITY_PAGE_LIMIT;
    q->status = "published";
    path_slug(req, details, "country_code", true, 2, &q->country_code);
    path_slug(req, details, "city_slug", false, 100, &q->city_slug);
    input_query_int(req, details, "page", 1, INT64_MAX, &q->page);
    input_query_int(req, details, "limit", 1, SEO_CITY_PAGE_MAX, &q->limit);
    const char *status = http_query(req, "status");
    if (status && !status_valid(status)) {
        err_detail_add(details, "enum", "query", "status", "Input should be " STATUS_TEXT,
                       json_string(status));
        json_object_set_new(json_array_get(details, json_array_size(details) - 1), "ctx",
                            json_pack("{s:s}", "expected", STATUS_TEXT));
    } else if (status) {
        q->status = status;
    }
    const char *interest = http_query(req, "event_interest_slug");
    if (interest && *interest)
        q->interest_slug = interest;
    return input_finish(req, details);
}

static const char SQL_INTEREST[] =
    "SELECT id, name, slug FROM event_interests WHERE slug = $1 AND is_active = TRUE";

/* The active interest with that slug: 0 (*out NULL when there is none: the
 * 404 is written), or -1 answered. */
static int load_interest(http_req_t *req, const char *slug, json_t **out)
{
    *out = NULL;
    char *lower = arena_strdup(&req->arena, slug);
    if (lower_slug_ok(lower, INTEREST_SLUG_MAX)) {
        db_rows_t *rows;
        int rc = db_query(req->db, SQL_INTEREST, DB_ARGS(db_text(lower)), &rows);
        if (rc != DB_OK) {
            http_db_error(req, rc, NULL);
            return -1;
        }
        if (db_next(rows))
            *out = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)db_col_int(rows, 0), "name",
                             db_col_text(rows, 1), "slug", db_col_text(rows, 2));
        rc = db_rows_status(rows);
        db_rows_free(rows);
        if (rc != DB_OK) {
            json_decref(*out);
            http_db_error(req, rc, NULL);
            return -1;
        }
    }
    if (!*out)
        event_error(req, 404, "INTEREST_NOT_FOUND", "Event interest not found.");
    return 0;
}

/* The city selection: live listing rules (active, public, the status) in one
 * city, optionally one interest. The row stores its city slug, so no join. */
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

/* Counts the selection and reads the page's ids into ids[0..*n). */
static int city_select(db_conn_t *c, const city_query_t *q, int64_t interest_id, seo_page_t *pg,
                       int64_t *ids, int *n)
{
    *n = 0;
    db_param_t p[6] = {db_text(q->status), db_text(q->country_code), db_text(q->city_slug),
                       db_int(interest_id)};
    int np = interest_id ? 4 : 3;
    int64_t total = 0;
    bool found = false;
    int rc = DB_OK;
    if (status_is_listed(q->status))
        rc =
            db_query_int(c, interest_id ? SQL_CITY_COUNT_I : SQL_CITY_COUNT, p, np, &total, &found);
    seo_paginate(q->page, q->limit, total, pg);
    if (rc != DB_OK || !pg->has_rows)
        return rc;
    p[np] = db_int(pg->limit);
    p[np + 1] = db_int(pg->offset);
    db_rows_t *rows;
    rc = db_query(c, interest_id ? SQL_CITY_IDS_I : SQL_CITY_IDS, p, np + 2, &rows);
    if (rc != DB_OK)
        return rc;
    while (db_next(rows) && *n < SEO_CITY_PAGE_MAX)
        ids[(*n)++] = db_col_int(rows, 0);
    rc = db_rows_status(rows);
    db_rows_free(rows);
    return rc;
}

static void city_events(http_req_t *req)
{
    actor_t u;
    city_query_t q;
    json_t *interest = NULL;
    if (header_then_optional(req, &u) != 0 || read_city_query(req, &q) != 0)
        return;
    db_conn_t *c = http_db(req);
    if (!c ||
        (q.interest_slug && (load_interest(req, q.interest_slug, &interest) != 0 || !interest)))
        return;
    seo_page_t pg;
    int64_t ids[SEO_CITY_PAGE_MAX];
    int n = 0;
    int64_t interest_id = interest ? json_integer_value(json_object_get(interest, "id")) : 0;
    int rc = city_select(c, &q, interest_id, &pg, ids, &n);
    json_t *events = rc == DB_OK ? event_json_list(c, ids, n) : NULL;
    if (!events) {
        json_decref(interest);
        http_db_error(req, rc != DB_OK ? rc : DB_ERROR, NULL);
        return;
    }
    arena_t *a = &req->arena;
    seo_city_page_t p = {.country_code = q.country_code,
                         .city_slug = q.city_slug,
                         .interest_name = json_string_value(json_object_get(interest, "name")),
                         .interest_slug = json_string_value(json_object_get(interest, "slug")),
                         .total = pg.total,
                         .public_url = req->app->cfg.public_url};
    json_t *body =
        json_pack("{s:o, s:{s:o, s:o}, s:o, s:o, s:O}", "seo", seo_city_meta(a, &p), "schema",
                  "breadcrumb", seo_city_breadcrumb(a, &p), "city_page",
                  seo_city_page_schema(a, &p), "pagination", seo_pagination_json(a, &p, &pg),
                  "events", events, "interest", interest ? interest : json_null());
    json_decref(interest);
    http_reply_json(req, 200, body);
}

/* ---- GET /api/events/{event_id}/calendar.ics -------------------------------------------- */

/* "Venue, City", else the venue's name or city alone, else venue_text. */
static const char *ics_location(arena_t *a, const seo_event_t *s)
{
    const char *name = s->has_venue && s->venue_name ? s->venue_name : "";
    const char *city = s->has_venue && s->venue_city ? s->venue_city : "";
    if (*name && *city)
        return arena_printf(a, "%s, %s", name, city);
    if (*name || *city)
        return *name ? name : city;
    return s->venue_text;
}

/* Published (or postponed / completed) and visible to the caller. */
static bool calendar_visible(const event_t *e, const actor_t *u)
{
    bool status_ok = !strcmp(e->status, "published") || !strcmp(e->status, "postponed") ||
                     !strcmp(e->status, "completed");
    return status_ok && (event_is_publicly_visible(e) || event_can_manage(e, u));
}

static void calendar_ics(http_req_t *req)
{
    actor_t u;
    if (guard_require(req, GUARD_OPTIONAL, &u) != 0)
        return;
    int64_t id = http_param_int(req, "event_id");
    db_conn_t *c = http_db(req);
    if (!c)
        return;
    event_t e;
    bool found = false;
    seo_event_t s;
    int rc = event_load(c, &req->arena, id, &e, &found);
    if (rc == DB_OK && found && calendar_visible(&e, &u))
        rc = load_seo_event(req, &e, &s);
    if (rc != DB_OK) {
        http_db_error(req, rc, NULL);
        return;
    }
    if (!found || !calendar_visible(&e, &u)) {
        event_error(req, 404, "EVENT_NOT_FOUND", "Event %lld not found.", (long long)id);
        return;
    }
    ics_event_t ev = {.uuid = e.uuid,
                      .dtstamp = clock_now_us(),
                      .start = e.start_time,
                      .end = e.end_time,
                      .summary = e.title,
                      .description = e.description,
                      .location = ics_location(&req->arena, &s),
                      .url = seo_event_url(&req->arena, &s),
                      .status = e.status};
    size_t len = 0;
    char *text = ics_build(&ev, &len);
    http_set_header(req, "Content-Disposition",
                    arena_printf(&req->arena, "attachment; filename=\"%s.ics\"", e.slug));
    http_reply_raw(req, 200, "text/calendar; charset=utf-8", text, len, false);
    free(text);
}

static void seo_routes(router_t *r)
{
    router_add(r, HTTP_GET, "/api/events/seo/cities/{country_code}/{city_slug}/events", city_events,
               BODY_NONE, false);
    router_add(r, HTTP_GET, "/api/events/seo/canonical/{canonical_id}/metadata", canonical_metadata,
               BODY_NONE, false);
    router_add(r, HTTP_GET, "/api/public/events/{canonical_id}/seo", public_event_seo, BODY_NONE,
               false);
    router_add(r, HTTP_GET, "/{country_code}/{city_slug}/events/{slug_id}", canonical_page,
               BODY_NONE, false);
    router_add(r, HTTP_GET, "/api/events/{event_id:int}/calendar.ics", calendar_ics, BODY_NONE,
               false);
}

const module_t seo_module = {.name = "seo", .legacy_routes = seo_routes};
