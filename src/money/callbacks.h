/*
 * callbacks.h: provider callbacks applied exactly once (issue 10 point 4;
 * docs/money.md). Every callback is first stored in payment_webhooks in a
 * transaction of its own (forged and malformed ones too), then verified
 * (PayU's reverse hash, constant time; the optional IP allow-list), then
 * applied by conditional state changes in one transaction: a paid order is
 * never failed or paid twice, one ticket per order, never an overbooking.
 * The outcome is written back to the stored callback.
 */
#ifndef LOOPIN_CALLBACKS_H
#define LOOPIN_CALLBACKS_H

#include <jansson.h>

#include "op.h"

typedef struct {
    const char *provider; /* "payu" | "test" */
    const char *kind;     /* "success" | "failure" | "webhook" */
    json_t *fields;       /* the form, as an object of strings (borrowed) */
    const char *raw;      /* the raw body, for the duplicate key */
    size_t raw_len;
    const char *remote_ip;
} callback_t;

typedef struct {
    const char *outcome; /* paid | duplicate | failed | ignored | refund_pending */
    char order_id[64];
    char event_title[256];
} callback_result_t;

/* NULL with the outcome, or the refusal (400 MISSING_FIELDS / INVALID_HASH,
 * 403 IP_NOT_ALLOWED, 404 ORDER_NOT_FOUND, 400 AMOUNT_MISMATCH), which is
 * also recorded on the stored callback. */
err_t *payment_callback(op_t *op, const callback_t *cb, callback_result_t *res);

#endif
