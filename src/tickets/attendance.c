/*
 * attendance.c: confirming and cancelling attendance (API.md 7,
 * docs/tickets.md). Confirming a free event takes the seats (the attendee
 * row's trigger takes them from the event's seat buckets, refusing with the
 * event_seat_buckets_room check when they are gone) and issues or re-issues
 * the ticket, in one transaction. Cancelling releases the seats and revokes
 * the ticket's code.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "core/rand.h"
#include "core/text.h"
#include "events/event.h"
#include "invites/invites.h"
#include "notifications/notifications.h"
#include "tickets/ticket_keys.h"
#include "tickets/tickets.h"

typedef struct {
    int64_t event_id, user_id; /* user_id: who is admitted (the caller, or a payer) */
    int seats;
    int64_t order_id, price_minor, fee_minor; /* paid admission; 0 when free */
    event_t e;
    int64_t request_id, invite_id;
    bool invite_pending, invite_expired;
    int allowed;
    int64_t ticket_id;
    json_t *out;
} confirm_ctx_t;

static int audit(op_t *op, const char *action, int64_t event_id, json_t *payload)
{
    audit_entry_t a = {.actor_id = op->actor.id,
                       .action = action,
                       .object_type = "event",
                       .object_id = event_id,
                       .payload = payload,
                       .severity = AUDIT_LOW,
                       .success = true};
    return audit_write(op->db, op, &a);
}

static err_t *check_event(op_t *op, const event_t *e)
{
    if (strcmp(e->status, "published") != 0)
        return op_fail(op, 400, "EVENT_NOT_PUBLISHED", "This event is not open for attendance.");
    if (e->end_time && e->end_time <= op->now_us)
        return op_fail(op, 400, "EVENT_ENDED", "This event is over.");
    if (e->is_paid) {
        err_t *err = op_fail(op, 400, "PAYMENT_REQUIRED",
                             "Payment required for this event. Please complete payment to get "
                             "your ticket.");
        err->context = json_pack("{s:I, s:s, s:b, s:s}", "event_id", (json_int_t)e->id,
                                 "event_title", e->title, "is_paid", 1, "ticket_price",
                                 event_price_string(op->arena, e->ticket_price_minor));
        return err;
    }
    return NULL;
}

/* ---- how the caller was admitted ------------------------------------------------- */

static const char SQL_ACCEPTED_REQUEST[] =
    "SELECT id, seats_requested FROM event_requests WHERE event_id = $1 AND requester_id = $2 AND "
    "status = 'accepted' ORDER BY id DESC LIMIT 1 @FOR_UPDATE";
static const char SQL_INVITE[] =
    "SELECT id, status, expires_at FROM event_invites WHERE event_id = $1 AND invited_user_id = $2 "
    "AND status IN ('pending', 'accepted') @FOR_UPDATE";
static const char SQL_EXPIRE_DUE[] =
    "UPDATE event_invites SET status = 'expired', updated_at = $3 WHERE event_id = $1 AND "
    "invited_user_id = $2 AND status = 'pending' AND expires_at IS NOT NULL AND expires_at <= $3";

static int admission_request(op_t *op, confirm_ctx_t *x)
{
    db_rows_t *rows;
    int rc = db_query(op->db, SQL_ACCEPTED_REQUEST,
                      DB_ARGS(db_int(x->event_id), db_int(op->actor.id)), &rows);
    if (rc != DB_OK)
        return rc;
    if (db_next(rows)) {
        x->request_id = db_col_int(rows, 0);
        x->allowed = (int)db_col_int(rows, 1);
    }
    rc = db_rows_status(rows);
    db_rows_free(rows);
    return rc;
}

