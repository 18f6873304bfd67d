/*
 * listing_cache.c: what GET /api/events may remember between requests, per
 * process (contract in events.h). Everything is tagged with the listing
 * version, which the database bumps whenever what a listing shows changes
 * (migration 0011), so a total or a page of ids is reused only while the
 * version it was counted under is current.
 *
 * Knowing the version without asking is what needs care. On PostgreSQL each
 * bump is announced on the invalidation bus at commit (migration 0022,
 * db_notify.h): the version read last stays in memory until such an
 * announcement, a reset of the bus, or the bus falling silent. A read that
 * raced an announcement is not kept (gen). This process's own changes
 * forget it at once (listing_changed). Without a bus (SQLite, where other
 * processes may write the file) the version is read at every request: one
 * in-process primary-key read.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "db/db_notify.h"
#include "events/events.h"

#define TOTAL_SLOTS 128
#define PAGE_SLOTS  64
#define KEY_MAX     544

typedef struct {
    char key[KEY_MAX];
    int64_t version, total;
    bool used;
} total_slot_t;

typedef struct {
    char key[KEY_MAX];
    int64_t version, ids[100];
    int n;
    bool used;
} page_slot_t;

struct events_cache {
    pthread_mutex_t mu;
    db_notify_t *bus;
    bool version_known;
    int64_t version;
    uint64_t gen; /* moves at every announcement and reset */
    total_slot_t totals[TOTAL_SLOTS];
    page_slot_t pages[PAGE_SLOTS];
    listing_cache_stats_t stats; /* guarded by mu */
};

static void forget(events_cache_t *c)
{
    pthread_mutex_lock(&c->mu);
    c->version_known = false;
    c->gen++;
    pthread_mutex_unlock(&c->mu);
}

static void on_message(void *ctx, const char *payload)
{
    if (!strcmp(payload, "listing:events") || !strcmp(payload, "all"))
        forget(ctx);
}

static void on_reset(void *ctx)
{
    forget(ctx);
}

events_cache_t *events_cache_new(db_notify_t *bus)
{
    events_cache_t *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    pthread_mutex_init(&c->mu, NULL);
    db_notify_sub_t sub = {.message = on_message, .reset = on_reset, .ctx = c};
    if (bus && db_notify_subscribe(bus, &sub) == 0)
        c->bus = bus; /* else (no room): read the version every time */
    return c;
}

void events_cache_free(events_cache_t *c)
{
    if (!c)
        return;
    pthread_mutex_destroy(&c->mu);
    free(c);
}

void listing_changed(app_t *app)
{
    db_notify_local(app->notify, "listing:events");
}

static const char SQL_VERSION[] = "SELECT version FROM listing_versions WHERE name = 'events'";

int listing_version(events_cache_t *c, db_conn_t *db, int64_t *version)
{
    pthread_mutex_lock(&c->mu);
    bool known = c->bus && c->version_known && db_notify_live(c->bus);
    uint64_t gen = c->gen;
    *version = c->version;
    pthread_mutex_unlock(&c->mu);
    if (known)
        return DB_OK;
    bool found = false;
    int rc = db_query_int(db, SQL_VERSION, DB_NOARGS, version, &found);
    if (rc != DB_OK || !c->bus)
        return rc;
    pthread_mutex_lock(&c->mu);
    if (c->gen == gen && db_notify_live(c->bus)) { /* nothing announced since the read */
        c->version = *version;
        c->version_known = true;
    }
    pthread_mutex_unlock(&c->mu);
    return rc;
}

void listing_cache_stats(events_cache_t *c, listing_cache_stats_t *out)
{
    memset(out, 0, sizeof *out);
    if (!c)
        return;
    pthread_mutex_lock(&c->mu);
    *out = c->stats;
    pthread_mutex_unlock(&c->mu);
}

static unsigned slot_of(const char *key, unsigned slots)
{
    unsigned h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h % slots;
}

static bool cacheable(const char *key)
{
    return strlen(key) < KEY_MAX - 44; /* room for the page's offset and limit */
}

bool listing_total_get(events_cache_t *c, const char *key, int64_t version, int64_t *total)
{
    if (!c || !cacheable(key))
        return false;
    total_slot_t *s = &c->totals[slot_of(key, TOTAL_SLOTS)];
    pthread_mutex_lock(&c->mu);
    bool hit = s->used && s->version == version && !strcmp(s->key, key);
    if (hit)
        *total = s->total;
    hit ? c->stats.total_hits++ : c->stats.total_misses++;
    pthread_mutex_unlock(&c->mu);
    return hit;
}

void listing_total_put(events_cache_t *c, const char *key, int64_t version, int64_t total)
{
    if (!c || !cacheable(key))
        return;
    total_slot_t *s = &c->totals[slot_of(key, TOTAL_SLOTS)];
    pthread_mutex_lock(&c->mu);
    snprintf(s->key, sizeof s->key, "%s", key);
    s->version = version;
    s->total = total;
    s->used = true;
    pthread_mutex_unlock(&c->mu);
}

bool listing_page_get(events_cache_t *c, const char *key, int64_t version, int64_t ids[100], int *n)
{
    if (!c || strlen(key) >= KEY_MAX)
        return false;
    page_slot_t *s = &c->pages[slot_of(key, PAGE_SLOTS)];
    pthread_mutex_lock(&c->mu);
    bool hit = s->used && s->version == version && !strcmp(s->key, key);
    if (hit) {
        *n = s->n;
        memcpy(ids, s->ids, (size_t)s->n * sizeof *ids);
    }
    hit ? c->stats.page_hits++ : c->stats.page_misses++;
    pthread_mutex_unlock(&c->mu);
    return hit;
}

void listing_page_put(events_cache_t *c, const char *key, int64_t version, const int64_t *ids,
                      int n)
{
    if (!c || strlen(key) >= KEY_MAX || n < 0 || n > 100)
        return;
    page_slot_t *s = &c->pages[slot_of(key, PAGE_SLOTS)];
    pthread_mutex_lock(&c->mu);
    snprintf(s->key, sizeof s->key, "%s", key);
    s->version = version;
    s->n = n;
    memcpy(s->ids, ids, (size_t)n * sizeof *ids);
    s->used = true;
    pthread_mutex_unlock(&c->mu);
}
