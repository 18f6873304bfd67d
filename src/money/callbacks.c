/*
 * callbacks.c: storing, verifying and applying provider callbacks (see
 * callbacks.h).
 */
#include "money/callbacks.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "core/rand.h"
#include "events/event.h"
#include "money/fee.h"
#include "money/orders.h"
#include "money/payu.h"
#include "money/reservations.h"
#include "notifications/notifications.h"
#include "tickets/ticket_keys.h"
#include "tickets/tickets.h"

static const char *field(const callback_t *cb, const char *name)
{
    return json_string_value(json_object_get(cb->fields, name));
}

/* ---- 1. stored first ----------------------------------------------------------------- */

typedef struct {
    const callback_t *cb;
    int64_t id;
    bool duplicate;
} store_ctx_t;

static const char SQL_STORE[] =
    "INSERT INTO payment_webhooks (uuid, provider, dedupe_key, webhook_type, payload, signature, "
    "remote_ip, received_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, "
    "$8) ON CONFLICT (provider, dedupe_key) DO NOTHING RETURNING id";

static err_t *store_tx(op_t *op, void *arg)
{
    store_ctx_t *x = arg;
    const callback_t *cb = x->cb;
    unsigned char h[crypto_hash_sha256_BYTES];
    char key[80] = "sha256:", uuid[37], ip[46];
    crypto_hash_sha256(h, (const unsigned char *)cb->raw, cb->raw_len);
    sodium_bin2hex(key + 7, sizeof key - 7, h, sizeof h);
    rand_uuid(uuid);
    snprintf(ip, sizeof ip, "%s", cb->remote_ip ? cb->remote_ip : "");
    char *payload = json_dumps(cb->fields, JSON_COMPACT);
    const char *sig = field(cb, "hash");
    bool found = false;
    int rc = db_query_int(op->db, SQL_STORE,
                          DB_ARGS(db_text(uuid), db_text(cb->provider), db_text(key),
                                  db_text(cb->kind), db_text(payload ? payload : "{}"),
                                  db_text(sig && strlen(sig) < 256 ? sig : ""), db_text(ip),
                                  db_time(op->now_us)),
                          &x->id, &found);
    free(payload);
    x->duplicate = rc == DB_OK && !found;
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}

typedef struct {
    int64_t id, order_id;
    bool valid;
    const char *error;
} mark_ctx_t;

static const char SQL_MARK[] =
    "UPDATE payment_webhooks SET signature_valid = $2, processed = $6, processed_at = $3, "
    "processing_error = $4, payment_order_id = COALESCE($5, payment_order_id), updated_at = $3 "
    "WHERE id = $1";

static int mark(op_t *op, const mark_ctx_t *m)
{
    return db_exec(op->db, SQL_MARK,
                   DB_ARGS(db_int(m->id), db_bool(m->valid), db_time(op->now_us),
                           db_text(m->error ? m->error : ""),
                           m->order_id ? db_int(m->order_id) : db_null(), db_bool(true)),
                   NULL);
}

static err_t *mark_tx(op_t *op, void *arg)
{
    int rc = mark(op, arg);
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}

/* A refusal, recorded on the stored callback (in its own transaction, so
 * it survives the rollback of whatever was being applied). */
static err_t *reject(op_t *op, mark_ctx_t *m, err_t *why)
{
    m->error = why->code;
    err_t *e = op_tx(op, DB_TX_WRITE, mark_tx, m);
    return e ? e : why;
}

/* ---- 2. verified -------------------------------------------------------------------- */

static err_t *check_fields(op_t *op, const callback_t *cb)
{
    static const char *const need[] = {"key",   "txnid",  "amount", "productinfo", "firstname",
                                       "email", "status", "hash",   NULL};
    for (int i = 0; need[i]; i++) {
        const char *v = field(cb, need[i]);
        if (!v || (!*v && strcmp(need[i], "email") && strcmp(need[i], "firstname")))
            return op_fail(op, 400, "MISSING_FIELDS", "The callback has no %s.", need[i]);
    }
    return NULL;
}

/* LOOPIN_PAYU_ALLOWED_IPS (addresses or ranges); empty allows any sender,
 * the hash being checked always. ip is the client behind trusted proxies. */
