/*
 * payouts.c: payout requests, the staff workflow and the host's earnings
 * (see payouts.h; docs/money.md "Payouts"). The snapshot follows API.md
 * 14.9: the event's paid (or completed) final orders not yet paid out by a
 * completed payout, each counted after its partial refunds (a full refund
 * makes the order 'refunded', so it is not counted at all); the fee rate of
 * the final fare is the current one and is stored with the row, which every
 * later read uses (API.md 15 item 19). The one-active-per-event rule is the
 * partial unique index host_payout_requests_one_active_key: the insert that
 * loses a race is the transaction's last statement (a PostgreSQL unique
 * violation aborts the transaction) and is answered like the check before
 * it.
 */
#include "money/payouts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/rand.h"
#include "core/strbuf.h"
#include "core/text.h"
#include "money/fee.h"
#include "notifications/notifications.h"

/* ---- arithmetic ------------------------------------------------------------------------ */

__extension__ typedef __int128 wide_t;

payout_share_t payout_order_share(int64_t earning, int64_t fee, int64_t amount, int64_t refunded)
{
    if (refunded <= 0 || amount <= 0)
        return (payout_share_t){.earning = earning, .fee = fee, .gross = amount};
    if (refunded >= amount)
        return (payout_share_t){.earning = 0, .fee = 0, .gross = 0};
    /* round_half_up(earning * refunded / amount), exact in 128 bits */
    int64_t taken = (int64_t)(((wide_t)earning * refunded * 2 + amount) / ((wide_t)amount * 2));
    payout_share_t s = {.earning = earning - taken, .gross = amount - refunded};
    s.fee = s.gross > s.earning ? s.gross - s.earning : 0;
    return s;
}

static json_t *money_json(int64_t minor)
{
    char s[32];
    money_format(minor, s);
    return json_string(s);
}

static json_t *bps_json(int bps)
{
    char s[16];
    fee_bps_format(bps, s);
    return json_string(s);
}

/* ---- the payout object ------------------------------------------------------------------ */

#define SQL_PAYOUT                                                                                 \
    "SELECT p.id, p.uuid, p.host_id, p.event_id, p.host_name, p.event_name, p.event_date, "        \
    "p.event_location, p.total_capacity, p.base_ticket_fare_minor, p.final_ticket_fare_minor, "    \
    "p.currency, p.platform_fee_bps, p.total_tickets_sold, p.attendees_details, "                  \
    "p.platform_fee_amount_minor, p.final_earning_minor, p.status, p.processed_at, "               \
    "p.processed_by_id, p.transaction_reference, p.rejection_reason, p.notes, p.created_at, "      \
    "p.updated_at, b.id, b.bank_name, b.account_last4, b.ifsc_code, b.account_holder_name "        \
    "FROM host_payout_requests p JOIN bank_accounts b ON b.id = p.bank_account_id "

enum {
    C_ID = 0,
    C_UUID,
    C_HOST,
    C_EVENT,
    C_HOST_NAME,
    C_EVENT_NAME,
    C_EVENT_DATE,
    C_LOCATION,
    C_CAPACITY,
    C_BASE,
    C_FINAL,
    C_CURRENCY,
    C_BPS,
    C_TICKETS,
    C_ATTENDEES,
    C_FEE,
    C_EARNING,
    C_STATUS,
    C_PROCESSED_AT,
    C_PROCESSED_BY,
    C_REFERENCE,
    C_REJECTION,
    C_NOTES,
    C_CREATED,
    C_UPDATED,
    C_BANK_ID,
    C_BANK_NAME,
    C_LAST4,
    C_IFSC,
    C_HOLDER,
};

typedef enum {
    SHAPE_CREATED = 0, /* POST's answer (API.md 10) */
    SHAPE_ITEM,        /* the host's list */
    SHAPE_DETAIL,      /* the host's detail */
    SHAPE_ADMIN_ITEM,  /* staff list: the detail without the attendees */
    SHAPE_ADMIN,       /* staff detail and transition answers */
} shape_t;

static json_t *attendees_json(db_rows_t *r)
{
    json_t *a = json_loads(db_col_text(r, C_ATTENDEES), 0, NULL);
    if (json_is_array(a))
        return a;
    json_decref(a);
    return json_array();
}

