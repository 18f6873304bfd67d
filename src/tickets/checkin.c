/*
 * checkin.c: the door (docs/tickets.md). A scan names a ticket by its signed
 * code (or, from the app's guest list, by the attendee); the code's
 * signature is checked with the event's public key before the database is
 * asked anything. Each scan is one transaction: the ticket row is locked and
 * the decision made, then the scan is recorded in ticket_scans under its
 * nonce with that decision, and only a scan recorded there first applies it.
 * The same nonce again (a retry, an offline batch uploaded twice, or a
 * racing twin, which waits on the nonce's index entry) finds the recorded
 * answer and repeats it; two scanners racing on one ticket queue on its row
 * lock, so exactly one gets "ok".
 */
#include <stdio.h>
#include <string.h>

#include "core/rand.h"
#include "core/text.h"
#include "events/event.h"
#include "tickets/ticket_keys.h"
#include "tickets/tickets.h"

/* The ticket as the answer shows it (after the scan's change, if any). */
typedef struct {
    int64_t id, user_id, in_at, out_at;
    int seats;
    char name[404], status[16]; /* name: 100 characters, 4 bytes each at most */
} holder_t;

typedef struct {
    int64_t event_id;
    const scan_t *s;
    bool is_paid;
    const char *reason; /* set before the transaction for codes refused on sight */
    ticket_code_t code;
    char hash[TICKET_HASH_HEX];
    char nonce[SCAN_NONCE_MAX + 1];
    int64_t scan_id, ticket_id;
    holder_t h; /* h.id 0: no ticket found */
    json_t *out;
} scan_ctx_t;

static const char SQL_SCAN_CLAIM[] =
    "INSERT INTO ticket_scans (uuid, event_id, scanned_by_id, client_scan_id, device_id, action, "
    "source, result, reason, attendance_record_id, scanned_at, created_at, updated_at) VALUES ($1, "
    "$2, $3, $4, $5, $6, $7, $10, $11, $12, $8, $9, $9) ON CONFLICT (scanned_by_id, "
    "client_scan_id) DO NOTHING RETURNING id";
static const char SQL_SCAN_PAST[] =
    "SELECT event_id, result, reason, COALESCE(attendance_record_id, 0), action FROM ticket_scans "
    "WHERE scanned_by_id = $1 AND client_scan_id = $2";
/* The decision's row, locked, with what the answer shows of its holder: by
 * the code's ticket id, or by the attendee (the app's button). Two texts, not
 * one "id = $2 OR ($2 = 0 AND user_id = $3)": a prepared statement's generic
 * plan cannot pick an index for that OR and reads the event's tickets. */
#define SQL_LOCK_TICKET                                                                            \
    "SELECT id, status, COALESCE(code_hash, ''), payment_status, checked_in_at, user_id, seats, "  \
    "checked_out_at, COALESCE((SELECT p.name FROM user_profiles p WHERE p.user_id = "              \
    "attendance_records.user_id), '') FROM attendance_records WHERE event_id = $1 AND "
static const char SQL_LOCK_BY_ID[] = SQL_LOCK_TICKET "id = $2 @FOR_UPDATE";
static const char SQL_LOCK_BY_USER[] = SQL_LOCK_TICKET "user_id = $2 @FOR_UPDATE";
static const char SQL_ENTER[] =
    "UPDATE attendance_records SET status = 'checked_in', checked_in_at = $2, checked_out_at = "
    "NULL, updated_at = $3 WHERE id = $1";
static const char SQL_EXIT[] =
    "UPDATE attendance_records SET status = 'not_going', checked_out_at = $2, updated_at = $3 "
    "WHERE id = $1";
static const char SQL_ATTENDEE_VIEW[] =
    "SELECT r.id, r.user_id, COALESCE(p.name, ''), r.seats, r.status, r.checked_in_at, "
    "r.checked_out_at FROM attendance_records r LEFT JOIN user_profiles p ON p.user_id = "
    "r.user_id WHERE r.id = $1";

