/*
 * orders.c: creating and reading payment orders (see orders.h). The amount
 * is checked against the frozen price: base plus fee per seat times the
 * reservation's seats; the app sends the base fare alone, which is accepted
 * too (APP.md), the total being the server's to compute.
 */
#include "money/orders.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "core/rand.h"
#include "core/text.h"
#include "events/event.h"
#include "money/fee.h"
#include "money/payu.h"
#include "money/reservations.h"
#include "notifications/notifications.h"

void provider_get(op_t *op, const char *name, provider_t *out)
{
    const config_t *cfg = &op->app->cfg;
    memset(out, 0, sizeof *out);
    if (!strcmp(name, "payu")) {
        out->name = "payu";
        out->key = cfg->payu_key;
        snprintf(out->salt, sizeof out->salt, "%s", cfg->payu_salt);
        out->checkout_url = cfg->payu_url;
        return;
    }
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, op->app->keys.data, sizeof op->app->keys.data);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)"loopin:test-payments", 20);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2hex(out->salt, sizeof out->salt, mac, sizeof mac);
    out->name = "test";
    out->key = "loopin-test";
    out->checkout_url = arena_printf(op->arena, "%s/api/payments/test/checkout", cfg->public_url);
}

/* ---- the order object -------------------------------------------------------------- */

#define SQL_ORDER                                                                                  \
    "SELECT o.id, o.order_id, o.event_id, o.amount_minor, o.currency, o.status, o.expires_at, "    \
    "o.seats_count, o.base_price_per_seat_minor, o.platform_fee_bps, o.platform_fee_minor, "       \
    "o.created_at, o.paid_at, o.order_reference, c.reservation_key, o.payment_provider, "          \
    "o.refund_amount_minor, e.title FROM payment_orders o JOIN events e ON e.id = o.event_id "     \
    "LEFT JOIN capacity_reservations c ON c.id = o.reservation_id "

static json_t *money_json(int64_t minor)
{
    char s[32];
    money_format(minor, s);
    return json_string(s);
}

/* An open order past its expiry reads as expired even before the job ran. */
static const char *shown_status(op_t *op, db_rows_t *r)
{
    const char *s = db_col_text(r, 5);
    bool open = !strcmp(s, "created") || !strcmp(s, "pending");
    return open && db_col_time(r, 6) <= op->now_us ? "expired" : s;
}

static json_t *order_row(op_t *op, db_rows_t *r)
{
    char pct[16];
    fee_bps_format((int)db_col_int(r, 9), pct);
    return json_pack(
        "{s:I, s:s, s:s, s:I, s:s, s:o, s:s, s:s, s:o, s:i, s:o, s:s, s:o, s:o, s:o, s:o, s:s, "
        "s:o}",
        "id", (json_int_t)db_col_int(r, 0), "order_id", db_col_text(r, 1), "order_reference",
        db_col_text(r, 13), "event_id", (json_int_t)db_col_int(r, 2), "event_title",
        db_col_text(r, 17), "amount", money_json(db_col_int(r, 3)), "currency", db_col_text(r, 4),
        "status", shown_status(op, r), "expires_at", text_json_time(db_col_time(r, 6)),
        "seats_count", (int)db_col_int(r, 7), "base_price_per_seat", money_json(db_col_int(r, 8)),
        "platform_fee_percentage", pct, "platform_fee", money_json(db_col_int(r, 10)), "created_at",
        text_json_time(db_col_time(r, 11)), "paid_at",
        db_col_isnull(r, 12) ? json_null() : text_json_time(db_col_time(r, 12)), "reservation_key",
        db_col_isnull(r, 14) ? json_null() : json_string(db_col_text(r, 14)), "payment_provider",
        db_col_text(r, 15), "refund_amount", money_json(db_col_int(r, 16)));
}

static const char SQL_MINE_ONE[] = SQL_ORDER "WHERE o.order_id = $1 AND o.user_id = $2";

err_t *order_get(op_t *op, const char *order_id, json_t **out)
{
    json_t *list = NULL;
    err_t *e = op_list(op, SQL_MINE_ONE, DB_ARGS(db_text(order_id), db_int(op->actor.id)),
                       order_row, &list);
    if (e)
        return e;
    json_t *o = json_incref(json_array_get(list, 0));
    json_decref(list);
    if (!o) /* someone else's order is not found either */
        return op_fail(op, 404, "ORDER_NOT_FOUND", "Order %s not found", order_id);
    *out = json_pack("{s:b, s:o}", "success", 1, "data", o);
    return NULL;
}

