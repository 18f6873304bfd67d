/*
 * rand.c: thin wrappers over libsodium's CSPRNG so every random value in the
 * server (ids, codes, tokens, jitter) comes from one audited source.
 */
#include "core/rand.h"

#include <sodium.h>
#include <stdio.h>

int rand_init(void)
{
    return sodium_init() < 0 ? -1 : 0;
}

void rand_bytes(void *buf, size_t len)
{
    randombytes_buf(buf, len);
}

uint32_t rand_uniform(uint32_t upper)
{
    return upper ? randombytes_uniform(upper) : 0;
}

void rand_hex(char *out, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char b;
    for (size_t i = 0; i < len; i++) {
        randombytes_buf(&b, 1);
        out[2 * i] = hex[b >> 4];
        out[2 * i + 1] = hex[b & 15];
    }
    out[2 * len] = '\0';
}

void rand_uuid(char out[37])
{
    unsigned char b[16];
    randombytes_buf(b, sizeof b);
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
}

void rand_base62(char *out, size_t len)
{
    static const char alphabet[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    for (size_t i = 0; i < len; i++)
        out[i] = alphabet[randombytes_uniform(62)];
    out[len] = '\0';
}
