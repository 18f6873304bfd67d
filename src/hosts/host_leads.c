/*
 * host_leads.c: storing and listing host leads. A lead is unique by
 * normalised phone; the insert is atomic (ON CONFLICT DO NOTHING), so racing
 * submissions of one number still store a single lead.
 */
#include "hosts/hosts.h"

#include "core/rand.h"
#include "core/text.h"

static const char SQL_LEAD_INSERT[] =
    "INSERT INTO host_leads (uuid, first_name, last_name, phone_number, message, created_at, "
    "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (phone_number) DO NOTHING "
    "RETURNING id, created_at";

static const char SQL_LEAD_BY_PHONE[] =
    "SELECT first_name, last_name, phone_number, created_at FROM host_leads "
    "WHERE phone_number = $1";

/* The lead already on file for this phone. */
static err_t *load_existing(op_t *op, const char *phone, json_t **data)
{
    db_rows_t *rows;
    int rc = db_query(op->db, SQL_LEAD_BY_PHONE, DB_ARGS(db_text(phone)), &rows);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (db_next(rows))
        *data = json_pack("{s:s, s:s, s:s, s:o}", "first_name", db_col_text(rows, 0), "last_name",
                          db_col_text(rows, 1), "phone_number", db_col_text(rows, 2),
                          "submitted_at", text_json_time(db_col_time(rows, 3)));
    rc = db_rows_status(rows);
    db_rows_free(rows);
    if (rc == DB_OK && !*data)
        rc = DB_ERROR; /* deleted between the insert and this read */
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}

err_t *host_lead_submit(op_t *op, const host_lead_input_t *in, json_t **data, bool *existing)
{
    char uuid[37];
    rand_uuid(uuid);
    *data = NULL;
    const char *message = in->message ? in->message : "";
    db_rows_t *rows;
    int rc = db_query(op->db, SQL_LEAD_INSERT,
                      DB_ARGS(db_text(uuid), db_text(in->first_name), db_text(in->last_name),
                              db_text(in->phone), db_text(message), db_time(op->now_us)),
                      &rows);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    if (db_next(rows))
        *data = json_pack("{s:I, s:s, s:s, s:s, s:s?, s:o}", "id", (json_int_t)db_col_int(rows, 0),
                          "first_name", in->first_name, "last_name", in->last_name, "phone_number",
                          in->phone, "message", message[0] ? message : NULL, "submitted_at",
                          text_json_time(db_col_time(rows, 1)));
    rc = db_rows_status(rows);
    db_rows_free(rows);
    if (rc != DB_OK) {
        json_decref(*data);
        *data = NULL;
        return op_db_fail(op, rc);
    }
    *existing = *data == NULL;
    return *existing ? load_existing(op, in->phone, data) : NULL;
}

static const char SQL_LEADS[] =
    "SELECT id, first_name, last_name, phone_number, message, is_contacted, is_converted, "
    "created_at, updated_at FROM host_leads ORDER BY created_at DESC, id DESC "
    "LIMIT $1 OFFSET $2";
static const char SQL_LEADS_TOTAL[] = "SELECT count(*) FROM host_leads";

static json_t *lead_row_json(db_rows_t *rows)
{
    const char *message = db_col_text(rows, 4);
    return json_pack(
        "{s:I, s:s, s:s, s:s, s:s?, s:b, s:b, s:o, s:o}", "id", (json_int_t)db_col_int(rows, 0),
        "first_name", db_col_text(rows, 1), "last_name", db_col_text(rows, 2), "phone_number",
        db_col_text(rows, 3), "message", message && message[0] ? message : NULL, "is_contacted",
        db_col_bool(rows, 5), "is_converted", db_col_bool(rows, 6), "created_at",
        text_json_time(db_col_time(rows, 7)), "updated_at", text_json_time(db_col_time(rows, 8)));
}

err_t *host_leads_list(op_t *op, int64_t offset, int64_t limit, json_t **leads, int64_t *total)
{
    bool found = false;
    *leads = NULL;
    int rc = db_query_int(op->db, SQL_LEADS_TOTAL, DB_NOARGS, total, &found);
    db_rows_t *rows = NULL;
    if (rc == DB_OK)
        rc = db_query(op->db, SQL_LEADS, DB_ARGS(db_int(limit), db_int(offset)), &rows);
    if (rc != DB_OK)
        return op_db_fail(op, rc);
    *leads = json_array();
    while (db_next(rows))
        json_array_append_new(*leads, lead_row_json(rows));
    rc = db_rows_status(rows);
    db_rows_free(rows);
    if (rc == DB_OK)
        return NULL;
    json_decref(*leads);
    *leads = NULL;
    return op_db_fail(op, rc);
}
