/*
 * guard.h: the one token verifier, run by the server for every route that
 * declares an auth level (http/route.h); handlers never call it. It reads
 * "Authorization: Bearer <jwt>", checks the signature (HS256 only), expiry
 * and revocation, loads the account, promotes it from the account waitlist
 * when its time has come (atomically, once), and applies the route's level.
 * Account and revocation come from the per-process cache when it can answer
 * exactly (auth_cache.h), else from one database statement.
 * Refusals (always the {"detail", "error_code"} envelope):
 *   no header / empty credentials   403 {"detail":"Not authenticated"}            NOT_AUTHENTICATED
 *   scheme other than Bearer        403 "Invalid authentication credentials" INVALID_AUTH_SCHEME
 *   bad token (any reason)          401 "Invalid token"                           INVALID_TOKEN
 *   expired token                   401 "Token has expired"                       TOKEN_EXPIRED
 *   revoked token (logged out)      401 "Token has been revoked"                  TOKEN_REVOKED
 *   account gone                    401 "User not found"                          USER_NOT_FOUND
 *   waitlisted, route not allowed   403 waitlist message (hours from config) ACCOUNT_WAITLISTED
 *   AUTH_STAFF / AUTH_SUPERUSER     403 "This endpoint requires admin privileges" ADMIN_REQUIRED
 * 401s carry "WWW-Authenticate: Bearer" (added by the renderer).
 */
#ifndef LOOPIN_GUARD_H
#define LOOPIN_GUARD_H

#include <stdbool.h>
#include <stdint.h>

#include "http/http.h"
#include "http/route.h"

/* NULL when the request may proceed (op->actor filled; id 0 for an
 * anonymous caller), else the refusal. Uses op->db. */
err_t *guard_check(http_req_t *req, auth_level_t level, unsigned flags, op_t *op);

/* The waitlist 403 message for the configured window, e.g.
 * "Your account is on the waitlist. You can only access your profile. Please
 * wait 3.50-4.00 hours for activation." (arena string). */
const char *guard_waitlist_message(op_t *op);

#endif
