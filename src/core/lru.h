/*
 * lru.h: a bounded map from short string keys to fixed-size values that
 * forgets the least recently used entry when full. Memory is bounded by the
 * capacity given at creation (entries are allocated as they are first
 * needed, then recycled). Not thread-safe: the owner holds its own lock.
 */
#ifndef LOOPIN_LRU_H
#define LOOPIN_LRU_H

#include <stdbool.h>
#include <stddef.h>

#define LRU_KEY_MAX 64 /* keys are shorter than this, NUL included */

typedef struct lru lru_t;

/* NULL on allocation failure or a zero capacity or value size. */
lru_t *lru_new(size_t capacity, size_t value_size);
void lru_free(lru_t *l);
/* Copies the value of key into value (value_size bytes) and marks it the
 * most recently used; false when absent. */
bool lru_get(lru_t *l, const char *key, void *value);
/* Adds or replaces key's value, evicting the least recently used entry when
 * full; false (nothing stored) for a key of LRU_KEY_MAX bytes or more, or
 * when memory runs out. */
bool lru_put(lru_t *l, const char *key, const void *value);
/* Forgets key; false when it was absent. */
bool lru_remove(lru_t *l, const char *key);
/* Forgets everything (the memory is kept for reuse). */
void lru_clear(lru_t *l);
size_t lru_count(const lru_t *l);
size_t lru_capacity(const lru_t *l);

#endif
