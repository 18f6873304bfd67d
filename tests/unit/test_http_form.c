/*
 * test_http_form.c: http/form: %-decoding, urlencoded bodies and query
 * strings, the key/value list, the multipart boundary parameter, and
 * multipart/form-data bodies: fields, files, quoting, preamble and epilogue,
 * limits, and the many ways a body can be malformed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http/form.h"

typedef struct {
    arena_t arena;
    http_kvs_t kvs;
    http_file_t *files;
    int nfiles;
} fixture_t;

static int form_setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    arena_init(&f->arena);
    *state = f;
    return 0;
}

static int form_teardown(void **state)
{
    fixture_t *f = *state;
    arena_free(&f->arena);
    free(f);
    return 0;
}

/* ---- form_percent_decode ------------------------------------------------------ */

/* Decodes a copy of in; returns the result length and leaves the text in out. */
static long decode(const char *in, int plus_is_space, char *out, size_t outlen)
{
    snprintf(out, outlen, "%s", in);
    return form_percent_decode(out, plus_is_space);
}

static void test_decode_plain_text_is_unchanged(void **state)
{
    (void)state;
    char buf[64];
    assert_int_equal(decode("hello-world_1.2~", 0, buf, sizeof buf), 16);
    assert_string_equal(buf, "hello-world_1.2~");
}

static void test_decode_empty(void **state)
{
    (void)state;
    char buf[8];
    assert_int_equal(decode("", 1, buf, sizeof buf), 0);
    assert_string_equal(buf, "");
}

static void test_decode_hex_escapes_both_cases(void **state)
{
    (void)state;
    char buf[64];
    assert_int_equal(decode("%41%62%2f%2F%7e", 0, buf, sizeof buf), 5);
    assert_string_equal(buf, "Ab//~");
}

static void test_decode_returns_new_length(void **state)
{
    (void)state;
    char buf[64];
    assert_int_equal(decode("a%20b%20c", 0, buf, sizeof buf), 5);
    assert_string_equal(buf, "a b c");
}

static void test_decode_utf8_bytes(void **state)
{
    (void)state;
    char buf[64];
    assert_int_equal(decode("caf%C3%A9", 0, buf, sizeof buf), 5);
    assert_string_equal(buf, "caf\xc3\xa9");
}

static void test_decode_plus_is_space_only_when_asked(void **state)
{
    (void)state;
    char buf[64];
    decode("a+b", 1, buf, sizeof buf);
    assert_string_equal(buf, "a b");
    decode("a+b", 0, buf, sizeof buf);
    assert_string_equal(buf, "a+b");
}

static void test_decode_encoded_plus_stays_plus(void **state)
{
    (void)state;
    char buf[64];
    decode("1%2B1", 1, buf, sizeof buf);
    assert_string_equal(buf, "1+1");
}

static void test_decode_escape_is_not_decoded_twice(void **state)
{
    (void)state;
    char buf[64];
    decode("%2541", 0, buf, sizeof buf);
    assert_string_equal(buf, "%41");
}

static void test_decode_rejects_truncated_escape(void **state)
{
    (void)state;
    char buf[64];
    assert_int_equal(decode("abc%", 0, buf, sizeof buf), -1);
    assert_int_equal(decode("abc%4", 0, buf, sizeof buf), -1);
    assert_int_equal(decode("%", 1, buf, sizeof buf), -1);
}

static void test_decode_rejects_non_hex_escape(void **state)
{
    (void)state;
    char buf[64];
    assert_int_equal(decode("%zz", 0, buf, sizeof buf), -1);
    assert_int_equal(decode("%4g", 0, buf, sizeof buf), -1);
    assert_int_equal(decode("%g4", 0, buf, sizeof buf), -1);
    assert_int_equal(decode("% 41", 0, buf, sizeof buf), -1);
    assert_int_equal(decode("%+1", 1, buf, sizeof buf), -1);
}

static void test_decode_rejects_encoded_nul(void **state)
{
    (void)state;
    char buf[64];
    assert_int_equal(decode("a%00b", 0, buf, sizeof buf), -1);
}

/* ---- http_kvs ------------------------------------------------------------------- */

static void test_kvs_get_missing_is_null(void **state)
{
    fixture_t *f = *state;
    assert_null(http_kvs_get(&f->kvs, "x"));
    http_kvs_add(&f->kvs, &f->arena, "a", "1");
    assert_null(http_kvs_get(&f->kvs, "A"));
}

