/*
 * payouts.h: hosts' payout requests (issue 10 point 7; API.md 10 and 14.9;
 * docs/money.md "Payouts"). A request is a snapshot of an event's paid sales
 * taken in the transaction that inserts it (host name, event, fares, tickets,
 * attendees, fee rate and amounts) and immutable afterwards (a trigger), so
 * every later read, platform_fee_percentage included, comes from the row
 * (API.md 15 item 19). At most one active (pending, approved, processing)
 * request per event: a partial unique index. Staff move it pending ->
 * approved -> processing -> completed, or pending|approved -> rejected |
 * cancelled, each move one conditional UPDATE, audited, the host told. The
 * earnings summary gives per event what was sold, earned, paid out and is
 * pending. Money is int64 minor units inside and decimal strings outside.
 */
#ifndef LOOPIN_PAYOUTS_H
#define LOOPIN_PAYOUTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "op.h"

#define PAYOUT_REFERENCE_MAX 100
#define PAYOUT_REASON_MAX    500
#define PAYOUT_NOTES_MAX     1000

/* What a paid order contributes once its refunds are taken off: a refund
 * takes the same share of the host's earning as of the amount paid (rounded
 * half up), the fee being the rest, so earning + fee = amount - refunded. */
typedef struct {
    int64_t earning, fee, gross;
} payout_share_t;
payout_share_t payout_order_share(int64_t earning, int64_t fee, int64_t amount, int64_t refunded);

/* POST /api/payouts/requests: 201's {success, message, data}. */
err_t *payout_create(op_t *op, int64_t event_id, int64_t bank_account_id, json_t **out);

/* The caller's requests as host, newest first (status NULL: all):
 * {success, data, pagination {offset, limit, total}, message}. */
err_t *payouts_mine(op_t *op, const char *status, int64_t offset, int64_t limit, json_t **out);

/* One of the caller's requests: 404 PAYOUT_NOT_FOUND, 403 PAYOUT_FORBIDDEN. */
err_t *payout_get_mine(op_t *op, int64_t id, json_t **out);

/* Staff: every request, filtered (NULL / 0: any), newest first. */
typedef struct {
    const char *status;
    int64_t event_id, host_id, offset, limit;
} payout_filter_t;
err_t *payouts_admin_list(op_t *op, const payout_filter_t *f, json_t **out);
err_t *payout_admin_get(op_t *op, int64_t id, json_t **out);

typedef enum {
    PAYOUT_APPROVE = 0,
    PAYOUT_PROCESS,
    PAYOUT_COMPLETE,
    PAYOUT_REJECT,
    PAYOUT_CANCEL,
} payout_action_t;

typedef struct {
    payout_action_t action;
    int64_t id;
    const char *transaction_reference; /* complete: required */
    const char *reason;                /* reject: required */
    const char *notes;                 /* any move: replaces the notes when given */
} payout_move_t;

/* Staff moves a request one step: 404 PAYOUT_NOT_FOUND, 409
 * INVALID_TRANSITION (details {status}). {success, message, data}. */
err_t *payout_move(op_t *op, const payout_move_t *m, json_t **out);

/* GET /api/payouts/earnings: per hosted event with paid sales, and totals. */
err_t *payout_earnings(op_t *op, json_t **out);

/* The payout routes (payouts_api.c). */
extern const struct module payouts_module;

#endif
