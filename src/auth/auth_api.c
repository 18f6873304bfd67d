/*
 * auth_api.c: phone sign-up and login over one-time codes, and logout
 * (API.md section 3; the decisions in docs/accounts.md). Answers keep the
 * AuthResponse envelope {success, message, data, token}: business refusals
 * are 200 with success=false and rate limits 429 with Retry-After, both
 * rendered from the routes' ENVELOPE_AUTH. The rules are in account.c.
 */
#include <string.h>

#include "app.h"
#include "auth/account.h"
#include "auth/auth_cache.h"
#include "auth/auth.h"
#include "core/clock.h"
#include "core/phone.h"
#include "core/text.h"
#include "module.h"

void auth_reply_ok(http_req_t *req, const char *message, json_t *data, const char *token)
{
    http_reply_json(req, 200,
                    json_pack("{s:b, s:s, s:o, s:s?}", "success", true, "message", message, "data",
                              data ? data : json_null(), "token", token));
}

/* ---- fields ------------------------------------------------------------------------ */

const char *auth_phone_check(arena_t *a, json_t *v, json_t **out, const char **type)
{
    (void)a;
    (void)type;
    char phone[17];
    if (!phone_normalize(json_string_value(v), phone))
        return "Invalid phone number format. Use international format, e.g. +919876543210";
    *out = json_string(phone);
    return NULL;
}

static const char *otp_check(arena_t *a, json_t *v, json_t **out, const char **type)
{
    (void)a;
    (void)out;
    (void)type;
    const char *s = json_string_value(v);
    return strlen(s) == 4 && strspn(s, "0123456789") == 4 ? NULL : "OTP must be exactly 4 digits";
}

static const field_t phone_fields[] = {
    {"phone_number", FT_STRING, F_REQUIRED, .check = auth_phone_check},
    FIELDS_END,
};

static const field_t code_fields[] = {
    {"phone_number", FT_STRING, F_REQUIRED, .check = auth_phone_check},
    {"otp_code", FT_STRING, F_REQUIRED, .check = otp_check},
    FIELDS_END,
};

/* ---- sending a code ------------------------------------------------------------------ */

static err_t *auth_signup(http_req_t *req, op_t *op, const input_t *in)
{
    const char *phone = in_str(in, "phone_number");
    account_t a;
    err_t *e = account_find(op, phone, &a);
    if (!e)
        e = account_send_code(op, phone, a.id);
    if (e)
        return e;
    const char *msg =
        !a.exists    ? "OTP sent successfully to your phone number. Please verify to complete "
                       "signup."
        : a.complete ? "OTP sent successfully to your phone number. Please verify to login."
                     : "OTP sent successfully. Please verify to complete your registration.";
    auth_reply_ok(req, msg,
                  json_pack("{s:s, s:s, s:b}", "phone_number", phone, "user_status",
                            a.exists ? "existing" : "new", "otp_sent", 1),
                  NULL);
    return NULL;
}

static err_t *auth_login(http_req_t *req, op_t *op, const input_t *in)
{
    const char *phone = in_str(in, "phone_number");
    account_t a;
    err_t *e = account_find(op, phone, &a);
    if (e)
        return e;
    if (!a.exists)
        return op_fail(op, 200, "USER_NOT_FOUND", "User not found. Please signup first.");
    if ((e = account_send_code(op, phone, a.id)) != NULL)
        return e;
    auth_reply_ok(req, "OTP sent successfully to your phone number",
                  json_pack("{s:s}", "phone_number", phone), NULL);
    return NULL;
}

/* ---- verifying a code ---------------------------------------------------------------- */

