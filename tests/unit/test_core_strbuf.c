/*
 * test_core_strbuf.c: core/strbuf: appending, growth, printf, handing the
 * buffer over, and JSON string escaping. Every escaped string is also fed to
 * jansson, because the promise is "a log line stays one valid JSON line",
 * including for invalid UTF-8 (which must become U+FFFD, never pass through).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/strbuf.h"

/* ---- buffer basics ------------------------------------------------------- */

static void test_init_is_empty(void **state)
{
    (void)state;
    strbuf_t sb;
    sb_init(&sb);
    assert_null(sb.data);
    assert_int_equal(sb.len, 0);
    assert_int_equal(sb.cap, 0);
}

static void test_puts_appends_and_terminates(void **state)
{
    (void)state;
    strbuf_t sb;
    sb_init(&sb);
    sb_puts(&sb, "hello");
    sb_puts(&sb, ", ");
    sb_puts(&sb, "world");
    assert_string_equal(sb.data, "hello, world");
    assert_int_equal(sb.len, 12);
    sb_free(&sb);
}

static void test_putc_appends_one_byte(void **state)
{
    (void)state;
    strbuf_t sb;
    sb_init(&sb);
    sb_putc(&sb, 'a');
    sb_putc(&sb, 'b');
    assert_string_equal(sb.data, "ab");
    assert_int_equal(sb.len, 2);
    sb_free(&sb);
}

static void test_append_copies_exactly_n_bytes(void **state)
{
    (void)state;
    strbuf_t sb;
    sb_init(&sb);
    sb_append(&sb, "abcdef", 3);
    assert_string_equal(sb.data, "abc");
    assert_int_equal(sb.len, 3);
    sb_free(&sb);
}

static void test_append_keeps_embedded_nul(void **state)
{
    (void)state;
    strbuf_t sb;
    sb_init(&sb);
    sb_append(&sb, "a\0b", 3);
    assert_int_equal(sb.len, 3);
    assert_memory_equal(sb.data, "a\0b", 4); /* plus the terminator */
    sb_free(&sb);
}

static void test_append_zero_bytes_gives_empty_string(void **state)
{
    (void)state;
    strbuf_t sb;
    sb_init(&sb);
    sb_append(&sb, "", 0);
    assert_non_null(sb.data);
    assert_string_equal(sb.data, "");
    assert_int_equal(sb.len, 0);
    sb_free(&sb);
}

static void test_growth_preserves_content(void **state)
{
    (void)state;
    strbuf_t sb;
    sb_init(&sb);
    for (int i = 0; i < 10000; i++)
        sb_putc(&sb, (char)('a' + i % 26));
    assert_int_equal(sb.len, 10000);
    assert_true(sb.cap > sb.len);
    assert_int_equal(strlen(sb.data), 10000);
    for (int i = 0; i < 10000; i++)
        assert_int_equal(sb.data[i], 'a' + i % 26);
    sb_free(&sb);
}

static void test_single_large_append(void **state)
{
    (void)state;
    size_t n = 100000;
    char *big = malloc(n);
    assert_non_null(big);
    memset(big, 'z', n);
    strbuf_t sb;
    sb_init(&sb);
    sb_puts(&sb, "<");
    sb_append(&sb, big, n);
    sb_puts(&sb, ">");
    assert_int_equal(sb.len, n + 2);
    assert_int_equal(sb.data[0], '<');
    assert_int_equal(sb.data[n], 'z');
    assert_int_equal(sb.data[n + 1], '>');
    assert_int_equal(sb.data[n + 2], '\0');
    sb_free(&sb);
    free(big);
}

static void test_free_resets_and_allows_reuse(void **state)
{
    (void)state;
    strbuf_t sb;
    sb_init(&sb);
    sb_puts(&sb, "first");
    sb_free(&sb);
    assert_null(sb.data);
    assert_int_equal(sb.len, 0);
    assert_int_equal(sb.cap, 0);
    sb_puts(&sb, "second");
    assert_string_equal(sb.data, "second");
    sb_free(&sb);
}

