/*
 * test_events_slug.c: events/slug: slug generation (API.md 14.3 rules in
 * order, accent folding without ICU, the 70-character cut with its 80% word
 * boundary rule, fallbacks), slug validation, canonical ids and URLs, and
 * splitting the "{slug}--{canonical_id}" path segment.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/rand.h"
#include "events/slug.h"

#define CANARY 0x5A

/* Runs slug_generate into a buffer of exactly max_len + 1 bytes followed by
 * a canary, so a write past the contract's buffer fails the test even
 * without AddressSanitizer. */
static void check_slug(const char *text, size_t max_len, const char *fallback, const char *want)
{
    char *buf = malloc(max_len + 1 + 8);
    assert_non_null(buf);
    memset(buf, CANARY, max_len + 1 + 8);
    slug_generate(text, max_len, fallback, buf);
    for (size_t i = max_len + 1; i < max_len + 1 + 8; i++)
        if ((unsigned char)buf[i] != CANARY)
            fail_msg("slug_generate wrote past out[max_len] for \"%s\"", text ? text : "(null)");
    if (strcmp(buf, want) != 0)
        fail_msg("slug of \"%s\" (max %zu): got \"%s\", want \"%s\"", text ? text : "(null)",
                 max_len, buf, want);
    free(buf);
}

static void check_title(const char *text, const char *want)
{
    check_slug(text, SLUG_MAX, NULL, want);
}

