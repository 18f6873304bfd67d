/* test_money_payouts.c: what a paid order contributes to a payout and to the
 * earnings once its refunds are taken off (docs/money.md "Payouts"): nothing
 * taken without refunds, a refund's share of the earning rounded half up, the
 * fee the rest, exact for amounts whose products overflow 64 bits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "money/payouts.h"

static void test_no_refund(void **state)
{
    (void)state;
    /* two seats at 100.00 + 10%: earning 200.00, fee 20.00, paid 220.00 */
    payout_share_t s = payout_order_share(20000, 2000, 22000, 0);
    assert_int_equal(s.earning, 20000);
    assert_int_equal(s.fee, 2000);
    assert_int_equal(s.gross, 22000);
}

static void test_partial_and_full(void **state)
{
    (void)state;
    /* half refunded: half the earning and half the fee */
    payout_share_t s = payout_order_share(20000, 2000, 22000, 11000);
    assert_int_equal(s.earning, 10000);
    assert_int_equal(s.fee, 1000);
    assert_int_equal(s.gross, 11000);
    /* 0.01 of 110.00 back: the earning loses round_half_up(0.00909) = 0.01 */
    s = payout_order_share(10000, 1000, 11000, 1);
    assert_int_equal(s.earning, 9999);
    assert_int_equal(s.fee, 1000);
    assert_int_equal(s.earning + s.fee, s.gross);
    /* 0.05 of 110.00: 0.04545 -> 0.05 from the earning, the fee keeps its 10.00 */
    s = payout_order_share(10000, 1000, 11000, 5);
    assert_int_equal(s.earning, 9995);
    assert_int_equal(s.fee, 1000);
    s = payout_order_share(10000, 1000, 11000, 11000);
    assert_int_equal(s.earning, 0);
    assert_int_equal(s.fee, 0);
    assert_int_equal(s.gross, 0);
}

static void test_large_amounts(void **state)
{
    (void)state;
    /* 99,999,999.99 x 10 seats at 100%: the product needs more than 64 bits */
    int64_t earning = INT64_C(99999999999) * 10, fee = earning, amount = earning + fee;
    payout_share_t s = payout_order_share(earning, fee, amount, amount / 4);
    /* 999,999,999,990 x 499,999,999,995 / 1,999,999,999,980 = 249,999,999,997.5 -> .98 */
    assert_int_equal(s.earning, INT64_C(749999999992));
    assert_int_equal(s.gross, amount - amount / 4);
    assert_int_equal(s.earning + s.fee, s.gross);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_refund),
        cmocka_unit_test(test_partial_and_full),
        cmocka_unit_test(test_large_amounts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
