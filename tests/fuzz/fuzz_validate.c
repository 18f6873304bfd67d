/*
 * fuzz_validate.c: libFuzzer driver for the one request validator
 * (http/fields.c) and the error renderer. The first byte picks the body kind
 * (JSON, or a urlencoded form that also serves as the query string); the rest
 * is the body, checked against a spec that uses every field type and rule.
 * Checks: a result is either checked input or a 422 whose details all have
 * type, loc and msg, and whose rendered body is valid JSON.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "http/form.h"
#include "http/render.h"
#include "http/route.h"
#include "http/router.h"

static const char *const colours[] = {"red", "green", "blue", NULL};

static const char *even_check(arena_t *a, json_t *v, json_t **out, const char **type)
{
    (void)a;
    (void)out;
    if (json_integer_value(v) % 2) {
        *type = "int_type";
        return "Input should be even";
    }
    return NULL;
}

static const field_t fields[] = {
    {"name", FT_STRING, F_REQUIRED | F_TRIM, .min_len = 1, .max_len = 20},
    {"code", FT_STRING, F_NULLABLE, .pattern = "[A-Z]{2}[0-9]+"},
    {"colour", FT_STRING, F_ICASE, .choices = colours},
    {"count", FT_INT, 0, .min = -5, .max = 1000, .check = even_check},
    {"flag", FT_BOOL, F_STRICT, .in = FIELD_BODY},
    {"ratio", FT_NUMBER, 0, .min = 0, .max = 1},
    {"tags", FT_LIST, F_NULLABLE, .min_len = 1, .max_len = 3},
    {"blob", FT_ANY, F_EMPTY_ABSENT, .in = FIELD_BODY},
    {"q", FT_STRING, F_BYTES, .in = FIELD_QUERY},
    {"page", FT_INT, 0, .in = FIELD_QUERY, .min = 1, .max = 100},
    FIELDS_END,
};

static err_t *noop(http_req_t *req, op_t *op, const input_t *in)
{
    (void)req;
    (void)op;
    (void)in;
    return NULL;
}

static const route_def_t def = {.method = HTTP_POST,
                                .pattern = "/x",
                                .handler = noop,
                                .auth = AUTH_ANONYMOUS,
                                .body = BODY_ANY,
                                .fields = fields};

static app_t app;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    app.router = router_new();
    if (!app.router || router_add_def(app.router, &def, false) != 0)
        abort();
    return 0;
}

static void check_error(http_req_t *req, err_t *e)
{
    if (e->status != 422 || !json_is_array(e->details) || json_array_size(e->details) == 0)
        abort();
    size_t i;
    json_t *d;
    json_array_foreach(e->details, i, d)
    {
        if (!json_is_string(json_object_get(d, "type")) ||
            !json_is_array(json_object_get(d, "loc")) || !json_is_string(json_object_get(d, "msg")))
            abort();
    }
    http_render_error(req, e, ENVELOPE_DETAIL);
    json_t *body = json_loadb(req->res.body, req->res.len, 0, NULL);
    if (req->res.status != 422 || !json_is_object(body))
        abort();
    json_decref(body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    http_req_t req;
    memset(&req, 0, sizeof req);
    arena_init(&req.arena);
    req.app = &app;
    req.route = router_at(app.router, 0);
    snprintf(req.request_id, sizeof req.request_id, "fuzz");
    const char *body = (const char *)data + 1;
    size_t len = size - 1;
    if (data[0] & 1) {
        req.body_kind = BODY_JSON;
        req.json = json_loadb(body, len, JSON_DECODE_ANY, NULL);
        if (!req.json) {
            arena_free(&req.arena);
            return 0;
        }
    } else {
        req.body_kind = BODY_URLENCODED;
        form_parse_urlencoded(body, len, &req.arena, &req.form);
        form_parse_urlencoded(body, len, &req.arena, &req.query);
    }
    input_t *in = NULL;
    err_t *e = route_validate(&req, &def, &in);
    if (e)
        check_error(&req, e);
    else if (!in_str(in, "name"))
        abort(); /* required and accepted: it must be there */
    input_free(in);
    json_decref(req.json);
    free(req.res.owned);
    arena_free(&req.arena);
    return 0;
}
