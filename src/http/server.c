/*
 * server.c: libmicrohttpd glue. It owns a request's life: routing on the
 * header call, buffering the body under a size limit on the upload calls,
 * then parsing, running the handler and queueing the response on the final
 * call (never on the header call, which would make libmicrohttpd drop
 * keep-alive), and on completion the access log, metrics and cleanup.
 */
#include "http/server.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "app.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/rand.h"
#include "core/strbuf.h"
#include "http/body.h"
#include "http/client_ip.h"
#include "http/form.h"
#include "http/listen_drain.h"
#include "http/metrics.h"
#include "http/middleware.h"
#include "http/pipeline.h"
#include "http/render.h"
#include "http/router.h"

/* A body bigger than its limit is still read and thrown away up to this many
 * bytes, so the client gets a 413 instead of a reset connection; beyond it
 * the connection is closed after the response. */
#define HTTP_DRAIN_MAX (64 * 1024 * 1024)

struct http_server {
    app_t *app;
    struct MHD_Daemon *d;
    _Atomic int inflight; /* requests begun and not completed */
    _Atomic int fresh;    /* connections with no request begun yet (on_connection) */
    int port;
};

/* Per-request state that only the server needs. */
typedef struct {
    http_req_t req;
    size_t body_cap, received, limit;
    bool too_large, closing, header_too_large, timed_out;
    int framing_status; /* 400/501: ambiguous or unsupported body framing (answer, close) */
    route_result_t route_result;
    route_match_t match;
    bool responded;
    const char *bad_query; /* first query parameter that did not decode */
} conn_req_t;

const char *http_header(http_req_t *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *http_cookie(http_req_t *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name);
}

static enum MHD_Result sum_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *value)
{
    (void)kind;
    *(size_t *)cls += strlen(key) + (value ? strlen(value) : 0) + 4;
    return MHD_YES;
}

static enum MHD_Result add_query_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
    (void)kind;
    conn_req_t *cr = cls;
    http_req_t *req = &cr->req;
    char *k = arena_strdup(&req->arena, key);
    char *v = arena_strdup(&req->arena, value ? value : "");
    if (form_percent_decode(k, 1) >= 0 && form_percent_decode(v, 1) >= 0)
        http_kvs_add(&req->query, &req->arena, k, v);
    else if (!cr->bad_query) /* answered 422 instead of silently dropping a filter */
        cr->bad_query = arena_strdup(&req->arena, key);
    return MHD_YES;
}

/* ---- message framing (RFC 9112 section 6) -------------------------------------
 * A proxy in front of us may frame a request differently from us when the
 * length is ambiguous; the difference is request smuggling. So: both
 * Content-Length and Transfer-Encoding, or Content-Length values that
 * disagree, are 400; a transfer coding other than plain "chunked" is 501.
 * Either way the connection closes without reading further. */

typedef struct {
    int n_cl, n_te;
    bool cl_differ;
    char first_cl[32];
    bool te_ok; /* every Transfer-Encoding value is exactly "chunked" */
} framing_t;

static bool same_token(const char *s, const char *token)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(token);
    if (strncasecmp(s, token, n) != 0)
        return false;
    for (s += n; *s == ' ' || *s == '\t'; s++)
        ;
    return *s == '\0';
}

/* One Content-Length value, which may itself be a list ("4, 4"). */
static void note_content_length(framing_t *f, const char *v)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", v ? v : "");
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        while (*t == ' ' || *t == '\t')
            t++;
        size_t n = strcspn(t, " \t");
        t[n] = '\0';
        if (f->n_cl++ == 0)
            snprintf(f->first_cl, sizeof f->first_cl, "%s", t);
        else if (strcmp(f->first_cl, t) != 0)
            f->cl_differ = true;
    }
}

static enum MHD_Result note_framing(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *value)
{
    (void)kind;
    framing_t *f = cls;
    if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0) {
        note_content_length(f, value);
    } else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0) {
        f->n_te++;
        f->te_ok = f->n_te == 1 && value && same_token(value, "chunked");
    }
    return MHD_YES;
}

/* 0 when the body's framing is unambiguous, else the status to answer. */
static int framing_check(struct MHD_Connection *c)
{
    framing_t f = {0};
    MHD_get_connection_values(c, MHD_HEADER_KIND, note_framing, &f);
    if ((f.n_te > 0 && f.n_cl > 0) || f.cl_differ)
        return 400;
    if (f.n_te > 0 && !f.te_ok)
        return 501;
    return 0;
}

typedef struct {
    char buf[1024];
    size_t len;
    bool overflow;
} xff_t;