static json_t *payout_json(db_rows_t *r, shape_t shape)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(db_col_int(r, C_ID)));
    json_object_set_new(o, "uuid", json_string(db_col_text(r, C_UUID)));
    if (shape >= SHAPE_ADMIN_ITEM)
        json_object_set_new(o, "host_id", json_integer(db_col_int(r, C_HOST)));
    if (shape >= SHAPE_DETAIL) {
        char masked[16];
        snprintf(masked, sizeof masked, "****%s", db_col_text(r, C_LAST4));
        json_object_set_new(o, "bank_account",
                            json_pack("{s:I, s:s, s:s, s:s, s:s}", "id",
                                      (json_int_t)db_col_int(r, C_BANK_ID), "bank_name",
                                      db_col_text(r, C_BANK_NAME), "masked_account_number", masked,
                                      "ifsc_code", db_col_text(r, C_IFSC), "account_holder_name",
                                      db_col_text(r, C_HOLDER)));
    }
    json_object_set_new(o, "event_id", json_integer(db_col_int(r, C_EVENT)));
    json_object_set_new(o, "event_name", json_string(db_col_text(r, C_EVENT_NAME)));
    json_object_set_new(o, "host_name", json_string(db_col_text(r, C_HOST_NAME)));
    if (shape != SHAPE_CREATED)
        json_object_set_new(o, "event_date", text_json_time(db_col_time(r, C_EVENT_DATE)));
    if (shape >= SHAPE_DETAIL) {
        json_object_set_new(o, "event_location", json_string(db_col_text(r, C_LOCATION)));
        json_object_set_new(o, "total_capacity", json_integer(db_col_int(r, C_CAPACITY)));
    }
    json_object_set_new(o, "total_tickets_sold", json_integer(db_col_int(r, C_TICKETS)));
    if (shape != SHAPE_ITEM) {
        json_object_set_new(o, "base_ticket_fare", money_json(db_col_int(r, C_BASE)));
        json_object_set_new(o, "final_ticket_fare", money_json(db_col_int(r, C_FINAL)));
        json_object_set_new(o, "platform_fee_amount", money_json(db_col_int(r, C_FEE)));
        json_object_set_new(o, "platform_fee_percentage", bps_json((int)db_col_int(r, C_BPS)));
    }
    if (shape == SHAPE_DETAIL || shape == SHAPE_ADMIN)
        json_object_set_new(o, "attendees_details", attendees_json(r));
    json_object_set_new(o, "final_earning", money_json(db_col_int(r, C_EARNING)));
    json_object_set_new(o, "currency", json_string(db_col_text(r, C_CURRENCY)));
    json_object_set_new(o, "status", json_string(db_col_text(r, C_STATUS)));
    if (shape >= SHAPE_DETAIL) {
        json_object_set_new(o, "transaction_reference", json_string(db_col_text(r, C_REFERENCE)));
        json_object_set_new(o, "rejection_reason", json_string(db_col_text(r, C_REJECTION)));
        json_object_set_new(o, "notes", json_string(db_col_text(r, C_NOTES)));
    }
    json_object_set_new(o, "created_at", text_json_time(db_col_time(r, C_CREATED)));
    if (shape >= SHAPE_DETAIL) {
        json_object_set_new(o, "updated_at", text_json_time(db_col_time(r, C_UPDATED)));
        json_object_set_new(o, "processed_at", text_json_time(db_col_time(r, C_PROCESSED_AT)));
    }
    if (shape >= SHAPE_ADMIN_ITEM)
        json_object_set_new(o, "processed_by_id",
                            db_col_isnull(r, C_PROCESSED_BY)
                                ? json_null()
                                : json_integer(db_col_int(r, C_PROCESSED_BY)));
    return o;
}

/* The rows of sql as payout objects of one shape, into a new array. */
static int load_payouts(op_t *op, const char *sql, const db_param_t *p, int np, shape_t shape,
                        json_t **out)
{
    db_rows_t *rows;
    int rc = db_query(op->db, sql, p, np, &rows);
    if (rc != DB_OK)
        return rc;
    json_t *list = json_array();
    while (db_next(rows))
        json_array_append_new(list, payout_json(rows, shape));
    rc = db_rows_status(rows);
    db_rows_free(rows);
    if (rc != DB_OK)
        json_decref(list);
    else
        *out = list;
    return rc;
}

/* One payout by id in a shape (NULL when there is none). */
static int load_payout(op_t *op, int64_t id, shape_t shape, json_t **out)
{
    static const char sql[] = SQL_PAYOUT "WHERE p.id = $1";
    json_t *list = NULL;
    int rc = load_payouts(op, sql, DB_ARGS(db_int(id)), shape, &list);
    *out = rc == DB_OK ? json_incref(json_array_get(list, 0)) : NULL;
    json_decref(list);
    return rc;
}

/* ---- creating --------------------------------------------------------------------------- */

typedef struct {
    int64_t event_id, account_id;
    /* the event and its host */
    const char *title, *host_name, *location;
    char currency[4];
    int64_t start_time, price, capacity, host_id;
    bool found, active;
    /* the orders the request covers */
    int64_t *orders;
    size_t n_orders;
    int64_t tickets, earning, fee, base;
    int bps;
    int64_t payout_id;
    json_t *out;
} create_ctx_t;

static const char SQL_EVENT[] =
    "SELECT e.title, e.start_time, e.max_capacity, e.currency, e.ticket_price_minor, e.venue_text, "
    "COALESCE(v.name, ''), COALESCE(v.city, ''), e.host_id, e.is_active, COALESCE(pr.name, ''), "
    "COALESCE(pr.phone_number, ''), COALESCE(u.phone, ''), u.first_name, u.last_name FROM events e "
    "JOIN users u ON u.id = e.host_id LEFT JOIN user_profiles pr ON pr.user_id = e.host_id LEFT "
    "JOIN venues v ON v.id = e.venue_id WHERE e.id = $1";

/* "first last", trimmed, on the arena ("" when both are empty). */
static const char *full_name(arena_t *a, const char *first, const char *last)
{
    const char *n = arena_printf(a, "%s%s%s", first, *first && *last ? " " : "", last);
    while (*n == ' ')
        n++;
    return n;
}

