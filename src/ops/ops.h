/*
 * ops.h: operational endpoints (health, metrics, API docs) and the test-mode
 * endpoints that only exist with LOOPIN_TEST_MODE=1.
 */
#ifndef LOOPIN_OPS_H
#define LOOPIN_OPS_H

#include "http/router.h"

/* The API contract version the mobile apps see (API.md section 13). */
#define LOOPIN_API_VERSION "2.0.0"

void ops_routes(router_t *r);
void test_routes(router_t *r);

#endif
