/*
 * event_json.c: EventResponse (API.md 5, docs/events.md), the body of the
 * hottest reads. One statement returns whole rows for a page of events: one
 * row per event with its interests aggregated, the seats, the host and, for
 * the caller's own events, the latest payout request's status. The rows are
 * written straight into the response buffer (core/jsonw: the bytes jansson
 * would print, without building a tree per event), each event as a segment,
 * and the segments are then put in the caller's order.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonw.h"
#include "db/db_agg.h"
#include "db/db_jsonw.h"
#include "core/text.h"
#include "events/event.h"

// clang-format off
#define SQL_RESPONSE_COLUMNS                                                                       \
    "SELECT e.id, e.uuid, e.canonical_id, e.title, e.slug, e.slug_version, e.canonical_url, "      \
    "e.description, e.host_id, u.phone, u.email, p.name, e.venue_id, v.uuid, v.name, v.city, "     \
    "v.venue_type, v.address, e.venue_text, e.start_time, e.end_time, e.max_capacity, "            \
    EVENT_SQL_SEATS_TAKEN("e") ", e.requests_count, e.is_paid, e.ticket_price_minor, e.currency, " \
    "e.allow_plus_one, e.gst_number, e.allowed_genders, e.cover_images, e.status, e.is_public, "   \
    "e.is_active, e.created_at, e.updated_at, %s, p.profile_pictures, "                            \
    "v.latitude, v.longitude, CASE WHEN e.host_id = $1 THEN (SELECT pr.status FROM "               \
    "host_payout_requests pr WHERE pr.event_id = e.id ORDER BY pr.id DESC LIMIT 1) END "
// clang-format on
#define SQL_RESPONSE_JOINS                                                                         \
    "JOIN users u ON u.id = e.host_id LEFT JOIN user_profiles p ON p.user_id = e.host_id "         \
    "LEFT JOIN venues v ON v.id = e.venue_id "

/* The event's interests as one JSON array of [id, name, slug] (the %s
 * above): one row per event, not one per event and interest. Unordered: the
 * writer sorts them (by_name_then_id), which is cheaper than a sort per event
 * in SQLite and gives both databases the same order. NULL on PostgreSQL when
 * the event has none. */
static const char *const SQL_INTERESTS[2] = {
    "(SELECT json_group_array(json_array(i.id, i.name, i.slug)) FROM event_interest_map m JOIN "
    "event_interests i ON i.id = m.interest_id WHERE m.event_id = e.id)",
    "(SELECT json_agg(json_build_array(i.id, i.name, i.slug)) FROM event_interest_map m JOIN "
    "event_interests i ON i.id = m.interest_id WHERE m.event_id = e.id)"};

/* Columns of the statement above, by name. */
enum {
    C_ID,
    C_UUID,
    C_CANONICAL_ID,
    C_TITLE,
    C_SLUG,
    C_SLUG_VERSION,
    C_CANONICAL_URL,
    C_DESCRIPTION,
    C_HOST_ID,
    C_HOST_PHONE,
    C_HOST_EMAIL,
    C_HOST_NAME,
    C_VENUE_ID,
    C_VENUE_UUID,
    C_VENUE_NAME,
    C_VENUE_CITY,
    C_VENUE_TYPE,
    C_VENUE_ADDRESS,
    C_VENUE_TEXT,
    C_START,
    C_END,
    C_MAX_CAPACITY,
    C_GOING,
    C_REQUESTS,
    C_IS_PAID,
    C_PRICE,
    C_CURRENCY,
    C_PLUS_ONE,
    C_GST,
    C_GENDERS,
    C_COVERS,
    C_STATUS,
    C_IS_PUBLIC,
    C_IS_ACTIVE,
    C_CREATED,
    C_UPDATED,
    C_INTERESTS,
    C_HOST_PICTURES,
    C_LATITUDE,
    C_LONGITUDE,
    C_PAYOUT_STATUS
};

#define MAX_PAGE 100

static int bucket_size(int n)
{
    return n <= 1 ? 1 : n <= 20 ? 20 : MAX_PAGE;
}

