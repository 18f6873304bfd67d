/*
 * test_http_router.c: http/router: pattern compilation, literal and typed
 * matching, specificity (literal > typed > string, whatever the order of
 * registration), 405 with the allow mask, 400-style bad parameters,
 * percent-decoded segments, slashes, the segment limit, and the int/uuid
 * checks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http/route.h"
#include "http/router.h"

typedef struct {
    router_t *r;
    arena_t arena;
    route_match_t m;
} fixture_t;

static int router_setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    f->r = router_new();
    if (!f->r)
        return -1;
    arena_init(&f->arena);
    *state = f;
    return 0;
}

static int router_teardown(void **state)
{
    fixture_t *f = *state;
    router_free(f->r);
    arena_free(&f->arena);
    free(f);
    return 0;
}

static void add(fixture_t *f, int methods, const char *pattern)
{
    if (router_add(f->r, methods, pattern, BODY_NONE) != 0)
        fail_msg("router_add(%s) failed", pattern);
}

static route_result_t match(fixture_t *f, int method, const char *path)
{
    return router_match(f->r, method, path, &f->arena, &f->m);
}

/* Matches and checks which pattern won. */
static void assert_routes_to(fixture_t *f, int method, const char *path, const char *pattern)
{
    route_result_t rr = match(f, method, path);
    if (rr != ROUTE_FOUND)
        fail_msg("%s: expected %s, got result %d", path, pattern, (int)rr);
    assert_non_null(f->m.route);
    assert_string_equal(f->m.route->pattern, pattern);
}

static const char *param(const fixture_t *f, const char *name)
{
    for (int i = 0; i < f->m.nparams; i++)
        if (strcmp(f->m.params[i].name, name) == 0)
            return f->m.params[i].value;
    return NULL;
}

/* ---- router_add, router_count, router_at ------------------------------------ */

static void test_new_router_is_empty(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(router_count(f->r), 0);
    assert_int_equal(match(f, HTTP_GET, "/"), ROUTE_NOT_FOUND);
}

static void test_free_null_is_safe(void **state)
{
    (void)state;
    router_free(NULL);
}

static void test_add_records_route_fields(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(router_add(f->r, HTTP_GET, "/a", BODY_NONE), 0);
    assert_int_equal(router_add(f->r, HTTP_POST | HTTP_PUT, "/b/{id:int}", BODY_FORM), 0);
    assert_int_equal(router_count(f->r), 2);
    const route_t *rt = router_at(f->r, 1);
    assert_string_equal(rt->pattern, "/b/{id:int}");
    assert_int_equal(rt->methods, HTTP_POST | HTTP_PUT);
    assert_null(rt->def);
    assert_int_equal(rt->body, BODY_FORM);
    assert_int_equal(rt->index, 1);
    assert_int_equal(rt->nseg, 2);
    assert_string_equal(rt->segs[0].lit, "b");
    assert_null(rt->segs[1].lit);
    assert_string_equal(rt->segs[1].name, "id");
    assert_int_equal(rt->segs[1].type, PARAM_INT);
    assert_int_equal(router_at(f->r, 0)->index, 0);
}

static void test_add_parses_param_types(void **state)
{
    fixture_t *f = *state;
    add(f, HTTP_GET, "/x/{a}/{b:str}/{c:int}/{d:uuid}");
    const route_t *rt = router_at(f->r, 0);
    assert_int_equal(rt->segs[1].type, PARAM_STR);
    assert_string_equal(rt->segs[1].name, "a");
    assert_int_equal(rt->segs[2].type, PARAM_STR);
    assert_string_equal(rt->segs[2].name, "b");
    assert_int_equal(rt->segs[3].type, PARAM_INT);
    assert_int_equal(rt->segs[4].type, PARAM_UUID);
    assert_string_equal(rt->segs[4].name, "d");
}

