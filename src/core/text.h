/*
 * text.h: the text rules shared by every module. Lengths are counted in code
 * points, as the databases' length() does, so a limit checked here is the
 * limit the CHECK constraints enforce; invalid UTF-8 is refused, never
 * counted.
 */
#ifndef LOOPIN_TEXT_H
#define LOOPIN_TEXT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"

/* Code points in s, or -1 when s is not valid UTF-8 (overlong forms,
 * surrogates and values past U+10FFFF included). */
long text_utf8_length(const char *s);

/* ASCII whitespace: space, \t, \n, \r, \f, \v. */
bool text_is_space(char c);

/* s without leading and trailing whitespace, as an arena copy. */
char *text_trim(arena_t *a, const char *s);

/* A timestamp as the API writes it (ISO 8601, UTC, microseconds), or JSON
 * null for 0. */
json_t *text_json_time(int64_t usec);

/* If-Match (RFC 9110 13.1.1) against a strong tag: true for "*" or when a
 * listed tag equals it exactly (weak tags never match). */
bool text_etag_matches(const char *if_match, const char *tag);

/* "%<s>%" with '%', '_' and '\' escaped by '\' (for LIKE ... ESCAPE '\'). */
char *text_like_pattern(arena_t *a, const char *s);

/* s cut to at most max code points, never inside a UTF-8 sequence (an
 * arena copy when cut, else s itself). */
const char *text_clip(arena_t *a, const char *s, long max);

/* text_json_time(usec), or JSON null for 0 (what a NULL timestamp column
 * reads as). */
json_t *text_json_time_or_null(int64_t usec);

/* The first element of a JSON array text when it is a string (a new
 * reference), else JSON null: the first picture or cover of a list. */
json_t *text_json_first_string(const char *array_text);

/* A stored JSON array (or object) text as a value; an empty one when the
 * text is NULL or not of that type. A new reference. */
json_t *text_json_array(const char *text);
json_t *text_json_object(const char *text);

#endif
