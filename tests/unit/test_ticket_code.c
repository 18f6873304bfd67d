/*
 * test_ticket_code.c: tickets/ticket_code. Codes round-trip (bare and as
 * "EVENT:{id}:TICKET:{code}"), match a known answer computed independently
 * (Node's Ed25519), and have one spelling: every single-character change,
 * truncation, extension, padding, other alphabet, high byte, non-canonical
 * last character, other version or non-positive id is refused by the parser
 * or fails verification. A code signed by another key pair does not verify.
 * Hashes are SHA-256 in lower-case hex; public keys encode and decode strictly.
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

#include "tickets/ticket_code.h"

#define B64 sodium_base64_VARIANT_URLSAFE_NO_PADDING

/* Known answer (tests/api/cli_ticket.test.mjs builds codes the same way with
 * Node's crypto): key pair from the seed 01 02 .. 20, ticket 7, event 42,
 * ticket seed a0 a1 .. af. */
#define KA_PK "ebVWLo_mVPlAeLES6KmLp5AfhTrmlb7X4OORC60ElmQ"
#define KA_CODE                                                                                    \
    "AQAAAAAAAAAHAAAAAAAAACqgoaKjpKWmp6ipqqusra6vD9UBkMZqo2216hsMS1gnaT1qrJ8BwEfodlYbeu-oX-v02SL6" \
    "SjMQZmxlkmd37T3i3hD0rLG63o9-lJTSueGWCA"
#define KA_HASH "f44728209c421d7b42ee05dd4e2132c75a9da51d5f2b2089fa6504aff31f1f3a"

