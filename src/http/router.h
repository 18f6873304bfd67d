/*
 * router.h: the route table. Patterns are literal segments and typed
 * parameters: "/api/events/{event_id:int}", "{id:uuid}", "{slug}" (string).
 * A literal segment beats a parameter, so "/api/events/my-tickets" wins over
 * "/api/events/{event_id:int}" whatever the order of registration.
 */
#ifndef LOOPIN_ROUTER_H
#define LOOPIN_ROUTER_H

#include <regex.h>

#include "http/http.h"

struct route_def;
struct field;

#define ROUTE_MAX_SEGS 12

typedef enum { PARAM_STR = 0, PARAM_INT, PARAM_UUID } param_type_t;

typedef struct {
    char *lit;  /* literal text, or NULL for a parameter (owned) */
    char *name; /* parameter name (owned) */
    param_type_t type;
} route_seg_t;

typedef struct route {
    int methods; /* http_method_t bits */
    const char *pattern;
    const struct route_def *def; /* the declaration (auth, body, fields, handler) */
    int body;                    /* BODY_* kinds accepted */
    int index;                   /* position in the table, for metrics */
    int nseg;
    route_seg_t segs[ROUTE_MAX_SEGS];
} route_t;

typedef struct router router_t;

typedef enum {
    ROUTE_FOUND = 0,
    ROUTE_NOT_FOUND,
    ROUTE_METHOD_NOT_ALLOWED, /* allow_methods says which */
    ROUTE_BAD_PARAM,          /* a typed parameter did not parse */
} route_result_t;

typedef struct {
    const route_t *route;
    int allow_methods;
    /* for ROUTE_BAD_PARAM */
    const char *bad_name;
    const char *bad_value;
    param_type_t bad_type;
    /* for ROUTE_FOUND: parameter values in pattern order (arena strings) */
    int nparams;
    http_kv_t params[ROUTE_MAX_SEGS];
} route_match_t;

router_t *router_new(void);
void router_free(router_t *r);
/* Adds a bare pattern (router_add_def adds declared routes through it).
 * Returns -1 (and logs) for a malformed pattern; patterns are code, so the
 * caller treats that as a programming error. */
int router_add(router_t *r, int methods, const char *pattern, int body);
/* Adds a declared route (see http/route.h). Refused, with a log line naming
 * the route, when the pattern is malformed, the auth level is undeclared, an
 * AUTH_HOST route has no owner check, a field pattern does not compile, an
 * idempotent route cannot scope its keys (anonymous, no database, a reading
 * method), or the method and pattern are already taken; start-up stops then. A test_only
 * route is skipped (returns 0) unless test_mode. */
int router_add_def(router_t *r, const struct route_def *def, bool test_mode);
/* The compiled regex of a field with a pattern (NULL if unknown). */
const regex_t *router_field_regex(const router_t *r, const struct field *f);
int router_count(const router_t *r);
const route_t *router_at(const router_t *r, int i);

/* path must start with '/', without query string. Segments are
 * percent-decoded into arena memory. */
route_result_t router_match(const router_t *r, int method, const char *path, arena_t *arena,
                            route_match_t *m);

/* Parameter type checks, shared with the unit tests. */
bool router_parse_int(const char *s, int64_t *out);
bool router_is_uuid(const char *s);

#endif