/* The statement for n ids into buf: "... WHERE e.id IN ($2, ..., $n+1)"
 * ($1 is the caller). */
static void response_sql(db_dialect_t d, int n, char *buf, size_t len)
{
    size_t off = (size_t)snprintf(
        buf, len, SQL_RESPONSE_COLUMNS "FROM events e " SQL_RESPONSE_JOINS "WHERE e.id IN (",
        SQL_INTERESTS[d == DB_DIALECT_PG]);
    for (int i = 2; i <= n + 1 && off < len; i++)
        off += (size_t)snprintf(buf + off, len - off, i == 2 ? "$%d" : ", $%d", i);
    snprintf(buf + off, len - off, ")");
}

/* The statement texts per dialect and bucket, built once before any thread
 * uses them: unused slots are bound to 0 (no event has id 0), so the
 * statement cache sees three texts per database. */
static char ev_sql[2][3][sizeof SQL_RESPONSE_COLUMNS + 512 + MAX_PAGE * 7];
static pthread_once_t sql_once = PTHREAD_ONCE_INIT;

static void build_sql(void)
{
    static const int sizes[3] = {1, 20, MAX_PAGE};
    for (int d = 0; d < 2; d++)
        for (int i = 0; i < 3; i++)
            response_sql(d ? DB_DIALECT_PG : DB_DIALECT_SQLITE, sizes[i], ev_sql[d][i],
                         sizeof ev_sql[d][i]);
}

/* ---- one event ------------------------------------------------------------ */

static void host(jw_t *w, db_rows_t *r)
{
    jw_key(w, "host");
    jw_obj(w);
    jw_col_int(w, "id", r, C_HOST_ID);
    jw_col_text(w, "username", r, C_HOST_PHONE);
    jw_col_text(w, "email", r, C_HOST_EMAIL);
    jw_col_text(w, "name", r, C_HOST_NAME);
    /* what the mobile app parses besides API.md's (docs/client-compatibility.md) */
    jw_col_int(w, "user_id", r, C_HOST_ID);
    json_t *picture = text_json_first_string(db_col_text(r, C_HOST_PICTURES));
    jw_key(w, "profile_image");
    jw_json(w, picture);
    json_decref(picture);
    jw_obj_end(w);
}

static void venue(jw_t *w, db_rows_t *r)
{
    jw_key(w, "venue");
    if (db_col_isnull(r, C_VENUE_ID)) {
        jw_null(w);
        return;
    }
    jw_obj(w);
    jw_col_int(w, "id", r, C_VENUE_ID);
    jw_col_text(w, "uuid", r, C_VENUE_UUID);
    jw_col_text(w, "name", r, C_VENUE_NAME);
    jw_col_text(w, "city", r, C_VENUE_CITY);
    jw_col_text(w, "venue_type", r, C_VENUE_TYPE);
    jw_col_text(w, "address", r, C_VENUE_ADDRESS);
    jw_obj_end(w);
}

/* The app's location object (API.md 5; APP.md): from the linked venue, else
 * from venue_text without coordinates, else null. */
static void location(jw_t *w, db_rows_t *r)
{
    const char *place = db_col_text(r, C_VENUE_TEXT);
    jw_key(w, "location");
    if (!db_col_isnull(r, C_VENUE_ID)) {
        jw_obj(w);
        jw_col_text(w, "venue_name", r, C_VENUE_NAME);
        jw_col_text(w, "name", r, C_VENUE_NAME);
        jw_col_text(w, "address", r, C_VENUE_ADDRESS);
        jw_col_text(w, "city", r, C_VENUE_CITY);
        jw_col_real(w, "latitude", r, C_LATITUDE);
        jw_col_real(w, "longitude", r, C_LONGITUDE);
        jw_obj_end(w);
    } else if (place && *place) {
        jw_obj(w);
        static const char *const keys[] = {"venue_name", "name",     "address",
                                           "city",       "latitude", "longitude"};
        for (int i = 0; i < 6; i++) {
            jw_key(w, keys[i]);
            if (i < 2)
                jw_str(w, place);
            else if (i == 2)
                jw_str(w, "");
            else
                jw_null(w);
        }
        jw_obj_end(w);
    } else {
        jw_null(w);
    }
}