static bool ip_allowed(const op_t *op, const char *ip)
{
    const cidr_list_t *l = &op->app->payu_allowed;
    return l->n == 0 || cidr_list_contains(l, ip);
}

static err_t *verify(op_t *op, const callback_t *cb)
{
    provider_t p;
    provider_get(op, cb->provider, &p);
    if (!strcmp(cb->provider, "payu") && !ip_allowed(op, cb->remote_ip))
        return op_fail(op, 403, "IP_NOT_ALLOWED", "Callbacks are not accepted from here.");
    payu_fields_t f = {.key = field(cb, "key"),
                       .txnid = field(cb, "txnid"),
                       .amount = field(cb, "amount"),
                       .productinfo = field(cb, "productinfo"),
                       .firstname = field(cb, "firstname"),
                       .email = field(cb, "email"),
                       .status = field(cb, "status")};
    char expected[PAYU_HASH_HEX];
    payu_response_hash(&f, p.salt, expected);
    bool key_ok = strlen(f.key) == strlen(p.key) && sodium_memcmp(f.key, p.key, strlen(p.key)) == 0;
    if (!key_ok || !payu_hash_matches(expected, field(cb, "hash")))
        return op_fail(op, 400, "INVALID_HASH", "The callback's hash does not verify.");
    return NULL;
}

/* ---- 3. applied ---------------------------------------------------------------------- */

typedef struct {
    const callback_t *cb;
    mark_ctx_t *m;
    callback_result_t *res;
    int64_t id, user_id, event_id, reservation_id, amount, base, fee;
    int seats;
    char status[24];
    event_t e;
    bool no_seats; /* success, but the seats are gone: refund */
} apply_ctx_t;

static const char SQL_LOCK_ORDER[] =
    "SELECT id, user_id, event_id, status, amount_minor, seats_count, COALESCE(reservation_id, "
    "0), base_price_per_seat_minor, platform_fee_minor FROM payment_orders WHERE order_id = $1 "
    "@FOR_UPDATE";

static err_t *lock_order(op_t *op, apply_ctx_t *x)
{
    db_rows_t *rows;
    bool found = false;
    int rc = db_query(op->db, SQL_LOCK_ORDER, DB_ARGS(db_text(field(x->cb, "txnid"))), &rows);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if ((found = db_next(rows))) {
        x->id = db_col_int(rows, 0);
        x->user_id = db_col_int(rows, 1);
        x->event_id = db_col_int(rows, 2);
        snprintf(x->status, sizeof x->status, "%s", db_col_text(rows, 3));
        x->amount = db_col_int(rows, 4);
        x->seats = (int)db_col_int(rows, 5);
        x->reservation_id = db_col_int(rows, 6);
        x->base = db_col_int(rows, 7);
        x->fee = db_col_int(rows, 8);
    }
    rc = db_rows_status(rows);
    db_rows_free(rows);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (!found)
        return op_fail(op, 404, "ORDER_NOT_FOUND", "No order %s.", field(x->cb, "txnid"));
    x->m->order_id = x->id;
    int64_t paid = 0;
    if (!money_parse(field(x->cb, "amount"), &paid) || paid != x->amount)
        return op_fail(op, 400, "AMOUNT_MISMATCH", "The callback's amount is not the order's.");
    rc = event_load(op->db, op->arena, x->event_id, &x->e, &found);
    if (rc != DB_OK || !found)
        return op_db_fail(op, rc != DB_OK ? rc : DB_ERROR);
    snprintf(x->res->event_title, sizeof x->res->event_title, "%s", x->e.title);
    return NULL;
}

static int notify(op_t *op, int64_t to, const char *type, const char *title, const char *message,
                  const apply_ctx_t *x)
{
    notice_t n = {.to = to,
                  .type = type,
                  .title = title,
                  .message = message,
                  .reference_type = "payment_order",
                  .reference_id = x->id,
                  .metadata = arena_printf(op->arena, "{\"event_id\":%lld,\"order_id\":\"%s\"}",
                                           (long long)x->event_id, x->res->order_id)};
    return notification_write(op, &n);
}

static int notify_template_for(op_t *op, int64_t to, const char *key, const apply_ctx_t *x)
{
    notify_ref_t n = {.to = to,
                      .key = key,
                      .reference_type = "payment_order",
                      .reference_id = x->id,
                      .metadata = arena_printf(op->arena, "{\"event_id\":%lld,\"order_id\":\"%s\"}",
                                               (long long)x->event_id, x->res->order_id)};
    return notify_template(op, &n, TPL_ARGS({"event_name", x->e.title}));
}