/* An invitation admits one guest, two with the event's plus-one. */
static int admission_invite(op_t *op, confirm_ctx_t *x)
{
    db_rows_t *rows;
    int rc =
        db_query(op->db, SQL_INVITE, DB_ARGS(db_int(x->event_id), db_int(op->actor.id)), &rows);
    if (rc != DB_OK)
        return rc;
    if (db_next(rows)) {
        bool pending = strcmp(db_col_text(rows, 1), "pending") == 0;
        int64_t expires = db_col_time(rows, 2);
        if (pending && expires && expires <= op->now_us) {
            x->invite_expired = true; /* marked after this transaction: see below */
        } else {
            x->invite_id = db_col_int(rows, 0);
            x->invite_pending = pending;
            x->allowed = x->e.allow_plus_one ? 2 : 1;
        }
    }
    rc = db_rows_status(rows);
    db_rows_free(rows);
    return rc;
}

static const char SQL_EXPIRED_INVITE[] =
    "SELECT 1 FROM event_invites WHERE event_id = $1 AND invited_user_id = $2 AND status = "
    "'expired'";

static err_t *find_admission(op_t *op, confirm_ctx_t *x)
{
    int rc = admission_request(op, x);
    if (rc == DB_OK && !x->request_id)
        rc = admission_invite(op, x);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (x->request_id || x->invite_id)
        return NULL;
    if (x->invite_expired)
        return op_fail(op, 400, "INVITATION_EXPIRED", "Your invitation to this event has expired.");
    int64_t one = 0;
    bool expired = false;
    rc = db_query_int(op->db, SQL_EXPIRED_INVITE,
                      DB_ARGS(db_int(x->event_id), db_int(op->actor.id)), &one, &expired);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (expired)
        return op_fail(op, 400, "INVITATION_EXPIRED", "Your invitation to this event has expired.");
    return op_fail(op, 400, "NO_ACCEPTED_REQUEST",
                   "You must have an accepted request to confirm attendance");
}

/* ---- the seat holder and the ticket ------------------------------------------------ */

/* One statement takes the seats: a new seat holder, or one who cancelled
 * coming back (the row is reused). No row changes when the person already
 * holds seats. */
static const char SQL_ATTENDEE_TAKE[] =
    "INSERT INTO event_attendees (uuid, event_id, user_id, request_id, invite_id, seats, status, "
    "is_paid, price_paid_minor, platform_fee_minor, payment_order_id, created_at, updated_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, 'going', $8, $9, $10, $11, $7, $7) ON CONFLICT (event_id, "
    "user_id) DO UPDATE SET status = 'going', seats = excluded.seats, request_id = "
    "excluded.request_id, invite_id = excluded.invite_id, checked_in_at = NULL, is_paid = "
    "excluded.is_paid, price_paid_minor = excluded.price_paid_minor, platform_fee_minor = "
    "excluded.platform_fee_minor, payment_order_id = excluded.payment_order_id, updated_at = "
    "excluded.updated_at WHERE event_attendees.status NOT IN ('going', 'checked_in')";

static err_t *capacity_full(op_t *op, const confirm_ctx_t *x)
{
    int available = event_seats_free(&x->e);
    err_t *err = op_fail(op, 400, "CAPACITY_FULL", "Event is at full capacity");
    err->context = json_pack("{s:i, s:i, s:i, s:i}", "current_attendees", x->e.going_count,
                             "max_capacity", x->e.max_capacity, "requested_seats", x->seats,
                             "available_seats", available < 0 ? 0 : available);
    return err;
}

static err_t *already(op_t *op)
{
    return op_fail(op, 400, "ALREADY_CONFIRMED", "You have already confirmed attendance");
}

