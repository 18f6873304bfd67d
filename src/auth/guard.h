/*
 * guard.h: the one token verifier every protected route calls. It reads
 * "Authorization: Bearer <jwt>", checks the signature (HS256 only), expiry
 * and revocation, loads the account, promotes it from the account waitlist
 * when its time has come (atomically, once), and applies the route's
 * requirements. On refusal it writes the documented response itself:
 *   no header / empty credentials   403 {"detail":"Not authenticated"}            NOT_AUTHENTICATED
 *   scheme other than Bearer        403 "Invalid authentication credentials" INVALID_AUTH_SCHEME
 *   bad token (any reason)          401 "Invalid token"                           INVALID_TOKEN
 *   expired token                   401 "Token has expired"                       TOKEN_EXPIRED
 *   revoked token (logged out)      401 "Token has been revoked"                  TOKEN_REVOKED
 *   account gone                    401 "User not found"                          USER_NOT_FOUND
 *   waitlisted, route not allowed   403 waitlist message (hours from config) ACCOUNT_WAITLISTED
 *   GUARD_STAFF / GUARD_SUPERUSER   403 "This endpoint requires admin privileges" ADMIN_REQUIRED
 * 401s carry "WWW-Authenticate: Bearer".
 */
#ifndef LOOPIN_GUARD_H
#define LOOPIN_GUARD_H

#include <stdbool.h>
#include <stdint.h>

#include "http/http.h"

typedef struct {
    int64_t id; /* users.id == user_profiles.user_id */
    char uuid[37];
    char phone[32];
    bool is_active; /* false while on the account waitlist */
    bool is_staff, is_superuser;
    char jti[64];
    int64_t token_exp; /* seconds */
} auth_user_t;

enum {
    GUARD_ACTIVE = 0,           /* default: waitlisted accounts are refused (403) */
    GUARD_ALLOW_WAITLISTED = 1, /* own profile, logout */
    GUARD_OPTIONAL = 2,         /* no or bad token, or waitlisted: anonymous (returns 0, id 0) */
    GUARD_STAFF = 4,            /* is_staff or is_superuser */
    GUARD_SUPERUSER = 8,        /* is_staff and is_superuser (host leads) */
    GUARD_NO_PROMOTION = 16,    /* do not attempt waitlist promotion */
};

/* 0 when the request may proceed (*user filled; id 0 for an anonymous
 * GUARD_OPTIONAL caller); -1 when the response has been written. Borrows the
 * request's database connection. */
int guard_require(http_req_t *req, int flags, auth_user_t *user);

/* The waitlist 403 message for the configured window, e.g.
 * "Your account is on the waitlist. You can only access your profile. Please
 * wait 3.50-4.00 hours for activation." (arena string). */
const char *guard_waitlist_message(http_req_t *req);

#endif
