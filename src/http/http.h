/*
 * http.h: the request and response every handler sees, and the helpers that
 * build responses. A handler reads a fully parsed request (path parameters,
 * query, JSON or form body, uploaded files) and writes exactly one response
 * with the helpers below; it never talks to libmicrohttpd.
 *
 * Memory: everything hanging off a request (strings, parsed values) lives in
 * req->arena and dies with the request. A json_t body is owned by the request.
 */
#ifndef LOOPIN_HTTP_H
#define LOOPIN_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/strbuf.h"
#include "db/db.h"
#include "core/err.h"
#include "op.h"

struct app;
struct route;
struct input;
struct MHD_Connection;

typedef enum {
    HTTP_GET = 1 << 0,
    HTTP_POST = 1 << 1,
    HTTP_PUT = 1 << 2,
    HTTP_PATCH = 1 << 3,
    HTTP_DELETE = 1 << 4,
    HTTP_HEAD = 1 << 5,
    HTTP_OPTIONS = 1 << 6,
} http_method_t;

typedef struct {
    const char *name, *value;
} http_kv_t;

typedef struct {
    http_kv_t *items;
    int n, cap;
} http_kvs_t;

typedef struct {
    const char *field;         /* form field name */
    const char *filename;      /* as sent by the client (untrusted) */
    const char *content_type;  /* as sent by the client (untrusted) */
    const unsigned char *data; /* points into the request body */
    size_t size;
} http_file_t;

/* What kinds of body a route accepts; anything else is 415. */
enum {
    BODY_NONE = 0,
    BODY_JSON = 1 << 0,
    BODY_URLENCODED = 1 << 1,
    BODY_MULTIPART = 1 << 2,
    BODY_FORM = BODY_URLENCODED | BODY_MULTIPART,
    BODY_ANY = BODY_JSON | BODY_FORM,
};

typedef struct {
    int status;
    const char *content_type; /* static string */
    const char *body;         /* points at owned, or at static memory */
    char *owned;              /* malloc'd body, freed after sending */
    size_t len;
    http_kvs_t headers;     /* extra headers (arena) */
    const char *error_code; /* for the access log */
} http_res_t;

typedef struct http_req {
    struct app *app;
    struct MHD_Connection *conn;
    arena_t arena;

    http_method_t method;
    const char *method_name;
    const char *path;  /* without query string, trailing '/' removed */
    http_kvs_t query;  /* decoded */
    http_kvs_t params; /* path parameters, raw (already type-checked) */
    const struct route *route;

    char request_id[136];
    char client_ip[64];
    const char *user_agent;

    /* body */
    const char *content_type; /* media type only, lower case */
    int body_kind;            /* BODY_JSON / BODY_URLENCODED / BODY_MULTIPART / 0 */
    char *body;               /* malloc'd, NUL-terminated */
    size_t body_len;
    json_t *json; /* parsed JSON body (owned) */
    http_kvs_t form;
    http_file_t *files;
    int nfiles;

    db_conn_t *db;       /* borrowed by the pipeline, returned after the handler */
    op_t op;             /* the operation this request runs as (actor set by the guard) */
    struct input *input; /* checked fields (http/route.h), freed with the request */
    int64_t start_mono_us;
    http_res_t res;
} http_req_t;

/* ---- reading the request --------------------------------------------- */

const char *http_header(http_req_t *req, const char *name);
/* The value of cookie name from the Cookie header, or NULL. */
const char *http_cookie(http_req_t *req, const char *name);
const char *http_query(http_req_t *req, const char *name);
const char *http_param(http_req_t *req, const char *name);
/* Path parameter declared {name:int}: already validated by the router. */
int64_t http_param_int(http_req_t *req, const char *name);
const char *http_form(http_req_t *req, const char *name);
/* First uploaded file for a field, or NULL. */
const http_file_t *http_file(http_req_t *req, const char *field);

/* ---- writing the response -------------------------------------------- */

/* Serialises and takes ownership of obj. */
void http_reply_json(http_req_t *req, int status, json_t *obj);
/* body is copied unless is_static (then it must outlive the response). */
void http_reply_raw(http_req_t *req, int status, const char *content_type, const char *body,
                    size_t len, bool is_static);
/* A JSON body already written (core/jsonw); takes the buffer over. */
void http_reply_json_buf(http_req_t *req, int status, strbuf_t *body);
void http_reply_empty(http_req_t *req, int status);
void http_set_header(http_req_t *req, const char *name, const char *value);

/* An error answered by the server itself before any route runs (404, 405,
 * 413, 431, ...): rendered by the one renderer (http/render.c) in the
 * {"detail", "error_code"} envelope. */
void http_error(http_req_t *req, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

const char *http_method_name(http_method_t m);
int http_method_parse(const char *s);

#endif