/* Takes the seats: the trigger's guard decides, the transaction holds them. */
static err_t *take_seats(op_t *op, confirm_ctx_t *x)
{
    char uuid[37];
    rand_uuid(uuid);
    int64_t taken = 0;
    int rc = db_exec(op->db, SQL_ATTENDEE_TAKE,
                     DB_ARGS(db_text(uuid), db_int(x->event_id), db_int(x->user_id),
                             x->request_id ? db_int(x->request_id) : db_null(),
                             x->invite_id ? db_int(x->invite_id) : db_null(), db_int(x->seats),
                             db_time(op->now_us), db_bool(x->order_id != 0), db_int(x->price_minor),
                             db_int(x->fee_minor), x->order_id ? db_int(x->order_id) : db_null()),
                     &taken);
    if (rc == DB_CHECK && strstr(db_err_constraint(op->db), "event_seat_buckets_room"))
        return capacity_full(op, x);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    return taken == 1 ? NULL : already(op);
}

/* The ticket row, made or (after a cancellation) reused and locked, with
 * the code it had. */
static const char SQL_RECORD_TAKE[] =
    "INSERT INTO attendance_records (uuid, event_id, user_id, status, payment_status, ticket_ref, "
    "seats, created_at, updated_at) VALUES ($1, $2, $3, 'going', 'unpaid', $6, $4, $5, $5) ON "
    "CONFLICT (event_id, user_id) DO UPDATE SET updated_at = excluded.updated_at RETURNING id, "
    "code_hash";
static const char SQL_RECORD_CODE[] =
    "UPDATE attendance_records SET status = 'going', payment_status = $6, payment_order_id = $7, "
    "seats = $2, code_seed = $3, code_hash = $4, checked_in_at = NULL, checked_out_at = NULL, "
    "updated_at = $5 WHERE id = $1";
static const char SQL_REVOKE[] =
    "INSERT INTO ticket_revocations (event_id, attendance_record_id, code_hash, reason, "
    "revoked_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (code_hash) DO NOTHING";

static int revoke(op_t *op, int64_t event_id, int64_t ticket_id, const char *hash,
                  const char *reason)
{
    return db_exec_later(op->db, SQL_REVOKE,
                         DB_ARGS(db_int(event_id), db_int(ticket_id), db_text(hash),
                                 db_text(reason), db_time(op->now_us)));
}

/* The ticket row (reused after a cancellation: the old code is revoked) and
 * a fresh seed, whose code's hash is all the database learns. The code and
 * the revocation go with the commit. */
static int issue_ticket(op_t *op, confirm_ctx_t *x)
{
    db_rows_t *rows;
    char old_hash[TICKET_HASH_HEX] = "", uuid[37], seed_hex[2 * TICKET_SEED_BYTES + 1];
    char code[TICKET_CODE_LEN + 1], hash[TICKET_HASH_HEX];
    rand_uuid(uuid);
    int rc = db_query(op->db, SQL_RECORD_TAKE,
                      DB_ARGS(db_text(uuid), db_int(x->event_id), db_int(x->user_id),
                              db_int(x->seats), db_time(op->now_us), db_text(uuid)),
                      &rows);
    if (rc != DB_OK)
        return rc;
    if (db_next(rows)) {
        x->ticket_id = db_col_int(rows, 0);
        snprintf(old_hash, sizeof old_hash, "%s",
                 db_col_isnull(rows, 1) ? "" : db_col_text(rows, 1));
    }
    rc = db_rows_status(rows);
    db_rows_free(rows);
    if (rc == DB_OK && !x->ticket_id) /* an upsert always returns its row */
        rc = DB_ERROR;
    if (rc == DB_OK && *old_hash)
        rc = revoke(op, x->event_id, x->ticket_id, old_hash, "replaced");
    ticket_keypair_t kp;
    bool found = false;
    if (rc == DB_OK)
        rc = ticket_keys_get(op, x->event_id, &kp, &found);
    if (rc != DB_OK || !found)
        return rc != DB_OK ? rc : DB_ERROR;
    rand_hex(seed_hex, TICKET_SEED_BYTES);
    rc = ticket_keys_code(&kp, x->ticket_id, seed_hex, code);
    sodium_memzero(&kp, sizeof kp);
    ticket_code_hash(code, hash);
    return rc != DB_OK
               ? rc
               : db_exec_later(op->db, SQL_RECORD_CODE,
                               DB_ARGS(db_int(x->ticket_id), db_int(x->seats), db_text(seed_hex),
                                       db_text(hash), db_time(op->now_us),
                                       db_text(x->order_id ? "paid" : "unpaid"),
                                       x->order_id ? db_int(x->order_id) : db_null()));
}

