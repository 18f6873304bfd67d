/*
 * invites.h: invitations (issue 9 part 2; API.md section 8 with the app's
 * shapes, docs/invitations.md). The host invites people directly, or makes a
 * share link anyone holding it can accept up to max_uses times. An
 * invitation past its expiry is marked expired for good. Answering "going"
 * checks that a seat is still free; the seat itself is taken by
 * confirm-attendance (src/tickets), which also accepts a pending invitation.
 *   invites.c       direct invitations: create, the host's list, mine, respond
 *   invite_links.c  share links: create, list, revoke, accept
 *   invites_api.c   routes, and the user search the app invites from
 */
#ifndef LOOPIN_INVITES_H
#define LOOPIN_INVITES_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "events/event.h"
#include "op.h"

#define INVITE_IDS_MAX     50
#define INVITE_MESSAGE_MAX 500
#define INVITE_LINK_USES   1000

typedef struct {
    const int64_t *user_ids;
    int n;
    const char *message;       /* or NULL */
    int64_t expires_at;        /* usec; 0 = none */
    const char *expiry_policy; /* the label the app sent, or "" */
} invite_spec_t;

/* Turns an expiry_policy label into an expiry (0 = none); -1 for unknown. */
int64_t invite_policy_expiry(const char *policy, int64_t now_us);

err_t *invites_create(op_t *op, int64_t event_id, const invite_spec_t *spec, json_t **out);
err_t *invites_of_event(op_t *op, int64_t event_id, const char *status, json_t **out);
err_t *invites_mine(op_t *op, const char *status, json_t **out);
err_t *invite_respond(op_t *op, int64_t invite_id, bool going, json_t **out);

typedef struct {
    int max_uses;
    int64_t expires_at;
    const char *expiry_policy, *message;
} link_spec_t;

err_t *invite_link_create(op_t *op, int64_t event_id, const link_spec_t *spec, json_t **out);
err_t *invite_links_of_event(op_t *op, int64_t event_id, json_t **out);
err_t *invite_link_revoke(op_t *op, int64_t event_id, int64_t link_id, json_t **out);
err_t *invite_link_accept(op_t *op, const char *token, json_t **out);

/* People the host may invite: {total, offset, limit, data}. */
err_t *invite_user_search(op_t *op, int64_t event_id, const char *search, int64_t offset,
                          int64_t limit, json_t **out);

/* Shared by both kinds: the event can take guests now (published, not
 * over) and admits the gender of user_id's profile. */
err_t *invite_check_event(op_t *op, const event_t *e);
err_t *invite_check_guest(op_t *op, const event_t *e, int64_t user_id);
/* {invite_id, status, event_id, event_title, is_paid, requires_payment,
 * requires_confirmation} for an answer. */
json_t *invite_answer_json(int64_t invite_id, const char *status, const event_t *e);
/* On a paid event, holds the guest's seat in a reservation (CAPACITY_FULL
 * when none is free) and adds its key and expiry to answer. */
err_t *invite_reserve(op_t *op, const event_t *e, int64_t user_id, json_t *answer);
/* The in-app row to the host when a guest answers. */
int invite_notify_host(op_t *op, const event_t *e, int64_t invite_id, bool going);

extern const struct module invites_module;

#endif