static const char ALPHABET[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static unsigned char PK1[TICKET_PK_BYTES], SK1[TICKET_SK_BYTES];
static unsigned char PK2[TICKET_PK_BYTES], SK2[TICKET_SK_BYTES];
static unsigned char SEED[TICKET_SEED_BYTES];

static int group_setup(void **state)
{
    (void)state;
    if (sodium_init() < 0)
        return -1;
    unsigned char kseed[crypto_sign_SEEDBYTES];
    for (size_t i = 0; i < sizeof kseed; i++)
        kseed[i] = (unsigned char)(i + 1);
    crypto_sign_seed_keypair(PK1, SK1, kseed);
    for (size_t i = 0; i < sizeof kseed; i++)
        kseed[i] = (unsigned char)(0x40 + i);
    crypto_sign_seed_keypair(PK2, SK2, kseed);
    for (size_t i = 0; i < TICKET_SEED_BYTES; i++)
        SEED[i] = (unsigned char)(0xa0 + i);
    return 0;
}

/* ---- helpers ---- */

static void make(const unsigned char *sk, int64_t ticket_id, int64_t event_id,
                 char out[TICKET_CODE_LEN + 1])
{
    assert_int_equal(ticket_code_make(sk, ticket_id, event_id, SEED, out), 0);
    assert_int_equal(strlen(out), TICKET_CODE_LEN);
}

static void put_be64(unsigned char *p, uint64_t u)
{
    for (int i = 7; i >= 0; i--, u >>= 8)
        p[i] = (unsigned char)(u & 0xff);
}

/* A code built by hand, correctly signed with sk, whatever the version and
 * ids: what a key holder could sign that the parser must still refuse. */
static void forge(const unsigned char *sk, unsigned version, uint64_t ticket_id, uint64_t event_id,
                  char out[TICKET_CODE_LEN + 1])
{
    unsigned char raw[TICKET_MSG_BYTES + TICKET_SIG_BYTES];
    raw[0] = (unsigned char)version;
    put_be64(raw + 1, ticket_id);
    put_be64(raw + 9, event_id);
    memcpy(raw + 17, SEED, TICKET_SEED_BYTES);
    crypto_sign_detached(raw + TICKET_MSG_BYTES, NULL, raw, TICKET_MSG_BYTES, sk);
    sodium_bin2base64(out, TICKET_CODE_LEN + 1, raw, sizeof raw, B64);
    assert_int_equal(strlen(out), TICKET_CODE_LEN);
}

static int parse_str(const char *s, ticket_code_t *c)
{
    return ticket_code_parse(s, strlen(s), c);
}

static void expect_refused(const char *text, size_t len)
{
    ticket_code_t c;
    if (ticket_code_parse(text, len, &c) != -1)
        fail_msg("parsed: \"%.*s\"", text ? (int)len : 6, text ? text : "(null)");
}

/* A code (event 42) whose signature spells both '-' and '_'. */
static void make_with_dash_and_underscore(char out[TICKET_CODE_LEN + 1])
{
    for (int64_t id = 1; id < 1000; id++) {
        make(SK1, id, 42, out);
        if (strchr(out + 44, '-') && strchr(out + 44, '_'))
            return;
    }
    fail_msg("no code with '-' and '_' in 1000 tickets");
}

/* form with its "%s" (if any) replaced by code. */
static void fill(char *out, size_t cap, const char *form, const char *code)
{
    const char *at = strstr(form, "%s");
    if (!at)
        snprintf(out, cap, "%s", form);
    else
        snprintf(out, cap, "%.*s%s%s", (int)(at - form), form, code, at + 2);
}

static int b64_value(char ch)
{
    const char *p = strchr(ALPHABET, ch);
    return p && ch ? (int)(p - ALPHABET) : -1;
}

/* ---- round trips ---- */

static void test_known_answer(void **state)
{
    (void)state;
    char code[TICKET_CODE_LEN + 1], pk64[TICKET_PK_B64], hash[TICKET_HASH_HEX];
    make(SK1, 7, 42, code);
    assert_string_equal(code, KA_CODE);
    ticket_pk_encode(PK1, pk64);
    assert_string_equal(pk64, KA_PK);
    ticket_code_hash(code, hash);
    assert_string_equal(hash, KA_HASH);
}

static void test_round_trip(void **state)
{
    (void)state;
    char code[TICKET_CODE_LEN + 1];
    ticket_code_t c;
    make(SK1, 7, 42, code);
    assert_int_equal(parse_str(code, &c), 0);
    assert_int_equal(c.ticket_id, 7);
    assert_int_equal(c.event_id, 42);
    assert_memory_equal(c.seed, SEED, TICKET_SEED_BYTES);
    assert_string_equal(c.code, code);
    static const unsigned char head[17] = {1, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 42};
    assert_memory_equal(c.msg, head, sizeof head);
    assert_memory_equal(c.msg + 17, SEED, TICKET_SEED_BYTES);
    assert_int_equal(crypto_sign_verify_detached(c.sig, c.msg, TICKET_MSG_BYTES, PK1), 0);
    assert_true(ticket_code_verify(&c, PK1));
    assert_false(ticket_code_verify(&c, PK2));

    /* Deterministic: the same inputs give the same code. */
    char again[TICKET_CODE_LEN + 1];
    make(SK1, 7, 42, again);
    assert_string_equal(again, code);
}

static void test_round_trip_extreme_ids(void **state)
{
    (void)state;
    const int64_t ids[][2] = {{1, 1},
                              {INT64_MAX, 1},
                              {1, INT64_MAX},
                              {INT64_MAX, INT64_MAX},
                              {0x0102030405060708, 0x7f00000000000001}};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        char code[TICKET_CODE_LEN + 1];
        ticket_code_t c;
        make(SK1, ids[i][0], ids[i][1], code);
        assert_int_equal(parse_str(code, &c), 0);
        assert_int_equal(c.ticket_id, ids[i][0]);
        assert_int_equal(c.event_id, ids[i][1]);
        assert_true(ticket_code_verify(&c, PK1));
    }
}

static void test_other_seed_other_code(void **state)
{
    (void)state;
    unsigned char seed2[TICKET_SEED_BYTES];
    memcpy(seed2, SEED, sizeof seed2);
    seed2[TICKET_SEED_BYTES - 1] ^= 1;
    char a[TICKET_CODE_LEN + 1], b[TICKET_CODE_LEN + 1], c3[TICKET_CODE_LEN + 1];
    make(SK1, 7, 42, a);
    assert_int_equal(ticket_code_make(SK1, 7, 42, seed2, b), 0);
    assert_string_not_equal(a, b);
    make(SK1, 8, 42, c3);
    assert_string_not_equal(a, c3);
    ticket_code_t c;
    assert_int_equal(parse_str(b, &c), 0);
    assert_memory_equal(c.seed, seed2, TICKET_SEED_BYTES);
    assert_true(ticket_code_verify(&c, PK1));
}

