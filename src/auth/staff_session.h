/*
 * staff_session.h: the admin console's browser sessions (issue 12). Signing
 * in with phone and password makes a row in staff_sessions and a cookie that
 * carries a random secret (only its SHA-256 is stored). Every admin request
 * by cookie reads the row, so a logout, "log out everywhere" or an account
 * losing staff takes effect on every process at the next request. Each
 * session has a CSRF token derived from its secret (HMAC with keys.csrf), so
 * it needs no storage; every state-changing request by cookie must send it
 * in X-CSRF-Token.
 */
#ifndef LOOPIN_STAFF_SESSION_H
#define LOOPIN_STAFF_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "auth/auth_cache.h"
#include "auth/keys.h"
#include "op.h"

#define STAFF_COOKIE         "loopin_staff"
#define STAFF_COOKIE_PATH    "/api/admin"
#define STAFF_CSRF_HEADER    "X-CSRF-Token"
#define STAFF_SECRET_LEN     43 /* 32 random bytes, base64url without padding */
#define STAFF_SESSION_IDLE_S (2 * 3600)
#define STAFF_SESSION_MAX_S  (12 * 3600)
#define STAFF_SEEN_EVERY_S   60 /* idle_until moves at most this often */

typedef struct {
    int64_t id, user_id;
    int64_t created_at, expires_at, idle_until, last_seen_at; /* usec */
} staff_session_t;

/* A new session for user_id: its secret (for the cookie) into secret. */
int staff_session_create(op_t *op, int64_t user_id, char secret[STAFF_SECRET_LEN + 1],
                         staff_session_t *out);

/* The live session of secret and its account: *found false when the secret
 * is unknown, revoked, idle too long or past its end. Moves idle_until
 * forward (at most once a minute). */
int staff_session_find(op_t *op, const char *secret, staff_session_t *s, auth_account_t *a,
                       bool *found);

/* Ends one session (0 when it had already ended), or every live session of
 * user_id; *n gets how many ended. */
int staff_session_revoke(op_t *op, int64_t session_id, int64_t *n);
int staff_session_revoke_user(op_t *op, int64_t user_id, int64_t *n);

/* The CSRF token of the session with secret (43 characters and a NUL), and
 * its constant-time check (false for NULL or a wrong length). */
void staff_csrf_token(const keys_t *keys, const char *secret, char out[STAFF_SECRET_LEN + 1]);
bool staff_csrf_ok(const keys_t *keys, const char *secret, const char *token);

#endif
