/*
 * payu.c: PayU request and response hashes (see payu.h).
 */
#include "money/payu.h"

#include <ctype.h>
#include <sodium.h>
#include <string.h>

#include "core/strbuf.h"

static void sha512_hex(const strbuf_t *b, char out[PAYU_HASH_HEX])
{
    unsigned char h[crypto_hash_sha512_BYTES];
    crypto_hash_sha512(h, (const unsigned char *)(b->data ? b->data : ""), b->len);
    sodium_bin2hex(out, PAYU_HASH_HEX, h, sizeof h);
}

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

void payu_request_hash(const payu_fields_t *f, const char *salt, char out[PAYU_HASH_HEX])
{
    strbuf_t b;
    sb_init(&b);
    sb_printf(&b, "%s|%s|%s|%s|%s|%s|||||||||||%s", or_empty(f->key), or_empty(f->txnid),
              or_empty(f->amount), or_empty(f->productinfo), or_empty(f->firstname),
              or_empty(f->email), or_empty(salt));
    sha512_hex(&b, out);
    sb_free(&b);
}

void payu_response_hash(const payu_fields_t *f, const char *salt, char out[PAYU_HASH_HEX])
{
    strbuf_t b;
    sb_init(&b);
    sb_printf(&b, "%s|%s|||||||||||%s|%s|%s|%s|%s|%s", or_empty(salt), or_empty(f->status),
              or_empty(f->email), or_empty(f->firstname), or_empty(f->productinfo),
              or_empty(f->amount), or_empty(f->txnid), or_empty(f->key));
    sha512_hex(&b, out);
    sb_free(&b);
}

bool payu_hash_matches(const char *expected, const char *received)
{
    char lower[PAYU_HASH_HEX];
    if (!expected || !received || strlen(received) != PAYU_HASH_HEX - 1)
        return false;
    for (size_t i = 0; i < PAYU_HASH_HEX - 1; i++)
        lower[i] = (char)tolower((unsigned char)received[i]);
    lower[PAYU_HASH_HEX - 1] = '\0';
    return sodium_memcmp(expected, lower, PAYU_HASH_HEX - 1) == 0;
}
