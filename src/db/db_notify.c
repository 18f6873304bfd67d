/*
 * db_notify.c: the invalidation bus (db_notify.h), whatever the database:
 * subscribers, liveness, and the thread that keeps a source
 * (db_notify_source.h) connected. Any loss closes the source's connection,
 * tells the subscribers, and reconnects with a growing pause; a (re)connect
 * resets them again before the bus counts as live.
 */
#include "db/db_notify.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "db/db.h"
#include "db/db_notify_source.h"

#define DB_NOTIFY_RETRY_MS  100 /* first pause before reconnecting, doubling */
#define DB_NOTIFY_RETRY_MAX 2000

struct db_notify {
    const db_notify_source_t *src;
    void *state;
    db_notify_sub_t subs[DB_NOTIFY_MAX_SUBS];
    int nsubs;
    pthread_t thread;
    bool started, open; /* open: the source's connection (the thread's own) */
    int wake[2];        /* the stopper writes a byte to wake[1] */
    atomic_bool stop, connected;
    _Atomic int64_t heard_us; /* clock_mono_us() when the database last answered */
    _Atomic uint64_t connects, losses, messages;
};

db_notify_t *db_notify_new(const char *url)
{
    char path[4096];
    int dialect = db_url_dialect(url, path, sizeof path);
    if (!dialect)
        return NULL;
    db_notify_t *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    n->wake[0] = n->wake[1] = -1;
    n->src = dialect == DB_DIALECT_PG ? &db_notify_pg : &db_notify_sqlite;
    n->state = dialect == DB_DIALECT_PG ? db_notify_pg_new(url) : db_notify_sqlite_new(path);
    if (!n->state || pipe2(n->wake, O_CLOEXEC | O_NONBLOCK) != 0) {
        if (n->state)
            n->src->free(n->state);
        free(n);
        return NULL;
    }
    return n;
}

int db_notify_subscribe(db_notify_t *n, const db_notify_sub_t *sub)
{
    if (n->started || n->nsubs == DB_NOTIFY_MAX_SUBS)
        return -1;
    n->subs[n->nsubs++] = *sub;
    return 0;
}

static void tell_reset(db_notify_t *n)
{
    for (int i = 0; i < n->nsubs; i++)
        n->subs[i].reset(n->subs[i].ctx);
}

static void dispatch(db_notify_t *n, const char *payload)
{
    for (int i = 0; i < n->nsubs; i++)
        n->subs[i].message(n->subs[i].ctx, payload);
}

void db_notify_deliver(db_notify_t *n, const char *payload)
{
    atomic_fetch_add(&n->messages, 1);
    dispatch(n, payload);
}

void db_notify_heard(db_notify_t *n)
{
    atomic_store(&n->heard_us, clock_mono_us());
}

int db_notify_wake_fd(db_notify_t *n)
{
    return n->wake[0];
}

bool db_notify_stopping(db_notify_t *n)
{
    return atomic_load(&n->stop);
}

void db_notify_local(db_notify_t *n, const char *fmt, ...)
{
    if (!n)
        return;
    char payload[192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(payload, sizeof payload, fmt, ap);
    va_end(ap);
    dispatch(n, payload);
}

bool db_notify_live(db_notify_t *n)
{
    if (!n || !atomic_load(&n->connected))
        return false;
    return clock_mono_us() - atomic_load(&n->heard_us) < DB_NOTIFY_LEASE_MS * 1000LL;
}

void db_notify_stats(db_notify_t *n, db_notify_stats_t *out)
{
    memset(out, 0, sizeof *out);
    if (!n)
        return;
    out->live = db_notify_live(n);
    out->connects = atomic_load(&n->connects);
    out->losses = atomic_load(&n->losses);
    out->messages = atomic_load(&n->messages);
}

/* ---- the connection ------------------------------------------------------- */

/* Closes the connection and tells the subscribers: from now on nothing is
 * known about changes made elsewhere. */
static void lose(db_notify_t *n, const char *why)
{
    atomic_fetch_add(&n->losses, 1); /* counted before anyone can see it not live */
    atomic_store(&n->connected, false);
    tell_reset(n);
    n->src->close(n->state);
    n->open = false;
    log_msg(LOG_WARN, "invalidation bus lost; caches bypassed until it reconnects", "error", why,
            NULL);
}

/* Opens the source; 0, or -1 (logged by the source). */
static int connect_source(db_notify_t *n)
{
    if (n->src->open(n, n->state) != 0)
        return -1;
    n->open = true;
    /* Changes committed while nobody listened were not heard: the
     * subscribers start empty, and only then does the bus count as live. */
    tell_reset(n);
    db_notify_heard(n);
    atomic_store(&n->connected, true);
    uint64_t k = atomic_fetch_add(&n->connects, 1);
    log_msg(LOG_INFO,
            k ? "invalidation bus reconnected; caches start empty" : "invalidation bus listening",
            "channel", DB_NOTIFY_CHANNEL, NULL);
    return 0;
}

/* Sleeps ms unless stopped; true when stopping. */
static bool pause_or_stop(db_notify_t *n, int ms)
{
    struct pollfd p = {.fd = n->wake[0], .events = POLLIN};
    poll(&p, 1, ms);
    return atomic_load(&n->stop);
}

static void *listener_main(void *arg)
{
    db_notify_t *n = arg;
    int retry_ms = DB_NOTIFY_RETRY_MS;
    while (!atomic_load(&n->stop)) {
        if (!n->open) {
            if (connect_source(n) != 0) {
                if (pause_or_stop(n, retry_ms))
                    break;
                retry_ms = retry_ms * 2 > DB_NOTIFY_RETRY_MAX ? DB_NOTIFY_RETRY_MAX : retry_ms * 2;
                continue;
            }
            retry_ms = DB_NOTIFY_RETRY_MS;
        }
        const char *why = "connection lost";
        if (n->src->wait(n, n->state, &why) != 0 && !atomic_load(&n->stop))
            lose(n, why);
    }
    return NULL;
}

int db_notify_start(db_notify_t *n)
{
    connect_source(n); /* the first try here, so a healthy start is live at once */
    if (pthread_create(&n->thread, NULL, listener_main, n) != 0)
        return -1;
    n->started = true;
    return 0;
}

void db_notify_free(db_notify_t *n)
{
    if (!n)
        return;
    if (n->started) {
        atomic_store(&n->stop, true);
        ssize_t w = write(n->wake[1], "x", 1);
        (void)w;
        pthread_join(n->thread, NULL);
    }
    atomic_store(&n->connected, false);
    n->src->free(n->state);
    close(n->wake[0]);
    close(n->wake[1]);
    free(n);
}
