/*
 * test_profile.c: profile/profile.c's pure rules: UTF-8 lengths and
 * trimming, names, strict dates and calendar age at a given "today", gender,
 * interest lists ("[1,2,3]") and the hand-written picture URL matcher.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/clock.h"
#include "profile/profile.h"

/* ---- text ------------------------------------------------------------------ */

static void test_utf8_length_counts_code_points(void **state)
{
    (void)state;
    assert_int_equal(text_utf8_length(""), 0);
    assert_int_equal(text_utf8_length("abc"), 3);
    assert_int_equal(text_utf8_length("Zo\xc3\xab"), 3);             /* Zoë */
    assert_int_equal(text_utf8_length("\xf0\x9f\x8e\x89 party"), 7); /* emoji + " party" */
}

static void test_utf8_length_refuses_invalid_bytes(void **state)
{
    (void)state;
    assert_int_equal(text_utf8_length("\xff"), -1);
    assert_int_equal(text_utf8_length("a\xc3"), -1);            /* truncated */
    assert_int_equal(text_utf8_length("\xc0\x80"), -1);         /* overlong NUL */
    assert_int_equal(text_utf8_length("\xed\xa0\x80"), -1);     /* UTF-16 surrogate */
    assert_int_equal(text_utf8_length("\xf4\x90\x80\x80"), -1); /* beyond U+10FFFF */
}

static void test_trim_drops_ascii_whitespace_at_both_ends(void **state)
{
    (void)state;
    arena_t a;
    arena_init(&a);
    assert_string_equal(text_trim(&a, "  Asha Rao \t\n"), "Asha Rao");
    assert_string_equal(text_trim(&a, "   "), "");
    assert_string_equal(text_trim(&a, ""), "");
    assert_string_equal(text_trim(&a, "a  b"), "a  b");
    arena_free(&a);
}

/* ---- name ------------------------------------------------------------------- */

static void test_name_rules_in_order(void **state)
{
    (void)state;
    assert_string_equal(profile_name_error(""), "Name cannot be empty");
    assert_string_equal(profile_name_error("A"), "Name must be at least 2 characters long");
    assert_string_equal(profile_name_error("7"), "Name must be at least 2 characters long");
    char long_name[102];
    memset(long_name, 'a', 101);
    long_name[101] = '\0';
    assert_string_equal(profile_name_error(long_name), "Name must be at most 100 characters long");
    long_name[100] = '\0';
    assert_null(profile_name_error(long_name));
}

static void test_name_allows_letters_spaces_hyphens_apostrophes(void **state)
{
    (void)state;
    assert_null(profile_name_error("Al"));
    assert_null(profile_name_error("Mary-Jane O'Brien"));
    assert_null(profile_name_error("Anne\tMarie"));
    const char *bad = "Name contains invalid characters. Only letters, spaces, hyphens, and "
                      "apostrophes are allowed";
    assert_string_equal(profile_name_error("John3"), bad);
    assert_string_equal(profile_name_error("Zo\xc3\xab"), bad);
    assert_string_equal(profile_name_error("a.b"), bad);
    assert_string_equal(profile_name_error("<script>"), bad);
}

/* ---- dates and age ------------------------------------------------------------ */

