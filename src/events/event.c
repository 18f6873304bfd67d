/*
 * event.c: the event model shared by the event routes: loading the columns
 * handlers decide on, building EventResponse objects (one query for a page
 * of events and one for their interests), visibility, and the Loopin error
 * shape of API.md 2.3 that the event routes answer with.
 */
#include "events/event.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/text.h"

// clang-format off
#define SQL_EVENT_COLUMNS                                                                          \
    "SELECT id, uuid, canonical_id, slug, slug_version, slug_is_manual, canonical_url, title, "    \
    "description, host_id, venue_id, venue_text, country_code, city_slug, start_time, end_time, "  \
    "max_capacity, " EVENT_SQL_SEATS_TAKEN("events") ", requests_count, is_paid, "                \
    "ticket_price_minor, currency, status, is_public, is_active, cover_images, allow_plus_one, "   \
    "gst_number, allowed_genders, updated_at, " EVENT_SQL_SEATS_HELD("events") " FROM events "
// clang-format on

static void copy(char *dst, size_t n, const char *s)
{
    snprintf(dst, n, "%s", s ? s : "");
}

static void read_event(db_rows_t *r, arena_t *a, event_t *e)
{
    memset(e, 0, sizeof *e);
    e->id = db_col_int(r, 0);
    copy(e->uuid, sizeof e->uuid, db_col_text(r, 1));
    copy(e->canonical_id, sizeof e->canonical_id, db_col_text(r, 2));
    copy(e->slug, sizeof e->slug, db_col_text(r, 3));
    e->slug_version = (int)db_col_int(r, 4);
    e->slug_is_manual = db_col_bool(r, 5);
    e->canonical_url = arena_strdup(a, db_col_text(r, 6));
    e->title = arena_strdup(a, db_col_text(r, 7));
    e->description = arena_strdup(a, db_col_text(r, 8));
    e->host_id = db_col_int(r, 9);
    e->venue_id = db_col_int(r, 10);
    e->venue_text = arena_strdup(a, db_col_text(r, 11));
    copy(e->country_code, sizeof e->country_code, db_col_text(r, 12));
    copy(e->city_slug, sizeof e->city_slug, db_col_text(r, 13));
    e->start_time = db_col_time(r, 14);
    e->end_time = db_col_time(r, 15);
    e->max_capacity = (int)db_col_int(r, 16);
    e->going_count = (int)db_col_int(r, 17);
    e->requests_count = (int)db_col_int(r, 18);
    e->is_paid = db_col_bool(r, 19);
    e->ticket_price_minor = db_col_int(r, 20);
    copy(e->currency, sizeof e->currency, db_col_text(r, 21));
    copy(e->status, sizeof e->status, db_col_text(r, 22));
    e->is_public = db_col_bool(r, 23);
    e->is_active = db_col_bool(r, 24);
    e->cover_images = arena_strdup(a, db_col_text(r, 25));
    e->allow_plus_one = db_col_bool(r, 26);
    e->gst_number = arena_strdup(a, db_col_text(r, 27));
    copy(e->allowed_genders, sizeof e->allowed_genders, db_col_text(r, 28));
    e->updated_at = db_col_time(r, 29);
    e->seats_held = (int)db_col_int(r, 30);
}

static int load_where(db_conn_t *c, arena_t *a, const char *sql, db_param_t key, event_t *e,
                      bool *found)
{
    db_rows_t *rows;
    int rc = db_query(c, sql, &key, 1, &rows);
    if (rc != DB_OK)
        return rc;
    *found = db_next(rows);
    if (*found)
        read_event(rows, a, e);
    rc = db_rows_status(rows);
    db_rows_free(rows);
    return rc;
}

int event_load(db_conn_t *c, arena_t *a, int64_t id, event_t *e, bool *found)
{
    return load_where(c, a, SQL_EVENT_COLUMNS "WHERE id = $1", db_int(id), e, found);
}

int event_load_for_update(db_conn_t *c, arena_t *a, int64_t id, event_t *e, bool *found)
{
    return load_where(c, a, SQL_EVENT_COLUMNS "WHERE id = $1 @FOR_UPDATE", db_int(id), e, found);
}

void event_etag(int64_t id, int64_t updated_at, char out[64])
{
    snprintf(out, 64, "\"e%lld.%lld\"", (long long)id, (long long)updated_at);
}