static void test_add_many_routes_grows_table(void **state)
{
    fixture_t *f = *state;
    static char patterns[200][32];
    for (int i = 0; i < 200; i++) {
        snprintf(patterns[i], sizeof patterns[i], "/r%d/{id:int}", i);
        add(f, HTTP_GET, patterns[i]);
    }
    assert_int_equal(router_count(f->r), 200);
    assert_routes_to(f, HTTP_GET, "/r0/1", "/r0/{id:int}");
    assert_routes_to(f, HTTP_GET, "/r199/1", "/r199/{id:int}");
    assert_int_equal(f->m.route->index, 199);
}

static void assert_add_refused(fixture_t *f, const char *pattern)
{
    int before = router_count(f->r);
    if (router_add(f->r, HTTP_GET, pattern, BODY_NONE) != -1)
        fail_msg("pattern \"%s\" should be refused", pattern);
    assert_int_equal(router_count(f->r), before);
}

static void test_add_refuses_malformed_patterns(void **state)
{
    fixture_t *f = *state;
    assert_add_refused(f, "");
    assert_add_refused(f, "api/events");
    assert_add_refused(f, "/api//events");
    assert_add_refused(f, "//");
    assert_add_refused(f, "/api/{}");
    assert_add_refused(f, "/api/{:int}");
    assert_add_refused(f, "/api/{id");
    assert_add_refused(f, "/api/{id:float}");
    assert_add_refused(f, "/api/{id:}");
    assert_add_refused(f, "/api/{id:integer}");
}

static void test_add_refuses_too_many_segments(void **state)
{
    fixture_t *f = *state;
    add(f, HTTP_GET, "/1/2/3/4/5/6/7/8/9/10/11/12");
    assert_add_refused(f, "/1/2/3/4/5/6/7/8/9/10/11/12/13");
}

static void test_refused_pattern_does_not_disturb_table(void **state)
{
    fixture_t *f = *state;
    add(f, HTTP_GET, "/a/{id:int}");
    assert_add_refused(f, "/b/{x}/{y:bogus}");
    add(f, HTTP_GET, "/c");
    assert_int_equal(router_count(f->r), 2);
    assert_routes_to(f, HTTP_GET, "/a/1", "/a/{id:int}");
    assert_routes_to(f, HTTP_GET, "/c", "/c");
    assert_int_equal(match(f, HTTP_GET, "/b/x/y"), ROUTE_NOT_FOUND);
}

/* ---- literal matching -------------------------------------------------------- */

static void test_root_route(void **state)
{
    fixture_t *f = *state;
    add(f, HTTP_GET, "/");
    add(f, HTTP_GET, "/api");
    assert_routes_to(f, HTTP_GET, "/", "/");
    assert_int_equal(f->m.nparams, 0);
    assert_routes_to(f, HTTP_GET, "/api", "/api");
}

static void test_literal_route(void **state)
{
    fixture_t *f = *state;
    add(f, HTTP_GET, "/api/health");
    add(f, HTTP_GET, "/api/openapi.json");
    assert_routes_to(f, HTTP_GET, "/api/health", "/api/health");
    assert_routes_to(f, HTTP_GET, "/api/openapi.json", "/api/openapi.json");
}

static void test_literal_is_case_sensitive(void **state)
{
    fixture_t *f = *state;
    add(f, HTTP_GET, "/api/health");
    assert_int_equal(match(f, HTTP_GET, "/API/health"), ROUTE_NOT_FOUND);
}

static void test_segment_count_must_match(void **state)
{
    fixture_t *f = *state;
    add(f, HTTP_GET, "/api/events/{event_id:int}");
    assert_int_equal(match(f, HTTP_GET, "/api/events"), ROUTE_NOT_FOUND);
    assert_int_equal(match(f, HTTP_GET, "/api/events/1/extra"), ROUTE_NOT_FOUND);
    assert_int_equal(match(f, HTTP_GET, "/api/events/1"), ROUTE_FOUND);
}

static void test_unknown_path_is_not_found(void **state)
{
    fixture_t *f = *state;
    add(f, HTTP_GET, "/api/health");
    assert_int_equal(match(f, HTTP_GET, "/api/healthz"), ROUTE_NOT_FOUND);
    assert_int_equal(match(f, HTTP_GET, "/api/healt"), ROUTE_NOT_FOUND);
    assert_int_equal(match(f, HTTP_GET, "/"), ROUTE_NOT_FOUND);
    assert_null(f->m.route);
}

