/*
 * router.c: compiles patterns into segments and matches a request path by
 * scoring candidates: a literal segment scores higher than a parameter, so
 * the most specific route wins. Linear over the table: with ~100 routes and
 * a handful of segments each, this is far below a database round trip.
 */
#include "http/router.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "http/form.h"
#include "http/route.h"

typedef struct {
    const field_t *field;
    regex_t re;
} field_regex_t;

struct router {
    route_t *routes;
    int n, cap;
    field_regex_t *regexes;
    int nre;
};

router_t *router_new(void)
{
    return calloc(1, sizeof(router_t));
}

void router_free(router_t *r)
{
    if (!r)
        return;
    for (int i = 0; i < r->n; i++) {
        for (int s = 0; s < r->routes[i].nseg; s++) {
            free(r->routes[i].segs[s].lit);
            free(r->routes[i].segs[s].name);
        }
    }
    for (int i = 0; i < r->nre; i++)
        regfree(&r->regexes[i].re);
    free(r->regexes);
    free(r->routes);
    free(r);
}

static int compile_param(route_seg_t *seg, const char *s, size_t len)
{
    const char *colon = memchr(s, ':', len);
    size_t nlen = colon ? (size_t)(colon - s) : len;
    if (nlen == 0)
        return -1;
    seg->name = strndup(s, nlen);
    seg->type = PARAM_STR;
    if (colon) {
        size_t tlen = len - nlen - 1;
        if (tlen == 3 && !memcmp(colon + 1, "int", 3))
            seg->type = PARAM_INT;
        else if (tlen == 4 && !memcmp(colon + 1, "uuid", 4))
            seg->type = PARAM_UUID;
        else if (!(tlen == 3 && !memcmp(colon + 1, "str", 3)))
            return -1;
    }
    return 0;
}

static int compile_pattern(route_t *rt, const char *pattern)
{
    if (pattern[0] != '/')
        return -1;
    const char *p = pattern + 1;
    rt->nseg = 0;
    while (*p) {
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == 0 || rt->nseg == ROUTE_MAX_SEGS)
            return -1;
        route_seg_t *seg = &rt->segs[rt->nseg++];
        memset(seg, 0, sizeof *seg);
        if (p[0] == '{') {
            if (p[len - 1] != '}' || compile_param(seg, p + 1, len - 2) != 0)
                return -1;
        } else {
            seg->lit = strndup(p, len);
        }
        p += len;
        if (*p == '/')
            p++;
    }
    return 0;
}

int router_add(router_t *r, int methods, const char *pattern, int body)
{
    if (r->n == r->cap) {
        int cap = r->cap ? r->cap * 2 : 64;
        route_t *nr = realloc(r->routes, (size_t)cap * sizeof *nr);
        if (!nr)
            return -1;
        r->routes = nr;
        r->cap = cap;
    }
    route_t *rt = &r->routes[r->n];
    memset(rt, 0, sizeof *rt);
    rt->methods = methods;
    rt->pattern = pattern;
    rt->body = body;
    rt->index = r->n;
    if (compile_pattern(rt, pattern) != 0) {
        for (int s = 0; s < rt->nseg; s++) {
            free(rt->segs[s].lit);
            free(rt->segs[s].name);
        }
        log_msg(LOG_ERROR, "invalid route pattern", "pattern", pattern, NULL);
        return -1;
    }
    r->n++;
    return 0;
}

const regex_t *router_field_regex(const router_t *r, const field_t *f)
{
    for (int i = 0; i < r->nre; i++)
        if (r->regexes[i].field == f)
            return &r->regexes[i].re;
    return NULL;
}

/* Anchored so the whole value must match. */
static int compile_field_patterns(router_t *r, const route_def_t *def)
{
    for (const field_t *f = def->fields; f && f->name; f++) {
        if (!f->pattern || router_field_regex(r, f))
            continue;
        field_regex_t *nr = realloc(r->regexes, sizeof *nr * (size_t)(r->nre + 1));
        if (!nr)
            return -1;
        r->regexes = nr;
        char *anchored = NULL;
        if (asprintf(&anchored, "^(%s)$", f->pattern) < 0)
            return -1;
        int rc = regcomp(&nr[r->nre].re, anchored, REG_EXTENDED | REG_NOSUB);
        free(anchored);
        if (rc != 0) {
            log_msg(LOG_ERROR, "invalid field pattern", "route", def->pattern, "field", f->name,
                    NULL);
            return -1;
        }
        nr[r->nre++].field = f;
    }
    return 0;
}

static const char *def_problem(const router_t *r, const route_def_t *def)
{
    if (!def->handler)
        return "route has no handler";
    if (def->auth == AUTH_UNDECLARED || def->auth > AUTH_SUPERUSER)
        return "route does not declare its auth level";
    if (def->auth == AUTH_HOST && !def->owner)
        return "AUTH_HOST route has no owner check";
    if (def->no_db && def->auth != AUTH_ANONYMOUS)
        return "a route without a database connection cannot authenticate";
    if (def->idempotent && (def->no_db || def->auth == AUTH_ANONYMOUS ||
                            !(def->method & (HTTP_POST | HTTP_PUT | HTTP_PATCH | HTTP_DELETE))))
        return "an idempotent route needs a database, a caller to scope keys and a writing method";
    for (int i = 0; i < r->n; i++)
        if ((r->routes[i].methods & def->method) && !strcmp(r->routes[i].pattern, def->pattern))
            return "method and pattern already routed";
    return NULL;
}

