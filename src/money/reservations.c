/*
 * reservations.c: capacity reservations for paid admission (see
 * reservations.h). Only rows are written here: the seats move by trigger.
 */
#include "money/reservations.h"

#include <stdio.h>
#include <string.h>

#include "app.h"
#include "core/rand.h"
#include "core/text.h"
#include "notifications/notifications.h"

static const char SQL_RECLAIM[] =
    "UPDATE capacity_reservations SET released_at = $2, updated_at = $2 WHERE event_id = $1 AND "
    "consumed = $3 AND released_at IS NULL AND expires_at <= $2";
static const char SQL_INSERT[] =
    "INSERT INTO capacity_reservations (reservation_key, event_id, user_id, request_id, "
    "seats_reserved, expires_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) "
    "RETURNING id";
static const char SQL_LIVE[] =
    "SELECT id, reservation_key, seats_reserved, expires_at FROM capacity_reservations WHERE "
    "event_id = $1 AND user_id = $2 AND consumed = $4 AND released_at IS NULL AND expires_at > $3 "
    "ORDER BY id DESC LIMIT 1";
static const char SQL_EXPIRE_ALL[] =
    "UPDATE capacity_reservations SET released_at = $1, updated_at = $1 WHERE id IN (SELECT id "
    "FROM capacity_reservations WHERE consumed = $2 AND released_at IS NULL AND expires_at <= $1 "
    "ORDER BY id LIMIT 500) RETURNING id, user_id, event_id";

int reservations_reclaim(op_t *op, int64_t event_id)
{
    return db_exec(op->db, SQL_RECLAIM,
                   DB_ARGS(db_int(event_id), db_time(op->now_us), db_bool(false)), NULL);
}

int reservation_create(op_t *op, int64_t event_id, int64_t user_id, int64_t request_id, int seats,
                       reservation_t *out)
{
    int rc = reservations_reclaim(op, event_id);
    if (rc != DB_OK)
        return rc;
    memset(out, 0, sizeof *out);
    rand_uuid(out->key);
    out->seats = seats;
    out->expires_at = op->now_us + (int64_t)op->app->cfg.reservation_minutes * 60 * 1000000;
    bool found = false;
    return db_query_int(op->db, SQL_INSERT,
                        DB_ARGS(db_text(out->key), db_int(event_id), db_int(user_id),
                                request_id ? db_int(request_id) : db_null(), db_int(seats),
                                db_time(out->expires_at), db_time(op->now_us)),
                        &out->id, &found);
}

int reservation_live(op_t *op, int64_t event_id, int64_t user_id, reservation_t *out, bool *found)
{
    db_rows_t *rows;
    int rc = db_query(
        op->db, SQL_LIVE,
        DB_ARGS(db_int(event_id), db_int(user_id), db_time(op->now_us), db_bool(false)), &rows);
    if (rc != DB_OK)
        return rc;
    if ((*found = db_next(rows))) {
        out->id = db_col_int(rows, 0);
        snprintf(out->key, sizeof out->key, "%s", db_col_text(rows, 1));
        out->seats = (int)db_col_int(rows, 2);
        out->expires_at = db_col_time(rows, 3);
    }
    rc = db_rows_status(rows);
    db_rows_free(rows);
    return rc;
}

int reservations_expire_all(op_t *op, int64_t *released)
{
    db_rows_t *rows;
    int64_t told[3 * 500];
    int n = 0;
    *released = 0;
    int rc = db_query(op->db, SQL_EXPIRE_ALL, DB_ARGS(db_time(op->now_us), db_bool(false)), &rows);
    if (rc != DB_OK)
        return rc;
    while (n < 500 && db_next(rows)) {
        told[3 * n] = db_col_int(rows, 0);
        told[3 * n + 1] = db_col_int(rows, 1);
        told[3 * n + 2] = db_col_int(rows, 2);
        n++;
    }
    rc = db_rows_status(rows);
    db_rows_free(rows);
    for (int i = 0; i < n && rc == DB_OK; i++) {
        notice_t note = {
            .to = told[3 * i + 1],
            .type = "reminder",
            .title = "Your held seats were released",
            .message = "The seats held for you were not paid in time. Ask to renew "
                       "them while seats remain.",
            .reference_type = "capacity_reservation",
            .reference_id = told[3 * i],
            .metadata = arena_printf(op->arena, "{\"event_id\":%lld}", (long long)told[3 * i + 2])};
        rc = notification_write(op, &note);
    }
    *released = n;
    return rc;
}