/* ---- printf -------------------------------------------------------------- */

static void test_printf_formats(void **state)
{
    (void)state;
    strbuf_t sb;
    sb_init(&sb);
    sb_printf(&sb, "%s=%d;%05.1f", "n", -42, 3.5);
    assert_string_equal(sb.data, "n=-42;003.5");
    assert_int_equal(sb.len, strlen("n=-42;003.5"));
    sb_free(&sb);
}

static void test_printf_appends_to_existing(void **state)
{
    (void)state;
    strbuf_t sb;
    sb_init(&sb);
    sb_puts(&sb, "count: ");
    sb_printf(&sb, "%d", 7);
    sb_printf(&sb, " of %u", 9u);
    assert_string_equal(sb.data, "count: 7 of 9");
    sb_free(&sb);
}

static void test_printf_longer_than_initial_capacity(void **state)
{
    (void)state;
    char piece[1001];
    memset(piece, 'q', 1000);
    piece[1000] = '\0';
    strbuf_t sb;
    sb_init(&sb);
    sb_puts(&sb, "x");
    sb_printf(&sb, "[%s][%s]", piece, piece);
    assert_int_equal(sb.len, 1 + 2004);
    assert_int_equal(strlen(sb.data), sb.len);
    assert_int_equal(sb.data[1], '[');
    assert_int_equal(sb.data[sb.len - 1], ']');
    sb_free(&sb);
}

static void test_printf_empty_result_changes_nothing(void **state)
{
    (void)state;
    strbuf_t sb;
    sb_init(&sb);
    sb_puts(&sb, "keep");
    sb_printf(&sb, "%s", "");
    assert_string_equal(sb.data, "keep");
    assert_int_equal(sb.len, 4);
    sb_free(&sb);
}

/* ---- steal --------------------------------------------------------------- */

static void test_steal_hands_over_buffer_and_resets(void **state)
{
    (void)state;
    strbuf_t sb;
    sb_init(&sb);
    sb_puts(&sb, "payload");
    size_t len = 0;
    char *p = sb_steal(&sb, &len);
    assert_string_equal(p, "payload");
    assert_int_equal(len, 7);
    assert_null(sb.data);
    assert_int_equal(sb.len, 0);
    assert_int_equal(sb.cap, 0);
    free(p);
}

static void test_steal_of_empty_returns_empty_string(void **state)
{
    (void)state;
    strbuf_t sb;
    sb_init(&sb);
    size_t len = 99;
    char *p = sb_steal(&sb, &len);
    assert_non_null(p);
    assert_string_equal(p, "");
    assert_int_equal(len, 0);
    free(p);
}

static void test_steal_accepts_null_length(void **state)
{
    (void)state;
    strbuf_t sb;
    sb_init(&sb);
    sb_puts(&sb, "abc");
    char *p = sb_steal(&sb, NULL);
    assert_string_equal(p, "abc");
    free(p);
}

/* ---- JSON string escaping --------------------------------------------------- */

/* Escapes s and checks the exact output text. */
static void assert_json(const char *s, const char *want)
{
    strbuf_t sb;
    sb_init(&sb);
    sb_json_string(&sb, s);
    char got[256];
    snprintf(got, sizeof got, "%s", sb.data);
    sb_free(&sb); /* before the assertion, so a failure does not also leak */
    assert_string_equal(got, want);
}

/* Escapes s, parses it back with jansson and checks the decoded string. */
static void assert_json_decodes_to(const char *s, const char *want)
{
    strbuf_t sb;
    sb_init(&sb);
    sb_json_string(&sb, s);
    json_error_t err;
    json_t *j = json_loads(sb.data, JSON_DECODE_ANY, &err);
    char escaped[256];
    snprintf(escaped, sizeof escaped, "%s", sb.data);
    sb_free(&sb); /* before any assertion, so a failure does not also leak */
    if (!j)
        fail_msg("escaped %s is not valid JSON: %s", escaped, err.text);
    char got[256];
    snprintf(got, sizeof got, "%s", json_is_string(j) ? json_string_value(j) : "(not a string)");
    json_decref(j);
    assert_string_equal(got, want);
}

