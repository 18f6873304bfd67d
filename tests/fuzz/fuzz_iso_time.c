/*
 * fuzz_iso_time.c: libFuzzer driver for clock_parse_iso. Whatever parses
 * must format and parse back to the same instant (for years 1000-9999, the
 * range the 4-digit format can express), in both output forms.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/clock.h"

#define YEAR_1000_US  (-30610224000LL * USEC_PER_SEC) /* 1000-01-01T00:00:00Z */
#define YEAR_10000_US (253402300800LL * USEC_PER_SEC) /* 10000-01-01T00:00:00Z */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena_t arena;
    arena_init(&arena);
    const char *s = arena_strndup(&arena, (const char *)data, size);

    int64_t v = 0;
    if (clock_parse_iso(s, &v) && v >= YEAR_1000_US && v < YEAR_10000_US) {
        char out[32];
        int64_t again = 0;
        clock_format_iso(v, out);
        if (strlen(out) != 27 || !clock_parse_iso(out, &again) || again != v)
            abort();

        /* the seconds form drops the fraction, flooring */
        int64_t floored = v - (((v % USEC_PER_SEC) + USEC_PER_SEC) % USEC_PER_SEC);
        clock_format_iso_seconds(v, out);
        if (strlen(out) != 20 || !clock_parse_iso(out, &again) || again != floored)
            abort();
    }

    arena_free(&arena);
    return 0;
}
