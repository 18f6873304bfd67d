/*
 * bank_accounts_api.c: HTTP side of a host's bank accounts (API.md section
 * 10; docs/bank_accounts.md): the routes under /api/payouts/bank-accounts,
 * their field declarations (names trimmed, the number digits only on create
 * and update, the IFSC code trimmed, upper-cased and checked) and the
 * {success, data, message} answers. Errors are {"detail", "error_code"}.
 */
#include <string.h>

#include "bank_accounts/bank_accounts.h"
#include "http/router.h"
#include "module.h"

/* data is read after the domain call returned: C leaves the order in which
 * a call's arguments are evaluated unspecified (gcc reads them right to left). */
static err_t *reply(http_req_t *req, int status, err_t *e, json_t **data, const char *message)
{
    if (!e)
        http_reply_json(
            req, status,
            json_pack("{s:b, s:o, s:s}", "success", 1, "data", *data, "message", message));
    return e;
}

static int64_t account_of(http_req_t *req)
{
    return http_param_int(req, "account_id");
}

/* -1 absent or null, else 0 / 1 */
static int tri(const input_t *in, const char *name)
{
    json_t *v = in_json(in, name);
    return json_is_boolean(v) ? json_is_true(v) : -1;
}

static bank_account_input_t input_of(const input_t *in, bool update)
{
    return (bank_account_input_t){.bank_name = in_str(in, "bank_name"),
                                  .account_number = in_str(in, "account_number"),
                                  .ifsc_code = in_str(in, "ifsc_code"),
                                  .account_holder_name = in_str(in, "account_holder_name"),
                                  .is_primary = tri(in, "is_primary"),
                                  .is_active = update ? tri(in, "is_active") : -1};
}

static err_t *list(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    json_t *out = NULL;
    return reply(req, 200, bank_accounts_list(op, &out), &out,
                 "Bank accounts retrieved successfully");
}

static err_t *create(http_req_t *req, op_t *op, const input_t *in)
{
    bank_account_input_t b = input_of(in, false);
    json_t *out = NULL;
    return reply(req, 201, bank_account_create(op, &b, &out), &out,
                 "Bank account created successfully");
}

static err_t *get_one(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    json_t *out = NULL;
    return reply(req, 200, bank_account_get(op, account_of(req), &out), &out,
                 "Bank account retrieved successfully");
}

static err_t *update(http_req_t *req, op_t *op, const input_t *in)
{
    bank_account_input_t b = input_of(in, true);
    json_t *out = NULL;
    return reply(req, 200, bank_account_update(op, account_of(req), &b, &out), &out,
                 "Bank account updated successfully");
}

static err_t *remove_account(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    json_t *out = NULL;
    const char *message = NULL;
    err_t *e = bank_account_delete(op, account_of(req), &out, &message);
    return reply(req, 200, e, &out, message);
}

/* ---- fields ----------------------------------------------------------------------------- */