int event_load_canonical(db_conn_t *c, arena_t *a, const char *canonical_id, event_t *e,
                         bool *found)
{
    return load_where(c, a, SQL_EVENT_COLUMNS "WHERE canonical_id = $1", db_text(canonical_id), e,
                      found);
}

bool event_can_manage(const event_t *e, const actor_t *u)
{
    return u->id != 0 && (u->id == e->host_id || u->is_staff || u->is_superuser);
}

/* ---- visibility (docs/events.md "Visibility") -------------------------------
 * One rule, written twice side by side: in C for a loaded event and in SQL
 * (event.h EVENT_SQL_LISTED_FMT) for the listing. Everyone sees active,
 * public events whatever their status (API.md 5: status is a label and a
 * filter; the mobile app creates every event as a draft); a private event is
 * its host's (and staff's); deleted events are nobody's. */

bool event_is_publicly_visible(const event_t *e)
{
    return e->is_active && e->is_public;
}

err_t *event_not_found(op_t *op, int64_t id)
{
    return op_fail(op, 404, "EVENT_NOT_FOUND", "Event %lld not found.", (long long)id);
}

err_t *event_require_manager(op_t *op, int64_t id, const char *code, const char *message)
{
    event_t *e = arena_alloc(op->arena, sizeof *e);
    bool found = false;
    int rc = event_load(op->db, op->arena, id, e, &found);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (!found || !e->is_active)
        return event_not_found(op, id);
    if (!event_can_manage(e, &op->actor))
        return op_fail(op, 403, code, "%s", message);
    op->event = e; /* the handler's, read once */
    return NULL;
}

err_t *event_check_visible(op_t *op, const event_t *e)
{
    if (event_can_manage(e, &op->actor))
        return NULL;
    if (!e->is_active)
        return event_not_found(op, e->id);
    if (!e->is_public)
        return op_fail(op, 403, "PERMISSION_DENIED",
                       "This is a private event. You don't have permission to view it.");
    return NULL;
}

const char *event_price_string(arena_t *a, int64_t minor)
{
    return arena_printf(a, "%lld.%02lld", (long long)(minor / 100), (long long)(minor % 100));
}

/* ---- EventResponse ----------------------------------------------------- */

/* One statement returns whole EventResponse rows: one row per event and
 * interest (LEFT JOIN), folded into objects here, so a page costs one round
 * trip and no JSON work in the database. */
#define SQL_RESPONSE_COLUMNS                                                                       \
    "SELECT e.id, e.uuid, e.canonical_id, e.title, e.slug, e.slug_version, e.canonical_url, "      \
    "e.description, e.host_id, u.phone, u.email, p.name, e.venue_id, v.uuid, v.name, v.city, "     \
    "v.venue_type, v.address, e.venue_text, e.start_time, e.end_time, "                            \
    "e.max_capacity, " EVENT_SQL_SEATS_TAKEN(                                                      \
        "e") ", e.requests_count, e.is_paid, e.ticket_price_minor, e.currency, "                   \
             "e.allow_plus_one, e.gst_number, e.allowed_genders, e.cover_images, e.status, "       \
             "e.is_public, "                                                                       \
             "e.is_active, e.created_at, e.updated_at, i.id, i.name, i.slug, p.profile_pictures, " \
             "v.latitude, v.longitude "
#define SQL_RESPONSE_JOINS                                                                         \
    "JOIN users u ON u.id = e.host_id LEFT JOIN user_profiles p ON p.user_id = e.host_id "         \
    "LEFT JOIN venues v ON v.id = e.venue_id LEFT JOIN event_interest_map m ON m.event_id = "      \
    "e.id LEFT JOIN event_interests i ON i.id = m.interest_id "

static const char SQL_RESPONSE_HEAD[] =
    SQL_RESPONSE_COLUMNS "FROM events e " SQL_RESPONSE_JOINS "WHERE e.id IN (";

#define MAX_PAGE 100

static int bucket_size(int n)
{
    return n <= 1 ? 1 : n <= 20 ? 20 : MAX_PAGE;
}

