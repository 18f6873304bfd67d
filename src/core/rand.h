/*
 * rand.h: all randomness comes from here: a per-thread ChaCha20 generator
 * with fast key erasure, keyed from libsodium's randombytes (the OS), see
 * rand.c. Call rand_init() once in main before any thread starts.
 */
#ifndef LOOPIN_RAND_H
#define LOOPIN_RAND_H

#include <stddef.h>
#include <stdint.h>

int rand_init(void);
void rand_bytes(void *buf, size_t len);
/* Uniform in [0, upper) without modulo bias. */
uint32_t rand_uniform(uint32_t upper);
/* Lower-case hex of len random bytes into out (2*len+1 bytes). */
void rand_hex(char *out, size_t len);
/* RFC 4122 version 4 UUID, lower case, into out (37 bytes). */
void rand_uuid(char out[37]);
/* base62 string of len characters into out (len+1 bytes). */
void rand_base62(char *out, size_t len);

#endif
