/*
 * fuzz_audience.c: libFuzzer driver for the campaign audience rule engine
 * (notifications/audience.c). The input is parsed as JSON (any value, NUL
 * characters allowed in strings) and compiled twice: alone, with its
 * parameters numbered from the first byte, and as the recipient query.
 * Checks: an accepted document yields the same SQL both times, parameters
 * numbered only within their range and SQL text that no value reached (no
 * quote pair opened by a value, no comment, no statement separator); a
 * refused one is a 422 whose details all have type, loc, msg and input.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "notifications/audience.h"

/* Every $N of where lies in [first, first + n); no value text made it in. */
static void check_sql(const char *where, int first, int n)
{
    if (!where || !*where)
        abort();
    /* the fixed fragments hold none of these; a value would bring them */
    if (strchr(where, ';') || strchr(where, '"') || strchr(where, '%') || strchr(where, '\\') ||
        strstr(where, "--") || strstr(where, "/*"))
        abort();
    int quotes = 0;
    for (const char *p = where; *p; p++) {
        quotes += *p == '\'';
        if (*p != '$')
            continue;
        char *end;
        long k = strtol(p + 1, &end, 10);
        if (end == p + 1 || k < first || k >= first + n)
            abort();
    }
    if (quotes % 2)
        abort();
}

static void check_params(const audience_sql_t *q, int max)
{
    if (q->nparams < 1 || q->nparams > max)
        abort();
    for (int i = 0; i < q->nparams; i++) {
        const db_param_t *p = &q->params[i];
        if (p->type == DB_P_TEXT ? !p->s || strlen(p->s) > 4 * AUDIENCE_MAX_TEXT
                                 : p->type != DB_P_INT && p->type != DB_P_BOOL)
            abort();
    }
}

static void check_refusal(err_t *e)
{
    if (!e || e->status != 422 || !json_is_array(e->details) || json_array_size(e->details) < 1)
        abort();
    size_t i;
    json_t *d;
    json_array_foreach(e->details, i, d)
    {
        json_t *loc = json_object_get(d, "loc");
        if (!json_is_string(json_object_get(d, "type")) ||
            !json_is_string(json_object_get(d, "msg")) || !json_object_get(d, "input") ||
            !json_is_array(loc) || json_array_size(loc) < 2 ||
            strcmp(json_string_value(json_array_get(loc, 0)), "body") != 0)
            abort();
    }
    char *text = json_dumps(e->details, JSON_COMPACT); /* the renderer's job, done once */
    if (!text)
        abort();
    free(text);
    err_discard(e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int first = 1 + data[0] % 16;
    json_t *doc =
        json_loadb((const char *)data + 1, size - 1, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    arena_t a;
    arena_init(&a);
    audience_sql_t *q = arena_alloc(&a, sizeof *q), *all = arena_alloc(&a, sizeof *all);
    const char *select = NULL;
    err_t *e = audience_compile(&a, doc, first, q);
    err_t *e2 = audience_query(&a, doc, "promotional", all, &select);
    if ((e == NULL) != (e2 == NULL))
        abort();
    if (!e) {
        check_sql(q->where, first, q->nparams);
        check_params(q, AUDIENCE_MAX_VALUES);
        check_sql(select + strlen("SELECT"), 1, all->nparams);
        check_params(all, AUDIENCE_MAX_PARAMS);
        if (all->nparams != q->nparams + 2 || strncmp(select, "SELECT u.id FROM ", 17) != 0)
            abort();
    } else {
        check_refusal(e);
        check_refusal(e2);
    }
    json_decref(doc);
    arena_free(&a);
    return 0;
}
