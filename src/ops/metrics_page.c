/*
 * metrics_page.c: GET /metrics. The counters kept as requests run
 * (http/metrics.c) plus what is read at scrape time: the pool, the database
 * (up, the job queue by status and kind, live seat reservations: the same
 * figure on every node) and the per-process caches. Who may read it is
 * decided first (metrics_refused).
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app.h"
#include "auth/auth_cache.h"
#include "core/cidr.h"
#include "core/clock.h"
#include "core/strbuf.h"
#include "db/db_notify.h"
#include "events/events.h"
#include "http/metrics.h"
#include "jobs/jobs.h"
#include "ops/ops.h"

/* Jobs by status, read from the database so the figure is the same on every
 * node. Every status is printed, zeros included, so dashboards see gaps. */
static void render_job_statuses(db_conn_t *c, strbuf_t *sb)
{
    static const char *const statuses[] = {"pending", "running", "done", "failed", "dead"};
    int64_t counts[5] = {0};
    db_rows_t *rows = NULL;
    if (db_query(c, "SELECT status, count(*) FROM jobs GROUP BY status", DB_NOARGS, &rows) ==
        DB_OK) {
        while (db_next(rows))
            for (int i = 0; i < 5; i++)
                if (strcmp(db_col_text(rows, 0), statuses[i]) == 0)
                    counts[i] = db_col_int(rows, 1);
        db_rows_free(rows);
    }
    sb_puts(sb, "# HELP loopin_jobs_queued Jobs in the queue by status.\n"
                "# TYPE loopin_jobs_queued gauge\n");
    for (int i = 0; i < 5; i++)
        sb_printf(sb, "loopin_jobs_queued{status=\"%s\"} %lld\n", statuses[i],
                  (long long)counts[i]);
}

/* Due jobs waiting by kind, and how long the oldest has waited: a backlog
 * shows here before anyone notices late pushes. Every registered kind is
 * printed, zeros included. */
static void render_job_backlog(app_t *app, db_conn_t *c, strbuf_t *sb)
{
    int64_t now = clock_now_us();
    int nkinds = 0;
    while (app->job_kinds && app->job_kinds[nkinds])
        nkinds++;
    int64_t *pending = calloc((size_t)nkinds + 1, sizeof *pending);
    int64_t *oldest = calloc((size_t)nkinds + 1, sizeof *oldest);
    db_rows_t *rows = NULL;
    if (pending && oldest &&
        db_query(c,
                 "SELECT kind, count(*), min(run_at) FROM jobs WHERE status = 'pending' AND "
                 "run_at <= $1 GROUP BY kind",
                 DB_ARGS(db_time(now)), &rows) == DB_OK) {
        while (db_next(rows))
            for (int i = 0; i < nkinds; i++)
                if (!strcmp(db_col_text(rows, 0), app->job_kinds[i]->kind)) {
                    pending[i] = db_col_int(rows, 1);
                    oldest[i] = now - db_col_time(rows, 2);
                }
        db_rows_free(rows);
    }
    sb_puts(sb, "# HELP loopin_jobs_pending Due jobs waiting for a worker, by kind.\n"
                "# TYPE loopin_jobs_pending gauge\n");
    for (int i = 0; pending && i < nkinds; i++)
        sb_printf(sb, "loopin_jobs_pending{kind=\"%s\"} %lld\n", app->job_kinds[i]->kind,
                  (long long)pending[i]);
    sb_puts(sb, "# HELP loopin_jobs_oldest_age_seconds How long the oldest due job of a kind has "
                "waited (0: none).\n# TYPE loopin_jobs_oldest_age_seconds gauge\n");
    for (int i = 0; oldest && i < nkinds; i++)
        sb_printf(sb, "loopin_jobs_oldest_age_seconds{kind=\"%s\"} %.3f\n", app->job_kinds[i]->kind,
                  oldest[i] > 0 ? (double)oldest[i] / USEC_PER_SEC : 0.0);
    free(pending);
    free(oldest);
}

/* Seats held for accepted requests that are neither paid nor expired. */
static void render_capacity(db_conn_t *c, strbuf_t *sb)
{
    int64_t live = 0;
    bool found = false;
    db_query_int(c,
                 "SELECT count(*) FROM capacity_reservations WHERE consumed = $1 AND "
                 "expires_at > $2",
                 DB_ARGS(db_bool(false), db_time(clock_now_us())), &live, &found);
    sb_printf(sb,
              "# HELP loopin_capacity_reservations_live Seat reservations held and not yet "
              "paid or expired.\n# TYPE loopin_capacity_reservations_live gauge\n"
              "loopin_capacity_reservations_live %lld\n",
              (long long)live);
}

