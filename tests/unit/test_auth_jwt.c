/*
 * test_auth_jwt.c: auth/jwt and auth/keys. Tokens round-trip; anything not
 * signed by our key with HS256 (alg "none", other algs, tampering, padding,
 * odd shapes, mistyped claims) is invalid; expiry is exact; derived keys are
 * deterministic, distinct per purpose and match HMAC-SHA256(secret, label).
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

#include "auth/jwt.h"
#include "auth/jwt_memo.h"
#include "auth/keys.h"

#define NOW     1700000000LL
#define V       sodium_base64_VARIANT_URLSAFE_NO_PADDING
#define HDR     "{\"alg\":\"HS256\",\"typ\":\"JWT\"}"
#define HDR_B64 "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
#define PAYLOAD                                                                                    \
    "{\"user_id\":42,\"phone_number\":\"+919876543210\",\"iat\":1699990000,\"exp\":1700003600,"    \
    "\"jti\":\"abc\"}"

static unsigned char KEY[JWT_KEY_BYTES];
static unsigned char OTHER_KEY[JWT_KEY_BYTES];

static int group_setup(void **state)
{
    (void)state;
    if (sodium_init() < 0)
        return -1;
    for (size_t i = 0; i < JWT_KEY_BYTES; i++) {
        KEY[i] = (unsigned char)(i * 7 + 1);
        OTHER_KEY[i] = (unsigned char)(i * 7 + 2);
    }
    return 0;
}

/* ---- helpers: tokens built by hand, so tests can sign anything ---- */

static size_t b64_put(char *dst, size_t cap, const void *bin, size_t n, int variant)
{
    sodium_bin2base64(dst, cap, bin, n, variant);
    return strlen(dst);
}

/* input + "." + base64url(HMAC-SHA256(key, input)), malloc'd. */
static char *sign_input(const unsigned char *key, const char *input)
{
    size_t n = strlen(input), cap = n + 64;
    char *t = malloc(cap);
    assert_non_null(t);
    unsigned char sig[32];
    crypto_auth_hmacsha256(sig, (const unsigned char *)input, n, key);
    memcpy(t, input, n);
    t[n++] = '.';
    b64_put(t + n, cap - n, sig, sizeof sig, V);
    return t;
}

/* A correctly signed token over arbitrary header and payload texts. */
static char *forge(const unsigned char *key, const char *header, const char *payload)
{
    size_t cap = 2 * (strlen(header) + strlen(payload)) + 16;
    char *in = malloc(cap);
    assert_non_null(in);
    size_t n = b64_put(in, cap, header, strlen(header), V);
    in[n++] = '.';
    b64_put(in + n, cap - n, payload, strlen(payload), V);
    char *t = sign_input(key, in);
    free(in);
    return t;
}

static void expect_token(const char *token, jwt_status_t want)
{
    jwt_claims_t c;
    jwt_status_t got = jwt_verify(KEY, token, NOW, &c);
    if (got != want)
        fail_msg("token \"%.120s\": got %d, want %d", token, got, want);
}

static void expect_forged(const char *header, const char *payload, jwt_status_t want)
{
    char *t = forge(KEY, header, payload);
    jwt_claims_t c;
    jwt_status_t got = jwt_verify(KEY, t, NOW, &c);
    free(t);
    if (got != want)
        fail_msg("header %s payload %s: got %d, want %d", header, payload, got, want);
}

static void expect_header(const char *header, jwt_status_t want)
{
    expect_forged(header, PAYLOAD, want);
}

static void expect_payload(const char *payload, jwt_status_t want)
{
    expect_forged(HDR, payload, want);
}

/* A payload with each claim's raw JSON text, or without the claim when NULL. */
static void payload_of(char *out, size_t cap, const char *user_id, const char *iat, const char *exp,
                       const char *jti, const char *phone)
{
    const char *names[] = {"user_id", "iat", "exp", "jti", "phone_number"};
    const char *values[] = {user_id, iat, exp, jti, phone};
    size_t n = (size_t)snprintf(out, cap, "{");
    for (size_t i = 0; i < 5; i++) {
        if (values[i])
            n += (size_t)snprintf(out + n, cap - n, "%s\"%s\":%s", n > 1 ? "," : "", names[i],
                                  values[i]);
    }
    snprintf(out + n, cap - n, "}");
}

static void expect_claims(const char *user_id, const char *iat, const char *exp, const char *jti,
                          const char *phone, jwt_status_t want)
{
    char p[512];
    payload_of(p, sizeof p, user_id, iat, exp, jti, phone);
    expect_payload(p, want);
}

static jwt_claims_t sample_claims(void)
{
    jwt_claims_t c = {.user_id = 42, .iat = NOW - 10, .exp = NOW + 3600};
    strcpy(c.phone_number, "+919876543210");
    strcpy(c.jti, "0f8e1c2d3b4a59687766554433221100");
    return c;
}

static void assert_claims_equal(const jwt_claims_t *a, const jwt_claims_t *b)
{
    assert_int_equal(a->user_id, b->user_id);
    assert_string_equal(a->phone_number, b->phone_number);
    assert_int_equal(a->iat, b->iat);
    assert_int_equal(a->exp, b->exp);
    assert_string_equal(a->jti, b->jti);
}

