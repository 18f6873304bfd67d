/*
 * test_events_seo.c: the pure builders behind the SEO and calendar endpoints:
 * iCalendar TEXT escaping, line folding at 75 octets on UTF-8 boundaries,
 * UTC date-times and STATUS; the 160-character description cut; city copy and
 * its generic fallback; page arithmetic of city pages; schema.org shapes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/arena.h"
#include "core/clock.h"
#include "core/strbuf.h"
#include "seo/ics.h"
#include "seo/seo.h"

/* ---- helpers ------------------------------------------------------------------ */

static char *escaped(const char *s)
{
    strbuf_t sb;
    sb_init(&sb);
    ics_escape_text(&sb, s);
    if (!sb.data)
        sb_puts(&sb, "");
    return sb_steal(&sb, NULL);
}

static char *folded(const char *line)
{
    strbuf_t sb;
    sb_init(&sb);
    ics_fold_line(&sb, line, strlen(line));
    return sb_steal(&sb, NULL);
}

/* Undoes ics_fold_line: drops every CRLF + space, and the final CRLF. */
static char *unfolded(const char *text)
{
    size_t n = strlen(text);
    char *out = malloc(n + 1), *o = out;
    for (size_t i = 0; i < n; i++) {
        if (text[i] == '\r' && text[i + 1] == '\n') {
            i += (text[i + 2] == ' ') ? 2 : 1;
            continue;
        }
        *o++ = text[i];
    }
    *o = '\0';
    return out;
}

/* Every physical line is at most 75 octets, ends in CRLF and starts on a
 * UTF-8 character; with one_line, every line after the first is a
 * continuation (starts with a space). */
static void assert_well_folded(const char *text, bool one_line)
{
    const char *p = text;
    bool first = true;
    while (*p) {
        const char *end = strstr(p, "\r\n");
        assert_non_null(end);
        assert_true(end - p <= ICS_LINE_OCTETS);
        if (!first && one_line)
            assert_int_equal(p[0], ' ');
        if (p[0] == ' ')
            assert_false(((unsigned char)p[1] & 0xC0) == 0x80);
        assert_false(((unsigned char)p[0] & 0xC0) == 0x80);
        first = false;
        p = end + 2;
    }
}

/* ---- iCalendar --------------------------------------------------------------- */

static void test_ics_escapes_text_specials(void **state)
{
    (void)state;
    char *s = escaped("a,b;c\\d");
    assert_string_equal(s, "a\\,b\\;c\\\\d");
    free(s);
    s = escaped("one\ntwo\r\nthree\rfour");
    assert_string_equal(s, "one\\ntwo\\nthree\\nfour");
    free(s);
    s = escaped("tab\tkept, bell\a and nul-less \x7f gone");
    assert_string_equal(s, "tab\tkept\\, bell and nul-less  gone");
    free(s);
    s = escaped("caf\xc3\xa9: \"quoted\" and colon");
    assert_string_equal(s, "caf\xc3\xa9: \"quoted\" and colon");
    free(s);
    s = escaped("");
    assert_string_equal(s, "");
    free(s);
}

static void test_ics_short_lines_are_not_folded(void **state)
{
    (void)state;
    char line[ICS_LINE_OCTETS + 1];
    memset(line, 'a', ICS_LINE_OCTETS);
    line[ICS_LINE_OCTETS] = '\0';
    char *f = folded(line); /* exactly 75 octets: one line */
    assert_int_equal(strlen(f), ICS_LINE_OCTETS + 2);
    assert_string_equal(f + ICS_LINE_OCTETS, "\r\n");
    free(f);
    f = folded("SUMMARY:hi");
    assert_string_equal(f, "SUMMARY:hi\r\n");
    free(f);
}