static void test_hand_built_code_equals_made_code(void **state)
{
    (void)state;
    char made[TICKET_CODE_LEN + 1], built[TICKET_CODE_LEN + 1];
    make(SK1, 7, 42, made);
    forge(SK1, TICKET_CODE_VERSION, 7, 42, built);
    assert_string_equal(built, made);
}

/* ---- the "EVENT:{id}:TICKET:{code}" form ---- */

static void test_prefix_form(void **state)
{
    (void)state;
    char code[TICKET_CODE_LEN + 1], text[256];
    make(SK1, 7, 42, code);
    const char *forms[] = {"EVENT:42:TICKET:%s",
                           " EVENT:42:TICKET:%s",
                           "EVENT:42:TICKET:%s\n",
                           "\t\r\n EVENT:42:TICKET:%s \t\r\n",
                           "  %s  ",
                           "\n%s\r\n"};
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        ticket_code_t c;
        fill(text, sizeof text, forms[i], code);
        if (parse_str(text, &c) != 0)
            fail_msg("refused: \"%s\"", text);
        assert_int_equal(c.ticket_id, 7);
        assert_int_equal(c.event_id, 42);
        assert_string_equal(c.code, code);
        assert_true(ticket_code_verify(&c, PK1));
    }
}

static void test_prefix_largest_id(void **state)
{
    (void)state;
    char code[TICKET_CODE_LEN + 1], text[256];
    ticket_code_t c;
    make(SK1, 5, 999999999999999999, code);
    snprintf(text, sizeof text, "EVENT:999999999999999999:TICKET:%s", code);
    assert_int_equal(parse_str(text, &c), 0);
    assert_int_equal(c.event_id, 999999999999999999);
}

static void test_prefix_event_must_agree(void **state)
{
    (void)state;
    char code[TICKET_CODE_LEN + 1], text[256];
    make(SK1, 7, 42, code);
    const char *ids[] = {"43", "4", "420", "7", "142", "999999999999999999"};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        snprintf(text, sizeof text, "EVENT:%s:TICKET:%s", ids[i], code);
        expect_refused(text, strlen(text));
    }
}

static void test_malformed_prefixes(void **state)
{
    (void)state;
    char code[TICKET_CODE_LEN + 1], text[256];
    make(SK1, 7, 42, code);
    const char *forms[] = {
        "EVENT::TICKET:%s",
        "EVENT:0:TICKET:%s",
        "EVENT:-42:TICKET:%s",
        "EVENT:+42:TICKET:%s",
        "EVENT: 42:TICKET:%s",
        "EVENT:42 :TICKET:%s",
        "EVENT:42:TICKET: %s",
        "EVENT:4 2:TICKET:%s",
        "EVENT:4a2:TICKET:%s",
        "EVENT:0x2a:TICKET:%s",
        "EVENT:42:TICKET%s",
        "EVENT:42TICKET:%s",
        "EVENT:42:%s",
        "EVENT:42::TICKET:%s",
        "EVENT:42:TICKET::%s",
        "EVENT:42:ticket:%s",
        "event:42:TICKET:%s",
        "Event:42:Ticket:%s",
        "EVENT42:TICKET:%s",
        "XEVENT:42:TICKET:%s",
        "EVENT:42:TICKET:EVENT:42:TICKET:%s",
        "EVENT:42:TICKET:%s:",
        "EVENT:42:TICKET:%sx",
        "EVENT:42:TICKET:%s EVENT",
        "EVENT:42:TICKET:\v%s",
        "\vEVENT:42:TICKET:%s",
        "EVENT:18446744073709551658:TICKET:%s", /* 2^64 + 42 */
        "EVENT:99999999999999999999:TICKET:%s",
        "EVENT:42:TICKET:",
        "EVENT:42:TICKET",
        "EVENT:",
        "EVENT",
        "",
        "   ",
    };
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        fill(text, sizeof text, forms[i], code);
        expect_refused(text, strlen(text));
    }
}

