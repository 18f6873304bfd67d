/*
 * test_ticket_cmd.c: `loopin ticket verify` (tickets/ticket_cmd). A code
 * signed with the event's key is "valid ticket_id=N event_id=M" (exit 0),
 * bare or as qr_code_data; a malformed code or another key's signature is
 * one "invalid: ..." line (exit 1); usage errors print nothing on stdout
 * and exit 2. The command's whole output is compared.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "tickets/ticket_cmd.h"
#include "tickets/ticket_code.h"

static unsigned char PK1[TICKET_PK_BYTES], SK1[TICKET_SK_BYTES];
static unsigned char PK2[TICKET_PK_BYTES], SK2[TICKET_SK_BYTES];
static char KEY1[TICKET_PK_B64], KEY2[TICKET_PK_B64];
static char CODE[TICKET_CODE_LEN + 1], QR[TICKET_CODE_LEN + 64];

static int group_setup(void **state)
{
    (void)state;
    if (sodium_init() < 0)
        return -1;
    unsigned char seed[TICKET_SEED_BYTES], kseed[crypto_sign_SEEDBYTES];
    for (size_t i = 0; i < sizeof kseed; i++)
        kseed[i] = (unsigned char)(i + 1);
    crypto_sign_seed_keypair(PK1, SK1, kseed);
    kseed[0] ^= 0x80;
    crypto_sign_seed_keypair(PK2, SK2, kseed);
    ticket_pk_encode(PK1, KEY1);
    ticket_pk_encode(PK2, KEY2);
    for (size_t i = 0; i < sizeof seed; i++)
        seed[i] = (unsigned char)(0xa0 + i);
    if (ticket_code_make(SK1, 7, 42, seed, CODE) != 0)
        return -1;
    snprintf(QR, sizeof QR, "EVENT:42:TICKET:%s", CODE);
    return 0;
}

/* Runs ticket_cmd (argv[0] "ticket") on a NULL-terminated list; returns the
 * exit code and what it printed on out (malloc'd in *printed). */
static int run_argv(char **printed, char **args)
{
    char *argv[16];
    int argc = 0;
    argv[argc++] = (char *)"ticket";
    for (; args[argc - 1]; argc++) {
        assert_true(argc < 15);
        argv[argc] = args[argc - 1];
    }
    argv[argc] = NULL;
    size_t len = 0;
    FILE *out = open_memstream(printed, &len);
    assert_non_null(out);
    int rc = ticket_cmd(argc, argv, out);
    fclose(out);
    return rc;
}

#define RUN(printed, ...) run_argv(printed, (char *[]){__VA_ARGS__, NULL})

static void expect(int want_rc, const char *want_out, int rc, char *printed)
{
    if (rc != want_rc || strcmp(printed, want_out) != 0)
        fail_msg("got exit %d and \"%s\", want exit %d and \"%s\"", rc, printed, want_rc, want_out);
    free(printed);
}

static void test_valid_bare_code(void **state)
{
    (void)state;
    char *o;
    int rc = RUN(&o, "verify", "--public-key", KEY1, CODE);
    expect(0, "valid ticket_id=7 event_id=42\n", rc, o);
    rc = RUN(&o, "verify", CODE, "--public-key", KEY1);
    expect(0, "valid ticket_id=7 event_id=42\n", rc, o);
    char eq[TICKET_PK_B64 + 16];
    snprintf(eq, sizeof eq, "--public-key=%s", KEY1);
    rc = RUN(&o, "verify", eq, CODE);
    expect(0, "valid ticket_id=7 event_id=42\n", rc, o);
    rc = RUN(&o, "verify", "--public-key", KEY1, "--", CODE);
    expect(0, "valid ticket_id=7 event_id=42\n", rc, o);
}

static void test_valid_qr_code_data(void **state)
{
    (void)state;
    char *o;
    int rc = RUN(&o, "verify", "--public-key", KEY1, QR);
    expect(0, "valid ticket_id=7 event_id=42\n", rc, o);
    char padded[sizeof QR + 8];
    snprintf(padded, sizeof padded, "  %s\n", QR);
    rc = RUN(&o, "verify", "--public-key", KEY1, padded);
    expect(0, "valid ticket_id=7 event_id=42\n", rc, o);
}

static void test_large_ids(void **state)
{
    (void)state;
    unsigned char seed[TICKET_SEED_BYTES] = {0};
    char code[TICKET_CODE_LEN + 1], *o;
    assert_int_equal(ticket_code_make(SK1, INT64_MAX, 1234567890123, seed, code), 0);
    int rc = RUN(&o, "verify", "--public-key", KEY1, code);
    expect(0, "valid ticket_id=9223372036854775807 event_id=1234567890123\n", rc, o);
}

