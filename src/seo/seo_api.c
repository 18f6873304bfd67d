/*
 * seo_api.c: HTTP side of event SEO and calendars: the city page and event
 * metadata endpoints (API.md 5), the public SEO object and the canonical page
 * path with their 301s to the current canonical URL (API.md 12, 14.3), and
 * the iCalendar download. Reads are in seo_store.c; the text builders are
 * seo.c and ics.c.
 */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "events/slug.h"
#include "http/router.h"
#include "module.h"
#include "seo/ics.h"
#include "seo/seo.h"
#include "seo/seo_store.h"

#define INTEREST_SLUG_MAX 120

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

/* 301 to the current canonical URL. */
static void redirect_canonical(http_req_t *req, const event_t *e)
{
    const char *url = arena_printf(&req->arena, "%s%s", req->app->cfg.public_url,
                                   e->canonical_url ? e->canonical_url : "");
    http_set_header(req, "Location", url);
    http_reply_json(req, 301,
                    json_pack("{s:s, s:s}", "detail", "Moved Permanently", "location", url));
}

/* 200 with the public SEO object of e. */
static err_t *reply_public_object(http_req_t *req, op_t *op, const event_t *e)
{
    seo_event_t s;
    err_t *err = seo_event_load(op, e, &s);
    if (err)
        return err;
    http_reply_json(req, 200, seo_public_object(op->arena, &s));
    return NULL;
}

/* ---- GET /api/events/seo/canonical/{canonical_id}/metadata --------------------------- */

static err_t *canonical_metadata(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    event_t e;
    seo_event_t s;
    err_t *err = seo_live_canonical(op, http_param(req, "canonical_id"), &e);
    if (!err)
        err = seo_event_load(op, &e, &s);
    if (err)
        return err;
    json_t *event = event_json_by_id(op->db, op->actor.id, e.id);
    if (!event)
        return op_db_fail(op, DB_ERROR);
    arena_t *a = op->arena;
    http_reply_json(req, 200,
                    json_pack("{s:o, s:{s:o, s:o}, s:o}", "seo", seo_event_meta(a, &s), "schema",
                              "event", seo_event_schema(a, &s), "breadcrumb",
                              seo_event_breadcrumb(a, &s), "event", event));
    return NULL;
}

/* ---- GET /api/public/events/{canonical_id}/seo ----------------------------------------- */

static err_t *public_event_seo(http_req_t *req, op_t *op, const input_t *in)
{
    event_t e;
    err_t *err = seo_live_canonical(op, http_param(req, "canonical_id"), &e);
    if (err)
        return err;
    const char *url_slug = in_str(in, "url_event_slug");
    const char *url_city = in_str(in, "url_city_slug");
    if ((url_slug && strcmp(url_slug, e.slug) != 0) ||
        (url_city && strcmp(url_city, e.city_slug) != 0)) {
        redirect_canonical(req, &e);
        return NULL;
    }
    return reply_public_object(req, op, &e);
}

/* ---- GET /{country_code}/{city_slug}/events/{slug_id} ------------------------------------- */

static err_t *canonical_page(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    const char *segment = http_param(req, "slug_id");
    char slug[SLUG_STORED_MAX + 4], cid[CANONICAL_ID_LEN + 2];
    bool split = slug_split_path_segment(segment, slug, sizeof slug, cid, sizeof cid);
    event_t e;
    bool found = false;
    err_t *err = NULL;
    if (split) {
        int rc = event_load_canonical(op->db, op->arena, cid, &e, &found);
        if (rc != DB_OK)
            return op_db_fail(op, rc);
    } else if ((err = seo_event_by_slug(op, segment, &e, &found)) != NULL) {
        return err;
    }
    if (!found || !seo_event_is_live(&e))
        return seo_not_found(op, split ? cid : NULL);
    if (!split || strcmp(slug, e.slug) != 0 ||
        strcmp(http_param(req, "country_code"), e.country_code) != 0 ||
        strcmp(http_param(req, "city_slug"), e.city_slug) != 0) {
        redirect_canonical(req, &e);
        return NULL;
    }
    return reply_public_object(req, op, &e);
}

