/*
 * orders.h: payment orders (API.md 9, 14.7; docs/money.md). An order is one
 * checkout for the seats of a live reservation, priced once (base, fee rate
 * and fee frozen in the row), open for LOOPIN_ORDER_MINUTES. Callbacks
 * (callbacks.c) move it to paid, failed or refund_pending exactly once.
 */
#ifndef LOOPIN_ORDERS_H
#define LOOPIN_ORDERS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "op.h"

typedef struct {
    int64_t event_id;
    int64_t amount_minor;
    const char *reservation_key; /* or NULL: the caller's live reservation */
} order_spec_t;

/* 201's {success, message, data: {order, payu_redirect}}. */
err_t *order_create(op_t *op, const order_spec_t *spec, json_t **out);
/* The caller's order by its order_id: {success, data: order}. */
err_t *order_get(op_t *op, const char *order_id, json_t **out);
/* The caller's orders, newest first: {total, offset, limit, data}. */
err_t *orders_mine(op_t *op, int64_t offset, int64_t limit, json_t **out);
/* Staff refund of amount (0: the rest) with a reason: {success, order_id,
 * refunded_now, refunded_total, status}. */
err_t *order_refund(op_t *op, const char *order_id, int64_t amount, const char *reason,
                    json_t **out);
/* Marks open orders past their expiry expired (the periodic job). */
int orders_expire_all(op_t *op, int64_t *expired);

/* The provider's credentials: PayU's, or the test provider's (a key and a
 * salt derived from LOOPIN_SECRET_KEY, its checkout served by Loopin). */
typedef struct {
    const char *name; /* "payu" | "test" */
    const char *key;
    char salt[129]; /* PayU's (up to 127 characters) or the test provider's (64 hex) */
    const char *checkout_url;
} provider_t;
void provider_get(op_t *op, const char *name, provider_t *out);

#endif
