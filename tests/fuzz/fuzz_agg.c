/*
 * fuzz_agg.c: libFuzzer driver for db/db_agg. The first byte picks the row
 * width (1..4) and the row limit; the rest is the aggregated text. The
 * scanner is checked against jansson: whenever it accepts a text, jansson
 * must read the same rows with the same values, and the scanner must never
 * read past the text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "db/db_agg.h"

#define MAX_ROWS 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int width = 1 + (data[0] & 3), max_rows = (data[0] >> 2) % (MAX_ROWS + 1);
    char *text = malloc(size); /* exactly the text and its NUL */
    if (!text)
        abort();
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    agg_value_t fast[MAX_ROWS * 4], slow[MAX_ROWS * 4];
    json_t *doc = NULL;
    int n = agg_scan(text, width, fast, max_rows);
    int m = agg_load(text, width, slow, max_rows, &doc);
    if (n > max_rows || m > max_rows)
        abort();
    if (n >= 0) {
        if (m != n)
            abort();
        for (int i = 0; i < n * width; i++) {
            if (fast[i].is_str != slow[i].is_str)
                abort();
            if (fast[i].is_str
                    ? fast[i].len != slow[i].len || memcmp(fast[i].s, slow[i].s, fast[i].len) != 0
                    : fast[i].i != slow[i].i)
                abort();
        }
    }
    json_decref(doc);
    free(text);
    return 0;
}
