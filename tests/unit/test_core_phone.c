/*
 * test_core_phone.c: core/phone: E.164 normalisation. Separators dropped, an
 * optional leading '+', 8-15 digits, no leading zero; everything else refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/phone.h"

static void assert_normalizes(const char *in, const char *want)
{
    char out[17];
    memset(out, 'x', sizeof out);
    if (!phone_normalize(in, out))
        fail_msg("expected \"%s\" to be a phone number", in);
    assert_string_equal(out, want);
}

static void assert_not_phone(const char *in)
{
    char out[17];
    if (phone_normalize(in, out))
        fail_msg("expected \"%s\" to be refused, got \"%s\"", in, out);
}

static void test_e164_with_plus_is_unchanged(void **state)
{
    (void)state;
    assert_normalizes("+919876543210", "+919876543210");
}

static void test_plus_is_added_when_missing(void **state)
{
    (void)state;
    assert_normalizes("919876543210", "+919876543210");
}

static void test_with_and_without_plus_are_equal(void **state)
{
    (void)state;
    char a[17], b[17];
    assert_true(phone_normalize("+14155552671", a));
    assert_true(phone_normalize("14155552671", b));
    assert_string_equal(a, b);
}

static void test_spaces_dashes_and_parentheses_are_dropped(void **state)
{
    (void)state;
    assert_normalizes("+1 (415) 555-2671", "+14155552671");
    assert_normalizes("+91 98765-43210", "+919876543210");
    assert_normalizes("  +44 20 7946 0958  ", "+442079460958");
}

static void test_minimum_eight_digits(void **state)
{
    (void)state;
    assert_normalizes("+12345678", "+12345678");
    assert_not_phone("+1234567");
}

static void test_maximum_fifteen_digits(void **state)
{
    (void)state;
    /* exactly fills the 17-byte buffer: '+', 15 digits, NUL */
    assert_normalizes("+123456789012345", "+123456789012345");
    assert_not_phone("+1234567890123456");
}

static void test_separators_do_not_count_as_digits(void **state)
{
    (void)state;
    assert_not_phone("+1 2 3 4 5 6 7");                /* 7 digits */
    assert_normalizes("1-2-3-4-5-6-7-8", "+12345678"); /* 8 digits */
    assert_not_phone("(12) 3456 7890 1234 56");        /* 16 digits */
}

static void test_leading_zero_is_refused(void **state)
{
    (void)state;
    assert_not_phone("+0919876543210");
    assert_not_phone("09876543210");
    assert_not_phone("(0) 98765 43210");
}

static void test_letters_and_other_punctuation_are_refused(void **state)
{
    (void)state;
    assert_not_phone("+91987654321a");
    assert_not_phone("+1.415.555.2671");
    assert_not_phone("+1/415/555/2671");
    assert_not_phone("tel:+14155552671");
    assert_not_phone("+14155552671 ext 2");
}

static void test_plus_only_allowed_before_first_digit(void **state)
{
    (void)state;
    assert_not_phone("91+9876543210");
    assert_not_phone("+919876543210+");
    assert_not_phone("++919876543210");
    assert_not_phone("+ +919876543210");
}

static void test_empty_and_separator_only_are_refused(void **state)
{
    (void)state;
    assert_not_phone("");
    assert_not_phone("+");
    assert_not_phone(" ()- ");
}

static void test_null_is_refused(void **state)
{
    (void)state;
    char out[17];
    assert_false(phone_normalize(NULL, out));
}

static void test_non_ascii_digits_are_refused(void **state)
{
    (void)state;
    /* fullwidth digit one, Devanagari digits */
    assert_not_phone("+\xef\xbc\x91"
                     "4155552671");
    assert_not_phone("+91\xe0\xa5\xaf\xe0\xa5\xae\xe0\xa5\xad\xe0\xa5\xac"
                     "5432100");
}

static void test_control_characters_are_refused(void **state)
{
    (void)state;
    assert_not_phone("+91\t9876543210");
    assert_not_phone("+919876543210\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_e164_with_plus_is_unchanged),
        cmocka_unit_test(test_plus_is_added_when_missing),
        cmocka_unit_test(test_with_and_without_plus_are_equal),
        cmocka_unit_test(test_spaces_dashes_and_parentheses_are_dropped),
        cmocka_unit_test(test_minimum_eight_digits),
        cmocka_unit_test(test_maximum_fifteen_digits),
        cmocka_unit_test(test_separators_do_not_count_as_digits),
        cmocka_unit_test(test_leading_zero_is_refused),
        cmocka_unit_test(test_letters_and_other_punctuation_are_refused),
        cmocka_unit_test(test_plus_only_allowed_before_first_digit),
        cmocka_unit_test(test_empty_and_separator_only_are_refused),
        cmocka_unit_test(test_null_is_refused),
        cmocka_unit_test(test_non_ascii_digits_are_refused),
        cmocka_unit_test(test_control_characters_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