/* "<head>$1, $2, ... $n) ORDER BY ..." into buf. */
static void in_list_sql(const char *head, int n, char *buf, size_t len)
{
    size_t off = (size_t)snprintf(buf, len, "%s", head);
    for (int i = 1; i <= n && off < len; i++)
        off += (size_t)snprintf(buf + off, len - off, i == 1 ? "$%d" : ", $%d", i);
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

static json_t *time_json(db_rows_t *r, int col)
{
    char buf[32];
    if (db_col_isnull(r, col))
        return json_null();
    clock_format_iso(db_col_time(r, col), buf);
    return json_string(buf);
}

static json_t *text_json(db_rows_t *r, int col)
{
    return db_col_isnull(r, col) ? json_null() : json_string(db_col_text(r, col));
}

static json_t *venue_json(db_rows_t *r)
{
    if (db_col_isnull(r, 12))
        return json_null();
    return json_pack("{s:I, s:o, s:o, s:o, s:o, s:o}", "id", (json_int_t)db_col_int(r, 12), "uuid",
                     text_json(r, 13), "name", text_json(r, 14), "city", text_json(r, 15),
                     "venue_type", text_json(r, 16), "address", text_json(r, 17));
}

static json_t *coord_json(db_rows_t *r, int col)
{
    return db_col_isnull(r, col) ? json_null() : json_real(db_col_real(r, col));
}

/* The app's location object (API.md 5; APP.md): from the linked venue, else
 * from venue_text without coordinates, else null. */
static json_t *location_json(db_rows_t *r)
{
    if (!db_col_isnull(r, 12))
        return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "venue_name", text_json(r, 14), "name",
                         text_json(r, 14), "address", text_json(r, 17), "city", text_json(r, 15),
                         "latitude", coord_json(r, 40), "longitude", coord_json(r, 41));
    const char *text = db_col_text(r, 18);
    if (!text || !*text)
        return json_null();
    return json_pack("{s:s, s:s, s:s, s:n, s:n, s:n}", "venue_name", text, "name", text, "address",
                     "", "city", "latitude", "longitude");
}

/* The host's first profile picture, or null. */
static json_t *profile_image(db_rows_t *r)
{
    return text_json_first_string(db_col_text(r, 39));
}

static json_t *row_json(db_rows_t *r)
{
    arena_t a;
    arena_init(&a);
    json_t *covers = json_loads(db_col_text(r, 30) ? db_col_text(r, 30) : "[]", 0, NULL);
    json_t *o = json_pack(
        "{s:I, s:o, s:o, s:o, s:o, s:I, s:o, s:o, s:{s:I, s:o, s:o, s:o}, s:o, s:o, s:o, s:o, "
        "s:I, s:I, s:I, s:b, s:s, s:o, s:b, s:o, s:o, s:o, s:o, s:b, s:b, s:o, s:o, s:o}",
        "id", (json_int_t)db_col_int(r, 0), "uuid", text_json(r, 1), "canonical_id",
        text_json(r, 2), "title", text_json(r, 3), "slug", text_json(r, 4), "slug_version",
        (json_int_t)db_col_int(r, 5), "canonical_url", text_json(r, 6), "description",
        text_json(r, 7), "host", "id", (json_int_t)db_col_int(r, 8), "username", text_json(r, 9),
        "email", text_json(r, 10), "name", text_json(r, 11), "venue", venue_json(r), "venue_text",
        text_json(r, 18), "start_time", time_json(r, 19), "end_time", time_json(r, 20),
        "max_capacity", (json_int_t)db_col_int(r, 21), "going_count", (json_int_t)db_col_int(r, 22),
        "requests_count", (json_int_t)db_col_int(r, 23), "is_paid", db_col_bool(r, 24),
        "ticket_price", event_price_string(&a, db_col_int(r, 25)), "currency", text_json(r, 26),
        "allow_plus_one", db_col_bool(r, 27), "gst_number", text_json(r, 28), "allowed_genders",
        text_json(r, 29), "cover_images", covers ? covers : json_array(), "status",
        text_json(r, 31), "is_public", db_col_bool(r, 32), "is_active", db_col_bool(r, 33),
        "created_at", time_json(r, 34), "updated_at", time_json(r, 35), "event_interests",
        json_array());
    arena_free(&a);
    /* what the mobile app parses besides API.md's fields (docs/client-compatibility.md) */
    json_t *host = json_object_get(o, "host");
    json_object_set_new(host, "user_id", json_integer(db_col_int(r, 8)));
    json_object_set_new(host, "profile_image", profile_image(r));
    json_object_set_new(o, "location", location_json(r));
    json_object_set_new(o, "payout_status", json_null()); /* the host's: event_json_payouts */
    return o;
}