/* ---- one spelling, and nothing else verifies ---- */

static void test_every_single_character_change_fails(void **state)
{
    (void)state;
    char code[TICKET_CODE_LEN + 1], t[TICKET_CODE_LEN + 1];
    make(SK1, 7, 42, code);
    /* Characters 0..43 carry bits 0..263 (the signed message, except the
     * last character's two signature bits); 44..128 only signature bits; the
     * last character has two significant bits and four zero bits. */
    for (size_t i = 0; i < TICKET_CODE_LEN; i++) {
        size_t parsed = 0;
        for (const char *a = ALPHABET; *a; a++) {
            if (*a == code[i])
                continue;
            ticket_code_t c;
            memcpy(t, code, sizeof t);
            t[i] = *a;
            if (ticket_code_parse(t, TICKET_CODE_LEN, &c) != 0)
                continue;
            parsed++;
            if (ticket_code_verify(&c, PK1))
                fail_msg("position %zu changed to '%c' still verifies", i, *a);
        }
        if (i == 0)
            assert_int_equal(parsed, 0); /* the version byte's top six bits */
        else if (i >= 44 && i < TICKET_CODE_LEN - 1)
            assert_int_equal(parsed, 63);
        else if (i == TICKET_CODE_LEN - 1)
            assert_int_equal(parsed, 3); /* of 'A', 'Q', 'g', 'w', the other three */
    }
}

static void test_tampered_ids_fail_verify(void **state)
{
    (void)state;
    char code[TICKET_CODE_LEN + 1], t[TICKET_CODE_LEN + 1];
    make(SK1, 7, 42, code);
    /* Character 11 holds the low bits of the ticket id: 'H' (7) -> 'I' (8). */
    memcpy(t, code, sizeof t);
    assert_int_equal(t[11], 'H');
    t[11] = 'I';
    ticket_code_t c;
    assert_int_equal(parse_str(t, &c), 0);
    assert_int_equal(c.ticket_id, 8);
    assert_int_equal(c.event_id, 42);
    assert_false(ticket_code_verify(&c, PK1));
}

static void test_truncated_and_extended(void **state)
{
    (void)state;
    char code[TICKET_CODE_LEN + 1], text[256];
    make(SK1, 7, 42, code);
    for (size_t n = 0; n < TICKET_CODE_LEN; n++)
        expect_refused(code, n);
    const char *tails[] = {"A", "AA", "AAA", "AAAA", "=", "==", "Q", "_", "-"};
    for (size_t i = 0; i < sizeof tails / sizeof tails[0]; i++) {
        snprintf(text, sizeof text, "%s%s", code, tails[i]);
        expect_refused(text, strlen(text));
        snprintf(text, sizeof text, "%s%s", tails[i], code);
        expect_refused(text, strlen(text));
    }
    /* The length counts, not the terminator. */
    memcpy(text, code, TICKET_CODE_LEN);
    text[TICKET_CODE_LEN] = 'A';
    ticket_code_t c;
    assert_int_equal(ticket_code_parse(text, TICKET_CODE_LEN, &c), 0);
    assert_int_equal(ticket_code_parse(text, TICKET_CODE_LEN + 1, &c), -1);
    /* An embedded NUL is not a character of the alphabet. */
    memcpy(text, code, sizeof code);
    text[60] = '\0';
    expect_refused(text, TICKET_CODE_LEN);
    expect_refused(NULL, TICKET_CODE_LEN);
}

static void test_wrong_version(void **state)
{
    (void)state;
    const unsigned versions[] = {0, 2, 3, 0x41, 0x80, 0xff};
    char code[TICKET_CODE_LEN + 1];
    for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++) {
        forge(SK1, versions[i], 7, 42, code);
        expect_refused(code, TICKET_CODE_LEN);
    }
    forge(SK1, 1, 7, 42, code);
    ticket_code_t c;
    assert_int_equal(parse_str(code, &c), 0);
    assert_true(ticket_code_verify(&c, PK1));
}

