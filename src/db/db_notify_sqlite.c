/*
 * db_notify_sqlite.c: the invalidation bus on SQLite (db_notify_source.h).
 * SQLite has no NOTIFY, so the triggers of migration 0024 append each
 * payload to the table cache_invalidations in the writer's transaction, and
 * this source reads what was appended since its last look, every
 * DB_NOTIFY_POLL_MS, on a connection of its own. A look that succeeds is the
 * heartbeat. SQLite has one writer at a time, so rows commit in seq order and
 * "seq greater than the last seen" misses nothing; rows older than
 * PURGE_AFTER_S are deleted, and a reader that has not looked for
 * STALL_AFTER_MS (far less) counts as lost, so it never skips purged rows.
 */
#include <poll.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/log.h"
#include "db/db_notify_source.h"

#define PURGE_EVERY_MS  10000
#define PURGE_AFTER_S   120
#define STALL_AFTER_MS  30000
#define BUSY_TIMEOUT_MS 50

typedef struct {
    char *path;
    sqlite3 *db;
    sqlite3_stmt *poll, *purge;
    int64_t last_seq, looked_us, purged_us;
    char why[256];
} lite_source_t;

void *db_notify_sqlite_new(const char *path)
{
    lite_source_t *s = calloc(1, sizeof *s);
    if (s && !(s->path = strdup(path))) {
        free(s);
        s = NULL;
    }
    return s;
}

static void lite_close(void *state)
{
    lite_source_t *s = state;
    sqlite3_finalize(s->poll);
    sqlite3_finalize(s->purge);
    sqlite3_close(s->db);
    s->poll = s->purge = NULL;
    s->db = NULL;
}

static const char *lite_error(lite_source_t *s, const char *what)
{
    snprintf(s->why, sizeof s->why, "%s: %s", what,
             s->db ? sqlite3_errmsg(s->db) : "out of memory");
    return s->why;
}

static int lite_open(db_notify_t *n, void *state)
{
    (void)n;
    lite_source_t *s = state;
    sqlite3_stmt *max = NULL;
    int rc = sqlite3_open_v2(s->path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
        rc = sqlite3_prepare_v2(s->db,
                                "SELECT seq, payload FROM cache_invalidations WHERE seq > ?1 "
                                "ORDER BY seq LIMIT 1000",
                                -1, &s->poll, NULL);
    }
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(s->db, "DELETE FROM cache_invalidations WHERE created_at < ?1", -1,
                                &s->purge, NULL);
    if (rc == SQLITE_OK) /* start from the end: the subscribers start empty */
        rc = sqlite3_prepare_v2(s->db, "SELECT COALESCE(MAX(seq), 0) FROM cache_invalidations", -1,
                                &max, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(max)) == SQLITE_ROW) {
        s->last_seq = sqlite3_column_int64(max, 0);
        rc = SQLITE_OK;
    }
    if (rc != SQLITE_OK)
        log_msg(LOG_WARN, "invalidation bus cannot connect", "error",
                lite_error(s, "reading cache_invalidations"), NULL);
    sqlite3_finalize(max);
    if (rc != SQLITE_OK) {
        lite_close(s);
        return -1;
    }
    s->looked_us = s->purged_us = clock_mono_us();
    return 0;
}

/* Deletes rows every reader has long seen; a failure (the file is busy) is
 * only retried later. */
static void purge(lite_source_t *s, int64_t now_us)
{
    if (now_us - s->purged_us < PURGE_EVERY_MS * 1000LL)
        return;
    s->purged_us = now_us;
    sqlite3_bind_int64(s->purge, 1, (int64_t)time(NULL) - PURGE_AFTER_S);
    sqlite3_step(s->purge);
    sqlite3_reset(s->purge);
}

/* Reads what was appended since the last look; -1 on an error. A busy file
 * is no news this time (the lease runs out if it stays busy). */
static int look(db_notify_t *n, lite_source_t *s)
{
    sqlite3_bind_int64(s->poll, 1, s->last_seq);
    int rc;
    while ((rc = sqlite3_step(s->poll)) == SQLITE_ROW) {
        s->last_seq = sqlite3_column_int64(s->poll, 0);
        const unsigned char *payload = sqlite3_column_text(s->poll, 1);
        if (payload)
            db_notify_deliver(n, (const char *)payload);
    }
    sqlite3_reset(s->poll);
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
        return 0;
    if (rc != SQLITE_DONE)
        return -1;
    s->looked_us = clock_mono_us();
    db_notify_heard(n);
    return 0;
}

static int lite_wait(db_notify_t *n, void *state, const char **why)
{
    lite_source_t *s = state;
    struct pollfd p = {.fd = db_notify_wake_fd(n), .events = POLLIN};
    poll(&p, 1, DB_NOTIFY_POLL_MS);
    if (db_notify_stopping(n))
        return 0;
    int64_t now = clock_mono_us();
    if (now - s->looked_us > STALL_AFTER_MS * 1000LL) { /* rows may have been purged */
        *why = "no look at cache_invalidations for too long";
        return -1;
    }
    if (look(n, s) != 0) {
        *why = lite_error(s, "reading cache_invalidations");
        return -1;
    }
    purge(s, now);
    return 0;
}

static void lite_free(void *state)
{
    lite_source_t *s = state;
    if (!s)
        return;
    lite_close(s);
    free(s->path);
    free(s);
}

const db_notify_source_t db_notify_sqlite = {lite_open, lite_wait, lite_close, lite_free};
