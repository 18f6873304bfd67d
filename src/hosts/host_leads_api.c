/*
 * host_leads_api.c: POST /api/hosts/become-a-host, the public "become a
 * host" form, and GET /api/hosts/host-leads, the superuser list. A lead is
 * unique by normalised phone; the insert is atomic (ON CONFLICT DO NOTHING),
 * so racing submissions of one number still store a single lead.
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "auth/guard_legacy.h"
#include "core/clock.h"
#include "core/phone.h"
#include "core/rand.h"
#include "hosts/hosts.h"
#include "http/input.h"
#include "profile/profile.h"
#include "module.h"

/* host_leads.phone_number holds 10-20 characters: "+" and 9-15 digits. */
#define LEAD_PHONE_MIN_LEN 10

/* ---- POST /api/hosts/become-a-host ---------------------------------------------- */

static const char SUBMIT_FAILED[] =
    "An error occurred while submitting your information. Please try again later.";

typedef struct {
    const char *first_name, *last_name, *message; /* message NULL when not given */
    char phone[17];
} lead_input_t;

/* A string field, trimmed, of 1..max characters; NULL with a detail added. */
static const char *lead_text(http_req_t *req, json_t *body, json_t *details, const char *field,
                             bool required, long min, long max)
{
    json_t *v = json_object_get(body, field);
    const char *s = input_string(details, body, field, required);
    if (!s)
        return NULL;
    char *t = profile_trim(&req->arena, s);
    long len = profile_utf8_length(t);
    char msg[64];
    if (len < min || len > max) {
        snprintf(msg, sizeof msg, "String should have at %s %ld character%s",
                 len < min ? "least" : "most", len < min ? min : max,
                 (len < min ? min : max) == 1 ? "" : "s");
        err_detail_add(details, len < min ? "string_too_short" : "string_too_long", "body", field,
                       msg, json_incref(v));
        return NULL;
    }
    return t;
}

/* 0, or -1 with the 422 written. */
static int read_lead(http_req_t *req, lead_input_t *in)
{
    json_t *body = input_object(req);
    if (!body)
        return -1;
    json_t *details = json_array();
    in->first_name = lead_text(req, body, details, "first_name", true, 1, HOST_LEAD_NAME_MAX);
    in->last_name = lead_text(req, body, details, "last_name", true, 1, HOST_LEAD_NAME_MAX);
    const char *phone = input_string(details, body, "phone_number", true);
    if (phone && (!phone_normalize(phone, in->phone) || strlen(in->phone) < LEAD_PHONE_MIN_LEN))
        input_value_error(details, body, "phone_number",
                          "Invalid phone number format. Use international format, e.g. "
                          "+919876543210");
    in->message = lead_text(req, body, details, "message", false, 0, HOST_LEAD_MESSAGE_MAX);
    return input_finish(req, details);
}

static json_t *json_time(int64_t usec)
{
    char iso[32];
    clock_format_iso(usec, iso);
    return json_string(iso);
}

static void reply_lead(http_req_t *req, const char *message, json_t *data)
{
    http_reply_json(
        req, 200, json_pack("{s:b, s:s, s:o}", "success", true, "message", message, "data", data));
}

static const char SQL_LEAD_INSERT[] =
    "INSERT INTO host_leads (uuid, first_name, last_name, phone_number, message, created_at, "
    "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (phone_number) DO NOTHING "
    "RETURNING id, created_at";

static const char SQL_LEAD_BY_PHONE[] =
    "SELECT first_name, last_name, phone_number, created_at FROM host_leads "
    "WHERE phone_number = $1";

/* The lead already on file for this phone: the "already have" answer. */
static void reply_existing(http_req_t *req, const char *phone)
{
    db_rows_t *rows;
    int rc = db_query(req->db, SQL_LEAD_BY_PHONE, DB_ARGS(db_text(phone)), &rows);
    if (rc != DB_OK) {
        http_db_error(req, rc, SUBMIT_FAILED);
        return;
    }
    if (db_next(rows))
        reply_lead(req, "Thank you! We already have your information. We'll contact you soon!",
                   json_pack("{s:s, s:s, s:s, s:o}", "first_name", db_col_text(rows, 0),
                             "last_name", db_col_text(rows, 1), "phone_number",
                             db_col_text(rows, 2), "submitted_at",
                             json_time(db_col_time(rows, 3))));
    rc = db_rows_status(rows);
    db_rows_free(rows);
    if (req->res.status == 0)
        http_db_error(req, rc != DB_OK ? rc : DB_ERROR, SUBMIT_FAILED); /* gone since */
}

