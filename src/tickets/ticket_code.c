/*
 * ticket_code.c: building, parsing and verifying signed ticket codes
 * (layout in ticket_code.h). Parsing is strict: one spelling per code (the
 * alphabet is checked before libsodium, which maps bytes >= 0x80 to '_', and
 * the decoded bytes are re-encoded and compared), so a code and its hash
 * identify one ticket.
 */
#include "tickets/ticket_code.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define B64       sodium_base64_VARIANT_URLSAFE_NO_PADDING
#define RAW_BYTES (TICKET_MSG_BYTES + TICKET_SIG_BYTES)

_Static_assert(TICKET_PK_BYTES == crypto_sign_PUBLICKEYBYTES, "Ed25519 public key");
_Static_assert(TICKET_SK_BYTES == crypto_sign_SECRETKEYBYTES, "Ed25519 secret key");
_Static_assert(TICKET_SIG_BYTES == crypto_sign_BYTES, "Ed25519 signature");
_Static_assert(TICKET_CODE_LEN == (RAW_BYTES * 4 + 2) / 3, "unpadded base64 of the raw code");

static void put_be64(unsigned char *p, int64_t v)
{
    uint64_t u = (uint64_t)v;
    for (int i = 7; i >= 0; i--, u >>= 8)
        p[i] = (unsigned char)(u & 0xff);
}

static int64_t get_be64(const unsigned char *p)
{
    uint64_t u = 0;
    for (int i = 0; i < 8; i++)
        u = (u << 8) | p[i];
    return (int64_t)u;
}

static void message(int64_t ticket_id, int64_t event_id, const unsigned char *seed,
                    unsigned char msg[TICKET_MSG_BYTES])
{
    msg[0] = TICKET_CODE_VERSION;
    put_be64(msg + 1, ticket_id);
    put_be64(msg + 9, event_id);
    memcpy(msg + 17, seed, TICKET_SEED_BYTES);
}

int ticket_code_make(const unsigned char sk[TICKET_SK_BYTES], int64_t ticket_id, int64_t event_id,
                     const unsigned char seed[TICKET_SEED_BYTES], char *out)
{
    unsigned char raw[RAW_BYTES];
    if (ticket_id <= 0 || event_id <= 0)
        return -1;
    message(ticket_id, event_id, seed, raw);
    crypto_sign_detached(raw + TICKET_MSG_BYTES, NULL, raw, TICKET_MSG_BYTES, sk);
    sodium_bin2base64(out, TICKET_CODE_LEN + 1, raw, RAW_BYTES, B64);
    return 0;
}

static bool is_b64url(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
    }
    return true;
}

/* Strips blanks and an "EVENT:{digits}:TICKET:" prefix; *prefix_event is
 * the prefix's event id, 0 when there was none, -1 when it was malformed. */
static void strip(const char **s, size_t *n, int64_t *prefix_event)
{
    static const char head[] = "EVENT:", mid[] = ":TICKET:";
    while (*n && (**s == ' ' || **s == '\t' || **s == '\r' || **s == '\n'))
        (*s)++, (*n)--;
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t' || (*s)[*n - 1] == '\r' ||
                  (*s)[*n - 1] == '\n'))
        (*n)--;
    *prefix_event = 0;
    if (*n < sizeof head - 1 || memcmp(*s, head, sizeof head - 1) != 0)
        return;
    size_t i = sizeof head - 1, digits = 0;
    int64_t id = 0;
    for (; i < *n && (*s)[i] >= '0' && (*s)[i] <= '9' && digits < 18; i++, digits++)
        id = id * 10 + ((*s)[i] - '0');
    if (digits == 0 || *n - i < sizeof mid - 1 || memcmp(*s + i, mid, sizeof mid - 1) != 0) {
        *prefix_event = -1;
        return;
    }
    i += sizeof mid - 1;
    *prefix_event = id > 0 ? id : -1;
    *s += i;
    *n -= i;
}

int ticket_code_parse(const char *text, size_t len, ticket_code_t *out)
{
    const char *s = text;
    size_t n = len;
    int64_t prefix_event;
    unsigned char raw[RAW_BYTES];
    size_t got = 0;
    memset(out, 0, sizeof *out);
    if (!text)
        return -1;
    strip(&s, &n, &prefix_event);
    if (prefix_event < 0 || n != TICKET_CODE_LEN || !is_b64url(s, n) ||
        sodium_base642bin(raw, sizeof raw, s, n, NULL, &got, NULL, B64) != 0 || got != RAW_BYTES)
        return -1;
    sodium_bin2base64(out->code, sizeof out->code, raw, RAW_BYTES, B64);
    if (memcmp(out->code, s, n) != 0 || raw[0] != TICKET_CODE_VERSION)
        return -1;
    out->ticket_id = get_be64(raw + 1);
    out->event_id = get_be64(raw + 9);
    if (out->ticket_id <= 0 || out->event_id <= 0 ||
        (prefix_event > 0 && prefix_event != out->event_id))
        return -1;
    memcpy(out->seed, raw + 17, TICKET_SEED_BYTES);
    memcpy(out->msg, raw, TICKET_MSG_BYTES);
    memcpy(out->sig, raw + TICKET_MSG_BYTES, TICKET_SIG_BYTES);
    return 0;
}

bool ticket_code_verify(const ticket_code_t *c, const unsigned char pk[TICKET_PK_BYTES])
{
    return crypto_sign_verify_detached(c->sig, c->msg, TICKET_MSG_BYTES, pk) == 0;
}

void ticket_code_hash(const char *code, char out[TICKET_HASH_HEX])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)code, strlen(code));
    sodium_bin2hex(out, TICKET_HASH_HEX, h, sizeof h);
}

void ticket_pk_encode(const unsigned char pk[TICKET_PK_BYTES], char out[TICKET_PK_B64])
{
    sodium_bin2base64(out, TICKET_PK_B64, pk, TICKET_PK_BYTES, B64);
}

int ticket_pk_decode(const char *text, unsigned char pk[TICKET_PK_BYTES])
{
    size_t got = 0, n = text ? strlen(text) : 0;
    char check[TICKET_PK_B64];
    if (n != TICKET_PK_B64 - 1 || !is_b64url(text, n) ||
        sodium_base642bin(pk, TICKET_PK_BYTES, text, n, NULL, &got, NULL, B64) != 0 ||
        got != TICKET_PK_BYTES)
        return -1;
    ticket_pk_encode(pk, check);
    return strcmp(check, text) == 0 ? 0 : -1;
}