/* The event's fields up to event_interests (object left open). */
static void head(jw_t *w, db_rows_t *r)
{
    char price[32];
    int64_t minor = db_col_int(r, C_PRICE);
    jw_obj(w);
    jw_col_int(w, "id", r, C_ID);
    jw_col_text(w, "uuid", r, C_UUID);
    jw_col_text(w, "canonical_id", r, C_CANONICAL_ID);
    jw_col_text(w, "title", r, C_TITLE);
    jw_col_text(w, "slug", r, C_SLUG);
    jw_col_int(w, "slug_version", r, C_SLUG_VERSION);
    jw_col_text(w, "canonical_url", r, C_CANONICAL_URL);
    jw_col_text(w, "description", r, C_DESCRIPTION);
    host(w, r);
    venue(w, r);
    jw_col_text(w, "venue_text", r, C_VENUE_TEXT);
    jw_col_time(w, "start_time", r, C_START);
    jw_col_time(w, "end_time", r, C_END);
    jw_col_int(w, "max_capacity", r, C_MAX_CAPACITY);
    jw_col_int(w, "going_count", r, C_GOING);
    jw_col_int(w, "requests_count", r, C_REQUESTS);
    jw_col_bool(w, "is_paid", r, C_IS_PAID);
    snprintf(price, sizeof price, "%lld.%02lld", (long long)(minor / 100),
             (long long)(minor % 100)); /* as event_price_string */
    jw_key(w, "ticket_price");
    jw_str(w, price);
    jw_col_text(w, "currency", r, C_CURRENCY);
    jw_col_bool(w, "allow_plus_one", r, C_PLUS_ONE);
    jw_col_text(w, "gst_number", r, C_GST);
    jw_col_text(w, "allowed_genders", r, C_GENDERS);
    jw_col_array(w, "cover_images", r, C_COVERS);
    jw_col_text(w, "status", r, C_STATUS);
    jw_col_bool(w, "is_public", r, C_IS_PUBLIC);
    jw_col_bool(w, "is_active", r, C_IS_ACTIVE);
    jw_col_time(w, "created_at", r, C_CREATED);
    jw_col_time(w, "updated_at", r, C_UPDATED);
}

/* Orders interests by name, then id: the same on both databases (no
 * collation involved), as the API promises. */
static int by_name_then_id(const void *a, const void *b)
{
    const agg_value_t *x = a, *y = b;
    size_t n = x[1].len < y[1].len ? x[1].len : y[1].len;
    int c = memcmp(x[1].s, y[1].s, n);
    if (c == 0 && x[1].len != y[1].len)
        c = x[1].len < y[1].len ? -1 : 1;
    return c ? c : (x[0].i > y[0].i) - (x[0].i < y[0].i);
}

#define MAX_INTERESTS 64