static void test_other_key_is_a_bad_signature(void **state)
{
    (void)state;
    char *o;
    int rc = RUN(&o, "verify", "--public-key", KEY2, CODE);
    expect(1, "invalid: bad signature\n", rc, o);
    rc = RUN(&o, "verify", "--public-key", KEY2, QR);
    expect(1, "invalid: bad signature\n", rc, o);

    unsigned char seed[TICKET_SEED_BYTES] = {0};
    char code2[TICKET_CODE_LEN + 1];
    assert_int_equal(ticket_code_make(SK2, 7, 42, seed, code2), 0);
    rc = RUN(&o, "verify", "--public-key", KEY1, code2);
    expect(1, "invalid: bad signature\n", rc, o);
    rc = RUN(&o, "verify", "--public-key", KEY2, code2);
    expect(0, "valid ticket_id=7 event_id=42\n", rc, o);
}

static void test_tampered_signature(void **state)
{
    (void)state;
    char t[TICKET_CODE_LEN + 1], *o;
    memcpy(t, CODE, sizeof t);
    t[100] = t[100] == 'A' ? 'B' : 'A';
    int rc = RUN(&o, "verify", "--public-key", KEY1, t);
    expect(1, "invalid: bad signature\n", rc, o);
}

static void test_malformed(void **state)
{
    (void)state;
    char t[sizeof QR + 8], *o;
    char *bad[] = {"", "x", "EVENT:42:TICKET:", "-", "AQ"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = RUN(&o, "verify", "--public-key", KEY1, bad[i]);
        expect(1, "invalid: malformed\n", rc, o);
    }
    snprintf(t, sizeof t, "EVENT:43:TICKET:%s", CODE);
    int rc = RUN(&o, "verify", "--public-key", KEY1, t);
    expect(1, "invalid: malformed\n", rc, o);
    snprintf(t, sizeof t, "%sA", CODE);
    rc = RUN(&o, "verify", "--public-key", KEY1, t);
    expect(1, "invalid: malformed\n", rc, o);
    memcpy(t, CODE, sizeof CODE);
    t[TICKET_CODE_LEN - 1] = 'B'; /* non-canonical last character */
    rc = RUN(&o, "verify", "--public-key", KEY1, t);
    expect(1, "invalid: malformed\n", rc, o);
    /* A code that begins with '-' after "--" is a code, not an option. */
    t[0] = '-';
    rc = RUN(&o, "verify", "--public-key", KEY1, "--", t);
    expect(1, "invalid: malformed\n", rc, o);
}

static void test_usage_errors(void **state)
{
    (void)state;
    char *o, badkey[TICKET_PK_B64 + 1];
    snprintf(badkey, sizeof badkey, "%s=", KEY1);
    char *cases[][8] = {
        {"verify"},
        {"verify", CODE},
        {"verify", "--public-key", KEY1},
        {"verify", CODE, "--public-key"},
        {"verify", "--public-key", KEY1, CODE, CODE},
        {"verify", "--public-key", KEY1, "--public-key", KEY1, CODE},
        {"verify", "--public-key", KEY1, "--json", CODE},
        {"verify", "--public-key", KEY1, "-k", CODE},
        {"verify", "--public-key", badkey, CODE},
        {"verify", "--public-key", "", CODE},
        {"verify", "--public-key", "not-a-key", CODE},
        {"verify", "--public-key", CODE, KEY1},
        {"verify", "--public-key", QR, KEY1},
        {"verify", "--public-keys", KEY1, CODE},
        {"verify", "--public-key", KEY1, "-", "-"},
        {"verify", "--", "--public-key", KEY1, CODE},
        {"ticket", "verify", "--public-key", KEY1, CODE},
        {"frobnicate", "--public-key", KEY1, CODE},
        {"VERIFY", "--public-key", KEY1, CODE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = run_argv(&o, cases[i]);
        if (rc != 2 || *o)
            fail_msg("case %zu: exit %d and \"%s\", want exit 2 and nothing", i, rc, o);
        free(o);
    }
}

static void test_no_subcommand(void **state)
{
    (void)state;
    char *o;
    char *argv[] = {(char *)"ticket", NULL};
    size_t len = 0;
    FILE *out = open_memstream(&o, &len);
    assert_non_null(out);
    int rc = ticket_cmd(1, argv, out);
    fclose(out);
    expect(2, "", rc, o);
}

/* ticket_verify_cmd directly, argv[0] "verify". */
static void test_verify_cmd_directly(void **state)
{
    (void)state;
    char *argv[] = {(char *)"verify", (char *)"--public-key", KEY1, QR, NULL};
    char *o = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&o, &len);
    assert_non_null(out);
    int rc = ticket_verify_cmd(4, argv, out);
    fclose(out);
    expect(0, "valid ticket_id=7 event_id=42\n", rc, o);
    /* Called again: no state left behind. */
    out = open_memstream(&o, &len);
    assert_non_null(out);
    argv[2] = KEY2;
    rc = ticket_verify_cmd(4, argv, out);
    fclose(out);
    expect(1, "invalid: bad signature\n", rc, o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_bare_code),
        cmocka_unit_test(test_valid_qr_code_data),
        cmocka_unit_test(test_large_ids),
        cmocka_unit_test(test_other_key_is_a_bad_signature),
        cmocka_unit_test(test_tampered_signature),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_usage_errors),
        cmocka_unit_test(test_no_subcommand),
        cmocka_unit_test(test_verify_cmd_directly),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
