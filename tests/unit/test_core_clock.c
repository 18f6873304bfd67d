/*
 * test_core_clock.c: core/clock: ISO 8601 parsing (dates, times, fractions,
 * zones, impossible dates and malformed text), formatting (including times
 * before 1970) and the test-mode offset that moves clock_now_us.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <stdio.h>
#include <time.h>

#include "core/clock.h"

#define SEC(s) ((int64_t)(s)*USEC_PER_SEC)

static int64_t parse_ok(const char *s)
{
    int64_t v = 0;
    if (!clock_parse_iso(s, &v))
        fail_msg("expected \"%s\" to parse", s);
    return v;
}

static void assert_rejected(const char *s)
{
    int64_t v = 12345;
    if (clock_parse_iso(s, &v))
        fail_msg("expected \"%s\" to be rejected", s);
    assert_int_equal(v, 12345); /* out-param untouched on failure */
}

/* ---- parsing: accepted forms ------------------------------------------ */

static void test_parse_epoch(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("1970-01-01T00:00:00Z"), 0);
}

static void test_parse_date_only_is_utc_midnight(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2024-03-01"), SEC(1709251200));
}

static void test_parse_full_timestamp_with_z(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2024-06-15T10:30:00Z"), SEC(1718447400));
}

static void test_parse_without_zone_is_utc(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2024-06-15T10:30:00"), SEC(1718447400));
}

static void test_parse_without_seconds(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2024-06-15T10:30Z"), SEC(1718447400));
    assert_int_equal(parse_ok("2024-06-15T10:30"), SEC(1718447400));
}

static void test_parse_lowercase_t_z_and_space_separator(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2024-06-15t10:30:00z"), SEC(1718447400));
    assert_int_equal(parse_ok("2024-06-15 10:30:00Z"), SEC(1718447400));
}

static void test_parse_fraction_microseconds(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("1970-01-01T00:00:01.123456Z"), 1123456);
}

static void test_parse_short_fraction_is_scaled(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("1970-01-01T00:00:00.5Z"), 500000);
    assert_int_equal(parse_ok("1970-01-01T00:00:00.05Z"), 50000);
    assert_int_equal(parse_ok("1970-01-01T00:00:00.123Z"), 123000);
}

static void test_parse_fraction_beyond_microseconds_is_truncated(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("1970-01-01T00:00:00.1234569Z"), 123456);
    assert_int_equal(parse_ok("1970-01-01T00:00:00.999999999999Z"), 999999);
}

static void test_parse_fraction_comma_separator(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("1970-01-01T00:00:00,25Z"), 250000);
}

static void test_parse_positive_offset_subtracts(void **state)
{
    (void)state;
    /* 10:30 in India (+05:30) is 05:00 UTC */
    assert_int_equal(parse_ok("2024-06-15T10:30:00+05:30"), SEC(1718427600));
}

static void test_parse_negative_offset_adds(void **state)
{
    (void)state;
    /* 02:30 at -08:00 is 10:30 UTC */
    assert_int_equal(parse_ok("2024-06-15T02:30:00-08:00"), SEC(1718447400));
}

static void test_parse_compact_and_hour_only_offsets(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2024-06-15T10:30:00+0530"), SEC(1718427600));
    assert_int_equal(parse_ok("2024-06-15T15:30:00+05"), SEC(1718447400));
    assert_int_equal(parse_ok("2024-06-15T10:30:00+00:00"), SEC(1718447400));
}

static void test_parse_offset_crossing_midnight(void **state)
{
    (void)state;
    /* 2024-03-01 01:00 at +02:00 is 2024-02-29 23:00 UTC */
    assert_int_equal(parse_ok("2024-03-01T01:00:00+02:00"), SEC(1709251200 - 3600));
}

static void test_parse_leap_days(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2024-02-29T12:00:00Z"), SEC(1709208000));
    assert_int_equal(parse_ok("2000-02-29"), SEC(951782400)); /* divisible by 400 */
}

static void test_parse_leap_second_clamps_to_59(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2016-12-31T23:59:60Z"), SEC(1483228799));
}

static void test_parse_before_epoch(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("1969-12-31T23:59:59Z"), SEC(-1));
    assert_int_equal(parse_ok("1900-01-01"), SEC(-2208988800LL));
}

static void test_parse_extreme_four_digit_years(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("1000-01-01"), SEC(-30610224000LL));
    assert_int_equal(parse_ok("9999-12-31T23:59:59Z"), SEC(253402300799LL));
}

