/*
 * ops.h: operational endpoints (health, metrics, API docs) and the test-mode
 * endpoints that only exist with LOOPIN_TEST_MODE=1.
 */
#ifndef LOOPIN_OPS_H
#define LOOPIN_OPS_H

#include <stdbool.h>
#include <stdio.h>

#include "module.h"

/* The API contract version the mobile apps see (API.md section 13). */
#define LOOPIN_API_VERSION "2.0.0"

/* Health, metrics and docs; also runs the queue's own housekeeping job. */
extern const module_t ops_module;
/* The API docs viewers, Swagger UI and Redoc (docs_api.c). */
extern const module_t docs_module;
/* GET /metrics (metrics_page.c). */
err_t *ops_metrics_page(http_req_t *req, op_t *op, const input_t *in);
/* `loopin routes [--json]`: every declared route (routes_cmd.c). */
int routes_print(FILE *out, bool as_json);

/* Routes that exist only with LOOPIN_TEST_MODE=1 (declared test_only). */
extern const module_t test_module;

#endif