/* Binds ids into a fixed-size parameter array padded with 0. */
static void bind_ids(db_param_t *p, int bucket, const int64_t *ids, int n)
{
    for (int i = 0; i < bucket; i++)
        p[i] = db_int(i < n ? ids[i] : 0);
}

static json_t *find_by_id(json_t *list, int64_t id)
{
    size_t i;
    json_t *o;
    json_array_foreach(list, i, o)
    {
        if (json_integer_value(json_object_get(o, "id")) == id)
            return o;
    }
    return NULL;
}

/* Runs a response query: consecutive rows of one event (one per interest)
 * fold into one object. The events in query order, or NULL on error. */
static json_t *run_response_query(db_conn_t *c, const char *sql, const db_param_t *p, int n)
{
    db_rows_t *rows;
    if (db_query(c, sql, p, n, &rows) != DB_OK)
        return NULL;
    json_t *list = json_array(), *cur = NULL;
    int64_t cur_id = 0;
    while (db_next(rows)) {
        if (!cur || db_col_int(rows, 0) != cur_id) {
            cur = row_json(rows);
            cur_id = db_col_int(rows, 0);
            json_array_append_new(list, cur);
        }
        if (!db_col_isnull(rows, 36))
            json_array_append_new(json_object_get(cur, "event_interests"),
                                  json_pack("{s:I, s:s, s:s}", "id",
                                            (json_int_t)db_col_int(rows, 36), "name",
                                            db_col_text(rows, 37), "slug", db_col_text(rows, 38)));
    }
    int rc = db_rows_status(rows);
    db_rows_free(rows);
    if (rc != DB_OK) {
        json_decref(list);
        return NULL;
    }
    return list;
}

json_t *event_json_list(db_conn_t *c, const int64_t *ids, int n)
{
    pthread_once(&sql_once, build_sql);
    if (n <= 0)
        return json_array();
    if (n > MAX_PAGE)
        n = MAX_PAGE;
    int bucket = bucket_size(n), bi = bucket == 1 ? 0 : bucket == 20 ? 1 : 2;
    db_param_t p[MAX_PAGE];
    bind_ids(p, bucket, ids, n);
    json_t *unordered = run_response_query(c, ev_sql[bi], p, bucket);
    json_t *out = unordered ? json_array() : NULL;
    for (int i = 0; out && i < n; i++) {
        json_t *o = find_by_id(unordered, ids[i]);
        if (o)
            json_array_append(out, o);
    }
    json_decref(unordered);
    return out;
}

json_t *event_json_by_id(db_conn_t *c, int64_t id)
{
    json_t *list = event_json_list(c, &id, 1);
    json_t *o = list && json_array_size(list) == 1 ? json_incref(json_array_get(list, 0)) : NULL;
    json_decref(list);
    return o;
}

/* Every payout request of a host, oldest first: the last one per event wins. */
static const char SQL_HOST_PAYOUTS[] =
    "SELECT event_id, status FROM host_payout_requests WHERE host_id = $1 ORDER BY id";

static bool hosts_any(json_t *events, int64_t host_id)
{
    size_t i;
    json_t *o;
    json_array_foreach(events, i, o)
    {
        if (json_integer_value(json_object_get(json_object_get(o, "host"), "id")) == host_id)
            return true;
    }
    return false;
}

int event_json_payouts(op_t *op, json_t *events)
{
    if (!op->actor.id || !hosts_any(events, op->actor.id))
        return DB_OK; /* the common read: nothing to ask */
    db_rows_t *rows;
    int rc = db_query(op->db, SQL_HOST_PAYOUTS, DB_ARGS(db_int(op->actor.id)), &rows);
    if (rc != DB_OK)
        return rc;
    while (db_next(rows)) {
        json_t *o = find_by_id(events, db_col_int(rows, 0));
        if (o)
            json_object_set_new(o, "payout_status", json_string(db_col_text(rows, 1)));
    }
    rc = db_rows_status(rows);
    db_rows_free(rows);
    return rc;
}

bool event_admits_gender(const char *allowed, const char *gender)
{
    return !strcmp(allowed, "all") || !strcmp(allowed, gender) ||
           (!strcmp(allowed, "non_binary") && !strcmp(gender, "other"));
}

int event_seats_free(const event_t *e)
{
    if (e->max_capacity <= 0)
        return INT32_MAX;
    int free = e->max_capacity - e->going_count - e->seats_held;
    return free < 0 ? 0 : free;
}