static void test_json_plain_ascii_is_quoted(void **state)
{
    (void)state;
    assert_json("hello world", "\"hello world\"");
}

static void test_json_empty_and_null(void **state)
{
    (void)state;
    assert_json("", "\"\"");
    assert_json(NULL, "\"\"");
}

static void test_json_appends_after_existing_text(void **state)
{
    (void)state;
    strbuf_t sb;
    sb_init(&sb);
    sb_puts(&sb, "{\"k\":");
    sb_json_string(&sb, "v");
    sb_putc(&sb, '}');
    assert_string_equal(sb.data, "{\"k\":\"v\"}");
    sb_free(&sb);
}

static void test_json_escapes_quote_and_backslash(void **state)
{
    (void)state;
    assert_json("say \"hi\" \\ bye", "\"say \\\"hi\\\" \\\\ bye\"");
}

static void test_json_escapes_newline_return_tab(void **state)
{
    (void)state;
    assert_json("a\nb\rc\td", "\"a\\nb\\rc\\td\"");
}

static void test_json_escapes_other_control_characters(void **state)
{
    (void)state;
    assert_json("\x01\x08\x0c\x1b\x1f", "\"\\u0001\\u0008\\u000c\\u001b\\u001f\"");
}

static void test_json_escapes_delete(void **state)
{
    (void)state;
    assert_json("a\x7f", "\"a\\u007f\"");
}

static void test_json_keeps_slash_and_printable_ascii(void **state)
{
    (void)state;
    assert_json("/api/x?y=1&z=<b>", "\"/api/x?y=1&z=<b>\"");
}

static void test_json_passes_valid_utf8_through(void **state)
{
    (void)state;
    /* e-acute (2 bytes), euro sign (3), rupee sign (3), emoji (4) */
    assert_json("caf\xc3\xa9 \xe2\x82\xac \xe2\x82\xb9 \xf0\x9f\x98\x80",
                "\"caf\xc3\xa9 \xe2\x82\xac \xe2\x82\xb9 \xf0\x9f\x98\x80\"");
}

static void test_json_passes_highest_code_points_through(void **state)
{
    (void)state;
    assert_json("\xef\xbf\xbd\xf4\x8f\xbf\xbf", "\"\xef\xbf\xbd\xf4\x8f\xbf\xbf\"");
}

static void test_json_lone_continuation_byte_becomes_replacement(void **state)
{
    (void)state;
    assert_json("a\x80z", "\"a\\ufffdz\"");
}

static void test_json_invalid_lead_bytes_become_replacement(void **state)
{
    (void)state;
    assert_json("\xff\xfe", "\"\\ufffd\\ufffd\"");
    assert_json("\xf8\x88\x80\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\"");
}

static void test_json_overlong_two_byte_becomes_replacement(void **state)
{
    (void)state;
    /* C0 AF is an overlong '/' */
    assert_json("\xc0\xaf", "\"\\ufffd\\ufffd\"");
    assert_json("\xc1\xbf", "\"\\ufffd\\ufffd\"");
}

static void test_json_truncated_sequence_at_end_becomes_replacement(void **state)
{
    (void)state;
    assert_json("x\xe2\x82", "\"x\\ufffd\\ufffd\"");
    assert_json("\xf0\x9f\x98", "\"\\ufffd\\ufffd\\ufffd\"");
}

static void test_json_truncated_sequence_before_ascii_keeps_ascii(void **state)
{
    (void)state;
    assert_json("\xe2\x82z\"", "\"\\ufffd\\ufffdz\\\"\"");
}

