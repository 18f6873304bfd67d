/*
 * test_api.c: endpoints that exist only with LOOPIN_TEST_MODE=1 (refused in
 * production by config): moving the server clock, echoing parsed bodies, a
 * typed path parameter and a slow request for the shutdown test.
 */
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "http/router.h"
#include "ops/ops.h"

#define MAX_ADVANCE_S (100LL * 366 * 86400)

static void clock_reply(http_req_t *req)
{
    char now[32];
    clock_format_iso(clock_now_us(), now);
    http_reply_json(req, 200,
                    json_pack("{s:s, s:I}", "now", now, "offset_seconds",
                              (json_int_t)(clock_offset_us() / USEC_PER_SEC)));
}

/* POST /_test/clock {"advance_seconds": N} | {"set": "<ISO 8601>"} */
static void test_clock(http_req_t *req)
{
    json_t *adv = json_object_get(req->json, "advance_seconds");
    json_t *set = json_object_get(req->json, "set");
    if (!json_is_object(req->json) || (!adv && !set) || (adv && set)) {
        http_error_field(req, "missing", "body", NULL, "Give exactly one of advance_seconds or set",
                         json_incref(req->json));
        return;
    }
    if (adv) {
        if (!json_is_integer(adv) || llabs(json_integer_value(adv)) > MAX_ADVANCE_S) {
            http_error_field(req, "int_type", "body", "advance_seconds",
                             "Input should be a valid integer number of seconds (at most 100 "
                             "years)",
                             json_incref(adv));
            return;
        }
        clock_advance_us(json_integer_value(adv) * USEC_PER_SEC);
    } else {
        int64_t when;
        if (!json_is_string(set) || !clock_parse_iso(json_string_value(set), &when)) {
            http_error_field(req, "datetime_parsing", "body", "set",
                             "Input should be a valid ISO 8601 datetime", json_incref(set));
            return;
        }
        clock_set_us(when);
    }
    clock_reply(req);
}

static json_t *kvs_json(const http_kvs_t *kvs)
{
    json_t *o = json_object();
    for (int i = 0; i < kvs->n; i++)
        if (!json_object_get(o, kvs->items[i].name))
            json_object_set_new(o, kvs->items[i].name, json_string(kvs->items[i].value));
    return o;
}

/* POST /_test/echo: what the body and query parsers made of the request. */
static void test_echo(http_req_t *req)
{
    json_t *files = json_array();
    for (int i = 0; i < req->nfiles; i++)
        json_array_append_new(
            files, json_pack("{s:s, s:s?, s:s, s:I}", "field", req->files[i].field, "filename",
                             req->files[i].filename, "content_type", req->files[i].content_type,
                             "size", (json_int_t)req->files[i].size));
    http_reply_json(req, 200,
                    json_pack("{s:s, s:O?, s:o, s:o, s:o}", "method", req->method_name, "json",
                              req->json, "query", kvs_json(&req->query), "form",
                              kvs_json(&req->form), "files", files));
}

static void test_item(http_req_t *req)
{
    http_reply_json(req, 200,
                    json_pack("{s:I}", "item_id", (json_int_t)http_param_int(req, "item_id")));
}

/* GET /_test/sleep?ms=N: a deliberately slow request (at most 30 s). */
static void test_sleep(http_req_t *req)
{
    const char *v = http_query(req, "ms");
    int64_t ms = 0;
    if (!v || !router_parse_int(v, &ms) || ms < 0 || ms > 30000) {
        http_error_field(req, "int_parsing", "query", "ms",
                         "Input should be an integer from 0 to 30000", v ? json_string(v) : NULL);
        return;
    }
    usleep((useconds_t)(ms * 1000));
    http_reply_json(req, 200, json_pack("{s:I}", "slept_ms", (json_int_t)ms));
}

void test_routes(router_t *r)
{
    router_add(r, HTTP_POST, "/_test/clock", test_clock, BODY_JSON, true);
    router_add(r, HTTP_POST, "/_test/echo", test_echo, BODY_ANY, true);
    router_add(r, HTTP_GET, "/_test/items/{item_id:int}", test_item, BODY_NONE, true);
    router_add(r, HTTP_GET, "/_test/sleep", test_sleep, BODY_NONE, true);
}