int router_add_def(router_t *r, const route_def_t *def, bool test_mode)
{
    if (def->test_only && !test_mode)
        return 0;
    const char *why = def_problem(r, def);
    if (why) {
        log_msg(LOG_ERROR, "route refused", "pattern", def->pattern ? def->pattern : "(none)",
                "method", http_method_name((http_method_t)def->method), "reason", why, NULL);
        return -1;
    }
    if (compile_field_patterns(r, def) != 0 ||
        router_add(r, def->method, def->pattern, def->body) != 0)
        return -1;
    r->routes[r->n - 1].def = def;
    return 0;
}

int router_count(const router_t *r)
{
    return r->n;
}

const route_t *router_at(const router_t *r, int i)
{
    return &r->routes[i];
}

bool router_parse_int(const char *s, int64_t *out)
{
    const char *p = s;
    if (*p == '-' || *p == '+')
        p++;
    if (*p == '\0')
        return false;
    for (const char *q = p; *q; q++)
        if (*q < '0' || *q > '9')
            return false;
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (errno == ERANGE || *end)
        return false;
    *out = v;
    return true;
}

bool router_is_uuid(const char *s)
{
    if (strlen(s) != 36)
        return false;
    for (int i = 0; i < 36; i++) {
        char c = s[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-')
                return false;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
            return false;
        }
    }
    return true;
}

static bool param_ok(const route_seg_t *seg, const char *v)
{
    int64_t dummy;
    switch (seg->type) {
    case PARAM_INT:
        return router_parse_int(v, &dummy);
    case PARAM_UUID:
        return router_is_uuid(v);
    default:
        return true;
    }
}

/* Splits and percent-decodes the path. Returns the segment count, or -1 when
 * there are too many segments or an escape is malformed. */
static int split_path(const char *path, arena_t *arena, const char **segs)
{
    int n = 0;
    const char *p = path;
    while (*p == '/')
        p++;
    while (*p) {
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (n == ROUTE_MAX_SEGS)
            return -1;
        char *seg = arena_strndup(arena, p, len);
        if (form_percent_decode(seg, false) < 0)
            return -1;
        segs[n++] = seg;
        p += len;
        while (*p == '/')
            p++;
    }
    return n;
}

/* Scores how well a route's shape fits: -1 no fit; otherwise literals count
 * double so the most literal route wins. *typed_ok tells whether every typed
 * parameter parsed. */
static int score_route(const route_t *rt, const char **segs, int n, bool *typed_ok, int *bad_seg)
{
    if (rt->nseg != n)
        return -1;
    int score = 0;
    *typed_ok = true;
    *bad_seg = -1;
    for (int i = 0; i < n; i++) {
        const route_seg_t *s = &rt->segs[i];
        if (s->lit) {
            if (strcmp(s->lit, segs[i]) != 0)
                return -1;
            score += 2;
        } else if (segs[i][0] == '\0') {
            return -1;
        } else if (!param_ok(s, segs[i])) {
            if (*typed_ok)
                *bad_seg = i;
            *typed_ok = false;
        } else if (s->type != PARAM_STR) {
            score += 1; /* a typed parameter is more specific than a string */
        }
    }
    return score;
}

route_result_t router_match(const router_t *r, int method, const char *path, arena_t *arena,
                            route_match_t *m)
{
    memset(m, 0, sizeof *m);
    const char *segs[ROUTE_MAX_SEGS];
    int n = split_path(path, arena, segs);
    if (n < 0)
        return ROUTE_NOT_FOUND;
    const route_t *best = NULL, *best_bad = NULL;
    int best_score = -1, best_bad_score = -1, bad_seg = -1, allow = 0;
    for (int i = 0; i < r->n; i++) {
        const route_t *rt = &r->routes[i];
        bool typed_ok;
        int bs;
        int score = score_route(rt, segs, n, &typed_ok, &bs);
        if (score < 0)
            continue;
        if (!typed_ok) {
            bool allowed = rt->methods & method;
            bool best_allowed = best_bad && (best_bad->methods & method);
            if ((allowed && !best_allowed) || (allowed == best_allowed && score > best_bad_score)) {
                best_bad = rt;
                best_bad_score = score;
                bad_seg = bs;
            }
            continue;
        }
        if (!(rt->methods & method)) {
            allow |= rt->methods;
            continue;
        }
        if (score > best_score) {
            best = rt;
            best_score = score;
        }
    }
    if (best) {
        m->route = best;
        for (int i = 0; i < n; i++)
            if (!best->segs[i].lit)
                m->params[m->nparams++] = (http_kv_t){best->segs[i].name, segs[i]};
        return ROUTE_FOUND;
    }
    if (allow) {
        m->allow_methods = allow;
        return ROUTE_METHOD_NOT_ALLOWED;
    }
    if (best_bad && (best_bad->methods & method)) {
        m->route = best_bad;
        m->bad_name = best_bad->segs[bad_seg].name;
        m->bad_value = segs[bad_seg];
        m->bad_type = best_bad->segs[bad_seg].type;
        return ROUTE_BAD_PARAM;
    }
    if (best_bad) {
        m->allow_methods = best_bad->methods;
        return ROUTE_METHOD_NOT_ALLOWED;
    }
    return ROUTE_NOT_FOUND;
}