/* A replayed scan shows the ticket as it is now. */
static int load_holder(op_t *op, int64_t ticket_id, holder_t *h)
{
    db_rows_t *rows;
    int rc = db_query(op->db, SQL_ATTENDEE_VIEW, DB_ARGS(db_int(ticket_id)), &rows);
    if (rc != DB_OK)
        return rc;
    if (db_next(rows)) {
        h->id = db_col_int(rows, 0);
        h->user_id = db_col_int(rows, 1);
        snprintf(h->name, sizeof h->name, "%s", db_col_text(rows, 2));
        h->seats = (int)db_col_int(rows, 3);
        snprintf(h->status, sizeof h->status, "%s", db_col_text(rows, 4));
        h->in_at = db_col_time(rows, 5);
        h->out_at = db_col_time(rows, 6);
    }
    rc = db_rows_status(rows);
    db_rows_free(rows);
    return rc;
}

/* The answer: pretix's {status, reason, attendee} and the app's
 * {success, already_checked_in, attendance}. */
static int answer(scan_ctx_t *x, const char *reason, bool exit)
{
    const holder_t *h = &x->h;
    json_t *attendee = json_null(), *attendance = json_null();
    if (h->id) {
        attendee = json_pack("{s:s, s:i, s:I, s:I}", "name", h->name, "seats", h->seats, "user_id",
                             (json_int_t)h->user_id, "ticket_id", (json_int_t)h->id);
        attendance = json_pack("{s:I, s:s, s:o, s:o}", "ticket_id", (json_int_t)h->id, "status",
                               h->status, "checked_in_at", text_json_time_or_null(h->in_at),
                               "checked_out_at", text_json_time_or_null(h->out_at));
    }
    bool ok = reason == NULL;
    json_decref(x->out);
    x->out =
        json_pack("{s:s, s:o, s:o, s:b, s:b, s:o, s:s, s:s}", "status", ok ? "ok" : "error",
                  "reason", ok ? json_null() : json_string(reason), "attendee", attendee, "success",
                  ok, "already_checked_in", reason && !strcmp(reason, "already_redeemed"),
                  "attendance", attendance, "type", exit ? "exit" : "entry", "nonce", x->nonce);
    return x->out ? DB_OK : DB_ERROR;
}

/* A nonce seen before: the recorded answer, again. */
static err_t *replay(op_t *op, scan_ctx_t *x)
{
    db_rows_t *rows;
    char result[16] = "", reason[40] = "", action[16] = "";
    int64_t event_id = 0;
    int rc =
        db_query(op->db, SQL_SCAN_PAST, DB_ARGS(db_int(op->actor.id), db_text(x->nonce)), &rows);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (db_next(rows)) {
        event_id = db_col_int(rows, 0);
        snprintf(result, sizeof result, "%s", db_col_text(rows, 1));
        snprintf(reason, sizeof reason, "%s", db_col_text(rows, 2));
        x->ticket_id = db_col_int(rows, 3);
        snprintf(action, sizeof action, "%s", db_col_text(rows, 4));
    }
    rc = db_rows_status(rows);
    db_rows_free(rows);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (event_id != x->event_id)
        return op_fail(op, 409, "NONCE_REUSED", "This nonce was used for another scan.");
    if (x->ticket_id && (rc = load_holder(op, x->ticket_id, &x->h)) != DB_OK)
        return op_db_fail(op, rc);
    rc = answer(x, !strcmp(result, "accepted") ? NULL : reason, !strcmp(action, "check_out"));
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}

/* Records the scan and its outcome under its nonce; false in *fresh when
 * the nonce was seen (nothing is written then). */