static void test_parse_date_is_strict(void **state)
{
    (void)state;
    int y, m, d;
    assert_true(profile_parse_date("2000-02-29", &y, &m, &d));
    assert_int_equal(y, 2000);
    assert_int_equal(m, 2);
    assert_int_equal(d, 29);
    assert_true(profile_parse_date("0001-01-01", &y, &m, &d));
    const char *bad[] = {"2001-02-29",       "1900-02-29", "2000-13-01",  "2000-00-10",
                         "2000-04-31",       "2000-1-01",  "20000-01-01", "0000-01-01",
                         "2000-01-01T00:00", "abcd-ef-gh", "2000/01/01",  "",
                         " 2000-01-01"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (profile_parse_date(bad[i], &y, &m, &d))
            fail_msg("\"%s\" should not parse", bad[i]);
    assert_false(profile_parse_date(NULL, &y, &m, &d));
}

static void test_age_is_calendar_age(void **state)
{
    (void)state;
    assert_int_equal(profile_age_on(2010, 6, 15, 2026, 6, 15), 16); /* the birthday itself */
    assert_int_equal(profile_age_on(2010, 6, 16, 2026, 6, 15), 15); /* one day short */
    assert_int_equal(profile_age_on(2010, 7, 1, 2026, 6, 30), 15);
    assert_int_equal(profile_age_on(2010, 5, 31, 2026, 6, 1), 16);
    assert_int_equal(profile_age_on(2030, 1, 1, 2026, 6, 1), -4); /* not born yet */
}

static void test_age_for_29_february_birthdays(void **state)
{
    (void)state;
    assert_int_equal(profile_age_on(2008, 2, 29, 2024, 2, 28), 15);
    assert_int_equal(profile_age_on(2008, 2, 29, 2024, 2, 29), 16);
    assert_int_equal(profile_age_on(2009, 2, 28, 2025, 2, 28), 16);
    assert_int_equal(profile_age_on(2008, 2, 29, 2025, 2, 28), 16); /* 17th: from 1 March */
    assert_int_equal(profile_age_on(2008, 2, 29, 2025, 3, 1), 17);
}

static int64_t at(const char *iso)
{
    int64_t us = 0;
    assert_true(clock_parse_iso(iso, &us));
    return us;
}

static void test_birth_date_error_uses_todays_utc_date(void **state)
{
    (void)state;
    int64_t now = at("2026-06-15T23:30:00Z");
    assert_null(profile_birth_date_error("2010-06-15", now));
    assert_string_equal(profile_birth_date_error("2010-06-16", now),
                        "User must be 16 years or older");
    assert_string_equal(profile_birth_date_error("2030-01-01", now),
                        "User must be 16 years or older");
    assert_string_equal(profile_birth_date_error("15/06/2010", now),
                        "Invalid date format. Use YYYY-MM-DD");
    assert_string_equal(profile_birth_date_error("2010-02-30", now),
                        "Invalid date format. Use YYYY-MM-DD");
    /* half an hour later it is the 16th in UTC */
    assert_null(profile_birth_date_error("2010-06-16", at("2026-06-16T00:00:00Z")));
}

/* ---- gender ------------------------------------------------------------------ */

static void test_gender_is_case_insensitive_and_canonical(void **state)
{
    (void)state;
    assert_string_equal(profile_gender("male"), "male");
    assert_string_equal(profile_gender("FEMALE"), "female");
    assert_string_equal(profile_gender("Other"), "other");
    assert_string_equal(profile_gender("Prefer_Not_To_Say"), "prefer_not_to_say");
    assert_null(profile_gender(""));
    assert_null(profile_gender("m"));
    assert_null(profile_gender(" male"));
    assert_null(profile_gender("non_binary"));
    assert_null(profile_gender(NULL));
}

/* ---- interest lists -------------------------------------------------------------- */

static interests_status_t parse(const char *text, int64_t ids[5], int *n, const char **why)
{
    *why = NULL;
    return profile_parse_interests(text, ids, n, why);
}

static void test_interests_parse_ids(void **state)
{
    (void)state;
    int64_t ids[5];
    int n;
    const char *why;
    assert_int_equal(parse("[1,2,3]", ids, &n, &why), INTERESTS_OK);
    assert_int_equal(n, 3);
    assert_int_equal(ids[0], 1);
    assert_int_equal(ids[2], 3);
    assert_int_equal(parse(" [ 7 ] ", ids, &n, &why), INTERESTS_OK);
    assert_int_equal(n, 1);
    assert_int_equal(ids[0], 7);
}

static void test_interests_duplicates_collapse_before_counting(void **state)
{
    (void)state;
    int64_t ids[5];
    int n;
    const char *why;
    assert_int_equal(parse("[3,3,1,3]", ids, &n, &why), INTERESTS_OK);
    assert_int_equal(n, 2);
    assert_int_equal(ids[0], 3);
    assert_int_equal(ids[1], 1);
    assert_int_equal(parse("[1,1,1,1,1,1]", ids, &n, &why), INTERESTS_OK);
    assert_int_equal(n, 1);
    assert_int_equal(parse("[1,2,3,4,5,5]", ids, &n, &why), INTERESTS_OK);
    assert_int_equal(n, 5);
}

static void test_interests_count_limits(void **state)
{
    (void)state;
    int64_t ids[5];
    int n;
    const char *why;
    assert_int_equal(parse("[]", ids, &n, &why), INTERESTS_EMPTY);
    assert_int_equal(parse("[1,2,3,4,5,6]", ids, &n, &why), INTERESTS_TOO_MANY);
}

static void test_interests_format_errors_say_why(void **state)
{
    (void)state;
    int64_t ids[5];
    int n;
    const char *why;
    assert_int_equal(parse("abc", ids, &n, &why), INTERESTS_FORMAT);
    assert_string_equal(why, "not valid JSON");
    assert_int_equal(parse("", ids, &n, &why), INTERESTS_FORMAT);
    assert_int_equal(parse("[1,2", ids, &n, &why), INTERESTS_FORMAT);
    assert_int_equal(parse("{\"a\":1}", ids, &n, &why), INTERESTS_FORMAT);
    assert_string_equal(why, "event_interests must be a JSON array");
    assert_int_equal(parse("5", ids, &n, &why), INTERESTS_FORMAT);
    const char *not_ints[] = {"[1,\"2\"]", "[1.5]", "[true]", "[null]", "[[1]]"};
    for (size_t i = 0; i < sizeof not_ints / sizeof not_ints[0]; i++) {
        assert_int_equal(parse(not_ints[i], ids, &n, &why), INTERESTS_FORMAT);
        assert_string_equal(why, "event interest ids must be integers");
    }
    /* a format error is reported even past the count limit */
    assert_int_equal(parse("[1,2,3,4,5,6,\"x\"]", ids, &n, &why), INTERESTS_FORMAT);
}

/* ---- picture URLs ---------------------------------------------------------------- */

static void test_picture_urls_accepted(void **state)
{
    (void)state;
    const char *ok[] = {
        "https://example.com",
        "http://example.com/",
        "https://cdn.example.co.uk/a/b.jpg?x=1&y=2",
        "HTTPS://EXAMPLE.COM/Pic.JPG",
        "https://a-b.example.museum/x",
        "https://example.com?size=large",
        "https://example.com./x.png",
        "https://example.com/#top",
        "http://localhost",
        "http://LOCALHOST:8000/media/profiles/0123abcd.png",
        "http://127.0.0.1:8080/x.png",
        "http://0.0.0.0",
        "https://255.255.255.255/a",
        "https://example.com:65535/a",
        "https://xn--bcher-kva.example.com/a.webp",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (!profile_picture_url_ok(ok[i]))
            fail_msg("\"%s\" should be accepted", ok[i]);
}

static void test_picture_urls_refused(void **state)
{
    (void)state;
    const char *bad[] = {
        "",
        "example.com/a.png",
        "ftp://example.com/a.png",
        "javascript:alert(1)",
        "https://",
        "https:///a.png",
        "https://example",
        "https://example.c",
        "https://example.toolong",
        "https://example.123",
        "https://-bad.com",
        "https://bad-.com",
        "https://example..com",
        "https://.example.com",
        "https://exa mple.com",
        "https://example.com/a b.png",
        "https://example.com/\xc3\xa9.png",
        "https://256.1.1.1",
        "https://1.2.3",
        "https://1.2.3.4.5",
        "https://1.2.3.0004",
        "https://example.com:0",
        "https://example.com:65536",
        "https://example.com:123456",
        "https://example.com:",
        "https://example.com:80a",
        "https://user@example.com/a.png",
        "https://example.com#frag",
        "https://example.com?",
        "http://localhost.",
        "http://localhostx",
        "https://exa_mple.com",
        "https://example.com/\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (profile_picture_url_ok(bad[i]))
            fail_msg("\"%s\" should be refused", bad[i]);
    assert_false(profile_picture_url_ok(NULL));
}

static void test_picture_url_length_and_label_limits(void **state)
{
    (void)state;
    char url[PROFILE_URL_MAX + 16];
    strcpy(url, "https://example.com/");
    size_t n = strlen(url);
    memset(url + n, 'a', PROFILE_URL_MAX - n);
    url[PROFILE_URL_MAX] = '\0';
    assert_true(profile_picture_url_ok(url));
    url[PROFILE_URL_MAX] = 'a';
    url[PROFILE_URL_MAX + 1] = '\0';
    assert_false(profile_picture_url_ok(url));

    char host[128] = "https://";
    memset(host + 8, 'a', 63);
    strcpy(host + 8 + 63, ".com");
    assert_true(profile_picture_url_ok(host));
    memset(host + 8, 'a', 64);
    strcpy(host + 8 + 64, ".com");
    assert_false(profile_picture_url_ok(host));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_length_counts_code_points),
        cmocka_unit_test(test_utf8_length_refuses_invalid_bytes),
        cmocka_unit_test(test_trim_drops_ascii_whitespace_at_both_ends),
        cmocka_unit_test(test_name_rules_in_order),
        cmocka_unit_test(test_name_allows_letters_spaces_hyphens_apostrophes),
        cmocka_unit_test(test_parse_date_is_strict),
        cmocka_unit_test(test_age_is_calendar_age),
        cmocka_unit_test(test_age_for_29_february_birthdays),
        cmocka_unit_test(test_birth_date_error_uses_todays_utc_date),
        cmocka_unit_test(test_gender_is_case_insensitive_and_canonical),
        cmocka_unit_test(test_interests_parse_ids),
        cmocka_unit_test(test_interests_duplicates_collapse_before_counting),
        cmocka_unit_test(test_interests_count_limits),
        cmocka_unit_test(test_interests_format_errors_say_why),
        cmocka_unit_test(test_picture_urls_accepted),
        cmocka_unit_test(test_picture_urls_refused),
        cmocka_unit_test(test_picture_url_length_and_label_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