static char *repeat(char c, size_t n)
{
    char *s = malloc(n + 1);
    assert_non_null(s);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

/* ---- slug_generate: the examples of the brief and API.md 14.3 ---- */

static void test_basic_titles(void **state)
{
    (void)state;
    check_title("Hello World!", "hello-world");
    check_title("  Café  Noir__Night ", "cafe-noir-night");
    check_title("C++ & Go: 2026 edition", "c-go-2026-edition");
    check_title("a'b", "ab");
    check_title("Already-a-slug", "already-a-slug");
    check_title("2026", "2026");
}

static void test_accents_fold_to_base_letters(void **state)
{
    (void)state;
    check_title("Düsseldorf", "dusseldorf");
    check_title("São Paulo", "sao-paulo");
    check_title("Straße", "strasse");
    check_title("ÀÉÎÕÜ ÇÑÝ", "aeiou-cny");
    check_title("Øresund Ærø", "oresund-aero");
    check_title("Œuvre", "oeuvre");
    check_title("Łódź", "lodz");
    check_title("Þórshöfn", "thorshofn");
    check_title("Đà Nẵng", "da-nang");     /* Latin Extended Additional */
    check_title("Hà Nội", "ha-noi");       /* ộ U+1ED9 */
    check_title("București", "bucuresti"); /* ș U+0219, Extended-B */
    check_title("İstanbul", "istanbul");
    check_title("ĳsselmeer", "ijsselmeer");
    check_title("ŉ ı ð đ ÿ", "n-i-d-d-y");
}

static void test_combining_marks_are_dropped(void **state)
{
    (void)state;
    check_title("e\xcc\x81", "e"); /* e + U+0301 */
    check_title("Cafe\xcc\x81 Noir", "cafe-noir");
    check_title("\xcc\x88\xcc\x81", "event");  /* only marks */
    check_title("a \xcc\x81 b", "a-b");        /* a mark is not a separator... */
    check_title("a\xcc\x81-\xcc\x81z", "a-z"); /* ...nor does it break one */
}

static void test_non_latin_is_dropped(void **state)
{
    (void)state;
    check_slug("東京", SLUG_MAX, "unknown", "unknown");
    check_title("東京", "event");
    check_title("Москва 2026", "2026");
    check_title("Tokyo 東京 Night", "tokyo-night");
    check_title("x × y ÷ z", "x-y-z");
    check_title("I \xe2\x9d\xa4 Goa", "i-goa"); /* U+2764 */
}

static void test_unicode_whitespace_separates(void **state)
{
    (void)state;
    check_title("a\xc2\xa0"
                "b",
                "a-b"); /* U+00A0 */
    check_title("a\xe2\x80\x80"
                "b",
                "a-b"); /* U+2000 */
    check_title("a\xe2\x80\x8a"
                "b",
                "a-b"); /* U+200A */
    check_title("a\xe3\x80\x80"
                "b",
                "a-b"); /* U+3000 */
    check_title("a\xe2\x80\xaf"
                "b",
                "a-b"); /* U+202F */
    check_title("a\xe2\x80\xa8"
                "b",
                "a-b"); /* U+2028 */
    check_title("a\xc2\x85"
                "b",
                "a-b"); /* U+0085 */
    check_title("a\xe2\x80\x8b"
                "b",
                "ab"); /* U+200B is not whitespace */
    check_title("a\tb\nc\rd\fe\vf", "a-b-c-d-e-f");
    check_title("a\x1f"
                "b",
                "a-b"); /* unit separator, as Python's \s */
    check_title("a\x01"
                "b",
                "ab"); /* other controls are dropped */
}

static void test_separators_collapse_and_trim(void **state)
{
    (void)state;
    check_title("---", "event");
    check_title("", "event");
    check_title("   ", "event");
    check_title("_-_ _-_", "event");
    check_title("--a--b--", "a-b");
    check_title("foo_bar  baz", "foo-bar-baz");
    check_title("a - b", "a-b");
    check_title("!!!a!!!", "a");
    check_title("a.b,c", "abc");
}

static void test_fallback(void **state)
{
    (void)state;
    check_slug("", SLUG_MAX, NULL, "event");
    check_slug("", SLUG_MAX, "unknown", "unknown");
    check_slug(NULL, SLUG_MAX, NULL, "event");
    check_slug(NULL, SLUG_MAX, "unknown", "unknown");
    check_slug("Pune", SLUG_MAX, "unknown", "pune"); /* only when nothing is left */
    /* out holds max_len + 1 bytes, so even the fallback is cut to fit */
    check_slug("東京", 3, "unknown", "unk");
    check_slug("", 1, NULL, "e");
    check_slug("", 0, NULL, "");
}

static void test_invalid_utf8_bytes_are_dropped(void **state)
{
    (void)state;
    check_title("caf\xc3", "caf"); /* truncated at the end */
    check_title("\xff\xfe"
                "abc",
                "abc");            /* never valid bytes */
    check_title("a\xc3 b", "a-b"); /* the space after a bad lead survives */
    check_title("a\xc3(b", "ab");
    check_title("\xe2\x82x", "x"); /* truncated 3-byte sequence */
    check_title("\x80\xbf"
                "ok",
                "ok"); /* stray continuation bytes */
    check_title("\xc0\xaf"
                "x",
                "x"); /* overlong '/' */
    check_title("\xc3\x81\xc3"
                "A",
                "aa"); /* Á then a bad byte then A */
    check_title("\xe0\x80\xa9"
                "x",
                "x"); /* overlong 'é' */
    check_title("\xed\xa0\x80"
                "x",
                "x"); /* surrogate U+D800 */
    check_title("\xf4\x90\x80\x80"
                "x",
                "x");                               /* above U+10FFFF */
    check_title("\xf0\x9f\x8e\x89 Party", "party"); /* valid U+1F389, dropped */
}

static void test_input_ends_at_nul(void **state)
{
    (void)state;
    static const char text[] = "ab\0cd";
    check_title(text, "ab");
    check_title("x\xc3\0\xa9", "x"); /* a sequence cut by NUL is invalid */
}

/* ---- slug_generate: rule 6, the cut ---- */

static void test_long_title_is_cut_at_a_word_boundary(void **state)
{
    (void)state;
    const char *title = "The Grand Annual Community Music and Arts Festival of Bengaluru "
                        "2026: Live Bands, Food & Open Mics!!";
    assert_int_equal(strlen(title), 100);
    /* first 70: "...bengaluru-2026-l", the last '-' (index 68) is past 56 */
    check_title(title, "the-grand-annual-community-music-and-arts-festival-of-bengaluru-2026");
}

static void test_exactly_seventy_is_kept(void **state)
{
    (void)state;
    char *s = repeat('a', SLUG_MAX);
    check_title(s, s);
    s[30] = '-';
    check_title(s, s);
    free(s);

    /* The first 70 characters end exactly at a word end, but the rule looks
     * only at the last '-' inside them (index 60 > 56) and cuts there, as the
     * reference implementation does. */
    char title[128];
    char *a = repeat('a', 60);
    snprintf(title, sizeof title, "%s bbbbbbbbb more", a); /* 60 + 1 + 9 = 70 */
    check_title(title, a);
    free(a);

    /* no '-' inside the first 70: a plain cut */
    a = repeat('a', SLUG_MAX);
    snprintf(title, sizeof title, "%s more", a);
    check_title(title, a);
    free(a);
}

static void test_no_dash_cuts_at_max_len(void **state)
{
    (void)state;
    char *s = repeat('x', 71);
    char *want = repeat('x', 70);
    check_title(s, want);
    free(s);
    free(want);
}

static void test_eighty_percent_rule_both_ways(void **state)
{
    (void)state;
    char title[160], want[160];
    char *a57 = repeat('a', 57), *a56 = repeat('a', 56), *b20 = repeat('b', 20);

    /* '-' at index 57 > 0.8 * 70 = 56: cut there */
    snprintf(title, sizeof title, "%s %s", a57, b20);
    check_title(title, a57);

    /* '-' at index 56, not after 56: plain cut at 70 */
    snprintf(title, sizeof title, "%s %s", a56, b20);
    snprintf(want, sizeof want, "%s-%.13s", a56, b20);
    check_title(title, want);

    /* the same with a small limit: 0.8 * 10 = 8 */
    check_slug("abcdefghi jklmnop", 10, NULL, "abcdefghi");  /* '-' at 9 */
    check_slug("abcdefgh ijklmnop", 10, NULL, "abcdefgh-i"); /* '-' at 8 */
    check_slug("abc defghijklmnop", 10, NULL, "abc-defghi");
    check_slug("abcd efghi jklmnop", 10, NULL, "abcd-efghi");
    /* the cut lands right after a '-': gone whether or not the rule applies */
    check_slug("abcdefghi jk", 10, NULL, "abcdefghi"); /* '-' at 9 > 8 */
    check_slug("abcd efg", 5, NULL, "abcd");           /* '-' at 4, not > 4 */
    /* short enough: no cut at all, whatever the dashes */
    check_slug("abcdefgh-j", 10, NULL, "abcdefgh-j");
    free(a57);
    free(a56);
    free(b20);
}

static void test_tiny_limits(void **state)
{
    (void)state;
    check_slug("Hello", 1, NULL, "h");
    check_slug("a b", 1, NULL, "a");
    check_slug("-x-", 1, NULL, "x");
    check_slug("ß", 1, NULL, "s"); /* a ligature cut in half */
    check_slug("a b", 2, NULL, "a");
    check_slug("a b", 3, NULL, "a-b");
    check_slug("ab cd", 4, NULL, "ab-c");
    check_slug("Hello", 0, NULL, "");
}

static void test_very_long_input(void **state)
{
    (void)state;
    size_t n = 1 << 20;
    char *s = malloc(n + 1);
    assert_non_null(s);
    for (size_t i = 0; i < n; i++)
        s[i] = "ab "[i % 3];
    s[n] = '\0';
    /* "ab-ab-...": the 70th character is 'a' of the 24th word, last '-' at 68 */
    char want[SLUG_MAX + 1];
    for (size_t i = 0; i < 68; i++)
        want[i] = "ab-"[i % 3];
    want[68] = '\0';
    check_title(s, want);

    /* all of it dropped: the fallback */
    memset(s, '!', n);
    check_title(s, "event");
    free(s);
}

/* Every single code point, as the middle of "x?y": always a valid slug no
 * longer than the limit, and the table letters are all lower-case ASCII. */
static void test_every_code_point_gives_a_valid_slug(void **state)
{
    (void)state;
    char text[8], out[SLUG_MAX + 1];
    for (uint32_t cp = 1; cp <= 0x10FFFF; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        size_t n = 0;
        text[n++] = 'x';
        if (cp < 0x80) {
            text[n++] = (char)cp;
        } else if (cp < 0x800) {
            text[n++] = (char)(0xC0 | (cp >> 6));
            text[n++] = (char)(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            text[n++] = (char)(0xE0 | (cp >> 12));
            text[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
            text[n++] = (char)(0x80 | (cp & 0x3F));
        } else {
            text[n++] = (char)(0xF0 | (cp >> 18));
            text[n++] = (char)(0x80 | ((cp >> 12) & 0x3F));
            text[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
            text[n++] = (char)(0x80 | (cp & 0x3F));
        }
        text[n++] = 'y';
        text[n] = '\0';
        slug_generate(text, SLUG_MAX, NULL, out);
        if (!slug_valid(out) || out[0] != 'x' || out[strlen(out) - 1] != 'y' || strlen(out) > 5)
            fail_msg("U+%04X gave \"%s\"", (unsigned)cp, out);
    }
}

static void test_generated_slug_is_a_fixed_point(void **state)
{
    (void)state;
    const char *titles[] = {"Hello World!", "  Café  Noir__Night ", "C++ & Go: 2026 edition",
                            "Straße 東京 -- São_Paulo"};
    char once[SLUG_MAX + 1], twice[SLUG_MAX + 1];
    for (size_t i = 0; i < sizeof titles / sizeof titles[0]; i++) {
        slug_generate(titles[i], SLUG_MAX, NULL, once);
        assert_true(slug_valid(once));
        slug_generate(once, SLUG_MAX, NULL, twice);
        assert_string_equal(once, twice);
    }
}

/* ---- slug_valid ---- */

static void test_slug_valid(void **state)
{
    (void)state;
    assert_true(slug_valid("a"));
    assert_true(slug_valid("a-b"));
    assert_true(slug_valid("music-night-2026-1"));
    assert_true(slug_valid("0"));

    assert_false(slug_valid(NULL));
    assert_false(slug_valid(""));
    assert_false(slug_valid("-"));
    assert_false(slug_valid("-a"));
    assert_false(slug_valid("a-"));
    assert_false(slug_valid("a--b"));
    assert_false(slug_valid("A"));
    assert_false(slug_valid("a_b"));
    assert_false(slug_valid("a b"));
    assert_false(slug_valid("a/b"));
    assert_false(slug_valid("caf\xc3\xa9"));

    char *s = repeat('a', SLUG_STORED_MAX);
    assert_true(slug_valid(s));
    s[50] = '-';
    assert_true(slug_valid(s));
    free(s);
    s = repeat('a', SLUG_STORED_MAX + 1);
    assert_false(slug_valid(s));
    free(s);
}

/* ---- canonical ids ---- */

static int compare_ids(const void *a, const void *b)
{
    return strcmp(a, b);
}

static void test_canonical_id_shape(void **state)
{
    (void)state;
    char id[CANONICAL_ID_LEN + 1 + 4];
    for (int i = 0; i < 1000; i++) {
        memset(id, CANARY, sizeof id);
        slug_canonical_id(id);
        assert_int_equal(strlen(id), CANONICAL_ID_LEN);
        for (size_t j = CANONICAL_ID_LEN + 1; j < sizeof id; j++)
            assert_int_equal((unsigned char)id[j], CANARY);
        for (size_t j = 0; j < CANONICAL_ID_LEN; j++)
            if (!strchr("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", id[j]))
                fail_msg("'%c' is not base62 in %s", id[j], id);
    }
}

static void test_canonical_ids_are_distinct(void **state)
{
    (void)state;
    enum { N = 10000 };
    char(*ids)[CANONICAL_ID_LEN + 1] = malloc(N * sizeof *ids);
    assert_non_null(ids);
    for (int i = 0; i < N; i++)
        slug_canonical_id(ids[i]);
    qsort(ids, N, sizeof *ids, compare_ids);
    for (int i = 1; i < N; i++)
        if (strcmp(ids[i - 1], ids[i]) == 0)
            fail_msg("duplicate canonical id %s", ids[i]);

    /* every character position uses the whole alphabet (not a timestamp) */
    for (size_t pos = 0; pos < CANONICAL_ID_LEN; pos++) {
        bool seen[128] = {false};
        int distinct = 0;
        for (int i = 0; i < N; i++) {
            unsigned char c = (unsigned char)ids[i][pos];
            if (!seen[c]) {
                seen[c] = true;
                distinct++;
            }
        }
        assert_int_equal(distinct, 62);
    }
    free(ids);
}

/* ---- canonical URLs ---- */

static void test_canonical_url(void **state)
{
    (void)state;
    static const char want[] = "/in/bengaluru/events/music-night--Ab3dE5fG7h";
    char out[128];
    assert_true(
        slug_canonical_url("in", "bengaluru", "music-night", "Ab3dE5fG7h", out, sizeof out));
    assert_string_equal(out, want);

    /* exactly fits, one byte short, nothing */
    char exact[sizeof want];
    assert_true(
        slug_canonical_url("in", "bengaluru", "music-night", "Ab3dE5fG7h", exact, sizeof exact));
    assert_string_equal(exact, want);
    assert_false(slug_canonical_url("in", "bengaluru", "music-night", "Ab3dE5fG7h", exact,
                                    sizeof exact - 1));
    assert_string_equal(exact, ""); /* never a truncated URL */
    assert_false(slug_canonical_url("in", "bengaluru", "music-night", "Ab3dE5fG7h", out, 0));

    assert_true(slug_canonical_url("us", "unknown", "event", "0", out, sizeof out));
    assert_string_equal(out, "/us/unknown/events/event--0");
}

/* ---- slug_split_path_segment ---- */

static void check_split(const char *segment, const char *want_slug, const char *want_cid)
{
    char slug[SLUG_STORED_MAX + 1], cid[CANONICAL_ID_LEN + 1];
    if (!slug_split_path_segment(segment, slug, sizeof slug, cid, sizeof cid))
        fail_msg("\"%s\" did not split", segment);
    assert_string_equal(slug, want_slug);
    assert_string_equal(cid, want_cid);
}

static void check_no_split(const char *segment)
{
    char slug[SLUG_STORED_MAX + 1], cid[CANONICAL_ID_LEN + 1];
    if (slug_split_path_segment(segment, slug, sizeof slug, cid, sizeof cid))
        fail_msg("\"%s\" split into \"%s\" and \"%s\"", segment ? segment : "(null)", slug, cid);
}

static void test_split_path_segment(void **state)
{
    (void)state;
    check_split("music-night--Ab3dE5fG7h", "music-night", "Ab3dE5fG7h");
    check_split("event-1--Z", "event-1", "Z");
    check_split("a--0123456789", "a", "0123456789");

    check_no_split("music-night");            /* no "--" */
    check_no_split("music-night-Ab3dE5fG7h"); /* single '-' */
    check_no_split("--Ab3dE5fG7h");           /* empty slug */
    check_no_split("music--");                /* empty id */
    check_no_split("a--01234567890");         /* id of 11 */
    check_no_split("a--b--c");                /* slug "a--b" */
    check_no_split("a---b");                  /* slug "a-" */
    check_no_split("-a--b");                  /* slug "-a" */
    check_no_split("Music--b");               /* upper-case slug */
    check_no_split("music--b_c");             /* id not base62 */
    check_no_split("music--b-c");
    check_no_split("music--b\xc3\xa9");
    check_no_split("");
    check_no_split(NULL);

    /* the slug part may be as long as a stored slug, no longer */
    char seg[SLUG_STORED_MAX + 8];
    memset(seg, 'a', SLUG_STORED_MAX);
    memcpy(seg + SLUG_STORED_MAX, "--x", 4);
    char *want = repeat('a', SLUG_STORED_MAX);
    check_split(seg, want, "x");
    free(want);
    memset(seg, 'a', SLUG_STORED_MAX + 1);
    memcpy(seg + SLUG_STORED_MAX + 1, "--x", 4);
    char slug[SLUG_STORED_MAX + 8], cid[CANONICAL_ID_LEN + 1];
    assert_false(slug_split_path_segment(seg, slug, sizeof slug, cid, sizeof cid));
}

static void test_split_path_segment_buffers(void **state)
{
    (void)state;
    char slug[12], cid[4];
    /* exactly fits */
    assert_true(slug_split_path_segment("music-night--abc", slug, sizeof slug, cid, sizeof cid));
    assert_string_equal(slug, "music-night");
    assert_string_equal(cid, "abc");
    /* one byte short on either side */
    assert_false(slug_split_path_segment("music-night--abc", slug, 11, cid, sizeof cid));
    assert_string_equal(slug, "");
    assert_false(slug_split_path_segment("music-night--abc", slug, sizeof slug, cid, 3));
    assert_string_equal(cid, "");
    assert_false(slug_split_path_segment("music-night--abc", slug, 0, cid, 0));
}

static void test_split_round_trips_canonical_url(void **state)
{
    (void)state;
    char id[CANONICAL_ID_LEN + 1], url[256], slug[SLUG_STORED_MAX + 1], cid[CANONICAL_ID_LEN + 1],
        title_slug[SLUG_MAX + 1];
    slug_generate("Sunburn -- Goa's Biggest Night", SLUG_MAX, NULL, title_slug);
    for (int i = 0; i < 100; i++) {
        slug_canonical_id(id);
        assert_true(slug_canonical_url("in", "goa", title_slug, id, url, sizeof url));
        const char *segment = strrchr(url, '/') + 1;
        assert_true(slug_split_path_segment(segment, slug, sizeof slug, cid, sizeof cid));
        assert_string_equal(slug, title_slug);
        assert_string_equal(cid, id);
    }
}

static int setup(void **state)
{
    (void)state;
    return rand_init();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic_titles),
        cmocka_unit_test(test_accents_fold_to_base_letters),
        cmocka_unit_test(test_combining_marks_are_dropped),
        cmocka_unit_test(test_non_latin_is_dropped),
        cmocka_unit_test(test_unicode_whitespace_separates),
        cmocka_unit_test(test_separators_collapse_and_trim),
        cmocka_unit_test(test_fallback),
        cmocka_unit_test(test_invalid_utf8_bytes_are_dropped),
        cmocka_unit_test(test_input_ends_at_nul),
        cmocka_unit_test(test_long_title_is_cut_at_a_word_boundary),
        cmocka_unit_test(test_exactly_seventy_is_kept),
        cmocka_unit_test(test_no_dash_cuts_at_max_len),
        cmocka_unit_test(test_eighty_percent_rule_both_ways),
        cmocka_unit_test(test_tiny_limits),
        cmocka_unit_test(test_very_long_input),
        cmocka_unit_test(test_every_code_point_gives_a_valid_slug),
        cmocka_unit_test(test_generated_slug_is_a_fixed_point),
        cmocka_unit_test(test_slug_valid),
        cmocka_unit_test(test_canonical_id_shape),
        cmocka_unit_test(test_canonical_ids_are_distinct),
        cmocka_unit_test(test_canonical_url),
        cmocka_unit_test(test_split_path_segment),
        cmocka_unit_test(test_split_path_segment_buffers),
        cmocka_unit_test(test_split_round_trips_canonical_url),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