static void test_kvs_grows_and_keeps_order(void **state)
{
    fixture_t *f = *state;
    char names[100][16];
    for (int i = 0; i < 100; i++) {
        snprintf(names[i], sizeof names[i], "k%d", i);
        http_kvs_add(&f->kvs, &f->arena, arena_strdup(&f->arena, names[i]),
                     arena_printf(&f->arena, "v%d", i));
    }
    assert_int_equal(f->kvs.n, 100);
    assert_true(f->kvs.cap >= 100);
    for (int i = 0; i < 100; i++) {
        assert_string_equal(f->kvs.items[i].name, names[i]);
        char want[16];
        snprintf(want, sizeof want, "v%d", i);
        assert_string_equal(http_kvs_get(&f->kvs, names[i]), want);
    }
}

static void test_kvs_get_returns_first_duplicate(void **state)
{
    fixture_t *f = *state;
    http_kvs_add(&f->kvs, &f->arena, "tag", "first");
    http_kvs_add(&f->kvs, &f->arena, "tag", "second");
    assert_string_equal(http_kvs_get(&f->kvs, "tag"), "first");
    assert_int_equal(f->kvs.n, 2);
}

/* ---- form_parse_urlencoded ------------------------------------------------------ */

static int urlencoded(fixture_t *f, const char *s)
{
    return form_parse_urlencoded(s, strlen(s), &f->arena, &f->kvs);
}

static void test_urlencoded_pairs_in_order(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(urlencoded(f, "a=1&b=2&c=3"), 0);
    assert_int_equal(f->kvs.n, 3);
    assert_string_equal(f->kvs.items[0].name, "a");
    assert_string_equal(f->kvs.items[0].value, "1");
    assert_string_equal(f->kvs.items[2].name, "c");
    assert_string_equal(f->kvs.items[2].value, "3");
}

static void test_urlencoded_empty_input(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(urlencoded(f, ""), 0);
    assert_int_equal(f->kvs.n, 0);
}

static void test_urlencoded_decodes_names_and_values(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(urlencoded(f, "full+name=Asha+R%C3%A4o&q%5B%5D=a%26b%3Dc"), 0);
    assert_string_equal(http_kvs_get(&f->kvs, "full name"), "Asha R\xc3\xa4o");
    assert_string_equal(http_kvs_get(&f->kvs, "q[]"), "a&b=c");
}

static void test_urlencoded_skips_empty_pieces(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(urlencoded(f, "&a=1&&&b=2&"), 0);
    assert_int_equal(f->kvs.n, 2);
    assert_string_equal(http_kvs_get(&f->kvs, "b"), "2");
}

static void test_urlencoded_name_without_equals_has_empty_value(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(urlencoded(f, "flag&x=1"), 0);
    assert_string_equal(http_kvs_get(&f->kvs, "flag"), "");
    assert_string_equal(http_kvs_get(&f->kvs, "x"), "1");
}

static void test_urlencoded_empty_value(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(urlencoded(f, "x="), 0);
    assert_int_equal(f->kvs.n, 1);
    assert_string_equal(http_kvs_get(&f->kvs, "x"), "");
}

static void test_urlencoded_empty_name_is_skipped(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(urlencoded(f, "=v&a=1"), 0);
    assert_int_equal(f->kvs.n, 1);
    assert_string_equal(f->kvs.items[0].name, "a");
}

static void test_urlencoded_value_keeps_later_equals(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(urlencoded(f, "expr=a=b=c"), 0);
    assert_string_equal(http_kvs_get(&f->kvs, "expr"), "a=b=c");
}

static void test_urlencoded_duplicates_are_kept(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(urlencoded(f, "tag=a&tag=b"), 0);
    assert_int_equal(f->kvs.n, 2);
    assert_string_equal(f->kvs.items[1].value, "b");
}

static void test_urlencoded_appends_to_existing_list(void **state)
{
    fixture_t *f = *state;
    http_kvs_add(&f->kvs, &f->arena, "pre", "1");
    assert_int_equal(urlencoded(f, "post=2"), 0);
    assert_int_equal(f->kvs.n, 2);
    assert_string_equal(http_kvs_get(&f->kvs, "pre"), "1");
}

static void test_urlencoded_respects_length(void **state)
{
    fixture_t *f = *state;
    const char *s = "a=1&b=22&c=3";
    assert_int_equal(form_parse_urlencoded(s, 7, &f->arena, &f->kvs), 0);
    assert_int_equal(f->kvs.n, 2);
    assert_string_equal(http_kvs_get(&f->kvs, "b"), "2");
    assert_null(http_kvs_get(&f->kvs, "c"));
}

static void test_urlencoded_unterminated_buffer(void **state)
{
    fixture_t *f = *state;
    char *buf = malloc(3); /* no NUL: ASan catches an over-read */
    assert_non_null(buf);
    memcpy(buf, "k=v", 3);
    assert_int_equal(form_parse_urlencoded(buf, 3, &f->arena, &f->kvs), 0);
    free(buf);
    assert_string_equal(http_kvs_get(&f->kvs, "k"), "v");
}

