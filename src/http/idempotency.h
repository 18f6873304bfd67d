/*
 * idempotency.h: the Idempotency-Key header on routes that move money or
 * seats (route_def_t.idempotent). A client that may retry a request sends
 * a key of its own (1-255 printable ASCII characters, typically a UUID):
 *
 *   - the first request with a key claims it (a row "in progress" in
 *     idempotency_keys, committed before the handler runs), runs the
 *     handler once and stores the response it rendered (status, content
 *     type and body: successes and 4xx refusals) for 24 hours;
 *   - a retry with the same key and the same request (method, path, query
 *     and raw body, SHA-256) replays that response byte for byte, with
 *     `Idempotent-Replayed: true`, and runs nothing;
 *   - the same key with a different request is 422 IDEMPOTENCY_KEY_REUSED;
 *   - a retry while the first is still running is 409
 *     IDEMPOTENCY_IN_PROGRESS with Retry-After: 1, so concurrent retries run
 *     the work once;
 *   - a malformed key is 400 INVALID_IDEMPOTENCY_KEY, as is a key sent by an
 *     anonymous caller (keys are scoped per account);
 *   - a 5xx or 429 answer is not stored: the claim is released so a retry
 *     runs the work again.
 * Keys are scoped per account, method and route pattern; an expired key
 * (24 h after its first use; an abandoned claim after IDEM_LEASE_S) is
 * treated as new. Errors use the route's envelope. Without the header the
 * route behaves as if it were not idempotent. docs/ARCHITECTURE.md,
 * "Idempotency keys".
 */
#ifndef LOOPIN_IDEMPOTENCY_H
#define LOOPIN_IDEMPOTENCY_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "http/http.h"

#define IDEM_HEADER          "Idempotency-Key"
#define IDEM_REPLAYED_HEADER "Idempotent-Replayed"
#define IDEM_KEY_MAX         255
#define IDEM_TTL_S           (24 * 3600) /* a stored response is replayed this long */
#define IDEM_LEASE_S         60 /* a claim nobody finished (a crashed process) lasts this long */

/* One request's use of a key, kept by the pipeline between the two calls. */
typedef struct {
    bool claimed;       /* this request holds the key: idem_finish stores or releases it */
    bool replayed;      /* the stored response was written to req->res: skip the handler */
    int64_t id;         /* the claimed row */
    int64_t claimed_us; /* its created_at, which tells our claim from a later one */
} idem_t;

/* Before the handler of an idempotent route, after the guard (the caller is
 * known) and the validation. Returns NULL to go on (idem->replayed: the
 * response is already written, do not run the handler), or the refusal. */
err_t *idem_begin(http_req_t *req, idem_t *idem);

/* After the handler and the render, with req->res as the client will get
 * it: stores the response for replays (2xx-4xx but 429), or releases the
 * claim (5xx, 429, no response). Failures are logged; the client's
 * response is never changed here. */
void idem_finish(http_req_t *req, const idem_t *idem);

/* Exposed for tests: 1..IDEM_KEY_MAX bytes, each 0x20..0x7e. */
bool idem_key_valid(const char *key);

#endif
