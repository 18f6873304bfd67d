/*
 * event_json.c: EventResponse (API.md 5, docs/events.md), the body of the
 * hottest reads. One statement returns whole rows for a page of events: one
 * row per event and interest (LEFT JOIN), with the seats, the host and, for
 * the caller's own events, the latest payout request's status. The rows are
 * written straight into the response buffer (core/jsonw: the bytes jansson
 * would print, without building a tree per event), each event as a segment,
 * and the segments are then put in the caller's order.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/jsonw.h"
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
    "e.is_active, e.created_at, e.updated_at, i.id, i.name, i.slug, p.profile_pictures, "          \
    "v.latitude, v.longitude, CASE WHEN e.host_id = $1 THEN (SELECT pr.status FROM "               \
    "host_payout_requests pr WHERE pr.event_id = e.id ORDER BY pr.id DESC LIMIT 1) END "
// clang-format on
#define SQL_RESPONSE_JOINS                                                                         \
    "JOIN users u ON u.id = e.host_id LEFT JOIN user_profiles p ON p.user_id = e.host_id "         \
    "LEFT JOIN venues v ON v.id = e.venue_id LEFT JOIN event_interest_map m ON m.event_id = "      \
    "e.id LEFT JOIN event_interests i ON i.id = m.interest_id "

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
    C_INTEREST_ID,
    C_INTEREST_NAME,
    C_INTEREST_SLUG,
    C_HOST_PICTURES,
    C_LATITUDE,
    C_LONGITUDE,
    C_PAYOUT_STATUS
};

static const char SQL_RESPONSE_HEAD[] =
    SQL_RESPONSE_COLUMNS "FROM events e " SQL_RESPONSE_JOINS "WHERE e.id IN (";

#define MAX_PAGE 100

static int bucket_size(int n)
{
    return n <= 1 ? 1 : n <= 20 ? 20 : MAX_PAGE;
}

/* "<head>$2, $3, ... $n+1) ORDER BY ..." into buf ($1 is the caller). */
static void in_list_sql(const char *head, int n, char *buf, size_t len)
{
    size_t off = (size_t)snprintf(buf, len, "%s", head);
    for (int i = 2; i <= n + 1 && off < len; i++)
        off += (size_t)snprintf(buf + off, len - off, i == 2 ? "$%d" : ", $%d", i);
    snprintf(buf + off, len - off, ") ORDER BY e.id, i.name, i.id");
}

/* The statement texts per bucket, built once before any thread uses them:
 * unused slots are bound to 0 (no event has id 0), so the statement cache
 * sees three texts. */
static char ev_sql[3][sizeof SQL_RESPONSE_HEAD + MAX_PAGE * 7 + 40];
static pthread_once_t sql_once = PTHREAD_ONCE_INIT;

static void build_sql(void)
{
    static const int sizes[3] = {1, 20, MAX_PAGE};
    for (int i = 0; i < 3; i++)
        in_list_sql(SQL_RESPONSE_HEAD, sizes[i], ev_sql[i], sizeof ev_sql[i]);
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

/* The event's fields up to the opening of event_interests. */
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
    jw_key(w, "event_interests");
    jw_arr(w);
}

/* What follows event_interests; written from the event's first row and
 * appended when its last row has gone by. */
static void tail(strbuf_t *sb, db_rows_t *r)
{
    jw_t w;
    jw_init(&w, sb);
    jw_continue_object(&w);
    location(&w, r);
    jw_key(&w, "payout_status"); /* the caller's own events only (the CASE) */
    jw_str(&w, db_col_text(r, C_PAYOUT_STATUS));
    sb_putc(sb, '}');
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
/* Ends the open event: its interests, then the members written after them. */
static void close_segment(jw_t *w, strbuf_t *scratch, const strbuf_t *end, segment_t *s)
{
    jw_arr_end(w);
    sb_append(scratch, end->data, end->len);
    s->len = scratch->len - s->start;
}

static int write_segments(db_rows_t *rows, strbuf_t *scratch, segment_t *seg, int max, int *n_out)
{
    strbuf_t end;
    sb_init(&end);
    jw_t w;
    int n = 0;
    bool open = false;
    while (db_next(rows)) {
        if (!open || db_col_int(rows, C_ID) != seg[n - 1].b.id) {
            if (open)
                close_segment(&w, scratch, &end, &seg[n - 1]);
            open = false;
            if (n == max) /* more events than ids asked for: cannot happen */
                break;
            segment_t *s = &seg[n++];
            brief(rows, &s->b);
            s->start = scratch->len;
            jw_init(&w, scratch);
            head(&w, rows);
            end.len = 0;
            tail(&end, rows);
            open = true;
        }
        if (!db_col_isnull(rows, C_INTEREST_ID)) {
            jw_obj(&w);
            jw_col_int(&w, "id", rows, C_INTEREST_ID);
            jw_col_text(&w, "name", rows, C_INTEREST_NAME);
            jw_col_text(&w, "slug", rows, C_INTEREST_SLUG);
            jw_obj_end(&w);
        }
    }
    if (open)
        close_segment(&w, scratch, &end, &seg[n - 1]);
    sb_free(&end);
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
    db_param_t p[MAX_PAGE + 1];
    p[0] = db_int(viewer);
    for (int i = 0; i < bucket; i++)
        p[i + 1] = db_int(i < n ? ids[i] : 0);
    db_rows_t *rows;
    int rc = n > 0 ? db_query(c, ev_sql[bi], p, bucket + 1, &rows) : DB_OK;
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
