/*
 * payments_api.c: HTTP side of money (API.md 9; docs/money.md): orders,
 * reservations, the provider callbacks (PayU's success and failure
 * redirects and its webhook) and the test provider's checkout page, plus
 * the periodic job that expires unpaid orders and reservations.
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "http/metrics.h"
#include "core/strbuf.h"
#include "http/router.h"
#include "module.h"
#include "money/callbacks.h"
#include "money/fee.h"
#include "money/orders.h"
#include "money/payu.h"
#include "money/reservations.h"
#include "core/rand.h"

/* out is read after the domain call returned: C leaves the order in which a
 * call's arguments are evaluated unspecified (gcc reads them right to left). */
/* An amount sent as a JSON number (110, 110.5) or text ("110.00"). */
static bool json_money(json_t *v, int64_t *minor)
{
    char buf[64];
    const char *text = json_string_value(v);
    if (json_is_number(v)) {
        snprintf(buf, sizeof buf, "%.2f", json_number_value(v));
        text = buf;
    }
    return text && money_parse(text, minor);
}

static err_t *create_order(http_req_t *req, op_t *op, const input_t *in)
{
    int64_t minor = 0;
    json_money(in_json(in, "amount"), &minor);
    order_spec_t s = {.event_id = in_int(in, "event_id", 0),
                      .amount_minor = minor,
                      .reservation_key = in_str(in, "reservation_key")};
    json_t *out = NULL;
    return http_reply_result(req, 201, order_create(op, &s, &out), &out);
}

static err_t *get_order(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    json_t *out = NULL;
    return http_reply_result(req, 200, order_get(op, http_param(req, "order_id"), &out), &out);
}

static err_t *list_orders(http_req_t *req, op_t *op, const input_t *in)
{
    json_t *out = NULL;
    return http_reply_result(
        req, 200, orders_mine(op, in_int(in, "offset", 0), in_int(in, "limit", 20), &out), &out);
}

static err_t *renew(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    json_t *out = NULL;
    return http_reply_result(req, 200, reservation_renew(op, http_param_int(req, "event_id"), &out),
                             &out);
}

static err_t *refund(http_req_t *req, op_t *op, const input_t *in)
{
    int64_t minor = 0; /* absent or null: all that is left */
    json_money(in_json(in, "amount"), &minor);
    json_t *out = NULL;
    return http_reply_result(
        req, 200, order_refund(op, http_param(req, "order_id"), minor, in_str(in, "reason"), &out),
        &out);
}

/* ---- callbacks --------------------------------------------------------------------------- */

/* The posted form (or a JSON object's string members), as an object. */
static json_t *form_fields(http_req_t *req)
{
    json_t *o = json_object();
    if (req->json && json_is_object(req->json)) {
        const char *k;
        json_t *v;
        json_object_foreach(req->json, k, v)
        {
            if (json_is_string(v))
                json_object_set(o, k, v);
        }
        return o;
    }
    for (int i = 0; i < req->form.n && i < 200; i++)
        json_object_set_new(o, req->form.items[i].name, json_string(req->form.items[i].value));
    return o;
}

static void result_page(http_req_t *req, op_t *op, int status, const char *title, const char *text,
                        const char *order_id)
{
    const char *ret = op->app->cfg.payment_return_url;
    if (*ret && status < 400) {
        http_set_header(req, "Location",
                        arena_printf(op->arena, "%s%sorder_id=%s", ret,
                                     strchr(ret, '?') ? "&" : "?", order_id));
        http_reply_empty(req, 303);
        return;
    }
    strbuf_t b;
    sb_init(&b);
    sb_puts(&b, "<!doctype html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
                "content=\"width=device-width\"><title>");
    sb_html(&b, title);
    sb_puts(&b, "</title></head><body style=\"font-family:sans-serif;max-width:30em;margin:3em "
                "auto\"><h1>");
    sb_html(&b, title);
    sb_puts(&b, "</h1><p>");
    sb_html(&b, text);
    sb_puts(&b, "</p><p>Order <code>");
    sb_html(&b, order_id);
    sb_puts(&b, "</code>. You can return to the app.</p></body></html>\n");
    size_t len = 0;
    char *html = sb_steal(&b, &len);
    http_set_header(req, "Cache-Control", "no-store");
    http_reply_raw(req, status, "text/html; charset=utf-8", html, len, false);
    free(html);
}

static err_t *callback(http_req_t *req, op_t *op, const char *provider, const char *kind,
                       callback_result_t *res)
{
    json_t *fields = form_fields(req);
    callback_t cb = {.provider = provider,
                     .kind = kind,
                     .fields = fields,
                     .raw = req->body ? req->body : "",
                     .raw_len = req->body ? req->body_len : 0,
                     .remote_ip = op->client_ip};
    err_t *e = payment_callback(op, &cb, res);
    json_decref(fields);
    metrics_webhook(req->app->metrics, provider,
                    !e                 ? res->outcome
                    : e->status >= 500 ? "error"
                                       : "rejected");
    return e;
}