/* The event and the 14.9 host name and location. */
static int load_event(op_t *op, create_ctx_t *x)
{
    db_rows_t *r;
    int rc = db_query(op->db, SQL_EVENT, DB_ARGS(db_int(x->event_id)), &r);
    if (rc != DB_OK)
        return rc;
    if ((x->found = db_next(r))) {
        arena_t *a = op->arena;
        x->title = arena_strdup(a, db_col_text(r, 0));
        x->start_time = db_col_time(r, 1);
        x->capacity = db_col_int(r, 2);
        snprintf(x->currency, sizeof x->currency, "%s", db_col_text(r, 3));
        x->price = db_col_int(r, 4);
        const char *venue = db_col_text(r, 6), *city = db_col_text(r, 7), *text = db_col_text(r, 5);
        x->location = *venue  ? arena_printf(a, "%s, %s", venue, city)
                      : *text ? arena_strdup(a, text)
                              : "Location not specified";
        x->host_id = db_col_int(r, 8);
        x->active = db_col_bool(r, 9);
        const char *name = db_col_text(r, 10), *pphone = db_col_text(r, 11),
                   *phone = db_col_text(r, 12),
                   *full = full_name(a, db_col_text(r, 13), db_col_text(r, 14));
        x->host_name = *name     ? arena_strdup(a, name)
                       : *pphone ? arena_strdup(a, pphone)
                       : *phone  ? arena_strdup(a, phone)
                       : *full   ? full
                                 : "Unknown Host";
    }
    rc = db_rows_status(r);
    db_rows_free(r);
    return rc;
}

static const char SQL_ACCOUNT[] = "SELECT host_id, is_active FROM bank_accounts WHERE id = $1";

static err_t *check_account(op_t *op, create_ctx_t *x)
{
    db_rows_t *r;
    bool found, active = false;
    int64_t owner = 0;
    int rc = db_query(op->db, SQL_ACCOUNT, DB_ARGS(db_int(x->account_id)), &r);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if ((found = db_next(r))) {
        owner = db_col_int(r, 0);
        active = db_col_bool(r, 1);
    }
    rc = db_rows_status(r);
    db_rows_free(r);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (!found || owner != op->actor.id) /* someone else's account is not found either */
        return op_fail(op, 404, "BANK_ACCOUNT_NOT_FOUND",
                       "Bank account not found or you don't have permission to access it.");
    if (!active)
        return op_fail(op, 400, "BANK_ACCOUNT_INACTIVE",
                       "Cannot use an inactive bank account for payout");
    return NULL;
}

/* The orders a new request covers: paid (or completed) and final, not in a
 * completed payout already. Locked, so a refund waits for this snapshot. */
#define SQL_UNPAID_ORDERS                                                                          \
    "o.event_id = $1 AND o.status IN ('paid', 'completed') AND o.is_final = $2 AND NOT EXISTS "    \
    "(SELECT 1 FROM host_payout_request_orders l JOIN host_payout_requests q ON q.id = "           \
    "l.payout_request_id WHERE l.payment_order_id = o.id AND q.status = 'completed')"
static const char SQL_ORDERS[] =
    "SELECT o.id, o.seats_count, o.base_price_per_seat_minor, o.host_earning_per_seat_minor, "
    "o.platform_fee_minor, o.amount_minor, o.refund_amount_minor FROM payment_orders o "
    "WHERE " SQL_UNPAID_ORDERS " ORDER BY o.id @FOR_UPDATE";
static const char SQL_SOLD_EVER[] =
    "SELECT count(*) FROM payment_orders WHERE event_id = $1 AND status IN ('paid', 'completed') "
    "AND is_final = $2";

static err_t *sum_orders(op_t *op, create_ctx_t *x)
{
    db_rows_t *r;
    size_t cap = 0;
    int rc = db_query(op->db, SQL_ORDERS, DB_ARGS(db_int(x->event_id), db_bool(true)), &r);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    while (db_next(r)) {
        if (x->n_orders == cap) {
            cap = cap ? cap * 2 : 64;
            int64_t *grown = realloc(x->orders, cap * sizeof *grown);
            if (!grown) {
                db_rows_free(r);
                return op_fail(op, 500, "INTERNAL_SERVER_ERROR", "Internal server error");
            }
            x->orders = grown;
        }
        x->orders[x->n_orders++] = db_col_int(r, 0);
        int64_t seats = db_col_int(r, 1);
        payout_share_t s = payout_order_share(db_col_int(r, 3) * seats, db_col_int(r, 4),
                                              db_col_int(r, 5), db_col_int(r, 6));
        x->tickets += seats;
        x->earning += s.earning;
        x->fee += s.fee;
        x->base = db_col_int(r, 2); /* the last order's, as 14.9 */
    }
    rc = db_rows_status(r);
    db_rows_free(r);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (x->n_orders)
        return NULL;
    int64_t ever = 0;
    bool found = false;
    rc = db_query_int(op->db, SQL_SOLD_EVER, DB_ARGS(db_int(x->event_id), db_bool(true)), &ever,
                      &found);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    return ever ? op_fail(op, 400, "ALREADY_PAID_OUT",
                          "Every ticket sale of this event has already been paid out")
                : op_fail(op, 400, "NO_TICKET_SALES",
                          "Cannot create payout request for an event with no ticket sales");
}

static const char SQL_ACTIVE[] =
    "SELECT count(*) FROM host_payout_requests WHERE event_id = $1 AND status IN ('pending', "
    "'approved', 'processing')";