static int claim(op_t *op, scan_ctx_t *x, const char *reason, bool *fresh)
{
    char uuid[37];
    rand_uuid(uuid);
    int64_t when =
        x->s->scanned_at && x->s->scanned_at < op->now_us ? x->s->scanned_at : op->now_us;
    db_rows_t *rows;
    int rc = db_query(
        op->db, SQL_SCAN_CLAIM,
        DB_ARGS(db_text(uuid), db_int(x->event_id), db_int(op->actor.id), db_text(x->nonce),
                db_text(x->s->device_id ? x->s->device_id : ""),
                db_text(x->s->exit ? "check_out" : "check_in"),
                db_text(x->s->offline ? "offline" : "online"), db_time(when), db_time(op->now_us),
                db_text(!reason                               ? "accepted"
                        : !strcmp(reason, "already_redeemed") ? "duplicate"
                                                              : "rejected"),
                db_text(reason ? reason : ""), x->ticket_id ? db_int(x->ticket_id) : db_null()),
        &rows);
    if (rc != DB_OK)
        return rc;
    *fresh = db_next(rows);
    if (*fresh)
        x->scan_id = db_col_int(rows, 0);
    rc = db_rows_status(rows);
    db_rows_free(rows);
    return rc;
}

/* Locks the scanned ticket's row and reads it; x->h.id stays 0 without one. */
static int lock_ticket(op_t *op, scan_ctx_t *x, char hash[TICKET_HASH_HEX], char paid[16])
{
    db_rows_t *rows;
    holder_t *h = &x->h;
    int rc = db_query(
        op->db, x->s->code ? SQL_LOCK_BY_ID : SQL_LOCK_BY_USER,
        DB_ARGS(db_int(x->event_id), db_int(x->s->code ? x->code.ticket_id : x->s->user_id)),
        &rows);
    if (rc != DB_OK)
        return rc;
    if (db_next(rows)) {
        x->ticket_id = h->id = db_col_int(rows, 0);
        snprintf(h->status, sizeof h->status, "%s", db_col_text(rows, 1));
        snprintf(hash, TICKET_HASH_HEX, "%s", db_col_text(rows, 2));
        snprintf(paid, 16, "%s", db_col_text(rows, 3));
        h->in_at = db_col_time(rows, 4);
        h->user_id = db_col_int(rows, 5);
        h->seats = (int)db_col_int(rows, 6);
        h->out_at = db_col_time(rows, 7);
        snprintf(h->name, sizeof h->name, "%s", db_col_text(rows, 8));
    }
    rc = db_rows_status(rows);
    db_rows_free(rows);
    return rc;
}

/* The decision on the locked ticket row; NULL reason = ok, and x->h then
 * shows the row as the scan leaves it (written by apply). */
static int decide(op_t *op, scan_ctx_t *x, const char **reason)
{
    char hash[TICKET_HASH_HEX] = "", paid[16] = "";
    holder_t *h = &x->h;
    int rc = lock_ticket(op, x, hash, paid);
    if (rc != DB_OK)
        return rc;
    int64_t when =
        x->s->scanned_at && x->s->scanned_at < op->now_us ? x->s->scanned_at : op->now_us;
    if (!h->id)
        *reason = "invalid";
    else if (x->s->code && strcmp(hash, x->hash) != 0)
        *reason = "revoked";
    else if (!strcmp(h->status, "cancelled") || !strcmp(h->status, "maybe"))
        *reason = "canceled";
    else if (x->is_paid && strcmp(paid, "paid") != 0 && strcmp(paid, "completed") != 0)
        *reason = "unpaid";
    else if (!x->s->exit && !strcmp(h->status, "checked_in"))
        *reason = "already_redeemed";
    else if (x->s->exit && strcmp(h->status, "checked_in") != 0)
        *reason = "not_checked_in";
    else if (x->s->exit) {
        *reason = NULL;
        h->out_at = when > h->in_at ? when : h->in_at;
        snprintf(h->status, sizeof h->status, "not_going");
    } else {
        *reason = NULL;
        h->in_at = when;
        h->out_at = 0;
        snprintf(h->status, sizeof h->status, "checked_in");
    }
    return DB_OK;
}

/* An accepted scan's change to the ticket; it goes with the commit. */
static int apply(op_t *op, const scan_ctx_t *x)
{
    const holder_t *h = &x->h;
    return x->s->exit
               ? db_exec_later(op->db, SQL_EXIT,
                               DB_ARGS(db_int(h->id), db_time(h->out_at), db_time(op->now_us)))
               : db_exec_later(op->db, SQL_ENTER,
                               DB_ARGS(db_int(h->id), db_time(h->in_at), db_time(op->now_us)));
}

