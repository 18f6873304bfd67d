/*
 * refunds.c: staff refunds (issue 10 point 5; docs/money.md). Full or
 * partial, with a reason, recorded as a refund transaction; the total
 * refunded never exceeds what was paid (checked here and by the
 * refund_amount_minor <= amount_minor constraint). A full refund cancels the
 * ticket (its code revoked) and releases the seats. The buyer is told; the
 * action is audited. The money itself moves at the provider (PayU's
 * dashboard): this records it.
 */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/rand.h"
#include "money/fee.h"
#include "money/orders.h"
#include "notifications/notifications.h"
#include "tickets/tickets.h"

typedef struct {
    const char *order_id, *reason;
    int64_t amount; /* 0: all that is left */
    int64_t id, user_id, event_id, paid, refunded;
    char status[24], provider[16], currency[4];
    json_t *out;
} refund_ctx_t;

static const char SQL_LOCK[] =
    "SELECT id, user_id, event_id, amount_minor, refund_amount_minor, status, payment_provider, "
    "currency FROM payment_orders WHERE order_id = $1 @FOR_UPDATE";
static const char SQL_TXN[] =
    "INSERT INTO payment_transactions (uuid, payment_order_id, transaction_type, amount_minor, "
    "currency, provider, status, reason, created_at, updated_at) VALUES ($1, $2, 'refund', $3, "
    "$4, $5, 'completed', $6, $7, $7)";
static const char SQL_ORDER[] =
    "UPDATE payment_orders SET refund_amount_minor = refund_amount_minor + $2, refund_reason = "
    "$3, refunded_at = $4, status = CASE WHEN refund_amount_minor + $2 >= amount_minor THEN "
    "'refunded' ELSE status END, updated_at = $4 WHERE id = $1";

static err_t *lock(op_t *op, refund_ctx_t *x)
{
    db_rows_t *rows;
    bool found;
    int rc = db_query(op->db, SQL_LOCK, DB_ARGS(db_text(x->order_id)), &rows);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if ((found = db_next(rows))) {
        x->id = db_col_int(rows, 0);
        x->user_id = db_col_int(rows, 1);
        x->event_id = db_col_int(rows, 2);
        x->paid = db_col_int(rows, 3);
        x->refunded = db_col_int(rows, 4);
        snprintf(x->status, sizeof x->status, "%s", db_col_text(rows, 5));
        snprintf(x->provider, sizeof x->provider, "%s", db_col_text(rows, 6));
        snprintf(x->currency, sizeof x->currency, "%s", db_col_text(rows, 7));
    }
    rc = db_rows_status(rows);
    db_rows_free(rows);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (!found)
        return op_fail(op, 404, "ORDER_NOT_FOUND", "Order %s not found", x->order_id);
    if (strcmp(x->status, "paid") && strcmp(x->status, "completed") &&
        strcmp(x->status, "refund_pending"))
        return op_fail(op, 400, "ORDER_NOT_REFUNDABLE",
                       "Only paid orders can be refunded (this one is %s).", x->status);
    int64_t left = x->paid - x->refunded;
    if (!x->amount)
        x->amount = left;
    if (x->amount > left) {
        char l[32];
        money_format(left, l);
        return op_fail(op, 400, "REFUND_TOO_LARGE", "At most %s can still be refunded.", l);
    }
    return NULL;
}

static err_t *refund_tx(op_t *op, void *arg)
{
    refund_ctx_t *x = arg;
    err_t *err = lock(op, x);
    if (err)
        return err;
    char uuid[37], amount[32];
    rand_uuid(uuid);
    money_format(x->amount, amount);
    bool full = x->refunded + x->amount >= x->paid;
    int rc = db_exec(op->db, SQL_TXN,
                     DB_ARGS(db_text(uuid), db_int(x->id), db_int(x->amount), db_text(x->currency),
                             db_text(x->provider), db_text(x->reason), db_time(op->now_us)),
                     NULL);
    if (rc == DB_OK)
        rc = db_exec(
            op->db, SQL_ORDER,
            DB_ARGS(db_int(x->id), db_int(x->amount), db_text(x->reason), db_time(op->now_us)),
            NULL);
    if (rc == DB_OK && full && strcmp(x->status, "refund_pending"))
        rc = attendance_cancel_refunded(op, x->event_id, x->user_id);
    notice_t n = {.to = x->user_id,
                  .type = "payment_success",
                  .title = "Refund issued",
                  .message = arena_printf(op->arena, "%s %s is on its way back to you%s.", amount,
                                          x->currency, full ? "; your ticket is cancelled" : ""),
                  .reference_type = "payment_order",
                  .reference_id = x->id,
                  .metadata = arena_printf(op->arena, "{\"order_id\":\"%s\",\"amount\":\"%s\"}",
                                           x->order_id, amount)};
    if (rc == DB_OK)
        rc = notification_write(op, &n);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    audit_entry_t a = {.actor_id = op->actor.id,
                       .action = "payment.refund",
                       .object_type = "payment_order",
                       .object_id = x->id,
                       .payload = json_pack("{s:s, s:s, s:b}", "amount", amount, "reason",
                                            x->reason, "full", full),
                       .severity = AUDIT_HIGH,
                       .success = true};
    rc = audit_write(op->db, op, &a);
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}

err_t *order_refund(op_t *op, const char *order_id, int64_t amount, const char *reason,
                    json_t **out)
{
    refund_ctx_t x = {.order_id = order_id, .amount = amount, .reason = reason};
    err_t *e = op_tx(op, DB_TX_WRITE, refund_tx, &x);
    if (e)
        return e;
    char a[32], total[32];
    money_format(x.amount, a);
    money_format(x.refunded + x.amount, total);
    *out = json_pack("{s:b, s:s, s:s, s:s, s:s}", "success", 1, "order_id", order_id,
                     "refunded_now", a, "refunded_total", total, "status",
                     x.refunded + x.amount >= x.paid ? "refunded" : x.status);
    return NULL;
}