static void test_urlencoded_rejects_bad_escape_in_value(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(urlencoded(f, "a=1&b=%zz"), -1);
}

static void test_urlencoded_rejects_bad_escape_in_name(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(urlencoded(f, "a%=1"), -1);
}

static void test_urlencoded_rejects_encoded_nul(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(urlencoded(f, "a=x%00y"), -1);
}

static void test_urlencoded_rejects_raw_nul(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(form_parse_urlencoded("a=x\0y&b=2", 9, &f->arena, &f->kvs), -1);
}

static void test_urlencoded_many_pairs(void **state)
{
    fixture_t *f = *state;
    char body[4096] = "";
    size_t n = 0;
    for (int i = 0; i < 300; i++)
        n += (size_t)snprintf(body + n, sizeof body - n, "%sk%d=%d", i ? "&" : "", i, i);
    assert_int_equal(form_parse_urlencoded(body, n, &f->arena, &f->kvs), 0);
    assert_int_equal(f->kvs.n, 300);
    assert_string_equal(http_kvs_get(&f->kvs, "k299"), "299");
}

/* ---- form_multipart_boundary ------------------------------------------------------ */

static const char *boundary(fixture_t *f, const char *ct)
{
    return form_multipart_boundary(ct, &f->arena);
}

static void test_boundary_plain(void **state)
{
    fixture_t *f = *state;
    assert_string_equal(boundary(f, "multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxk"),
                        "----WebKitFormBoundary7MA4YWxk");
}

static void test_boundary_followed_by_other_params(void **state)
{
    fixture_t *f = *state;
    assert_string_equal(boundary(f, "multipart/form-data; boundary=abc; charset=utf-8"), "abc");
    assert_string_equal(boundary(f, "multipart/form-data; boundary=abc def"), "abc");
}

static void test_boundary_quoted_may_hold_specials(void **state)
{
    fixture_t *f = *state;
    assert_string_equal(boundary(f, "multipart/form-data; boundary=\"a b;c=d\"; x=y"), "a b;c=d");
}

static void test_boundary_parameter_name_is_case_insensitive(void **state)
{
    fixture_t *f = *state;
    assert_string_equal(boundary(f, "Multipart/Form-Data; BOUNDARY=XyZ"), "XyZ");
}

static void test_boundary_missing_or_empty_is_null(void **state)
{
    fixture_t *f = *state;
    assert_null(boundary(f, "multipart/form-data"));
    assert_null(boundary(f, "multipart/form-data; boundary="));
    assert_null(boundary(f, "multipart/form-data; boundary=\"\""));
    assert_null(boundary(f, "multipart/form-data; boundary=;x=1"));
    assert_null(boundary(f, ""));
    assert_null(boundary(f, NULL));
}

static void test_boundary_unclosed_quote_is_null(void **state)
{
    fixture_t *f = *state;
    assert_null(boundary(f, "multipart/form-data; boundary=\"abc"));
}

static void test_boundary_length_limit_is_70(void **state)
{
    fixture_t *f = *state;
    char ct[200], b[72];
    memset(b, 'b', 70);
    b[70] = '\0';
    snprintf(ct, sizeof ct, "multipart/form-data; boundary=%s", b);
    assert_string_equal(boundary(f, ct), b);
    snprintf(ct, sizeof ct, "multipart/form-data; boundary=\"%s\"", b);
    assert_string_equal(boundary(f, ct), b);
    b[70] = 'b';
    b[71] = '\0';
    snprintf(ct, sizeof ct, "multipart/form-data; boundary=%s", b);
    assert_null(boundary(f, ct));
    snprintf(ct, sizeof ct, "multipart/form-data; boundary=\"%s\"", b);
    assert_null(boundary(f, ct));
}

/* ---- form_parse_multipart ------------------------------------------------------- */

#define CD "Content-Disposition: form-data; "

static mp_status_t multipart_n(fixture_t *f, const char *body, size_t len, const char *b)
{
    return form_parse_multipart(body, len, b, &f->arena, &f->kvs, &f->files, &f->nfiles);
}

static mp_status_t multipart(fixture_t *f, const char *body)
{
    return multipart_n(f, body, strlen(body), "XB");
}

static void test_mp_single_text_field(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(multipart(f, "--XB\r\n" CD "name=\"title\"\r\n\r\nSummer Fest\r\n--XB--\r\n"),
                     MP_OK);
    assert_int_equal(f->kvs.n, 1);
    assert_string_equal(http_kvs_get(&f->kvs, "title"), "Summer Fest");
    assert_int_equal(f->nfiles, 0);
    assert_null(f->files);
}