/* ---- parameters ---------------------------------------------------------------- */

static void test_params_are_extracted_in_pattern_order(void **state)
{
    fixture_t *f = *state;
    add(f, HTTP_GET, "/api/events/{event_id:int}/requests/{request_id:int}");
    assert_routes_to(f, HTTP_GET, "/api/events/12/requests/345",
                     "/api/events/{event_id:int}/requests/{request_id:int}");
    assert_int_equal(f->m.nparams, 2);
    assert_string_equal(f->m.params[0].name, "event_id");
    assert_string_equal(f->m.params[0].value, "12");
    assert_string_equal(f->m.params[1].name, "request_id");
    assert_string_equal(f->m.params[1].value, "345");
}

static void test_string_param_takes_any_segment(void **state)
{
    fixture_t *f = *state;
    add(f, HTTP_GET, "/e/{slug}");
    assert_routes_to(f, HTTP_GET, "/e/summer-fest_2024.v2", "/e/{slug}");
    assert_string_equal(param(f, "slug"), "summer-fest_2024.v2");
}

static void test_uuid_param(void **state)
{
    fixture_t *f = *state;
    add(f, HTTP_GET, "/tickets/{ticket_id:uuid}");
    assert_routes_to(f, HTTP_GET, "/tickets/123e4567-e89b-12d3-a456-426614174000",
                     "/tickets/{ticket_id:uuid}");
    assert_string_equal(param(f, "ticket_id"), "123e4567-e89b-12d3-a456-426614174000");
    assert_routes_to(f, HTTP_GET, "/tickets/123E4567-E89B-12D3-A456-426614174000",
                     "/tickets/{ticket_id:uuid}");
}

static void test_bad_int_param_reports_name_value_and_type(void **state)
{
    fixture_t *f = *state;
    add(f, HTTP_GET, "/api/events/{event_id:int}");
    assert_int_equal(match(f, HTTP_GET, "/api/events/abc"), ROUTE_BAD_PARAM);
    assert_string_equal(f->m.route->pattern, "/api/events/{event_id:int}");
    assert_string_equal(f->m.bad_name, "event_id");
    assert_string_equal(f->m.bad_value, "abc");
    assert_int_equal(f->m.bad_type, PARAM_INT);
}

static void test_bad_uuid_param(void **state)
{
    fixture_t *f = *state;
    add(f, HTTP_GET, "/tickets/{ticket_id:uuid}");
    assert_int_equal(match(f, HTTP_GET, "/tickets/123"), ROUTE_BAD_PARAM);
    assert_string_equal(f->m.bad_name, "ticket_id");
    assert_string_equal(f->m.bad_value, "123");
    assert_int_equal(f->m.bad_type, PARAM_UUID);
}

static void test_bad_param_reports_first_bad_segment(void **state)
{
    fixture_t *f = *state;
    add(f, HTTP_GET, "/e/{event_id:int}/r/{request_id:int}");
    assert_int_equal(match(f, HTTP_GET, "/e/1/r/x"), ROUTE_BAD_PARAM);
    assert_string_equal(f->m.bad_name, "request_id");
    assert_int_equal(match(f, HTTP_GET, "/e/y/r/x"), ROUTE_BAD_PARAM);
    assert_string_equal(f->m.bad_name, "event_id");
    assert_string_equal(f->m.bad_value, "y");
}

static void test_bad_param_value_is_decoded(void **state)
{
    fixture_t *f = *state;
    add(f, HTTP_GET, "/api/events/{event_id:int}");
    assert_int_equal(match(f, HTTP_GET, "/api/events/1%20OR%201"), ROUTE_BAD_PARAM);
    assert_string_equal(f->m.bad_value, "1 OR 1");
}

