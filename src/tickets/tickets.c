/*
 * tickets.c: the ticket object (API.md 7 plus the app's venue_name and
 * cover_image_url), the caller's tickets and the host's attendee list. A
 * ticket's code is re-derived from its seed with the event's key each time it
 * is shown (tickets_sign), never read from the database.
 */
#include <stdio.h>
#include <string.h>

#include "core/text.h"
#include "events/event.h"
#include "tickets/ticket_keys.h"
#include "tickets/tickets.h"

#define SQL_TICKET                                                                                 \
    "SELECT r.id, r.event_id, e.title, e.start_time, e.end_time, r.code_seed, r.seats, "           \
    "e.is_paid, r.payment_status, r.status, r.created_at, COALESCE(v.name, e.venue_text), "        \
    "e.cover_images, r.checked_in_at, r.uuid, r.updated_at FROM attendance_records r JOIN events " \
    "e ON e.id = r.event_id LEFT JOIN venues v ON v.id = e.venue_id "

static json_t *text_or_null(db_rows_t *r, int col)
{
    return db_col_isnull(r, col) ? json_null() : json_string(db_col_text(r, col));
}

static json_t *ticket_row(op_t *op, db_rows_t *r)
{
    (void)op;
    return json_pack(
        "{s:I, s:s, s:I, s:s, s:o, s:o, s:s, s:i, s:b, s:s, s:s, s:o, s:o, s:o, s:o, s:o}",
        "ticket_id", (json_int_t)db_col_int(r, 0), "ticket_uuid", db_col_text(r, 14), "event_id",
        (json_int_t)db_col_int(r, 1), "event_title", db_col_text(r, 2), "event_start_time",
        text_json_time_or_null(db_col_time(r, 3)), "event_end_time",
        text_json_time_or_null(db_col_time(r, 4)), "_seed",
        db_col_isnull(r, 5) ? "" : db_col_text(r, 5), "seats", (int)db_col_int(r, 6), "is_paid",
        db_col_bool(r, 7), "payment_status", db_col_text(r, 8), "status", db_col_text(r, 9),
        "created_at", text_json_time_or_null(db_col_time(r, 10)), "venue_name", text_or_null(r, 11),
        "cover_image_url", text_json_first_string(db_col_text(r, 12)), "checked_in_at",
        text_json_time_or_null(db_col_time(r, 13)), "updated_at",
        text_json_time_or_null(db_col_time(r, 15)));
}

/* Runs a ticket query into a list (rows first, then signing: the key lookup
 * needs the connection the cursor holds). */
static err_t *collect(op_t *op, const char *sql, const db_param_t *p, int np, json_t **out)
{
    json_t *list = NULL;
    err_t *e = op_list(op, sql, p, np, ticket_row, &list);
    if (!e && (e = tickets_sign(op, list)) != NULL)
        json_decref(list);
    *out = e ? NULL : list;
    return e;
}

err_t *tickets_sign(op_t *op, json_t *tickets)
{
    size_t i;
    json_t *t;
    json_array_foreach(tickets, i, t)
    {
        ticket_keypair_t kp;
        bool found = false;
        char code[TICKET_CODE_LEN + 1] = "";
        int64_t event_id = json_integer_value(json_object_get(t, "event_id"));
        const char *seed = json_string_value(json_object_get(t, "_seed"));
        int rc = DB_OK;
        if (seed && *seed) {
            rc = ticket_keys_get(op, event_id, &kp, &found);
            if (rc == DB_OK)
                rc = found ? ticket_keys_code(&kp,
                                              json_integer_value(json_object_get(t, "ticket_id")),
                                              seed, code)
                           : DB_ERROR;
        }
        if (rc != DB_OK)
            return op_db_fail(op, rc);
        json_object_set_new(t, "ticket_secret", json_string(code));
        json_object_set_new(t, "qr_code_data",
                            json_string(*code ? arena_printf(op->arena, "EVENT:%lld:TICKET:%s",
                                                             (long long)event_id, code)
                                              : ""));
        json_object_del(t, "_seed");
    }
    return NULL;
}

static const char SQL_MINE[] =
    SQL_TICKET "WHERE r.user_id = $1 AND r.event_id = $2 AND r.status IN ('going', 'checked_in')";

err_t *ticket_just_issued(op_t *op, int64_t event_id, json_t **out)
{
    json_t *list = NULL;
    err_t *err = collect(op, SQL_MINE, DB_ARGS(db_int(op->actor.id), db_int(event_id)), &list);
    if (err)
        return err;
    *out = json_incref(json_array_get(list, 0));
    json_decref(list);
    return *out ? NULL : op_db_fail(op, DB_ERROR);
}