static void test_parse_end_of_each_month(void **state)
{
    (void)state;
    static const char *last[] = {"2023-01-31", "2023-02-28", "2023-03-31", "2023-04-30",
                                 "2023-05-31", "2023-06-30", "2023-07-31", "2023-08-31",
                                 "2023-09-30", "2023-10-31", "2023-11-30", "2023-12-31"};
    int64_t prev = 0;
    for (size_t i = 0; i < sizeof last / sizeof last[0]; i++) {
        int64_t v = parse_ok(last[i]);
        if (i > 0)
            assert_true(v > prev);
        prev = v;
    }
    /* the day after the 31st of December is New Year */
    assert_int_equal(parse_ok("2024-01-01") - parse_ok("2023-12-31"), SEC(86400));
}

/* ---- parsing: rejected forms ------------------------------------------ */

static void test_parse_rejects_null_and_empty(void **state)
{
    (void)state;
    int64_t v = 7;
    assert_false(clock_parse_iso(NULL, &v));
    assert_int_equal(v, 7);
    assert_rejected("");
}

static void test_parse_rejects_non_leap_feb_29(void **state)
{
    (void)state;
    assert_rejected("2023-02-29");
    assert_rejected("1900-02-29"); /* divisible by 100, not 400 */
}

static void test_parse_rejects_impossible_days(void **state)
{
    (void)state;
    assert_rejected("2024-04-31");
    assert_rejected("2024-01-32");
    assert_rejected("2024-01-00");
    assert_rejected("2024-02-30");
}

static void test_parse_rejects_impossible_months(void **state)
{
    (void)state;
    assert_rejected("2024-00-10");
    assert_rejected("2024-13-01");
}

static void test_parse_rejects_out_of_range_time(void **state)
{
    (void)state;
    assert_rejected("2024-01-01T24:00:00Z");
    assert_rejected("2024-01-01T23:60:00Z");
    assert_rejected("2024-01-01T23:59:61Z");
}

static void test_parse_rejects_short_fields(void **state)
{
    (void)state;
    assert_rejected("2024-1-01");
    assert_rejected("2024-01-1");
    assert_rejected("24-01-01");
    assert_rejected("2024-01-01T1:00");
    assert_rejected("2024-01-01T10:0");
    assert_rejected("2024-01-01T10:00:0Z");
}

static void test_parse_rejects_truncated_time(void **state)
{
    (void)state;
    assert_rejected("2024-01-01T");
    assert_rejected("2024-01-01T10");
    assert_rejected("2024-01-01T10:");
    assert_rejected("2024-01-01T10:00:");
    assert_rejected("2024-01");
    assert_rejected("2024-01-");
}

static void test_parse_rejects_empty_fraction(void **state)
{
    (void)state;
    assert_rejected("2024-01-01T10:00:00.Z");
    assert_rejected("2024-01-01T10:00:00.");
}

static void test_parse_rejects_trailing_garbage(void **state)
{
    (void)state;
    assert_rejected("2024-01-01x");
    assert_rejected("2024-01-01T10:00:00Zjunk");
    assert_rejected("2024-01-01T10:00:00Z ");
    assert_rejected("2024-01-01T10:00:00+05:30x");
    assert_rejected("2024-01-01T10:00:00 Z");
}

static void test_parse_rejects_bad_zones(void **state)
{
    (void)state;
    assert_rejected("2024-01-01T10:00:00+24:00");
    assert_rejected("2024-01-01T10:00:00+05:60");
    assert_rejected("2024-01-01T10:00:00+5");
    assert_rejected("2024-01-01T10:00:00+");
    assert_rejected("2024-01-01T10:00:00UTC");
    assert_rejected("2024-01-01T10:00:00+05:3");
}

static void test_parse_rejects_wrong_separators(void **state)
{
    (void)state;
    assert_rejected("2024/01/01");
    assert_rejected("2024-01-01X10:00:00Z");
    assert_rejected("2024-01-01T10.00.00Z");
    assert_rejected("20240101T100000Z");
}

static void test_parse_rejects_signs_and_spaces_in_digits(void **state)
{
    (void)state;
    assert_rejected("-024-01-01");
    assert_rejected("2024-+1-01");
    assert_rejected(" 2024-01-01");
    assert_rejected("2024-01- 1");
}

/* ---- formatting ---------------------------------------------------------- */

static void test_format_epoch(void **state)
{
    (void)state;
    char out[32];
    clock_format_iso(0, out);
    assert_string_equal(out, "1970-01-01T00:00:00.000000Z");
}

static void test_format_microseconds(void **state)
{
    (void)state;
    char out[32];
    clock_format_iso(SEC(1718447400) + 42, out);
    assert_string_equal(out, "2024-06-15T10:30:00.000042Z");
}

static void test_format_seconds_drops_fraction(void **state)
{
    (void)state;
    char out[32];
    clock_format_iso_seconds(SEC(1718447400) + 999999, out);
    assert_string_equal(out, "2024-06-15T10:30:00Z");
}