static void test_non_positive_ids(void **state)
{
    (void)state;
    const uint64_t bad[] = {0, UINT64_MAX /* -1 */, (uint64_t)1 << 63 /* INT64_MIN */,
                            ((uint64_t)1 << 63) | 42};
    char code[TICKET_CODE_LEN + 1], text[256];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        forge(SK1, 1, bad[i], 42, code);
        expect_refused(code, TICKET_CODE_LEN);
        snprintf(text, sizeof text, "EVENT:42:TICKET:%s", code);
        expect_refused(text, strlen(text));
        forge(SK1, 1, 7, bad[i], code);
        expect_refused(code, TICKET_CODE_LEN);
        forge(SK1, 1, bad[i], bad[i], code);
        expect_refused(code, TICKET_CODE_LEN);
    }
}

static void test_non_canonical_last_character(void **state)
{
    (void)state;
    char code[TICKET_CODE_LEN + 1], t[TICKET_CODE_LEN + 1];
    make(SK1, 7, 42, code);
    int last = b64_value(code[TICKET_CODE_LEN - 1]);
    assert_int_equal(last & 0x0f, 0); /* canonical: four zero bits */
    for (int low = 1; low < 16; low++) {
        memcpy(t, code, sizeof t);
        t[TICKET_CODE_LEN - 1] = ALPHABET[last | low];
        expect_refused(t, TICKET_CODE_LEN);
    }
}

static void test_padding_and_other_alphabets(void **state)
{
    (void)state;
    char code[TICKET_CODE_LEN + 1], t[TICKET_CODE_LEN + 8];
    make_with_dash_and_underscore(code);
    ticket_code_t c;
    assert_int_equal(parse_str(code, &c), 0);
    snprintf(t, sizeof t, "%s==", code);
    expect_refused(t, strlen(t));
    /* Standard base64 spells '-' as '+' and '_' as '/'. */
    const char *dash = strchr(code, '-'), *under = strchr(code, '_');
    assert_non_null(dash);
    assert_non_null(under);
    memcpy(t, code, sizeof code);
    t[dash - code] = '+';
    expect_refused(t, TICKET_CODE_LEN);
    memcpy(t, code, sizeof code);
    t[under - code] = '/';
    expect_refused(t, TICKET_CODE_LEN);
    const char others[] = "+/=.:~ !\"#$%&'()*,;<>?@[\\]^`{|}";
    for (size_t pos = 0; pos < TICKET_CODE_LEN; pos += 13)
        for (const char *o = others; *o; o++) {
            memcpy(t, code, sizeof code);
            t[pos] = *o;
            expect_refused(t, TICKET_CODE_LEN);
        }
}

static void test_high_bytes_refused(void **state)
{
    (void)state;
    char code[TICKET_CODE_LEN + 1], t[TICKET_CODE_LEN + 1];
    make_with_dash_and_underscore(code);
    ticket_code_t c;
    assert_int_equal(parse_str(code, &c), 0);
    const char *under = strchr(code, '_');
    assert_non_null(under);
    size_t at = (size_t)(under - code);
    for (int b = 0x80; b <= 0xff; b++) {
        memcpy(t, code, sizeof t);
        t[at] = (char)b; /* libsodium alone would read any of these as '_' */
        expect_refused(t, TICKET_CODE_LEN);
        memcpy(t, code, sizeof t);
        t[0] = (char)b;
        expect_refused(t, TICKET_CODE_LEN);
        memcpy(t, code, sizeof t);
        t[TICKET_CODE_LEN - 1] = (char)b;
        expect_refused(t, TICKET_CODE_LEN);
    }
    for (int b = 1; b < 0x80; b++) {
        if (b64_value((char)b) >= 0)
            continue;
        memcpy(t, code, sizeof t);
        t[at] = (char)b;
        expect_refused(t, TICKET_CODE_LEN);
    }
}