static const char SQL_MINE_PAGE[] =
    SQL_ORDER "WHERE o.user_id = $1 ORDER BY o.created_at DESC, o.id DESC LIMIT $2 OFFSET $3";
static const char SQL_MINE_COUNT[] = "SELECT count(*) FROM payment_orders WHERE user_id = $1";

err_t *orders_mine(op_t *op, int64_t offset, int64_t limit, json_t **out)
{
    int64_t total = 0;
    bool found = false;
    json_t *list = NULL;
    int rc = db_query_int(op->db, SQL_MINE_COUNT, DB_ARGS(db_int(op->actor.id)), &total, &found);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    err_t *e =
        op_list(op, SQL_MINE_PAGE, DB_ARGS(db_int(op->actor.id), db_int(limit), db_int(offset)),
                order_row, &list);
    if (!e)
        *out = json_pack("{s:b, s:I, s:I, s:I, s:o}", "success", 1, "total", (json_int_t)total,
                         "offset", (json_int_t)offset, "limit", (json_int_t)limit, "data", list);
    return e;
}

static const char SQL_EXPIRE[] =
    "UPDATE payment_orders SET status = 'expired', updated_at = $1 WHERE status IN ('created', "
    "'pending') AND expires_at <= $1 RETURNING id, user_id, event_id, order_id";

int orders_expire_all(op_t *op, int64_t *expired)
{
    db_rows_t *rows;
    *expired = 0;
    int rc = db_query(op->db, SQL_EXPIRE, DB_ARGS(db_time(op->now_us)), &rows);
    if (rc != DB_OK)
        return rc;
    json_t *told = json_array();
    while (db_next(rows))
        json_array_append_new(
            told, json_pack("{s:I, s:I, s:I, s:s}", "id", (json_int_t)db_col_int(rows, 0), "user",
                            (json_int_t)db_col_int(rows, 1), "event",
                            (json_int_t)db_col_int(rows, 2), "order", db_col_text(rows, 3)));
    rc = db_rows_status(rows);
    db_rows_free(rows);
    size_t i;
    json_t *t;
    json_array_foreach(told, i, t)
    {
        if (rc != DB_OK)
            break;
        notice_t n = {.to = json_integer_value(json_object_get(t, "user")),
                      .type = "payment_failed",
                      .title = "Order expired",
                      .message = "Your order was not paid in time; nothing was charged.",
                      .reference_type = "payment_order",
                      .reference_id = json_integer_value(json_object_get(t, "id")),
                      .metadata =
                          arena_printf(op->arena, "{\"event_id\":%lld,\"order_id\":\"%s\"}",
                                       (long long)json_integer_value(json_object_get(t, "event")),
                                       json_string_value(json_object_get(t, "order")))};
        rc = notification_write(op, &n);
        ++*expired;
    }
    json_decref(told);
    return rc;
}

/* ---- creating ---------------------------------------------------------------------- */

typedef struct {
    const order_spec_t *spec;
    event_t e;
    reservation_t r;
    int bps;
    int64_t total, order_row_id;
    char order_id[24], reference[24];
    json_t *out;
} create_ctx_t;

static const char SQL_KEYED[] =
    "SELECT id, reservation_key, seats_reserved, expires_at FROM capacity_reservations WHERE "
    "reservation_key = $1 AND event_id = $2 AND user_id = $3 AND consumed = $5 AND released_at "
    "IS NULL AND expires_at > $4";
static const char SQL_ACTIVE[] =
    "SELECT order_id FROM payment_orders WHERE user_id = $1 AND event_id = $2 AND status IN "
    "('created', 'pending') AND expires_at > $3 LIMIT 1";
static const char SQL_ATTENDING[] =
    "SELECT count(*) FROM event_attendees WHERE event_id = $1 AND user_id = $2 AND status IN "
    "('going', 'checked_in')";