static err_t *already_active(op_t *op)
{
    return op_fail(op, 400, "PAYOUT_ALREADY_ACTIVE",
                   "A payout request already exists for this event with status 'pending', "
                   "'approved', or 'processing'");
}

/* 14.9 attendees of the covered orders: {name, contact}. */
static const char SQL_ATTENDEES[] =
    "SELECT COALESCE(pr.name, ''), u.first_name, u.last_name, COALESCE(u.phone, ''), "
    "COALESCE(pr.phone_number, ''), COALESCE(u.email, '') FROM event_attendees a JOIN "
    "payment_orders o ON o.id = a.payment_order_id JOIN users u ON u.id = a.user_id LEFT JOIN "
    "user_profiles pr ON pr.user_id = a.user_id WHERE a.event_id = $1 AND a.is_paid = $2 AND "
    "a.status IN ('going', 'checked_in') AND " SQL_UNPAID_ORDERS " ORDER BY a.id";

static int attendees_text(op_t *op, create_ctx_t *x, char **text)
{
    db_rows_t *r;
    int rc = db_query(op->db, SQL_ATTENDEES, DB_ARGS(db_int(x->event_id), db_bool(true)), &r);
    if (rc != DB_OK)
        return rc;
    json_t *list = json_array();
    while (db_next(r)) {
        const char *name = db_col_text(r, 0), *phone = db_col_text(r, 3),
                   *pphone = db_col_text(r, 4), *email = db_col_text(r, 5);
        const char *full = full_name(op->arena, db_col_text(r, 1), db_col_text(r, 2));
        json_array_append_new(list, json_pack("{s:s, s:s}", "name",
                                              *name    ? name
                                              : *full  ? full
                                              : *phone ? phone
                                                       : "Guest",
                                              "contact",
                                              *phone    ? phone
                                              : *pphone ? pphone
                                                        : email));
    }
    rc = db_rows_status(r);
    db_rows_free(r);
    char *dump = rc == DB_OK ? json_dumps(list, JSON_COMPACT) : NULL;
    json_decref(list);
    if (dump) {
        *text = arena_strdup(op->arena, dump);
        free(dump);
    }
    return rc == DB_OK && !dump ? DB_ERROR : rc;
}

static const char SQL_INSERT[] =
    "INSERT INTO host_payout_requests (uuid, host_id, bank_account_id, event_id, host_name, "
    "event_name, event_date, event_location, total_capacity, base_ticket_fare_minor, "
    "final_ticket_fare_minor, currency, platform_fee_bps, total_tickets_sold, attendees_details, "
    "platform_fee_amount_minor, final_earning_minor, status, created_at, updated_at) VALUES ($1, "
    "$2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, 'pending', $18, $18) "
    "RETURNING id";
static const char SQL_LINK[] = "INSERT INTO host_payout_request_orders (payout_request_id, "
                               "payment_order_id) VALUES ($1, $2)";

/* Clamps a snapshot text to the column's limit (characters, UTF-8 safe). */
static const char *clamp(arena_t *a, const char *s, size_t max_chars)
{
    size_t chars = 0, i = 0;
    for (; s[i]; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80 && ++chars > max_chars)
            return arena_strndup(a, s, i);
    return s;
}

static err_t *insert(op_t *op, create_ctx_t *x)
{
    char uuid[37], *attendees = NULL;
    int rc = attendees_text(op, x, &attendees);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    rand_uuid(uuid);
    bool found = false;
    int64_t final_fare = fee_final_price(x->base, x->bps);
    rc = db_query_int(op->db, SQL_INSERT,
                      DB_ARGS(db_text(uuid), db_int(op->actor.id), db_int(x->account_id),
                              db_int(x->event_id), db_text(clamp(op->arena, x->host_name, 200)),
                              db_text(x->title), db_time(x->start_time),
                              db_text(clamp(op->arena, x->location, 300)), db_int(x->capacity),
                              db_int(x->base), db_int(final_fare), db_text(x->currency),
                              db_int(x->bps), db_int(x->tickets), db_text(attendees),
                              db_int(x->fee), db_int(x->earning), db_time(op->now_us)),
                      &x->payout_id, &found);
    if (rc == DB_UNIQUE) {
        /* The race's loser: another request for the event committed first.
         * On PostgreSQL the transaction is now aborted: nothing more runs. */
        const char *c = db_err_constraint(op->db);
        if (strstr(c, "one_active") || strstr(c, "event_id"))
            return already_active(op);
    }
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    for (size_t i = 0; i < x->n_orders && rc == DB_OK; i++)
        rc = db_exec(op->db, SQL_LINK, DB_ARGS(db_int(x->payout_id), db_int(x->orders[i])), NULL);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    char earning[32];
    money_format(x->earning, earning);
    audit_entry_t a = {.actor_id = op->actor.id,
                       .action = "payout.requested",
                       .object_type = "host_payout_request",
                       .object_id = x->payout_id,
                       .object_uuid = uuid,
                       .payload = json_pack("{s:I, s:I, s:s, s:s, s:I, s:i}", "event_id",
                                            (json_int_t)x->event_id, "bank_account_id",
                                            (json_int_t)x->account_id, "final_earning", earning,
                                            "currency", x->currency, "total_tickets_sold",
                                            (json_int_t)x->tickets, "platform_fee_bps", x->bps),
                       .severity = AUDIT_MEDIUM,
                       .success = true};
    rc = audit_write(op->db, op, &a);
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}

