/*
 * scan_data.c: what an offline scanner downloads (the event's public key,
 * the valid tickets, the revocation list; incremental with ?since=) and the
 * host's list of who is in.
 */
#include <string.h>

#include "core/text.h"
#include "tickets/ticket_keys.h"
#include "tickets/tickets.h"

static const char SQL_PUBLIC_KEY[] = "SELECT public_key FROM event_ticket_keys WHERE event_id = $1";
static const char SQL_TICKETS[] =
    "SELECT r.id, r.user_id, COALESCE(p.name, ''), r.seats, r.status, r.checked_in_at, "
    "r.code_hash, r.payment_status, r.updated_at FROM attendance_records r LEFT JOIN "
    "user_profiles p ON p.user_id = r.user_id WHERE r.event_id = $1 AND r.updated_at > $2 AND "
    "r.code_hash IS NOT NULL ORDER BY r.id";
static const char SQL_REVOKED[] =
    "SELECT attendance_record_id, code_hash, reason, revoked_at FROM ticket_revocations WHERE "
    "event_id = $1 AND revoked_at > $2 ORDER BY id";

static json_t *ticket_item(db_rows_t *r)
{
    return json_pack("{s:I, s:I, s:s, s:i, s:s, s:o, s:s, s:s}", "ticket_id",
                     (json_int_t)db_col_int(r, 0), "user_id", (json_int_t)db_col_int(r, 1), "name",
                     db_col_text(r, 2), "seats", (int)db_col_int(r, 3), "status", db_col_text(r, 4),
                     "checked_in_at", text_json_time_or_null(db_col_time(r, 5)), "code_sha256",
                     db_col_text(r, 6), "payment_status", db_col_text(r, 7));
}

static json_t *revoked_item(db_rows_t *r)
{
    return json_pack("{s:I, s:s, s:s, s:o}", "ticket_id", (json_int_t)db_col_int(r, 0),
                     "code_sha256", db_col_text(r, 1), "reason", db_col_text(r, 2), "revoked_at",
                     text_json_time_or_null(db_col_time(r, 3)));
}

static int rows_into(op_t *op, const char *sql, int64_t event_id, int64_t since,
                     json_t *(*item)(db_rows_t *), json_t *list)
{
    db_rows_t *rows;
    int rc = db_query(op->db, sql, DB_ARGS(db_int(event_id), db_time(since)), &rows);
    if (rc != DB_OK)
        return rc;
    while (db_next(rows))
        json_array_append_new(list, item(rows));
    rc = db_rows_status(rows);
    db_rows_free(rows);
    return rc;
}

err_t *scan_data(op_t *op, int64_t event_id, int64_t since, json_t **out)
{
    db_rows_t *rows;
    json_t *key = json_null(), *tickets = json_array(), *revoked = json_array();
    int rc = db_query(op->db, SQL_PUBLIC_KEY, DB_ARGS(db_int(event_id)), &rows);
    if (rc == DB_OK) {
        if (db_next(rows))
            key = json_string(db_col_text(rows, 0));
        rc = db_rows_status(rows);
        db_rows_free(rows);
    }
    if (rc == DB_OK)
        rc = rows_into(op, SQL_TICKETS, event_id, since, ticket_item, tickets);
    if (rc == DB_OK)
        rc = rows_into(op, SQL_REVOKED, event_id, since, revoked_item, revoked);
    if (rc != DB_OK) {
        json_decref(key);
        json_decref(tickets);
        json_decref(revoked);
        return op_db_fail(op, rc);
    }
    *out = json_pack("{s:I, s:o, s:s, s:o, s:o, s:o}", "event_id", (json_int_t)event_id,
                     "public_key", key, "algorithm", "Ed25519", "server_time",
                     text_json_time(op->now_us), "tickets", tickets, "revoked", revoked);
    return NULL;
}

static const char SQL_CHECKED_IN[] =
    "SELECT r.user_id, r.id, COALESCE(p.name, ''), r.seats, r.checked_in_at FROM "
    "attendance_records r LEFT JOIN user_profiles p ON p.user_id = r.user_id WHERE r.event_id = "
    "$1 AND r.status = 'checked_in' ORDER BY r.checked_in_at, r.id";

static json_t *checkin_row(op_t *op, db_rows_t *rows)
{
    (void)op;
    return json_pack("{s:I, s:I, s:s, s:i, s:o}", "user_id", (json_int_t)db_col_int(rows, 0),
                     "ticket_id", (json_int_t)db_col_int(rows, 1), "name", db_col_text(rows, 2),
                     "seats", (int)db_col_int(rows, 3), "checked_in_at",
                     text_json_time_or_null(db_col_time(rows, 4)));
}

err_t *checkins_of_event(op_t *op, int64_t event_id, json_t **out)
{
    json_t *list = NULL;
    err_t *e = op_list(op, SQL_CHECKED_IN, DB_ARGS(db_int(event_id)), checkin_row, &list);
    if (!e)
        *out = json_pack("{s:I, s:i, s:o}", "event_id", (json_int_t)event_id, "count",
                         (int)json_array_size(list), "checked_in", list);
    return e;
}