static void test_int_param_overflow_is_bad_param(void **state)
{
    fixture_t *f = *state;
    add(f, HTTP_GET, "/api/events/{event_id:int}");
    assert_int_equal(match(f, HTTP_GET, "/api/events/9223372036854775807"), ROUTE_FOUND);
    assert_int_equal(match(f, HTTP_GET, "/api/events/9223372036854775808"), ROUTE_BAD_PARAM);
}

/* ---- specificity ------------------------------------------------------------------ */

static void test_literal_beats_param_registered_first(void **state)
{
    fixture_t *f = *state;
    add(f, HTTP_GET, "/api/events/{event_id:int}");
    add(f, HTTP_GET, "/api/events/{slug}");
    add(f, HTTP_GET, "/api/events/my-tickets");
    assert_routes_to(f, HTTP_GET, "/api/events/my-tickets", "/api/events/my-tickets");
    assert_int_equal(f->m.nparams, 0);
}

static void test_literal_beats_param_registered_last(void **state)
{
    fixture_t *f = *state;
    add(f, HTTP_GET, "/api/events/my-tickets");
    add(f, HTTP_GET, "/api/events/{slug}");
    assert_routes_to(f, HTTP_GET, "/api/events/my-tickets", "/api/events/my-tickets");
    assert_routes_to(f, HTTP_GET, "/api/events/other", "/api/events/{slug}");
}

static void test_typed_param_beats_string_param(void **state)
{
    fixture_t *f = *state;
    add(f, HTTP_GET, "/e/{slug}");
    add(f, HTTP_GET, "/e/{event_id:int}");
    assert_routes_to(f, HTTP_GET, "/e/42", "/e/{event_id:int}");
    assert_string_equal(param(f, "event_id"), "42");
    assert_routes_to(f, HTTP_GET, "/e/spring-gala", "/e/{slug}");
    assert_string_equal(param(f, "slug"), "spring-gala");
}

static void test_string_param_saves_typed_mismatch(void **state)
{
    fixture_t *f = *state;
    add(f, HTTP_GET, "/e/{event_id:int}");
    add(f, HTTP_GET, "/e/{code}");
    /* the int route does not parse, but another route fits: no 400 */
    assert_routes_to(f, HTTP_GET, "/e/abc", "/e/{code}");
}

static void test_more_literal_segments_win(void **state)
{
    fixture_t *f = *state;
    add(f, HTTP_GET, "/{a}/{b}/c");
    add(f, HTTP_GET, "/x/{b}/{c}");
    add(f, HTTP_GET, "/x/y/{c}");
    assert_routes_to(f, HTTP_GET, "/x/y/c", "/x/y/{c}");
    assert_routes_to(f, HTTP_GET, "/x/z/c", "/{a}/{b}/c"); /* tie: first registered */
    assert_routes_to(f, HTTP_GET, "/q/z/c", "/{a}/{b}/c");
    assert_routes_to(f, HTTP_GET, "/x/z/q", "/x/{b}/{c}");
}

static void test_equal_score_first_registered_wins(void **state)
{
    fixture_t *f = *state;
    add(f, HTTP_GET, "/p/{first}");
    add(f, HTTP_GET, "/p/{second}");
    assert_routes_to(f, HTTP_GET, "/p/v", "/p/{first}");
    assert_string_equal(param(f, "first"), "v");
}

/* ---- methods -------------------------------------------------------------------- */

static void test_method_selects_among_same_path(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(router_add(f->r, HTTP_GET, "/api/events/{event_id:int}", BODY_NONE), 0);
    assert_int_equal(router_add(f->r, HTTP_PATCH, "/api/events/{event_id:int}", BODY_JSON), 0);
    assert_int_equal(match(f, HTTP_PATCH, "/api/events/7"), ROUTE_FOUND);
    assert_int_equal(f->m.route->methods, HTTP_PATCH);
    assert_int_equal(match(f, HTTP_GET, "/api/events/7"), ROUTE_FOUND);
    assert_int_equal(f->m.route->methods, HTTP_GET);
}

static void test_multi_method_route(void **state)
{
    fixture_t *f = *state;
    add(f, HTTP_GET | HTTP_HEAD, "/api/health");
    assert_int_equal(match(f, HTTP_HEAD, "/api/health"), ROUTE_FOUND);
    assert_int_equal(match(f, HTTP_GET, "/api/health"), ROUTE_FOUND);
}

