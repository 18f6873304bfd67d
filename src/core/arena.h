/*
 * arena.h: a bump allocator for one request's temporaries. Everything
 * allocated from it is released in one step by arena_free when the response
 * has been sent, so request code never frees piecemeal.
 */
#ifndef LOOPIN_ARENA_H
#define LOOPIN_ARENA_H

#include <stdarg.h>
#include <stddef.h>

typedef struct arena_chunk arena_chunk_t;
typedef struct {
    arena_chunk_t *head;
    size_t total; /* bytes handed out, for limits and metrics */
} arena_t;

void arena_init(arena_t *a);
void arena_free(arena_t *a);
/* Never returns NULL: aborts on out-of-memory (like a failed malloc in a
 * request would leave nothing sensible to do). Memory is zeroed. */
void *arena_alloc(arena_t *a, size_t size);
char *arena_strdup(arena_t *a, const char *s);
char *arena_strndup(arena_t *a, const char *s, size_t n);
char *arena_printf(arena_t *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(arena_t *a, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

#endif