/* What needs the database: one borrowed connection (not the pipeline's),
 * and loopin_db_up 0 when it does not answer. */
static void render_database(app_t *app, strbuf_t *sb)
{
    db_conn_t *c = db_acquire(app->db);
    int64_t one = 0;
    bool found = false;
    bool up = c && db_query_int(c, "SELECT 1", DB_NOARGS, &one, &found) == DB_OK && one == 1;
    sb_printf(sb,
              "# HELP loopin_db_up Whether the database answered this scrape.\n"
              "# TYPE loopin_db_up gauge\nloopin_db_up %d\n",
              up ? 1 : 0);
    if (up) {
        render_job_statuses(c, sb);
        render_job_backlog(app, c, sb);
        render_capacity(c, sb);
    }
    if (c)
        db_release(c);
}

/* The pool: size, in use, and how long borrowers waited. */
static void render_pool(app_t *app, strbuf_t *sb)
{
    db_pool_wait_t w;
    db_pool_wait_stats(app->db, &w);
    sb_printf(sb,
              "# HELP loopin_db_pool_in_use Database connections borrowed right now.\n"
              "# TYPE loopin_db_pool_in_use gauge\nloopin_db_pool_in_use %d\n"
              "# HELP loopin_db_pool_size Database connections in the pool.\n"
              "# TYPE loopin_db_pool_size gauge\nloopin_db_pool_size %d\n"
              "# HELP loopin_db_pool_wait_seconds How long a borrower waited for a connection.\n"
              "# TYPE loopin_db_pool_wait_seconds histogram\n",
              db_pool_in_use(app->db), db_pool_size(app->db));
    uint64_t cum = 0;
    for (int b = 0; b < DB_POOL_WAIT_BUCKETS; b++) {
        cum += w.bucket[b];
        sb_printf(sb, "loopin_db_pool_wait_seconds_bucket{le=\"%g\"} %llu\n",
                  db_pool_wait_bounds[b], (unsigned long long)cum);
    }
    sb_printf(sb,
              "loopin_db_pool_wait_seconds_bucket{le=\"+Inf\"} %llu\n"
              "loopin_db_pool_wait_seconds_sum %.6f\nloopin_db_pool_wait_seconds_count %llu\n"
              "# HELP loopin_db_pool_timeouts_total Borrowers that gave up (answered 503).\n"
              "# TYPE loopin_db_pool_timeouts_total counter\nloopin_db_pool_timeouts_total %llu\n",
              (unsigned long long)w.count, w.sum_s, (unsigned long long)w.count,
              (unsigned long long)w.timeouts);
}

/* Hit ratios of the per-process caches: hits / (hits + misses). */
static void render_caches(app_t *app, strbuf_t *sb)
{
    auth_cache_stats_t a;
    listing_cache_stats_t l;
    auth_cache_stats(app->auth_cache, &a);
    listing_cache_stats(app->events_cache, &l);
    const struct {
        const char *name;
        uint64_t hits, misses;
    } caches[] = {{"auth", a.hits, a.misses},
                  {"listing_total", l.total_hits, l.total_misses},
                  {"listing_page", l.page_hits, l.page_misses}};
    sb_puts(sb, "# HELP loopin_cache_hits_total Lookups a per-process cache answered.\n"
                "# TYPE loopin_cache_hits_total counter\n");
    for (size_t i = 0; i < sizeof caches / sizeof caches[0]; i++)
        sb_printf(sb, "loopin_cache_hits_total{cache=\"%s\"} %llu\n", caches[i].name,
                  (unsigned long long)caches[i].hits);
    sb_puts(sb, "# HELP loopin_cache_misses_total Lookups that went to the database.\n"
                "# TYPE loopin_cache_misses_total counter\n");
    for (size_t i = 0; i < sizeof caches / sizeof caches[0]; i++)
        sb_printf(sb, "loopin_cache_misses_total{cache=\"%s\"} %llu\n", caches[i].name,
                  (unsigned long long)caches[i].misses);
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

err_t *ops_metrics_page(http_req_t *req, op_t *op, const input_t *in)
{
    (void)in;
    app_t *app = req->app;
    err_t *refused = metrics_refused(req, op);
    if (refused)
        return refused;
    strbuf_t sb;
    sb_init(&sb);
    metrics_render(app->metrics, &sb);
    render_pool(app, &sb);
    render_database(app, &sb);
    render_caches(app, &sb);
    render_auth_cache(app, &sb);
    http_reply_raw(req, 200, "text/plain; version=0.0.4; charset=utf-8", sb.data, sb.len, false);
    sb_free(&sb);
    return NULL;
}
