/*
 * db_agg.c: the rows of an aggregated JSON column (db_agg.h). The scanner
 * accepts only what both databases print for integers and plain strings:
 * optional whitespace, '-' and digits, and "..." of printable ASCII without
 * a backslash; everything else (non-ASCII text included, which jansson
 * checks for valid UTF-8) is jansson's to read.
 */
#include "db/db_agg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
        p++;
    return p;
}

/* One value at p; the position after it, or NULL when not fast-path. */
static const char *scan_value(const char *p, agg_value_t *v)
{
    if (*p == '"') {
        const char *s = ++p;
        while (*p != '"') {
            unsigned char c = (unsigned char)*p;
            if (c == '\\' || c < 0x20 || c >= 0x80) /* escapes, controls, NUL, UTF-8 */
                return NULL;
            p++;
        }
        *v = (agg_value_t){.is_str = true, .s = s, .len = (size_t)(p - s)};
        return p + 1;
    }
    const char *d = p + (*p == '-');
    if (*d < '0' || *d > '9' || (*d == '0' && d[1] >= '0' && d[1] <= '9'))
        return NULL; /* not an integer, or a leading zero JSON refuses */
    char *end;
    errno = 0;
    long long n = strtoll(p, &end, 10);
    if (errno || *end == '.' || *end == 'e' || *end == 'E')
        return NULL; /* out of range or a float */
    *v = (agg_value_t){.i = n};
    return end;
}

int agg_scan(const char *text, int width, agg_value_t *out, int max_rows)
{
    if (!text)
        return 0;
    const char *p = skip_ws(text);
    if (*p++ != '[')
        return -1;
    int rows = 0;
    p = skip_ws(p);
    if (*p == ']')
        return *skip_ws(p + 1) ? -1 : 0;
    for (;;) {
        if (rows == max_rows || *p++ != '[')
            return -1;
        for (int k = 0; k < width; k++) {
            p = scan_value(skip_ws(p), &out[rows * width + k]);
            if (!p)
                return -1;
            p = skip_ws(p);
            if (*p++ != (k + 1 < width ? ',' : ']'))
                return -1;
        }
        rows++;
        p = skip_ws(p);
        if (*p == ']')
            return *skip_ws(p + 1) ? -1 : rows;
        if (*p++ != ',')
            return -1;
        p = skip_ws(p);
    }
}

int agg_load(const char *text, int width, agg_value_t *out, int max_rows, json_t **doc)
{
    *doc = NULL;
    if (!text)
        return 0;
    json_t *list = json_loads(text, JSON_DECODE_ANY, NULL), *row;
    size_t r;
    if (!json_is_array(list) || json_array_size(list) > (size_t)max_rows) {
        json_decref(list);
        return -1;
    }
    json_array_foreach(list, r, row)
    {
        if (!json_is_array(row) || json_array_size(row) != (size_t)width) {
            json_decref(list);
            return -1;
        }
        for (int k = 0; k < width; k++) {
            json_t *v = json_array_get(row, (size_t)k);
            agg_value_t *a = &out[r * (size_t)width + (size_t)k];
            if (json_is_string(v))
                *a = (agg_value_t){
                    .is_str = true, .s = json_string_value(v), .len = json_string_length(v)};
            else if (json_is_integer(v))
                *a = (agg_value_t){.i = json_integer_value(v)};
            else {
                json_decref(list);
                return -1;
            }
        }
    }
    *doc = list;
    return (int)json_array_size(list);
}
