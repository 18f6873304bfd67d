/*
 * jwt.h: JSON Web Tokens, HS256 only, built and checked with libsodium's
 * HMAC-SHA256 and URL-safe base64 without padding. The algorithm is pinned:
 * a token whose header names any other "alg" (including "none") is invalid,
 * whatever its signature.
 */
#ifndef LOOPIN_JWT_H
#define LOOPIN_JWT_H

#include <stddef.h>
#include <stdint.h>

#define JWT_KEY_BYTES 32
#define JWT_MAX_LEN   2048 /* longer Authorization values are rejected unread */

typedef struct {
    int64_t user_id;
    char phone_number[32]; /* E.164; "" when absent */
    int64_t iat, exp;      /* seconds since the epoch */
    char jti[64];          /* unique token id, for revocation */
} jwt_claims_t;

typedef enum {
    JWT_OK = 0,
    JWT_INVALID, /* malformed, bad signature, wrong alg, missing or mistyped claims */
    JWT_EXPIRED, /* valid signature, exp <= now */
} jwt_status_t;

/* Builds a signed token for claims (jti must be set). Returns a malloc'd
 * string, or NULL on allocation failure or for claims that could never
 * verify (user_id <= 0, empty jti, strings that are not UTF-8). */
char *jwt_sign(const unsigned char key[JWT_KEY_BYTES], const jwt_claims_t *claims);

/* Verifies token against key at time now (seconds). Fills *out on JWT_OK and
 * on JWT_EXPIRED. Required claims: user_id (positive integer), iat, exp
 * (integers), jti (1-63 chars); phone_number optional (string). Signature is
 * compared in constant time before the payload is trusted. On JWT_INVALID
 * *out is zeroed; out may be NULL. Note: libsodium 1.0.18 decodes bytes
 * >= 0x80 as '_' in URL-safe base64, so the alphabet is checked first. */
jwt_status_t jwt_verify(const unsigned char key[JWT_KEY_BYTES], const char *token, int64_t now,
                        jwt_claims_t *out);

#endif
