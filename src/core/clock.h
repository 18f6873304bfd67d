/*
 * clock.h: the only source of "now" in the server. Real UTC time plus an
 * offset that test mode (POST /_test/clock) may move, so tests can expire
 * OTPs, reservations and orders without sleeping.
 */
#ifndef LOOPIN_CLOCK_H
#define LOOPIN_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#define USEC_PER_SEC 1000000LL

/* Microseconds since the Unix epoch (UTC), including the test offset. */
int64_t clock_now_us(void);
/* Monotonic microseconds for measuring durations (never offset). */
int64_t clock_mono_us(void);

/* Test mode only: move the clock by delta or set it to an absolute time.
 * Moving backwards is allowed (tests may need it). */
void clock_advance_us(int64_t delta);
void clock_set_us(int64_t when);
int64_t clock_offset_us(void);

/* ISO 8601 UTC: 'YYYY-MM-DDTHH:MM:SS.ffffffZ' (out >= 32 bytes), and the
 * 'Z'-terminated second-precision form used in API bodies. */
void clock_format_iso(int64_t usec, char out[32]);
void clock_format_iso_seconds(int64_t usec, char out[32]);
/* Parses 'YYYY-MM-DD', 'YYYY-MM-DDTHH:MM[:SS[.frac]]' with 'Z', '+HH:MM',
 * '-HH:MM' or no zone (UTC). Rejects impossible dates. */
bool clock_parse_iso(const char *s, int64_t *usec);
/* The UTC calendar date of usec. */
void clock_civil(int64_t usec, int *y, int *m, int *d);
/* usec at 00:00 UTC of y-m-d; m and d may run over or under (month 13 is
 * January of the next year, day 0 the last of the month before). */
int64_t clock_from_civil(int y, int m, int d);

#endif
