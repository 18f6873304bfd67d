/*
 * jwt_memo.h: a per-thread memo of tokens that verified, so a client that
 * sends the same bearer token on every request (all of them) costs one
 * keyed hash and one constant-time comparison instead of three base64
 * decodes, an HMAC and two JSON parses. Exactly jwt_verify: the claims are a
 * function of the token's bytes under the process's one key, a hit needs the
 * whole token to match, and expiry is checked at every use. Revocation and
 * the account are the guard's business (auth_cache), as before.
 */
#ifndef LOOPIN_JWT_MEMO_H
#define LOOPIN_JWT_MEMO_H

#include "auth/jwt.h"

/* jwt_verify, answered from this thread's memo when token verified before
 * under the same key. */
jwt_status_t jwt_verify_memo(const unsigned char key[JWT_KEY_BYTES], const char *token, int64_t now,
                             jwt_claims_t *out);

#endif
