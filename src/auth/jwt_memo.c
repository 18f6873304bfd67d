/*
 * jwt_memo.c: the per-thread memo of verified tokens (jwt_memo.h). A small
 * direct-mapped table per thread (no lock), slots chosen by SipHash under a
 * random per-process key so nobody can aim tokens at a slot; the stored
 * token is compared in full and in constant time, so a near-miss tells a
 * forger nothing about a real token. Tokens longer than MEMO_TOKEN_MAX (far
 * above what /api/auth issues) are verified every time.
 */
#include "auth/jwt_memo.h"

#include <pthread.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define MEMO_SLOTS     64
#define MEMO_TOKEN_MAX 512

typedef struct {
    size_t len;                                   /* 0: empty */
    unsigned char key_id[crypto_shorthash_BYTES]; /* the signing key's keyed hash, not the key */
    jwt_claims_t claims;
    char token[MEMO_TOKEN_MAX];
} slot_t;

static unsigned char hash_key[crypto_shorthash_KEYBYTES];
static pthread_once_t hash_once = PTHREAD_ONCE_INIT;
static pthread_key_t table_key;
static __thread slot_t *table;

static void memo_init(void)
{
    randombytes_buf(hash_key, sizeof hash_key);
    pthread_key_create(&table_key, free); /* a thread's table goes with it */
}

static slot_t *slot_for(const char *token, size_t len)
{
    if (!table) {
        table = calloc(MEMO_SLOTS, sizeof *table);
        if (!table)
            return NULL;
        pthread_setspecific(table_key, table);
    }
    unsigned char h[crypto_shorthash_BYTES];
    crypto_shorthash(h, (const unsigned char *)token, len, hash_key);
    return &table[h[0] % MEMO_SLOTS];
}

static bool matches(const slot_t *s, const unsigned char *key_id, const char *token, size_t len)
{
    return s->len == len && sodium_memcmp(s->token, token, len) == 0 &&
           sodium_memcmp(s->key_id, key_id, sizeof s->key_id) == 0;
}

jwt_status_t jwt_verify_memo(const unsigned char key[JWT_KEY_BYTES], const char *token, int64_t now,
                             jwt_claims_t *out)
{
    size_t len = token ? strnlen(token, MEMO_TOKEN_MAX) : MEMO_TOKEN_MAX;
    if (len == 0 || len >= MEMO_TOKEN_MAX)
        return jwt_verify(key, token, now, out);
    pthread_once(&hash_once, memo_init);
    slot_t *s = slot_for(token, len);
    unsigned char key_id[crypto_shorthash_BYTES];
    crypto_shorthash(key_id, key, JWT_KEY_BYTES, hash_key);
    if (s && matches(s, key_id, token, len)) {
        if (out)
            *out = s->claims;
        return s->claims.exp <= now ? JWT_EXPIRED : JWT_OK;
    }
    jwt_claims_t c;
    jwt_status_t st = jwt_verify(key, token, now, &c);
    if (st == JWT_OK && s) {
        s->len = len;
        memcpy(s->key_id, key_id, sizeof key_id);
        memcpy(s->token, token, len);
        s->claims = c;
    }
    if (out)
        *out = c;
    return st;
}
