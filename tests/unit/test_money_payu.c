/* test_money_payu.c: PayU request and response hashes (API.md 14.8) against
 * values computed independently (Node's crypto), and the comparison. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "money/payu.h"

static const payu_fields_t F = {.key = "gtKFFx",
                                .txnid = "LP123",
                                .amount = "110.00",
                                .productinfo = "Event Ticket: Party",
                                .firstname = "Asha",
                                .email = "asha@example.com",
                                .status = "success"};

static void test_request_hash(void **state)
{
    (void)state;
    char h[PAYU_HASH_HEX];
    payu_request_hash(&F, "eCwWELxi", h);
    assert_string_equal(h, "5cb07667a96169c38ddb325d73b76bd81576093d28ce3aa48513205bc7318502"
                           "13921ee34f541f932cf7c09ae03cc45d4440de2c9c3b0f49dce9be5d6d9f2567");
}

static void test_response_hash(void **state)
{
    (void)state;
    char h[PAYU_HASH_HEX];
    payu_response_hash(&F, "eCwWELxi", h);
    assert_string_equal(h, "b55f4e602285f9831194c6bc821f5397b49b61f403e0c657197de0a623f36abf"
                           "8abc1aa02546ee6ef3fa27c0781858c63c3232306934734f1bcdc2d028114dab");
    payu_fields_t failed = F;
    failed.status = "failure";
    char h2[PAYU_HASH_HEX];
    payu_response_hash(&failed, "eCwWELxi", h2);
    assert_string_not_equal(h, h2);
}

static void test_matches(void **state)
{
    (void)state;
    char h[PAYU_HASH_HEX], upper[PAYU_HASH_HEX];
    payu_response_hash(&F, "eCwWELxi", h);
    assert_true(payu_hash_matches(h, h));
    for (int i = 0; i < PAYU_HASH_HEX; i++)
        upper[i] = (char)(h[i] >= 'a' && h[i] <= 'f' ? h[i] - 32 : h[i]);
    assert_true(payu_hash_matches(h, upper));
    char wrong[PAYU_HASH_HEX];
    memcpy(wrong, h, sizeof wrong);
    wrong[10] = wrong[10] == '0' ? '1' : '0';
    assert_false(payu_hash_matches(h, wrong));
    assert_false(payu_hash_matches(h, ""));
    assert_false(payu_hash_matches(h, NULL));
    char longer[PAYU_HASH_HEX + 1];
    memcpy(longer, h, PAYU_HASH_HEX - 1);
    longer[PAYU_HASH_HEX - 1] = 'a';
    longer[PAYU_HASH_HEX] = '\0';
    assert_false(payu_hash_matches(h, longer));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_hash),
        cmocka_unit_test(test_response_hash),
        cmocka_unit_test(test_matches),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
