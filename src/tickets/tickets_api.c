/*
 * tickets_api.c: HTTP side of attendance, tickets and the door (API.md 7,
 * docs/tickets.md): confirm/cancel attendance, my-ticket(s), and for the
 * host (or staff) the attendee list, check-in by code or by attendee, the
 * list of who is in, offline scan data and the offline sync.
 */
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "events/event.h"
#include "http/router.h"
#include "module.h"
#include "tickets/ticket_qr.h"
#include "tickets/tickets.h"

/* out is read after the domain call returned: C leaves the order in which a
 * call's arguments are evaluated unspecified (gcc reads them right to left). */
static int64_t event_of(http_req_t *req)
{
    return http_param_int(req, "event_id");
}

static err_t *owner_attendees(http_req_t *req, op_t *op)
{
    return event_require_manager(op, event_of(req), "PERMISSION_DENIED",
                                 "Only the event host can view attendees for this event.");
}

static err_t *owner_door(http_req_t *req, op_t *op)
{
    return event_require_manager(op, event_of(req), "PERMISSION_DENIED",
                                 "Only the event host can check guests in.");
}

static err_t *confirm(http_req_t *req, op_t *op, const input_t *in)
{
    json_t *out = NULL;
    err_t *e = attendance_confirm(op, event_of(req), (int)in_int(in, "seats", 0), &out);
    return http_reply_result(req, 200, e, &out);
}

static err_t *cancel(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    json_t *out = NULL;
    return http_reply_result(req, 200, attendance_cancel(op, event_of(req), &out), &out);
}

static err_t *my_ticket(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    json_t *out = NULL;
    return http_reply_result(req, 200, ticket_mine(op, event_of(req), &out), &out);
}

static err_t *my_tickets(http_req_t *req, op_t *op, const input_t *in)
{
    json_t *out = NULL;
    return http_reply_result(req, 200, tickets_mine(op, in_int(in, "event_id", 0), &out), &out);
}

static err_t *attendees(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    json_t *out = NULL;
    return http_reply_result(req, 200, attendees_of_event(op, event_of(req), &out), &out);
}

static int64_t time_of(const input_t *in, const char *name)
{
    int64_t t = 0;
    const char *s = in_str(in, name);
    return s && clock_parse_iso(s, &t) ? t : 0;
}

static err_t *check_in(http_req_t *req, op_t *op, const input_t *in)
{
    const char *code = in_str(in, "code") ? in_str(in, "code") : in_str(in, "ticket_secret");
    if (!code)
        return op_fail(op, 400, "CODE_REQUIRED", "Send the ticket's code (or ticket_secret).");
    const char *type = in_str(in, "type");
    scan_t s = {.code = code,
                .nonce = in_str(in, "nonce"),
                .device_id = in_str(in, "device_id"),
                .exit = type && !strcmp(type, "exit"),
                .scanned_at = time_of(in, "scanned_at")};
    json_t *out = NULL;
    return http_reply_result(req, 200, checkin_scan(op, event_of(req), &s, &out), &out);
}

static err_t *check_in_attendee(http_req_t *req, op_t *op, const input_t *in)
{
    const char *type = in_str(in, "type");
    scan_t s = {.user_id = http_param_int(req, "user_id"),
                .nonce = in_str(in, "nonce"),
                .exit = type && !strcmp(type, "exit")};
    json_t *out = NULL;
    return http_reply_result(req, 200, checkin_scan(op, event_of(req), &s, &out), &out);
}

static err_t *checkins(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    json_t *out = NULL;
    return http_reply_result(req, 200, checkins_of_event(op, event_of(req), &out), &out);
}

static err_t *get_scan_data(http_req_t *req, op_t *op, const input_t *in)
{
    json_t *out = NULL;
    return http_reply_result(req, 200, scan_data(op, event_of(req), time_of(in, "since"), &out),
                             &out);
}

static err_t *sync(http_req_t *req, op_t *op, const input_t *in)
{
    json_t *list = in_json(in, "scans");
    size_t n = json_array_size(list);
    scan_t *scans = arena_alloc(op->arena, (n ? n : 1) * sizeof *scans);
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_array_get(list, i);
        const char *type = json_string_value(json_object_get(o, "type"));
        int64_t at = 0;
        clock_parse_iso(json_string_value(json_object_get(o, "scanned_at")), &at);
        scans[i] = (scan_t){.code = json_string_value(json_object_get(o, "code")),
                            .nonce = json_string_value(json_object_get(o, "nonce")),
                            .device_id = json_string_value(json_object_get(o, "device_id")),
                            .exit = type && !strcmp(type, "exit"),
                            .offline = true,
                            .scanned_at = at};
    }
    json_t *out = NULL;
    return http_reply_result(req, 200, checkin_sync(op, event_of(req), scans, (int)n, &out), &out);
}