/* ---- GET /api/events/seo/cities/{country_code}/{city_slug}/events ----------------------- */

/* Path segments are matched lower-cased. */
static const char *country_check(arena_t *a, json_t *v, json_t **out, const char **type)
{
    char *s = arena_strdup(a, json_string_value(v));
    if (!lower_slug_ok(s, 2) || strlen(s) != 2 || strspn(s, "abcdefghijklmnopqrstuvwxyz") != 2) {
        *type = "string_pattern_mismatch";
        return "String should match pattern '^[a-z]{2}$'";
    }
    *out = json_string(s);
    return NULL;
}

static const char *city_check(arena_t *a, json_t *v, json_t **out, const char **type)
{
    char *s = arena_strdup(a, json_string_value(v));
    if (!lower_slug_ok(s, 100)) {
        *type = "string_pattern_mismatch";
        return "String should match pattern '^[a-z0-9-]+$'";
    }
    *out = json_string(s);
    return NULL;
}

/* The interest filter, when asked for: NULL and *interest set (or left NULL),
 * or the 404. */
static err_t *city_interest(op_t *op, const input_t *in, json_t **interest)
{
    *interest = NULL;
    const char *raw = in_str(in, "event_interest_slug");
    if (!raw)
        return NULL;
    char *slug = arena_strdup(op->arena, raw);
    if (!lower_slug_ok(slug, INTEREST_SLUG_MAX))
        return op_fail(op, 404, "INTEREST_NOT_FOUND", "Event interest not found.");
    return seo_interest_find(op, slug, interest);
}

static err_t *city_events(http_req_t *req, op_t *op, const input_t *in)
{
    json_t *interest = NULL;
    err_t *err = city_interest(op, in, &interest);
    if (err)
        return err;
    seo_city_query_t q = {.country_code = in_str(in, "country_code"),
                          .city_slug = in_str(in, "city_slug"),
                          .status = in_str(in, "status"),
                          .page = in_int(in, "page", 1),
                          .limit = in_int(in, "limit", SEO_CITY_PAGE_LIMIT),
                          .interest_id = json_integer_value(json_object_get(interest, "id"))};
    seo_page_t pg;
    int64_t ids[SEO_CITY_PAGE_MAX];
    int n = 0;
    json_t *events = NULL;
    err = seo_city_select(op, &q, &pg, ids, &n);
    if (!err && !(events = event_json_list(op->db, op->actor.id, ids, n)))
        err = op_db_fail(op, DB_ERROR);
    if (err) {
        json_decref(interest);
        return err;
    }
    arena_t *a = op->arena;
    seo_city_page_t p = {.country_code = q.country_code,
                         .city_slug = q.city_slug,
                         .interest_name = json_string_value(json_object_get(interest, "name")),
                         .interest_slug = json_string_value(json_object_get(interest, "slug")),
                         .total = pg.total,
                         .public_url = op->app->cfg.public_url};
    json_t *body =
        json_pack("{s:o, s:{s:o, s:o}, s:o, s:o, s:O}", "seo", seo_city_meta(a, &p), "schema",
                  "breadcrumb", seo_city_breadcrumb(a, &p), "city_page",
                  seo_city_page_schema(a, &p), "pagination", seo_pagination_json(a, &p, &pg),
                  "events", events, "interest", interest ? interest : json_null());
    json_decref(interest);
    http_reply_json(req, 200, body);
    return NULL;
}

/* ---- GET /api/events/{event_id}/calendar.ics -------------------------------------------- */

/* Published (or postponed / completed) and visible to the caller. */
static bool calendar_visible(const event_t *e, const actor_t *u)
{
    bool status_ok = !strcmp(e->status, "published") || !strcmp(e->status, "postponed") ||
                     !strcmp(e->status, "completed");
    return status_ok && (event_is_publicly_visible(e) || event_can_manage(e, u));
}