static void test_wrong_method_is_405_with_allow_mask(void **state)
{
    fixture_t *f = *state;
    add(f, HTTP_GET, "/api/events/{event_id:int}");
    add(f, HTTP_PATCH | HTTP_DELETE, "/api/events/{event_id:int}");
    add(f, HTTP_POST, "/api/events");
    assert_int_equal(match(f, HTTP_PUT, "/api/events/7"), ROUTE_METHOD_NOT_ALLOWED);
    assert_int_equal(f->m.allow_methods, HTTP_GET | HTTP_PATCH | HTTP_DELETE);
    assert_null(f->m.route);
}

static void test_allow_mask_includes_param_routes_of_same_shape(void **state)
{
    fixture_t *f = *state;
    add(f, HTTP_GET, "/api/events/my-tickets");
    add(f, HTTP_DELETE, "/api/events/{slug}");
    assert_int_equal(match(f, HTTP_POST, "/api/events/my-tickets"), ROUTE_METHOD_NOT_ALLOWED);
    assert_int_equal(f->m.allow_methods, HTTP_GET | HTTP_DELETE);
}

static void test_less_specific_route_serves_other_method(void **state)
{
    fixture_t *f = *state;
    add(f, HTTP_GET, "/api/events/my-tickets");
    add(f, HTTP_DELETE, "/api/events/{slug}");
    assert_routes_to(f, HTTP_DELETE, "/api/events/my-tickets", "/api/events/{slug}");
}

static void test_bad_param_with_wrong_method_is_405(void **state)
{
    fixture_t *f = *state;
    add(f, HTTP_GET, "/api/events/{event_id:int}");
    assert_int_equal(match(f, HTTP_POST, "/api/events/abc"), ROUTE_METHOD_NOT_ALLOWED);
    assert_int_equal(f->m.allow_methods, HTTP_GET);
}

static void test_preflight_method_mask_reports_bad_param(void **state)
{
    fixture_t *f = *state;
    add(f, HTTP_GET, "/api/events/{event_id:int}");
    /* an OPTIONS-style lookup with every method bit still reports 400 */
    assert_int_equal(match(f, 0x7f, "/api/events/abc"), ROUTE_BAD_PARAM);
}

/* Two routes of the same shape, differing in type and method: the request's
 * method decides which typed parameter was meant. POST /x/abc must be a bad
 * uuid for the POST route, not "405, only GET allowed" (POST is allowed). */
static void test_bad_param_prefers_route_allowing_the_method(void **state)
{
    fixture_t *f = *state;
    add(f, HTTP_GET, "/x/{id:int}");
    add(f, HTTP_POST, "/x/{key:uuid}");
    assert_int_equal(match(f, HTTP_POST, "/x/abc"), ROUTE_BAD_PARAM);
    assert_string_equal(f->m.bad_name, "key");
    assert_int_equal(f->m.bad_type, PARAM_UUID);
}

/* ---- path handling ---------------------------------------------------------------- */

static void test_trailing_slash_is_ignored(void **state)
{
    fixture_t *f = *state;
    add(f, HTTP_GET, "/api/health");
    assert_routes_to(f, HTTP_GET, "/api/health/", "/api/health");
    assert_routes_to(f, HTTP_GET, "/api/health///", "/api/health");
}

static void test_repeated_slashes_are_collapsed(void **state)
{
    fixture_t *f = *state;
    add(f, HTTP_GET, "/api/events/{event_id:int}");
    assert_routes_to(f, HTTP_GET, "//api//events///9", "/api/events/{event_id:int}");
    assert_string_equal(param(f, "event_id"), "9");
}

static void test_only_slashes_is_root(void **state)
{
    fixture_t *f = *state;
    add(f, HTTP_GET, "/");
    assert_routes_to(f, HTTP_GET, "///", "/");
}