static void test_other_key_pair(void **state)
{
    (void)state;
    char code1[TICKET_CODE_LEN + 1], code2[TICKET_CODE_LEN + 1];
    make(SK1, 7, 42, code1);
    make(SK2, 7, 42, code2);
    assert_string_not_equal(code1, code2);
    /* Same message, other signature. */
    assert_memory_equal(code1, code2, 44);
    ticket_code_t c;
    assert_int_equal(parse_str(code2, &c), 0);
    assert_int_equal(c.ticket_id, 7);
    assert_int_equal(c.event_id, 42);
    assert_false(ticket_code_verify(&c, PK1));
    assert_true(ticket_code_verify(&c, PK2));

    /* A signature moved onto another ticket's message (the message is the
     * first 44 characters, the signature the other 86). */
    char other[TICKET_CODE_LEN + 1], moved[TICKET_CODE_LEN + 1];
    make(SK1, 8, 42, other);
    memcpy(moved, other, 44);
    memcpy(moved + 44, code1 + 44, TICKET_CODE_LEN - 44 + 1);
    ticket_code_t m;
    assert_int_equal(parse_str(moved, &m), 0);
    assert_int_equal(m.ticket_id, 8);
    assert_false(ticket_code_verify(&m, PK1));

    /* An all-zero public key verifies nothing. */
    static const unsigned char zero[TICKET_PK_BYTES];
    assert_false(ticket_code_verify(&c, zero));
}

/* ---- hashes and public keys ---- */