static const char SQL_INVITE_ACCEPT[] =
    "UPDATE event_invites SET status = 'accepted', responded_at = $2, updated_at = $2 WHERE id = "
    "$1 AND status = 'pending'";

/* A pending invitation is accepted by confirming (the app's "Going!"). */
static int accept_invite(op_t *op, const confirm_ctx_t *x)
{
    if (!x->invite_pending)
        return DB_OK;
    int rc = db_exec(op->db, SQL_INVITE_ACCEPT, DB_ARGS(db_int(x->invite_id), db_time(op->now_us)),
                     NULL);
    return rc == DB_OK ? invite_notify_host(op, &x->e, x->invite_id, true) : rc;
}

static int notify_ticket(op_t *op, const confirm_ctx_t *x)
{
    notify_ref_t n = {
        .to = x->user_id,
        .key = "ticket_confirmed",
        .reference_type = "attendance",
        .reference_id = x->ticket_id,
        .metadata = arena_printf(op->arena, "{\"event_id\":%lld,\"ticket_id\":%lld,\"seats\":%d}",
                                 (long long)x->event_id, (long long)x->ticket_id, x->seats)};
    return notify_template(op, &n, TPL_ARGS({"event_name", x->e.title}));
}

static err_t *confirm_tx(op_t *op, void *arg)
{
    confirm_ctx_t *x = arg;
    bool found = false;
    x->request_id = x->invite_id = x->ticket_id = 0;
    x->invite_pending = x->invite_expired = false;
    int rc = event_load(op->db, op->arena, x->event_id, &x->e, &found);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (!found || !x->e.is_active)
        return event_not_found(op, x->event_id);
    err_t *err = check_event(op, &x->e);
    if (!err)
        err = find_admission(op, x);
    if (err)
        return err;
    int asked = x->seats ? x->seats : x->allowed;
    if (asked > x->allowed)
        return op_fail(op, 400, "SEATS_EXCEED_ACCEPTED",
                       "You were accepted for %d seat(s) and cannot confirm %d.", x->allowed,
                       asked);
    x->seats = asked;
    rc = accept_invite(op, x);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if ((err = take_seats(op, x)))
        return err;
    rc = issue_ticket(op, x);
    if (rc == DB_OK)
        rc = notify_ticket(op, x);
    if (rc == DB_OK)
        rc = audit(
            op, "event.attendance.confirmed", x->event_id,
            json_pack("{s:I, s:i}", "ticket_id", (json_int_t)x->ticket_id, "seats", x->seats));
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}

static err_t *expire_tx(op_t *op, void *arg)
{
    int64_t event_id = *(int64_t *)arg;
    int rc = db_exec(op->db, SQL_EXPIRE_DUE,
                     DB_ARGS(db_int(event_id), db_int(op->actor.id), db_time(op->now_us)), NULL);
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}

err_t *attendance_confirm(op_t *op, int64_t event_id, int seats, json_t **out)
{
    confirm_ctx_t x = {.event_id = event_id, .user_id = op->actor.id, .seats = seats};
    err_t *e = NULL;
    if (!ticket_keys_known(event_id)) {
        /* the event's first ticket in this process: its key pair may need
         * making, which needs the event (confirm_tx reads it again) */
        bool found = false;
        int rc = event_load(op->db, op->arena, event_id, &x.e, &found);
        if (rc != DB_OK)
            return op_db_fail(op, rc);
        if (!found || !x.e.is_active)
            return event_not_found(op, event_id);
        e = ticket_keys_ensure(op, event_id);
    }
    if (!e)
        e = op_tx(op, DB_TX_WRITE, confirm_tx, &x);
    /* An invitation found past its expiry is marked expired for good (API.md
     * 15 item 12) in a transaction of its own, after the refusal; the common
     * path stays one transaction (one commit) per confirmation. */
    if (e && x.invite_expired) {
        err_t *m = op_tx(op, DB_TX_WRITE, expire_tx, &event_id);
        if (m) {
            err_discard(e);
            return m;
        }
    }
    return e ? e : ticket_just_issued(op, event_id, out);
}

