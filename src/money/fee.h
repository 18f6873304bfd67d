/*
 * fee.h: the platform fee (API.md 14.6; docs/money.md). Money is int64 minor
 * units; the rate is basis points (10.00% = 1000). The buyer pays the host's
 * base fare plus the fee; the host earns the base; the platform keeps the
 * fee. Rounding is half up to the minor unit, as the reference's Decimal
 * ROUND_HALF_UP. The formulas are pure (unit-tested with the worked
 * examples); the rate is one row, cached per process for at most
 * FEE_CACHE_MS, so a change made on any process is seen by every process
 * within a second.
 */
#ifndef LOOPIN_FEE_H
#define LOOPIN_FEE_H

#include <stdbool.h>
#include <stdint.h>

#include "op.h"

#define FEE_BPS_MAX  10000
#define FEE_CACHE_MS 500

/* round_half_up(base * bps * qty / 10000): calculate_platform_fee. */
int64_t fee_platform(int64_t base_minor, int bps, int qty);
/* round_half_up(base * (10000 + bps) / 10000): calculate_final_price. */
int64_t fee_final_price(int64_t base_minor, int bps);
/* What an order of qty seats costs: final price per seat x qty. */
int64_t fee_order_total(int64_t base_minor, int bps, int qty);

/* "110.00" for 11000 (2 decimals), into out (>= 32 bytes). */
void money_format(int64_t minor, char out[32]);
/* Parses a non-negative decimal with at most two decimals ("110", "110.5",
 * "110.50"; or a JSON number's text) into minor units; false otherwise. */
bool money_parse(const char *s, int64_t *minor);
/* "10.00" for 1000 bps. */
void fee_bps_format(int bps, char out[16]);

/* The current rate (cached); DB errors give the last known rate, or the
 * database status when none was ever read. */
int fee_current_bps(op_t *op, int *bps);
/* Forgets the cached rate (after a change on this process). */
void fee_cache_clear(void);

extern const struct module fee_module;
extern const struct module payments_module;

#endif
