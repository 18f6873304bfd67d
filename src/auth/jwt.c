/*
 * jwt.c: HS256 JSON Web Tokens. jwt_sign builds header.payload.signature with
 * libsodium's HMAC-SHA256 and URL-safe unpadded base64. jwt_verify checks the
 * token's shape, then its signature in constant time, and only then parses the
 * JSON: "alg" pinned to HS256, every claim strictly typed.
 */
#include "auth/jwt.h"

#include <jansson.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define B64         sodium_base64_VARIANT_URLSAFE_NO_PADDING
#define SIG_BYTES   crypto_auth_hmacsha256_BYTES
#define SIG_B64_LEN 43 /* 32 bytes in unpadded base64 */

_Static_assert(JWT_KEY_BYTES == crypto_auth_hmacsha256_KEYBYTES, "HS256 takes a 32-byte key");

/* The only header we write. */
static const char JWT_HEADER[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";

/* ---------------------------------------------------------------------------
 * Signing
 *
 * Claims that jwt_verify would refuse are never signed, so a token we issue
 * always verifies until it expires. Even the longest claims (every character
 * escaped) make a token well under JWT_MAX_LEN.
 * ------------------------------------------------------------------------- */

static bool claims_signable(const jwt_claims_t *c)
{
    size_t jti = strnlen(c->jti, sizeof c->jti);
    return c->user_id > 0 && jti > 0 && jti < sizeof c->jti &&
           strnlen(c->phone_number, sizeof c->phone_number) < sizeof c->phone_number;
}

/* Compact JSON (malloc'd; jansson keeps insertion order), or NULL. */
static char *payload_json(const jwt_claims_t *c)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    int rc = json_object_set_new(o, "user_id", json_integer(c->user_id));
    if (c->phone_number[0])
        rc |= json_object_set_new(o, "phone_number", json_string(c->phone_number));
    rc |= json_object_set_new(o, "iat", json_integer(c->iat));
    rc |= json_object_set_new(o, "exp", json_integer(c->exp));
    rc |= json_object_set_new(o, "jti", json_string(c->jti));
    char *s = rc == 0 ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    return s;
}

/* Writes the base64url of bin at dst (room includes the NUL); returns its length. */
static size_t b64_put(char *dst, size_t room, const void *bin, size_t len)
{
    sodium_bin2base64(dst, room, bin, len, B64);
    return strlen(dst);
}

char *jwt_sign(const unsigned char key[JWT_KEY_BYTES], const jwt_claims_t *claims)
{
    if (!claims_signable(claims))
        return NULL;
    char *payload = payload_json(claims);
    if (!payload)
        return NULL;
    size_t hlen = sizeof JWT_HEADER - 1, plen = strlen(payload);
    /* each ENCODED_LEN counts a NUL: those two bytes hold the dots */
    size_t cap = sodium_base64_ENCODED_LEN(hlen, B64) + sodium_base64_ENCODED_LEN(plen, B64) +
                 SIG_B64_LEN + 1;
    char *token = malloc(cap);
    if (token) {
        unsigned char sig[SIG_BYTES];
        size_t n = b64_put(token, cap, JWT_HEADER, hlen);
        token[n++] = '.';
        n += b64_put(token + n, cap - n, payload, plen);
        crypto_auth_hmacsha256(sig, (const unsigned char *)token, n, key);
        token[n++] = '.';
        b64_put(token + n, cap - n, sig, sizeof sig);
    }
    free(payload);
    return token;
}

/* ---------------------------------------------------------------------------
 * Verifying
 *
 * Order matters: the cheap structural checks and the constant-time signature
 * check come first, so nothing an attacker wrote is parsed as JSON unless it
 * was signed with our key. Even then the header is not trusted: an "alg" other
 * than HS256 means the token was not made here, and it is refused.
 * ------------------------------------------------------------------------- */

typedef struct {
    const char *p;
    size_t n;
} span_t;

/* Exactly three non-empty dot-separated parts. */
static bool token_split(const char *token, size_t len, span_t part[3])
{
    const char *end = token + len;
    const char *d1 = memchr(token, '.', len);
    const char *d2 = d1 ? memchr(d1 + 1, '.', (size_t)(end - d1 - 1)) : NULL;
    if (!d2 || memchr(d2 + 1, '.', (size_t)(end - d2 - 1)))
        return false;
    part[0] = (span_t){token, (size_t)(d1 - token)};
    part[1] = (span_t){d1 + 1, (size_t)(d2 - d1 - 1)};
    part[2] = (span_t){d2 + 1, (size_t)(end - d2 - 1)};
    return part[0].n > 0 && part[1].n > 0 && part[2].n > 0;
}

/* The alphabet is checked here, not left to libsodium: 1.0.18 reads each
 * character as a plain (signed) char, and every byte >= 0x80 then decodes as
 * '_', which would give one signature many spellings. */