static err_t *create_tx(op_t *op, void *arg)
{
    create_ctx_t *x = arg;
    /* a re-run (DB_RETRY) starts over */
    x->n_orders = 0;
    x->tickets = x->earning = x->fee = 0;
    int rc = load_event(op, x);
    x->base = x->price; /* the last order's base replaces it (14.9) */
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (!x->found || !x->active)
        return op_fail(op, 404, "EVENT_NOT_FOUND", "Event not found.");
    if (x->host_id != op->actor.id)
        return op_fail(op, 403, "NOT_EVENT_HOST",
                       "You can only request payouts for events you host.");
    err_t *err = check_account(op, x);
    if (!err)
        err = sum_orders(op, x);
    if (err)
        return err;
    int64_t active = 0;
    bool found = false;
    if ((rc = db_query_int(op->db, SQL_ACTIVE, DB_ARGS(db_int(x->event_id)), &active, &found)) !=
        DB_OK)
        return op_db_fail(op, rc);
    if (active)
        return already_active(op);
    if ((rc = fee_current_bps(op, &x->bps)) != DB_OK)
        return op_db_fail(op, rc);
    if ((err = insert(op, x)))
        return err;
    json_t *data = NULL;
    if ((rc = load_payout(op, x->payout_id, SHAPE_CREATED, &data)) != DB_OK)
        return op_db_fail(op, rc);
    json_decref(x->out);
    x->out = json_pack("{s:b, s:s, s:o}", "success", 1, "message",
                       "Payout request created successfully", "data", data);
    return NULL;
}

err_t *payout_create(op_t *op, int64_t event_id, int64_t bank_account_id, json_t **out)
{
    create_ctx_t x = {.event_id = event_id, .account_id = bank_account_id};
    err_t *e = op_tx(op, DB_TX_WRITE, create_tx, &x);
    free(x.orders);
    *out = e ? NULL : x.out;
    if (e)
        json_decref(x.out);
    return e;
}

/* ---- reading ---------------------------------------------------------------------------- */

static json_t *page(json_t *data, int64_t offset, int64_t limit, int64_t total, const char *msg)
{
    return json_pack("{s:b, s:o, s:{s:I, s:I, s:I}, s:s}", "success", 1, "data", data, "pagination",
                     "offset", (json_int_t)offset, "limit", (json_int_t)limit, "total",
                     (json_int_t)total, "message", msg);
}

static const char SQL_MINE[] =
    SQL_PAYOUT "WHERE p.host_id = $1 ORDER BY p.created_at DESC, p.id DESC LIMIT $2 OFFSET $3";
static const char SQL_MINE_STATUS[] = SQL_PAYOUT "WHERE p.host_id = $1 AND p.status = $4 ORDER BY "
                                                 "p.created_at DESC, p.id DESC LIMIT $2 OFFSET $3";
static const char SQL_MINE_COUNT[] = "SELECT count(*) FROM host_payout_requests WHERE host_id = $1";
static const char SQL_MINE_COUNT_STATUS[] =
    "SELECT count(*) FROM host_payout_requests WHERE host_id = $1 AND status = $2";

err_t *payouts_mine(op_t *op, const char *status, int64_t offset, int64_t limit, json_t **out)
{
    int64_t total = 0;
    bool found = false;
    json_t *list = NULL;
    int64_t me = op->actor.id;
    int rc = status ? db_query_int(op->db, SQL_MINE_COUNT_STATUS,
                                   DB_ARGS(db_int(me), db_text(status)), &total, &found)
                    : db_query_int(op->db, SQL_MINE_COUNT, DB_ARGS(db_int(me)), &total, &found);
    if (rc == DB_OK)
        rc = status
                 ? load_payouts(op, SQL_MINE_STATUS,
                                DB_ARGS(db_int(me), db_int(limit), db_int(offset), db_text(status)),
                                SHAPE_ITEM, &list)
                 : load_payouts(op, SQL_MINE, DB_ARGS(db_int(me), db_int(limit), db_int(offset)),
                                SHAPE_ITEM, &list);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    *out = page(list, offset, limit, total, "Payout requests retrieved successfully");
    return NULL;
}

static const char SQL_HOST_OF[] = "SELECT host_id FROM host_payout_requests WHERE id = $1";

err_t *payout_get_mine(op_t *op, int64_t id, json_t **out)
{
    int64_t host = 0;
    bool found = false;
    int rc = db_query_int(op->db, SQL_HOST_OF, DB_ARGS(db_int(id)), &host, &found);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (!found)
        return op_fail(op, 404, "PAYOUT_NOT_FOUND", "Payout request not found.");
    /* the request's host owns its bank account (checked when it was made) */
    if (host != op->actor.id)
        return op_fail(op, 403, "PAYOUT_FORBIDDEN",
                       "You don't have permission to access this payout request.");
    json_t *p = NULL;
    if ((rc = load_payout(op, id, SHAPE_DETAIL, &p)) != DB_OK)
        return op_db_fail(op, rc);
    if (!p)
        return op_fail(op, 404, "PAYOUT_NOT_FOUND", "Payout request not found.");
    *out = json_pack("{s:b, s:o, s:s}", "success", 1, "data", p, "message",
                     "Payout request retrieved successfully");
    return NULL;
}