static err_t *scan_tx(op_t *op, void *arg)
{
    scan_ctx_t *x = arg;
    bool fresh = false;
    const char *reason = x->reason;
    x->ticket_id = 0;
    x->h = (holder_t){0};
    int rc = reason ? DB_OK : decide(op, x, &reason);
    if (rc == DB_OK)
        rc = claim(op, x, reason, &fresh);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (!fresh) { /* seen before: its recorded answer, nothing applied */
        x->h = (holder_t){0};
        return replay(op, x);
    }
    if (!reason)
        rc = apply(op, x);
    if (rc == DB_OK)
        rc = answer(x, reason, x->s->exit);
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}

/* What can be said of a code before the database: not a ticket (404), for
 * another event, or not signed by this event's key. */
static err_t *inspect(op_t *op, scan_ctx_t *x)
{
    if (!x->s->code)
        return NULL;
    if (ticket_code_parse(x->s->code, strlen(x->s->code), &x->code) != 0)
        return op_fail(op, 404, "TICKET_NOT_FOUND", "This code is not a ticket.");
    ticket_code_hash(x->code.code, x->hash);
    if (x->code.event_id != x->event_id) {
        x->reason = "wrong_event";
        return NULL;
    }
    ticket_keypair_t kp;
    bool found = false;
    int rc = ticket_keys_get(op, x->event_id, &kp, &found);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (!found || !ticket_code_verify(&x->code, kp.pk))
        x->reason = "invalid";
    return NULL;
}

static err_t *scan_one(op_t *op, int64_t event_id, bool is_paid, const scan_t *s, json_t **out)
{
    scan_ctx_t x = {.event_id = event_id, .s = s, .is_paid = is_paid};
    if (s->nonce)
        snprintf(x.nonce, sizeof x.nonce, "%s", s->nonce);
    else
        rand_uuid(x.nonce);
    err_t *e = inspect(op, &x);
    if (!e)
        e = op_tx(op, DB_TX_WRITE, scan_tx, &x);
    if (e) {
        json_decref(x.out);
        return e;
    }
    if (!s->nonce)
        json_object_set_new(x.out, "nonce", json_null());
    *out = x.out;
    return NULL;
}

static err_t *load_event(op_t *op, int64_t event_id, event_t *e)
{
    if (op->event && op->event->id == event_id) { /* the route's owner check read it */
        *e = *op->event;
        return NULL;
    }
    bool found = false;
    int rc = event_load(op->db, op->arena, event_id, e, &found);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (!found || !e->is_active)
        return event_not_found(op, event_id);
    return NULL;
}

err_t *checkin_scan(op_t *op, int64_t event_id, const scan_t *s, json_t **out)
{
    event_t e;
    err_t *err = load_event(op, event_id, &e);
    if (!err)
        err = scan_one(op, event_id, e.is_paid, s, out);
    if (!err && s->user_id && json_is_null(json_object_get(*out, "attendee"))) {
        json_decref(*out);
        *out = NULL;
        return op_fail(op, 404, "ATTENDEE_NOT_FOUND", "This person has no ticket for this event.");
    }
    return err;
}

err_t *checkin_sync(op_t *op, int64_t event_id, const scan_t *scans, int n, json_t **out)
{
    event_t e;
    err_t *err = load_event(op, event_id, &e);
    if (err)
        return err;
    json_t *results = json_array();
    for (int i = 0; i < n; i++) {
        json_t *one = NULL;
        err = scan_one(op, event_id, e.is_paid, &scans[i], &one);
        if (err && err->status >= 500) {
            json_decref(results);
            return err;
        }
        if (err) /* this scan only: not a ticket, a reused nonce */
            one = json_pack("{s:s, s:s, s:s, s:o}", "status", "error", "reason",
                            err->status == 404 ? "invalid" : "nonce_reused", "nonce",
                            scans[i].nonce, "attendee", json_null());
        json_array_append_new(results, one);
    }
    *out = json_pack("{s:I, s:i, s:o}", "event_id", (json_int_t)event_id, "count", n, "results",
                     results);
    return NULL;
}