static err_t *find_reservation(op_t *op, create_ctx_t *x)
{
    bool found = false;
    int rc;
    if (x->spec->reservation_key) {
        db_rows_t *rows;
        rc = db_query(op->db, SQL_KEYED,
                      DB_ARGS(db_text(x->spec->reservation_key), db_int(x->e.id),
                              db_int(op->actor.id), db_time(op->now_us), db_bool(false)),
                      &rows);
        if (rc == DB_OK && (found = db_next(rows))) {
            x->r.id = db_col_int(rows, 0);
            snprintf(x->r.key, sizeof x->r.key, "%s", db_col_text(rows, 1));
            x->r.seats = (int)db_col_int(rows, 2);
            x->r.expires_at = db_col_time(rows, 3);
        }
        if (rc == DB_OK) {
            rc = db_rows_status(rows);
            db_rows_free(rows);
        }
    } else {
        rc = reservation_live(op, x->e.id, op->actor.id, &x->r, &found);
    }
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (found)
        return NULL;
    return x->spec->reservation_key
               ? op_fail(op, 400, "INVALID_RESERVATION",
                         "Invalid or expired capacity reservation. Please request to join the "
                         "event again.")
               : op_fail(op, 400, "RESERVATION_REQUIRED",
                         "Capacity reservation required for paid events. Please request to join "
                         "the event first.");
}

static err_t *check_buyer(op_t *op, create_ctx_t *x)
{
    db_rows_t *rows;
    int64_t attending = 0;
    bool found = false;
    char active[64] = "";
    if (op_is_staff(op))
        return op_fail(op, 403, "ADMIN_CANNOT_PAY", "Staff accounts cannot buy tickets.");
    if (!x->e.is_paid)
        return op_fail(op, 400, "EVENT_NOT_PAID", "This event does not require payment");
    int rc = db_query_int(op->db, SQL_ATTENDING, DB_ARGS(db_int(x->e.id), db_int(op->actor.id)),
                          &attending, &found);
    if (rc == DB_OK)
        rc = db_query(op->db, SQL_ACTIVE,
                      DB_ARGS(db_int(op->actor.id), db_int(x->e.id), db_time(op->now_us)), &rows);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (db_next(rows))
        snprintf(active, sizeof active, "%s", db_col_text(rows, 0));
    rc = db_rows_status(rows);
    db_rows_free(rows);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (attending)
        return op_fail(op, 400, "ALREADY_CONFIRMED", "You already have a ticket for this event.");
    if (*active) {
        err_t *err = op_fail(op, 400, "ACTIVE_ORDER_EXISTS",
                             "An active payment order already exists. Order ID: %s", active);
        err->context = json_pack("{s:s}", "order_id", active);
        return err;
    }
    return NULL;
}

/* The amount must be the total (base + fee per seat, times the seats); the
 * base fare alone (per seat or for all seats) is what the app sends and is
 * accepted as meaning the same order. */
static err_t *check_amount(op_t *op, create_ctx_t *x)
{
    int64_t base = x->e.ticket_price_minor, a = x->spec->amount_minor;
    int seats = x->r.seats;
    x->total = fee_order_total(base, x->bps, seats);
    if (a == x->total || a == base || a == base * seats)
        return NULL;
    char t[32], b[32];
    money_format(x->total, t);
    money_format(base, b);
    err_t *err = op_fail(op, 400, "AMOUNT_MISMATCH",
                         "Payment amount must match calculated total: %s INR (base: %s x %d "
                         "seats + platform fee)",
                         t, b, seats);
    err->context =
        json_pack("{s:s, s:s, s:i}", "expected_amount", t, "base_price", b, "seats", seats);
    return err;
}

static const char SQL_INSERT[] =
    "INSERT INTO payment_orders (uuid, event_id, user_id, reservation_id, order_id, "
    "order_reference, amount_minor, currency, seats_count, base_price_per_seat_minor, "
    "platform_fee_bps, platform_fee_minor, host_earning_per_seat_minor, status, "
    "payment_provider, expires_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, "
    "$8, $9, $10, $11, $12, $10, 'created', $13, $14, $15, $15) RETURNING id";

static int insert_order(op_t *op, create_ctx_t *x)
{
    char uuid[37], a[13], b[11];
    bool found = false;
    rand_uuid(uuid);
    rand_base62(a, 12);
    rand_base62(b, 10);
    snprintf(x->order_id, sizeof x->order_id, "LP%s", a);
    snprintf(x->reference, sizeof x->reference, "LPR-%s", b);
    int64_t base = x->e.ticket_price_minor;
    return db_query_int(
        op->db, SQL_INSERT,
        DB_ARGS(db_text(uuid), db_int(x->e.id), db_int(op->actor.id), db_int(x->r.id),
                db_text(x->order_id), db_text(x->reference), db_int(x->total),
                db_text(x->e.currency), db_int(x->r.seats), db_int(base), db_int(x->bps),
                db_int(x->total - base * x->r.seats), db_text(op->app->cfg.payment_provider),
                db_time(op->now_us + (int64_t)op->app->cfg.order_minutes * 60 * 1000000),
                db_time(op->now_us)),
        &x->order_row_id, &found);
}

