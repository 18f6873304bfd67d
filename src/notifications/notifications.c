/*
 * notifications.c: reading and marking the caller's in-app notifications.
 * Every query is scoped by recipient_id = the caller, so no one reads or
 * marks another person's rows (a foreign id is simply not found).
 */
#include "notifications/notifications.h"

#include <stdlib.h>

#include "core/rand.h"
#include "core/text.h"

#define SQL_COLUMNS                                                                                \
    "SELECT id, uuid, type, title, message, reference_type, reference_id, metadata, is_read, "     \
    "read_at, created_at, sender_id FROM notifications "

static const char SQL_PAGE[] =
    SQL_COLUMNS "WHERE recipient_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3";
static const char SQL_PAGE_UNREAD[] = SQL_COLUMNS "WHERE recipient_id = $1 AND is_read = $4 "
                                                  "ORDER BY created_at DESC, id DESC LIMIT $2 "
                                                  "OFFSET $3";
static const char SQL_ONE[] = SQL_COLUMNS "WHERE id = $1 AND recipient_id = $2";
static const char SQL_TOTAL[] = "SELECT count(*) FROM notifications WHERE recipient_id = $1";
static const char SQL_UNREAD[] =
    "SELECT count(*) FROM notifications WHERE recipient_id = $1 AND is_read = $2";
static const char SQL_MARK[] = "UPDATE notifications SET is_read = $3, read_at = $4, updated_at = "
                               "$4 WHERE id = $1 AND recipient_id = $2 AND is_read = $5";
static const char SQL_MARK_ALL[] = "UPDATE notifications SET is_read = $2, read_at = $3, "
                                   "updated_at = $3 WHERE recipient_id = $1 AND is_read = $4";

static json_t *row_json(db_rows_t *r)
{
    json_t *meta = json_loads(db_col_text(r, 7) ? db_col_text(r, 7) : "{}", 0, NULL);
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:b, s:o, s:o, s:o}", "id",
                     (json_int_t)db_col_int(r, 0), "uuid", db_col_text(r, 1), "type",
                     db_col_text(r, 2), "title", db_col_text(r, 3), "message", db_col_text(r, 4),
                     "reference_type", db_col_text(r, 5), "reference_id", op_col_int_or_null(r, 6),
                     "metadata", json_is_object(meta) ? meta : (json_decref(meta), json_object()),
                     "is_read", db_col_bool(r, 8), "read_at", text_json_time(db_col_time(r, 9)),
                     "created_at", text_json_time(db_col_time(r, 10)), "sender_id",
                     op_col_int_or_null(r, 11));
}

static err_t *rows_into(op_t *op, const char *sql, const db_param_t *p, int n, json_t *list)
{
    db_rows_t *rows;
    int rc = db_query(op->db, sql, p, n, &rows);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    while (db_next(rows))
        json_array_append_new(list, row_json(rows));
    rc = db_rows_status(rows);
    db_rows_free(rows);
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}

static err_t *count(op_t *op, const char *sql, const db_param_t *p, int n, int64_t *out)
{
    bool found = false;
    int rc = db_query_int(op->db, sql, p, n, out, &found);
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}

err_t *notifications_list(op_t *op, bool unread_only, int64_t offset, int64_t limit, json_t **out)
{
    int64_t me = op->actor.id, total = 0, unread = 0;
    json_t *data = json_array();
    err_t *e = count(op, SQL_UNREAD, DB_ARGS(db_int(me), db_bool(false)), &unread);
    if (!e)
        e = unread_only ? NULL : count(op, SQL_TOTAL, DB_ARGS(db_int(me)), &total);
    if (!e)
        e = unread_only
                ? rows_into(op, SQL_PAGE_UNREAD,
                            DB_ARGS(db_int(me), db_int(limit), db_int(offset), db_bool(false)),
                            data)
                : rows_into(op, SQL_PAGE, DB_ARGS(db_int(me), db_int(limit), db_int(offset)), data);
    if (e) {
        json_decref(data);
        return e;
    }
    *out = json_pack("{s:I, s:I, s:I, s:I, s:o}", "total",
                     (json_int_t)(unread_only ? unread : total), "unread_count", (json_int_t)unread,
                     "offset", (json_int_t)offset, "limit", (json_int_t)limit, "data", data);
    return NULL;
}

err_t *notifications_unread(op_t *op, json_t **out)
{
    int64_t unread = 0;
    err_t *e = count(op, SQL_UNREAD, DB_ARGS(db_int(op->actor.id), db_bool(false)), &unread);
    if (!e)
        *out = json_pack("{s:I}", "unread_count", (json_int_t)unread);
    return e;
}

err_t *notification_mark_read(op_t *op, int64_t id, json_t **out)
{
    int rc = db_exec(op->db, SQL_MARK,
                     DB_ARGS(db_int(id), db_int(op->actor.id), db_bool(true), db_time(op->now_us),
                             db_bool(false)),
                     NULL);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    json_t *list = json_array();
    err_t *e = rows_into(op, SQL_ONE, DB_ARGS(db_int(id), db_int(op->actor.id)), list);
    *out = e ? NULL : json_incref(json_array_get(list, 0));
    json_decref(list);
    if (!e && !*out)
        e = op_fail(op, 404, "NOTIFICATION_NOT_FOUND", "Notification not found");
    return e;
}

err_t *notifications_mark_all_read(op_t *op, json_t **out)
{
    int64_t n = 0;
    int rc = db_exec(
        op->db, SQL_MARK_ALL,
        DB_ARGS(db_int(op->actor.id), db_bool(true), db_time(op->now_us), db_bool(false)), &n);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    *out = json_pack("{s:I}", "updated", (json_int_t)n);
    return NULL;
}