/* ---- cancelling --------------------------------------------------------------------- */

typedef struct {
    int64_t event_id, user_id;
    event_t e;
    int64_t request_id, ticket_id;
    int seats;
    const char *reason; /* on the revocation list: cancelled | refunded */
} cancel_ctx_t;

static const char SQL_ATTENDING[] =
    "SELECT status, seats, COALESCE(request_id, 0), is_paid FROM event_attendees WHERE event_id = "
    "$1 AND user_id = $2 @FOR_UPDATE";
static const char SQL_ATTENDEE_CANCEL[] =
    "UPDATE event_attendees SET status = 'cancelled', updated_at = $3 WHERE event_id = $1 AND "
    "user_id = $2 AND status = 'going'";
static const char SQL_RECORD_CANCEL[] =
    "UPDATE attendance_records SET status = 'cancelled', updated_at = $3 WHERE event_id = $1 AND "
    "user_id = $2 RETURNING id, code_hash";
static const char SQL_REQUEST_CANCEL[] =
    "UPDATE event_requests SET status = 'cancelled', updated_at = $2 WHERE id = $1 AND status = "
    "'accepted'";

static err_t *lock_attending(op_t *op, cancel_ctx_t *x)
{
    db_rows_t *rows;
    char status[16] = "";
    bool paid = false;
    int rc =
        db_query(op->db, SQL_ATTENDING, DB_ARGS(db_int(x->event_id), db_int(op->actor.id)), &rows);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (db_next(rows)) {
        snprintf(status, sizeof status, "%s", db_col_text(rows, 0));
        x->seats = (int)db_col_int(rows, 1);
        x->request_id = db_col_int(rows, 2);
        paid = db_col_bool(rows, 3);
    }
    rc = db_rows_status(rows);
    db_rows_free(rows);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (!strcmp(status, "checked_in"))
        return op_fail(op, 400, "ALREADY_CHECKED_IN",
                       "You have already checked in; attendance can no longer be cancelled.");
    if (strcmp(status, "going") != 0)
        return op_fail(op, 404, "ATTENDANCE_NOT_FOUND", "You are not attending this event.");
    if (paid)
        return op_fail(op, 400, "REFUND_REQUIRED", "A paid ticket is cancelled with a refund.");
    return NULL;
}

/* The ticket is cancelled and its code goes on the revocation list. */
static int cancel_ticket(op_t *op, cancel_ctx_t *x)
{
    db_rows_t *rows;
    char hash[TICKET_HASH_HEX] = "";
    int rc = db_query(op->db, SQL_RECORD_CANCEL,
                      DB_ARGS(db_int(x->event_id), db_int(x->user_id), db_time(op->now_us)), &rows);
    if (rc != DB_OK)
        return rc;
    if (db_next(rows)) {
        x->ticket_id = db_col_int(rows, 0);
        snprintf(hash, sizeof hash, "%s", db_col_isnull(rows, 1) ? "" : db_col_text(rows, 1));
    }
    rc = db_rows_status(rows);
    db_rows_free(rows);
    return rc == DB_OK && *hash ? revoke(op, x->event_id, x->ticket_id, hash, x->reason) : rc;
}