/* The browser comes back here from the provider: a page (or a redirect to
 * the app); refusals are pages too, with their status. */
static err_t *redirect_back(http_req_t *req, op_t *op, const char *kind)
{
    callback_result_t res;
    const char *provider = http_param(req, "provider");
    err_t *e = callback(req, op, strcmp(provider, "test") ? "payu" : "test", kind, &res);
    if (e && e->status >= 500)
        return e;
    if (e) {
        result_page(req, op, e->status, "Payment not verified", e->message, res.order_id);
        err_discard(e);
        return NULL;
    }
    bool paid = !strcmp(res.outcome, "paid") ||
                (!strcmp(res.outcome, "duplicate") && !strcmp(kind, "success"));
    result_page(req, op, 200,
                paid                                     ? "Payment successful"
                : !strcmp(res.outcome, "refund_pending") ? "Payment will be refunded"
                                                         : "Payment failed",
                paid ? "Your ticket is in the app."
                : !strcmp(res.outcome, "refund_pending")
                    ? "The event filled up before your payment arrived; the money goes back."
                    : "Nothing was charged for this order.",
                res.order_id);
    return NULL;
}

static err_t *payu_success(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    return redirect_back(req, op, "success");
}

static err_t *payu_failure(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    return redirect_back(req, op, "failure");
}

static err_t *payu_webhook(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    callback_result_t res;
    err_t *e = callback(req, op, "payu", "webhook", &res);
    json_t *out = e ? NULL
                    : json_pack("{s:b, s:s, s:s}", "success", 1, "outcome", res.outcome, "order_id",
                                res.order_id);
    return http_reply_result(req, 200, e, &out);
}

/* ---- the test provider's checkout (development and tests) ------------------------------ */

static void hidden(strbuf_t *b, const char *name, const char *value)
{
    sb_puts(b, "<input type=\"hidden\" name=\"");
    sb_html(b, name);
    sb_puts(b, "\" value=\"");
    sb_html(b, value);
    sb_puts(b, "\">");
}

static void answer_form(op_t *op, strbuf_t *b, const payu_fields_t *f, const char *status,
                        const char *action, const char *label)
{
    provider_t p;
    char hash[PAYU_HASH_HEX], payid[17];
    payu_fields_t g = *f;
    g.status = status;
    provider_get(op, "test", &p);
    payu_response_hash(&g, p.salt, hash);
    rand_base62(payid, 16);
    sb_puts(b, "<form method=\"post\" action=\"");
    sb_html(b, action);
    sb_puts(b, "\">");
    hidden(b, "key", f->key);
    hidden(b, "txnid", f->txnid);
    hidden(b, "amount", f->amount);
    hidden(b, "productinfo", f->productinfo);
    hidden(b, "firstname", f->firstname);
    hidden(b, "email", f->email);
    hidden(b, "status", status);
    hidden(b, "mihpayid", arena_printf(op->arena, "TEST-%s", payid));
    hidden(b, "mode", "TEST");
    hidden(b, "hash", hash);
    sb_puts(b, "<button type=\"submit\">");
    sb_html(b, label);
    sb_puts(b, "</button></form>");
}

/* The app posts the provider form here (payu_url of a test order): the
 * request hash is checked, then two buttons post signed answers back. */
static err_t *test_checkout(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    provider_t p;
    provider_get(op, "test", &p);
    json_t *fields = form_fields(req);
#define F(n)                                                                                       \
    (json_string_value(json_object_get(fields, n)) ? json_string_value(json_object_get(fields, n)) \
                                                   : "")
    payu_fields_t f = {.key = F("key"),
                       .txnid = F("txnid"),
                       .amount = F("amount"),
                       .productinfo = F("productinfo"),
                       .firstname = F("firstname"),
                       .email = F("email")};
    char expected[PAYU_HASH_HEX];
    payu_request_hash(&f, p.salt, expected);
    if (strcmp(f.key, p.key) || !payu_hash_matches(expected, F("hash"))) {
        json_decref(fields);
        return op_fail(op, 400, "INVALID_HASH", "The checkout form's hash does not verify.");
    }
    strbuf_t b;
    sb_init(&b);
    sb_puts(&b, "<!doctype html><html><head><meta charset=\"utf-8\"><title>Loopin test "
                "checkout</title></head><body style=\"font-family:sans-serif;max-width:30em;"
                "margin:3em auto\"><h1>Test checkout</h1><p>");
    sb_html(&b, f.productinfo);
    sb_puts(&b, ": <b>");
    sb_html(&b, f.amount);
    sb_puts(&b, " INR</b>. No money moves; this page exists only with the test provider.</p>");
    answer_form(op, &b, &f, "success", F("surl"), "Pay");
    answer_form(op, &b, &f, "failure", F("furl"), "Fail");
    sb_puts(&b, "</body></html>\n");
#undef F
    json_decref(fields);
    size_t len = 0;
    char *html = sb_steal(&b, &len);
    http_reply_raw(req, 200, "text/html; charset=utf-8", html, len, false);
    free(html);
    return NULL;
}

