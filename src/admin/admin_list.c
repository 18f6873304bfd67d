/*
 * admin_list.c: the admin API's lists (admin_list.h). One WHERE clause is
 * built from the declaration, with $n placeholders numbered as the values
 * are bound, and used twice: for the count and for the page (or the CSV).
 */
#include "admin/admin_list.h"

#include <stdio.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/text.h"
#include "http/csv.h"

const char *const admin_sort_orders[] = {"asc", "desc", NULL};
const char *const admin_formats[] = {"json", "csv", NULL};

#define MAX_PARAMS 24

typedef struct {
    strbuf_t where;
    db_param_t p[MAX_PARAMS];
    int n;
} query_t;

/* Appends " AND (cond)" with each '?' of cond as $k, k the value's number. */
static void add_condition(query_t *q, const char *cond, db_param_t value)
{
    q->p[q->n++] = value;
    sb_puts(&q->where, " AND (");
    for (const char *c = cond; *c; c++)
        if (*c == '?')
            sb_printf(&q->where, "$%d", q->n);
        else
            sb_putc(&q->where, *c);
    sb_putc(&q->where, ')');
}

static void build_where(query_t *q, op_t *op, const input_t *in, const admin_list_t *l)
{
    sb_init(&q->where);
    q->n = 0;
    sb_printf(&q->where, " WHERE %s", l->where ? l->where : "1 = 1");
    for (const admin_filter_t *f = l->filters; f && f->param && q->n < MAX_PARAMS - 3; f++) {
        if (!in_has(in, f->param))
            continue;
        db_param_t v = f->kind == AF_BOOL   ? db_bool(in_bool(in, f->param, false))
                       : f->kind == AF_TEXT ? db_text(in_str(in, f->param))
                       : f->kind == AF_TIME ? db_time(in_int(in, f->param, 0))
                                            : db_int(in_int(in, f->param, 0));
        add_condition(q, f->sql, v);
    }
    const char *search = l->search ? in_str(in, "search") : NULL;
    if (search && *search)
        add_condition(q, l->search, db_text(text_like_pattern(op->arena, search)));
}

static const char *order_by(op_t *op, const input_t *in, const admin_list_t *l)
{
    const char *name = in_str(in, "sort"), *sql = l->sorts[0].sql;
    for (const admin_sort_t *s = l->sorts; s->name; s++)
        if (name && !strcmp(name, s->name))
            sql = s->sql;
    const char *order = in_str(in, "order");
    const char *dir = order ? (!strcmp(order, "asc") ? "ASC" : "DESC")
                            : (name ? "ASC" : "DESC"); /* newest first by default */
    return arena_printf(op->arena, " ORDER BY %s %s, %s %s", sql, dir, l->tiebreak, dir);
}

/* ---- the answer ------------------------------------------------------------ */

err_t *admin_list_reply(http_req_t *req, op_t *op, const input_t *in, const admin_list_t *l)
{
    query_t q;
    build_where(&q, op, in, l);
    const char *fmt = in_str(in, "format");
    bool csv = fmt && !strcmp(fmt, "csv");
    int64_t offset = csv ? 0 : in_int(in, "offset", 0);
    int64_t limit = csv ? ADMIN_CSV_MAX : in_int(in, "limit", 50);
    const char *count_sql =
        arena_printf(op->arena, "SELECT count(*) FROM %s%s", l->from, q.where.data);
    const char *page_sql =
        arena_printf(op->arena, "SELECT %s FROM %s%s%s LIMIT $%d OFFSET $%d", l->columns, l->from,
                     q.where.data, order_by(op, in, l), q.n + 1, q.n + 2);
    sb_free(&q.where);
    int64_t total = 0;
    bool found = false;
    int rc = db_query_int(op->db, count_sql, q.p, q.n, &total, &found);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    q.p[q.n] = db_int(limit);
    q.p[q.n + 1] = db_int(offset);
    json_t *rows = NULL;
    err_t *e = op_list(op, page_sql, q.p, q.n + 2, l->row, &rows);
    if (e)
        return e;
    if (csv) {
        http_reply_csv(req, l->name, l->csv, rows, total);
        json_decref(rows);
        return NULL;
    }
    const char *sort = in_str(in, "sort"), *order = in_str(in, "order");
    json_t *out = json_pack("{s:I, s:I, s:I, s:s, s:s, s:o}", "total", (json_int_t)total, "offset",
                            (json_int_t)offset, "limit", (json_int_t)limit, "sort",
                            sort ? sort : l->sorts[0].name, "order",
                            order ? order : (sort ? "asc" : "desc"), "data", rows);
    http_reply_json(req, 200, out);
    return NULL;
}

err_t *admin_detail_reply(http_req_t *req, op_t *op, json_t *out, int64_t id,
                          const admin_section_t *sections)
{
    err_t *e = NULL;
    for (const admin_section_t *s = sections; !e && s->key; s++) {
        json_t *rows = NULL;
        if ((e = op_list(op, s->sql, DB_ARGS(db_int(id)), s->row, &rows)))
            break;
        if (s->one) {
            json_object_set(out, s->key,
                            json_array_size(rows) ? json_array_get(rows, 0) : json_null());
            json_decref(rows);
        } else {
            json_object_set_new(out, s->key, rows);
        }
    }
    if (e) {
        json_decref(out);
        return e;
    }
    http_reply_json(req, 200, out);
    return NULL;
}
