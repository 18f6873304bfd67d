/*
 * account.h: phone accounts, the domain behind sign-up, login and logout
 * (API.md section 3, docs/accounts.md): sending a one-time code, verifying
 * it (creating the account on first sign-up), issuing the token, revoking
 * it. Refusals are err_t values in the AuthResponse's words (status 200 for
 * business refusals, 429 with retry_after for limits), so the routes declare
 * ENVELOPE_AUTH and pass them through.
 */
#ifndef LOOPIN_ACCOUNT_H
#define LOOPIN_ACCOUNT_H

#include <stdbool.h>
#include <stdint.h>

#include "op.h"

typedef struct {
    int64_t id;
    bool exists, complete, is_verified;
    bool is_active;              /* false while on the account waitlist */
    int64_t waitlist_promote_at; /* when it leaves the waitlist (0: not waitlisted) */
    char name[128];
} account_t;

/* The account of a normalised phone (a->exists false when there is none). */
err_t *account_find(op_t *op, const char *phone, account_t *a);

/* Issues a code for phone (limits, cooldown, lockout) and sends it by SMS;
 * actor_id is the account's id or 0. */
err_t *account_send_code(op_t *op, const char *phone, int64_t actor_id);

/* Verifies code for phone and settles the account: created with a profile
 * shell when new and may_create, else marked verified and logged in. An
 * unknown phone without may_create is refused before a code is spent. */
err_t *account_verify(op_t *op, const char *phone, const char *code, bool may_create,
                      account_t *out);

/* A waitlisted account whose promotion time has passed is promoted now
 * (exactly once, as the guard would on its next request), so the answer
 * that logs it in already says it is active. */
err_t *account_settle_waitlist(op_t *op, account_t *a);

/* A signed token for the account (malloc'd; the caller frees it). */
char *account_issue_token(op_t *op, int64_t user_id, const char *phone);

/* Revokes the caller's token until it would have expired anyway. */
err_t *account_logout(op_t *op);

#endif
