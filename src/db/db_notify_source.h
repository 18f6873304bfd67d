/*
 * db_notify_source.h: what the invalidation bus (db_notify.c) needs from the
 * database it listens to. Each source owns one connection of its own, used
 * only by the bus's thread:
 *   db_notify_pg.c      LISTEN on a PostgreSQL connection;
 *   db_notify_sqlite.c  reading the SQLite log table the triggers fill.
 * Internal to src/db.
 */
#ifndef LOOPIN_DB_NOTIFY_SOURCE_H
#define LOOPIN_DB_NOTIFY_SOURCE_H

#include <stdbool.h>
#include <stdint.h>

#include "db/db_notify.h"

typedef struct {
    /* Connects and subscribes; 0, or -1 (logged) with nothing left open.
     * Everything published after a successful open is delivered. */
    int (*open)(db_notify_t *n, void *state);
    /* Waits at most DB_NOTIFY_POLL_MS (less when the bus is stopped) for
     * news and hands it to db_notify_deliver; calls db_notify_heard whenever
     * the database proved it answers. -1 when the connection is lost, with
     * *why saying how. */
    int (*wait)(db_notify_t *n, void *state, const char **why);
    void (*close)(void *state);
    void (*free)(void *state);
} db_notify_source_t;

#define DB_NOTIFY_POLL_MS 100

/* The sources: a state for url (NULL when out of memory), and their ops. */
void *db_notify_pg_new(const char *url);
extern const db_notify_source_t db_notify_pg;
void *db_notify_sqlite_new(const char *path);
extern const db_notify_source_t db_notify_sqlite;

/* For the sources: a payload from the database, to every subscriber. */
void db_notify_deliver(db_notify_t *n, const char *payload);
/* For the sources: the database answered just now. */
void db_notify_heard(db_notify_t *n);
/* For the sources: the bus's wake-up descriptor (readable when stopping). */
int db_notify_wake_fd(db_notify_t *n);
bool db_notify_stopping(db_notify_t *n);

#endif
