/*
 * middleware.c: cross-cutting request and response concerns. The access log
 * records method, path (never the query string, which may carry tokens),
 * status and timing; never headers or bodies.
 */
#include "http/middleware.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "app.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/rand.h"
#include "core/strbuf.h"
#include "http/router.h"

#define REQUEST_ID_MAX 128

static bool request_id_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > REQUEST_ID_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            return false;
    }
    return true;
}

void middleware_request_id(http_req_t *req)
{
    const char *given = http_header(req, "X-Request-Id");
    if (given && request_id_ok(given))
        snprintf(req->request_id, sizeof req->request_id, "%s", given);
    else
        rand_hex(req->request_id, 16);
}

/* The request's Origin when LOOPIN_CORS_ORIGINS lists it (or lists "*"). */
static const char *allowed_origin(http_req_t *req)
{
    const char *origin = http_header(req, "Origin");
    const char *list = req->app->cfg.cors_origins;
    if (!origin || !*list)
        return NULL;
    size_t olen = strlen(origin);
    const char *p = list;
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t n = strcspn(p, ",");
        size_t t = n;
        while (t > 0 && p[t - 1] == ' ')
            t--;
        if ((t == 1 && p[0] == '*') || (t == olen && strncmp(p, origin, olen) == 0))
            return origin;
        p += n;
    }
    return NULL;
}

static void cors_headers(http_req_t *req)
{
    const char *origin = allowed_origin(req);
    if (!origin)
        return;
    http_set_header(req, "Access-Control-Allow-Origin", origin);
    http_set_header(req, "Access-Control-Allow-Credentials", "true");
    http_set_header(req, "Access-Control-Expose-Headers",
                    "X-Request-Id, Retry-After, Location, Idempotent-Replayed");
    http_set_header(req, "Vary", "Origin");
}

void middleware_preflight(http_req_t *req, int methods)
{
    strbuf_t sb;
    sb_init(&sb);
    for (int m = HTTP_GET; m <= HTTP_OPTIONS; m <<= 1)
        if ((methods | HTTP_OPTIONS) & m)
            sb_printf(&sb, "%s%s", sb.len ? ", " : "", http_method_name((http_method_t)m));
    http_set_header(req, "Allow", sb.data);
    if (allowed_origin(req)) {
        http_set_header(req, "Access-Control-Allow-Methods", sb.data);
        const char *want = http_header(req, "Access-Control-Request-Headers");
        http_set_header(req, "Access-Control-Allow-Headers",
                        want ? want
                             : "Authorization, Content-Type, X-Request-Id, "
                               "Idempotency-Key");
        http_set_header(req, "Access-Control-Max-Age", "600");
    }
    sb_free(&sb);
    http_reply_empty(req, 204);
}

static bool has_header(const http_req_t *req, const char *name)
{
    for (int i = 0; i < req->res.headers.n; i++)
        if (strcasecmp(req->res.headers.items[i].name, name) == 0)
            return true;
    return false;
}

void middleware_response_headers(http_req_t *req)
{
    http_set_header(req, "X-Request-Id", req->request_id);
    http_set_header(req, "X-Content-Type-Options", "nosniff");
    http_set_header(req, "X-Frame-Options", "DENY");
    http_set_header(req, "Referrer-Policy", "no-referrer");
    bool is_html = req->res.content_type && strncmp(req->res.content_type, "text/html", 9) == 0;
    if (!is_html)
        http_set_header(req, "Content-Security-Policy",
                        "default-src 'none'; frame-ancestors 'none'");
    if (req->app->cfg.env == ENV_PRODUCTION)
        http_set_header(req, "Strict-Transport-Security", "max-age=31536000; includeSubDomains");
    if (!has_header(req, "Cache-Control"))
        http_set_header(req, "Cache-Control", "no-store");
    cors_headers(req);
}

void middleware_access_log(http_req_t *req, int64_t duration_us)
{
    if (!log_enabled(LOG_INFO))
        return;
    char ts[32];
    clock_format_iso(clock_now_us(), ts);
    strbuf_t sb;
    sb_init(&sb);
    sb_printf(&sb, "{\"ts\":\"%s\",\"level\":\"info\",\"msg\":\"request\",\"request_id\":", ts);
    sb_json_string(&sb, req->request_id);
    sb_puts(&sb, ",\"method\":");
    sb_json_string(&sb, req->method_name);
    sb_puts(&sb, ",\"path\":");
    sb_json_string(&sb, req->path);
    if (req->route) {
        sb_puts(&sb, ",\"route\":");
        sb_json_string(&sb, req->route->pattern);
    }
    sb_printf(&sb, ",\"status\":%d,\"duration_ms\":%.3f,\"bytes\":%zu", req->res.status,
              (double)duration_us / 1000.0, req->res.len);
    if (req->res.error_code) {
        sb_puts(&sb, ",\"error_code\":");
        sb_json_string(&sb, req->res.error_code);
    }
    sb_puts(&sb, ",\"ip\":");
    sb_json_string(&sb, req->client_ip);
    sb_puts(&sb, "}\n");
    log_json_line(sb.data);
    sb_free(&sb);
}
