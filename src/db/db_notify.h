/*
 * db_notify.h: the invalidation bus. Per-process caches that must stay exact
 * while other processes change the database subscribe to it. On PostgreSQL
 * one dedicated connection per process, in its own thread, LISTENs on a
 * channel; the database publishes with pg_notify() from triggers (so every
 * writer publishes, and only at commit). Payloads are short strings such as
 * "user:42", "jti:<hex>" or "all"; subscribers ignore what they do not know.
 *
 * A lost connection is never silent: the bus reports it (subscribers forget
 * everything), and again once it has reconnected and LISTENs (they start
 * empty: the full reload). db_notify_live() is true only while the bus is
 * connected and has heard from the server within DB_NOTIFY_LEASE_MS, so a
 * half-open connection stops counting as live within that lease.
 *
 * Writes made by this process are also announced locally, right after their
 * commit (db_notify_local), so this process sees its own changes at once
 * rather than when its own notification comes back.
 */
#ifndef LOOPIN_DB_NOTIFY_H
#define LOOPIN_DB_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>

#define DB_NOTIFY_CHANNEL  "loopin_invalidate"
#define DB_NOTIFY_LEASE_MS 1000 /* live only if the server was heard this recently */
#define DB_NOTIFY_MAX_SUBS 4

typedef struct db_notify db_notify_t;

typedef struct {
    /* A payload (from the listener thread, or the caller of db_notify_local). */
    void (*message)(void *ctx, const char *payload);
    /* The connection was lost, or (re)established: forget everything. */
    void (*reset)(void *ctx);
    void *ctx;
} db_notify_sub_t;

typedef struct {
    bool live;
    uint64_t connects; /* successful LISTENs, the first one included */
    uint64_t losses;   /* connections lost (error, end of stream, heartbeat timeout) */
    uint64_t messages; /* payloads received from the server */
} db_notify_stats_t;

/* A bus for the PostgreSQL database at url (not yet connected); NULL when
 * out of memory. */
db_notify_t *db_notify_new(const char *url);
/* Before db_notify_start only; -1 when DB_NOTIFY_MAX_SUBS are taken. */
int db_notify_subscribe(db_notify_t *n, const db_notify_sub_t *sub);
/* Connects once (a failure is logged and retried by the thread) and starts
 * the listener thread. -1 when the thread cannot start. */
int db_notify_start(db_notify_t *n);
/* Stops the thread, closes the connection, frees n (NULL is fine). */
void db_notify_free(db_notify_t *n);

/* True while remote changes are known to arrive (see above); false for NULL. */
bool db_notify_live(db_notify_t *n);
/* Hands a payload (printf format) to this process's subscribers now (no-op
 * for NULL). Call it after the change committed. */
void db_notify_local(db_notify_t *n, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void db_notify_stats(db_notify_t *n, db_notify_stats_t *out);

#endif
