/*
 * admin_list.h: every list of the admin API the same way (issue 12 point 2):
 * filters, a search, a sort, pagination and CSV export, declared per list
 * and turned into parameterised SQL here. No SQL is ever built from the
 * caller's text: filters and sorts are chosen from the list's declaration by
 * name, and every value is bound.
 *
 * Query parameters every list takes (ADMIN_LIST_FIELDS): offset, limit
 * (1..200, default 50), sort (one of the list's sorts), order (asc|desc),
 * search (when the list has one), format (json|csv). The answer:
 *   json: 200 {"total", "offset", "limit", "sort", "order", "data": [row...]}
 *   csv:  200 text/csv, a header line of the list's CSV columns, then every
 *         matching row (at most ADMIN_CSV_MAX; X-Total-Count says how many
 *         matched), as an attachment named <list>.csv.
 */
#ifndef LOOPIN_ADMIN_LIST_H
#define LOOPIN_ADMIN_LIST_H

#include "http/route.h"
#include "http/router.h"
#include "op.h"

#define ADMIN_LIMIT_DEFAULT "50"
#define ADMIN_LIMIT_MAX     200
#define ADMIN_CSV_MAX       50000

typedef enum { AF_BOOL = 1, AF_INT, AF_TEXT, AF_TIME } admin_filter_kind_t;

/* A query parameter that narrows the list when present: sql is a condition
 * in which each '?' stands for the parameter's value ("u.is_active = ?"). */
typedef struct {
    const char *param;
    admin_filter_kind_t kind;
    const char *sql;
} admin_filter_t;

/* A sort by name: sql is the ORDER BY expression. */
typedef struct {
    const char *name;
    const char *sql;
} admin_sort_t;

typedef struct {
    const char *name;              /* the CSV file's name */
    const char *columns;           /* "u.id, u.phone, ..." (what row() reads) */
    const char *from;              /* "users u LEFT JOIN ..." */
    const char *where;             /* an always-on condition, or NULL */
    const admin_filter_t *filters; /* {NULL}-terminated */
    /* A condition with '?' for "%<search text>%" (LIKE wildcards in the text
     * are escaped; compare with @ILIKE ... ESCAPE '\'), or NULL. */
    const char *search;
    const admin_sort_t *sorts; /* {NULL}-terminated; the first is the default */
    const char *tiebreak;      /* unique, so pages never overlap: "u.id" */
    op_row_fn row;             /* one row as a JSON object */
    const char *const *csv;    /* the object's keys to export, in order, NULL-terminated */
} admin_list_t;

/* The shared query fields; sorts is the list's sort names, NULL-terminated. */
#define ADMIN_LIST_FIELDS(sorts)                                                                   \
    {"offset", FT_INT, 0, .in = FIELD_QUERY, .min = 0, .max = INT32_MAX},                          \
        {"limit",                                                                                  \
         FT_INT,                                                                                   \
         0,                                                                                        \
         .in = FIELD_QUERY,                                                                        \
         .min = 1,                                                                                 \
         .max = ADMIN_LIMIT_MAX,                                                                   \
         .def = ADMIN_LIMIT_DEFAULT},                                                              \
        {"sort", FT_STRING, 0, .in = FIELD_QUERY, .choices = (sorts)},                             \
        {"order", FT_STRING, F_ICASE, .in = FIELD_QUERY, .choices = admin_sort_orders},            \
    {                                                                                              \
        "format", FT_STRING, F_ICASE, .in = FIELD_QUERY, .choices = admin_formats                  \
    }
#define ADMIN_SEARCH_FIELD                                                                         \
    {                                                                                              \
        "search", FT_STRING, F_TRIM, .in = FIELD_QUERY, .min_len = 1, .max_len = 100               \
    }

extern const char *const admin_sort_orders[]; /* asc, desc */
extern const char *const admin_formats[];     /* json, csv */

/* Answers the list for the request's checked input. */
err_t *admin_list_reply(http_req_t *req, op_t *op, const input_t *in, const admin_list_t *l);

/* A part of a detail page: sql ($1 = the object's id) read through row()
 * into out[key], as a list, or as one object (null when no row). */
typedef struct {
    const char *key, *sql;
    op_row_fn row;
    bool one;
} admin_section_t;

/* Adds every section ({NULL}-terminated) to out and answers 200 with it;
 * takes out over either way. */
err_t *admin_detail_reply(http_req_t *req, op_t *op, json_t *out, int64_t id,
                          const admin_section_t *sections);

#endif
