/*
 * fuzz_jwt.c: libFuzzer driver for auth/jwt. Every input is verified as a
 * token; whatever verifies must hold well-formed claims that sign and verify
 * back to themselves. Input starting 'S' also becomes claims that must
 * round-trip; 'F' is "header\npayload" JSON, signed with our key, so the
 * claim checks behind the signature are reached too.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "auth/jwt.h"

#define NOW INT64_C(1700000000)

/* The seeds in tests/fuzz/corpus/jwt/ are signed with this key. */
static const unsigned char KEY[JWT_KEY_BYTES + 1] = "loopin-fuzz-jwt-key-0123456789ab";

static bool claims_equal(const jwt_claims_t *a, const jwt_claims_t *b)
{
    return a->user_id == b->user_id && a->iat == b->iat && a->exp == b->exp &&
           strcmp(a->phone_number, b->phone_number) == 0 && strcmp(a->jti, b->jti) == 0;
}

static jwt_status_t expected_status(const jwt_claims_t *c)
{
    return c->exp <= NOW ? JWT_EXPIRED : JWT_OK;
}

/* Signs c and checks the token verifies to the same claims. */
static void check_round_trip(const jwt_claims_t *c)
{
    char *token = jwt_sign(KEY, c);
    if (!token || strlen(token) > JWT_MAX_LEN)
        abort();
    jwt_claims_t back;
    if (jwt_verify(KEY, token, NOW, &back) != expected_status(c) || !claims_equal(c, &back))
        abort();
    free(token);
}

/* What verify accepted must be what the header promises. */
static void check_verified(jwt_status_t st, const jwt_claims_t *c)
{
    if (st == JWT_INVALID)
        return;
    size_t jti = strnlen(c->jti, sizeof c->jti);
    if (st != expected_status(c) || c->user_id <= 0 || jti == 0 || jti == sizeof c->jti ||
        strnlen(c->phone_number, sizeof c->phone_number) == sizeof c->phone_number)
        abort();
    check_round_trip(c);
}

static void verify_text(const char *token)
{
    jwt_claims_t c;
    check_verified(jwt_verify(KEY, token, NOW, &c), &c);
}

/* ---- 'S': claims from bytes ---- */

static int64_t take_i64(const uint8_t **p, size_t *n)
{
    uint64_t u = 0;
    for (int i = 0; i < 8 && *n > 0; i++, (*p)++, (*n)--)
        u = u << 8 | **p;
    int64_t v;
    memcpy(&v, &u, sizeof v);
    return v;
}

/* A length byte, then that many bytes folded into ASCII 1..127 (valid UTF-8). */
static void take_str(const uint8_t **p, size_t *n, char *out, size_t cap)
{
    size_t len = 0, i = 0;
    if (*n > 0) {
        len = **p % cap;
        (*p)++;
        (*n)--;
    }
    for (; i<len && * n> 0; i++, (*p)++, (*n)--)
        out[i] = (char)((**p & 0x7f) ? (**p & 0x7f) : 'x');
    out[i] = '\0';
}

static void sign_mode(const uint8_t *p, size_t n)
{
    jwt_claims_t c;
    memset(&c, 0, sizeof c);
    c.user_id = take_i64(&p, &n) & INT64_MAX;
    if (c.user_id == 0)
        c.user_id = 1;
    c.iat = take_i64(&p, &n);
    c.exp = take_i64(&p, &n);
    take_str(&p, &n, c.phone_number, sizeof c.phone_number);
    take_str(&p, &n, c.jti, sizeof c.jti);
    if (!c.jti[0])
        strcpy(c.jti, "j");
    check_round_trip(&c);
}

/* ---- 'F': arbitrary JSON behind a good signature ---- */

static size_t b64_put(char *dst, size_t cap, const void *bin, size_t len)
{
    sodium_bin2base64(dst, cap, bin, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return strlen(dst);
}

static void forge_mode(const uint8_t *p, size_t n)
{
    const uint8_t *nl = memchr(p, '\n', n);
    size_t hlen = nl ? (size_t)(nl - p) : n, plen = nl ? n - hlen - 1 : 0;
    size_t cap = 2 * n + 64;
    char *token = malloc(cap);
    if (!token)
        return;
    size_t len = b64_put(token, cap, p, hlen);
    token[len++] = '.';
    len += b64_put(token + len, cap - len, nl ? nl + 1 : p, plen);
    unsigned char sig[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256(sig, (const unsigned char *)token, len, KEY);
    token[len++] = '.';
    b64_put(token + len, cap - len, sig, sizeof sig);
    verify_text(token);
    free(token);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    verify_text(s);
    free(s);

    if (size > 0 && data[0] == 'S')
        sign_mode(data + 1, size - 1);
    else if (size > 0 && data[0] == 'F')
        forge_mode(data + 1, size - 1);
    return 0;
}
