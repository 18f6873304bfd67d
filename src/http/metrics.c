/*
 * metrics.c: counters behind one mutex. A request takes it once for a few
 * increments, which costs nothing next to parsing and a database round trip,
 * and keeps the rendering consistent.
 */
#include "http/metrics.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/router.h"

#define MAX_STATUSES  16
#define MAX_JOB_KINDS 32

static const double buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                 0.1,    0.25,  0.5,    1,     2.5,  5,     10};
#define NBUCKETS (int)(sizeof buckets / sizeof buckets[0])

typedef struct {
    int status[MAX_STATUSES];
    uint64_t count[MAX_STATUSES];
    uint64_t bucket[NBUCKETS]; /* non-cumulative; summed when rendering */
    uint64_t total;
    double sum_s;
} route_stats_t;

typedef struct {
    char kind[48];
    uint64_t ok, failed;
} job_stats_t;

typedef struct {
    char provider[16], outcome[24];
    uint64_t count;
} webhook_stats_t;

#define MAX_WEBHOOK_SERIES 32

struct metrics {
    pthread_mutex_t mu;
    const struct router *router;
    int nroutes;
    route_stats_t *routes; /* nroutes + 1: the last is "unmatched" */
    job_stats_t jobs[MAX_JOB_KINDS];
    int njobs;
    webhook_stats_t webhooks[MAX_WEBHOOK_SERIES];
    int nwebhooks;
};

metrics_t *metrics_new(const struct router *router)
{
    metrics_t *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    pthread_mutex_init(&m->mu, NULL);
    m->router = router;
    m->nroutes = router_count(router);
    m->routes = calloc((size_t)m->nroutes + 1, sizeof *m->routes);
    if (!m->routes) {
        free(m);
        return NULL;
    }
    return m;
}

void metrics_free(metrics_t *m)
{
    if (!m)
        return;
    pthread_mutex_destroy(&m->mu);
    free(m->routes);
    free(m);
}

void metrics_observe_request(metrics_t *m, int route_index, int status, int64_t duration_us)
{
    if (route_index < 0 || route_index >= m->nroutes)
        route_index = m->nroutes;
    double secs = (double)duration_us / 1e6;
    pthread_mutex_lock(&m->mu);
    route_stats_t *rs = &m->routes[route_index];
    for (int i = 0; i < MAX_STATUSES; i++) {
        if (rs->status[i] == status || rs->status[i] == 0) {
            rs->status[i] = status;
            rs->count[i]++;
            break;
        }
    }
    int b = 0;
    while (b < NBUCKETS && secs > buckets[b])
        b++;
    if (b < NBUCKETS)
        rs->bucket[b]++;
    rs->total++;
    rs->sum_s += secs;
    pthread_mutex_unlock(&m->mu);
}

void metrics_job_done(metrics_t *m, const char *kind, int ok)
{
    pthread_mutex_lock(&m->mu);
    job_stats_t *js = NULL;
    for (int i = 0; i < m->njobs; i++)
        if (strcmp(m->jobs[i].kind, kind) == 0)
            js = &m->jobs[i];
    if (!js && m->njobs < MAX_JOB_KINDS) {
        js = &m->jobs[m->njobs++];
        snprintf(js->kind, sizeof js->kind, "%s", kind);
    }
    if (js) {
        if (ok)
            js->ok++;
        else
            js->failed++;
    }
    pthread_mutex_unlock(&m->mu);
}

void metrics_webhook(metrics_t *m, const char *provider, const char *outcome)
{
    if (!m)
        return;
    pthread_mutex_lock(&m->mu);
    webhook_stats_t *w = NULL;
    for (int i = 0; i < m->nwebhooks && !w; i++)
        if (!strcmp(m->webhooks[i].provider, provider) && !strcmp(m->webhooks[i].outcome, outcome))
            w = &m->webhooks[i];
    if (!w && m->nwebhooks < MAX_WEBHOOK_SERIES) {
        w = &m->webhooks[m->nwebhooks++];
        snprintf(w->provider, sizeof w->provider, "%s", provider);
        snprintf(w->outcome, sizeof w->outcome, "%s", outcome);
    }
    if (w)
        w->count++;
    pthread_mutex_unlock(&m->mu);
}

static const char *route_label(const metrics_t *m, int i)
{
    return i < m->nroutes ? router_at(m->router, i)->pattern : "unmatched";
}

static void render_requests(metrics_t *m, strbuf_t *out)
{
    sb_puts(out, "# HELP loopin_http_requests_total HTTP requests by route and status.\n"
                 "# TYPE loopin_http_requests_total counter\n");
    for (int i = 0; i <= m->nroutes; i++)
        for (int s = 0; s < MAX_STATUSES && m->routes[i].status[s]; s++)
            sb_printf(out, "loopin_http_requests_total{route=\"%s\",status=\"%d\"} %llu\n",
                      route_label(m, i), m->routes[i].status[s],
                      (unsigned long long)m->routes[i].count[s]);
    sb_puts(out, "# HELP loopin_http_request_duration_seconds Request latency by route.\n"
                 "# TYPE loopin_http_request_duration_seconds histogram\n");
    for (int i = 0; i <= m->nroutes; i++) {
        const route_stats_t *rs = &m->routes[i];
        if (!rs->total)
            continue;
        uint64_t cum = 0;
        for (int b = 0; b < NBUCKETS; b++) {
            cum += rs->bucket[b];
            sb_printf(out,
                      "loopin_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n",
                      route_label(m, i), buckets[b], (unsigned long long)cum);
        }
        sb_printf(out,
                  "loopin_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n"
                  "loopin_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n"
                  "loopin_http_request_duration_seconds_count{route=\"%s\"} %llu\n",
                  route_label(m, i), (unsigned long long)rs->total, route_label(m, i), rs->sum_s,
                  route_label(m, i), (unsigned long long)rs->total);
    }
}

void metrics_render(metrics_t *m, strbuf_t *out)
{
    pthread_mutex_lock(&m->mu);
    render_requests(m, out);
    sb_puts(out, "# HELP loopin_jobs_processed_total Jobs run by this process, by kind and "
                 "outcome.\n# TYPE loopin_jobs_processed_total counter\n");
    for (int i = 0; i < m->njobs; i++)
        sb_printf(out,
                  "loopin_jobs_processed_total{kind=\"%s\",outcome=\"ok\"} %llu\n"
                  "loopin_jobs_processed_total{kind=\"%s\",outcome=\"failed\"} %llu\n",
                  m->jobs[i].kind, (unsigned long long)m->jobs[i].ok, m->jobs[i].kind,
                  (unsigned long long)m->jobs[i].failed);
    sb_puts(out, "# HELP loopin_webhooks_total Payment provider callbacks handled by this process, "
                 "by provider and outcome.\n# TYPE loopin_webhooks_total counter\n");
    for (int i = 0; i < m->nwebhooks; i++)
        sb_printf(out, "loopin_webhooks_total{provider=\"%s\",outcome=\"%s\"} %llu\n",
                  m->webhooks[i].provider, m->webhooks[i].outcome,
                  (unsigned long long)m->webhooks[i].count);
    pthread_mutex_unlock(&m->mu);
}
