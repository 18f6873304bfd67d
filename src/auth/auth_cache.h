/*
 * auth_cache.h: what the guard needs from the database, kept per process so
 * a verified token is usually answered without a query: each account's
 * state (uuid, phone, active, staff flags, waitlist promotion time) by user
 * id, and the token ids (jti) known not to be revoked.
 *
 * Exact, not eventually right: the cache is used only while the
 * invalidation bus (db/db_notify.h) is live. Every change that matters
 * reaches it as a payload: "user:<id>" forgets the account, "jti:<jti>" the
 * token, "all" everything; PostgreSQL triggers publish them at commit
 * (migration 0021) and this process's own writers announce them right after
 * their commit. A lost bus connection forgets everything and the cache is
 * bypassed until the bus listens again. Fills race invalidations safely:
 * take a ticket before reading the database, and the fill is dropped when
 * any invalidation came in between (docs/ARCHITECTURE.md, "Caches and
 * invalidation").
 *
 * Bounded: at most `capacity` accounts and `capacity` token ids, the least
 * recently used forgotten first. Thread-safe; one mutex, held for a lookup.
 */
#ifndef LOOPIN_AUTH_CACHE_H
#define LOOPIN_AUTH_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db/db_notify.h"

typedef struct auth_cache auth_cache_t;

/* The account state the guard checks. */
typedef struct {
    char uuid[37];
    char phone[32];
    bool is_active, is_staff, is_superuser;
    int64_t promote_at; /* waitlist promotion time (usec), 0 when none */
} auth_account_t;

typedef struct {
    bool enabled; /* the bus is live: lookups may hit */
    uint64_t hits, misses;
    uint64_t fills, stale_fills; /* stored, and dropped because an invalidation came between */
    uint64_t invalidations, resets;
    size_t accounts, tokens, capacity;
} auth_cache_stats_t;

/* A cache used only while bus is live (NULL: never; every lookup misses).
 * Subscribes to bus, so call before db_notify_start. NULL when out of
 * memory or capacity is 0. */
auth_cache_t *auth_cache_new(size_t capacity, db_notify_t *bus);
void auth_cache_free(auth_cache_t *c);

/* The account of user_id when both it and jti (not revoked) are cached.
 * NULL c is a miss. */
bool auth_cache_get(auth_cache_t *c, int64_t user_id, const char *jti, auth_account_t *out);
/* Take before reading the database for a fill. */
uint64_t auth_cache_ticket(auth_cache_t *c);
/* Stores what the database said (an existing account, jti not revoked)
 * unless an invalidation arrived since ticket or the bus is not live. */
void auth_cache_put(auth_cache_t *c, uint64_t ticket, int64_t user_id, const char *jti,
                    const auth_account_t *a);
/* Applies one bus payload ("user:<id>", "jti:<jti>", "all"; others ignored). */
void auth_cache_invalidate(auth_cache_t *c, const char *payload);
void auth_cache_stats(auth_cache_t *c, auth_cache_stats_t *out);

#endif