static void test_hash(void **state)
{
    (void)state;
    char h[TICKET_HASH_HEX], h2[TICKET_HASH_HEX];
    ticket_code_hash("abc", h);
    assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    ticket_code_hash("", h);
    assert_string_equal(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

    char code[TICKET_CODE_LEN + 1], again[TICKET_CODE_LEN + 1], other[TICKET_CODE_LEN + 1];
    make(SK1, 7, 42, code);
    make(SK1, 7, 42, again);
    make(SK1, 8, 42, other);
    ticket_code_hash(code, h);
    assert_int_equal(strlen(h), 64);
    for (size_t i = 0; i < 64; i++)
        if (!((h[i] >= '0' && h[i] <= '9') || (h[i] >= 'a' && h[i] <= 'f')))
            fail_msg("hash character %zu is '%c'", i, h[i]);
    ticket_code_hash(again, h2);
    assert_string_equal(h, h2);
    ticket_code_hash(other, h2);
    assert_string_not_equal(h, h2);

    /* The parsed code (from the prefix form too) hashes like the bare code. */
    char text[256];
    ticket_code_t c;
    snprintf(text, sizeof text, " EVENT:42:TICKET:%s\n", code);
    assert_int_equal(parse_str(text, &c), 0);
    ticket_code_hash(c.code, h2);
    assert_string_equal(h, h2);
}

static void test_pk_round_trip(void **state)
{
    (void)state;
    char s[TICKET_PK_B64];
    unsigned char back[TICKET_PK_BYTES];
    ticket_pk_encode(PK1, s);
    assert_int_equal(strlen(s), TICKET_PK_B64 - 1);
    assert_int_equal(ticket_pk_decode(s, back), 0);
    assert_memory_equal(back, PK1, TICKET_PK_BYTES);
    ticket_pk_encode(PK2, s);
    assert_int_equal(ticket_pk_decode(s, back), 0);
    assert_memory_equal(back, PK2, TICKET_PK_BYTES);

    unsigned char edge[TICKET_PK_BYTES];
    memset(edge, 0xff, sizeof edge);
    ticket_pk_encode(edge, s);
    assert_string_equal(s, "__________________________________________8");
    assert_int_equal(ticket_pk_decode(s, back), 0);
    assert_memory_equal(back, edge, TICKET_PK_BYTES);
    memset(edge, 0, sizeof edge);
    ticket_pk_encode(edge, s);
    assert_string_equal(s, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    assert_int_equal(ticket_pk_decode(s, back), 0);
    assert_memory_equal(back, edge, TICKET_PK_BYTES);
}

static void test_pk_decode_refuses(void **state)
{
    (void)state;
    unsigned char back[TICKET_PK_BYTES];
    const char *bad[] = {
        "",
        "ebVWLo_mVPlAeLES6KmLp5AfhTrmlb7X4OORC60Elm",    /* 42 */
        "ebVWLo_mVPlAeLES6KmLp5AfhTrmlb7X4OORC60ElmQA",  /* 44 */
        "ebVWLo_mVPlAeLES6KmLp5AfhTrmlb7X4OORC60ElmQ=",  /* padded */
        "ebVWLo/mVPlAeLES6KmLp5AfhTrmlb7X4OORC60ElmQ",   /* standard alphabet */
        "ebVWLo+mVPlAeLES6KmLp5AfhTrmlb7X4OORC60ElmQ",   /* standard alphabet */
        "ebVWLo_mVPlAeLES6KmLp5AfhTrmlb7X4OORC60ElmR",   /* non-canonical: Q = 010000 */
        "ebVWLo_mVPlAeLES6KmLp5AfhTrmlb7X4OORC60ElmT",   /* non-canonical */
        " ebVWLo_mVPlAeLES6KmLp5AfhTrmlb7X4OORC60ElmQ",  /* blank */
        "ebVWLo_mVPlAeLES6KmLp5AfhTrmlb7X4OORC60ElmQ\n", /* newline */
        "ebVWLo_mVPlAeLES6KmLp5AfhTrmlb7X4OORC60El\xc3\xa9",
        "ebVWLo_mVPlAeLES6KmLp5AfhTrmlb7X4OORC60Elm\xdf",
        "ebVWLo\xdfmVPlAeLES6KmLp5AfhTrmlb7X4OORC60ElmQ", /* libsodium reads '_' */
        "ebVWLo\x80mVPlAeLES6KmLp5AfhTrmlb7X4OORC60ElmQ",
        "ebVWLo.mVPlAeLES6KmLp5AfhTrmlb7X4OORC60ElmQ",
        "EVENT:42:TICKET:ebVWLo_mVPlAeLES6KmLp5Afh",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (ticket_pk_decode(bad[i], back) != -1)
            fail_msg("decoded: \"%s\"", bad[i]);
    assert_int_equal(ticket_pk_decode(NULL, back), -1);
    assert_int_equal(ticket_pk_decode(KA_PK, back), 0);
    assert_memory_equal(back, PK1, TICKET_PK_BYTES);
}

static void test_make_refuses_non_positive_ids(void **state)
{
    (void)state;
    const int64_t ids[][2] = {{0, 42}, {7, 0},          {0, 0},         {-1, 42},
                              {7, -1}, {INT64_MIN, 42}, {7, INT64_MIN}, {-7, -42}};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        char out[TICKET_CODE_LEN + 1];
        memset(out, '#', sizeof out);
        if (ticket_code_make(SK1, ids[i][0], ids[i][1], SEED, out) != -1)
            fail_msg("made a code for ticket %lld, event %lld", (long long)ids[i][0],
                     (long long)ids[i][1]);
        for (size_t j = 0; j < sizeof out; j++)
            assert_int_equal(out[j], '#'); /* nothing written */
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_answer),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_round_trip_extreme_ids),
        cmocka_unit_test(test_other_seed_other_code),
        cmocka_unit_test(test_hand_built_code_equals_made_code),
        cmocka_unit_test(test_prefix_form),
        cmocka_unit_test(test_prefix_largest_id),
        cmocka_unit_test(test_prefix_event_must_agree),
        cmocka_unit_test(test_malformed_prefixes),
        cmocka_unit_test(test_every_single_character_change_fails),
        cmocka_unit_test(test_tampered_ids_fail_verify),
        cmocka_unit_test(test_truncated_and_extended),
        cmocka_unit_test(test_wrong_version),
        cmocka_unit_test(test_non_positive_ids),
        cmocka_unit_test(test_non_canonical_last_character),
        cmocka_unit_test(test_padding_and_other_alphabets),
        cmocka_unit_test(test_high_bytes_refused),
        cmocka_unit_test(test_other_key_pair),
        cmocka_unit_test(test_hash),
        cmocka_unit_test(test_pk_round_trip),
        cmocka_unit_test(test_pk_decode_refuses),
        cmocka_unit_test(test_make_refuses_non_positive_ids),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
