/*
 * arena.c: per-request bump allocator. Chunks grow geometrically; large
 * allocations get a chunk of their own. Freed in one pass at request end.
 */
#include "core/arena.h"

#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

struct arena_chunk {
    arena_chunk_t *next;
    size_t size, used;
    _Alignas(16) unsigned char data[];
};

#define ARENA_FIRST_CHUNK 4096

void arena_init(arena_t *a)
{
    a->head = NULL;
    a->total = 0;
}

void arena_free(arena_t *a)
{
    arena_chunk_t *c = a->head;
    while (c) {
        arena_chunk_t *next = c->next;
        free(c);
        c = next;
    }
    a->head = NULL;
    a->total = 0;
}

static arena_chunk_t *chunk_new(size_t size)
{
    arena_chunk_t *c = malloc(sizeof *c + size);
    if (!c) {
        fputs("{\"level\":\"error\",\"msg\":\"out of memory\"}\n", stderr);
        abort();
    }
    c->size = size;
    c->used = 0;
    c->next = NULL;
    return c;
}

/* Allocations above this get a dedicated chunk linked behind the head, so
 * the head's free space keeps serving small allocations. */
#define ARENA_BIG 65536

void *arena_alloc(arena_t *a, size_t size)
{
    if (size > SIZE_MAX / 2) {
        fputs("{\"level\":\"error\",\"msg\":\"arena allocation too large\"}\n", stderr);
        abort();
    }
    size = size ? (size + 15) & ~(size_t)15 : 16;
    arena_chunk_t *c = a->head;
    if (size >= ARENA_BIG && c) {
        arena_chunk_t *big = chunk_new(size);
        big->used = size;
        big->next = c->next;
        c->next = big;
        a->total += size;
        memset(big->data, 0, size);
        return big->data;
    }
    if (!c || c->size - c->used < size) {
        size_t want = c && c->size < (1u << 20) ? c->size * 2 : ARENA_FIRST_CHUNK;
        if (want < size)
            want = size;
        arena_chunk_t *n = chunk_new(want);
        n->next = c;
        a->head = c = n;
    }
    void *p = c->data + c->used;
    c->used += size;
    a->total += size;
    memset(p, 0, size);
    return p;
}

char *arena_strndup(arena_t *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_strdup(arena_t *a, const char *s)
{
    return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *arena_vprintf(arena_t *a, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0)
        return arena_strdup(a, "");
    char *p = arena_alloc(a, (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *arena_printf(arena_t *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = arena_vprintf(a, fmt, ap);
    va_end(ap);
    return p;
}