err_t *ticket_mine(op_t *op, int64_t event_id, json_t **out)
{
    event_t e;
    bool found = false;
    json_t *list = NULL;
    int rc = event_load(op->db, op->arena, event_id, &e, &found);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (!found || !e.is_active)
        return event_not_found(op, event_id);
    err_t *err = collect(op, SQL_MINE, DB_ARGS(db_int(op->actor.id), db_int(event_id)), &list);
    if (err)
        return err;
    json_t *t = json_incref(json_array_get(list, 0));
    json_decref(list);
    if (!t)
        return op_fail(op, 404, "TICKET_NOT_FOUND",
                       "You don't have a ticket for this event. Please confirm your attendance "
                       "first.");
    const char *paid = json_string_value(json_object_get(t, "payment_status"));
    if (e.is_paid && strcmp(paid, "paid") != 0 && strcmp(paid, "completed") != 0) {
        json_decref(t);
        return op_fail(op, 400, "PAYMENT_NOT_VERIFIED",
                       "Payment for this ticket has not been verified yet.");
    }
    *out = t;
    return NULL;
}

static const char SQL_ALL_MINE[] =
    SQL_TICKET "WHERE r.user_id = $1 AND ($2 = 0 OR r.event_id = $2) AND r.status IN ('going', "
               "'checked_in') AND (e.is_paid = $3 OR r.payment_status IN ('paid', 'completed')) "
               "ORDER BY r.created_at DESC, r.id DESC LIMIT 500";

err_t *tickets_mine(op_t *op, int64_t event_id, json_t **out)
{
    return collect(op, SQL_ALL_MINE,
                   DB_ARGS(db_int(op->actor.id), db_int(event_id), db_bool(false)), out);
}

/* ---- the host's attendee list ---------------------------------------------------- */

static const char SQL_ATTENDEES[] =
    "SELECT a.user_id, COALESCE(p.name, ''), u.phone, p.profile_pictures, a.status, a.seats, "
    "r.id, r.code_seed, r.status, r.checked_in_at, a.event_id FROM event_attendees a JOIN users u "
    "ON u.id = a.user_id LEFT JOIN user_profiles p ON p.user_id = a.user_id LEFT JOIN "
    "attendance_records r ON r.event_id = a.event_id AND r.user_id = a.user_id WHERE a.event_id = "
    "$1 AND a.status IN ('going', 'checked_in') ORDER BY a.created_at, a.id";

static json_t *attendee_row(db_rows_t *r)
{
    bool in = !db_col_isnull(r, 8) && strcmp(db_col_text(r, 8), "checked_in") == 0;
    return json_pack(
        "{s:I, s:s, s:o, s:o, s:s, s:i, s:o, s:I, s:s, s:b, s:b, s:o, s:s}", "user_id",
        (json_int_t)db_col_int(r, 0), "full_name", db_col_text(r, 1), "username",
        text_or_null(r, 2), "profile_picture_url", text_json_first_string(db_col_text(r, 3)),
        "status", in ? "checked_in" : db_col_text(r, 4), "seats", (int)db_col_int(r, 5),
        "ticket_id", op_col_int_or_null(r, 6), "event_id", (json_int_t)db_col_int(r, 10), "_seed",
        db_col_isnull(r, 7) ? "" : db_col_text(r, 7), "checked_in", in, "is_checked_in", in,
        "checked_in_at", text_json_time_or_null(db_col_time(r, 9)), "ticket_status",
        db_col_isnull(r, 8) ? "" : db_col_text(r, 8));
}

err_t *attendees_of_event(op_t *op, int64_t event_id, json_t **out)
{
    db_rows_t *rows;
    json_t *list = json_array();
    int64_t going = 0;
    int rc = db_query(op->db, SQL_ATTENDEES, DB_ARGS(db_int(event_id)), &rows);
    while (rc == DB_OK && db_next(rows)) {
        going += db_col_int(rows, 5);
        json_array_append_new(list, attendee_row(rows));
    }
    if (rc == DB_OK) {
        rc = db_rows_status(rows);
        db_rows_free(rows);
    }
    err_t *e = rc == DB_OK ? tickets_sign(op, list) : op_db_fail(op, rc);
    if (e) {
        json_decref(list);
        return e;
    }
    size_t i;
    json_t *a;
    json_array_foreach(list, i, a)
    {
        json_object_del(a, "event_id");
        json_object_del(a, "qr_code_data");
    }
    *out = json_pack("{s:I, s:o}", "going_count", (json_int_t)going, "attendees", list);
    return NULL;
}
