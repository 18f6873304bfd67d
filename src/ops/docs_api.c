/*
 * docs_api.c: the API documentation viewers. GET /api/docs is Swagger UI
 * (operations by tag, "Authorize" with a bearer token, try-it-out) and GET
 * /api/redoc is Redoc, both reading /api/openapi.json. Their pages and
 * start-up script are compiled in (src/ops/docs/); the viewers themselves
 * come from their upstream npm packages at pinned versions
 * (scripts/docs-assets) and are read from LOOPIN_API_DOCS_DIR, so nothing is
 * fetched from a CDN. Off in production unless LOOPIN_API_DOCS=1.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "module.h"
#include "ops/embedded.h"
#include "ops/ops.h"

#define ASSET_MAX_BYTES (8 * 1024 * 1024)

/* Swagger UI and Redoc style with inline styles, Redoc runs a worker from a
 * blob; scripts only from here. */
#define VIEWER_CSP                                                                                 \
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' "     \
    "data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; frame-ancestors "  \
    "'none'"

/* The files a viewer page may load, and where each comes from. */
static const struct {
    const char *name, *content_type;
    bool embedded; /* ours (src/ops/docs) rather than the npm package's */
} assets[] = {
    {"swagger-ui-bundle.js", "text/javascript; charset=utf-8", false},
    {"swagger-ui.css", "text/css; charset=utf-8", false},
    {"redoc.standalone.js", "text/javascript; charset=utf-8", false},
    {"swagger-init.js", "text/javascript; charset=utf-8", true},
};

static const embedded_file_t *embedded(const char *name)
{
    for (const embedded_file_t *f = embedded_docs; f->name; f++)
        if (strcmp(f->name, name) == 0)
            return f;
    return NULL;
}

static err_t *disabled(op_t *op)
{
    return op_fail(op, 404, "NOT_FOUND", "Not Found");
}

static err_t *page(http_req_t *req, op_t *op, const char *name)
{
    const embedded_file_t *f = embedded(name);
    if (!op->app->cfg.api_docs || !f)
        return disabled(op);
    http_set_header(req, "Cache-Control", "no-cache");
    http_set_header(req, "Content-Security-Policy", VIEWER_CSP);
    http_reply_raw(req, 200, "text/html; charset=utf-8", f->data, f->len, true);
    return NULL;
}

static err_t *swagger_page(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    return page(req, op, "swagger.html");
}

static err_t *redoc_page(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    return page(req, op, "redoc.html");
}

/* Reads dir/name whole into the response. */
static err_t *reply_file(http_req_t *req, op_t *op, const char *name, const char *type)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", op->app->cfg.api_docs_dir, name);
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > ASSET_MAX_BYTES) {
        if (fd >= 0)
            close(fd);
        err_t *e = op_fail(op, 503, "DOCS_ASSETS_MISSING",
                           "The API docs viewers are not installed on this server "
                           "(scripts/docs-assets, or set LOOPIN_API_DOCS_DIR)");
        e->cause = arena_printf(op->arena, "%s: %s", path, fd < 0 ? strerror(errno) : "not a file");
        return e;
    }
    char *buf = arena_alloc(op->arena, (size_t)st.st_size + 1);
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    http_set_header(req, "Cache-Control", "public, max-age=86400");
    http_reply_raw(req, 200, type, buf, got, false);
    return NULL;
}

/* GET /api/docs/assets/{file}: only the listed files, nothing else. */
static err_t *asset(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    const char *name = http_param(req, "file");
    if (!op->app->cfg.api_docs)
        return disabled(op);
    for (size_t i = 0; i < sizeof assets / sizeof assets[0]; i++) {
        if (strcmp(assets[i].name, name) != 0)
            continue;
        if (!assets[i].embedded)
            return reply_file(req, op, name, assets[i].content_type);
        const embedded_file_t *f = embedded(name);
        http_set_header(req, "Cache-Control", "no-cache");
        http_reply_raw(req, 200, assets[i].content_type, f->data, f->len, true);
        return NULL;
    }
    return disabled(op);
}

static const route_def_t docs_routes[] = {
    {.method = HTTP_GET,
     .pattern = "/api/docs",
     .handler = swagger_page,
     .auth = AUTH_ANONYMOUS,
     .no_db = true,
     .tag = "operations"},
    {.method = HTTP_GET,
     .pattern = "/api/redoc",
     .handler = redoc_page,
     .auth = AUTH_ANONYMOUS,
     .no_db = true,
     .tag = "operations"},
    {.method = HTTP_GET,
     .pattern = "/api/docs/assets/{file}",
     .handler = asset,
     .auth = AUTH_ANONYMOUS,
     .no_db = true,
     .tag = "operations"},
    ROUTES_END,
};

const module_t docs_module = {.name = "docs", .routes = docs_routes};