err_t *payouts_admin_list(op_t *op, const payout_filter_t *f, json_t **out)
{
    strbuf_t where;
    db_param_t p[6];
    int n = 0;
    sb_init(&where);
    sb_puts(&where, "WHERE 1 = 1");
    if (f->status) {
        p[n++] = db_text(f->status);
        sb_printf(&where, " AND p.status = $%d", n);
    }
    if (f->event_id) {
        p[n++] = db_int(f->event_id);
        sb_printf(&where, " AND p.event_id = $%d", n);
    }
    if (f->host_id) {
        p[n++] = db_int(f->host_id);
        sb_printf(&where, " AND p.host_id = $%d", n);
    }
    size_t len = 0;
    char *w = sb_steal(&where, &len);
    const char *count_sql =
        arena_printf(op->arena, "SELECT count(*) FROM host_payout_requests p %s", w);
    const char *page_sql = arena_printf(
        op->arena, SQL_PAYOUT "%s ORDER BY p.created_at DESC, p.id DESC LIMIT $%d OFFSET $%d", w,
        n + 1, n + 2);
    free(w);
    int64_t total = 0;
    bool found = false;
    json_t *list = NULL;
    int rc = db_query_int(op->db, count_sql, p, n, &total, &found);
    p[n] = db_int(f->limit);
    p[n + 1] = db_int(f->offset);
    if (rc == DB_OK)
        rc = load_payouts(op, page_sql, p, n + 2, SHAPE_ADMIN_ITEM, &list);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    *out = page(list, f->offset, f->limit, total, "Payout requests retrieved successfully");
    return NULL;
}

err_t *payout_admin_get(op_t *op, int64_t id, json_t **out)
{
    json_t *p = NULL;
    int rc = load_payout(op, id, SHAPE_ADMIN, &p);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (!p)
        return op_fail(op, 404, "PAYOUT_NOT_FOUND", "Payout request not found.");
    *out = json_pack("{s:b, s:o, s:s}", "success", 1, "data", p, "message",
                     "Payout request retrieved successfully");
    return NULL;
}

/* ---- the staff workflow ------------------------------------------------------------------ */

#define MOVE_RETURNING " RETURNING host_id, event_id, event_name, final_earning_minor, currency"

typedef struct {
    const char *verb;         /* "approve" */
    const char *to;           /* "approved" */
    const char *from[3];      /* the states it leaves, NULL-terminated */
    const char *sql;          /* the one conditional UPDATE */
    const char *title, *text; /* the host's notification: its title, what happened */
    const char *done;         /* the answer's message */
} move_def_t;

static const move_def_t MOVES[] = {
    [PAYOUT_APPROVE] = {.verb = "approve",
                        .to = "approved",
                        .from = {"pending"},
                        .sql = "UPDATE host_payout_requests SET status = 'approved', notes = "
                               "COALESCE($2, notes), updated_at = $3 WHERE id = $1 AND status IN "
                               "('pending')" MOVE_RETURNING,
                        .title = "Payout approved",
                        .text = "was approved",
                        .done = "Payout request approved"},
    [PAYOUT_PROCESS] = {.verb = "process",
                        .to = "processing",
                        .from = {"approved"},
                        .sql = "UPDATE host_payout_requests SET status = 'processing', notes = "
                               "COALESCE($2, notes), updated_at = $3 WHERE id = $1 AND status IN "
                               "('approved')" MOVE_RETURNING,
                        .title = "Payout in progress",
                        .text = "is being processed",
                        .done = "Payout request is being processed"},
    [PAYOUT_COMPLETE] = {.verb = "complete",
                         .to = "completed",
                         .from = {"processing"},
                         .sql = "UPDATE host_payout_requests SET status = 'completed', notes = "
                                "COALESCE($2, notes), updated_at = $3, processed_at = $3, "
                                "transaction_reference = $4, processed_by_id = $5 WHERE id = $1 "
                                "AND status IN ('processing')" MOVE_RETURNING,
                         .title = "Payout sent",
                         .text = "has been sent",
                         .done = "Payout request completed"},
    [PAYOUT_REJECT] = {.verb = "reject",
                       .to = "rejected",
                       .from = {"pending", "approved"},
                       .sql = "UPDATE host_payout_requests SET status = 'rejected', notes = "
                              "COALESCE($2, notes), updated_at = $3, rejection_reason = $4 WHERE "
                              "id = $1 AND status IN ('pending', 'approved')" MOVE_RETURNING,
                       .title = "Payout rejected",
                       .text = "was rejected",
                       .done = "Payout request rejected"},
    [PAYOUT_CANCEL] = {.verb = "cancel",
                       .to = "cancelled",
                       .from = {"pending", "approved"},
                       .sql = "UPDATE host_payout_requests SET status = 'cancelled', notes = "
                              "COALESCE($2, notes), updated_at = $3 WHERE id = $1 AND status IN "
                              "('pending', 'approved')" MOVE_RETURNING,
                       .title = "Payout cancelled",
                       .text = "was cancelled",
                       .done = "Payout request cancelled"},
};

