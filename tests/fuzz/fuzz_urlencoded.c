/*
 * fuzz_urlencoded.c: libFuzzer driver for form_parse_urlencoded and
 * form_percent_decode (both '+' modes). Checks that decoding never grows the
 * text, that the reported length matches, and that every pair is walkable.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "http/form.h"

static void check_decode(arena_t *arena, const uint8_t *data, size_t size, int plus_is_space)
{
    char *s = arena_strndup(arena, (const char *)data, size);
    size_t before = strlen(s);
    long n = form_percent_decode(s, plus_is_space);
    if (n < -1 || (n >= 0 && ((size_t)n > before || (size_t)n != strlen(s))))
        abort();
    if (n >= 0 && !plus_is_space && memchr(data, '%', before) == NULL &&
        memcmp(s, data, before) != 0)
        abort(); /* without escapes the text is unchanged */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena_t arena;
    arena_init(&arena);

    check_decode(&arena, data, size, 0);
    check_decode(&arena, data, size, 1);

    http_kvs_t kvs = {0};
    int rc = form_parse_urlencoded((const char *)data, size, &arena, &kvs);
    if (rc != 0 && rc != -1)
        abort();
    if (kvs.n < 0 || kvs.n > kvs.cap || (size_t)kvs.n > size)
        abort();
    for (int i = 0; i < kvs.n; i++) {
        const char *name = kvs.items[i].name, *value = kvs.items[i].value;
        if (!name || !value || !name[0])
            abort();
        if (strlen(name) > size || strlen(value) > size)
            abort();
        if (http_kvs_get(&kvs, name) == NULL)
            abort();
    }

    arena_free(&arena);
    return 0;
}
