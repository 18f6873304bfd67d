/*
 * rand.c: every random value in the server (ids, codes, tokens, seeds,
 * jitter) comes from here.
 *
 * libsodium's randombytes_buf is a getrandom() system call per call, and a
 * request wants several small values (its id, uuids, a ticket seed): on the
 * hot read that was an eighth of the server's CPU. So each thread keeps a
 * ChaCha20 generator keyed from the operating system (randombytes_buf) and
 * hands out bytes from a buffer of its keystream, with fast key erasure
 * (Bernstein's construction, as in OpenBSD's arc4random): every refill
 * first replaces the key with keystream, so the state in memory cannot give
 * back bytes already handed out, and handed-out bytes are wiped from the
 * buffer. The key is drawn again from the OS every RESEED refills and in a
 * forked child (pthread_atfork), whose stream must not repeat its parent's.
 */
#include "core/rand.h"

#include <pthread.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define KEY_BYTES crypto_stream_chacha20_KEYBYTES
#define BUF_BYTES 512  /* handed out per refill */
#define RESEED    1024 /* refills between keys from the OS (512 KiB) */

typedef struct {
    unsigned char key[KEY_BYTES];
    unsigned char buf[BUF_BYTES];
    size_t left; /* unused bytes at the end of buf */
    unsigned refills;
    unsigned long fork_gen; /* fork_gen when keyed; another value: rekey */
    bool keyed;
} stream_t;

static __thread stream_t st;
static volatile unsigned long fork_gen;

static void after_fork_in_child(void)
{
    fork_gen++;
}

int rand_init(void)
{
    if (sodium_init() < 0)
        return -1;
    return pthread_atfork(NULL, NULL, after_fork_in_child) == 0 ? 0 : -1;
}

static void refill(void)
{
    static const unsigned char nonce[crypto_stream_chacha20_NONCEBYTES]; /* fresh key each time */
    unsigned char block[KEY_BYTES + BUF_BYTES];
    if (!st.keyed || st.fork_gen != fork_gen || st.refills >= RESEED) {
        randombytes_buf(st.key, sizeof st.key);
        st.keyed = true;
        st.fork_gen = fork_gen;
        st.refills = 0;
    }
    crypto_stream_chacha20(block, sizeof block, nonce, st.key);
    memcpy(st.key, block, KEY_BYTES); /* the old key is gone */
    memcpy(st.buf, block + KEY_BYTES, BUF_BYTES);
    sodium_memzero(block, sizeof block);
    st.left = BUF_BYTES;
    st.refills++;
}

void rand_bytes(void *buf, size_t len)
{
    unsigned char *out = buf;
    if (len > BUF_BYTES) { /* large requests (none on hot paths) go to the OS */
        randombytes_buf(buf, len);
        return;
    }
    while (len > 0) {
        if (st.left == 0 || st.fork_gen != fork_gen)
            refill();
        size_t n = len < st.left ? len : st.left;
        unsigned char *from = st.buf + BUF_BYTES - st.left;
        memcpy(out, from, n);
        sodium_memzero(from, n);
        st.left -= n;
        out += n;
        len -= n;
    }
}

uint32_t rand_uniform(uint32_t upper)
{
    if (upper < 2)
        return 0;
    /* 2^32 mod upper: values below it would make the low results likelier */
    uint32_t min = (uint32_t)(-upper) % upper, r;
    do
        rand_bytes(&r, sizeof r);
    while (r < min);
    return r % upper;
}

void rand_hex(char *out, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char b[64];
    for (size_t done = 0; done < len;) {
        size_t n = len - done < sizeof b ? len - done : sizeof b;
        rand_bytes(b, n);
        for (size_t i = 0; i < n; i++) {
            out[2 * (done + i)] = hex[b[i] >> 4];
            out[2 * (done + i) + 1] = hex[b[i] & 15];
        }
        done += n;
    }
    out[2 * len] = '\0';
    sodium_memzero(b, sizeof b);
}

void rand_uuid(char out[37])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char b[16];
    rand_bytes(b, sizeof b);
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    char *p = out;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *p++ = '-';
        *p++ = hex[b[i] >> 4];
        *p++ = hex[b[i] & 15];
    }
    *p = '\0';
}

void rand_base62(char *out, size_t len)
{
    static const char alphabet[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    for (size_t i = 0; i < len; i++)
        out[i] = alphabet[rand_uniform(62)];
    out[len] = '\0';
}