static void test_mp_fields_and_file(void **state)
{
    fixture_t *f = *state;
    const char *body = "--XB\r\n" CD "name=\"title\"\r\n\r\nGala\r\n"
                       "--XB\r\n" CD "name=\"cover\"; filename=\"cover.png\"\r\n"
                       "Content-Type: image/png\r\n\r\n"
                       "\x89PNG\r\n\x1a\n\r\n"
                       "--XB\r\n" CD "name=\"city\"\r\n\r\nPune\r\n"
                       "--XB--\r\n";
    assert_int_equal(multipart(f, body), MP_OK);
    assert_int_equal(f->kvs.n, 2);
    assert_string_equal(f->kvs.items[0].name, "title");
    assert_string_equal(f->kvs.items[0].value, "Gala");
    assert_string_equal(f->kvs.items[1].name, "city");
    assert_string_equal(f->kvs.items[1].value, "Pune");
    assert_int_equal(f->nfiles, 1);
    assert_string_equal(f->files[0].field, "cover");
    assert_string_equal(f->files[0].filename, "cover.png");
    assert_string_equal(f->files[0].content_type, "image/png");
    assert_int_equal(f->files[0].size, 8);
    assert_memory_equal(f->files[0].data, "\x89PNG\r\n\x1a\n", 8);
}

static void test_mp_file_data_points_into_body(void **state)
{
    fixture_t *f = *state;
    const char *body = "--XB\r\n" CD "name=\"f\"; filename=\"a.txt\"\r\n\r\nabc\r\n--XB--";
    assert_int_equal(multipart(f, body), MP_OK);
    assert_int_equal(f->nfiles, 1);
    assert_ptr_equal(f->files[0].data, (const unsigned char *)strstr(body, "abc"));
}

static void test_mp_file_without_content_type_is_octet_stream(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(
        multipart(f, "--XB\r\n" CD "name=\"doc\"; filename=\"x.bin\"\r\n\r\n1\r\n--XB--\r\n"),
        MP_OK);
    assert_string_equal(f->files[0].content_type, "application/octet-stream");
}

static void test_mp_several_files_keep_order(void **state)
{
    fixture_t *f = *state;
    const char *body = "--XB\r\n" CD "name=\"p\"; filename=\"1.jpg\"\r\n\r\none\r\n"
                       "--XB\r\n" CD "name=\"p\"; filename=\"2.jpg\"\r\n\r\ntwo\r\n"
                       "--XB\r\n" CD "name=\"q\"; filename=\"3.jpg\"\r\n\r\nthree\r\n"
                       "--XB--\r\n";
    assert_int_equal(multipart(f, body), MP_OK);
    assert_int_equal(f->nfiles, 3);
    assert_string_equal(f->files[0].filename, "1.jpg");
    assert_string_equal(f->files[1].filename, "2.jpg");
    assert_string_equal(f->files[2].field, "q");
    assert_int_equal(f->files[2].size, 5);
    assert_memory_equal(f->files[2].data, "three", 5);
}

static void test_mp_empty_filename_is_still_a_file(void **state)
{
    fixture_t *f = *state;
    /* browsers send filename="" for an empty file input */
    assert_int_equal(
        multipart(f, "--XB\r\n" CD "name=\"cover\"; filename=\"\"\r\n\r\n\r\n--XB--\r\n"), MP_OK);
    assert_int_equal(f->nfiles, 1);
    assert_string_equal(f->files[0].filename, "");
    assert_int_equal(f->files[0].size, 0);
}

static void test_mp_file_keeps_binary_and_nul_bytes(void **state)
{
    fixture_t *f = *state;
    static const char body[] = "--XB\r\n" CD "name=\"f\"; filename=\"b.bin\"\r\n\r\n"
                               "\x00\x01\r\n-\r\n--X\xff\x00"
                               "\r\n--XB--\r\n";
    assert_int_equal(multipart_n(f, body, sizeof body - 1, "XB"), MP_OK);
    assert_int_equal(f->nfiles, 1);
    assert_int_equal(f->files[0].size, 12);
    assert_memory_equal(f->files[0].data, "\x00\x01\r\n-\r\n--X\xff\x00", 12);
}

static void test_mp_empty_text_value(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(multipart(f, "--XB\r\n" CD "name=\"note\"\r\n\r\n\r\n--XB--\r\n"), MP_OK);
    assert_string_equal(http_kvs_get(&f->kvs, "note"), "");
}

static void test_mp_value_keeps_inner_crlf_and_dashes(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(multipart(f, "--XB\r\n" CD "name=\"bio\"\r\n\r\nline1\r\n--XA\r\nx--XB\r\n\r\n"
                                  "--XB--\r\n"),
                     MP_OK);
    assert_string_equal(http_kvs_get(&f->kvs, "bio"), "line1\r\n--XA\r\nx--XB\r\n");
}

static void test_mp_unquoted_name(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(multipart(f, "--XB\r\n" CD "name=plain\r\n\r\nv\r\n--XB--"), MP_OK);
    assert_string_equal(http_kvs_get(&f->kvs, "plain"), "v");
}