static err_t *send_file(http_req_t *req, op_t *op, err_t *e, const char *type, const char *name,
                        char *body, size_t len)
{
    if (!e) {
        if (name)
            http_set_header(req, "Content-Disposition",
                            arena_printf(op->arena, "attachment; filename=\"%s\"", name));
        http_set_header(req, "Cache-Control", "private, no-store");
        http_reply_raw(req, 200, type, body, len, false);
    }
    free(body);
    return e;
}

static err_t *attendees_export(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    char *csv = NULL;
    size_t len = 0;
    err_t *e = attendees_csv(op, event_of(req), &csv, &len);
    return send_file(req, op, e, "text/csv; charset=utf-8",
                     arena_printf(op->arena, "attendees-%lld.csv", (long long)event_of(req)), csv,
                     len);
}

static err_t *my_ticket_ics(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    char *text = NULL;
    size_t len = 0;
    err_t *e = ticket_ics(op, event_of(req), &text, &len);
    return send_file(req, op, e, "text/calendar; charset=utf-8",
                     arena_printf(op->arena, "ticket-%lld.ics", (long long)event_of(req)), text,
                     len);
}

/* The QR of the caller's ticket: its qr_code_data, as SVG or PNG. */
static err_t *qr(http_req_t *req, op_t *op, bool png)
{
    json_t *t = NULL;
    err_t *e = ticket_mine(op, event_of(req), &t);
    if (e)
        return e;
    const char *data = json_string_value(json_object_get(t, "qr_code_data"));
    size_t len = 0;
    char *img = png ? (char *)ticket_qr_png(data, 8, &len) : ticket_qr_svg(data, &len);
    json_decref(t);
    if (!img)
        return op_db_fail(op, DB_ERROR);
    return send_file(req, op, NULL, png ? "image/png" : "image/svg+xml", NULL, img, len);
}

static err_t *qr_svg(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    return qr(req, op, false);
}

static err_t *qr_png(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    return qr(req, op, true);
}

/* ---- fields ------------------------------------------------------------------------ */

static const char *datetime_check(arena_t *a, json_t *v, json_t **out, const char **type)
{
    (void)a;
    (void)out;
    int64_t t;
    if (json_is_string(v) && clock_parse_iso(json_string_value(v), &t))
        return NULL;
    *type = "datetime_from_date_parsing";
    return "Input should be a valid datetime";
}

static bool text_ok(json_t *o, const char *name, size_t max, bool required)
{
    json_t *v = json_object_get(o, name);
    if (!v)
        return !required;
    const char *s = json_string_value(v);
    return s && *s && strlen(s) <= max;
}

/* Each offline scan: {code, nonce, scanned_at, type?, device_id?}. */
static const char *scans_check(arena_t *a, json_t *v, json_t **out, const char **type)
{
    (void)a;
    (void)out;
    size_t i;
    json_t *o;
    json_array_foreach(v, i, o)
    {
        const char *t = json_string_value(json_object_get(o, "type"));
        int64_t at;
        if (!json_is_object(o) || !text_ok(o, "code", 400, true) ||
            !text_ok(o, "nonce", SCAN_NONCE_MAX, true) || !text_ok(o, "device_id", 255, false) ||
            (json_object_get(o, "type") && (!t || (strcmp(t, "entry") && strcmp(t, "exit")))) ||
            !clock_parse_iso(json_string_value(json_object_get(o, "scanned_at")), &at)) {
            *type = "value_error";
            return "Value error, each scan needs code, nonce (1-100 characters), scanned_at (a "
                   "datetime) and an optional type entry|exit";
        }
    }
    return NULL;
}

static const char *const scan_types[] = {"entry", "exit", NULL};

static const field_t confirm_fields[] = {
    {"seats", FT_INT, 0, .min = 1, .max = ATTEND_SEATS_MAX},
    FIELDS_END,
};

static const field_t no_fields[] = {FIELDS_END};