/* The decoded JSON of a token's second part. */
static void decode_payload(const char *token, char *out, size_t cap)
{
    const char *p = strchr(token, '.') + 1;
    const char *end = strchr(p, '.');
    size_t n = 0;
    assert_int_equal(
        sodium_base642bin((unsigned char *)out, cap - 1, p, (size_t)(end - p), NULL, &n, NULL, V),
        0);
    out[n] = '\0';
}

/* ---- signing and round trips ---- */

static void test_round_trip(void **state)
{
    (void)state;
    jwt_claims_t in = sample_claims(), out;
    char *t = jwt_sign(KEY, &in);
    assert_non_null(t);
    assert_int_equal(jwt_verify(KEY, t, NOW, &out), JWT_OK);
    assert_claims_equal(&in, &out);
    free(t);
}

static void test_header_and_payload_are_exact(void **state)
{
    (void)state;
    jwt_claims_t in = sample_claims();
    char *t = jwt_sign(KEY, &in);
    assert_non_null(t);
    assert_memory_equal(t, HDR_B64 ".", strlen(HDR_B64) + 1);
    char json[512];
    decode_payload(t, json, sizeof json);
    assert_string_equal(json, "{\"user_id\":42,\"phone_number\":\"+919876543210\",\"iat\":"
                              "1699999990,\"exp\":1700003600,\"jti\":"
                              "\"0f8e1c2d3b4a59687766554433221100\"}");
    assert_int_equal(strlen(strrchr(t, '.') + 1), 43);
    assert_null(strchr(t, '='));
    free(t);
}

static void test_empty_phone_is_omitted(void **state)
{
    (void)state;
    jwt_claims_t in = sample_claims(), out;
    in.phone_number[0] = '\0';
    char *t = jwt_sign(KEY, &in);
    assert_non_null(t);
    char json[512];
    decode_payload(t, json, sizeof json);
    assert_null(strstr(json, "phone_number"));
    assert_int_equal(jwt_verify(KEY, t, NOW, &out), JWT_OK);
    assert_claims_equal(&in, &out);
    free(t);
}

static void test_round_trip_extremes(void **state)
{
    (void)state;
    jwt_claims_t in = {.user_id = INT64_MAX, .iat = INT64_MIN, .exp = INT64_MAX}, out;
    memset(in.jti, 'j', 63);
    in.jti[63] = '\0';
    strcpy(in.phone_number, "\"quote\\back\x01\x1f/slash\x7f"); /* escaped in JSON */
    while (strlen(in.phone_number) < 31)
        strcat(in.phone_number, "\"");
    char *t = jwt_sign(KEY, &in);
    assert_non_null(t);
    assert_true(strlen(t) <= JWT_MAX_LEN);
    assert_int_equal(jwt_verify(KEY, t, NOW, &out), JWT_OK);
    assert_claims_equal(&in, &out);
    free(t);
}

static void test_sign_refuses_claims_that_cannot_verify(void **state)
{
    (void)state;
    jwt_claims_t c = sample_claims();
    c.user_id = 0;
    assert_null(jwt_sign(KEY, &c));
    c.user_id = -5;
    assert_null(jwt_sign(KEY, &c));

    c = sample_claims();
    c.jti[0] = '\0';
    assert_null(jwt_sign(KEY, &c));
    memset(c.jti, 'a', sizeof c.jti); /* not terminated */
    assert_null(jwt_sign(KEY, &c));

    c = sample_claims();
    memset(c.phone_number, '1', sizeof c.phone_number); /* not terminated */
    assert_null(jwt_sign(KEY, &c));

    c = sample_claims();
    strcpy(c.jti, "\xff\xfe"); /* not UTF-8: jansson refuses it */
    assert_null(jwt_sign(KEY, &c));
}

static void test_forged_reference_token_verifies(void **state)
{
    (void)state;
    /* the hand-built helper agrees with jwt_sign, so the forgeries below are
     * refused for what they contain, not for how they were built */
    jwt_claims_t c;
    char *t = forge(KEY, HDR, PAYLOAD);
    assert_int_equal(jwt_verify(KEY, t, NOW, &c), JWT_OK);
    assert_int_equal(c.user_id, 42);
    assert_string_equal(c.phone_number, "+919876543210");
    assert_int_equal(c.iat, 1699990000);
    assert_int_equal(c.exp, 1700003600);
    assert_string_equal(c.jti, "abc");
    free(t);
}

/* ---- tampering and keys ---- */

