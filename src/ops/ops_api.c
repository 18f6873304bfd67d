/*
 * ops_api.c: GET /health (deep: a database round trip), the shallow
 * /api/health used by load balancers, /api and / banners, Prometheus
 * /metrics, and the OpenAPI document with its HTML page.
 */
#include <string.h>

#include "app.h"
#include "core/clock.h"
#include "ops/embedded.h"
#include "jobs/purge.h"
#include "module.h"
#include "ops/ops.h"

static const char *dialect_name(app_t *app)
{
    return db_pool_dialect(app->db) == DB_DIALECT_PG ? "postgresql" : "sqlite";
}

/* Deep check: borrows a connection and runs one query. 503 when the
 * database does not answer. */
static err_t *health_deep(http_req_t *req, op_t *op, const input_t *in)
{
    (void)op;
    (void)in;
    app_t *app = req->app;
    int64_t t0 = clock_mono_us();
    db_conn_t *c = db_acquire(app->db);
    int64_t one = 0;
    bool found = false;
    int rc = c ? db_query_int(c, "SELECT 1", DB_NOARGS, &one, &found) : DB_TIMEOUT;
    if (c)
        db_release(c);
    bool ok = rc == DB_OK && found && one == 1;
    json_t *body = json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:{s:s, s:f}}", "status",
                             ok ? "healthy" : "unhealthy", "service", "loopin-backend", "version",
                             LOOPIN_API_VERSION, "environment", config_env_name(app->cfg.env),
                             "services", "api", "loopin " LOOPIN_VERSION, "database",
                             dialect_name(app), "checks", "database", ok ? "healthy" : "unhealthy",
                             "database_ms", (double)(clock_mono_us() - t0) / 1000.0);
    if (!ok)
        http_set_header(req, "Retry-After", "5");
    http_reply_json(req, ok ? 200 : 503, body);
    return NULL;
}

static err_t *health_shallow(http_req_t *req, op_t *op, const input_t *in)
{
    (void)op;
    (void)in;
    http_reply_json(req, 200,
                    json_pack("{s:s, s:s, s:s}", "status", "healthy", "service", "loopin-backend",
                              "version", LOOPIN_API_VERSION));
    return NULL;
}

static err_t *api_root(http_req_t *req, op_t *op, const input_t *in)
{
    (void)op;
    (void)in;
    http_reply_json(req, 200,
                    json_pack("{s:s, s:s, s:s}", "message", "Welcome to Loopin Backend API",
                              "version", LOOPIN_API_VERSION, "docs", "/api/docs"));
    return NULL;
}

static err_t *site_root(http_req_t *req, op_t *op, const input_t *in)
{
    (void)op;
    (void)in;
    http_reply_json(req, 200,
                    json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s}}", "message",
                              "Loopin Backend", "version", LOOPIN_API_VERSION, "environment",
                              config_env_name(req->app->cfg.env), "services", "api", "/api/",
                              "docs", "/api/docs", "health", "/health", "metrics", "/metrics"));
    return NULL;
}

static err_t *openapi_json(http_req_t *req, op_t *op, const input_t *in)
{
    (void)op;
    (void)in;
    http_set_header(req, "Cache-Control", "public, max-age=300");
    http_reply_raw(req, 200, "application/json", embedded_openapi_json, embedded_openapi_json_len,
                   true);
    return NULL;
}

/* Every ops route is public and read-only. /health and /metrics borrow their
 * own connection (a busy pool must read as "unhealthy", not as a 503 from
 * the pipeline), so none of them takes one from the pipeline. */
static const route_def_t ops_routes[] = {
    {.method = HTTP_GET,
     .pattern = "/health",
     .handler = health_deep,
     .auth = AUTH_ANONYMOUS,
     .no_db = true},
    {.method = HTTP_GET,
     .pattern = "/api/health",
     .handler = health_shallow,
     .auth = AUTH_ANONYMOUS,
     .no_db = true},
    {.method = HTTP_GET,
     .pattern = "/api",
     .handler = api_root,
     .auth = AUTH_ANONYMOUS,
     .no_db = true},
    {.method = HTTP_GET,
     .pattern = "/",
     .handler = site_root,
     .auth = AUTH_ANONYMOUS,
     .no_db = true},
    {.method = HTTP_GET,
     .pattern = "/metrics",
     .handler = ops_metrics_page,
     .auth = AUTH_ANONYMOUS,
     .no_db = true},
    {.method = HTTP_GET,
     .pattern = "/api/openapi.json",
     .handler = openapi_json,
     .auth = AUTH_ANONYMOUS,
     .no_db = true},
    ROUTES_END,
};

const module_t ops_module = {
    .name = "ops", .routes = ops_routes, .jobs = jobs_kinds, .purges = jobs_purges};