/* The [[id, name, slug], ...] text of C_INTERESTS as event_interests. */
static void interests(jw_t *w, db_rows_t *r)
{
    const char *text = db_col_text(r, C_INTERESTS);
    agg_value_t v[MAX_INTERESTS * 3];
    json_t *doc = NULL;
    int n = agg_scan(text, 3, v, MAX_INTERESTS);
    if (n < 0)
        n = agg_load(text, 3, v, MAX_INTERESTS, &doc);
    if (n > 1)
        qsort(v, (size_t)n, 3 * sizeof v[0], by_name_then_id);
    jw_key(w, "event_interests");
    jw_arr(w);
    for (int i = 0; i < n; i++) {
        const agg_value_t *it = &v[i * 3];
        if (it[0].is_str || !it[1].is_str || !it[2].is_str)
            continue; /* not [id, name, slug]: cannot come from the statement */
        jw_obj(w);
        jw_key(w, "id");
        jw_int(w, it[0].i);
        jw_key(w, "name");
        jw_strn(w, it[1].s, it[1].len);
        jw_key(w, "slug");
        jw_strn(w, it[2].s, it[2].len);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    json_decref(doc);
}

/* One event, from its row. */
static void event(jw_t *w, db_rows_t *r)
{
    head(w, r);
    interests(w, r);
    location(w, r);
    jw_key(w, "payout_status"); /* the caller's own events only (the CASE) */
    jw_str(w, db_col_text(r, C_PAYOUT_STATUS));
    jw_obj_end(w);
}

static void brief(db_rows_t *r, event_brief_t *b)
{
    b->id = db_col_int(r, C_ID);
    b->host_id = db_col_int(r, C_HOST_ID);
    b->updated_at = db_col_time(r, C_UPDATED);
    b->is_active = db_col_bool(r, C_IS_ACTIVE);
    b->is_public = db_col_bool(r, C_IS_PUBLIC);
    snprintf(b->status, sizeof b->status, "%s", db_col_text(r, C_STATUS));
}

/* ---- a page --------------------------------------------------------------- */

typedef struct {
    event_brief_t b;
    size_t start, len; /* the event's bytes in the scratch buffer */
} segment_t;

/* Every event of the query into scratch, one segment each; *n_out found. */
static int write_segments(db_rows_t *rows, strbuf_t *scratch, segment_t *seg, int max, int *n_out)
{
    int n = 0;
    while (n < max && db_next(rows)) {
        segment_t *s = &seg[n++];
        brief(rows, &s->b);
        s->start = scratch->len;
        jw_t w;
        jw_init(&w, scratch);
        event(&w, rows);
        s->len = scratch->len - s->start;
    }
    *n_out = n;
    return db_rows_status(rows);
}

int event_write_list(db_conn_t *c, int64_t viewer, const int64_t *ids, int n, strbuf_t *out,
                     event_brief_t *briefs, int *found)
{
    pthread_once(&sql_once, build_sql);
    *found = 0;
    if (n > MAX_PAGE)
        n = MAX_PAGE;
    int bucket = bucket_size(n), bi = bucket == 1 ? 0 : bucket == 20 ? 1 : 2;
    int di = db_dialect(c) == DB_DIALECT_PG;
    db_param_t p[MAX_PAGE + 1];
    p[0] = db_int(viewer);
    for (int i = 0; i < bucket; i++)
        p[i + 1] = db_int(i < n ? ids[i] : 0);
    db_rows_t *rows;
    int rc = n > 0 ? db_query(c, ev_sql[di][bi], p, bucket + 1, &rows) : DB_OK;
    if (rc != DB_OK)
        return rc;
    strbuf_t scratch;
    sb_init(&scratch);
    segment_t seg[MAX_PAGE];
    int got = 0;
    if (n > 0) {
        rc = write_segments(rows, &scratch, seg, MAX_PAGE, &got);
        db_rows_free(rows);
    }
    sb_putc(out, '[');
    for (int i = 0; rc == DB_OK && i < n; i++) /* the caller's order */
        for (int k = 0; k < got; k++)
            if (seg[k].b.id == ids[i]) {
                if (*found > 0)
                    sb_putc(out, ',');
                sb_append(out, scratch.data + seg[k].start, seg[k].len);
                if (briefs)
                    briefs[*found] = seg[k].b;
                ++*found;
                break;
            }
    sb_putc(out, ']');
    sb_free(&scratch);
    return rc;
}

json_t *event_json_list(db_conn_t *c, int64_t viewer, const int64_t *ids, int n)
{
    strbuf_t sb;
    sb_init(&sb);
    int found = 0;
    int rc = event_write_list(c, viewer, ids, n, &sb, NULL, &found);
    json_t *list = rc == DB_OK ? json_loadb(sb.data, sb.len, 0, NULL) : NULL;
    sb_free(&sb);
    return list;
}

json_t *event_json_by_id(db_conn_t *c, int64_t viewer, int64_t id)
{
    json_t *list = event_json_list(c, viewer, &id, 1);
    json_t *o = list && json_array_size(list) == 1 ? json_incref(json_array_get(list, 0)) : NULL;
    json_decref(list);
    return o;
}