static void test_json_output_parses_for_mixed_input(void **state)
{
    (void)state;
    assert_json_decodes_to("line1\nline2\t\"q\"\\\x01", "line1\nline2\t\"q\"\\\x01");
    assert_json_decodes_to("ok\xc3\xa9\xff", "ok\xc3\xa9\xef\xbf\xbd");
}

/* Invalid UTF-8 that has the right *shape* (lead byte plus continuation
 * bytes) must be replaced too: otherwise the log line is not valid JSON. */

static void test_json_utf16_surrogate_is_replaced(void **state)
{
    (void)state;
    /* ED A0 80 encodes U+D800, which UTF-8 forbids (RFC 3629 section 3) */
    assert_json_decodes_to("a\xed\xa0\x80z", "a\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdz");
}

static void test_json_overlong_three_byte_is_replaced(void **state)
{
    (void)state;
    /* E0 80 AF is an overlong '/' */
    assert_json_decodes_to("\xe0\x80\xaf", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
}

static void test_json_overlong_four_byte_is_replaced(void **state)
{
    (void)state;
    /* F0 80 80 AF is an overlong '/' */
    assert_json_decodes_to("\xf0\x80\x80\xaf", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
}

static void test_json_code_point_above_u10ffff_is_replaced(void **state)
{
    (void)state;
    /* F4 90 80 80 would be U+110000; F5 can never start a sequence */
    assert_json_decodes_to("\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
    assert_json_decodes_to("\xf5\x80\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_is_empty),
        cmocka_unit_test(test_puts_appends_and_terminates),
        cmocka_unit_test(test_putc_appends_one_byte),
        cmocka_unit_test(test_append_copies_exactly_n_bytes),
        cmocka_unit_test(test_append_keeps_embedded_nul),
        cmocka_unit_test(test_append_zero_bytes_gives_empty_string),
        cmocka_unit_test(test_growth_preserves_content),
        cmocka_unit_test(test_single_large_append),
        cmocka_unit_test(test_free_resets_and_allows_reuse),
        cmocka_unit_test(test_printf_formats),
        cmocka_unit_test(test_printf_appends_to_existing),
        cmocka_unit_test(test_printf_longer_than_initial_capacity),
        cmocka_unit_test(test_printf_empty_result_changes_nothing),
        cmocka_unit_test(test_steal_hands_over_buffer_and_resets),
        cmocka_unit_test(test_steal_of_empty_returns_empty_string),
        cmocka_unit_test(test_steal_accepts_null_length),
        cmocka_unit_test(test_json_plain_ascii_is_quoted),
        cmocka_unit_test(test_json_empty_and_null),
        cmocka_unit_test(test_json_appends_after_existing_text),
        cmocka_unit_test(test_json_escapes_quote_and_backslash),
        cmocka_unit_test(test_json_escapes_newline_return_tab),
        cmocka_unit_test(test_json_escapes_other_control_characters),
        cmocka_unit_test(test_json_escapes_delete),
        cmocka_unit_test(test_json_keeps_slash_and_printable_ascii),
        cmocka_unit_test(test_json_passes_valid_utf8_through),
        cmocka_unit_test(test_json_passes_highest_code_points_through),
        cmocka_unit_test(test_json_lone_continuation_byte_becomes_replacement),
        cmocka_unit_test(test_json_invalid_lead_bytes_become_replacement),
        cmocka_unit_test(test_json_overlong_two_byte_becomes_replacement),
        cmocka_unit_test(test_json_truncated_sequence_at_end_becomes_replacement),
        cmocka_unit_test(test_json_truncated_sequence_before_ascii_keeps_ascii),
        cmocka_unit_test(test_json_output_parses_for_mixed_input),
        cmocka_unit_test(test_json_utf16_surrogate_is_replaced),
        cmocka_unit_test(test_json_overlong_three_byte_is_replaced),
        cmocka_unit_test(test_json_overlong_four_byte_is_replaced),
        cmocka_unit_test(test_json_code_point_above_u10ffff_is_replaced),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
