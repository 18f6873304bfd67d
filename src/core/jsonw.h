/*
 * jsonw.h: a streaming JSON writer into a strbuf, for hot responses that
 * would otherwise build a jansson tree only to print it. Its output is byte
 * for byte what http_reply_json prints for the same values (jansson with
 * JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(10)), so a response
 * can move from one to the other without a client seeing a difference
 * (tests/unit/test_core_jsonw.c holds it to that).
 *
 * Commas are the writer's business: open a container, then write keys and
 * values (in an object, jw_key before each value) and close it.
 */
#ifndef LOOPIN_JSONW_H
#define LOOPIN_JSONW_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "core/strbuf.h"

#define JW_MAX_DEPTH 32

typedef struct {
    strbuf_t *sb;
    int depth;
    bool after_key;
    bool has_items[JW_MAX_DEPTH]; /* per open container: write a comma first */
} jw_t;

void jw_init(jw_t *w, strbuf_t *sb);
/* Continues an object whose '{' and first members were written elsewhere:
 * the next jw_key starts with a comma. */
void jw_continue_object(jw_t *w);

void jw_obj(jw_t *w);
void jw_obj_end(jw_t *w);
void jw_arr(jw_t *w);
void jw_arr_end(jw_t *w);
void jw_key(jw_t *w, const char *key);

/* s of n bytes (no NUL needed), escaped as jw_str does. */
void jw_strn(jw_t *w, const char *s, size_t n);
void jw_str(jw_t *w, const char *s); /* NULL writes null */
void jw_int(jw_t *w, int64_t v);
void jw_bool(jw_t *w, bool v);
void jw_null(jw_t *w);
void jw_real(jw_t *w, double v);
/* A jansson value (NULL writes null), printed by the same rules. */
void jw_json(jw_t *w, json_t *v);

/* A string as jansson escapes it, quotes included (no comma handling). */
void jw_string_raw(strbuf_t *sb, const char *s);

#endif
