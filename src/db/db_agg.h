/*
 * db_agg.h: reading a JSON array of rows that a statement aggregated into one
 * column (PostgreSQL json_agg(json_build_array(...)), SQLite
 * json_group_array(json_array(...))), so a page of parents with their
 * children is one row per parent instead of one per child.
 *
 * agg_scan is the fast path for the common case: every value an integer or a
 * printable-ASCII string without escapes, read in place with no allocation. Anything else
 * (an escaped string, a float, a null, a nested value, bad text) is refused
 * with -1 and the caller parses the text with jansson (agg_load), which
 * gives the same fields. tests/fuzz/fuzz_agg.c checks that the two agree.
 */
#ifndef LOOPIN_DB_AGG_H
#define LOOPIN_DB_AGG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* One value of an aggregated row. A string is not NUL-terminated. */
typedef struct {
    bool is_str;
    int64_t i;
    const char *s;
    size_t len;
} agg_value_t;

/* Scans text, an array of arrays of exactly width values, into out (row r's
 * values at out[r * width ...]), at most max_rows rows. Returns the rows, or
 * -1 when text is not of the fast path's shape or has more rows. NULL text
 * (PostgreSQL's json_agg of no rows) is 0 rows. */
int agg_scan(const char *text, int width, agg_value_t *out, int max_rows);

/* The same from jansson: *doc keeps the strings alive (json_decref it after
 * use). Returns -1 when text is not an array of width-value arrays of
 * integers and strings. */
int agg_load(const char *text, int width, agg_value_t *out, int max_rows, json_t **doc);

#endif