static void test_percent_encoded_literal_matches(void **state)
{
    fixture_t *f = *state;
    add(f, HTTP_GET, "/api/events");
    assert_routes_to(f, HTTP_GET, "/api/%65vents", "/api/events");
    assert_routes_to(f, HTTP_GET, "/%61%70%69/events", "/api/events");
}

static void test_param_is_percent_decoded(void **state)
{
    fixture_t *f = *state;
    add(f, HTTP_GET, "/e/{slug}");
    assert_routes_to(f, HTTP_GET, "/e/caf%C3%A9%20bar", "/e/{slug}");
    assert_string_equal(param(f, "slug"), "caf\xc3\xa9 bar");
}

static void test_encoded_slash_stays_inside_segment(void **state)
{
    fixture_t *f = *state;
    add(f, HTTP_GET, "/e/{slug}");
    add(f, HTTP_GET, "/e/{a}/{b}");
    assert_routes_to(f, HTTP_GET, "/e/a%2Fb", "/e/{slug}");
    assert_string_equal(param(f, "slug"), "a/b");
}

static void test_plus_is_not_space_in_path(void **state)
{
    fixture_t *f = *state;
    add(f, HTTP_GET, "/e/{slug}");
    assert_routes_to(f, HTTP_GET, "/e/a+b", "/e/{slug}");
    assert_string_equal(param(f, "slug"), "a+b");
}

static void test_malformed_escape_is_not_found(void **state)
{
    fixture_t *f = *state;
    add(f, HTTP_GET, "/e/{slug}");
    assert_int_equal(match(f, HTTP_GET, "/e/%zz"), ROUTE_NOT_FOUND);
    assert_int_equal(match(f, HTTP_GET, "/e/abc%"), ROUTE_NOT_FOUND);
    assert_int_equal(match(f, HTTP_GET, "/e/abc%4"), ROUTE_NOT_FOUND);
}

static void test_encoded_nul_is_not_found(void **state)
{
    fixture_t *f = *state;
    add(f, HTTP_GET, "/e/{slug}");
    assert_int_equal(match(f, HTTP_GET, "/e/ab%00cd"), ROUTE_NOT_FOUND);
}

static void test_twelve_segments_match(void **state)
{
    fixture_t *f = *state;
    add(f, HTTP_GET, "/a/b/c/d/e/f/g/h/i/j/k/{last}");
    assert_routes_to(f, HTTP_GET, "/a/b/c/d/e/f/g/h/i/j/k/z", "/a/b/c/d/e/f/g/h/i/j/k/{last}");
    assert_string_equal(param(f, "last"), "z");
}

static void test_too_many_segments_is_not_found(void **state)
{
    fixture_t *f = *state;
    add(f, HTTP_GET, "/a/b/c/d/e/f/g/h/i/j/k/{last}");
    assert_int_equal(match(f, HTTP_GET, "/a/b/c/d/e/f/g/h/i/j/k/l/m"), ROUTE_NOT_FOUND);
    assert_int_equal(match(f, HTTP_GET, "/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/17/18/19/20"),
                     ROUTE_NOT_FOUND);
}

static void test_match_resets_previous_result(void **state)
{
    fixture_t *f = *state;
    add(f, HTTP_GET, "/e/{slug}");
    assert_int_equal(match(f, HTTP_GET, "/e/one"), ROUTE_FOUND);
    assert_int_equal(match(f, HTTP_GET, "/nothing/here"), ROUTE_NOT_FOUND);
    assert_null(f->m.route);
    assert_int_equal(f->m.nparams, 0);
    assert_int_equal(f->m.allow_methods, 0);
}

/* ---- router_parse_int and router_is_uuid ------------------------------------------- */

static void test_parse_int_accepts_decimal(void **state)
{
    (void)state;
    int64_t v = 0;
    assert_true(router_parse_int("0", &v));
    assert_int_equal(v, 0);
    assert_true(router_parse_int("42", &v));
    assert_int_equal(v, 42);
    assert_true(router_parse_int("007", &v));
    assert_int_equal(v, 7);
    assert_true(router_parse_int("-5", &v));
    assert_int_equal(v, -5);
    assert_true(router_parse_int("+9", &v));
    assert_int_equal(v, 9);
}