static bool is_b64url(span_t s)
{
    for (size_t i = 0; i < s.n; i++) {
        unsigned char c = (unsigned char)s.p[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
    }
    return true;
}

/* Canonical base64url without padding, every character consumed, at most cap
 * bytes out. libsodium refuses non-zero trailing bits. */
static bool b64_decode(span_t in, unsigned char *out, size_t cap, size_t *out_len)
{
    const char *stop = NULL;
    return is_b64url(in) &&
           sodium_base642bin(out, cap, in.p, in.n, NULL, out_len, &stop, B64) == 0 &&
           stop == in.p + in.n;
}

static bool signature_ok(const unsigned char *key, const char *token, const span_t part[3])
{
    unsigned char sig[SIG_BYTES];
    size_t n = 0;
    if (part[2].n != SIG_B64_LEN || !b64_decode(part[2], sig, sizeof sig, &n) || n != sizeof sig)
        return false;
    size_t signed_len = (size_t)(part[1].p + part[1].n - token); /* "header.payload" */
    return crypto_auth_hmacsha256_verify(sig, (const unsigned char *)token, signed_len, key) == 0;
}

/* Nothing we read is nested, so nothing nested is accepted. */
static bool object_is_flat(json_t *o)
{
    const char *name;
    json_t *v;
    if (!json_is_object(o))
        return false;
    json_object_foreach(o, name, v)
    {
        if (json_is_object(v) || json_is_array(v))
            return false;
    }
    return true;
}

/* A header or payload: base64url of a flat JSON object without duplicate
 * keys. New reference, or NULL. */
static json_t *part_load(span_t part)
{
    unsigned char buf[JWT_MAX_LEN];
    size_t n = 0;
    if (!b64_decode(part, buf, sizeof buf, &n))
        return NULL;
    json_t *o = json_loadb((const char *)buf, n, JSON_REJECT_DUPLICATES, NULL);
    if (o && !object_is_flat(o)) {
        json_decref(o);
        o = NULL;
    }
    return o;
}

static bool string_is(const json_t *v, const char *want)
{
    size_t n = strlen(want);
    return json_is_string(v) && json_string_length(v) == n &&
           memcmp(json_string_value(v), want, n) == 0;
}

/* alg exactly "HS256"; typ, when present, exactly "JWT"; no "crit" (we
 * understand no extensions, so none may be required of us). */
static bool header_ok(const json_t *h)
{
    const json_t *typ = json_object_get(h, "typ");
    return string_is(json_object_get(h, "alg"), "HS256") && (!typ || string_is(typ, "JWT")) &&
           !json_object_get(h, "crit");
}

/* A JSON integer: not a string of digits, not a real, not a boolean. */
static bool claim_int(const json_t *p, const char *name, int64_t *out)
{
    const json_t *v = json_object_get(p, name);
    if (!json_is_integer(v))
        return false;
    *out = json_integer_value(v);
    return true;
}

/* A JSON string of min..cap-1 bytes, copied with its NUL. */
static bool claim_str(const json_t *p, const char *name, char *out, size_t cap, size_t min)
{
    const json_t *v = json_object_get(p, name);
    if (!json_is_string(v))
        return false;
    size_t n = json_string_length(v);
    if (n < min || n >= cap)
        return false;
    memcpy(out, json_string_value(v), n);
    out[n] = '\0';
    return true;
}

static bool claims_read(const json_t *p, jwt_claims_t *c)
{
    if (!claim_int(p, "user_id", &c->user_id) || c->user_id <= 0 || !claim_int(p, "iat", &c->iat) ||
        !claim_int(p, "exp", &c->exp) || !claim_str(p, "jti", c->jti, sizeof c->jti, 1))
        return false;
    return !json_object_get(p, "phone_number") ||
           claim_str(p, "phone_number", c->phone_number, sizeof c->phone_number, 0);
}

static jwt_status_t token_check(const unsigned char *key, const char *token, int64_t now,
                                jwt_claims_t *c)
{
    size_t len = strnlen(token, JWT_MAX_LEN + 1);
    span_t part[3];
    if (len > JWT_MAX_LEN || !token_split(token, len, part) || !signature_ok(key, token, part))
        return JWT_INVALID;
    json_t *header = part_load(part[0]);
    json_t *payload = header && header_ok(header) ? part_load(part[1]) : NULL;
    bool ok = payload && claims_read(payload, c);
    json_decref(header);
    json_decref(payload);
    if (!ok)
        return JWT_INVALID;
    return c->exp <= now ? JWT_EXPIRED : JWT_OK;
}

jwt_status_t jwt_verify(const unsigned char key[JWT_KEY_BYTES], const char *token, int64_t now,
                        jwt_claims_t *out)
{
    jwt_claims_t c;
    memset(&c, 0, sizeof c);
    jwt_status_t st = token ? token_check(key, token, now, &c) : JWT_INVALID;
    if (st == JWT_INVALID) /* no half-read claims escape */
        memset(&c, 0, sizeof c);
    if (out)
        *out = c;
    return st;
}