static void test_ics_folds_at_75_octets(void **state)
{
    (void)state;
    char line[200];
    memset(line, 'x', 76);
    line[76] = '\0';
    char *f = folded(line); /* 76 octets: 75 + CRLF + " x" */
    assert_int_equal(strncmp(f + 75, "\r\n x\r\n", 6), 0);
    assert_int_equal(strlen(f), 76 + 2 + 1 + 2);
    free(f);
    memset(line, 'y', 75 + 74 + 1);
    line[150] = '\0';
    f = folded(line); /* second line holds 74 octets after its space */
    assert_well_folded(f, true);
    char *u = unfolded(f);
    assert_string_equal(u, line);
    free(u);
    free(f);
}

static void test_ics_fold_never_splits_utf8(void **state)
{
    (void)state;
    /* "DESCRIPTION:" + many 3-octet characters: 75 is not a boundary */
    strbuf_t sb;
    sb_init(&sb);
    sb_puts(&sb, "DESCRIPTION:");
    for (int i = 0; i < 60; i++)
        sb_puts(&sb, "\xe6\x97\xa5");     /* 日 */
    sb_puts(&sb, "\xf0\x9f\x8e\x89 end"); /* a 4-octet emoji */
    char *f = folded(sb.data);
    assert_well_folded(f, true);
    char *u = unfolded(f);
    assert_string_equal(u, sb.data);
    free(u);
    free(f);
    sb_free(&sb);

    /* a 2-octet character straddling octet 75 moves to the next line */
    char line[80];
    memset(line, 'a', 74);
    memcpy(line + 74, "\xc3\xa9z", 4); /* é at octets 75-76 */
    f = folded(line);
    assert_int_equal(strncmp(f + 74, "\r\n \xc3\xa9z\r\n", 8), 0);
    free(f);
}

static void test_ics_utc_format_and_status(void **state)
{
    (void)state;
    char buf[20];
    ics_format_utc(0, buf);
    assert_string_equal(buf, "19700101T000000Z");
    int64_t t;
    assert_true(clock_parse_iso("2030-06-15T13:30:45.999Z", &t));
    ics_format_utc(t, buf);
    assert_string_equal(buf, "20300615T133045Z");
    assert_string_equal(ics_status("published"), "CONFIRMED");
    assert_string_equal(ics_status("completed"), "CONFIRMED");
    assert_string_equal(ics_status("cancelled"), "CANCELLED");
    assert_string_equal(ics_status("postponed"), "TENTATIVE");
    assert_string_equal(ics_status("draft"), "TENTATIVE");
    assert_string_equal(ics_status(NULL), "CONFIRMED");
}