/* Joins every X-Forwarded-For header with ",", in order (RFC 9110: several
 * fields are one list). A list too long to hold is not believed at all. */
static enum MHD_Result add_xff(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *value)
{
    (void)kind;
    xff_t *x = cls;
    if (strcasecmp(key, "X-Forwarded-For") != 0 || !value)
        return MHD_YES;
    size_t n = strlen(value), sep = x->len ? 1 : 0;
    if (x->len + sep + n >= sizeof x->buf) {
        x->overflow = true;
        return MHD_YES;
    }
    if (sep)
        x->buf[x->len++] = ',';
    memcpy(x->buf + x->len, value, n + 1);
    x->len += n;
    return MHD_YES;
}

/* The socket peer, or the client behind a trusted proxy (http/client_ip.h). */
static void set_client_ip(http_req_t *req)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!ci || !ci->client_addr)
        return;
    char peer[INET6_ADDRSTRLEN] = "";
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, peer,
                  sizeof peer);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, peer,
                  sizeof peer);
    snprintf(req->client_ip, sizeof req->client_ip, "%s", peer);
    const cidr_list_t *trusted = &req->app->trusted_proxies;
    if (!trusted->n || !cidr_list_contains(trusted, peer))
        return;
    static xff_t empty;
    xff_t *x = arena_alloc(&req->arena, sizeof *x);
    *x = empty;
    MHD_get_connection_values(req->conn, MHD_HEADER_KIND, add_xff, x);
    if (x->overflow)
        return;
    client_ip_resolve(trusted, peer, x->buf, http_header(req, "X-Real-IP"), req->client_ip,
                      sizeof req->client_ip);
}

/* Trailing slashes are not significant: "/health/" is "/health". */
static const char *normalise_path(arena_t *a, const char *url)
{
    size_t n = strlen(url);
    while (n > 1 && url[n - 1] == '/')
        n--;
    return arena_strndup(a, url, n);
}

static conn_req_t *request_begin(app_t *app, struct MHD_Connection *c, const char *url,
                                 const char *method)
{
    conn_req_t *cr = calloc(1, sizeof *cr);
    if (!cr)
        return NULL;
    http_req_t *req = &cr->req;
    req->app = app;
    req->conn = c;
    arena_init(&req->arena);
    req->start_mono_us = clock_mono_us();
    req->method = http_method_parse(method);
    req->method_name = arena_strdup(&req->arena, method);
    req->path = normalise_path(&req->arena, url);
    req->user_agent = http_header(req, MHD_HTTP_HEADER_USER_AGENT);
    set_client_ip(req);
    middleware_request_id(req);

    size_t header_bytes = strlen(url);
    MHD_get_connection_values(c, MHD_HEADER_KIND, sum_header, &header_bytes);
    cr->header_too_large = header_bytes > HTTP_HEADER_LIMIT;
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, add_query_arg, cr);

    if ((cr->framing_status = framing_check(c)) != 0) {
        cr->closing = true;
        return cr;
    }
    body_classify(req);
    cr->limit = req->body_kind == BODY_MULTIPART ? HTTP_MULTIPART_LIMIT : HTTP_JSON_LIMIT;
    const char *cl = http_header(req, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl && strtoull(cl, NULL, 10) > cr->limit) {
        /* A client waiting for "100 Continue" has not sent the body yet:
         * refuse at once instead of inviting it to upload. */
        const char *expect = http_header(req, MHD_HTTP_HEADER_EXPECT);
        cr->too_large = true;
        cr->closing = strtoull(cl, NULL, 10) > HTTP_DRAIN_MAX ||
                      (expect && strcasecmp(expect, "100-continue") == 0);
    }
    int match_method = req->method == HTTP_HEAD ? HTTP_GET : req->method;
    if (req->method == HTTP_OPTIONS)
        match_method = 0x7f; /* any route on this path answers a preflight */
    cr->route_result = router_match(app->router, match_method, req->path, &req->arena, &cr->match);
    return cr;
}

static void request_feed(conn_req_t *cr, const char *data, size_t len)
{
    cr->received += len;
    if (cr->received > cr->limit) {
        cr->too_large = true;
        free(cr->req.body);
        cr->req.body = NULL;
        cr->req.body_len = cr->body_cap = 0;
        if (cr->received > HTTP_DRAIN_MAX)
            cr->closing = true;
        return;
    }
    if (cr->too_large || cr->header_too_large)
        return;
    http_req_t *req = &cr->req;
    if (req->body_len + len + 1 > cr->body_cap) {
        size_t cap = cr->body_cap ? cr->body_cap : 4096;
        while (cap < req->body_len + len + 1)
            cap *= 2;
        char *nb = realloc(req->body, cap);
        if (!nb)
            abort();
        req->body = nb;
        cr->body_cap = cap;
    }
    memcpy(req->body + req->body_len, data, len);
    req->body_len += len;
    req->body[req->body_len] = '\0';
}

