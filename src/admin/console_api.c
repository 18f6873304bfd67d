/*
 * console_api.c: the admin console's pages (issue 12 point 5, docs/admin.md).
 * GET /admin is one HTML page; the console is a Preact + htm application
 * (src/admin/console/app.js) that routes in the URL's fragment
 * (#/users?search=...), so a reload keeps the page and its filters. Every
 * file is compiled into the binary (cmake/embed.cmake): ours, and the npm
 * libraries scripts/docs-assets fetched at pinned versions before the build.
 * Nothing loads from anywhere else: the Content-Security-Policy allows this
 * origin only, no inline script or style, and no framing.
 */
#include <string.h>

#include "admin/admin.h"
#include "module.h"
#include "ops/embedded.h"

#define CONSOLE_CSP                                                                                \
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "              \
    "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; "                   \
    "frame-ancestors 'none'"

static const struct {
    const char *name, *type;
} files[] = {
    {"app.js", "text/javascript; charset=utf-8"},
    {"app.css", "text/css; charset=utf-8"},
    {"campaigns.js", "text/javascript; charset=utf-8"},
    {"standalone.module.js", "text/javascript; charset=utf-8"},
    {"uPlot.esm.js", "text/javascript; charset=utf-8"},
    {"uPlot.min.css", "text/css; charset=utf-8"},
};

static const embedded_file_t *find(const char *name)
{
    for (const embedded_file_t *f = embedded_admin; f->name; f++)
        if (!strcmp(f->name, name))
            return f;
    return NULL;
}

static void secure_headers(http_req_t *req)
{
    http_set_header(req, "Content-Security-Policy", CONSOLE_CSP);
    http_set_header(req, "X-Content-Type-Options", "nosniff");
    http_set_header(req, "Referrer-Policy", "same-origin");
    http_set_header(req, "Cache-Control", "no-cache");
}

static err_t *console_page(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    const embedded_file_t *f = find("index.html");
    if (!f)
        return op_fail(op, 404, "NOT_FOUND", "Not Found");
    secure_headers(req);
    http_reply_raw(req, 200, "text/html; charset=utf-8", f->data, f->len, true);
    return NULL;
}

/* GET /admin/assets/{file}: the listed files only. A library missing from
 * the build is a 503 saying how to get it. */
static err_t *console_asset(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    const char *name = http_param(req, "file");
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        if (strcmp(files[i].name, name) != 0)
            continue;
        const embedded_file_t *f = find(name);
        if (!f)
            return op_fail(op, 503, "CONSOLE_ASSETS_MISSING",
                           "This build has no %s: run scripts/docs-assets (scripts/deps does) "
                           "and build again.",
                           name);
        secure_headers(req);
        http_reply_raw(req, 200, files[i].type, f->data, f->len, true);
        return NULL;
    }
    return op_fail(op, 404, "NOT_FOUND", "Not Found");
}

static const route_def_t console_routes[] = {
    {.method = HTTP_GET,
     .pattern = "/admin",
     .handler = console_page,
     .auth = AUTH_ANONYMOUS,
     .no_db = true,
     .tag = "admin"},
    {.method = HTTP_GET,
     .pattern = "/admin/assets/{file}",
     .handler = console_asset,
     .auth = AUTH_ANONYMOUS,
     .no_db = true,
     .tag = "admin"},
    ROUTES_END,
};

const module_t admin_console_module = {.name = "admin_console", .routes = console_routes};
