/*
 * keys.c: derives the purpose-specific keys (token signing, OTP hashes, data
 * at rest) from LOOPIN_SECRET_KEY. Each is HMAC-SHA256 keyed by the secret's
 * bytes over "loopin:<label>", so knowing one key reveals nothing about the
 * others or the secret.
 */
#include "auth/keys.h"

#include <sodium.h>
#include <string.h>

_Static_assert(KEY_BYTES == crypto_auth_hmacsha256_BYTES, "a key is one HMAC-SHA256 output");

static void derive_one(const char *secret, const char *label, unsigned char out[KEY_BYTES])
{
    crypto_auth_hmacsha256_state st;
    /* _init takes a key of any length (longer than a block is hashed first) */
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)label, strlen(label));
    crypto_auth_hmacsha256_final(&st, out);
    sodium_memzero(&st, sizeof st);
}

/* secret must be a NUL-terminated string; config refuses short ones in
 * production. A NULL secret derives from "" rather than crashing. */
void keys_derive(const char *secret, keys_t *out)
{
    if (!secret)
        secret = "";
    derive_one(secret, "loopin:jwt", out->jwt);
    derive_one(secret, "loopin:otp", out->otp);
    derive_one(secret, "loopin:data", out->data);
    derive_one(secret, "loopin:tickets", out->tickets);
    derive_one(secret, "loopin:csrf", out->csrf);
}
