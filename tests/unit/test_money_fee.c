/* test_money_fee.c: the platform fee formulas (API.md 14.6) with the worked
 * examples, round half up at the minor unit, and money text in and out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "money/fee.h"

static void test_worked_example_ten_percent(void **state)
{
    (void)state;
    /* fee 10%, base 100.00, 50 tickets: 110.00 each, host 5,000.00, fee 500.00 */
    assert_int_equal(fee_final_price(10000, 1000), 11000);
    assert_int_equal(fee_order_total(10000, 1000, 50), 550000);
    assert_int_equal(fee_platform(10000, 1000, 50), 50000);
    assert_int_equal(fee_order_total(10000, 1000, 50) - 10000 * 50, 50000);
}

static void test_round_half_up(void **state)
{
    (void)state;
    /* 0.05 at 10%: fee 0.005 -> 0.01; final 0.055 -> 0.06 */
    assert_int_equal(fee_platform(5, 1000, 1), 1);
    assert_int_equal(fee_final_price(5, 1000), 6);
    /* 0.04 at 10%: fee 0.004 -> 0.00 */
    assert_int_equal(fee_platform(4, 1000, 1), 0);
    assert_int_equal(fee_final_price(4, 1000), 4);
    /* 99.99 at 12.5%: 12.49875 -> 12.50; final 112.48875 -> 112.49 */
    assert_int_equal(fee_platform(9999, 1250, 1), 1250);
    assert_int_equal(fee_final_price(9999, 1250), 11249);
    /* the fee of qty seats is rounded once, over the quantity */
    assert_int_equal(fee_platform(5, 1000, 3), 2); /* 0.015 -> 0.02 */
    assert_int_equal(fee_order_total(5, 1000, 3), 18);
}

static void test_extremes(void **state)
{
    (void)state;
    assert_int_equal(fee_final_price(10000, 0), 10000);
    assert_int_equal(fee_platform(10000, 0, 7), 0);
    assert_int_equal(fee_final_price(10000, 10000), 20000);
    assert_int_equal(fee_final_price(0, 1000), 0);
    /* a large fare does not overflow: 10,000,000.00 x 10 seats at 100% */
    assert_int_equal(fee_order_total(INT64_C(1000000000), 10000, 10), INT64_C(20000000000));
}

static void test_money_text(void **state)
{
    (void)state;
    char out[32];
    money_format(11000, out);
    assert_string_equal(out, "110.00");
    money_format(5, out);
    assert_string_equal(out, "0.05");
    money_format(0, out);
    assert_string_equal(out, "0.00");
    money_format(-250, out);
    assert_string_equal(out, "-2.50");
    char pct[16];
    fee_bps_format(1000, pct);
    assert_string_equal(pct, "10.00");
    fee_bps_format(1250, pct);
    assert_string_equal(pct, "12.50");
    fee_bps_format(5, pct);
    assert_string_equal(pct, "0.05");
}

static void test_money_parse(void **state)
{
    (void)state;
    int64_t m = -1;
    assert_true(money_parse("110", &m));
    assert_int_equal(m, 11000);
    assert_true(money_parse("110.5", &m));
    assert_int_equal(m, 11050);
    assert_true(money_parse("110.50", &m));
    assert_int_equal(m, 11050);
    assert_true(money_parse("110.500", &m));
    assert_int_equal(m, 11050);
    assert_true(money_parse("0.01", &m));
    assert_int_equal(m, 1);
    const char *bad[] = {"", ".", "-1", "1.005", "1e3", "12a", " 1", "1.2.3", "+5", NULL};
    for (int i = 0; bad[i]; i++)
        assert_false(money_parse(bad[i], &m));
    assert_false(money_parse(NULL, &m));
    assert_false(money_parse("99999999999999999999", &m));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_worked_example_ten_percent),
        cmocka_unit_test(test_round_half_up),
        cmocka_unit_test(test_extremes),
        cmocka_unit_test(test_money_text),
        cmocka_unit_test(test_money_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