static const char SQL_CONSUME[] =
    "UPDATE capacity_reservations SET consumed = $3, consumed_at = $2, updated_at = $2 WHERE id "
    "= $1 AND consumed = $4 AND released_at IS NULL";
static const char SQL_TXN[] =
    "INSERT INTO payment_transactions (uuid, payment_order_id, transaction_type, amount_minor, "
    "currency, provider, provider_transaction_id, status, provider_response, created_at, "
    "updated_at) VALUES ($1, $2, 'payment', $3, $4, $5, $6, 'completed', $7, $8, $8) ON "
    "CONFLICT DO NOTHING";
static const char SQL_UNFINAL[] =
    "UPDATE payment_orders SET is_final = $4, updated_at = $3 WHERE user_id = $1 AND event_id = "
    "$2 AND is_final = $5";
static const char SQL_PAID[] =
    "UPDATE payment_orders SET status = 'paid', paid_at = $2, provider_payment_id = $3, "
    "transaction_id = $3, provider_response = $4, payment_method = $5, is_final = $6, updated_at "
    "= $2 WHERE id = $1";

/* The seats: the reservation's (consumed: its seats move to the attendee
 * in this transaction), or, when it is gone, free ones if any. */
static err_t *admit(op_t *op, apply_ctx_t *x)
{
    int rc = db_exec(
        op->db, SQL_CONSUME,
        DB_ARGS(db_int(x->reservation_id), db_time(op->now_us), db_bool(true), db_bool(false)),
        NULL);
    if (rc == DB_OK)
        rc = reservations_reclaim(op, x->event_id);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    admit_t a = {.user_id = x->user_id,
                 .order_id = x->id,
                 .seats = x->seats,
                 .price_minor = x->amount,
                 .fee_minor = x->fee};
    int64_t ticket = 0;
    err_t *err = attendance_admit_paid(op, &x->e, &a, &ticket);
    if (err && (!strcmp(err->code, "CAPACITY_FULL") || !strcmp(err->code, "ALREADY_CONFIRMED")))
        x->no_seats = true;
    return err;
}

static err_t *apply_success(op_t *op, apply_ctx_t *x)
{
    err_t *err = admit(op, x);
    if (err)
        return err;
    char uuid[37];
    rand_uuid(uuid);
    const char *payid = field(x->cb, "mihpayid");
    char *resp = json_dumps(x->cb->fields, JSON_COMPACT);
    int rc =
        db_exec(op->db, SQL_TXN,
                DB_ARGS(db_text(uuid), db_int(x->id), db_int(x->amount), db_text(x->e.currency),
                        db_text(x->cb->provider), payid && *payid ? db_text(payid) : db_null(),
                        db_text(resp ? resp : "{}"), db_time(op->now_us)),
                NULL);
    if (rc == DB_OK)
        rc = db_exec(op->db, SQL_UNFINAL,
                     DB_ARGS(db_int(x->user_id), db_int(x->event_id), db_time(op->now_us),
                             db_bool(false), db_bool(true)),
                     NULL);
    if (rc == DB_OK)
        rc = db_exec(
            op->db, SQL_PAID,
            DB_ARGS(db_int(x->id), db_time(op->now_us),
                    payid && *payid ? db_text(payid) : db_null(), db_text(resp ? resp : "{}"),
                    db_text(field(x->cb, "mode") ? field(x->cb, "mode") : ""), db_bool(true)),
            NULL);
    free(resp);
    if (rc == DB_OK)
        /* One message, not a receipt and a ticket a second apart: the
         * booking (type payment_success) says both. */
        rc = notify_template_for(op, x->user_id, "booking_confirmed", x);
    if (rc == DB_OK)
        rc = notify(op, x->e.host_id, "booking_success", "New booking",
                    arena_printf(op->arena, "A guest paid for %d seat%s at '%s'.", x->seats,
                                 x->seats == 1 ? "" : "s", x->e.title),
                    x);
    x->res->outcome = "paid";
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}