/* A one-item 422 answered before any route runs. */
static void route_error_field(http_req_t *req, const char *type, const char *where,
                              const char *field, const char *msg, json_t *input)
{
    http_render_error(req, err_field(&req->arena, type, where, field, msg, input), ENVELOPE_DETAIL);
}

static void render_route_error(conn_req_t *cr)
{
    http_req_t *req = &cr->req;
    if (cr->route_result == ROUTE_METHOD_NOT_ALLOWED) {
        strbuf_t sb;
        sb_init(&sb);
        for (int m = HTTP_GET; m <= HTTP_OPTIONS; m <<= 1)
            if (cr->match.allow_methods & m)
                sb_printf(&sb, "%s%s", sb.len ? ", " : "", http_method_name((http_method_t)m));
        http_set_header(req, "Allow", sb.data ? sb.data : "");
        sb_free(&sb);
        http_error(req, 405, "METHOD_NOT_ALLOWED", "Method Not Allowed");
    } else if (cr->route_result == ROUTE_BAD_PARAM) {
        bool is_int = cr->match.bad_type == PARAM_INT;
        route_error_field(req, is_int ? "int_parsing" : "uuid_parsing", "path", cr->match.bad_name,
                          is_int ? "Input should be a valid integer, unable to parse string as "
                                   "an integer"
                                 : "Input should be a valid UUID",
                          json_string(cr->match.bad_value));
    } else {
        http_error(req, 404, "NOT_FOUND", "Not Found");
    }
}

/* Decides the response once the whole request is in. */
static void request_dispatch(conn_req_t *cr)
{
    http_req_t *req = &cr->req;
    if (cr->framing_status == 400) {
        http_error(req, 400, "AMBIGUOUS_FRAMING",
                   "The request's length is ambiguous (Content-Length with Transfer-Encoding, "
                   "or differing Content-Length values)");
    } else if (cr->framing_status == 501) {
        http_error(req, 501, "UNSUPPORTED_TRANSFER_ENCODING",
                   "Only the chunked transfer coding is supported");
    } else if (cr->header_too_large) {
        http_error(req, 431, "HEADER_TOO_LARGE", "Request header fields too large (limit %d bytes)",
                   HTTP_HEADER_LIMIT);
    } else if (cr->timed_out) {
        http_error(req, 408, "REQUEST_TIMEOUT", "Request body not received in time");
    } else if (cr->too_large) {
        http_error(req, 413, "PAYLOAD_TOO_LARGE", "Request body too large (limit %zu bytes)",
                   cr->limit);
    } else if (req->method == 0) {
        http_error(req, 405, "METHOD_NOT_ALLOWED", "Method Not Allowed");
    } else if (cr->route_result != ROUTE_FOUND) {
        render_route_error(cr);
    } else if (cr->bad_query) {
        route_error_field(req, "value_error", "query", cr->bad_query,
                          "Value error, malformed percent-escape or NUL byte in the query string",
                          NULL);
    } else if (req->method == HTTP_OPTIONS) {
        middleware_preflight(req, cr->match.route->methods);
    } else {
        req->route = cr->match.route;
        for (int i = 0; i < cr->match.nparams; i++)
            http_kvs_add(&req->params, &req->arena, cr->match.params[i].name,
                         cr->match.params[i].value);
        pipeline_run(req);
    }
}

static enum MHD_Result queue(conn_req_t *cr)
{
    http_req_t *req = &cr->req;
    http_res_t *res = &req->res;
    struct MHD_Response *r;
    if (res->owned) {
        r = MHD_create_response_from_buffer_with_free_callback(res->len, res->owned, free);
        res->owned = NULL; /* now libmicrohttpd's to free */
    } else {
        /* static memory: libmicrohttpd only reads it (the API lacks const) */
        r = MHD_create_response_from_buffer(
            res->len, (void *)(uintptr_t)(res->body ? res->body : ""), MHD_RESPMEM_PERSISTENT);
    }
    if (!r)
        return MHD_NO;
    if (res->content_type)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, res->content_type);
    middleware_response_headers(req);
    for (int i = 0; i < res->headers.n; i++)
        MHD_add_response_header(r, res->headers.items[i].name, res->headers.items[i].value);
    if (cr->closing || atomic_load(&req->app->draining))
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
    enum MHD_Result ok = MHD_queue_response(req->conn, (unsigned)res->status, r);
    MHD_destroy_response(r);
    cr->responded = true;
    return ok;
}