static const field_t mine_fields[] = {
    {"event_id", FT_INT, 0, .in = FIELD_QUERY, .min = 1, .max = INT64_MAX},
    FIELDS_END,
};

static const field_t checkin_fields[] = {
    {"code", FT_STRING, F_TRIM, .min_len = 1, .max_len = 400},
    {"ticket_secret", FT_STRING, F_TRIM, .min_len = 1, .max_len = 400},
    {"nonce", FT_STRING, 0, .min_len = 1, .max_len = SCAN_NONCE_MAX},
    {"type", FT_STRING, 0, .choices = scan_types},
    {"scanned_at", FT_ANY, 0, .check = datetime_check},
    {"device_id", FT_STRING, 0, .max_len = 255},
    FIELDS_END,
};

static const field_t attendee_checkin_fields[] = {
    {"nonce", FT_STRING, 0, .min_len = 1, .max_len = SCAN_NONCE_MAX},
    {"type", FT_STRING, 0, .choices = scan_types},
    FIELDS_END,
};

static const field_t since_fields[] = {
    {"since", FT_ANY, 0, .in = FIELD_QUERY, .check = datetime_check},
    FIELDS_END,
};

static const field_t sync_fields[] = {
    {"scans", FT_LIST, F_REQUIRED, .min_len = 1, .max_len = SCAN_BATCH_MAX, .check = scans_check},
    FIELDS_END,
};

#define TK_ROUTE(m, path, fn, level)                                                               \
    .method = m, .pattern = path, .handler = fn, .auth = level, .envelope = ENVELOPE_EVENT,        \
    .tag = "tickets"
#define EVENT_PATH "/api/events/{event_id:int}"

static const route_def_t tickets_routes[] = {
    {TK_ROUTE(HTTP_POST, EVENT_PATH "/confirm-attendance", confirm, AUTH_ACTIVE), .body = BODY_JSON,
     .body_optional = true, .fields = confirm_fields, .idempotent = true},
    {TK_ROUTE(HTTP_POST, EVENT_PATH "/cancel-attendance", cancel, AUTH_ACTIVE), .body = BODY_JSON,
     .body_optional = true, .fields = no_fields, .idempotent = true},
    {TK_ROUTE(HTTP_GET, EVENT_PATH "/my-ticket", my_ticket, AUTH_ACTIVE)},
    {TK_ROUTE(HTTP_GET, "/api/events/my-tickets", my_tickets, AUTH_ACTIVE), .fields = mine_fields},
    {TK_ROUTE(HTTP_GET, EVENT_PATH "/my-ticket/qr.svg", qr_svg, AUTH_ACTIVE)},
    {TK_ROUTE(HTTP_GET, EVENT_PATH "/my-ticket/qr.png", qr_png, AUTH_ACTIVE)},
    {TK_ROUTE(HTTP_GET, EVENT_PATH "/my-ticket.ics", my_ticket_ics, AUTH_ACTIVE)},
    {TK_ROUTE(HTTP_GET, EVENT_PATH "/attendees.csv", attendees_export, AUTH_HOST),
     .owner = owner_attendees},
    {TK_ROUTE(HTTP_GET, EVENT_PATH "/attendees", attendees, AUTH_HOST), .owner = owner_attendees},
    {TK_ROUTE(HTTP_POST, EVENT_PATH "/check-in", check_in, AUTH_HOST), .owner = owner_door,
     .body = BODY_JSON, .fields = checkin_fields},
    {TK_ROUTE(HTTP_POST, EVENT_PATH "/attendees/{user_id:int}/check-in", check_in_attendee,
              AUTH_HOST),
     .owner = owner_door, .body = BODY_JSON, .body_optional = true,
     .fields = attendee_checkin_fields},
    {TK_ROUTE(HTTP_GET, EVENT_PATH "/check-ins", checkins, AUTH_HOST), .owner = owner_door},
    {TK_ROUTE(HTTP_GET, EVENT_PATH "/scan-data", get_scan_data, AUTH_HOST), .owner = owner_door,
     .fields = since_fields},
    {TK_ROUTE(HTTP_POST, EVENT_PATH "/check-ins/sync", sync, AUTH_HOST), .owner = owner_door,
     .body = BODY_JSON, .fields = sync_fields, .idempotent = true},
    ROUTES_END,
};

const module_t tickets_module = {.name = "tickets", .routes = tickets_routes};
