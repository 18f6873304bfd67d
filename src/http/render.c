/*
 * render.c: the one place an error value becomes a response. The envelope
 * comes from the route's declaration (route.h); a 422 with details is
 * always FastAPI's list; a 5xx always has "request_id" and is logged here,
 * once, with the request id, route and internal cause, so every failure of
 * ours leaves exactly one log line whatever code path produced it.
 */
#include "http/render.h"

#include <stdio.h>

#include "core/log.h"
#include "http/router.h"

static json_t *envelope_body(const err_t *e, envelope_t env)
{
    switch (env) {
    case ENVELOPE_AUTH:
        return json_pack("{s:b, s:s, s:n, s:n, s:s, s:s}", "success", 0, "message", e->message,
                         "data", "token", "detail", e->message, "error_code", e->code);
    case ENVELOPE_EVENT:
        return json_pack("{s:b, s:s, s:s, s:s, s:o}", "success", 0, "error", e->message, "detail",
                         e->message, "error_code", e->code, "details",
                         e->context ? json_incref(e->context) : json_object());
    default:
        /* machine-readable facts of a refusal (e.g. the expected amount) */
        return e->context ? json_pack("{s:s, s:s, s:O}", "detail", e->message, "error_code",
                                      e->code, "details", e->context)
                          : json_pack("{s:s, s:s}", "detail", e->message, "error_code", e->code);
    }
}

static void log_failure(http_req_t *req, const err_t *e)
{
    char status[8];
    snprintf(status, sizeof status, "%d", e->status);
    log_msg(LOG_ERROR, "request failed", "request_id", req->request_id, "route",
            req->route ? req->route->pattern : (req->path ? req->path : ""), "status", status,
            "error_code", e->code, "cause", e->cause ? e->cause : e->message, NULL);
}

void http_render_error(http_req_t *req, err_t *e, envelope_t env)
{
    json_t *body;
    if (e->details) {
        body = json_pack("{s:o, s:s}", "detail", e->details, "error_code", e->code);
        e->details = NULL; /* now the body's */
    } else {
        body = envelope_body(e, e->status >= 500 ? ENVELOPE_DETAIL : env);
    }
    if (e->status >= 500) {
        json_object_set_new(body, "request_id", json_string(req->request_id));
        log_failure(req, e);
    }
    if (e->retry_after > 0) {
        char ra[16];
        snprintf(ra, sizeof ra, "%d", e->retry_after);
        http_set_header(req, "Retry-After", ra);
    }
    if (e->status == 401)
        http_set_header(req, "WWW-Authenticate", "Bearer");
    req->res.error_code = e->code;
    json_decref(e->context);
    e->context = NULL;
    http_reply_json(req, e->status, body);
}

err_t *http_reply_result(http_req_t *req, int status, err_t *e, json_t **out)
{
    if (!e)
        http_reply_json(req, status, *out);
    return e;
}
