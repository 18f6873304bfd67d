/* test_core_gstin.c: GSTIN structure and check character. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/gstin.h"

static void test_valid_numbers_pass_and_are_uppercased(void **state)
{
    (void)state;
    char out[GSTIN_LEN + 1];
    assert_null(gstin_check("27AAPFU0939F1ZV", out));
    assert_string_equal(out, "27AAPFU0939F1ZV");
    assert_null(gstin_check("27aapfu0939f1zv", out));
    assert_string_equal(out, "27AAPFU0939F1ZV");
    assert_null(gstin_check("29AAGCB7383J1Z4", out));
    assert_null(gstin_check("07AAACP0165G2ZQ", out)); /* entity digit 2 */
}

static void test_wrong_check_character_is_refused(void **state)
{
    (void)state;
    char out[GSTIN_LEN + 1];
    const char *why = gstin_check("27AAPFU0939F1ZW", out);
    assert_non_null(why);
    assert_non_null(strstr(why, "check character"));
}

static void test_structure_errors(void **state)
{
    (void)state;
    char out[GSTIN_LEN + 1];
    const char *bad[] = {
        "",                 /* length */
        "27AAPFU0939F1Z",   /* 14 */
        "27AAPFU0939F1ZVX", /* 16 */
        "00AAPFU0939F1ZV",  /* state 00 */
        "39AAPFU0939F1ZV",  /* state 39 */
        "2AAAPFU0939F1ZV",  /* state not digits */
        "271APFU0939F1ZV",  /* PAN letter expected */
        "27AAPFUA939F1ZV",  /* PAN digit expected */
        "27AAPFU093911ZV",  /* PAN last letter */
        "27AAPFU0939F0ZV",  /* entity 0 */
        "27AAPFU0939F1YV",  /* 14th not Z */
        "27AAPFU0939F1Z-",  /* symbol */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (!gstin_check(bad[i], out))
            fail_msg("accepted %s", bad[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_numbers_pass_and_are_uppercased),
        cmocka_unit_test(test_wrong_check_character_is_refused),
        cmocka_unit_test(test_structure_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