static void test_every_single_character_change_is_rejected(void **state)
{
    (void)state;
    static const char alts[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                               "+/=. \n\x80\xc3\xff";
    jwt_claims_t in = sample_claims();
    char *t = jwt_sign(KEY, &in);
    assert_non_null(t);
    size_t len = strlen(t);
    for (size_t i = 0; i < len; i++) {
        char orig = t[i];
        for (const char *a = alts; *a; a++) {
            if (*a == orig)
                continue;
            t[i] = *a;
            jwt_claims_t out;
            if (jwt_verify(KEY, t, NOW, &out) != JWT_INVALID)
                fail_msg("changing byte %zu to 0x%02x was accepted", i, (unsigned char)*a);
            assert_int_equal(out.user_id, 0); /* nothing half-read escapes */
        }
        t[i] = orig;
    }
    assert_int_equal(jwt_verify(KEY, t, NOW, NULL), JWT_OK);
    free(t);
}

/* ---- the per-thread memo ---- */

static void test_memo_answers_as_verify_does(void **state)
{
    (void)state;
    jwt_claims_t in = sample_claims(), out;
    char *t = jwt_sign(KEY, &in);
    assert_non_null(t);
    for (int i = 0; i < 3; i++) { /* a miss, then hits */
        memset(&out, 0xa5, sizeof out);
        assert_int_equal(jwt_verify_memo(KEY, t, NOW, &out), JWT_OK);
        assert_claims_equal(&in, &out);
    }
    /* expiry is checked at every use, hit or not */
    assert_int_equal(jwt_verify_memo(KEY, t, in.exp, &out), JWT_EXPIRED);
    assert_claims_equal(&in, &out);
    assert_int_equal(jwt_verify_memo(KEY, t, NOW, NULL), JWT_OK);
    /* another key never hits */
    assert_int_equal(jwt_verify_memo(OTHER_KEY, t, NOW, &out), JWT_INVALID);
    assert_int_equal(out.user_id, 0);
    free(t);
}

static void test_memo_changed_tokens_are_rejected(void **state)
{
    (void)state;
    jwt_claims_t in = sample_claims(), out;
    char *t = jwt_sign(KEY, &in);
    assert_non_null(t);
    assert_int_equal(jwt_verify_memo(KEY, t, NOW, NULL), JWT_OK); /* memoised */
    size_t len = strlen(t);
    for (size_t i = 0; i < len; i++) {
        char orig = t[i];
        t[i] = orig == 'A' ? 'B' : 'A';
        if (jwt_verify_memo(KEY, t, NOW, &out) != JWT_INVALID)
            fail_msg("changing byte %zu was accepted", i);
        t[i] = orig;
    }
    char *longer = malloc(len + 2);
    assert_non_null(longer);
    memcpy(longer, t, len);
    memcpy(longer + len, "A", 2);
    assert_int_equal(jwt_verify_memo(KEY, longer, NOW, &out), JWT_INVALID);
    longer[len - 1] = '\0'; /* a prefix */
    assert_int_equal(jwt_verify_memo(KEY, longer, NOW, &out), JWT_INVALID);
    assert_int_equal(jwt_verify_memo(KEY, NULL, NOW, &out), JWT_INVALID);
    assert_int_equal(jwt_verify_memo(KEY, "", NOW, &out), JWT_INVALID);
    assert_int_equal(jwt_verify_memo(KEY, t, NOW, &out), JWT_OK);
    free(longer);
    free(t);
}

static void test_swapped_parts_are_rejected(void **state)
{
    (void)state;
    jwt_claims_t a = sample_claims(), b = sample_claims();
    b.user_id = 43;
    char *ta = jwt_sign(KEY, &a), *tb = jwt_sign(KEY, &b);
    assert_non_null(ta);
    assert_non_null(tb);
    /* a's header and signature around b's payload */
    char mixed[JWT_MAX_LEN + 1];
    const char *pa = strchr(ta, '.'), *sa = strrchr(ta, '.');
    const char *pb = strchr(tb, '.'), *sb = strrchr(tb, '.');
    snprintf(mixed, sizeof mixed, "%.*s%.*s%s", (int)(pa - ta), ta, (int)(sb - pb), pb, sa);
    expect_token(mixed, JWT_INVALID);
    /* b's signature on a's header and payload */
    snprintf(mixed, sizeof mixed, "%.*s%s", (int)(sa - ta), ta, sb);
    expect_token(mixed, JWT_INVALID);
    free(ta);
    free(tb);
}

static void test_other_key_is_rejected(void **state)
{
    (void)state;
    jwt_claims_t in = sample_claims();
    char *t = jwt_sign(OTHER_KEY, &in);
    assert_non_null(t);
    expect_token(t, JWT_INVALID);
    free(t);

    keys_t k;
    keys_derive("a-secret-long-enough-for-production-use", &k);
    t = jwt_sign(k.jwt, &in);
    assert_non_null(t);
    assert_int_equal(jwt_verify(k.jwt, t, NOW, NULL), JWT_OK);
    assert_int_equal(jwt_verify(k.otp, t, NOW, NULL), JWT_INVALID);
    assert_int_equal(jwt_verify(k.data, t, NOW, NULL), JWT_INVALID);
    free(t);
}

/* ---- the algorithm is pinned ---- */

static void test_alg_none_without_signature(void **state)
{
    (void)state;
    char in[512], p[sizeof in + 8];
    size_t n = b64_put(in, sizeof in, "{\"alg\":\"none\",\"typ\":\"JWT\"}", 26, V);
    in[n++] = '.';
    b64_put(in + n, sizeof in - n, PAYLOAD, strlen(PAYLOAD), V);
    expect_token(in, JWT_INVALID); /* two parts */
    snprintf(p, sizeof p, "%s.", in);
    expect_token(p, JWT_INVALID); /* empty signature */
    snprintf(p, sizeof p, "%s.AAAA", in);
    expect_token(p, JWT_INVALID);
}

static void test_alg_none_with_valid_hs256_signature(void **state)
{
    (void)state;
    expect_header("{\"alg\":\"none\",\"typ\":\"JWT\"}", JWT_INVALID);
    expect_header("{\"alg\":\"none\"}", JWT_INVALID);
    expect_header("{\"alg\":\"None\"}", JWT_INVALID);
    expect_header("{\"alg\":\"NONE\"}", JWT_INVALID);
}

static void test_other_algs_are_rejected(void **state)
{
    (void)state;
    static const char *algs[] = {"\"HS512\"",  "\"HS384\"", "\"RS256\"",   "\"ES256\"",
                                 "\"hs256\"",  "\"Hs256\"", "\"HS256 \"",  "\" HS256\"",
                                 "\"HS2560\"", "\"HS25\"",  "\"\"",        "256",
                                 "null",       "true",      "[\"HS256\"]", "{\"HS256\":1}"};
    char h[128];
    for (size_t i = 0; i < sizeof algs / sizeof *algs; i++) {
        snprintf(h, sizeof h, "{\"alg\":%s,\"typ\":\"JWT\"}", algs[i]);
        expect_header(h, JWT_INVALID);
    }
    expect_header("{\"typ\":\"JWT\"}", JWT_INVALID);                     /* alg missing */
    expect_header("{\"alg\":\"none\",\"alg\":\"HS256\"}", JWT_INVALID);  /* duplicate */
    expect_header("{\"alg\":\"HS256\",\"alg\":\"HS256\"}", JWT_INVALID); /* duplicate */
    expect_header("{\"alg\":\"HS\\u00325\\u0036\"}", JWT_OK);            /* escapes are JSON */
}

static void test_header_typ_crit_and_shape(void **state)
{
    (void)state;
    expect_header("{\"alg\":\"HS256\"}", JWT_OK);
    expect_header("{\"typ\":\"JWT\",\"alg\":\"HS256\"}", JWT_OK);
    expect_header("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"1\"}", JWT_OK);
    expect_header(" {\"alg\":\"HS256\"}\n", JWT_OK);
    expect_header("{\"alg\":\"HS256\",\"typ\":\"jwt\"}", JWT_INVALID);
    expect_header("{\"alg\":\"HS256\",\"typ\":\"JWS\"}", JWT_INVALID);
    expect_header("{\"alg\":\"HS256\",\"typ\":1}", JWT_INVALID);
    expect_header("{\"alg\":\"HS256\",\"typ\":null}", JWT_INVALID);
    expect_header("{\"alg\":\"HS256\",\"crit\":[\"exp\"]}", JWT_INVALID);
    expect_header("{\"alg\":\"HS256\",\"crit\":\"exp\"}", JWT_INVALID);
    expect_header("{\"alg\":\"HS256\",\"crit\":null}", JWT_INVALID);
    expect_header("{\"alg\":\"HS256\",\"jwk\":{\"k\":\"x\"}}", JWT_INVALID); /* nested */
    expect_header("[\"HS256\"]", JWT_INVALID);
    expect_header("\"HS256\"", JWT_INVALID);
    expect_header("{\"alg\":\"HS256\"}x", JWT_INVALID);
    expect_header("{\"alg\":\"HS256\"", JWT_INVALID);
    expect_header("{}", JWT_INVALID);
    expect_header("", JWT_INVALID);
}

/* ---- claims ---- */

#define OK_IAT "1699990000"
#define OK_EXP "1700003600"
#define OK_JTI "\"abc\""

static void test_user_id_must_be_a_positive_integer(void **state)
{
    (void)state;
    static const char *bad[] = {"\"1\"",
                                "0",
                                "-1",
                                "-0",
                                "1.0",
                                "1.5",
                                "1e3",
                                "true",
                                "null",
                                "[1]",
                                "{}",
                                "9223372036854775808",
                                "-9223372036854775809"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        expect_claims(bad[i], OK_IAT, OK_EXP, OK_JTI, NULL, JWT_INVALID);
    expect_claims(NULL, OK_IAT, OK_EXP, OK_JTI, NULL, JWT_INVALID);
    expect_claims("1", OK_IAT, OK_EXP, OK_JTI, NULL, JWT_OK);
    expect_claims("9223372036854775807", OK_IAT, OK_EXP, OK_JTI, NULL, JWT_OK);
}

static void test_iat_and_exp_must_be_integers(void **state)
{
    (void)state;
    expect_claims("1", NULL, OK_EXP, OK_JTI, NULL, JWT_INVALID);
    expect_claims("1", OK_IAT, NULL, OK_JTI, NULL, JWT_INVALID);
    expect_claims("1", "\"1699990000\"", OK_EXP, OK_JTI, NULL, JWT_INVALID);
    expect_claims("1", OK_IAT, "\"1700003600\"", OK_JTI, NULL, JWT_INVALID);
    expect_claims("1", OK_IAT, "1700003600.0", OK_JTI, NULL, JWT_INVALID);
    expect_claims("1", "1.699e9", OK_EXP, OK_JTI, NULL, JWT_INVALID);
    expect_claims("1", OK_IAT, "null", OK_JTI, NULL, JWT_INVALID);
    expect_claims("1", "false", OK_EXP, OK_JTI, NULL, JWT_INVALID);
    expect_claims("1", OK_IAT, "99999999999999999999", OK_JTI, NULL, JWT_INVALID);
    expect_claims("1", "-5", OK_EXP, OK_JTI, NULL, JWT_OK); /* only exp is judged */
}

static void test_expiry_boundary(void **state)
{
    (void)state;
    jwt_claims_t in = sample_claims(), out;
    in.exp = NOW;
    char *t = jwt_sign(KEY, &in);
    assert_int_equal(jwt_verify(KEY, t, NOW, &out), JWT_EXPIRED);
    assert_claims_equal(&in, &out); /* filled for the caller's message */
    assert_int_equal(jwt_verify(KEY, t, NOW - 1, &out), JWT_OK);
    free(t);

    in.exp = NOW + 1;
    t = jwt_sign(KEY, &in);
    assert_int_equal(jwt_verify(KEY, t, NOW, &out), JWT_OK);
    assert_int_equal(jwt_verify(KEY, t, NOW + 1, &out), JWT_EXPIRED);
    free(t);

    in.exp = NOW - 86400;
    t = jwt_sign(KEY, &in);
    assert_int_equal(jwt_verify(KEY, t, NOW, &out), JWT_EXPIRED);
    assert_int_equal(out.user_id, 42);
    free(t);
}

static void test_expired_but_invalid_is_invalid(void **state)
{
    (void)state;
    jwt_claims_t in = sample_claims();
    in.exp = NOW - 10;
    char *t = jwt_sign(OTHER_KEY, &in);
    expect_token(t, JWT_INVALID);
    free(t);
    expect_claims("\"1\"", OK_IAT, "1", OK_JTI, NULL, JWT_INVALID);
}

static void test_jti_must_be_1_to_63_chars(void **state)
{
    (void)state;
    char jti[80];
    expect_claims("1", OK_IAT, OK_EXP, NULL, NULL, JWT_INVALID);
    expect_claims("1", OK_IAT, OK_EXP, "\"\"", NULL, JWT_INVALID);
    expect_claims("1", OK_IAT, OK_EXP, "5", NULL, JWT_INVALID);
    expect_claims("1", OK_IAT, OK_EXP, "null", NULL, JWT_INVALID);
    expect_claims("1", OK_IAT, OK_EXP, "\"a\"", NULL, JWT_OK);
    snprintf(jti, sizeof jti, "\"%063d\"", 7);
    expect_claims("1", OK_IAT, OK_EXP, jti, NULL, JWT_OK);
    snprintf(jti, sizeof jti, "\"%064d\"", 7);
    expect_claims("1", OK_IAT, OK_EXP, jti, NULL, JWT_INVALID);
    expect_claims("1", OK_IAT, OK_EXP, "\"a\\u0000b\"", NULL, JWT_INVALID); /* NUL */
}

static void test_phone_number_is_an_optional_short_string(void **state)
{
    (void)state;
    jwt_claims_t c;
    char *t = forge(KEY, HDR, "{\"user_id\":7,\"iat\":1,\"exp\":1700003600,\"jti\":\"x\"}");
    memset(c.phone_number, 'x', sizeof c.phone_number);
    assert_int_equal(jwt_verify(KEY, t, NOW, &c), JWT_OK);
    assert_string_equal(c.phone_number, "");
    free(t);

    expect_claims("1", OK_IAT, OK_EXP, OK_JTI, "\"1234567890123456789012345678901\"", JWT_OK);
    expect_claims("1", OK_IAT, OK_EXP, OK_JTI, "\"12345678901234567890123456789012\"", JWT_INVALID);
    expect_claims("1", OK_IAT, OK_EXP, OK_JTI, "919876543210", JWT_INVALID);
    expect_claims("1", OK_IAT, OK_EXP, OK_JTI, "null", JWT_INVALID);
}

static void test_payload_shape(void **state)
{
    (void)state;
    expect_payload("[1]", JWT_INVALID);
    expect_payload("\"x\"", JWT_INVALID);
    expect_payload("42", JWT_INVALID);
    expect_payload("", JWT_INVALID);
    expect_payload("{}", JWT_INVALID);
    expect_payload("{\"user_id\":1,\"user_id\":2,\"iat\":1,\"exp\":1700003600,\"jti\":\"a\"}",
                   JWT_INVALID); /* duplicate claim */
    expect_payload("{\"user_id\":1,\"iat\":1,\"exp\":1700003600,\"jti\":\"a\"}garbage",
                   JWT_INVALID);
    expect_payload("{\"user_id\":1,\"iat\":1,\"exp\":1700003600,\"jti\":\"a\",\"x\":{\"y\":1}}",
                   JWT_INVALID);
    expect_payload("{\"user_id\":1,\"iat\":1,\"exp\":1700003600,\"jti\":\"a\",\"x\":[]}",
                   JWT_INVALID);
    expect_payload("{\"user_id\":1,\"iat\":1,\"exp\":1700003600,\"jti\":\"a\xff\"}",
                   JWT_INVALID); /* not UTF-8 */
    expect_payload("{\"user_id\":1,\"iat\":1,\"exp\":1700003600,\"jti\":\"caf\xc3\xa9\"}",
                   JWT_OK); /* UTF-8 is fine */
    expect_payload("{\"user_id\":1,\"iat\":1,\"exp\":1700003600,\"jti\":\"a\",\"role\":\"x\"}",
                   JWT_OK); /* unknown scalar claims are ignored */

    /* deep but balanced: parses, then refused as nested */
    char deep[1500];
    const char *head = "{\"user_id\":1,\"iat\":1,\"exp\":1700003600,\"jti\":\"a\",\"x\":";
    size_t n = strlen(head);
    memcpy(deep, head, n);
    memset(deep + n, '[', 600);
    memset(deep + n + 600, ']', 600);
    strcpy(deep + n + 1200, "}");
    expect_payload(deep, JWT_INVALID);
    memset(deep + n, '[', 1200); /* unbalanced */
    expect_payload(deep, JWT_INVALID);
}

/* ---- encoding and shape of the token text ---- */

static void test_padding_is_rejected(void **state)
{
    (void)state;
    /* 2 mod 3 bytes: the padded form ends "=", the unpadded one is canonical */
    const char *payload = "{\"user_id\":1,\"iat\":1,\"exp\":1700003600,\"jti\":\"abc\"}";
    assert_int_equal(strlen(payload) % 3, 2);
    char in[512];
    size_t n = b64_put(in, sizeof in, HDR, strlen(HDR), V);
    in[n++] = '.';
    size_t pn = b64_put(in + n, sizeof in - n, payload, strlen(payload), V);
    char *t = sign_input(KEY, in);
    expect_token(t, JWT_OK);
    free(t);

    b64_put(in + n, sizeof in - n, payload, strlen(payload), sodium_base64_VARIANT_URLSAFE);
    assert_int_equal(strlen(in + n), pn + 1); /* "=" added */
    t = sign_input(KEY, in);
    expect_token(t, JWT_INVALID);
    free(t);

    /* padded signature */
    t = forge(KEY, HDR, PAYLOAD);
    char padded[JWT_MAX_LEN];
    snprintf(padded, sizeof padded, "%s=", t);
    expect_token(padded, JWT_INVALID);
    free(t);
}

static void test_non_base64url_characters_in_signed_parts(void **state)
{
    (void)state;
    static const char bad[] = "+/= \t\n~!*%\x80\xc3\xff";
    char payload_b64[256], in[512];
    b64_put(payload_b64, sizeof payload_b64, PAYLOAD, strlen(PAYLOAD), V);
    for (const char *c = bad; *c; c++) {
        /* the HMAC is right for the text; the text is not base64url */
        snprintf(in, sizeof in, "%s.%.20s%c%s", HDR_B64, payload_b64, *c, payload_b64 + 20);
        char *t = sign_input(KEY, in);
        jwt_status_t st = jwt_verify(KEY, t, NOW, NULL);
        free(t);
        if (st != JWT_INVALID)
            fail_msg("byte 0x%02x inside the payload was accepted", (unsigned char)*c);
    }
}

/* libsodium 1.0.18 decodes any byte >= 0x80 as '_' (it reads a signed char):
 * a token spelled with such a byte where '_' was must not verify. */
static void test_high_bytes_do_not_stand_in_for_underscore(void **state)
{
    (void)state;
    static const char high[] = "\x80\xbf\xdf\xff";
    int sig_seen = 0, payload_seen = 0;
    for (int i = 0; i < 2000 && !(sig_seen && payload_seen); i++) {
        char payload[128];
        snprintf(payload, sizeof payload,
                 "{\"user_id\":1,\"iat\":1,\"exp\":1700003600,\"jti\":\"?%d?\"}", i);
        char *t = forge(KEY, HDR, payload);
        expect_token(t, JWT_OK);
        char *sig = strrchr(t, '.'), *under = strchr(sig, '_');
        for (const char *h = high; under && *h; h++, sig_seen = 1) {
            *under = *h; /* same signature bytes, different text */
            expect_token(t, JWT_INVALID);
            *under = '_';
        }
        *sig = '\0';
        under = strchr(strchr(t, '.'), '_');
        for (const char *h = high; under && *h; h++, payload_seen = 1) {
            *under = *h; /* same JSON once decoded, correctly signed text */
            char *resigned = sign_input(KEY, t);
            expect_token(resigned, JWT_INVALID);
            free(resigned);
            *under = '_';
        }
        free(t);
    }
    assert_true(sig_seen && payload_seen);
}

static void test_non_canonical_base64_is_rejected(void **state)
{
    (void)state;
    /* 1 mod 3 bytes: the last character carries 2 bits and 4 zero bits;
     * setting one of those zero bits decodes leniently to the same bytes */
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const char *payload = "{\"user_id\":1,\"iat\":1,\"exp\":1700003600,\"jti\":\"ab\"}";
    assert_int_equal(strlen(payload) % 3, 1);
    char in[512];
    size_t n = b64_put(in, sizeof in, HDR, strlen(HDR), V);
    in[n++] = '.';
    n += b64_put(in + n, sizeof in - n, payload, strlen(payload), V);
    char *t = sign_input(KEY, in);
    expect_token(t, JWT_OK);
    free(t);

    size_t idx = (size_t)(strchr(alphabet, in[n - 1]) - alphabet);
    assert_int_equal(idx & 15, 0);
    in[n - 1] = alphabet[idx | 1];
    t = sign_input(KEY, in);
    expect_token(t, JWT_INVALID);
    free(t);
}

static void test_dots_and_part_counts(void **state)
{
    (void)state;
    char *t = forge(KEY, HDR, PAYLOAD);
    const char *p = strchr(t, '.'), *s = strrchr(t, '.');
    char buf[JWT_MAX_LEN * 2];
    static const char *around[][2] = {{"", "."}, {".", ""}, {"", ".x"}, {"", ".."}, {"x.", ""}};
    for (size_t i = 0; i < sizeof around / sizeof *around; i++) {
        snprintf(buf, sizeof buf, "%s%s%s", around[i][0], t, around[i][1]);
        expect_token(buf, JWT_INVALID);
    }
    /* ".." between header and payload, and an empty payload */
    snprintf(buf, sizeof buf, "%.*s.%s", (int)(p - t), t, p);
    expect_token(buf, JWT_INVALID);
    snprintf(buf, sizeof buf, "%.*s%s", (int)(p - t + 1), t, s);
    expect_token(buf, JWT_INVALID);
    /* four parts, the last three signed as if "payload.x" were the payload */
    snprintf(buf, sizeof buf, "%.*s.x", (int)(s - t), t);
    char *four = sign_input(KEY, buf);
    expect_token(four, JWT_INVALID);
    free(four);
    free(t);

    static const char *junk[] = {"", ".", "..", "...", "a", "a.b", "a.b.c", "a..c", ".b.c"};
    for (size_t i = 0; i < sizeof junk / sizeof *junk; i++)
        expect_token(junk[i], JWT_INVALID);
}

/* A signed token of exactly len characters (the payload is padded). */
static char *token_of_length(size_t len)
{
    /* header 36 + '.' + payload + '.' + 43; payload chars -> bytes */
    size_t pchars = len - 36 - 1 - 1 - 43;
    size_t pbytes = pchars / 4 * 3 + (pchars % 4 ? pchars % 4 - 1 : 0);
    const char *head = "{\"user_id\":1,\"iat\":1,\"exp\":1700003600,\"jti\":\"a\",\"pad\":\"";
    size_t fill = pbytes - strlen(head) - 2;
    char *payload = malloc(pbytes + 1);
    assert_non_null(payload);
    snprintf(payload, pbytes + 1, "%s%0*d\"}", head, (int)fill, 0);
    char *t = forge(KEY, HDR, payload);
    free(payload);
    assert_int_equal(strlen(t), len);
    return t;
}

static void test_length_limit(void **state)
{
    (void)state;
    char *t = token_of_length(JWT_MAX_LEN);
    expect_token(t, JWT_OK);
    free(t);
    t = token_of_length(JWT_MAX_LEN + 1);
    expect_token(t, JWT_INVALID);
    free(t);

    size_t big = 1 << 20;
    char *huge = malloc(big + 1);
    assert_non_null(huge);
    memset(huge, 'A', big);
    huge[100] = huge[200] = '.';
    huge[big] = '\0';
    expect_token(huge, JWT_INVALID);
    free(huge);
}

static void test_non_ascii_tokens(void **state)
{
    (void)state;
    char *t = forge(KEY, HDR, PAYLOAD);
    char buf[JWT_MAX_LEN];
    snprintf(buf, sizeof buf, "%s\xc3\xa9", t);
    expect_token(buf, JWT_INVALID);
    snprintf(buf, sizeof buf, "\xef\xbb\xbf%s", t); /* BOM */
    expect_token(buf, JWT_INVALID);
    snprintf(buf, sizeof buf, "%s ", t);
    expect_token(buf, JWT_INVALID);
    snprintf(buf, sizeof buf, "%s\n", t);
    expect_token(buf, JWT_INVALID);
    free(t);
    expect_token("\xff\xfe.\x80\x81.\xc0\xaf", JWT_INVALID);
}

static void test_null_and_empty(void **state)
{
    (void)state;
    jwt_claims_t c;
    memset(&c, 'x', sizeof c);
    assert_int_equal(jwt_verify(KEY, NULL, NOW, &c), JWT_INVALID);
    assert_int_equal(c.user_id, 0);
    assert_string_equal(c.jti, "");
    assert_int_equal(jwt_verify(KEY, "", NOW, NULL), JWT_INVALID);
}

static void test_claims_are_zeroed_when_invalid(void **state)
{
    (void)state;
    /* correctly signed, user_id and phone read, then the jti is too long */
    char *t =
        forge(KEY, HDR,
              "{\"user_id\":9,\"phone_number\":\"+14155552671\",\"iat\":1,\"exp\":1,"
              "\"jti\":\"0123456789012345678901234567890123456789012345678901234567890123\"}");
    jwt_claims_t c;
    memset(&c, 'x', sizeof c);
    assert_int_equal(jwt_verify(KEY, t, NOW, &c), JWT_INVALID);
    jwt_claims_t zero;
    memset(&zero, 0, sizeof zero);
    assert_memory_equal(&c, &zero, sizeof c);
    free(t);
}

/* ---- keys ---- */

static void hex(const unsigned char *b, char out[65])
{
    sodium_bin2hex(out, 65, b, 32);
}

static void test_keys_known_answer(void **state)
{
    (void)state;
    /* python3: hmac.new(secret, b"loopin:<label>", hashlib.sha256).hexdigest() */
    keys_t k;
    char h[65];
    keys_derive("test-secret-key-that-is-long-enough-1234", &k);
    hex(k.jwt, h);
    assert_string_equal(h, "67f0ec1d72815b8b42c074f753bfc31a30bdf033d560fb727238200d177dbc7b");
    hex(k.otp, h);
    assert_string_equal(h, "7478174f0d6bf61923f630931de728119ec1de74ce03cd0eef8505642ef91d9f");
    hex(k.data, h);
    assert_string_equal(h, "3aa69ce2bbf7695caef5e02b506995dab32173ba7f6f0c7d2c97c7b79428c043");
}

static void test_keys_distinct_and_deterministic(void **state)
{
    (void)state;
    keys_t a, b, c;
    keys_derive("one secret that is quite long indeed", &a);
    keys_derive("one secret that is quite long indeed", &b);
    keys_derive("one secret that is quite long indeeD", &c);
    assert_memory_equal(&a, &b, sizeof a);
    assert_memory_not_equal(a.jwt, a.otp, KEY_BYTES);
    assert_memory_not_equal(a.jwt, a.data, KEY_BYTES);
    assert_memory_not_equal(a.otp, a.data, KEY_BYTES);
    assert_memory_not_equal(a.jwt, c.jwt, KEY_BYTES);
    assert_memory_not_equal(a.otp, c.otp, KEY_BYTES);
    assert_memory_not_equal(a.data, c.data, KEY_BYTES);
}

static void test_keys_long_secret(void **state)
{
    (void)state;
    /* longer than a SHA-256 block: HMAC hashes the key first; every byte counts */
    char s[201];
    memset(s, 's', 200);
    s[200] = '\0';
    keys_t a, b;
    keys_derive(s, &a);
    s[199] = 't';
    keys_derive(s, &b);
    assert_memory_not_equal(a.jwt, b.jwt, KEY_BYTES);
    keys_t again;
    keys_derive(s, &again);
    assert_memory_equal(&b, &again, sizeof b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_header_and_payload_are_exact),
        cmocka_unit_test(test_empty_phone_is_omitted),
        cmocka_unit_test(test_round_trip_extremes),
        cmocka_unit_test(test_sign_refuses_claims_that_cannot_verify),
        cmocka_unit_test(test_forged_reference_token_verifies),
        cmocka_unit_test(test_every_single_character_change_is_rejected),
        cmocka_unit_test(test_swapped_parts_are_rejected),
        cmocka_unit_test(test_other_key_is_rejected),
        cmocka_unit_test(test_alg_none_without_signature),
        cmocka_unit_test(test_alg_none_with_valid_hs256_signature),
        cmocka_unit_test(test_other_algs_are_rejected),
        cmocka_unit_test(test_header_typ_crit_and_shape),
        cmocka_unit_test(test_user_id_must_be_a_positive_integer),
        cmocka_unit_test(test_iat_and_exp_must_be_integers),
        cmocka_unit_test(test_expiry_boundary),
        cmocka_unit_test(test_memo_answers_as_verify_does),
        cmocka_unit_test(test_memo_changed_tokens_are_rejected),
        cmocka_unit_test(test_expired_but_invalid_is_invalid),
        cmocka_unit_test(test_jti_must_be_1_to_63_chars),
        cmocka_unit_test(test_phone_number_is_an_optional_short_string),
        cmocka_unit_test(test_payload_shape),
        cmocka_unit_test(test_padding_is_rejected),
        cmocka_unit_test(test_non_base64url_characters_in_signed_parts),
        cmocka_unit_test(test_non_canonical_base64_is_rejected),
        cmocka_unit_test(test_high_bytes_do_not_stand_in_for_underscore),
        cmocka_unit_test(test_dots_and_part_counts),
        cmocka_unit_test(test_length_limit),
        cmocka_unit_test(test_non_ascii_tokens),
        cmocka_unit_test(test_null_and_empty),
        cmocka_unit_test(test_claims_are_zeroed_when_invalid),
        cmocka_unit_test(test_keys_known_answer),
        cmocka_unit_test(test_keys_distinct_and_deterministic),
        cmocka_unit_test(test_keys_long_secret),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
