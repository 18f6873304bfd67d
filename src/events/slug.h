/*
 * slug.h: event identity helpers (API.md 14.3): URL slugs generated from
 * titles and city names, and unguessable canonical ids.
 */
#ifndef LOOPIN_SLUG_H
#define LOOPIN_SLUG_H

#include <stdbool.h>
#include <stddef.h>

#define SLUG_MAX         70  /* generated slugs; stored slugs may add a suffix */
#define SLUG_STORED_MAX  100 /* column limit */
#define CANONICAL_ID_LEN 10

/* generate_slug of API.md 14.3: fold accents (NFD + drop combining marks;
 * Latin letters with diacritics become their base letter, ß -> ss, æ -> ae,
 * ø -> o, ł -> l, ...; other non-ASCII letters are dropped), lower-case, runs
 * of whitespace or '_' become '-', drop everything outside [a-z0-9-],
 * collapse '-', trim '-', cut to max_len (if the last '-' is after 80% of
 * max_len, cut there), "event" when nothing is left... except that `fallback`
 * replaces "event" when non-NULL (cities use "unknown"; it is cut to max_len
 * too). out must hold
 * max_len + 1 bytes. Invalid UTF-8 bytes are dropped. */
void slug_generate(const char *text, size_t max_len, const char *fallback, char *out);

/* True when s is a valid stored slug: 1..SLUG_STORED_MAX of [a-z0-9-], no
 * leading, trailing or doubled '-'. */
bool slug_valid(const char *s);

/* CANONICAL_ID_LEN base62 characters from the CSPRNG (out: LEN + 1). */
void slug_canonical_id(char *out);

/* "/{cc}/{city}/events/{slug}--{canonical_id}" into out (returns false if
 * it does not fit). */
bool slug_canonical_url(const char *country_code, const char *city_slug, const char *slug,
                        const char *canonical_id, char *out, size_t outlen);

/* Splits the last URL segment "{slug}--{canonical_id}"; false when absent. */
bool slug_split_path_segment(const char *segment, char *slug, size_t slug_len, char *cid,
                             size_t cid_len);

#endif