static void become_a_host(http_req_t *req)
{
    lead_input_t in;
    if (read_lead(req, &in) != 0 || !http_db(req))
        return;
    char uuid[37];
    rand_uuid(uuid);
    db_rows_t *rows;
    int rc = db_query(req->db, SQL_LEAD_INSERT,
                      DB_ARGS(db_text(uuid), db_text(in.first_name), db_text(in.last_name),
                              db_text(in.phone), db_text(in.message ? in.message : ""),
                              db_time(clock_now_us())),
                      &rows);
    if (rc != DB_OK) {
        http_db_error(req, rc, SUBMIT_FAILED);
        return;
    }
    if (db_next(rows))
        reply_lead(req, "Thank you for your interest in becoming a host! We'll contact you soon.",
                   json_pack("{s:I, s:s, s:s, s:s, s:s?, s:o}", "id",
                             (json_int_t)db_col_int(rows, 0), "first_name", in.first_name,
                             "last_name", in.last_name, "phone_number", in.phone, "message",
                             in.message && in.message[0] ? in.message : NULL, "submitted_at",
                             json_time(db_col_time(rows, 1))));
    rc = db_rows_status(rows);
    db_rows_free(rows);
    if (rc != DB_OK)
        http_db_error(req, rc, SUBMIT_FAILED);
    else if (req->res.status == 0)
        reply_existing(req, in.phone);
}

/* ---- GET /api/hosts/host-leads --------------------------------------------------- */

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
        json_time(db_col_time(rows, 7)), "updated_at", json_time(db_col_time(rows, 8)));
}

static int load_leads(db_conn_t *c, int64_t offset, int64_t limit, json_t *leads, int64_t *total)
{
    bool found = false;
    int rc = db_query_int(c, SQL_LEADS_TOTAL, DB_NOARGS, total, &found);
    if (rc != DB_OK)
        return rc;
    db_rows_t *rows;
    rc = db_query(c, SQL_LEADS, DB_ARGS(db_int(limit), db_int(offset)), &rows);
    if (rc != DB_OK)
        return rc;
    while (db_next(rows))
        json_array_append_new(leads, lead_row_json(rows));
    rc = db_rows_status(rows);
    db_rows_free(rows);
    return rc;
}

static void list_host_leads(http_req_t *req)
{
    actor_t user;
    if (guard_require(req, GUARD_SUPERUSER, &user) != 0)
        return;
    int64_t offset = 0, limit = HOST_LEADS_LIMIT, total = 0;
    json_t *details = json_array();
    input_query_int(req, details, "offset", 0, INT32_MAX, &offset);
    input_query_int(req, details, "limit", 1, HOST_LEADS_LIMIT_MAX, &limit);
    if (input_finish(req, details) != 0)
        return;
    json_t *leads = json_array();
    int rc = load_leads(req->db, offset, limit, leads, &total);
    if (rc != DB_OK) {
        json_decref(leads);
        http_db_error(req, rc, "Internal server error");
        return;
    }
    char *message = arena_printf(&req->arena, "Retrieved %zu host leads", json_array_size(leads));
    http_reply_json(req, 200,
                    json_pack("{s:b, s:s, s:{s:o, s:I, s:I, s:I}}", "success", true, "message",
                              message, "data", "leads", leads, "total", (json_int_t)total, "offset",
                              (json_int_t)offset, "limit", (json_int_t)limit));
}

static void hosts_routes(router_t *r)
{
    router_add(r, HTTP_POST, "/api/hosts/become-a-host", become_a_host, BODY_JSON, false);
    router_add(r, HTTP_GET, "/api/hosts/host-leads", list_host_leads, BODY_NONE, false);
}

const module_t hosts_module = {.name = "hosts", .legacy_routes = hosts_routes};
