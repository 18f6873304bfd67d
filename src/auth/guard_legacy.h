/* guard_legacy.h: TRANSITIONAL guard for undeclared handlers (guard_legacy.c). */
#ifndef LOOPIN_GUARD_LEGACY_H
#define LOOPIN_GUARD_LEGACY_H

#include "auth/guard.h"

enum {
    GUARD_ACTIVE = 0,
    GUARD_ALLOW_WAITLISTED = 1,
    GUARD_OPTIONAL = 2,
    GUARD_STAFF = 4,
    GUARD_SUPERUSER = 8,
    GUARD_NO_PROMOTION = 16,
};

int guard_require(http_req_t *req, int flags, actor_t *user);

#endif