/* ---- connections not yet requests ----------------------------------------------
 * A connection accepted but whose request headers are not all in is no
 * request yet (on_request has not run), but its client may have sent the
 * request already: closing it at stop loses that request. So each connection
 * remembers whether a request has begun on it, and `fresh` counts those where
 * none has; http_server_stop waits for them. */

typedef struct {
    bool begun;
} conn_state_t;

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    (void)c;
    http_server_t *s = cls;
    conn_state_t *cs = *socket_context;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        if ((cs = calloc(1, sizeof *cs)) != NULL) { /* none: not waited for, no harm */
            *socket_context = cs;
            atomic_fetch_add(&s->fresh, 1);
        }
        return;
    }
    if (cs && !cs->begun)
        atomic_fetch_sub(&s->fresh, 1);
    free(cs);
    *socket_context = NULL;
}

/* A request's first call: its connection is no longer fresh. Runs on the
 * connection's own thread, like on_connection, so `begun` needs no lock. */
static void connection_begun(http_server_t *s, struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    conn_state_t *cs = ci ? ci->socket_context : NULL;
    if (cs && !cs->begun) {
        cs->begun = true;
        atomic_fetch_sub(&s->fresh, 1);
    }
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)version;
    http_server_t *s = cls;
    conn_req_t *cr = *con_cls;
    if (!cr) {
        connection_begun(s, c);
        cr = request_begin(s->app, c, url, method);
        if (!cr)
            return MHD_NO;
        atomic_fetch_add(&s->inflight, 1);
        *con_cls = cr;
        if (!cr->closing)
            return MHD_YES; /* answer on a later call so keep-alive survives */
        /* A declared body too big to even drain: answer now and close. */
        request_dispatch(cr);
        return queue(cr);
    }
    if (cr->responded)
        return MHD_YES;
    if (*upload_data_size) {
        request_feed(cr, upload_data, *upload_data_size);
        *upload_data_size = 0;
        int64_t elapsed = clock_mono_us() - cr->req.start_mono_us;
        if (elapsed > (int64_t)s->app->cfg.request_timeout_s * USEC_PER_SEC) {
            cr->timed_out = cr->closing = true;
        }
        if (!cr->closing)
            return MHD_YES;
    }
    request_dispatch(cr);
    return queue(cr);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)c;
    (void)toe;
    http_server_t *s = cls;
    conn_req_t *cr = *con_cls;
    if (!cr)
        return;
    http_req_t *req = &cr->req;
    if (cr->responded) {
        int64_t dur = clock_mono_us() - req->start_mono_us;
        metrics_observe_request(s->app->metrics, req->route ? req->route->index : -1,
                                req->res.status, dur);
        middleware_access_log(req, dur);
    }
    if (req->db)
        db_release(req->db);
    pipeline_finish(req);
    json_decref(req->json);
    free(req->body);
    free(req->res.owned);
    arena_free(&req->arena);
    free(cr);
    *con_cls = NULL;
    atomic_fetch_sub(&s->inflight, 1);
}

/* Keep the URL and query exactly as sent; the router and query parser decode
 * them (so "%2F" stays inside one path segment). */
static size_t no_unescape(void *cls, struct MHD_Connection *c, char *s)
{
    (void)cls;
    (void)c;
    return strlen(s);
}

static void mhd_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char buf[512];
    vsnprintf(buf, sizeof buf, fmt, ap);
    size_t n = strlen(buf);
    while (n && buf[n - 1] == '\n')
        buf[--n] = '\0';
    log_msg(LOG_WARN, "libmicrohttpd", "detail", buf, NULL);
}

static int resolve_bind(const char *host, int port, struct sockaddr_storage *ss, bool *v6)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *res = NULL;
    char portstr[16];
    snprintf(portstr, sizeof portstr, "%d", port);
    if (getaddrinfo(host, portstr, &hints, &res) != 0 || !res)
        return -1;
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    *v6 = res->ai_family == AF_INET6;
    freeaddrinfo(res);
    return 0;
}