static void test_mp_quoted_name_may_contain_semicolon(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(multipart(f, "--XB\r\n" CD "name=\"a;b\"\r\n\r\nv\r\n--XB--"), MP_OK);
    assert_string_equal(http_kvs_get(&f->kvs, "a;b"), "v");
}

static void test_mp_quoted_filename_may_contain_semicolon_and_spaces(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(
        multipart(f, "--XB\r\n" CD "name=\"f\"; filename=\"my file; v2.pdf\"\r\n\r\nv\r\n--XB--"),
        MP_OK);
    assert_string_equal(f->files[0].filename, "my file; v2.pdf");
}

static void test_mp_filename_before_name(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(
        multipart(f, "--XB\r\nContent-Disposition: form-data; filename=\"a.txt\"; name=\"doc\"\r\n"
                     "\r\nv\r\n--XB--"),
        MP_OK);
    assert_string_equal(f->files[0].field, "doc");
    assert_string_equal(f->files[0].filename, "a.txt");
}

static void test_mp_header_names_are_case_insensitive(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(multipart(f, "--XB\r\ncontent-disposition: FORM-DATA; NAME=\"x\"\r\n"
                                  "CONTENT-TYPE: text/plain\r\n\r\nv\r\n--XB--"),
                     MP_OK);
    assert_string_equal(http_kvs_get(&f->kvs, "x"), "v");
}

static void test_mp_unknown_part_headers_are_ignored(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(multipart(f, "--XB\r\nX-Extra: 1\r\n" CD "name=\"x\"\r\n"
                                  "Content-Transfer-Encoding: 8bit\r\n\r\nv\r\n--XB--"),
                     MP_OK);
    assert_string_equal(http_kvs_get(&f->kvs, "x"), "v");
}

static void test_mp_preamble_is_ignored(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(multipart(f, "This is a preamble.\r\nIgnore me.\r\n--XB\r\n" CD
                                  "name=\"x\"\r\n\r\nv\r\n--XB--\r\n"),
                     MP_OK);
    assert_int_equal(f->kvs.n, 1);
    assert_string_equal(http_kvs_get(&f->kvs, "x"), "v");
}

static void test_mp_leading_crlf_is_accepted(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(multipart(f, "\r\n--XB\r\n" CD "name=\"x\"\r\n\r\nv\r\n--XB--\r\n"), MP_OK);
    assert_string_equal(http_kvs_get(&f->kvs, "x"), "v");
}

static void test_mp_epilogue_is_ignored(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(multipart(f, "--XB\r\n" CD "name=\"x\"\r\n\r\nv\r\n--XB--\r\n"
                                  "epilogue --XB\r\n" CD "name=\"y\"\r\n\r\nw\r\n--XB--"),
                     MP_OK);
    assert_int_equal(f->kvs.n, 1);
    assert_null(http_kvs_get(&f->kvs, "y"));
}

static void test_mp_closing_delimiter_without_trailing_crlf(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(multipart(f, "--XB\r\n" CD "name=\"x\"\r\n\r\nv\r\n--XB--"), MP_OK);
}

static void test_mp_transport_padding_after_delimiter(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(multipart(f, "--XB \t\r\n" CD "name=\"x\"\r\n\r\nv\r\n--XB  \r\n" CD
                                  "name=\"y\"\r\n\r\nw\r\n--XB--"),
                     MP_OK);
    assert_string_equal(http_kvs_get(&f->kvs, "y"), "w");
}

static void test_mp_appends_to_existing_fields(void **state)
{
    fixture_t *f = *state;
    http_kvs_add(&f->kvs, &f->arena, "pre", "1");
    assert_int_equal(multipart(f, "--XB\r\n" CD "name=\"x\"\r\n\r\nv\r\n--XB--"), MP_OK);
    assert_int_equal(f->kvs.n, 2);
}

static void test_mp_respects_length(void **state)
{
    fixture_t *f = *state;
    const char *body = "--XB\r\n" CD "name=\"x\"\r\n\r\nv\r\n--XB--";
    /* cut before the closing delimiter: truncated */
    assert_int_equal(multipart_n(f, body, strlen(body) - 7, "XB"), MP_BAD_FORMAT);
}

static void test_mp_unterminated_buffer(void **state)
{
    fixture_t *f = *state;
    const char *text = "--XB\r\n" CD "name=\"x\"\r\n\r\nv\r\n--XB--";
    size_t n = strlen(text);
    char *buf = malloc(n); /* no NUL: ASan catches an over-read */
    assert_non_null(buf);
    memcpy(buf, text, n);
    assert_int_equal(multipart_n(f, buf, n, "XB"), MP_OK);
    free(buf);
    assert_string_equal(http_kvs_get(&f->kvs, "x"), "v");
}

