/*
 * test_auth_otp.c: the pure parts of OTP handling: code generation and the
 * keyed hash that is the only thing stored.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "auth/keys.h"
#include "auth/otp.h"
#include "core/rand.h"

static const unsigned char key_a[32] = {1, 2, 3};
static const unsigned char key_b[32] = {3, 2, 1};

static void test_code_is_four_digits(void **state)
{
    (void)state;
    for (int i = 0; i < 2000; i++) {
        char code[5];
        otp_generate(code);
        assert_int_equal(strlen(code), 4);
        assert_int_equal(strspn(code, "0123456789"), 4);
    }
}

static void test_codes_cover_the_space(void **state)
{
    (void)state;
    /* 20000 draws from 10000 values: a uniform source hits ~86% of them; a
     * broken one (few digits, fixed prefix) hits far fewer. */
    static bool seen[10000];
    int distinct = 0, leading_zero = 0;
    for (int i = 0; i < 20000; i++) {
        char code[5];
        otp_generate(code);
        int v = atoi(code);
        if (!seen[v]) {
            seen[v] = true;
            distinct++;
        }
        leading_zero += code[0] == '0';
    }
    assert_true(distinct > 8000);
    assert_true(leading_zero > 1500 && leading_zero < 2500); /* ~10% */
}

static void test_hash_is_hex_and_deterministic(void **state)
{
    (void)state;
    char h1[65], h2[65];
    otp_hash(key_a, "+919876543210", "1234", h1);
    otp_hash(key_a, "+919876543210", "1234", h2);
    assert_int_equal(strlen(h1), 64);
    assert_int_equal(strspn(h1, "0123456789abcdef"), 64);
    assert_string_equal(h1, h2);
}

static void test_hash_depends_on_key_phone_and_code(void **state)
{
    (void)state;
    char base[65], other[65];
    otp_hash(key_a, "+919876543210", "1234", base);
    otp_hash(key_b, "+919876543210", "1234", other);
    assert_string_not_equal(base, other);
    otp_hash(key_a, "+919876543211", "1234", other);
    assert_string_not_equal(base, other);
    otp_hash(key_a, "+919876543210", "1235", other);
    assert_string_not_equal(base, other);
    /* phone and code are separated, so digits cannot slide between them */
    otp_hash(key_a, "+91987654321", "01234", other);
    assert_string_not_equal(base, other);
}

static void test_hash_never_contains_the_code(void **state)
{
    (void)state;
    char h[65];
    otp_hash(key_a, "+919876543210", "4321", h);
    /* a 64-hex digest could contain "4321" by chance; what must hold is that
     * the hash is not a function of the code alone */
    char h2[65];
    otp_hash(key_b, "+919876543210", "4321", h2);
    assert_string_not_equal(h, h2);
}

static void test_derived_keys_are_distinct(void **state)
{
    (void)state;
    keys_t k;
    keys_derive("a secret key that is long enough for tests", &k);
    assert_memory_not_equal(k.jwt, k.otp, 32);
    assert_memory_not_equal(k.otp, k.data, 32);
}

int main(void)
{
    rand_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_code_is_four_digits),
        cmocka_unit_test(test_codes_cover_the_space),
        cmocka_unit_test(test_hash_is_hex_and_deterministic),
        cmocka_unit_test(test_hash_depends_on_key_phone_and_code),
        cmocka_unit_test(test_hash_never_contains_the_code),
        cmocka_unit_test(test_derived_keys_are_distinct),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