static err_t *calendar_ics(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    int64_t id = http_param_int(req, "event_id");
    event_t e;
    bool found = false;
    seo_event_t s;
    int rc = event_load(op->db, op->arena, id, &e, &found);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (!found || !calendar_visible(&e, &op->actor))
        return op_fail(op, 404, "EVENT_NOT_FOUND", "Event %lld not found.", (long long)id);
    err_t *err = seo_event_load(op, &e, &s);
    if (err)
        return err;
    ics_event_t ev = {.uuid = e.uuid,
                      .dtstamp = op->now_us,
                      .start = e.start_time,
                      .end = e.end_time,
                      .summary = e.title,
                      .description = e.description,
                      .location = seo_event_place(op->arena, &s),
                      .url = seo_event_url(op->arena, &s),
                      .status = e.status};
    size_t len = 0;
    char *text = ics_build(&ev, &len);
    http_set_header(req, "Content-Disposition",
                    arena_printf(op->arena, "attachment; filename=\"%s.ics\"", e.slug));
    http_reply_raw(req, 200, "text/calendar; charset=utf-8", text, len, false);
    free(text);
    return NULL;
}

/* ---- the route table -------------------------------------------------------------------- */

static const char *const statuses[] = {"draft",     "published", "cancelled",
                                       "completed", "postponed", NULL};

static const field_t city_fields[] = {
    {"country_code", FT_STRING, F_REQUIRED, FIELD_PATH, .check = country_check},
    {"city_slug", FT_STRING, F_REQUIRED, FIELD_PATH, .check = city_check},
    {"page", FT_INT, 0, FIELD_QUERY, .min = 1, .max = INT64_MAX},
    {"limit", FT_INT, 0, FIELD_QUERY, .min = 1, .max = SEO_CITY_PAGE_MAX},
    {"status", FT_STRING, 0, FIELD_QUERY, .choices = statuses, .def = "published"},
    {"event_interest_slug", FT_STRING, F_EMPTY_ABSENT | F_BYTES, .in = FIELD_QUERY},
    FIELDS_END,
};

static const field_t public_seo_fields[] = {
    {"url_event_slug", FT_STRING, F_EMPTY_ABSENT | F_BYTES, .in = FIELD_QUERY},
    {"url_city_slug", FT_STRING, F_EMPTY_ABSENT | F_BYTES, .in = FIELD_QUERY},
    FIELDS_END,
};

#define SEO_GET(path, fn, level, flds)                                                             \
    {                                                                                              \
        .method = HTTP_GET, .pattern = path, .handler = fn, .auth = level, .fields = flds,         \
        .envelope = ENVELOPE_EVENT, .tag = "seo"                                                   \
    }

/* The SEO routes under /api/events use FastAPI's mandatory HTTPBearer (the
 * header must be there) but take a bad token as a guest (API.md 2.2). */
static const route_def_t seo_routes[] = {
    SEO_GET("/api/events/seo/cities/{country_code}/{city_slug}/events", city_events,
            AUTH_BEARER_OPTIONAL, city_fields),
    SEO_GET("/api/events/seo/canonical/{canonical_id}/metadata", canonical_metadata,
            AUTH_BEARER_OPTIONAL, NULL),
    SEO_GET("/api/public/events/{canonical_id}/seo", public_event_seo, AUTH_ANONYMOUS,
            public_seo_fields),
    SEO_GET("/{country_code}/{city_slug}/events/{slug_id}", canonical_page, AUTH_ANONYMOUS, NULL),
    SEO_GET("/api/events/{event_id:int}/calendar.ics", calendar_ics, AUTH_OPTIONAL, NULL),
    ROUTES_END,
};

const module_t seo_module = {.name = "seo", .routes = seo_routes};