static void test_mp_sixty_four_parts_are_accepted(void **state)
{
    fixture_t *f = *state;
    char *body = malloc(16384);
    assert_non_null(body);
    size_t n = 0;
    for (int i = 0; i < 64; i++)
        n += (size_t)sprintf(body + n, "--XB\r\n" CD "name=\"f%d\"\r\n\r\n%d\r\n", i, i);
    n += (size_t)sprintf(body + n, "--XB--\r\n");
    assert_int_equal(multipart_n(f, body, n, "XB"), MP_OK);
    assert_int_equal(f->kvs.n, 64);
    assert_string_equal(http_kvs_get(&f->kvs, "f63"), "63");
    free(body);
}

static void test_mp_sixty_five_parts_are_too_many(void **state)
{
    fixture_t *f = *state;
    char *body = malloc(16384);
    assert_non_null(body);
    size_t n = 0;
    for (int i = 0; i < 65; i++)
        n += (size_t)sprintf(body + n, "--XB\r\n" CD "name=\"f%d\"\r\n\r\n%d\r\n", i, i);
    n += (size_t)sprintf(body + n, "--XB--\r\n");
    assert_int_equal(multipart_n(f, body, n, "XB"), MP_TOO_MANY_PARTS);
    free(body);
}

static void test_mp_too_many_file_parts(void **state)
{
    fixture_t *f = *state;
    char *body = malloc(32768);
    assert_non_null(body);
    size_t n = 0;
    for (int i = 0; i < 100; i++)
        n += (size_t)sprintf(body + n, "--XB\r\n" CD "name=\"f\"; filename=\"%d\"\r\n\r\nx\r\n", i);
    n += (size_t)sprintf(body + n, "--XB--\r\n");
    assert_int_equal(multipart_n(f, body, n, "XB"), MP_TOO_MANY_PARTS);
    free(body);
}

static void test_mp_boundary_with_regex_and_format_characters(void **state)
{
    fixture_t *f = *state;
    const char *body = "--%s.*+?\r\n" CD "name=\"x\"\r\n\r\nv\r\n--%s.*+?--";
    assert_int_equal(multipart_n(f, body, strlen(body), "%s.*+?"), MP_OK);
    assert_string_equal(http_kvs_get(&f->kvs, "x"), "v");
}

/* ---- malformed multipart bodies ------------------------------------------------ */

static void assert_bad(fixture_t *f, const char *body)
{
    mp_status_t st = multipart(f, body);
    if (st != MP_BAD_FORMAT)
        fail_msg("expected MP_BAD_FORMAT (%d), got %d for body:\n%s", MP_BAD_FORMAT, (int)st, body);
}

static void test_mp_empty_body_is_bad(void **state)
{
    fixture_t *f = *state;
    assert_bad(f, "");
    assert_int_equal(f->nfiles, 0);
}

static void test_mp_boundary_absent_is_bad(void **state)
{
    fixture_t *f = *state;
    assert_bad(f, "--OTHER\r\n" CD "name=\"x\"\r\n\r\nv\r\n--OTHER--\r\n");
}

static void test_mp_no_parts_is_bad(void **state)
{
    fixture_t *f = *state;
    assert_bad(f, "--XB--\r\n");
    assert_bad(f, "--XB--");
}

static void test_mp_missing_closing_delimiter_is_bad(void **state)
{
    fixture_t *f = *state;
    assert_bad(f, "--XB\r\n" CD "name=\"x\"\r\n\r\nvalue with no end");
    assert_bad(f, "--XB\r\n" CD "name=\"x\"\r\n\r\nv\r\n");
}

static void test_mp_delimiter_without_crlf_is_bad(void **state)
{
    fixture_t *f = *state;
    assert_bad(f, "--XB" CD "name=\"x\"\r\n\r\nv\r\n--XB--");
    assert_bad(f, "--XBjunk\r\n" CD "name=\"x\"\r\n\r\nv\r\n--XB--");
}

static void test_mp_body_ending_after_delimiter_is_bad(void **state)
{
    fixture_t *f = *state;
    assert_bad(f, "--XB");
    assert_bad(f, "--XB\r\n");
    assert_bad(f, "--XB\r\n" CD "name=\"x\"\r\n\r\nv\r\n--XB");
    assert_bad(f, "--XB\r\n" CD "name=\"x\"\r\n\r\nv\r\n--XB-");
}

static void test_mp_headers_without_blank_line_are_bad(void **state)
{
    fixture_t *f = *state;
    assert_bad(f, "--XB\r\n" CD "name=\"x\"\r\nv\r\n--XB--");
}

static void test_mp_part_without_headers_is_bad(void **state)
{
    fixture_t *f = *state;
    assert_bad(f, "--XB\r\n\r\nv\r\n--XB--");
}