typedef struct {
    const payout_move_t *m;
    json_t *out;
} move_ctx_t;

static const char SQL_STATUS[] = "SELECT status FROM host_payout_requests WHERE id = $1";

/* No row moved: the request does not exist (404) or is in another state (409). */
static err_t *refuse_move(op_t *op, const move_def_t *d, int64_t id)
{
    db_rows_t *r;
    char status[24] = "";
    int rc = db_query(op->db, SQL_STATUS, DB_ARGS(db_int(id)), &r);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    bool found = db_next(r);
    if (found)
        snprintf(status, sizeof status, "%s", db_col_text(r, 0));
    rc = db_rows_status(r);
    db_rows_free(r);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (!found)
        return op_fail(op, 404, "PAYOUT_NOT_FOUND", "Payout request not found.");
    err_t *e = op_fail(op, 409, "INVALID_TRANSITION",
                       "Cannot %s a payout request that is %s (only from %s%s%s).", d->verb, status,
                       d->from[0], d->from[1] ? " or " : "", d->from[1] ? d->from[1] : "");
    json_t *from = json_array();
    for (int i = 0; d->from[i]; i++)
        json_array_append_new(from, json_string(d->from[i]));
    e->context = json_pack("{s:s, s:s, s:o}", "status", status, "to", d->to, "allowed_from", from);
    return e;
}

static err_t *move_tx(op_t *op, void *arg)
{
    move_ctx_t *x = arg;
    const payout_move_t *m = x->m;
    const move_def_t *d = &MOVES[m->action];
    db_rows_t *r;
    int rc;
    db_param_t notes = db_text(m->notes), now = db_time(op->now_us);
    if (m->action == PAYOUT_COMPLETE)
        rc = db_query(op->db, d->sql,
                      DB_ARGS(db_int(m->id), notes, now, db_text(m->transaction_reference),
                              db_int(op->actor.id)),
                      &r);
    else if (m->action == PAYOUT_REJECT)
        rc = db_query(op->db, d->sql, DB_ARGS(db_int(m->id), notes, now, db_text(m->reason)), &r);
    else
        rc = db_query(op->db, d->sql, DB_ARGS(db_int(m->id), notes, now), &r);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    int64_t host = 0, event = 0, earning = 0;
    const char *event_name = "", *currency = "";
    bool moved = db_next(r);
    if (moved) {
        host = db_col_int(r, 0);
        event = db_col_int(r, 1);
        event_name = arena_strdup(op->arena, db_col_text(r, 2));
        earning = db_col_int(r, 3);
        currency = arena_strdup(op->arena, db_col_text(r, 4));
    }
    rc = db_rows_status(r);
    db_rows_free(r);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (!moved)
        return refuse_move(op, d, m->id);
    char amount[32];
    money_format(earning, amount);
    json_t *payload = json_pack("{s:s, s:I, s:s, s:s}", "status", d->to, "event_id",
                                (json_int_t)event, "final_earning", amount, "currency", currency);
    if (m->transaction_reference)
        json_object_set_new(payload, "transaction_reference",
                            json_string(m->transaction_reference));
    if (m->reason)
        json_object_set_new(payload, "reason", json_string(m->reason));
    audit_entry_t a = {.actor_id = op->actor.id,
                       .action = arena_printf(op->arena, "payout.%s", d->to),
                       .object_type = "host_payout_request",
                       .object_id = m->id,
                       .payload = payload,
                       .severity = AUDIT_HIGH,
                       .success = true};
    rc = audit_write(op->db, op, &a);
    json_t *meta = json_pack("{s:I, s:I, s:s, s:s}", "payout_id", (json_int_t)m->id, "event_id",
                             (json_int_t)event, "status", d->to, "amount", amount);
    if (m->transaction_reference)
        json_object_set_new(meta, "transaction_reference", json_string(m->transaction_reference));
    if (m->reason)
        json_object_set_new(meta, "reason", json_string(m->reason));
    char *meta_text = json_dumps(meta, JSON_COMPACT);
    json_decref(meta);
    const char *text = arena_printf(op->arena, "Your payout request of %s %s for \"%s\" %s.",
                                    amount, currency, event_name, d->text);
    if (m->reason)
        text = arena_printf(op->arena, "%s Reason: %s", text, m->reason);
    if (m->transaction_reference)
        text = arena_printf(op->arena, "%s Reference: %s", text, m->transaction_reference);
    notice_t n = {.to = host,
                  .type = "payout_reminder",
                  .title = d->title,
                  .message = text,
                  .reference_type = "payout_request",
                  .reference_id = m->id,
                  .metadata = meta_text ? arena_strdup(op->arena, meta_text) : "{}"};
    free(meta_text);
    if (rc == DB_OK)
        rc = notification_write(op, &n);
    json_t *data = NULL;
    if (rc == DB_OK)
        rc = load_payout(op, m->id, SHAPE_ADMIN, &data);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    json_decref(x->out);
    x->out = json_pack("{s:b, s:s, s:o}", "success", 1, "message", d->done, "data", data);
    return NULL;
}

err_t *payout_move(op_t *op, const payout_move_t *m, json_t **out)
{
    move_ctx_t x = {.m = m};
    err_t *e = op_tx(op, DB_TX_WRITE, move_tx, &x);
    *out = e ? NULL : x.out;
    if (e)
        json_decref(x.out);
    return e;
}

