/*
 * test_db_agg.c: db/db_agg: the scanner reads what both databases print for
 * integers and plain strings in place, refuses everything else (so the
 * caller falls back to jansson), and the fallback reads the same fields.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "db/db_agg.h"

static void assert_str(const agg_value_t *v, const char *want)
{
    assert_true(v->is_str);
    assert_int_equal(v->len, strlen(want));
    assert_memory_equal(v->s, want, v->len);
}

static void test_scans_both_dialects(void **state)
{
    (void)state;
    static const char *const texts[] = {
        "[[1,\"Music\",\"music\"],[4,\"Sports\",\"sports\"]]",      /* SQLite json_group_array */
        "[[1, \"Music\", \"music\"], [4, \"Sports\", \"sports\"]]", /* PostgreSQL json_agg */
    };
    for (int t = 0; t < 2; t++) {
        agg_value_t v[6];
        assert_int_equal(agg_scan(texts[t], 3, v, 2), 2);
        assert_false(v[0].is_str);
        assert_int_equal(v[0].i, 1);
        assert_str(&v[1], "Music");
        assert_str(&v[2], "music");
        assert_int_equal(v[3].i, 4);
        assert_str(&v[5], "sports");
    }
}

static void test_empty_and_null(void **state)
{
    (void)state;
    agg_value_t v[3];
    json_t *doc;
    assert_int_equal(agg_scan(NULL, 3, v, 4), 0);
    assert_int_equal(agg_scan("[]", 3, v, 4), 0);
    assert_int_equal(agg_scan(" [ ] ", 3, v, 4), 0);
    assert_int_equal(agg_load(NULL, 3, v, 4, &doc), 0);
    assert_int_equal(agg_load("[]", 3, v, 4, &doc), 0);
    json_decref(doc);
}

/* Refused by the scanner; what jansson then makes of it. */
static void test_refusals_and_fallback(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int jansson; /* rows agg_load reads, -1 when it refuses too */
    } cases[] = {
        {"[[1,\"Caf\\u00e9\",\"cafe\"]]", 1},                      /* an escape */
        {"[[1,\"Caf\xc3\xa9\",\"cafe\"]]", 1},                     /* raw UTF-8 */
        {"[[1,\"a\\\"b\",\"c\"]]", 1},                             /* an escaped quote */
        {"[[1.5,\"a\",\"b\"]]", -1},                               /* a float */
        {"[[1e2,\"a\",\"b\"]]", -1},                               /* an exponent */
        {"[[null,\"a\",\"b\"]]", -1},                              /* a null */
        {"[[01,\"a\",\"b\"]]", -1},                                /* a leading zero */
        {"[[99999999999999999999,\"a\",\"b\"]]", -1},              /* out of range */
        {"[[1,\"a\"]]", -1},                                       /* too narrow */
        {"[[1,\"a\",\"b\",2]]", -1},                               /* too wide */
        {"[[1,\"a\",\"b\"]] x", -1},                               /* trailing text */
        {"[[1,\"a\",\"b\"]", -1},                                  /* unterminated */
        {"[[1,\"a\",\"b\"],[2,\"c\",\"d\"],[3,\"e\",\"f\"]]", -1}, /* more rows than room */
        {"{\"a\":1}", -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        agg_value_t v[6];
        json_t *doc;
        assert_int_equal(agg_scan(cases[i].text, 3, v, 2), -1);
        assert_int_equal(agg_load(cases[i].text, 3, v, 2, &doc), cases[i].jansson);
        if (cases[i].jansson == 1)
            assert_true(v[1].is_str && v[1].len >= 3);
        json_decref(doc);
    }
    agg_value_t v[3];
    json_t *doc;
    assert_int_equal(agg_load("[[1,\"Caf\\u00e9\",\"cafe\"]]", 3, v, 1, &doc), 1);
    assert_str(&v[1], "Caf\xc3\xa9");
    json_decref(doc);
}

static void test_negative_and_extremes(void **state)
{
    (void)state;
    agg_value_t v[2];
    assert_int_equal(agg_scan("[[-9223372036854775808, 9223372036854775807]]", 2, v, 1), 1);
    assert_true(v[0].i == INT64_MIN);
    assert_true(v[1].i == INT64_MAX);
    assert_int_equal(agg_scan("[[-0, 0]]", 2, v, 1), 1);
    assert_int_equal(v[0].i, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scans_both_dialects),
        cmocka_unit_test(test_empty_and_null),
        cmocka_unit_test(test_refusals_and_fallback),
        cmocka_unit_test(test_negative_and_extremes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
