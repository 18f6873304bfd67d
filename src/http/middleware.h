/*
 * middleware.h: what every request gets regardless of route: a request id,
 * CORS, security headers, and one JSON access-log line.
 */
#ifndef LOOPIN_MIDDLEWARE_H
#define LOOPIN_MIDDLEWARE_H

#include <stdint.h>

#include "http/http.h"

/* Echoes a sane X-Request-Id (1-128 of [A-Za-z0-9._-]) or generates one. */
void middleware_request_id(http_req_t *req);
/* Answers an OPTIONS request for a path whose routes allow `methods`. */
void middleware_preflight(http_req_t *req, int methods);
/* Adds request id, security and CORS headers to req->res.headers. */
void middleware_response_headers(http_req_t *req);
void middleware_access_log(http_req_t *req, int64_t duration_us);

#endif
