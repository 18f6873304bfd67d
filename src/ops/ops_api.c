/*
 * ops_api.c: GET /health (deep: a database round trip), the shallow
 * /api/health used by load balancers, /api and / banners, Prometheus
 * /metrics, and the OpenAPI document with its HTML page.
 */
#include <sodium.h>
#include <string.h>
#include <strings.h>

#include "app.h"
#include "auth/auth_cache.h"
#include "core/cidr.h"
#include "core/clock.h"
#include "core/strbuf.h"
#include "http/metrics.h"
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

/* Jobs by status, read from the database so the figure is the same on every
 * node. Every status is printed, zeros included, so dashboards see gaps. */
static void render_job_gauges(http_req_t *req, strbuf_t *sb)
{
    static const char *const statuses[] = {"pending", "running", "done", "failed", "dead"};
    int64_t counts[5] = {0};
    db_conn_t *c = db_acquire(req->app->db);
    if (!c)
        return;
    db_rows_t *rows = NULL;
    if (db_query(c, "SELECT status, count(*) FROM jobs GROUP BY status", DB_NOARGS, &rows) ==
        DB_OK) {
        while (db_next(rows))
            for (int i = 0; i < 5; i++)
                if (strcmp(db_col_text(rows, 0), statuses[i]) == 0)
                    counts[i] = db_col_int(rows, 1);
        db_rows_free(rows);
    }
    db_release(c);
    sb_puts(sb, "# HELP loopin_jobs_queued Jobs in the queue by status.\n"
                "# TYPE loopin_jobs_queued gauge\n");
    for (int i = 0; i < 5; i++)
        sb_printf(sb, "loopin_jobs_queued{status=\"%s\"} %lld\n", statuses[i],
                  (long long)counts[i]);
}

/* The guard's cache (auth_cache.h) and the invalidation bus feeding it. */
static void render_auth_cache(app_t *app, strbuf_t *sb)
{
    auth_cache_stats_t c;
    db_notify_stats_t n;
    auth_cache_stats(app->auth_cache, &c);
    db_notify_stats(app->notify, &n);
    sb_printf(sb,
              "# HELP loopin_auth_cache_lookups_total Guard lookups of an account and token, by "
              "result (a miss reads the database).\n"
              "# TYPE loopin_auth_cache_lookups_total counter\n"
              "loopin_auth_cache_lookups_total{result=\"hit\"} %llu\n"
              "loopin_auth_cache_lookups_total{result=\"miss\"} %llu\n"
              "# HELP loopin_auth_cache_fills_total Database reads offered to the cache, by "
              "outcome (dropped: an invalidation arrived during the read).\n"
              "# TYPE loopin_auth_cache_fills_total counter\n"
              "loopin_auth_cache_fills_total{outcome=\"stored\"} %llu\n"
              "loopin_auth_cache_fills_total{outcome=\"dropped\"} %llu\n"
              "# HELP loopin_auth_cache_invalidations_total Invalidations applied.\n"
              "# TYPE loopin_auth_cache_invalidations_total counter\n"
              "loopin_auth_cache_invalidations_total %llu\n"
              "# HELP loopin_auth_cache_resets_total Times the cache was emptied because the "
              "invalidation bus connected or was lost.\n"
              "# TYPE loopin_auth_cache_resets_total counter\n"
              "loopin_auth_cache_resets_total %llu\n"
              "# HELP loopin_auth_cache_entries Cached accounts and token ids.\n"
              "# TYPE loopin_auth_cache_entries gauge\n"
              "loopin_auth_cache_entries{kind=\"account\"} %zu\n"
              "loopin_auth_cache_entries{kind=\"token\"} %zu\n"
              "# HELP loopin_auth_cache_capacity Entries of each kind the cache may hold.\n"
              "# TYPE loopin_auth_cache_capacity gauge\nloopin_auth_cache_capacity %zu\n"
              "# HELP loopin_auth_cache_enabled 1 while lookups may hit (the bus is live).\n"
              "# TYPE loopin_auth_cache_enabled gauge\nloopin_auth_cache_enabled %d\n"
              "# HELP loopin_invalidation_bus_live 1 while the invalidation bus is connected "
              "and answering (PostgreSQL LISTEN, SQLite log reads).\n"
              "# TYPE loopin_invalidation_bus_live gauge\nloopin_invalidation_bus_live %d\n"
              "# HELP loopin_invalidation_bus_connects_total Bus connections established.\n"
              "# TYPE loopin_invalidation_bus_connects_total counter\n"
              "loopin_invalidation_bus_connects_total %llu\n"
              "# HELP loopin_invalidation_bus_losses_total Bus connections lost.\n"
              "# TYPE loopin_invalidation_bus_losses_total counter\n"
              "loopin_invalidation_bus_losses_total %llu\n"
              "# HELP loopin_invalidation_bus_messages_total Payloads received.\n"
              "# TYPE loopin_invalidation_bus_messages_total counter\n"
              "loopin_invalidation_bus_messages_total %llu\n",
              (unsigned long long)c.hits, (unsigned long long)c.misses, (unsigned long long)c.fills,
              (unsigned long long)c.stale_fills, (unsigned long long)c.invalidations,
              (unsigned long long)c.resets, c.accounts, c.tokens, c.capacity, c.enabled, n.live,
              (unsigned long long)n.connects, (unsigned long long)n.losses,
              (unsigned long long)n.messages);
}

/* Who may read /metrics: with LOOPIN_METRICS_TOKEN set, whoever sends it as
 * a bearer token (compared in constant time); without, loopback clients
 * only. Behind a trusted proxy the client is the one the proxy names, so a
 * proxied request from outside is not "loopback". */
static err_t *metrics_refused(http_req_t *req, op_t *op)
{
    const char *token = req->app->cfg.metrics_token;
    if (!*token) {
        static const char loopback[] = "127.0.0.0/8, ::1";
        cidr_list_t l;
        char err[64];
        if (cidr_list_parse(loopback, &l, err, sizeof err) == 0 &&
            cidr_list_contains(&l, req->client_ip))
            return NULL;
        return op_fail(
            op, 403, "FORBIDDEN",
            "Metrics are served to loopback clients only (or set LOOPIN_METRICS_TOKEN).");
    }
    const char *auth = http_header(req, "Authorization");
    size_t n = strlen(token);
    if (auth && !strncasecmp(auth, "Bearer ", 7) && strlen(auth + 7) == n &&
        sodium_memcmp(auth + 7, token, n) == 0)
        return NULL;
    http_set_header(req, "WWW-Authenticate", "Bearer realm=\"metrics\"");
    return op_fail(op, 401, "UNAUTHORIZED", "A valid metrics token is required.");
}

static err_t *metrics_page(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    app_t *app = req->app;
    err_t *refused = metrics_refused(req, op);
    if (refused)
        return refused;
    strbuf_t sb;
    sb_init(&sb);
    metrics_render(app->metrics, &sb);
    sb_printf(&sb,
              "# HELP loopin_db_pool_in_use Database connections borrowed right now.\n"
              "# TYPE loopin_db_pool_in_use gauge\nloopin_db_pool_in_use %d\n"
              "# HELP loopin_db_pool_size Database connections in the pool.\n"
              "# TYPE loopin_db_pool_size gauge\nloopin_db_pool_size %d\n",
              db_pool_in_use(app->db), db_pool_size(app->db));
    render_job_gauges(req, &sb);
    render_auth_cache(app, &sb);
    http_reply_raw(req, 200, "text/plain; version=0.0.4; charset=utf-8", sb.data, sb.len, false);
    sb_free(&sb);
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
     .handler = metrics_page,
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