static err_t *auth_verify_otp(http_req_t *req, op_t *op, const input_t *in)
{
    const char *phone = in_str(in, "phone_number");
    account_t a;
    err_t *e = account_verify(op, phone, in_str(in, "otp_code"), true, &a);
    if (e)
        return e;
    if ((e = account_settle_waitlist(op, &a)) != NULL)
        return e;
    char *token = account_issue_token(op, a.id, phone);
    bool needs = !a.complete;
    /* the app sends a returning user to its waitlist screen only when
     * is_verified is false (docs/client-compatibility.md) */
    auth_reply_ok(req,
                  needs ? "OTP verified successfully. Please complete your profile to continue."
                        : "OTP verified successfully. You are logged in.",
                  json_pack("{s:I, s:s, s:b, s:b, s:b, s:o}", "user_id", (json_int_t)a.id,
                            "phone_number", phone, "needs_profile_completion", needs, "is_verified",
                            a.is_active, "is_active", a.is_active, "waitlist_promote_at",
                            a.is_active ? json_null() : text_json_time(a.waitlist_promote_at)),
                  token);
    free(token);
    return NULL;
}

static err_t *auth_verify_login(http_req_t *req, op_t *op, const input_t *in)
{
    const char *phone = in_str(in, "phone_number");
    account_t a;
    err_t *e = account_verify(op, phone, in_str(in, "otp_code"), false, &a);
    if (e)
        return e;
    char *token = account_issue_token(op, a.id, phone);
    auth_reply_ok(req, "Login successful",
                  json_pack("{s:I, s:s, s:s, s:b}", "user_id", (json_int_t)a.id, "phone_number",
                            phone, "name", a.name, "is_verified", 1),
                  token);
    free(token);
    return NULL;
}

/* Always succeeds (API.md); a valid token, waitlisted or not, is revoked
 * until it would have expired anyway. */
static err_t *auth_logout(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    err_t *e = account_logout(op);
    if (e)
        return e;
    auth_reply_ok(req, "Logged out successfully", NULL, NULL);
    return NULL;
}

/* ---- the route table ------------------------------------------------------------------- */

#define AUTH_ROUTE(path, fn, flds)                                                                 \
    {                                                                                              \
        .method = HTTP_POST, .pattern = path, .handler = fn, .auth = AUTH_ANONYMOUS,               \
        .body = BODY_JSON, .fields = flds, .envelope = ENVELOPE_AUTH, .tag = "accounts"            \
    }

static const route_def_t auth_routes[] = {
    AUTH_ROUTE("/api/auth/signup", auth_signup, phone_fields),
    AUTH_ROUTE("/api/auth/verify-otp", auth_verify_otp, code_fields),
    AUTH_ROUTE("/api/auth/login", auth_login, phone_fields),
    AUTH_ROUTE("/api/auth/verify-login", auth_verify_login, code_fields),
    {.method = HTTP_POST,
     .pattern = "/api/auth/logout",
     .handler = auth_logout,
     .auth = AUTH_OPTIONAL,
     .auth_flags = AUTHF_WAITLISTED,
     .envelope = ENVELOPE_AUTH,
     .tag = "accounts"},
    ROUTES_END,
};

#define DAY_US (86400LL * USEC_PER_SEC)
static const purge_def_t auth_purges[] = {
    {"otps", "DELETE FROM user_phone_otps WHERE expires_at < $1", DAY_US},
    {"revoked_tokens", "DELETE FROM revoked_tokens WHERE expires_at < $1", 0},
    {"rate_limits", "DELETE FROM auth_rate_limits WHERE window_start < $1", DAY_US},
    {0},
};

/* The guard's cache, fed by the invalidation bus (docs/ARCHITECTURE.md,
 * "Caches and invalidation"). */
static int auth_start(app_t *app)
{
    if (app->cfg.auth_cache_size == 0)
        return 0;
    app->auth_cache = auth_cache_new((size_t)app->cfg.auth_cache_size, app->notify);
    return app->auth_cache ? 0 : -1;
}

static void auth_stop(app_t *app)
{
    auth_cache_free(app->auth_cache);
    app->auth_cache = NULL;
}

const module_t auth_module = {.name = "auth",
                              .routes = auth_routes,
                              .purges = auth_purges,
                              .start = auth_start,
                              .stop = auth_stop};
