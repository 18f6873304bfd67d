/*
 * exports.c: files for people: the host's attendee list as CSV (safe to
 * open in a spreadsheet: cells that would start a formula are prefixed with
 * an apostrophe, OWASP's CSV-injection advice) and an attendee's ticket as a
 * calendar entry.
 */
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/text.h"
#include "events/event.h"
#include "seo/ics.h"
#include "seo/seo_store.h"
#include "tickets/tickets.h"

/* One CSV cell: quoted, quotes doubled, a formula trigger defused. */
static void csv_cell(strbuf_t *b, const char *s, bool last)
{
    sb_putc(b, '"');
    if (s && strchr("=+-@\t\r", *s) && *s)
        sb_putc(b, '\'');
    for (; s && *s; s++) {
        if (*s == '"')
            sb_putc(b, '"');
        sb_putc(b, *s);
    }
    sb_puts(b, last ? "\"\r\n" : "\",");
}

static const char SQL_ROWS[] =
    "SELECT COALESCE(p.name, ''), a.seats, COALESCE(r.status, a.status), r.checked_in_at, "
    "r.checked_out_at, a.created_at, COALESCE(r.id, 0) FROM event_attendees a LEFT JOIN "
    "user_profiles p ON p.user_id = a.user_id LEFT JOIN attendance_records r ON r.event_id = "
    "a.event_id AND r.user_id = a.user_id WHERE a.event_id = $1 ORDER BY a.created_at, a.id";

static const char *iso_or_empty(op_t *op, db_rows_t *r, int col)
{
    if (db_col_isnull(r, col))
        return "";
    json_t *t = text_json_time(db_col_time(r, col));
    const char *s = arena_strdup(op->arena, json_string_value(t));
    json_decref(t);
    return s;
}

err_t *attendees_csv(op_t *op, int64_t event_id, char **out, size_t *len)
{
    strbuf_t b;
    db_rows_t *rows;
    sb_init(&b);
    sb_puts(&b, "\"ticket_id\",\"name\",\"seats\",\"status\",\"checked_in_at\",\"checked_out_at\","
                "\"confirmed_at\"\r\n");
    int rc = db_query(op->db, SQL_ROWS, DB_ARGS(db_int(event_id)), &rows);
    while (rc == DB_OK && db_next(rows)) {
        csv_cell(&b, arena_printf(op->arena, "%lld", (long long)db_col_int(rows, 6)), false);
        csv_cell(&b, db_col_text(rows, 0), false);
        csv_cell(&b, arena_printf(op->arena, "%lld", (long long)db_col_int(rows, 1)), false);
        csv_cell(&b, db_col_text(rows, 2), false);
        csv_cell(&b, iso_or_empty(op, rows, 3), false);
        csv_cell(&b, iso_or_empty(op, rows, 4), false);
        csv_cell(&b, iso_or_empty(op, rows, 5), true);
    }
    if (rc == DB_OK) {
        rc = db_rows_status(rows);
        db_rows_free(rows);
    }
    if (rc != DB_OK) {
        sb_free(&b);
        return op_db_fail(op, rc);
    }
    *out = sb_steal(&b, len);
    return NULL;
}

err_t *ticket_ics(op_t *op, int64_t event_id, char **out, size_t *len)
{
    json_t *t = NULL;
    event_t e;
    seo_event_t s;
    bool found = false;
    err_t *err = ticket_mine(op, event_id, &t);
    if (err)
        return err;
    int rc = event_load(op->db, op->arena, event_id, &e, &found);
    if (rc != DB_OK || !found) {
        json_decref(t);
        return op_db_fail(op, rc != DB_OK ? rc : DB_ERROR);
    }
    if ((err = seo_event_load(op, &e, &s))) {
        json_decref(t);
        return err;
    }
    int seats = (int)json_integer_value(json_object_get(t, "seats"));
    ics_event_t ev = {
        .uuid = arena_strdup(op->arena, json_string_value(json_object_get(t, "ticket_uuid"))),
        .dtstamp = op->now_us,
        .start = e.start_time,
        .end = e.end_time,
        .summary = e.title,
        .description = arena_printf(op->arena,
                                    "Your ticket: %d seat%s. Show the QR code from the app at "
                                    "the door.",
                                    seats, seats == 1 ? "" : "s"),
        .location = seo_event_place(op->arena, &s),
        .url = seo_event_url(op->arena, &s),
        .status = e.status};
    json_decref(t);
    *out = ics_build(&ev, len);
    return *out ? NULL : op_db_fail(op, DB_ERROR);
}
