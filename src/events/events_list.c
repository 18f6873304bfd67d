/*
 * events_list.c: GET /api/events, the hot listing. Filters become a WHERE
 * clause built in a fixed order (so each combination is one cached prepared
 * statement), visibility depends on the caller, and the total is cached per
 * process, tagged with the listing version that the database bumps on every
 * relevant change (migration 0011), so a request costs one primary-key read
 * instead of a count over the table.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "core/clock.h"
#include "core/strbuf.h"
#include "events/event.h"
#include "events/events.h"
#include "http/router.h"

#define MAX_PARAMS  16
#define CACHE_SLOTS 128

typedef struct {
    strbuf_t where; /* " AND ..." clauses */
    strbuf_t key;   /* cache key: the clauses' values */
    db_param_t params[MAX_PARAMS];
    int n;
} query_t;

static int add_param(query_t *q, db_param_t p)
{
    q->params[q->n] = p;
    return ++q->n;
}

/* ---- total cache ------------------------------------------------------ */

typedef struct {
    char key[512];
    int64_t version, total;
} cache_slot_t;

static cache_slot_t cache[CACHE_SLOTS];
static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;

static unsigned hash_key(const char *s)
{
    unsigned h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static bool cache_get(const char *key, int64_t version, int64_t *total)
{
    if (strlen(key) >= sizeof cache[0].key)
        return false;
    cache_slot_t *s = &cache[hash_key(key) % CACHE_SLOTS];
    pthread_mutex_lock(&cache_mu);
    bool hit = s->version == version && strcmp(s->key, key) == 0;
    if (hit)
        *total = s->total;
    pthread_mutex_unlock(&cache_mu);
    return hit;
}

static void cache_put(const char *key, int64_t version, int64_t total)
{
    if (strlen(key) >= sizeof cache[0].key)
        return;
    cache_slot_t *s = &cache[hash_key(key) % CACHE_SLOTS];
    pthread_mutex_lock(&cache_mu);
    snprintf(s->key, sizeof s->key, "%s", key);
    s->version = version;
    s->total = total;
    pthread_mutex_unlock(&cache_mu);
}

/* ---- filters ---------------------------------------------------------- */

static bool parse_bool(const char *v, bool *out)
{
    if (!strcmp(v, "true") || !strcmp(v, "1") || !strcmp(v, "True"))
        *out = true;
    else if (!strcmp(v, "false") || !strcmp(v, "0") || !strcmp(v, "False"))
        *out = false;
    else
        return false;
    return true;
}

static void query_detail(json_t *details, const char *type, const char *field, const char *msg,
                         const char *input)
{
    err_detail_add(details, type, "query", field, msg, json_string(input));
}

/* Integer filters: the clause is `pre` $n `post`. */
static void filter_int(http_req_t *req, query_t *q, json_t *details, const char *name,
                       const char *pre, const char *post)
{
    const char *v = http_query(req, name);
    int64_t n;
    if (!v)
        return;
    if (!router_parse_int(v, &n)) {
        query_detail(details, "int_parsing", name,
                     "Input should be a valid integer, unable to parse string as an integer", v);
        return;
    }
    sb_printf(&q->where, "%s$%d%s", pre, add_param(q, db_int(n)), post);
    sb_printf(&q->key, "|%s=%lld", name, (long long)n);
}

static void filter_bool(http_req_t *req, query_t *q, json_t *details, const char *name,
                        const char *column)
{
    const char *v = http_query(req, name);
    bool b;
    if (!v)
        return;
    if (!parse_bool(v, &b)) {
        query_detail(details, "bool_parsing", name,
                     "Input should be a valid boolean, unable to interpret input", v);
        return;
    }
    sb_printf(&q->where, " AND %s = $%d", column, add_param(q, db_bool(b)));
    sb_printf(&q->key, "|%s=%d", name, b);
}

static void filter_enum(http_req_t *req, query_t *q, json_t *details, const char *name,
                        const char *column, const char *const *allowed, const char *expected)
{
    const char *v = http_query(req, name);
    if (!v)
        return;
    for (int i = 0; allowed[i]; i++)
        if (!strcmp(v, allowed[i])) {
            sb_printf(&q->where, " AND %s = $%d", column, add_param(q, db_text(allowed[i])));
            sb_printf(&q->key, "|%s=%s", name, allowed[i]);
            return;
        }
    char *msg = arena_printf(&req->arena, "Input should be %s", expected);
    query_detail(details, "enum", name, msg, v);
}

static void filter_time(http_req_t *req, query_t *q, json_t *details, const char *name,
                        const char *pre)
{
    const char *v = http_query(req, name);
    int64_t t;
    if (!v)
        return;
    if (!clock_parse_iso(v, &t)) {
        query_detail(details, "datetime_parsing", name, "Input should be a valid datetime or date",
                     v);
        return;
    }
    sb_printf(&q->where, "%s$%d", pre, add_param(q, db_time(t)));
    sb_printf(&q->key, "|%s=%lld", name, (long long)t);
}

static const char *const STATUSES[] = {"draft",     "published", "cancelled",
                                       "completed", "postponed", NULL};
static const char *const GENDERS[] = {"all", "male", "female", "non_binary", NULL};

/* Who sees what (docs/events.md "Visibility"). */
static void add_visibility(query_t *q, const actor_t *u)
{
    int t = add_param(q, db_bool(true));
    if (u->id && (u->is_staff || u->is_superuser)) {
        sb_printf(&q->where, " AND e.is_active = $%d", t);
        sb_puts(&q->key, "|staff");
        return;
    }
    sb_printf(&q->where,
              " AND e.is_active = $%d AND ((e.is_public = $%d AND e.status IN ('published', "
              "'completed', 'postponed'))",
              t, t);
    if (u->id) {
        sb_printf(&q->where, " OR e.host_id = $%d", add_param(q, db_int(u->id)));
        sb_printf(&q->key, "|user=%lld", (long long)u->id);
    }
    sb_putc(&q->where, ')');
}

/* Search: returns false when the text has no words (nothing can match). */
static bool add_search(http_req_t *req, query_t *q, json_t *details)
{
    const char *v = http_query(req, "search");
    if (!v)
        return true;
    size_t chars = 0;
    for (const char *c = v; *c; c++)
        chars += ((unsigned char)*c & 0xc0) != 0x80;
    if (chars > 200) {
        query_detail(details, "string_too_long", "search",
                     "String should have at most 200 characters", v);
        return true;
    }
    db_dialect_t d = db_dialect(req->db);
    char *text = arena_alloc(&req->arena, 1024);
    int words = db_fts_query(d, v, text, 1024);
    if (words < 0) {
        query_detail(details, "value_error", "search",
                     "Value error, at most 8 words of at most 64 characters each", v);
        return true;
    }
    if (words == 0)
        return false;
    char pred[512];
    db_fts_events_predicate(d, add_param(q, db_text(text)), pred, sizeof pred);
    sb_printf(&q->where, " AND %s", pred);
    sb_printf(&q->key, "|search=%s", text);
    return true;
}

static int parse_page(http_req_t *req, json_t *details, int64_t *offset, int64_t *limit)
{
    const char *o = http_query(req, "offset"), *l = http_query(req, "limit");
    *offset = 0;
    *limit = 20;
    if (o && (!router_parse_int(o, offset) || *offset < 0))
        query_detail(details, "greater_than_equal", "offset",
                     "Input should be an integer greater than or equal to 0", o);
    if (l && (!router_parse_int(l, limit) || *limit < 1 || *limit > 100))
        query_detail(details, "less_than_equal", "limit",
                     "Input should be an integer from 1 to 100", l);
    return 0;
}

/* ---- the handler ------------------------------------------------------ */

static int count_total(http_req_t *req, query_t *q, int64_t *total)
{
    int64_t version = 0;
    bool found = false;
    int rc = db_query_int(req->db, "SELECT version FROM listing_versions WHERE name = 'events'",
                          DB_NOARGS, &version, &found);
    if (rc != DB_OK)
        return rc;
    if (cache_get(q->key.data, version, total))
        return DB_OK;
    char *sql =
        arena_printf(&req->arena, "SELECT count(*) FROM events e WHERE 1 = 1%s", q->where.data);
    rc = db_query_int(req->db, sql, q->params, q->n, total, &found);
    if (rc == DB_OK)
        cache_put(q->key.data, version, *total);
    return rc;
}

/* The page: its ids first, then the EventResponse rows for exactly those
 * ids. Two statements rather than one join with LIMIT $n: PostgreSQL's
 * generic plan for a parameterised LIMIT under a join guesses hundreds of
 * rows and picks hash joins over whole tables, while an IN list of 20 ids is
 * planned exactly. */
static json_t *page_rows(http_req_t *req, query_t *q, int64_t offset, int64_t limit)
{
    int pl = add_param(q, db_int(limit)), po = add_param(q, db_int(offset));
    char *sql = arena_printf(&req->arena,
                             "SELECT e.id FROM events e WHERE 1 = 1%s ORDER BY e.start_time DESC, "
                             "e.id DESC LIMIT $%d OFFSET $%d",
                             q->where.data, pl, po);
    db_rows_t *rows;
    if (db_query(req->db, sql, q->params, q->n, &rows) != DB_OK)
        return NULL;
    int64_t ids[100];
    int n = 0;
    while (db_next(rows) && n < 100)
        ids[n++] = db_col_int(rows, 0);
    int rc = db_rows_status(rows);
    db_rows_free(rows);
    return rc == DB_OK ? event_json_list(req->db, ids, n) : NULL;
}

static void reply_page(http_req_t *req, int64_t total, int64_t offset, int64_t limit, json_t *data)
{
    http_reply_json(req, 200,
                    json_pack("{s:I, s:I, s:I, s:o}", "total", (json_int_t)total, "offset",
                              (json_int_t)offset, "limit", (json_int_t)limit, "data", data));
}

/* Builds the WHERE clause from the query string; -1 with the 422 written.
 * *empty is set when the search can match nothing. */
static int build_query(http_req_t *req, const actor_t *u, query_t *q, int64_t *offset,
                       int64_t *limit, bool *empty)
{
    json_t *details = json_array();
    sb_puts(&q->key, "events");
    add_visibility(q, u);
    filter_int(req, q, details, "host_id", " AND e.host_id = ", "");
    filter_int(req, q, details, "venue_id", " AND e.venue_id = ", "");
    filter_int(
        req, q, details, "event_interest_id",
        " AND e.id IN (SELECT m.event_id FROM event_interest_map m WHERE m.interest_id = ", ")");
    filter_enum(req, q, details, "status", "e.status", STATUSES,
                "'draft', 'published', 'cancelled', 'completed' or 'postponed'");
    filter_bool(req, q, details, "is_public", "e.is_public");
    filter_bool(req, q, details, "is_paid", "e.is_paid");
    filter_enum(req, q, details, "allowed_genders", "e.allowed_genders", GENDERS,
                "'all', 'male', 'female' or 'non_binary'");
    filter_time(req, q, details, "start_date", " AND e.start_time >= ");
    filter_time(req, q, details, "end_date", " AND e.end_time <= ");
    *empty = !add_search(req, q, details);
    parse_page(req, details, offset, limit);
    if (json_array_size(details) > 0) {
        http_error_validation(req, details);
        return -1;
    }
    json_decref(details);
    return 0;
}

void events_list(http_req_t *req)
{
    actor_t u;
    if (guard_require(req, GUARD_OPTIONAL, &u) != 0 || !http_db(req))
        return;
    query_t q = {0};
    sb_init(&q.where);
    sb_init(&q.key);
    sb_puts(&q.where, "");
    int64_t offset, limit, total = 0;
    bool empty = false;
    if (build_query(req, &u, &q, &offset, &limit, &empty) == 0) {
        json_t *data = NULL;
        if (empty)
            data = json_array();
        else if (count_total(req, &q, &total) == DB_OK)
            data = total <= offset ? json_array() : page_rows(req, &q, offset, limit);
        if (data)
            reply_page(req, total, offset, limit, data);
        else
            http_db_unavailable(req);
    }
    sb_free(&q.where);
    sb_free(&q.key);
}