static const char SQL_FAILED[] =
    "UPDATE payment_orders SET status = 'failed', failure_reason = $2, updated_at = $3 WHERE id = "
    "$1 AND status IN ('created', 'pending', 'expired')";

/* A failure never undoes a paid order (API.md 15 item 8). */
static err_t *apply_failure(op_t *op, apply_ctx_t *x)
{
    int64_t n = 0;
    const char *why = field(x->cb, "error_Message") ? field(x->cb, "error_Message") : "";
    int rc = db_exec(op->db, SQL_FAILED,
                     DB_ARGS(db_int(x->id), db_text(arena_printf(op->arena, "%.200s", why)),
                             db_time(op->now_us)),
                     &n);
    if (rc == DB_OK && n)
        rc = notify_template_for(op, x->user_id, "payment_failed", x);
    x->res->outcome = n ? "failed" : "ignored";
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}

static err_t *apply_tx(op_t *op, void *arg)
{
    apply_ctx_t *x = arg;
    x->no_seats = false;
    err_t *err = lock_order(op, x);
    if (err)
        return err;
    bool success = !strcmp(field(x->cb, "status"), "success");
    bool settled = !strcmp(x->status, "paid") || !strcmp(x->status, "completed") ||
                   !strcmp(x->status, "refunded") || !strcmp(x->status, "refund_pending");
    if (settled) {
        x->res->outcome = success ? "duplicate" : "ignored";
    } else if ((err = success ? apply_success(op, x) : apply_failure(op, x))) {
        return err;
    }
    x->m->valid = true;
    x->m->error = NULL;
    int rc = mark(op, x->m);
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}

static const char SQL_REFUND_PENDING[] =
    "UPDATE payment_orders SET status = 'refund_pending', failure_reason = $2, updated_at = $3 "
    "WHERE id = $1 AND status IN ('created', 'pending', 'expired', 'failed', 'cancelled')";

/* Paid, but the seats were gone (or the buyer already attends): the money
 * goes back; never an overbooking. */
static err_t *refund_tx(op_t *op, void *arg)
{
    apply_ctx_t *x = arg;
    err_t *err = lock_order(op, x);
    if (err)
        return err;
    int rc = db_exec(
        op->db, SQL_REFUND_PENDING,
        DB_ARGS(db_int(x->id), db_text("seats no longer available"), db_time(op->now_us)), NULL);
    if (rc == DB_OK)
        rc = notify(op, x->user_id, "payment_failed", "Payment will be refunded",
                    arena_printf(op->arena,
                                 "'%s' filled up before your payment arrived; it will be "
                                 "refunded.",
                                 x->e.title),
                    x);
    x->m->valid = true;
    x->m->error = "refund_pending";
    if (rc == DB_OK)
        rc = mark(op, x->m);
    x->res->outcome = "refund_pending";
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}

err_t *payment_callback(op_t *op, const callback_t *cb, callback_result_t *res)
{
    memset(res, 0, sizeof *res);
    snprintf(res->order_id, sizeof res->order_id, "%s",
             field(cb, "txnid") ? field(cb, "txnid") : "");
    store_ctx_t s = {.cb = cb};
    err_t *e = op_tx(op, DB_TX_WRITE, store_tx, &s);
    if (e)
        return e;
    if (s.duplicate) {
        res->outcome = "duplicate";
        return NULL;
    }
    mark_ctx_t m = {.id = s.id};
    if ((e = check_fields(op, cb)))
        return reject(op, &m, e);
    if ((e = verify(op, cb)))
        return reject(op, &m, e);
    m.valid = true;
    apply_ctx_t x = {.cb = cb, .m = &m, .res = res};
    int64_t event_id = 0;
    bool found = false;
    static const char sql[] = "SELECT event_id FROM payment_orders WHERE order_id = $1";
    int rc = db_query_int(op->db, sql, DB_ARGS(db_text(field(cb, "txnid"))), &event_id, &found);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (found && (e = ticket_keys_ensure(op, event_id)))
        return e;
    e = op_tx(op, DB_TX_WRITE, apply_tx, &x);
    if (e && x.no_seats) {
        err_discard(e); /* the seats are gone: not an error of the callback's */
        e = op_tx(op, DB_TX_WRITE, refund_tx, &x);
    }
    if (e && e->status < 500)
        return reject(op, &m, e);
    return e;
}
