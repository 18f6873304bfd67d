/*
 * response.c: building the one response of a request, and the one error
 * renderer. Every error body has "detail" and a stable "error_code"; request
 * validation errors keep FastAPI's 422 list shape for the mobile apps.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"

#include "app.h"
#include "http/form.h"
#include "core/log.h"
#include "http/http.h"
#include "http/router.h"
#include "core/err.h"
#include "http/render.h"

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

void http_reply_json_buf(http_req_t *req, int status, strbuf_t *body)
{
    http_res_t *res = &req->res;
    reset_body(res);
    size_t len = 0;
    res->status = status;
    res->content_type = "application/json";
    res->body = res->owned = sb_steal(body, &len);
    res->len = len;
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
    http_render_error(req, err_new(&req->arena, status, code, "%s", msg), ENVELOPE_DETAIL);
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
