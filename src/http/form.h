/*
 * form.h: application/x-www-form-urlencoded and query-string parsing, and
 * multipart/form-data (RFC 7578) parsing of a fully buffered body. Pure
 * functions over memory, so the fuzz targets drive them directly.
 */
#ifndef LOOPIN_FORM_H
#define LOOPIN_FORM_H

#include <stddef.h>

#include "core/arena.h"
#include "http/http.h"

/* Decodes %XX (and '+' as space when plus_is_space) in place. Returns the new
 * length, or -1 on a malformed escape or a decoded NUL byte. */
long form_percent_decode(char *s, int plus_is_space);

/* Appends name/value pairs of "a=1&b=2" to kvs (arena strings). Returns 0, or
 * -1 on a malformed escape. Empty pieces ("a=1&&b") are skipped. */
int form_parse_urlencoded(const char *s, size_t len, arena_t *arena, http_kvs_t *kvs);

void http_kvs_add(http_kvs_t *kvs, arena_t *arena, const char *name, const char *value);
const char *http_kvs_get(const http_kvs_t *kvs, const char *name);

/* Extracts the boundary parameter from a multipart Content-Type header value.
 * Returns an arena string or NULL when absent or invalid (1-70 chars). */
const char *form_multipart_boundary(const char *content_type, arena_t *arena);

typedef enum {
    MP_OK = 0,
    MP_BAD_FORMAT, /* not valid multipart */
    MP_TOO_MANY_PARTS,
} mp_status_t;

/* Parses body (which must stay alive: file data points into it). Text parts
 * (no filename) go to fields; parts with a filename go to files. */
mp_status_t form_parse_multipart(const char *body, size_t len, const char *boundary, arena_t *arena,
                                 http_kvs_t *fields, http_file_t **files, int *nfiles);

#endif
