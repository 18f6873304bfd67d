/*
 * events_list.c: GET /api/events, the hot listing. Filters become a WHERE
 * clause built in a fixed order (so each combination is one cached prepared
 * statement), visibility depends on the caller, and the total and the page's
 * ids are cached per process under the listing version that the database
 * bumps on every relevant change (listing_cache.c), so a repeated page costs
 * one statement: its rows.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "core/clock.h"
#include "core/strbuf.h"
#include "events/event.h"
#include "events/events.h"
#include "http/route.h"

#define MAX_PARAMS 16

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

/* ---- filters: the query's fields, declared, then turned into clauses ---- */

static const char *const STATUSES[] = {"draft",     "published", "cancelled",
                                       "completed", "postponed", NULL};
static const char *const GENDERS[] = {"all", "male", "female", "non_binary", NULL};

/* At most 8 words of at most 64 characters (the engines' limits are equal). */
static const char *search_check(arena_t *a, json_t *v, json_t **out, const char **type)
{
    (void)out;
    (void)type;
    char *text = arena_alloc(a, 1024);
    return db_fts_query(DB_DIALECT_SQLITE, json_string_value(v), text, 1024) < 0
               ? "at most 8 words of at most 64 characters each"
               : NULL;
}

const field_t events_list_fields[] = {
    {"host_id", FT_INT, 0, .in = FIELD_QUERY},
    {"venue_id", FT_INT, 0, .in = FIELD_QUERY},
    {"event_interest_id", FT_INT, 0, .in = FIELD_QUERY},
    {"status", FT_STRING, 0, .in = FIELD_QUERY, .choices = STATUSES},
    {"is_public", FT_BOOL, 0, .in = FIELD_QUERY},
    {"is_paid", FT_BOOL, 0, .in = FIELD_QUERY},
    {"allowed_genders", FT_STRING, 0, .in = FIELD_QUERY, .choices = GENDERS},
    {"start_date", FT_STRING, 0, .in = FIELD_QUERY, .check = field_check_datetime},
    {"end_date", FT_STRING, 0, .in = FIELD_QUERY, .check = field_check_datetime},
    {"search", FT_STRING, 0, .in = FIELD_QUERY, .max_len = 200, .check = search_check},
    {"offset", FT_INT, 0, .in = FIELD_QUERY, .min = 0, .max = INT32_MAX},
    {"limit", FT_INT, 0, .in = FIELD_QUERY, .min = 1, .max = 100},
    FIELDS_END,
};

/* `pre` $n `post` for a present integer or time filter. */
static void filter_int(const input_t *in, query_t *q, const char *name, const char *pre,
                       const char *post, bool is_time)
{
    if (!in_json(in, name))
        return;
    int64_t n = in_int(in, name, 0);
    sb_printf(&q->where, "%s$%d%s", pre, add_param(q, is_time ? db_time(n) : db_int(n)), post);
    sb_printf(&q->key, "|%s=%lld", name, (long long)n);
}

static void filter_bool(const input_t *in, query_t *q, const char *name, const char *column)
{
    if (!in_json(in, name))
        return;
    bool b = in_bool(in, name, false);
    sb_printf(&q->where, " AND %s = $%d", column, add_param(q, db_bool(b)));
    sb_printf(&q->key, "|%s=%d", name, b);
}

static void filter_text(const input_t *in, query_t *q, const char *name, const char *column)
{
    const char *v = in_str(in, name);
    if (!v)
        return;
    sb_printf(&q->where, " AND %s = $%d", column, add_param(q, db_text(v)));
    sb_printf(&q->key, "|%s=%s", name, v);
}

/* Who sees what: event.h's listing rule, and the host's and staff's own. */
static void add_visibility(query_t *q, const actor_t *u)
{
    int t = add_param(q, db_bool(true));
    if (u->id && (u->is_staff || u->is_superuser)) {
        sb_printf(&q->where, " AND e.is_active = $%d", t);
        sb_puts(&q->key, "|staff");
        return;
    }
    sb_puts(&q->where, " AND ((");
    sb_printf(&q->where, EVENT_SQL_LISTED_FMT, t, t);
    sb_putc(&q->where, ')');
    if (u->id) {
        sb_printf(&q->where, " OR (e.is_active = $%d AND e.host_id = $%d)", t,
                  add_param(q, db_int(u->id)));
        sb_printf(&q->key, "|user=%lld", (long long)u->id);
    }
    sb_putc(&q->where, ')');
}

/* Search: returns false when the text has no words (nothing can match). */
static bool add_search(op_t *op, const input_t *in, query_t *q)
{
    const char *v = in_str(in, "search");
    if (!v)
        return true;
    db_dialect_t d = db_dialect(op->db);
    char *text = arena_alloc(op->arena, 1024);
    if (db_fts_query(d, v, text, 1024) <= 0)
        return false;
    char pred[512];
    db_fts_events_predicate(d, add_param(q, db_text(text)), pred, sizeof pred);
    sb_printf(&q->where, " AND %s", pred);
    sb_printf(&q->key, "|search=%s", text);
    return true;
}

