/*
 * fuzz_slug.c: libFuzzer driver for events/slug. The first byte picks
 * max_len (1..100) and whether a fallback is given; the rest is the title.
 * Every slug must be valid, fit max_len and its exact buffer, and be a fixed
 * point of slug_generate; a split path segment must put itself back together.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "events/slug.h"

static void check_slug(const char *text, size_t max_len, const char *fallback)
{
    /* exactly max_len + 1 bytes, so AddressSanitizer catches any overrun */
    char *out = malloc(max_len + 1);
    char *again = malloc(max_len + 1);
    if (!out || !again)
        abort();
    slug_generate(text, max_len, fallback, out);

    size_t len = strlen(out);
    const char *fb = fallback ? fallback : "event";
    if (len > max_len)
        abort();
    if (!slug_valid(out) && strncmp(out, fb, max_len) != 0)
        abort();
    /* a slug (or the fallback, which is one here) generates itself */
    slug_generate(out, max_len, fallback, again);
    if (strcmp(out, again) != 0)
        abort();
    free(out);
    free(again);
}

static void check_split(const char *segment)
{
    char slug[SLUG_STORED_MAX + 1], cid[CANONICAL_ID_LEN + 1];
    if (!slug_split_path_segment(segment, slug, sizeof slug, cid, sizeof cid))
        return;
    size_t slen = strlen(slug), clen = strlen(cid);
    if (!slug_valid(slug) || clen < 1 || clen > CANONICAL_ID_LEN)
        abort();
    if (slen + 2 + clen != strlen(segment) || memcmp(segment, slug, slen) != 0 ||
        memcmp(segment + slen, "--", 2) != 0 || strcmp(segment + slen + 2, cid) != 0)
        abort();

    char url[SLUG_STORED_MAX + CANONICAL_ID_LEN + 32];
    if (!slug_canonical_url("in", "city", slug, cid, url, sizeof url))
        abort();
    if (strcmp(strrchr(url, '/') + 1, segment) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t max_len = 1 + (size_t)(data[0] % 100);
    const char *fallback = (data[0] & 0x80) ? "unknown" : NULL;

    char *text = malloc(size); /* the rest, NUL-terminated */
    if (!text)
        abort();
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';

    check_slug(text, max_len, fallback);
    check_slug(text, SLUG_MAX, NULL);
    check_split(text);
    if (slug_valid(text)) {
        char out[SLUG_STORED_MAX + 1];
        slug_generate(text, SLUG_STORED_MAX, NULL, out);
        if (strcmp(out, text) != 0)
            abort();
    }

    free(text);
    return 0;
}
