/*
 * lru.c: the bounded least-recently-used map (lru.h). A chained hash table
 * finds entries; a doubly linked list orders them by use, most recent at
 * the head, so eviction takes the tail. Entries removed or evicted go to a
 * free list and are reused, so the allocation never exceeds the capacity.
 */
#include "core/lru.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct lru_entry {
    struct lru_entry *chain;       /* next in the hash bucket, or in the free list */
    struct lru_entry *prev, *next; /* use order: prev is more recent */
    uint64_t hash;
    char key[LRU_KEY_MAX];
    unsigned char value[]; /* value_size bytes */
} lru_entry_t;

struct lru {
    size_t capacity, value_size, count, allocated;
    size_t nbuckets; /* a power of two, at least twice the capacity */
    lru_entry_t **buckets;
    lru_entry_t *head, *tail, *spare;
};

/* FNV-1a over the key, 64-bit. Keys come from signed tokens and database
 * ids, not from anyone who could aim collisions at a bucket. */
static uint64_t key_hash(const char *key)
{
    uint64_t h = UINT64_C(14695981039346656037);
    for (; *key; key++)
        h = (h ^ (unsigned char)*key) * UINT64_C(1099511628211);
    return h;
}

lru_t *lru_new(size_t capacity, size_t value_size)
{
    if (!capacity || !value_size || capacity > SIZE_MAX / 4)
        return NULL;
    lru_t *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->capacity = capacity;
    l->value_size = value_size;
    for (l->nbuckets = 16; l->nbuckets < capacity * 2; l->nbuckets *= 2)
        ;
    l->buckets = calloc(l->nbuckets, sizeof *l->buckets);
    if (!l->buckets) {
        free(l);
        return NULL;
    }
    return l;
}

static void free_list(lru_entry_t *e, bool by_chain)
{
    while (e) {
        lru_entry_t *next = by_chain ? e->chain : e->next;
        free(e);
        e = next;
    }
}

void lru_free(lru_t *l)
{
    if (!l)
        return;
    free_list(l->head, false);
    free_list(l->spare, true);
    free(l->buckets);
    free(l);
}

/* The bucket slot that points at key's entry (or at NULL when absent). */
static lru_entry_t **find_slot(lru_t *l, const char *key, uint64_t h)
{
    lru_entry_t **p = &l->buckets[h & (l->nbuckets - 1)];
    while (*p && ((*p)->hash != h || strcmp((*p)->key, key) != 0))
        p = &(*p)->chain;
    return p;
}

static void unlink_use(lru_t *l, lru_entry_t *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        l->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        l->tail = e->prev;
    e->prev = e->next = NULL;
}

static void push_head(lru_t *l, lru_entry_t *e)
{
    e->prev = NULL;
    e->next = l->head;
    if (l->head)
        l->head->prev = e;
    l->head = e;
    if (!l->tail)
        l->tail = e;
}

/* Takes e out of the table and the use list and onto the free list. */
static void drop(lru_t *l, lru_entry_t **slot)
{
    lru_entry_t *e = *slot;
    *slot = e->chain;
    unlink_use(l, e);
    e->chain = l->spare;
    l->spare = e;
    l->count--;
}

bool lru_get(lru_t *l, const char *key, void *value)
{
    uint64_t h = key_hash(key);
    lru_entry_t *e = *find_slot(l, key, h);
    if (!e)
        return false;
    if (l->head != e) {
        unlink_use(l, e);
        push_head(l, e);
    }
    memcpy(value, e->value, l->value_size);
    return true;
}

/* A free entry: a spare one, a new one while under capacity, else the
 * least recently used one, evicted. */
static lru_entry_t *take_entry(lru_t *l)
{
    if (!l->spare && l->allocated < l->capacity) {
        lru_entry_t *e = malloc(sizeof *e + l->value_size);
        if (e) {
            l->allocated++;
            return e;
        }
    }
    if (!l->spare && l->tail) {
        lru_entry_t *old = l->tail;
        drop(l, find_slot(l, old->key, old->hash));
    }
    lru_entry_t *e = l->spare;
    if (e)
        l->spare = e->chain;
    return e;
}

bool lru_put(lru_t *l, const char *key, const void *value)
{
    size_t n = strlen(key);
    if (n >= LRU_KEY_MAX)
        return false;
    uint64_t h = key_hash(key);
    lru_entry_t **slot = find_slot(l, key, h), *e = *slot;
    if (e) {
        unlink_use(l, e);
    } else {
        if (!(e = take_entry(l)))
            return false;
        memcpy(e->key, key, n + 1);
        e->hash = h;
        slot = find_slot(l, key, h); /* an eviction may have changed the chain */
        e->chain = *slot;
        *slot = e;
        l->count++;
    }
    memcpy(e->value, value, l->value_size);
    push_head(l, e);
    return true;
}

bool lru_remove(lru_t *l, const char *key)
{
    lru_entry_t **slot = find_slot(l, key, key_hash(key));
    if (!*slot)
        return false;
    drop(l, slot);
    return true;
}

void lru_clear(lru_t *l)
{
    while (l->head)
        drop(l, find_slot(l, l->head->key, l->head->hash));
}

size_t lru_count(const lru_t *l)
{
    return l->count;
}

size_t lru_capacity(const lru_t *l)
{
    return l->capacity;
}