/* ---- the handler ------------------------------------------------------ */

static int count_total(op_t *op, query_t *q, int64_t version, int64_t *total)
{
    if (listing_total_get(op->app->events_cache, q->key.data, version, total))
        return DB_OK;
    bool found = false;
    char *sql =
        arena_printf(op->arena, "SELECT count(*) FROM events e WHERE 1 = 1%s", q->where.data);
    int rc = db_query_int(op->db, sql, q->params, q->n, total, &found);
    if (rc == DB_OK)
        listing_total_put(op->app->events_cache, q->key.data, version, *total);
    return rc;
}

/* The page's ids (cached under the version, else read), then the
 * EventResponse rows for exactly those ids. Two statements rather than one
 * join with LIMIT $n: PostgreSQL's generic plan for a parameterised LIMIT
 * under a join guesses hundreds of rows and picks hash joins over whole
 * tables, while an IN list of 20 ids is planned exactly. */
static int page_ids(op_t *op, query_t *q, int64_t version, int64_t offset, int64_t limit,
                    int64_t ids[100], int *n)
{
    char *key = arena_printf(op->arena, "%s|o=%lld|l=%lld", q->key.data, (long long)offset,
                             (long long)limit);
    if (listing_page_get(op->app->events_cache, key, version, ids, n))
        return DB_OK;
    int pl = add_param(q, db_int(limit)), po = add_param(q, db_int(offset));
    char *sql = arena_printf(op->arena,
                             "SELECT e.id FROM events e WHERE 1 = 1%s ORDER BY e.start_time DESC, "
                             "e.id DESC LIMIT $%d OFFSET $%d",
                             q->where.data, pl, po);
    db_rows_t *rows;
    int rc = db_query(op->db, sql, q->params, q->n, &rows);
    if (rc != DB_OK)
        return rc;
    *n = 0;
    while (db_next(rows) && *n < 100)
        ids[(*n)++] = db_col_int(rows, 0);
    rc = db_rows_status(rows);
    db_rows_free(rows);
    if (rc == DB_OK)
        listing_page_put(op->app->events_cache, key, version, ids, *n);
    return rc;
}

/* The page's events, written into out; DB status. */
static int page_rows(op_t *op, query_t *q, int64_t version, int64_t offset, int64_t limit,
                     strbuf_t *out)
{
    int64_t ids[100];
    int n = 0, found = 0;
    int rc = page_ids(op, q, version, offset, limit, ids, &n);
    return rc == DB_OK ? event_write_list(op->db, op->actor.id, ids, n, out, NULL, &found) : rc;
}

/* The WHERE clause from the checked query; false when the search can match
 * nothing. */
static bool build_query(op_t *op, const input_t *in, query_t *q)
{
    sb_puts(&q->key, "events");
    add_visibility(q, &op->actor);
    filter_int(in, q, "host_id", " AND e.host_id = ", "", false);
    filter_int(in, q, "venue_id", " AND e.venue_id = ", "", false);
    filter_int(in, q, "event_interest_id",
               " AND e.id IN (SELECT m.event_id FROM event_interest_map m WHERE m.interest_id = ",
               ")", false);
    filter_text(in, q, "status", "e.status");
    filter_bool(in, q, "is_public", "e.is_public");
    filter_bool(in, q, "is_paid", "e.is_paid");
    filter_text(in, q, "allowed_genders", "e.allowed_genders");
    filter_int(in, q, "start_date", " AND e.start_time >= ", "", true);
    filter_int(in, q, "end_date", " AND e.end_time <= ", "", true);
    return add_search(op, in, q);
}

err_t *events_list(http_req_t *req, op_t *op, const input_t *in)
{
    query_t q = {0};
    sb_init(&q.where);
    sb_init(&q.key);
    sb_puts(&q.where, "");
    int64_t offset = in_int(in, "offset", 0), limit = in_int(in, "limit", 20), total = 0;
    strbuf_t body;
    sb_init(&body);
    int64_t version = 0;
    int rc = DB_OK;
    bool any = build_query(op, in, &q) &&
               (rc = listing_version(op->app->events_cache, op->db, &version)) == DB_OK &&
               (rc = count_total(op, &q, version, &total)) == DB_OK && total > offset;
    sb_printf(&body, "{\"total\":%lld,\"offset\":%lld,\"limit\":%lld,\"data\":", (long long)total,
              (long long)offset, (long long)limit);
    if (any)
        rc = page_rows(op, &q, version, offset, limit, &body);
    else if (rc == DB_OK)
        sb_puts(&body, "[]");
    sb_free(&q.where);
    sb_free(&q.key);
    if (rc != DB_OK) {
        sb_free(&body);
        return op_db_fail(op, rc);
    }
    sb_putc(&body, '}');
    http_reply_json_buf(req, 200, &body);
    return NULL;
}