static void test_ics_build_one_vevent(void **state)
{
    (void)state;
    int64_t start, end;
    assert_true(clock_parse_iso("2030-01-02T03:04:05Z", &start));
    assert_true(clock_parse_iso("2030-01-02T05:00:00Z", &end));
    ics_event_t ev = {.uuid = "0b0e5f7e-1c1a-4a57-9d55-1234567890ab",
                      .dtstamp = start,
                      .start = start,
                      .end = end,
                      .summary = "Hello, world",
                      .description = NULL,
                      .location = "",
                      .url = "https://loopin.example/in/pune/events/hello--abc",
                      .status = "cancelled"};
    size_t len = 0;
    char *text = ics_build(&ev, &len);
    assert_int_equal(len, strlen(text));
    assert_well_folded(text, false);
    assert_int_equal(strncmp(text, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", 30), 0);
    assert_non_null(strstr(text, "\r\nUID:0b0e5f7e-1c1a-4a57-9d55-1234567890ab@loopin\r\n"));
    assert_non_null(strstr(text, "\r\nDTSTART:20300102T030405Z\r\n"));
    assert_non_null(strstr(text, "\r\nDTEND:20300102T050000Z\r\n"));
    assert_non_null(strstr(text, "\r\nSUMMARY:Hello\\, world\r\n"));
    assert_non_null(strstr(text, "\r\nSTATUS:CANCELLED\r\n"));
    assert_null(strstr(text, "DESCRIPTION"));
    assert_null(strstr(text, "LOCATION"));
    assert_non_null(strstr(text, "\r\nURL:https://loopin.example/in/pune/events/hello--abc\r\n"));
    assert_string_equal(text + len - 27, "END:VEVENT\r\nEND:VCALENDAR\r\n");
    free(text);
}

/* ---- descriptions ---------------------------------------------------------------- */

static void test_description_cut_at_160_characters(void **state)
{
    (void)state;
    arena_t a;
    arena_init(&a);
    char buf[400];
    memset(buf, 'd', 160);
    buf[160] = '\0';
    assert_string_equal(seo_description_cut(&a, buf), buf); /* exactly 160: kept */
    buf[160] = 'd';
    buf[161] = '\0';
    const char *cut = seo_description_cut(&a, buf);
    assert_int_equal(strlen(cut), 160);
    assert_string_equal(cut + 157, "...");
    assert_int_equal(strncmp(cut, buf, 157), 0);
    assert_string_equal(seo_description_cut(&a, "short"), "short");
    assert_string_equal(seo_description_cut(&a, NULL), "");

    /* characters, not octets: 170 two-octet characters */
    strbuf_t sb;
    sb_init(&sb);
    for (int i = 0; i < 170; i++)
        sb_puts(&sb, "\xc3\xa9");
    cut = seo_description_cut(&a, sb.data);
    assert_int_equal(strlen(cut), 157 * 2 + 3);
    assert_int_equal(strncmp(cut, sb.data, 314), 0);
    assert_string_equal(cut + 314, "...");
    sb_free(&sb);
    arena_free(&a);
}

static void test_utf8_prefix(void **state)
{
    (void)state;
    arena_t a;
    arena_init(&a);
    assert_string_equal(seo_utf8_prefix(&a, "abcdef", 3), "abc");
    assert_string_equal(seo_utf8_prefix(&a, "ab", 3), "ab");
    assert_string_equal(seo_utf8_prefix(&a, "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 2),
                        "\xe6\x97\xa5\xe6\x9c\xac");
    assert_string_equal(seo_utf8_prefix(&a, "x\xf0\x9f\x8e\x89y", 2), "x\xf0\x9f\x8e\x89");
    assert_string_equal(seo_utf8_prefix(&a, "abc", 0), "");
    arena_free(&a);
}

/* ---- city copy ----------------------------------------------------------------------- */

static void test_city_copy_and_fallback(void **state)
{
    (void)state;
    static const char *const launched[] = {"bangalore", "mumbai",  "delhi",
                                           "hyderabad", "chennai", "pune"};
    for (size_t i = 0; i < 6; i++) {
        const seo_city_copy_t *c = seo_city_copy("in", launched[i]);
        assert_non_null(c);
        assert_string_equal(c->slug, launched[i]);
        assert_non_null(strstr(c->title, "| Loopin"));
        assert_true(strlen(c->static_content) > 40);
    }
    assert_null(seo_city_copy("us", "pune"));
    assert_null(seo_city_copy("in", "goa"));
    assert_null(seo_city_copy("in", "Pune"));

    char name[64];
    seo_city_name("in", "bangalore", name, sizeof name);
    assert_string_equal(name, "Bangalore");
    seo_city_name("in", "navi-mumbai", name, sizeof name);
    assert_string_equal(name, "Navi Mumbai");
    seo_city_name("in", "sector-21-gurgaon", name, sizeof name);
    assert_string_equal(name, "Sector 21 Gurgaon");
    seo_city_name("us", "pune", name, sizeof name);
    assert_string_equal(name, "Pune");
    seo_city_name("in", "a-very-long-city-name", name, 8);
    assert_string_equal(name, "A Very ");

    arena_t a;
    arena_init(&a);
    assert_string_equal(seo_country_name(&a, "in"), "India");
    assert_string_equal(seo_country_name(&a, "us"), "US");
    arena_free(&a);
}

static void test_city_meta_fallback_object(void **state)
{
    (void)state;
    arena_t a;
    arena_init(&a);
    seo_city_page_t p = {.country_code = "in",
                         .city_slug = "goa",
                         .total = 0,
                         .public_url = "https://loopin.example"};
    json_t *m = seo_city_meta(&a, &p);
    assert_non_null(m);
    assert_string_equal(json_string_value(json_object_get(m, "title")), "Events in Goa | Loopin");
    assert_string_equal(json_string_value(json_object_get(m, "h1")), "Events in Goa");
    assert_string_equal(json_string_value(json_object_get(m, "city_name")), "Goa");
    assert_string_equal(json_string_value(json_object_get(m, "canonical_url")),
                        "https://loopin.example/in/goa/events");
    json_decref(m);

    p.city_slug = "pune";
    p.total = 7;
    p.interest_name = "Music";
    p.interest_slug = "music";
    m = seo_city_meta(&a, &p);
    assert_string_equal(json_string_value(json_object_get(m, "h1")), "Music events in Pune");
    assert_non_null(strstr(json_string_value(json_object_get(m, "description")),
                           "Discover 7 Music events in Pune."));
    assert_string_equal(json_string_value(json_object_get(m, "canonical_url")),
                        "https://loopin.example/in/pune/events/music");
    json_decref(m);
    arena_free(&a);
}

/* ---- pagination ----------------------------------------------------------------------- */

static void test_pagination_math(void **state)
{
    (void)state;
    seo_page_t pg;
    seo_paginate(1, 20, 0, &pg);
    assert_int_equal(pg.total_pages, 1);
    assert_false(pg.has_next);
    assert_false(pg.has_prev);
    assert_false(pg.has_rows);

    seo_paginate(1, 2, 5, &pg);
    assert_int_equal(pg.total_pages, 3);
    assert_true(pg.has_next);
    assert_false(pg.has_prev);
    assert_true(pg.has_rows);
    assert_int_equal(pg.offset, 0);

    seo_paginate(3, 2, 5, &pg);
    assert_false(pg.has_next);
    assert_true(pg.has_prev);
    assert_int_equal(pg.offset, 4);

    seo_paginate(1, 5, 5, &pg);
    assert_int_equal(pg.total_pages, 1);
    seo_paginate(1, 5, 6, &pg);
    assert_int_equal(pg.total_pages, 2);
    seo_paginate(1, 100, 1, &pg);
    assert_int_equal(pg.total_pages, 1);

    seo_paginate(4, 2, 5, &pg); /* past the end */
    assert_false(pg.has_rows);
    assert_false(pg.has_next);
    assert_true(pg.has_prev);
    assert_int_equal(pg.total_pages, 3);

    seo_paginate(INT64_MAX, 100, 5, &pg); /* no overflow */
    assert_false(pg.has_rows);
    assert_int_equal(pg.offset, 0);
}

static void test_pagination_json_urls(void **state)
{
    (void)state;
    arena_t a;
    arena_init(&a);
    seo_city_page_t p = {.country_code = "in", .city_slug = "pune", .public_url = "http://x"};
    seo_page_t pg;
    seo_paginate(2, 10, 35, &pg);
    json_t *j = seo_pagination_json(&a, &p, &pg);
    assert_string_equal(json_string_value(json_object_get(j, "next_url")),
                        "/in/pune/events?page=3");
    assert_string_equal(json_string_value(json_object_get(j, "prev_url")),
                        "/in/pune/events?page=1");
    assert_int_equal(json_integer_value(json_object_get(j, "next_page")), 3);
    assert_int_equal(json_integer_value(json_object_get(j, "total_pages")), 4);
    json_decref(j);
    p.interest_slug = "art";
    p.interest_name = "Art";
    seo_paginate(1, 10, 5, &pg);
    j = seo_pagination_json(&a, &p, &pg);
    assert_true(json_is_null(json_object_get(j, "next_url")));
    assert_true(json_is_null(json_object_get(j, "prev_page")));
    json_decref(j);
    seo_paginate(2, 10, 35, &pg);
    j = seo_pagination_json(&a, &p, &pg);
    assert_string_equal(json_string_value(json_object_get(j, "next_url")),
                        "/in/pune/events/art?page=3");
    json_decref(j);
    arena_free(&a);
}

/* ---- one event ------------------------------------------------------------------------- */

static void test_event_schema_and_public_object(void **state)
{
    (void)state;
    arena_t a;
    arena_init(&a);
    seo_event_t e = {.canonical_id = "abc123XYZ0",
                     .slug = "jazz",
                     .title = "Jazz",
                     .description = "Live jazz all night long.",
                     .canonical_url = "/in/pune/events/jazz--abc123XYZ0",
                     .country_code = "in",
                     .city_slug = "pune",
                     .status = "postponed",
                     .price = "0.00",
                     .currency = "INR",
                     .max_capacity = 0,
                     .going_count = 40,
                     .venue_text = "",
                     .public_url = "https://loopin.example"};
    json_t *pub = seo_public_object(&a, &e);
    assert_string_equal(json_string_value(json_object_get(pub, "city")), "Unknown");
    assert_string_equal(json_string_value(json_object_get(pub, "venue_or_location")),
                        "Location TBD");
    assert_string_equal(json_string_value(json_object_get(pub, "event_image_url")), "");
    assert_string_equal(json_string_value(json_object_get(pub, "canonical_url")),
                        "https://loopin.example/in/pune/events/jazz--abc123XYZ0");
    json_decref(pub);

    json_t *s = seo_event_schema(&a, &e);
    assert_string_equal(json_string_value(json_object_get(s, "eventStatus")),
                        "https://schema.org/EventPostponed");
    json_t *offer = json_object_get(s, "offers");
    assert_string_equal(json_string_value(json_object_get(offer, "price")), "0");
    assert_string_equal(json_string_value(json_object_get(offer, "availability")),
                        "https://schema.org/InStock"); /* 0 = unlimited */
    assert_null(json_object_get(s, "location"));
    assert_null(json_object_get(s, "image"));
    json_decref(s);

    e.has_venue = true;
    e.venue_name = "Online";
    e.venue_city = "Pune";
    e.venue_type = "virtual";
    e.max_capacity = 40;
    s = seo_event_schema(&a, &e);
    assert_string_equal(json_string_value(json_object_get(s, "eventAttendanceMode")),
                        "https://schema.org/OnlineEventAttendanceMode");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(s, "offers"), "availability")),
        "https://schema.org/SoldOut");
    assert_null(json_object_get(json_object_get(s, "location"), "geo"));
    json_decref(s);

    json_t *m = seo_event_meta(&a, &e);
    assert_string_equal(json_string_value(json_object_get(m, "title")), "Jazz in Pune | Loopin");
    assert_string_equal(json_string_value(json_object_get(m, "event_location")), "Online");
    json_decref(m);
    arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ics_escapes_text_specials),
        cmocka_unit_test(test_ics_short_lines_are_not_folded),
        cmocka_unit_test(test_ics_folds_at_75_octets),
        cmocka_unit_test(test_ics_fold_never_splits_utf8),
        cmocka_unit_test(test_ics_utc_format_and_status),
        cmocka_unit_test(test_ics_build_one_vevent),
        cmocka_unit_test(test_description_cut_at_160_characters),
        cmocka_unit_test(test_utf8_prefix),
        cmocka_unit_test(test_city_copy_and_fallback),
        cmocka_unit_test(test_city_meta_fallback_object),
        cmocka_unit_test(test_pagination_math),
        cmocka_unit_test(test_pagination_json_urls),
        cmocka_unit_test(test_event_schema_and_public_object),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