json_t *reservation_json(const reservation_t *r, int64_t event_id)
{
    return json_pack("{s:s, s:I, s:i, s:o}", "reservation_key", r->key, "event_id",
                     (json_int_t)event_id, "seats", r->seats, "reservation_expires_at",
                     text_json_time(r->expires_at));
}

/* ---- renewing ------------------------------------------------------------------------ */

typedef struct {
    int64_t event_id;
    reservation_t r;
} renew_ctx_t;

static const char SQL_ADMITTED[] =
    "SELECT COALESCE((SELECT seats_requested FROM event_requests WHERE event_id = $1 AND "
    "requester_id = $2 AND status = 'accepted' ORDER BY id DESC LIMIT 1), (SELECT 1 FROM "
    "event_invites WHERE event_id = $1 AND invited_user_id = $2 AND status = 'accepted'), 0)";
static const char SQL_REQUEST_ID[] =
    "SELECT id FROM event_requests WHERE event_id = $1 AND requester_id = $2 AND status = "
    "'accepted' ORDER BY id DESC LIMIT 1";
static const char SQL_ATTENDING[] =
    "SELECT count(*) FROM event_attendees WHERE event_id = $1 AND user_id = $2 AND status IN "
    "('going', 'checked_in')";

static err_t *renew_checks(op_t *op, renew_ctx_t *x, const event_t *e, int *seats)
{
    int64_t n = 0, attending = 0;
    bool found = false;
    if (!e->is_paid)
        return op_fail(op, 400, "EVENT_NOT_PAID",
                       "This event is free: confirm your attendance instead.");
    if (strcmp(e->status, "published") != 0 || (e->end_time && e->end_time <= op->now_us))
        return op_fail(op, 400, "EVENT_NOT_PUBLISHED", "This event is not open for tickets.");
    int rc = db_query_int(op->db, SQL_ADMITTED, DB_ARGS(db_int(x->event_id), db_int(op->actor.id)),
                          &n, &found);
    if (rc == DB_OK)
        rc = db_query_int(op->db, SQL_ATTENDING, DB_ARGS(db_int(x->event_id), db_int(op->actor.id)),
                          &attending, &found);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (attending)
        return op_fail(op, 400, "ALREADY_CONFIRMED", "You already have a ticket for this event.");
    if (!n)
        return op_fail(op, 400, "NO_ACCEPTED_REQUEST",
                       "You must have an accepted request or invitation to reserve seats.");
    *seats = (int)n;
    return NULL;
}

static err_t *renew_tx(op_t *op, void *arg)
{
    renew_ctx_t *x = arg;
    event_t e;
    bool found = false;
    int seats = 0;
    int64_t request_id = 0;
    int rc = event_load(op->db, op->arena, x->event_id, &e, &found);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (!found || !e.is_active)
        return event_not_found(op, x->event_id);
    err_t *err = renew_checks(op, x, &e, &seats);
    if (err)
        return err;
    if ((rc = reservation_live(op, x->event_id, op->actor.id, &x->r, &found)) != DB_OK)
        return op_db_fail(op, rc);
    if (found)
        return NULL; /* still holding: the same one */
    rc = db_query_int(op->db, SQL_REQUEST_ID, DB_ARGS(db_int(x->event_id), db_int(op->actor.id)),
                      &request_id, &found);
    if (rc == DB_OK)
        rc = reservation_create(op, x->event_id, op->actor.id, request_id, seats, &x->r);
    if (rc == DB_CHECK && strstr(db_err_constraint(op->db), "event_seat_buckets_room"))
        return op_fail(op, 400, "CAPACITY_FULL", "Event is at full capacity");
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}

err_t *reservation_renew(op_t *op, int64_t event_id, json_t **out)
{
    renew_ctx_t x = {.event_id = event_id};
    err_t *e = op_tx(op, DB_TX_WRITE, renew_tx, &x);
    if (!e)
        *out = reservation_json(&x.r, event_id);
    return e;
}