static int notify_cancel(op_t *op, const cancel_ctx_t *x)
{
    notice_t n = {.to = x->e.host_id,
                  .type = "attendance_cancelled",
                  .title = arena_printf(op->arena, "Attendance cancelled: %s",
                                        text_clip(op->arena, x->e.title, 150)),
                  .message = arena_printf(op->arena, "A guest cancelled (%d seat%s released).",
                                          x->seats, x->seats == 1 ? "" : "s"),
                  .reference_type = "attendance",
                  .reference_id = x->ticket_id,
                  .metadata = arena_printf(op->arena, "{\"event_id\":%lld,\"ticket_id\":%lld}",
                                           (long long)x->event_id, (long long)x->ticket_id)};
    return notification_write(op, &n);
}

static err_t *cancel_tx(op_t *op, void *arg)
{
    cancel_ctx_t *x = arg;
    bool found = false;
    int rc = event_load(op->db, op->arena, x->event_id, &x->e, &found);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (!found || !x->e.is_active)
        return event_not_found(op, x->event_id);
    err_t *err = lock_attending(op, x);
    if (err)
        return err;
    rc = db_exec(op->db, SQL_ATTENDEE_CANCEL,
                 DB_ARGS(db_int(x->event_id), db_int(op->actor.id), db_time(op->now_us)), NULL);
    if (rc == DB_OK)
        rc = cancel_ticket(op, x);
    if (rc == DB_OK && x->request_id)
        rc = db_exec(op->db, SQL_REQUEST_CANCEL,
                     DB_ARGS(db_int(x->request_id), db_time(op->now_us)), NULL);
    if (rc == DB_OK)
        rc = notify_cancel(op, x);
    if (rc == DB_OK)
        rc = audit(
            op, "event.attendance.cancelled", x->event_id,
            json_pack("{s:I, s:i}", "ticket_id", (json_int_t)x->ticket_id, "seats", x->seats));
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}

err_t *attendance_cancel(op_t *op, int64_t event_id, json_t **out)
{
    cancel_ctx_t x = {.event_id = event_id, .user_id = op->actor.id, .reason = "cancelled"};
    err_t *e = op_tx(op, DB_TX_WRITE, cancel_tx, &x);
    if (e)
        return e;
    *out = json_pack("{s:b, s:s, s:I, s:I, s:i, s:s}", "success", 1, "message",
                     "Attendance cancelled", "event_id", (json_int_t)event_id, "ticket_id",
                     (json_int_t)x.ticket_id, "seats_released", x.seats, "status", "cancelled");
    return NULL;
}

/* ---- paid admission (issue 10: a confirmed payment) ----------------------------------- */

err_t *attendance_admit_paid(op_t *op, const event_t *e, const admit_t *a, int64_t *ticket_id)
{
    confirm_ctx_t x = {.event_id = e->id,
                       .user_id = a->user_id,
                       .seats = a->seats,
                       .order_id = a->order_id,
                       .price_minor = a->price_minor,
                       .fee_minor = a->fee_minor,
                       .request_id = a->request_id,
                       .invite_id = a->invite_id,
                       .e = *e};
    err_t *err = take_seats(op, &x);
    if (err)
        return err;
    int rc = issue_ticket(op, &x);
    if (rc == DB_OK)
        rc = notify_ticket(op, &x);
    *ticket_id = x.ticket_id;
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}

static const char SQL_ATTENDEE_REFUNDED[] =
    "UPDATE event_attendees SET status = 'cancelled', updated_at = $3 WHERE event_id = $1 AND "
    "user_id = $2 AND status IN ('going', 'checked_in')";

int attendance_cancel_refunded(op_t *op, int64_t event_id, int64_t user_id)
{
    cancel_ctx_t x = {.event_id = event_id, .user_id = user_id, .reason = "refunded"};
    int rc = db_exec(op->db, SQL_ATTENDEE_REFUNDED,
                     DB_ARGS(db_int(event_id), db_int(user_id), db_time(op->now_us)), NULL);
    return rc == DB_OK ? cancel_ticket(op, &x) : rc;
}
