/*
 * test_http_response.c: the one error renderer and the JSON response
 * helpers produce exactly the documented shapes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http/http.h"
#include "http/render.h"

static void req_init(http_req_t *req)
{
    memset(req, 0, sizeof *req);
    arena_init(&req->arena);
    strcpy(req->request_id, "req-123");
}

static json_t *body_json(http_req_t *req)
{
    json_error_t e;
    json_t *j = json_loadb(req->res.body, req->res.len, 0, &e);
    assert_non_null(j);
    return j;
}

static void req_done(http_req_t *req)
{
    free(req->res.owned);
    arena_free(&req->arena);
}

static void test_error_has_detail_and_code(void **state)
{
    (void)state;
    http_req_t req;
    req_init(&req);
    http_error(&req, 404, "NOT_FOUND", "Event %d not found", 7);
    assert_int_equal(req.res.status, 404);
    assert_string_equal(req.res.content_type, "application/json");
    assert_string_equal(req.res.error_code, "NOT_FOUND");
    json_t *j = body_json(&req);
    assert_int_equal(json_object_size(j), 2);
    assert_string_equal(json_string_value(json_object_get(j, "detail")), "Event 7 not found");
    assert_string_equal(json_string_value(json_object_get(j, "error_code")), "NOT_FOUND");
    json_decref(j);
    req_done(&req);
}

static void test_server_error_carries_request_id(void **state)
{
    (void)state;
    http_req_t req;
    req_init(&req);
    http_error(&req, 500, "INTERNAL_SERVER_ERROR", "Internal server error");
    json_t *j = body_json(&req);
    assert_string_equal(json_string_value(json_object_get(j, "request_id")), "req-123");
    json_decref(j);
    req_done(&req);
}

static void test_validation_error_is_fastapi_list(void **state)
{
    (void)state;
    http_req_t req;
    req_init(&req);
    json_t *details = json_array();
    err_detail_add(details, "missing", "body", "name", "Field required", NULL);
    err_detail_add(details, "string_too_short", "body", "title", "Too short", json_string("ab"));
    http_render_error(&req, err_validation(&req.arena, details), ENVELOPE_DETAIL);
    assert_int_equal(req.res.status, 422);
    json_t *j = body_json(&req);
    assert_string_equal(json_string_value(json_object_get(j, "error_code")), "VALIDATION_ERROR");
    json_t *d = json_object_get(j, "detail");
    assert_int_equal(json_array_size(d), 2);
    json_t *first = json_array_get(d, 0);
    assert_string_equal(json_string_value(json_object_get(first, "type")), "missing");
    json_t *loc = json_object_get(first, "loc");
    assert_int_equal(json_array_size(loc), 2);
    assert_string_equal(json_string_value(json_array_get(loc, 0)), "body");
    assert_string_equal(json_string_value(json_array_get(loc, 1)), "name");
    assert_true(json_is_null(json_object_get(first, "input")));
    json_t *second = json_array_get(d, 1);
    assert_string_equal(json_string_value(json_object_get(second, "input")), "ab");
    json_decref(j);
    req_done(&req);
}

static void test_field_error_without_field_has_short_loc(void **state)
{
    (void)state;
    http_req_t req;
    req_init(&req);
    http_render_error(&req, err_field(&req.arena, "missing", "body", NULL, "Body required", NULL),
                      ENVELOPE_DETAIL);
    json_t *j = body_json(&req);
    json_t *loc = json_object_get(json_array_get(json_object_get(j, "detail"), 0), "loc");
    assert_int_equal(json_array_size(loc), 1);
    json_decref(j);
    req_done(&req);
}

static void test_second_reply_replaces_first_without_leak(void **state)
{
    (void)state;
    http_req_t req;
    req_init(&req);
    http_reply_json(&req, 200, json_pack("{s:i}", "a", 1));
    http_error(&req, 409, "CONFLICT", "later");
    assert_int_equal(req.res.status, 409);
    json_t *j = body_json(&req);
    assert_string_equal(json_string_value(json_object_get(j, "error_code")), "CONFLICT");
    json_decref(j);
    req_done(&req);
}

static void test_json_reply_escapes_non_ascii(void **state)
{
    (void)state;
    http_req_t req;
    req_init(&req);
    http_reply_json(&req, 200, json_pack("{s:s}", "name", "Zoë"));
    assert_string_equal(req.res.body, "{\"name\":\"Zo\\u00EB\"}");
    req_done(&req);
}

static void test_set_header_replaces_case_insensitively(void **state)
{
    (void)state;
    http_req_t req;
    req_init(&req);
    http_set_header(&req, "Retry-After", "1");
    http_set_header(&req, "retry-after", "5");
    assert_int_equal(req.res.headers.n, 1);
    assert_string_equal(req.res.headers.items[0].value, "5");
    req_done(&req);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_has_detail_and_code),
        cmocka_unit_test(test_server_error_carries_request_id),
        cmocka_unit_test(test_validation_error_is_fastapi_list),
        cmocka_unit_test(test_field_error_without_field_has_short_loc),
        cmocka_unit_test(test_second_reply_replaces_first_without_leak),
        cmocka_unit_test(test_json_reply_escapes_non_ascii),
        cmocka_unit_test(test_set_header_replaces_case_insensitively),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