/* Names: no control characters (length and trimming are declared). */
static const char *name_check(arena_t *a, json_t *v, json_t **out, const char **type)
{
    (void)a;
    (void)out;
    (void)type;
    for (const unsigned char *p = (const unsigned char *)json_string_value(v); *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return "must not contain control characters";
    return NULL;
}

/* Digits only, on create and on update alike (API.md 15: the reference
 * checked them on create only); whitespace is not a digit. */
static const char *digits_check(arena_t *a, json_t *v, json_t **out, const char **type)
{
    (void)a;
    (void)out;
    (void)type;
    for (const char *p = json_string_value(v); *p; p++)
        if (*p < '0' || *p > '9')
            return "Account number must contain only digits";
    return NULL;
}

/* Trimmed (declared) and upper-cased here, then ^[A-Z]{4}0[A-Z0-9]{6}$;
 * the value becomes the upper-case code. */
static const char *ifsc_check(arena_t *a, json_t *v, json_t **out, const char **type)
{
    (void)type;
    const char *s = json_string_value(v);
    size_t n = strlen(s);
    char *up = arena_strdup(a, s);
    bool ok = n == BANK_IFSC_LEN;
    for (size_t i = 0; ok && i < n; i++) {
        char c = up[i] >= 'a' && up[i] <= 'z' ? (char)(up[i] - 'a' + 'A') : up[i];
        bool letter = c >= 'A' && c <= 'Z', digit = c >= '0' && c <= '9';
        up[i] = c;
        ok = i < 4 ? letter : i == 4 ? c == '0' : letter || digit;
    }
    if (!ok)
        return "Invalid IFSC code format. Must be 11 characters: 4 letters, 0, then 6 alphanumeric";
    *out = json_string(up);
    return NULL;
}

#define NAME_FIELD(field, fl)                                                                      \
    {                                                                                              \
        .name = field, .type = FT_STRING, .flags = (fl) | F_TRIM, .in = FIELD_BODY,                \
        .min_len = BANK_NAME_MIN, .max_len = BANK_NAME_MAX, .check = name_check                    \
    }
#define NUMBER_FIELD(fl)                                                                           \
    {                                                                                              \
        .name = "account_number", .type = FT_STRING, .flags = (fl), .in = FIELD_BODY,              \
        .min_len = BANK_NUMBER_MIN, .max_len = BANK_NUMBER_MAX, .check = digits_check              \
    }
#define IFSC_FIELD(fl)                                                                             \
    {                                                                                              \
        .name = "ifsc_code", .type = FT_STRING, .flags = (fl) | F_TRIM, .in = FIELD_BODY,          \
        .min_len = BANK_IFSC_LEN, .max_len = BANK_IFSC_LEN, .check = ifsc_check                    \
    }

static const field_t create_fields[] = {
    NAME_FIELD("bank_name", F_REQUIRED),
    NUMBER_FIELD(F_REQUIRED),
    IFSC_FIELD(F_REQUIRED),
    NAME_FIELD("account_holder_name", F_REQUIRED),
    {.name = "is_primary", .type = FT_BOOL, .flags = 0, .in = FIELD_BODY, .def = "false"},
    FIELDS_END,
};

/* A partial update: an absent or null field is left as it is. */
static const field_t update_fields[] = {
    NAME_FIELD("bank_name", F_NULLABLE),
    NUMBER_FIELD(F_NULLABLE),
    IFSC_FIELD(F_NULLABLE),
    NAME_FIELD("account_holder_name", F_NULLABLE),
    {.name = "is_primary", .type = FT_BOOL, .flags = F_NULLABLE, .in = FIELD_BODY},
    {.name = "is_active", .type = FT_BOOL, .flags = F_NULLABLE, .in = FIELD_BODY},
    FIELDS_END,
};

#define BANK_ROUTE(m, path, fn)                                                                    \
    .method = m, .pattern = path, .handler = fn, .auth = AUTH_ACTIVE, .envelope = ENVELOPE_DETAIL, \
    .tag = "money"
#define BANK_PATH "/api/payouts/bank-accounts"
#define ONE_PATH  BANK_PATH "/{account_id:int}"

static const route_def_t bank_accounts_routes[] = {
    {BANK_ROUTE(HTTP_GET, BANK_PATH, list)},
    {BANK_ROUTE(HTTP_POST, BANK_PATH, create), .body = BODY_JSON, .fields = create_fields},
    {BANK_ROUTE(HTTP_GET, ONE_PATH, get_one)},
    {BANK_ROUTE(HTTP_PUT, ONE_PATH, update), .body = BODY_JSON, .fields = update_fields},
    {BANK_ROUTE(HTTP_DELETE, ONE_PATH, remove_account)},
    ROUTES_END,
};

const module_t bank_accounts_module = {.name = "bank_accounts", .routes = bank_accounts_routes};