static void test_mp_part_without_name_is_bad(void **state)
{
    fixture_t *f = *state;
    assert_bad(f, "--XB\r\nContent-Disposition: form-data\r\n\r\nv\r\n--XB--");
    assert_bad(f, "--XB\r\n" CD "filename=\"a.txt\"\r\n\r\nv\r\n--XB--");
    assert_bad(f, "--XB\r\n" CD "name=\"\"\r\n\r\nv\r\n--XB--");
    assert_bad(f, "--XB\r\nContent-Type: text/plain\r\n\r\nv\r\n--XB--");
}

static void test_mp_unclosed_quoted_name_is_bad(void **state)
{
    fixture_t *f = *state;
    assert_bad(f, "--XB\r\n" CD "name=\"x\r\n\r\nv\r\n--XB--");
}

static void test_mp_disposition_other_than_form_data_is_bad(void **state)
{
    fixture_t *f = *state;
    assert_bad(f, "--XB\r\nContent-Disposition: attachment; name=\"x\"\r\n\r\nv\r\n--XB--");
}

static void test_mp_header_line_without_colon_is_bad(void **state)
{
    fixture_t *f = *state;
    assert_bad(f, "--XB\r\n" CD "name=\"x\"\r\nnot a header\r\n\r\nv\r\n--XB--");
}

static void test_mp_nul_in_text_field_is_bad(void **state)
{
    fixture_t *f = *state;
    static const char body[] = "--XB\r\n" CD "name=\"x\"\r\n\r\na\0b\r\n--XB--";
    assert_int_equal(multipart_n(f, body, sizeof body - 1, "XB"), MP_BAD_FORMAT);
}

static void test_mp_nul_in_headers_is_bad(void **state)
{
    fixture_t *f = *state;
    static const char body[] = "--XB\r\n" CD "name=\"x\0y\"\r\n\r\nab\r\n--XB--";
    assert_int_equal(multipart_n(f, body, sizeof body - 1, "XB"), MP_BAD_FORMAT);
}

static void test_mp_bare_lf_line_endings_are_bad(void **state)
{
    fixture_t *f = *state;
    assert_bad(f, "--XB\n" CD "name=\"x\"\n\nv\n--XB--\n");
}

/* Builds a one-part body whose header block (between the delimiter line and
 * the blank line) is exactly header_len bytes. */
static mp_status_t multipart_with_header_block(fixture_t *f, size_t header_len)
{
    char *body = malloc(header_len + 64);
    assert_non_null(body);
    size_t n = (size_t)sprintf(body, "--XB\r\n");
    size_t start = n;
    n += (size_t)sprintf(body + n, CD "name=\"x\"\r\nX-Pad: ");
    size_t pad = header_len - (n - start);
    memset(body + n, 'p', pad);
    n += pad;
    n += (size_t)sprintf(body + n, "\r\n\r\nv\r\n--XB--");
    mp_status_t st = multipart_n(f, body, n, "XB");
    free(body);
    return st;
}

static void test_mp_part_headers_of_8192_bytes_are_accepted(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(multipart_with_header_block(f, 8192), MP_OK);
    assert_string_equal(http_kvs_get(&f->kvs, "x"), "v");
}

static void test_mp_part_headers_over_8192_bytes_are_bad(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(multipart_with_header_block(f, 8193), MP_BAD_FORMAT);
    assert_int_equal(multipart_with_header_block(f, 100000), MP_BAD_FORMAT);
}

static void test_mp_failure_after_good_parts_still_fails(void **state)
{
    fixture_t *f = *state;
    assert_bad(f, "--XB\r\n" CD "name=\"a\"\r\n\r\n1\r\n--XB\r\nbroken\r\n\r\n2\r\n--XB--");
}

/* Parameter scanning must not look inside quoted strings: text inside a
 * quoted name or filename is data, not another parameter. */

static void test_mp_quoted_name_containing_filename_is_a_text_field(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(multipart(f, "--XB\r\n" CD "name=\"a; filename=x\"\r\n\r\nhello\r\n--XB--"),
                     MP_OK);
    assert_int_equal(f->nfiles, 0);
    assert_string_equal(http_kvs_get(&f->kvs, "a; filename=x"), "hello");
}