static const char SQL_BUYER[] =
    "SELECT COALESCE(p.name, ''), COALESCE(u.email, ''), u.phone FROM users u LEFT JOIN "
    "user_profiles p ON p.user_id = u.id WHERE u.id = $1";

/* The form the app posts to the provider (API.md 14.8). */
static err_t *redirect_form(op_t *op, create_ctx_t *x, json_t **out)
{
    db_rows_t *rows;
    char name[128] = "Guest", email[256] = "", phone[32] = "", amount[32], hash[PAYU_HASH_HEX];
    int rc = db_query(op->db, SQL_BUYER, DB_ARGS(db_int(op->actor.id)), &rows);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (db_next(rows)) {
        if (*db_col_text(rows, 0))
            snprintf(name, sizeof name, "%s", db_col_text(rows, 0));
        snprintf(email, sizeof email, "%s", db_col_text(rows, 1));
        snprintf(phone, sizeof phone, "%s", db_col_isnull(rows, 2) ? "" : db_col_text(rows, 2));
    }
    rc = db_rows_status(rows);
    db_rows_free(rows);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (!*email)
        snprintf(email, sizeof email, "%s@loopin.app", *phone == '+' ? phone + 1 : "guest");
    provider_t p;
    provider_get(op, op->app->cfg.payment_provider, &p);
    money_format(x->total, amount);
    const char *info = arena_printf(op->arena, "Event Ticket: %s", x->e.title);
    payu_fields_t f = {.key = p.key,
                       .txnid = x->order_id,
                       .amount = amount,
                       .productinfo = info,
                       .firstname = name,
                       .email = email};
    payu_request_hash(&f, p.salt, hash);
    const char *base = op->app->cfg.public_url;
    *out = json_pack("{s:s, s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}}", "payu_url",
                     p.checkout_url, "payload", "key", p.key, "txnid", x->order_id, "amount",
                     amount, "productinfo", info, "firstname", name, "email", email, "phone", phone,
                     "surl", arena_printf(op->arena, "%s/api/payments/%s/success", base, p.name),
                     "furl", arena_printf(op->arena, "%s/api/payments/%s/failure", base, p.name),
                     "hash", hash);
    return NULL;
}

static err_t *create_tx(op_t *op, void *arg)
{
    create_ctx_t *x = arg;
    bool found = false;
    int rc = event_load(op->db, op->arena, x->spec->event_id, &x->e, &found);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (!found || !x->e.is_active)
        return op_fail(op, 404, "EVENT_NOT_FOUND", "Event %lld not found",
                       (long long)x->spec->event_id);
    err_t *err = check_buyer(op, x);
    if (!err)
        err = find_reservation(op, x);
    if (!err && (rc = fee_current_bps(op, &x->bps)) != DB_OK)
        err = op_db_fail(op, rc);
    if (!err)
        err = check_amount(op, x);
    if (err)
        return err;
    if ((rc = insert_order(op, x)) != DB_OK)
        return op_db_fail(op, rc);
    json_t *form = NULL, *list = NULL;
    if ((err = redirect_form(op, x, &form)))
        return err;
    static const char sql[] = SQL_ORDER "WHERE o.id = $1";
    if ((err = op_list(op, sql, DB_ARGS(db_int(x->order_row_id)), order_row, &list))) {
        json_decref(form);
        return err;
    }
    json_decref(x->out);
    x->out = json_pack("{s:b, s:s, s:{s:O, s:o}}", "success", 1, "message",
                       "Payment order created successfully", "data", "order",
                       json_array_get(list, 0), "payu_redirect", form);
    json_decref(list);
    return NULL;
}

err_t *order_create(op_t *op, const order_spec_t *spec, json_t **out)
{
    create_ctx_t x = {.spec = spec};
    err_t *e = op_tx(op, DB_TX_WRITE, create_tx, &x);
    *out = e ? NULL : x.out;
    if (e)
        json_decref(x.out);
    return e;
}
