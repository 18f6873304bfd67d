/*
 * host_leads_api.c: POST /api/hosts/become-a-host, the public "become a
 * host" form, and GET /api/hosts/host-leads, the superuser list. Rules and
 * SQL are in host_leads.c.
 */
#include <string.h>

#include "core/phone.h"
#include "hosts/hosts.h"
#include "module.h"

/* host_leads.phone_number holds 10-20 characters: "+" and 9-15 digits. */
#define LEAD_PHONE_MIN_LEN 10

/* Normalises the phone to E.164, as the lead is stored. */
static const char *lead_phone_check(arena_t *a, json_t *v, json_t **out, const char **type)
{
    (void)a;
    (void)type;
    char phone[17];
    if (!phone_normalize(json_string_value(v), phone) || strlen(phone) < LEAD_PHONE_MIN_LEN)
        return "Invalid phone number format. Use international format, e.g. +919876543210";
    *out = json_string(phone);
    return NULL;
}

static err_t *become_a_host(http_req_t *req, op_t *op, const input_t *in)
{
    host_lead_input_t lead = {.first_name = in_str(in, "first_name"),
                              .last_name = in_str(in, "last_name"),
                              .phone = in_str(in, "phone_number"),
                              .message = in_str(in, "message")};
    json_t *data = NULL;
    bool existing = false;
    err_t *e = host_lead_submit(op, &lead, &data, &existing);
    if (e)
        return e;
    const char *message =
        existing ? "Thank you! We already have your information. We'll contact you soon!"
                 : "Thank you for your interest in becoming a host! We'll contact you soon.";
    http_reply_json(
        req, 200, json_pack("{s:b, s:s, s:o}", "success", true, "message", message, "data", data));
    return NULL;
}

static err_t *list_host_leads(http_req_t *req, op_t *op, const input_t *in)
{
    int64_t offset = in_int(in, "offset", 0), limit = in_int(in, "limit", HOST_LEADS_LIMIT);
    int64_t total = 0;
    json_t *leads = NULL;
    err_t *e = host_leads_list(op, offset, limit, &leads, &total);
    if (e)
        return e;
    char *message = arena_printf(op->arena, "Retrieved %zu host leads", json_array_size(leads));
    http_reply_json(req, 200,
                    json_pack("{s:b, s:s, s:{s:o, s:I, s:I, s:I}}", "success", true, "message",
                              message, "data", "leads", leads, "total", (json_int_t)total, "offset",
                              (json_int_t)offset, "limit", (json_int_t)limit));
    return NULL;
}

static const field_t lead_fields[] = {
    {"first_name", FT_STRING, F_REQUIRED | F_TRIM, .min_len = 1, .max_len = HOST_LEAD_NAME_MAX},
    {"last_name", FT_STRING, F_REQUIRED | F_TRIM, .min_len = 1, .max_len = HOST_LEAD_NAME_MAX},
    {"phone_number", FT_STRING, F_REQUIRED, .check = lead_phone_check},
    {"message", FT_STRING, F_NULLABLE | F_TRIM, .max_len = HOST_LEAD_MESSAGE_MAX},
    FIELDS_END,
};

static const field_t page_fields[] = {
    {"offset", FT_INT, 0, FIELD_QUERY, .min = 0, .max = INT32_MAX},
    {"limit", FT_INT, 0, FIELD_QUERY, .min = 1, .max = HOST_LEADS_LIMIT_MAX},
    FIELDS_END,
};

static const route_def_t hosts_routes[] = {
    {.method = HTTP_POST,
     .pattern = "/api/hosts/become-a-host",
     .handler = become_a_host,
     .auth = AUTH_ANONYMOUS,
     .body = BODY_JSON,
     .fields = lead_fields,
     .tag = "hosts"},
    {.method = HTTP_GET,
     .pattern = "/api/hosts/host-leads",
     .handler = list_host_leads,
     .auth = AUTH_SUPERUSER,
     .fields = page_fields,
     .tag = "hosts"},
    ROUTES_END,
};

const module_t hosts_module = {.name = "hosts", .routes = hosts_routes};