/* ---- earnings ----------------------------------------------------------------------------- */

/* Every final order of the caller's events that was paid (refunded ones
 * included: they count no tickets and no money), grouped by event. */
static const char SQL_EARN_ORDERS[] =
    "SELECT e.id, e.title, e.currency, o.status, o.seats_count, o.host_earning_per_seat_minor, "
    "o.platform_fee_minor, o.amount_minor, o.refund_amount_minor FROM payment_orders o JOIN events "
    "e ON e.id = o.event_id WHERE e.host_id = $1 AND o.is_final = $2 AND o.status IN ('paid', "
    "'completed', 'refunded') ORDER BY e.start_time DESC, e.id DESC, o.id";
static const char SQL_EARN_PAYOUTS[] =
    "SELECT event_id, status, final_earning_minor FROM host_payout_requests WHERE host_id = $1 AND "
    "status IN ('pending', 'approved', 'processing', 'completed')";

typedef struct {
    int64_t tickets, gross, fee, earning, paid_out, pending;
} sums_t;

static json_t *sums_json(const sums_t *s, json_t *o)
{
    json_object_set_new(o, "tickets_sold", json_integer(s->tickets));
    json_object_set_new(o, "gross", money_json(s->gross));
    json_object_set_new(o, "platform_fee", money_json(s->fee));
    json_object_set_new(o, "earning", money_json(s->earning));
    json_object_set_new(o, "paid_out", money_json(s->paid_out));
    json_object_set_new(o, "pending", money_json(s->pending));
    return o;
}

typedef struct {
    int64_t event_id;
    const char *title;
    char currency[4];
    sums_t s;
} event_sums_t;

err_t *payout_earnings(op_t *op, json_t **out)
{
    db_rows_t *r;
    event_sums_t *ev = NULL;
    size_t n = 0, cap = 0;
    bool oom = false;
    int rc = db_query(op->db, SQL_EARN_ORDERS, DB_ARGS(db_int(op->actor.id), db_bool(true)), &r);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    while (db_next(r)) {
        int64_t id = db_col_int(r, 0);
        if (!n || ev[n - 1].event_id != id) {
            if (n == cap) {
                cap = cap ? cap * 2 : 16;
                event_sums_t *grown = realloc(ev, cap * sizeof *grown);
                if (!grown) {
                    oom = true;
                    break;
                }
                ev = grown;
            }
            ev[n] =
                (event_sums_t){.event_id = id, .title = arena_strdup(op->arena, db_col_text(r, 1))};
            snprintf(ev[n].currency, sizeof ev[n].currency, "%s", db_col_text(r, 2));
            n++;
        }
        sums_t *s = &ev[n - 1].s;
        int64_t seats = db_col_int(r, 4);
        payout_share_t sh = payout_order_share(db_col_int(r, 5) * seats, db_col_int(r, 6),
                                               db_col_int(r, 7), db_col_int(r, 8));
        if (strcmp(db_col_text(r, 3), "refunded"))
            s->tickets += seats;
        s->gross += sh.gross;
        s->fee += sh.fee;
        s->earning += sh.earning;
    }
    rc = db_rows_status(r);
    db_rows_free(r);
    if (rc == DB_OK)
        rc = db_query(op->db, SQL_EARN_PAYOUTS, DB_ARGS(db_int(op->actor.id)), &r);
    if (rc == DB_OK) {
        while (db_next(r)) {
            int64_t id = db_col_int(r, 0), amount = db_col_int(r, 2);
            bool done = !strcmp(db_col_text(r, 1), "completed");
            for (size_t i = 0; i < n; i++)
                if (ev[i].event_id == id)
                    *(done ? &ev[i].s.paid_out : &ev[i].s.pending) += amount;
        }
        rc = db_rows_status(r);
        db_rows_free(r);
    }
    if (rc != DB_OK || oom) {
        free(ev);
        return rc != DB_OK ? op_db_fail(op, rc)
                           : op_fail(op, 500, "INTERNAL_SERVER_ERROR", "Internal server error");
    }
    json_t *events = json_array(), *totals = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_pack("{s:I, s:s, s:s}", "event_id", (json_int_t)ev[i].event_id,
                              "event_title", ev[i].title, "currency", ev[i].currency);
        json_array_append_new(events, sums_json(&ev[i].s, o));
    }
    /* totals per currency, in the order the currencies first appear */
    for (size_t i = 0; i < n; i++) {
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = !strcmp(ev[j].currency, ev[i].currency);
        if (seen)
            continue;
        sums_t t = {0};
        for (size_t j = i; j < n; j++) {
            if (strcmp(ev[j].currency, ev[i].currency))
                continue;
            t.tickets += ev[j].s.tickets;
            t.gross += ev[j].s.gross;
            t.fee += ev[j].s.fee;
            t.earning += ev[j].s.earning;
            t.paid_out += ev[j].s.paid_out;
            t.pending += ev[j].s.pending;
        }
        json_array_append_new(totals,
                              sums_json(&t, json_pack("{s:s}", "currency", ev[i].currency)));
    }
    free(ev);
    *out = json_pack("{s:b, s:{s:o, s:o}, s:s}", "success", 1, "data", "events", events, "totals",
                     totals, "message", "Earnings retrieved successfully");
    return NULL;
}