static void test_parse_int_limits(void **state)
{
    (void)state;
    int64_t v = 0;
    assert_true(router_parse_int("9223372036854775807", &v));
    assert_true(v == INT64_MAX);
    assert_true(router_parse_int("-9223372036854775808", &v));
    assert_true(v == INT64_MIN);
    assert_false(router_parse_int("9223372036854775808", &v));
    assert_false(router_parse_int("-9223372036854775809", &v));
    assert_false(router_parse_int("99999999999999999999999", &v));
}

static void test_parse_int_rejects_non_digits(void **state)
{
    (void)state;
    static const char *bad[] = {"",    "-",   "+",   "1.5", " 1",       "1 ", "0x10",
                                "1e3", "12a", "--1", "+-1", "\xd9\xa1", "\t7"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t v = 123;
        if (router_parse_int(bad[i], &v))
            fail_msg("\"%s\" should not parse", bad[i]);
        assert_int_equal(v, 123);
    }
}

static void test_is_uuid(void **state)
{
    (void)state;
    assert_true(router_is_uuid("00000000-0000-0000-0000-000000000000"));
    assert_true(router_is_uuid("123e4567-e89b-12d3-a456-426614174000"));
    assert_true(router_is_uuid("ABCDEF01-2345-6789-ABCD-EF0123456789"));
}