/* ---- the periodic job ---------------------------------------------------------------------- */

/* Expires open orders and releases expired reservations, telling each
 * owner, in one transaction (a batch of at most 500 reservations a run). */
static err_t *expire_tx(op_t *op, void *arg)
{
    (void)arg;
    int64_t orders = 0, reservations = 0;
    int rc = orders_expire_all(op, &orders);
    if (rc == DB_OK)
        rc = reservations_expire_all(op, &reservations);
    return rc == DB_OK ? NULL : op_db_fail(op, rc);
}

static err_t *expire_job(op_t *op, json_t *payload)
{
    (void)payload;
    return op_tx(op, DB_TX_WRITE, expire_tx, NULL);
}

/* ---- routes ---------------------------------------------------------------------------------- */

static const char *amount_check(arena_t *a, json_t *v, json_t **out, const char **type)
{
    (void)a;
    (void)out;
    (void)type;
    int64_t m = 0;
    if (!json_money(v, &m) || m <= 0)
        return "amount must be a positive amount such as 110.00";
    return NULL;
}

static const field_t order_fields[] = {
    {"event_id", FT_INT, F_REQUIRED, .min = 1, .max = INT64_MAX},
    {"amount", FT_ANY, F_REQUIRED, .check = amount_check},
    {"reservation_key", FT_STRING, F_NULLABLE,
     .pattern = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"},
    {"seats_count", FT_INT, 0, .min = 1, .max = 10},
    FIELDS_END,
};

static const field_t refund_fields[] = {
    {"order_id", FT_STRING, F_REQUIRED, .in = FIELD_PATH, .pattern = "^[A-Za-z0-9_-]{1,64}$"},
    {"amount", FT_ANY, F_NULLABLE, .check = amount_check},
    {"reason", FT_STRING, F_REQUIRED | F_TRIM, .min_len = 1, .max_len = 500},
    FIELDS_END,
};

static const field_t page_fields[] = {
    {"offset", FT_INT, 0, .in = FIELD_QUERY, .min = 0, .max = INT32_MAX},
    {"limit", FT_INT, 0, .in = FIELD_QUERY, .min = 1, .max = 100},
    FIELDS_END,
};

static const field_t order_id_fields[] = {
    {"order_id", FT_STRING, F_REQUIRED, .in = FIELD_PATH, .pattern = "^[A-Za-z0-9_-]{1,64}$"},
    FIELDS_END,
};

static const field_t provider_fields[] = {
    {"provider", FT_STRING, F_REQUIRED, .in = FIELD_PATH,
     .choices = (const char *const[]){"payu", "test", NULL}},
    FIELDS_END,
};

#define PAY_ROUTE(m, path, fn, level)                                                              \
    .method = m, .pattern = path, .handler = fn, .auth = level, .tag = "money"

static const route_def_t payments_routes[] = {
    {PAY_ROUTE(HTTP_POST, "/api/payments/orders", create_order, AUTH_ACTIVE), .body = BODY_JSON,
     .fields = order_fields, .idempotent = true},
    {PAY_ROUTE(HTTP_GET, "/api/payments/orders", list_orders, AUTH_ACTIVE), .fields = page_fields},
    {PAY_ROUTE(HTTP_GET, "/api/payments/orders/{order_id}", get_order, AUTH_ACTIVE),
     .fields = order_id_fields},
    {PAY_ROUTE(HTTP_POST, "/api/admin/orders/{order_id}/refund", refund, AUTH_STAFF),
     .body = BODY_JSON, .fields = refund_fields, .idempotent = true},
    {PAY_ROUTE(HTTP_POST, "/api/events/{event_id:int}/reservations", renew, AUTH_ACTIVE),
     .body = BODY_JSON, .body_optional = true, .envelope = ENVELOPE_EVENT, .idempotent = true},
    {PAY_ROUTE(HTTP_POST, "/api/payments/{provider}/success", payu_success, AUTH_ANONYMOUS),
     .body = BODY_URLENCODED, .body_optional = true, .fields = provider_fields},
    {PAY_ROUTE(HTTP_POST, "/api/payments/{provider}/failure", payu_failure, AUTH_ANONYMOUS),
     .body = BODY_URLENCODED, .body_optional = true, .fields = provider_fields},
    {PAY_ROUTE(HTTP_POST, "/api/payments/payu/webhook", payu_webhook, AUTH_ANONYMOUS),
     .body = BODY_URLENCODED | BODY_JSON, .body_optional = true},
    {PAY_ROUTE(HTTP_POST, "/api/payments/test/checkout", test_checkout, AUTH_ANONYMOUS),
     .body = BODY_URLENCODED, .body_optional = true},
    ROUTES_END,
};

static const job_kind_t payments_jobs[] = {
    {.kind = "payments_expire", .handler = expire_job, .period_s = 60, .max_attempts = 3},
    {0},
};

const module_t payments_module = {
    .name = "payments", .routes = payments_routes, .jobs = payments_jobs};