http_server_t *http_server_start(app_t *app, int port, char *err, size_t errlen)
{
    http_server_t *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->app = app;
    struct sockaddr_storage ss;
    bool v6 = false;
    if (resolve_bind(app->cfg.host, port, &ss, &v6) != 0) {
        snprintf(err, errlen, "LOOPIN_HOST: cannot resolve \"%s\"", app->cfg.host);
        free(s);
        return NULL;
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
                     MHD_USE_ERROR_LOG | MHD_USE_TURBO | (v6 ? MHD_USE_IPv6 : 0);
    s->d = MHD_start_daemon(
        flags, (uint16_t)port, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)app->cfg.workers, MHD_OPTION_CONNECTION_LIMIT, (unsigned)app->cfg.max_connections,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)app->cfg.request_timeout_s,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32 * 1024), MHD_OPTION_LISTEN_BACKLOG_SIZE,
        (unsigned)1024, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_UNESCAPE_CALLBACK,
        no_unescape, NULL, MHD_OPTION_NOTIFY_CONNECTION, on_connection, s, MHD_OPTION_END);
    if (!s->d) {
        snprintf(err, errlen, "LOOPIN_PORT: cannot listen on %s:%d (in use or not permitted)",
                 app->cfg.host, port);
        free(s);
        return NULL;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : port;
    return s;
}

int http_server_port(const http_server_t *s)
{
    return s->port;
}

/* ---- the graceful stop ----------------------------------------------------------
 * Behind a proxy, a rolling restart must not fail one request. "Quiesce,
 * wait for the requests in flight, close" loses two kinds:
 * - after MHD_quiesce_daemon the socket still listens: the kernel goes on
 *   completing handshakes and queueing connections nobody accepts, and the
 *   close resets them. nginx has written a request into each, and never
 *   re-sends a POST that went out (without `non_idempotent`): a 502. The
 *   rolling restart test lost a few POSTs per run this way;
 * - a fresh connection (accepted, request not begun) is closed just the same.
 * So, in this order:
 * 1. the listener drops new SYNs (listen_drop_new): such a client resends
 *    its SYN a second later and is refused, and nginx retries a refused
 *    connect on the next node whatever the method. The queue only shrinks;
 * 2. libmicrohttpd goes on accepting until the kernel's queue is empty;
 * 3. quiesce and stop listening (the descriptor itself is closed after
 *    MHD_stop_daemon, as libmicrohttpd asks);
 * 4. wait, up to the grace, for the requests in flight, and up to
 *    FRESH_WAIT_US for the fresh connections to become requests (a request
 *    already sent is read within milliseconds; one still silent after that is
 *    an idle preconnect or a client too slow to wait for);
 * 5. stop. Left are idle keep-alive connections, closed between requests (a
 *    client whose request races that close resends it, as HTTP/1.1 clients do
 *    for idempotent requests; nginx opens a connection per request).
 * Not covered: a handshake half done at step 1 (its last ACK is dropped, and
 * it is reset later); on loopback a handshake completes inside connect(). */

static void drain_listener(MHD_socket lsock, int64_t deadline)
{
    if (listen_drop_new(lsock) != 0)
        log_msg(LOG_WARN, "shutdown: cannot hold new connections off the listener", "error",
                strerror(errno), NULL);
    while (listen_queue_len(lsock) > 0 && clock_mono_us() < deadline)
        usleep(1000);
}

#define FRESH_WAIT_US (1 * USEC_PER_SEC)

static bool server_busy(http_server_t *s, int64_t fresh_until)
{
    return atomic_load(&s->inflight) > 0 ||
           (atomic_load(&s->fresh) > 0 && clock_mono_us() < fresh_until);
}

void http_server_stop(http_server_t *s, int grace_s)
{
    if (!s)
        return;
    atomic_store(&s->app->draining, 1);
    int64_t deadline = clock_mono_us() + (int64_t)grace_s * USEC_PER_SEC;
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_LISTEN_FD);
    if (di && di->listen_fd != MHD_INVALID_SOCKET)
        drain_listener(di->listen_fd, deadline);
    MHD_socket lsock = MHD_quiesce_daemon(s->d);
    if (lsock != MHD_INVALID_SOCKET && listen_stop(lsock) != 0)
        log_msg(LOG_WARN, "shutdown: cannot stop listening", "error", strerror(errno), NULL);
    /* Sleep first: a connection accepted just before the queue was seen
     * empty may not be counted as fresh yet (its thread is between accept()
     * and on_connection). */
    int64_t fresh_until = clock_mono_us() + FRESH_WAIT_US;
    do
        usleep(10000);
    while (server_busy(s, fresh_until) && clock_mono_us() < deadline);
    if (atomic_load(&s->inflight) > 0)
        log_msg(LOG_WARN, "shutdown grace period over; closing busy connections", NULL);
    MHD_stop_daemon(s->d);
    if (lsock != MHD_INVALID_SOCKET)
        close(lsock);
    free(s);
}