static void test_mp_quoted_filename_containing_name_does_not_rename_field(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(
        multipart(f, "--XB\r\n" CD "filename=\"a; name=evil\"; name=\"real\"\r\n\r\nx\r\n--XB--"),
        MP_OK);
    assert_int_equal(f->nfiles, 1);
    assert_string_equal(f->files[0].field, "real");
    assert_string_equal(f->files[0].filename, "a; name=evil");
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, form_setup, form_teardown)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode_plain_text_is_unchanged),
        cmocka_unit_test(test_decode_empty),
        cmocka_unit_test(test_decode_hex_escapes_both_cases),
        cmocka_unit_test(test_decode_returns_new_length),
        cmocka_unit_test(test_decode_utf8_bytes),
        cmocka_unit_test(test_decode_plus_is_space_only_when_asked),
        cmocka_unit_test(test_decode_encoded_plus_stays_plus),
        cmocka_unit_test(test_decode_escape_is_not_decoded_twice),
        cmocka_unit_test(test_decode_rejects_truncated_escape),
        cmocka_unit_test(test_decode_rejects_non_hex_escape),
        cmocka_unit_test(test_decode_rejects_encoded_nul),
        T(test_kvs_get_missing_is_null),
        T(test_kvs_grows_and_keeps_order),
        T(test_kvs_get_returns_first_duplicate),
        T(test_urlencoded_pairs_in_order),
        T(test_urlencoded_empty_input),
        T(test_urlencoded_decodes_names_and_values),
        T(test_urlencoded_skips_empty_pieces),
        T(test_urlencoded_name_without_equals_has_empty_value),
        T(test_urlencoded_empty_value),
        T(test_urlencoded_empty_name_is_skipped),
        T(test_urlencoded_value_keeps_later_equals),
        T(test_urlencoded_duplicates_are_kept),
        T(test_urlencoded_appends_to_existing_list),
        T(test_urlencoded_respects_length),
        T(test_urlencoded_unterminated_buffer),
        T(test_urlencoded_rejects_bad_escape_in_value),
        T(test_urlencoded_rejects_bad_escape_in_name),
        T(test_urlencoded_rejects_encoded_nul),
        T(test_urlencoded_rejects_raw_nul),
        T(test_urlencoded_many_pairs),
        T(test_boundary_plain),
        T(test_boundary_followed_by_other_params),
        T(test_boundary_quoted_may_hold_specials),
        T(test_boundary_parameter_name_is_case_insensitive),
        T(test_boundary_missing_or_empty_is_null),
        T(test_boundary_unclosed_quote_is_null),
        T(test_boundary_length_limit_is_70),
        T(test_mp_single_text_field),
        T(test_mp_fields_and_file),
        T(test_mp_file_data_points_into_body),
        T(test_mp_file_without_content_type_is_octet_stream),
        T(test_mp_several_files_keep_order),
        T(test_mp_empty_filename_is_still_a_file),
        T(test_mp_file_keeps_binary_and_nul_bytes),
        T(test_mp_empty_text_value),
        T(test_mp_value_keeps_inner_crlf_and_dashes),
        T(test_mp_unquoted_name),
        T(test_mp_quoted_name_may_contain_semicolon),
        T(test_mp_quoted_filename_may_contain_semicolon_and_spaces),
        T(test_mp_filename_before_name),
        T(test_mp_header_names_are_case_insensitive),
        T(test_mp_unknown_part_headers_are_ignored),
        T(test_mp_preamble_is_ignored),
        T(test_mp_leading_crlf_is_accepted),
        T(test_mp_epilogue_is_ignored),
        T(test_mp_closing_delimiter_without_trailing_crlf),
        T(test_mp_transport_padding_after_delimiter),
        T(test_mp_appends_to_existing_fields),
        T(test_mp_respects_length),
        T(test_mp_unterminated_buffer),
        T(test_mp_sixty_four_parts_are_accepted),
        T(test_mp_sixty_five_parts_are_too_many),
        T(test_mp_too_many_file_parts),
        T(test_mp_boundary_with_regex_and_format_characters),
        T(test_mp_empty_body_is_bad),
        T(test_mp_boundary_absent_is_bad),
        T(test_mp_no_parts_is_bad),
        T(test_mp_missing_closing_delimiter_is_bad),
        T(test_mp_delimiter_without_crlf_is_bad),
        T(test_mp_body_ending_after_delimiter_is_bad),
        T(test_mp_headers_without_blank_line_are_bad),
        T(test_mp_part_without_headers_is_bad),
        T(test_mp_part_without_name_is_bad),
        T(test_mp_unclosed_quoted_name_is_bad),
        T(test_mp_disposition_other_than_form_data_is_bad),
        T(test_mp_header_line_without_colon_is_bad),
        T(test_mp_nul_in_text_field_is_bad),
        T(test_mp_nul_in_headers_is_bad),
        T(test_mp_bare_lf_line_endings_are_bad),
        T(test_mp_part_headers_of_8192_bytes_are_accepted),
        T(test_mp_part_headers_over_8192_bytes_are_bad),
        T(test_mp_failure_after_good_parts_still_fails),
        T(test_mp_quoted_name_containing_filename_is_a_text_field),
        T(test_mp_quoted_filename_containing_name_does_not_rename_field),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
