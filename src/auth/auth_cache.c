/*
 * auth_cache.c: the guard's per-process cache (auth_cache.h): two bounded
 * LRU maps under one mutex, a generation counter that every invalidation
 * moves, and the bus subscription that feeds it.
 */
#include "auth/auth_cache.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/lru.h"

struct auth_cache {
    pthread_mutex_t lock;
    lru_t *accounts;     /* "<user id>" -> auth_account_t */
    lru_t *tokens;       /* jti -> user id, for tokens known not to be revoked */
    uint64_t generation; /* under lock: moved by every invalidation and reset */
    db_notify_t *bus;
    _Atomic uint64_t hits, misses, fills, stale_fills, invalidations, resets;
};

static void on_message(void *ctx, const char *payload)
{
    auth_cache_invalidate(ctx, payload);
}

static void on_reset(void *ctx)
{
    auth_cache_t *c = ctx;
    pthread_mutex_lock(&c->lock);
    lru_clear(c->accounts);
    lru_clear(c->tokens);
    c->generation++;
    pthread_mutex_unlock(&c->lock);
    atomic_fetch_add(&c->resets, 1);
}

auth_cache_t *auth_cache_new(size_t capacity, db_notify_t *bus)
{
    if (!capacity)
        return NULL;
    auth_cache_t *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    pthread_mutex_init(&c->lock, NULL);
    c->accounts = lru_new(capacity, sizeof(auth_account_t));
    c->tokens = lru_new(capacity, sizeof(int64_t));
    c->bus = bus;
    db_notify_sub_t sub = {.message = on_message, .reset = on_reset, .ctx = c};
    if (!c->accounts || !c->tokens || (bus && db_notify_subscribe(bus, &sub) != 0)) {
        lru_free(c->accounts);
        lru_free(c->tokens);
        pthread_mutex_destroy(&c->lock);
        free(c);
        return NULL;
    }
    return c;
}

void auth_cache_free(auth_cache_t *c)
{
    if (!c)
        return;
    lru_free(c->accounts);
    lru_free(c->tokens);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

static void user_key(int64_t user_id, char key[24])
{
    snprintf(key, 24, "%" PRId64, user_id);
}

bool auth_cache_get(auth_cache_t *c, int64_t user_id, const char *jti, auth_account_t *out)
{
    if (!c)
        return false;
    bool hit = false;
    if (db_notify_live(c->bus)) {
        char key[24];
        int64_t owner = 0;
        user_key(user_id, key);
        pthread_mutex_lock(&c->lock);
        hit = lru_get(c->tokens, jti, &owner) && owner == user_id && lru_get(c->accounts, key, out);
        pthread_mutex_unlock(&c->lock);
    }
    atomic_fetch_add(hit ? &c->hits : &c->misses, 1);
    return hit;
}

uint64_t auth_cache_ticket(auth_cache_t *c)
{
    if (!c)
        return 0;
    pthread_mutex_lock(&c->lock);
    uint64_t t = c->generation;
    pthread_mutex_unlock(&c->lock);
    return t;
}

void auth_cache_put(auth_cache_t *c, uint64_t ticket, int64_t user_id, const char *jti,
                    const auth_account_t *a)
{
    if (!c || !db_notify_live(c->bus))
        return;
    char key[24];
    user_key(user_id, key);
    pthread_mutex_lock(&c->lock);
    bool fresh = c->generation == ticket;
    if (fresh) {
        lru_put(c->accounts, key, a);
        lru_put(c->tokens, jti, &user_id);
    }
    pthread_mutex_unlock(&c->lock);
    atomic_fetch_add(fresh ? &c->fills : &c->stale_fills, 1);
}

void auth_cache_invalidate(auth_cache_t *c, const char *payload)
{
    if (!c)
        return;
    bool all = strcmp(payload, "all") == 0;
    bool user = strncmp(payload, "user:", 5) == 0, token = strncmp(payload, "jti:", 4) == 0;
    if (!all && !user && !token)
        return; /* another subscriber's */
    pthread_mutex_lock(&c->lock);
    if (all) {
        lru_clear(c->accounts);
        lru_clear(c->tokens);
    } else if (user) {
        lru_remove(c->accounts, payload + 5);
    } else {
        lru_remove(c->tokens, payload + 4);
    }
    c->generation++;
    pthread_mutex_unlock(&c->lock);
    atomic_fetch_add(&c->invalidations, 1);
}

void auth_cache_stats(auth_cache_t *c, auth_cache_stats_t *out)
{
    memset(out, 0, sizeof *out);
    if (!c)
        return;
    out->enabled = db_notify_live(c->bus);
    out->hits = atomic_load(&c->hits);
    out->misses = atomic_load(&c->misses);
    out->fills = atomic_load(&c->fills);
    out->stale_fills = atomic_load(&c->stale_fills);
    out->invalidations = atomic_load(&c->invalidations);
    out->resets = atomic_load(&c->resets);
    pthread_mutex_lock(&c->lock);
    out->accounts = lru_count(c->accounts);
    out->tokens = lru_count(c->tokens);
    out->capacity = lru_capacity(c->accounts);
    pthread_mutex_unlock(&c->lock);
}