static void test_format_before_epoch_floors(void **state)
{
    (void)state;
    char out[32];
    clock_format_iso(-1, out);
    assert_string_equal(out, "1969-12-31T23:59:59.999999Z");
    clock_format_iso(SEC(-1) - 500000, out);
    assert_string_equal(out, "1969-12-31T23:59:58.500000Z");
    clock_format_iso_seconds(-1, out);
    assert_string_equal(out, "1969-12-31T23:59:59Z");
}

/* The arithmetic date matches gmtime_r's over years 1-9999, and parses back. */
static void test_format_matches_gmtime(void **state)
{
    (void)state;
    const int64_t lo = -62135596800LL, hi = 253402300799LL; /* 0001-01-01 .. 9999-12-31 */
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        int64_t sec = lo + (int64_t)(x % (uint64_t)(hi - lo + 1));
        if (i < 4000) /* and every day around the epoch and around leap days */
            sec = (i - 2000) * 86400LL + 3661 + (i % 7 == 0 ? 951782400LL : 0);
        time_t t = (time_t)sec;
        struct tm tm;
        gmtime_r(&t, &tm);
        char want[96], out[32];
        snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(x % 1000000));
        clock_format_iso(SEC(sec) + (int64_t)(x % 1000000), out);
        assert_string_equal(out, want);
        int64_t back = 0;
        assert_true(clock_parse_iso(out, &back));
        assert_int_equal(back, SEC(sec) + (int64_t)(x % 1000000));
    }
}

static void test_format_far_years(void **state)
{
    (void)state;
    char out[32];
    clock_format_iso(SEC(253402300799LL) + 999999, out);
    assert_string_equal(out, "9999-12-31T23:59:59.999999Z");
    clock_format_iso(SEC(-30610224000LL), out);
    assert_string_equal(out, "1000-01-01T00:00:00.000000Z");
}

static void test_format_then_parse_round_trips(void **state)
{
    (void)state;
    static const int64_t values[] = {
        0,
        1,
        -1,
        SEC(1709208000) + 123456,
        SEC(-2208988800LL) + 7,
        SEC(951782400) - 1,
        SEC(253402300799LL) + 999999,
        SEC(-30610224000LL),
    };
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        char out[32];
        clock_format_iso(values[i], out);
        assert_int_equal(parse_ok(out), values[i]);
    }
}

static void test_format_seconds_then_parse_round_trips_whole_seconds(void **state)
{
    (void)state;
    char out[32];
    clock_format_iso_seconds(SEC(1718447400) + 250000, out);
    assert_int_equal(parse_ok(out), SEC(1718447400));
}

/* ---- now, monotonic time and the test offset ------------------------------ */

static int reset_offset(void **state)
{
    (void)state;
    clock_advance_us(-clock_offset_us());
    return 0;
}

static void test_now_is_current_time(void **state)
{
    (void)state;
    /* 2024-01-01 < now < 2200-01-01 */
    int64_t now = clock_now_us();
    assert_true(now > SEC(1704067200));
    assert_true(now < SEC(7258118400LL));
}

static void test_offset_starts_at_zero(void **state)
{
    (void)state;
    assert_int_equal(clock_offset_us(), 0);
}

static void test_advance_moves_now_forward(void **state)
{
    (void)state;
    int64_t before = clock_now_us();
    clock_advance_us(SEC(3600));
    int64_t after = clock_now_us();
    assert_int_equal(clock_offset_us(), SEC(3600));
    assert_true(after - before >= SEC(3600));
    assert_true(after - before < SEC(3600) + SEC(5));
}

static void test_advance_accumulates_and_may_go_backwards(void **state)
{
    (void)state;
    clock_advance_us(SEC(100));
    clock_advance_us(SEC(50));
    assert_int_equal(clock_offset_us(), SEC(150));
    clock_advance_us(SEC(-400));
    assert_int_equal(clock_offset_us(), SEC(-250));
}

static void test_set_moves_now_to_absolute_time(void **state)
{
    (void)state;
    int64_t target = SEC(1893456000LL); /* 2030-01-01 */
    clock_set_us(target);
    int64_t now = clock_now_us();
    assert_true(now >= target);
    assert_true(now - target < SEC(5));
}

static void test_set_to_the_past_is_allowed(void **state)
{
    (void)state;
    clock_set_us(SEC(1000));
    assert_true(clock_offset_us() < 0);
    int64_t now = clock_now_us();
    assert_true(now >= SEC(1000));
    assert_true(now < SEC(1005));
}

static void test_monotonic_clock_does_not_follow_offset(void **state)
{
    (void)state;
    int64_t m1 = clock_mono_us();
    clock_advance_us(SEC(-86400));
    int64_t m2 = clock_mono_us();
    assert_true(m2 >= m1);
    assert_true(m2 - m1 < SEC(5));
}

/* ---- calendar arithmetic (the admin dashboard's periods) ---- */