static void test_is_uuid_rejects_wrong_shapes(void **state)
{
    (void)state;
    static const char *bad[] = {
        "",
        "123e4567-e89b-12d3-a456-42661417400",   /* 35 */
        "123e4567-e89b-12d3-a456-4266141740000", /* 37 */
        "123e4567e89b-12d3-a456-4266141740000",  /* dash missing */
        "123e4567-e89b-12d3-a4564-26614174000",  /* dash moved */
        "123e4567-e89b-12d3-a456-42661417400g",  /* non-hex */
        "{23e4567-e89b-12d3-a456-42661417400}",
        "123e4567 e89b 12d3 a456 426614174000",
        "123e4567-e89b-12d3-a456-426614174000\n",
        "123e456--e89b-12d3-a456-426614174000",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (router_is_uuid(bad[i]))
            fail_msg("\"%s\" should not be a uuid", bad[i]);
}

/* ---- declared routes (router_add_def) ----------------------------------------- */

static err_t *noop(http_req_t *req, op_t *op, const input_t *in)
{
    (void)req;
    (void)op;
    (void)in;
    return NULL;
}

static err_t *owner_ok(http_req_t *req, op_t *op)
{
    (void)req;
    (void)op;
    return NULL;
}

static void test_def_refuses_undeclared_auth(void **state)
{
    fixture_t *f = *state;
    route_def_t d = {.method = HTTP_GET, .pattern = "/x", .handler = noop};
    assert_int_equal(router_add_def(f->r, &d, false), -1);
    d.auth = AUTH_ANONYMOUS;
    assert_int_equal(router_add_def(f->r, &d, false), 0);
    assert_ptr_equal(router_at(f->r, 0)->def, &d);
}

static void test_def_refuses_host_without_owner_and_missing_handler(void **state)
{
    fixture_t *f = *state;
    route_def_t d = {
        .method = HTTP_PUT, .pattern = "/e/{id:int}", .handler = noop, .auth = AUTH_HOST};
    assert_int_equal(router_add_def(f->r, &d, false), -1);
    d.owner = owner_ok;
    assert_int_equal(router_add_def(f->r, &d, false), 0);
    route_def_t none = {.method = HTTP_GET, .pattern = "/n", .auth = AUTH_ANONYMOUS};
    assert_int_equal(router_add_def(f->r, &none, false), -1);
}

static void test_def_refuses_bad_pattern_regex_and_duplicates(void **state)
{
    fixture_t *f = *state;
    static const field_t bad[] = {{"s", FT_STRING, 0, .pattern = "([a-z"}, FIELDS_END};
    route_def_t d = {.method = HTTP_GET,
                     .pattern = "/p",
                     .handler = noop,
                     .auth = AUTH_ANONYMOUS,
                     .fields = bad};
    assert_int_equal(router_add_def(f->r, &d, false), -1);
    route_def_t ok = {.method = HTTP_GET, .pattern = "/p", .handler = noop, .auth = AUTH_ANONYMOUS};
    assert_int_equal(router_add_def(f->r, &ok, false), 0);
    assert_int_equal(router_add_def(f->r, &ok, false), -1); /* taken */
    route_def_t broken = {
        .method = HTTP_GET, .pattern = "no-slash", .handler = noop, .auth = AUTH_ANONYMOUS};
    assert_int_equal(router_add_def(f->r, &broken, false), -1);
}

static void test_def_test_only_routes_exist_only_in_test_mode(void **state)
{
    fixture_t *f = *state;
    route_def_t d = {.method = HTTP_GET,
                     .pattern = "/_t",
                     .handler = noop,
                     .auth = AUTH_ANONYMOUS,
                     .test_only = true};
    assert_int_equal(router_add_def(f->r, &d, false), 0);
    assert_int_equal(router_count(f->r), 0);
    assert_int_equal(router_add_def(f->r, &d, true), 0);
    assert_int_equal(router_count(f->r), 1);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, router_setup, router_teardown)
    const struct CMUnitTest tests[] = {
        T(test_new_router_is_empty),
        cmocka_unit_test(test_free_null_is_safe),
        T(test_add_records_route_fields),
        T(test_add_parses_param_types),
        T(test_add_many_routes_grows_table),
        T(test_add_refuses_malformed_patterns),
        T(test_add_refuses_too_many_segments),
        T(test_refused_pattern_does_not_disturb_table),
        T(test_root_route),
        T(test_literal_route),
        T(test_literal_is_case_sensitive),
        T(test_segment_count_must_match),
        T(test_unknown_path_is_not_found),
        T(test_params_are_extracted_in_pattern_order),
        T(test_string_param_takes_any_segment),
        T(test_uuid_param),
        T(test_bad_int_param_reports_name_value_and_type),
        T(test_bad_uuid_param),
        T(test_bad_param_reports_first_bad_segment),
        T(test_bad_param_value_is_decoded),
        T(test_int_param_overflow_is_bad_param),
        T(test_literal_beats_param_registered_first),
        T(test_literal_beats_param_registered_last),
        T(test_typed_param_beats_string_param),
        T(test_string_param_saves_typed_mismatch),
        T(test_more_literal_segments_win),
        T(test_equal_score_first_registered_wins),
        T(test_method_selects_among_same_path),
        T(test_multi_method_route),
        T(test_wrong_method_is_405_with_allow_mask),
        T(test_allow_mask_includes_param_routes_of_same_shape),
        T(test_less_specific_route_serves_other_method),
        T(test_bad_param_with_wrong_method_is_405),
        T(test_preflight_method_mask_reports_bad_param),
        T(test_bad_param_prefers_route_allowing_the_method),
        T(test_trailing_slash_is_ignored),
        T(test_repeated_slashes_are_collapsed),
        T(test_only_slashes_is_root),
        T(test_def_refuses_undeclared_auth),
        T(test_def_refuses_host_without_owner_and_missing_handler),
        T(test_def_refuses_bad_pattern_regex_and_duplicates),
        T(test_def_test_only_routes_exist_only_in_test_mode),
        T(test_percent_encoded_literal_matches),
        T(test_param_is_percent_decoded),
        T(test_encoded_slash_stays_inside_segment),
        T(test_plus_is_not_space_in_path),
        T(test_malformed_escape_is_not_found),
        T(test_encoded_nul_is_not_found),
        T(test_twelve_segments_match),
        T(test_too_many_segments_is_not_found),
        T(test_match_resets_previous_result),
        T(test_parse_int_accepts_decimal),
        T(test_parse_int_limits),
        T(test_parse_int_rejects_non_digits),
        T(test_is_uuid),
        T(test_is_uuid_rejects_wrong_shapes),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
