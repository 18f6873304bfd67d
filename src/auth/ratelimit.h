/*
 * ratelimit.h: counters in the database (auth_rate_limits), so a limit holds
 * across every server process. Two shapes:
 *   fixed windows  ratelimit_hit: one row per key and aligned window;
 *   from-first     ratelimit_since_first: the window opens at the first event
 *                  and lasts window_s (used for OTP lockouts, so a burst at a
 *                  window edge cannot double the allowance).
 */
#ifndef LOOPIN_RATELIMIT_H
#define LOOPIN_RATELIMIT_H

#include <stdint.h>

#include "db/db.h"

/* Adds one to key's current aligned window. *count gets the new count and
 * *retry_after_s the seconds until the window ends. */
int ratelimit_hit(db_conn_t *c, const char *key, int64_t window_s, int64_t now_us, int64_t *count,
                  int64_t *retry_after_s);

/* Reads the live from-first window of key: *count 0 when none is open. */
int ratelimit_window(db_conn_t *c, const char *key, int64_t window_s, int64_t now_us,
                     int64_t *count, int64_t *retry_after_s);
/* Adds one to the live from-first window of key, opening one at now if none
 * is open. *count gets the new count. */
int ratelimit_since_first(db_conn_t *c, const char *key, int64_t window_s, int64_t now_us,
                          int64_t *count, int64_t *retry_after_s);

#endif
