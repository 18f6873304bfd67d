/*
 * test_core_jsonw.c: the streaming writer prints exactly what jansson's
 * json_dumps prints with the flags http_reply_json uses, for strings of every
 * kind (control characters, quotes, non-ASCII in all UTF-8 lengths), reals,
 * integers and nested values; commas in the right places; and invalid UTF-8
 * (which jansson cannot hold) comes out as valid JSON.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonw.h"
#include "core/rand.h"

#define FLAGS (JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(10))

/* jw_json of v must equal json_dumps of v; consumes v. */
static void same_as_jansson(json_t *v)
{
    assert_non_null(v);
    char *want = json_dumps(v, FLAGS | JSON_ENCODE_ANY);
    assert_non_null(want);
    strbuf_t sb;
    sb_init(&sb);
    jw_t w;
    jw_init(&w, &sb);
    jw_json(&w, v);
    if (strcmp(sb.data, want) != 0)
        fail_msg("writer: %s\njansson: %s", sb.data, want);
    sb_free(&sb);
    free(want);
    json_decref(v);
}

/* Appends the UTF-8 form of code point cp. */
static size_t put_utf8(char *out, uint32_t cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

static void test_strings(void **state)
{
    (void)state;
    const char *fixed[] = {"",
                           "plain",
                           "quote \" back \\ slash / del \x7f",
                           "\b\f\n\r\t\x01\x1f",
                           "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x8e\x89",
                           "\xef\xbf\xbf \xed\x9f\xbf \xee\x80\x80"};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        same_as_jansson(json_string(fixed[i]));
    /* random code points from every range (no NUL, no surrogates) */
    for (int round = 0; round < 2000; round++) {
        char buf[400];
        size_t n = 0;
        int len = (int)rand_uniform(60);
        for (int k = 0; k < len; k++) {
            uint32_t range = rand_uniform(5), cp;
            cp = range == 0   ? 1 + rand_uniform(0x7f)
                 : range == 1 ? 0x80 + rand_uniform(0x780)
                 : range == 2 ? 0x800 + rand_uniform(0xd800 - 0x800)
                 : range == 3 ? 0xe000 + rand_uniform(0x2000)
                              : 0x10000 + rand_uniform(0x100000);
            n += put_utf8(buf + n, cp);
        }
        buf[n] = '\0';
        same_as_jansson(json_string(buf));
    }
}

static void test_numbers(void **state)
{
    (void)state;
    const double fixed[] = {
        0.0,   -0.0,           1.0, -1.5,      12.9716, 77.5946,   1e20,
        1e-5,  123456789012.0, 0.1, 1.0 / 3.0, 1e300,   -2.5e-300, 12345678901234567890.0,
        100.0, 5e-324};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        same_as_jansson(json_real(fixed[i]));
    for (int i = 0; i < 5000; i++) {
        uint64_t bits;
        rand_bytes(&bits, sizeof bits);
        double d;
        memcpy(&d, &bits, sizeof d);
        if (isfinite(d))
            same_as_jansson(json_real(d));
        same_as_jansson(json_integer((json_int_t)bits));
    }
    same_as_jansson(json_integer(INT64_MIN));
    same_as_jansson(json_integer(INT64_MAX));
}

static void test_nested(void **state)
{
    (void)state;
    same_as_jansson(json_pack(
        "{s:I, s:s, s:o, s:b, s:b, s:n, s:f, s:[], s:{}, s:[{s:i}, {}, [[]]]}", "id", (json_int_t)7,
        "title", "Jazz \"night\"", "host", json_pack("{s:I, s:n}", "id", (json_int_t)1, "image"),
        "paid", 1, "free", 0, "venue", "lat", 12.5, "empty", "obj", "list", "a", 1));
    same_as_jansson(json_pack("[i, s, [], {s:[i, i]}]", 1, "x", "k", 2, 3));
}

/* What jw_* calls write directly, commas included. */
static void test_direct(void **state)
{
    (void)state;
    strbuf_t sb;
    sb_init(&sb);
    jw_t w;
    jw_init(&w, &sb);
    jw_obj(&w);
    jw_key(&w, "a");
    jw_int(&w, 1);
    jw_key(&w, "b");
    jw_arr(&w);
    jw_str(&w, "x");
    jw_null(&w);
    jw_obj(&w);
    jw_obj_end(&w);
    jw_bool(&w, false);
    jw_real(&w, 2.0);
    jw_arr_end(&w);
    jw_key(&w, "c");
    jw_str(&w, NULL);
    jw_key(&w, "d");
    jw_real(&w, NAN);
    jw_obj_end(&w);
    assert_string_equal(sb.data, "{\"a\":1,\"b\":[\"x\",null,{},false,2.0],\"c\":null,\"d\":null}");
    sb_free(&sb);
}

static void test_invalid_utf8(void **state)
{
    (void)state;
    const char *bad[] = {"\xff", "a\xc3", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "x\x80y"};
    const char *want[] = {"\"\\uFFFD\"",
                          "\"a\\uFFFD\"",
                          "\"\\uFFFD\\uFFFD\"",
                          "\"\\uFFFD\\uFFFD\\uFFFD\"",
                          "\"\\uFFFD\\uFFFD\\uFFFD\\uFFFD\"",
                          "\"x\\uFFFDy\""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        strbuf_t sb;
        sb_init(&sb);
        jw_string_raw(&sb, bad[i]);
        assert_string_equal(sb.data, want[i]);
        json_t *back = json_loads(sb.data, JSON_DECODE_ANY, NULL);
        assert_non_null(back);
        json_decref(back);
        sb_free(&sb);
    }
}

int main(void)
{
    rand_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strings),      cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_nested),       cmocka_unit_test(test_direct),
        cmocka_unit_test(test_invalid_utf8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
