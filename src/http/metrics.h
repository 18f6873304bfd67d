/*
 * metrics.h: in-process counters rendered at GET /metrics in the Prometheus
 * text format: requests by route and status, a latency histogram per route,
 * job outcomes and payment callbacks. The gauges read at scrape time (pool,
 * queue, caches) are added by ops/metrics_api.c.
 */
#ifndef LOOPIN_METRICS_H
#define LOOPIN_METRICS_H

#include <stdint.h>

#include "core/strbuf.h"

struct router;
typedef struct metrics metrics_t;

metrics_t *metrics_new(const struct router *router);
void metrics_free(metrics_t *m);
/* route_index -1 for requests that matched no route. */
void metrics_observe_request(metrics_t *m, int route_index, int status, int64_t duration_us);
void metrics_job_done(metrics_t *m, const char *kind, int ok);
/* A payment provider's callback: outcome is paid, duplicate, failed, ...
 * (the handler's own words), rejected (4xx) or error (5xx). */
void metrics_webhook(metrics_t *m, const char *provider, const char *outcome);
void metrics_render(metrics_t *m, strbuf_t *out);

#endif
