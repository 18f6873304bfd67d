/*
 * fuzz_router.c: libFuzzer driver for router_match over a fixed table of
 * realistic routes (literals, int, uuid and string parameters, overlapping
 * shapes). Input: the first byte picks the method bits, the rest is the path.
 * Checks the result's invariants: a found route allows the method and its
 * typed parameters parse; a 405 names other methods; a bad parameter is named.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "http/router.h"

static router_t *router;

static const struct {
    int methods;
    const char *pattern;
} routes[] = {
    {HTTP_GET, "/"},
    {HTTP_GET | HTTP_HEAD, "/api/health"},
    {HTTP_GET, "/api/openapi.json"},
    {HTTP_POST, "/api/auth/otp/request"},
    {HTTP_GET | HTTP_POST, "/api/events"},
    {HTTP_GET, "/api/events/my-tickets"},
    {HTTP_GET | HTTP_PATCH | HTTP_DELETE, "/api/events/{event_id:int}"},
    {HTTP_GET, "/api/events/{slug}"},
    {HTTP_GET | HTTP_POST, "/api/events/{event_id:int}/requests"},
    {HTTP_POST, "/api/events/{event_id:int}/requests/{request_id:int}/accept"},
    {HTTP_GET, "/api/tickets/{ticket_id:uuid}"},
    {HTTP_POST, "/api/tickets/{ticket_id:uuid}/check-in"},
    {HTTP_PUT, "/api/users/me/avatar"},
    {HTTP_GET, "/api/users/{user_id:int}"},
    {HTTP_GET, "/media/{kind}/{file}"},
    {HTTP_POST, "/_test/clock"},
    {HTTP_GET, "/_test/items/{item_id:int}"},
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    router = router_new();
    if (!router)
        abort();
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        if (router_add(router, routes[i].methods, routes[i].pattern, BODY_NONE))
            abort();
    return 0;
}

static void check_found(const route_match_t *m, int method)
{
    const route_t *rt = m->route;
    if (!rt || !(rt->methods & method) || m->nparams < 0 || m->nparams > rt->nseg)
        abort();
    int p = 0;
    for (int i = 0; i < rt->nseg; i++) {
        const route_seg_t *seg = &rt->segs[i];
        if (seg->lit)
            continue;
        const http_kv_t *kv = &m->params[p++];
        if (strcmp(kv->name, seg->name) != 0 || kv->value[0] == '\0')
            abort();
        int64_t n;
        if (seg->type == PARAM_INT && !router_parse_int(kv->value, &n))
            abort();
        if (seg->type == PARAM_UUID && !router_is_uuid(kv->value))
            abort();
    }
    if (p != m->nparams)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    int method = data[0] & 0x7f;
    if (method == 0)
        method = HTTP_GET;

    arena_t arena;
    arena_init(&arena);
    /* the server hands the router a NUL-terminated path starting with '/' */
    char *path = arena_alloc(&arena, size + 1);
    path[0] = '/';
    memcpy(path + 1, data + 1, size - 1);
    path[size] = '\0';

    route_match_t m;
    switch (router_match(router, method, path, &arena, &m)) {
    case ROUTE_FOUND:
        check_found(&m, method);
        break;
    case ROUTE_METHOD_NOT_ALLOWED:
        if (m.allow_methods == 0 || (m.allow_methods & method) != 0)
            abort();
        break;
    case ROUTE_BAD_PARAM:
        if (!m.route || !m.bad_name || !m.bad_value || m.bad_type == PARAM_STR ||
            !(m.route->methods & method))
            abort();
        (void)strlen(m.bad_value);
        break;
    case ROUTE_NOT_FOUND:
        if (m.route)
            abort();
        break;
    default:
        abort();
    }

    arena_free(&arena);
    return 0;
}
