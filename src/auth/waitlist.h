/*
 * waitlist.h: the account waitlist (API.md 14.2). A new account becomes
 * inactive when its profile is first completed, with a promotion time a
 * random 210-240 minutes (configurable) later; it is promoted on its first
 * authenticated request after that time, atomically and exactly once.
 */
#ifndef LOOPIN_WAITLIST_H
#define LOOPIN_WAITLIST_H

#include <stdbool.h>
#include <stdint.h>

#include "op.h"

/* Promotes user_id if it is inactive and its promotion time has passed.
 * *promoted is true only for the one caller that flipped the flags (that
 * caller also wrote the welcome notification and the audit row). */
int waitlist_promote_if_due(op_t *op, int64_t user_id, bool *promoted);
/* The same, whenever its time: staff promoting a waitlisted account early
 * (staff_id is audited as the actor). *promoted false when the account is
 * not on the waitlist (or someone else promoted it first). */
int waitlist_promote(op_t *op, int64_t user_id, int64_t staff_id, bool *promoted);

#endif
