/*
 * fee.c: platform fee formulas and the cached rate (see fee.h).
 */
#include "money/fee.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"

/* n / d rounded half up, for n >= 0 and d > 0. */
static int64_t div_half_up(int64_t n, int64_t d)
{
    return (n + d / 2) / d;
}

int64_t fee_platform(int64_t base_minor, int bps, int qty)
{
    return div_half_up(base_minor * bps * qty, 10000);
}

int64_t fee_final_price(int64_t base_minor, int bps)
{
    return div_half_up(base_minor * (10000 + bps), 10000);
}

int64_t fee_order_total(int64_t base_minor, int bps, int qty)
{
    return fee_final_price(base_minor, bps) * qty;
}

void money_format(int64_t minor, char out[32])
{
    snprintf(out, 32, "%s%lld.%02lld", minor < 0 ? "-" : "",
             (long long)(minor < 0 ? -minor : minor) / 100,
             (long long)(minor < 0 ? -minor : minor) % 100);
}

void fee_bps_format(int bps, char out[16])
{
    snprintf(out, 16, "%d.%02d", bps / 100, bps % 100);
}

bool money_parse(const char *s, int64_t *minor)
{
    int64_t whole = 0, frac = 0;
    int digits = 0, decimals = 0;
    if (!s || !*s)
        return false;
    for (; *s >= '0' && *s <= '9'; s++, digits++) {
        if (whole > INT64_C(100000000000))
            return false;
        whole = whole * 10 + (*s - '0');
    }
    if (*s == '.')
        for (s++; *s >= '0' && *s <= '9'; s++, decimals++) {
            if (decimals >= 2) {
                if (*s != '0') /* "110.500" is fine, "110.505" is not */
                    return false;
                continue;
            }
            frac = frac * 10 + (*s - '0');
        }
    if (*s || !digits)
        return false;
    *minor = whole * 100 + (decimals == 1 ? frac * 10 : frac);
    return true;
}

static struct {
    pthread_mutex_t lock;
    int bps;
    int64_t read_at; /* monotonic usec; 0: never */
} cache = {.lock = PTHREAD_MUTEX_INITIALIZER};

void fee_cache_clear(void)
{
    pthread_mutex_lock(&cache.lock);
    cache.read_at = 0;
    pthread_mutex_unlock(&cache.lock);
}

static const char SQL_RATE[] =
    "SELECT fee_basis_points FROM platform_fee_config WHERE id = 1 AND is_active = $1";

int fee_current_bps(op_t *op, int *bps)
{
    int64_t now = clock_mono_us();
    pthread_mutex_lock(&cache.lock);
    bool fresh = cache.read_at && now - cache.read_at < FEE_CACHE_MS * 1000;
    int known = cache.bps;
    bool ever = cache.read_at != 0;
    pthread_mutex_unlock(&cache.lock);
    if (fresh) {
        *bps = known;
        return DB_OK;
    }
    int64_t v = 1000;
    bool found = false;
    int rc = db_query_int(op->db, SQL_RATE, DB_ARGS(db_bool(true)), &v, &found);
    if (rc != DB_OK) {
        *bps = known;
        return ever ? DB_OK : rc;
    }
    *bps = found ? (int)v : 1000; /* no active row: the documented default */
    pthread_mutex_lock(&cache.lock);
    cache.bps = *bps;
    cache.read_at = now;
    pthread_mutex_unlock(&cache.lock);
    return DB_OK;
}
