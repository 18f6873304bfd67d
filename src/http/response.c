/*
 * response.c: building the one response of a request, and the one error
 * renderer. Every error body has "detail" and a stable "error_code"; request
 * validation errors keep FastAPI's 422 list shape for the mobile apps.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "http/form.h"
#include "core/log.h"
#include "http/http.h"
#include "http/router.h"
#include "core/err.h"

static void reset_body(http_res_t *res)
{
    free(res->owned);
    res->owned = NULL;
    res->body = NULL;
    res->len = 0;
}

void http_reply_raw(http_req_t *req, int status, const char *content_type, const char *body,
                    size_t len, bool is_static)
{
    http_res_t *res = &req->res;
    reset_body(res);
    res->status = status;
    res->content_type = content_type;
    if (is_static) {
        res->body = body;
    } else {
        res->owned = malloc(len + 1);
        if (!res->owned)
            abort();
        memcpy(res->owned, body, len);
        res->owned[len] = '\0';
        res->body = res->owned;
    }
    res->len = len;
}

void http_reply_json(http_req_t *req, int status, json_t *obj)
{
    http_res_t *res = &req->res;
    reset_body(res);
    char *s = json_dumps(obj, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(10));
    json_decref(obj);
    if (!s)
        abort();
    res->status = status;
    res->content_type = "application/json";
    res->body = res->owned = s;
    res->len = strlen(s);
}

void http_reply_empty(http_req_t *req, int status)
{
    reset_body(&req->res);
    req->res.status = status;
    req->res.content_type = NULL;
}

void http_set_header(http_req_t *req, const char *name, const char *value)
{
    http_kvs_t *h = &req->res.headers;
    for (int i = 0; i < h->n; i++)
        if (strcasecmp(h->items[i].name, name) == 0) {
            h->items[i].value = arena_strdup(&req->arena, value);
            return;
        }
    http_kvs_add(h, &req->arena, arena_strdup(&req->arena, name), arena_strdup(&req->arena, value));
}

void http_error(http_req_t *req, int status, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = arena_vprintf(&req->arena, fmt, ap);
    va_end(ap);
    json_t *body = json_pack("{s:s, s:s}", "detail", msg, "error_code", code);
    if (status >= 500)
        json_object_set_new(body, "request_id", json_string(req->request_id));
    req->res.error_code = code;
    http_reply_json(req, status, body);
}

void http_error_validation(http_req_t *req, json_t *details)
{
    json_t *body = json_object();
    json_object_set_new(body, "detail", details);
    json_object_set_new(body, "error_code", json_string("VALIDATION_ERROR"));
    req->res.error_code = "VALIDATION_ERROR";
    http_reply_json(req, 422, body);
}

void http_error_field(http_req_t *req, const char *type, const char *where, const char *field,
                      const char *msg, json_t *input)
{
    json_t *details = json_array();
    err_detail_add(details, type, where, field, msg, input);
    http_error_validation(req, details);
}

static const struct {
    http_method_t m;
    const char *name;
} methods[] = {{HTTP_GET, "GET"},        {HTTP_POST, "POST"},     {HTTP_PUT, "PUT"},
               {HTTP_PATCH, "PATCH"},    {HTTP_DELETE, "DELETE"}, {HTTP_HEAD, "HEAD"},
               {HTTP_OPTIONS, "OPTIONS"}};

const char *http_method_name(http_method_t m)
{
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
        if (methods[i].m == m)
            return methods[i].name;
    return "?";
}

int http_method_parse(const char *s)
{
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
        if (strcmp(methods[i].name, s) == 0)
            return methods[i].m;
    return 0;
}

const char *http_header(http_req_t *req, const char *name);
const char *http_query(http_req_t *req, const char *name)
{
    return http_kvs_get(&req->query, name);
}

const char *http_param(http_req_t *req, const char *name)
{
    return http_kvs_get(&req->params, name);
}

int64_t http_param_int(http_req_t *req, const char *name)
{
    const char *v = http_param(req, name);
    return v ? strtoll(v, NULL, 10) : 0;
}

const char *http_form(http_req_t *req, const char *name)
{
    return http_kvs_get(&req->form, name);
}

const http_file_t *http_file(http_req_t *req, const char *field)
{
    for (int i = 0; i < req->nfiles; i++)
        if (strcmp(req->files[i].field, field) == 0)
            return &req->files[i];
    return NULL;
}

db_conn_t *http_db(http_req_t *req)
{
    if (req->db)
        return req->db;
    req->db = db_acquire(req->app->db);
    if (!req->db) {
        http_set_header(req, "Retry-After", "1");
        http_error(req, 503, "SERVICE_UNAVAILABLE", "The server is busy; please retry in a moment");
    }
    return req->db;
}

void http_db_error(http_req_t *req, int rc, const char *detail)
{
    if (req->res.status != 0)
        return; /* e.g. the pool's 503 is already written */
    log_msg(LOG_ERROR, "database error", "route", req->route ? req->route->pattern : "", "error",
            req->db ? db_errmsg(req->db) : "", NULL);
    if (rc == DB_TIMEOUT || rc == DB_RETRY) {
        http_set_header(req, "Retry-After", "1");
        http_error(req, 503, "SERVICE_UNAVAILABLE", "The database is busy; please retry shortly");
        return;
    }
    http_error(req, 500, "INTERNAL_SERVER_ERROR", "%s", detail ? detail : "Internal server error");
}

void http_db_unavailable(http_req_t *req)
{
    if (req->res.status == 0)
        http_error(req, 503, "SERVICE_UNAVAILABLE", "The database is unavailable; retry shortly");
}