static void test_civil_round_trip_and_overflow(void **state)
{
    (void)state;
    int y, m, d;
    int64_t t;
    assert_true(clock_parse_iso("2026-12-04T09:57:00Z", &t));
    clock_civil(t, &y, &m, &d);
    assert_int_equal(y, 2026);
    assert_int_equal(m, 12);
    assert_int_equal(d, 4);
    int64_t want;
    assert_true(clock_parse_iso("2027-01-01", &want));
    assert_true(clock_from_civil(2026, 13, 1) == want);
    assert_true(clock_parse_iso("2025-12-01", &want));
    assert_true(clock_from_civil(2026, 0, 1) == want);
    assert_true(clock_from_civil(2027, -12, 1) == want);
    assert_true(clock_parse_iso("2024-02-29", &want));
    assert_true(clock_from_civil(2024, 3, 0) == want); /* day 0: the last of the month before */
    clock_civil(-1, &y, &m, &d);                       /* a microsecond before the epoch */
    assert_int_equal(y, 1969);
    assert_int_equal(m, 12);
    assert_int_equal(d, 31);
    /* every day of four years goes there and back */
    for (int64_t day = 19000; day < 19000 + 4 * 366; day++) {
        clock_civil(day * 86400 * USEC_PER_SEC + 5, &y, &m, &d);
        assert_true(clock_from_civil(y, m, d) == day * 86400 * USEC_PER_SEC);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_epoch),
        cmocka_unit_test(test_parse_date_only_is_utc_midnight),
        cmocka_unit_test(test_parse_full_timestamp_with_z),
        cmocka_unit_test(test_parse_without_zone_is_utc),
        cmocka_unit_test(test_parse_without_seconds),
        cmocka_unit_test(test_parse_lowercase_t_z_and_space_separator),
        cmocka_unit_test(test_parse_fraction_microseconds),
        cmocka_unit_test(test_parse_short_fraction_is_scaled),
        cmocka_unit_test(test_parse_fraction_beyond_microseconds_is_truncated),
        cmocka_unit_test(test_parse_fraction_comma_separator),
        cmocka_unit_test(test_parse_positive_offset_subtracts),
        cmocka_unit_test(test_parse_negative_offset_adds),
        cmocka_unit_test(test_parse_compact_and_hour_only_offsets),
        cmocka_unit_test(test_parse_offset_crossing_midnight),
        cmocka_unit_test(test_parse_leap_days),
        cmocka_unit_test(test_parse_leap_second_clamps_to_59),
        cmocka_unit_test(test_parse_before_epoch),
        cmocka_unit_test(test_parse_extreme_four_digit_years),
        cmocka_unit_test(test_parse_end_of_each_month),
        cmocka_unit_test(test_parse_rejects_null_and_empty),
        cmocka_unit_test(test_parse_rejects_non_leap_feb_29),
        cmocka_unit_test(test_parse_rejects_impossible_days),
        cmocka_unit_test(test_parse_rejects_impossible_months),
        cmocka_unit_test(test_parse_rejects_out_of_range_time),
        cmocka_unit_test(test_parse_rejects_short_fields),
        cmocka_unit_test(test_parse_rejects_truncated_time),
        cmocka_unit_test(test_parse_rejects_empty_fraction),
        cmocka_unit_test(test_parse_rejects_trailing_garbage),
        cmocka_unit_test(test_parse_rejects_bad_zones),
        cmocka_unit_test(test_parse_rejects_wrong_separators),
        cmocka_unit_test(test_parse_rejects_signs_and_spaces_in_digits),
        cmocka_unit_test(test_format_epoch),
        cmocka_unit_test(test_format_microseconds),
        cmocka_unit_test(test_format_seconds_drops_fraction),
        cmocka_unit_test(test_format_before_epoch_floors),
        cmocka_unit_test(test_format_matches_gmtime),
        cmocka_unit_test(test_format_far_years),
        cmocka_unit_test(test_format_then_parse_round_trips),
        cmocka_unit_test(test_format_seconds_then_parse_round_trips_whole_seconds),
        cmocka_unit_test(test_civil_round_trip_and_overflow),
        cmocka_unit_test_teardown(test_now_is_current_time, reset_offset),
        cmocka_unit_test_teardown(test_offset_starts_at_zero, reset_offset),
        cmocka_unit_test_teardown(test_advance_moves_now_forward, reset_offset),
        cmocka_unit_test_teardown(test_advance_accumulates_and_may_go_backwards, reset_offset),
        cmocka_unit_test_teardown(test_set_moves_now_to_absolute_time, reset_offset),
        cmocka_unit_test_teardown(test_set_to_the_past_is_allowed, reset_offset),
        cmocka_unit_test_teardown(test_monotonic_clock_does_not_follow_offset, reset_offset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
