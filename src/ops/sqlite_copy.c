/*
 * sqlite_copy.c: page copies with SQLite's online backup API and the checks
 * of a Loopin database (sqlite_copy.h). Outside src/db because the backup
 * API has no db.h counterpart: PostgreSQL has pg_dump for this.
 */
#include "ops/sqlite_copy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ops/whole_file.h"

/* Pages per backup step and the pause between steps: the copy leaves the
 * serving process disk and CPU time. 256 pages is 1 MiB at 4 KiB a page. */
#define PAGES_PER_STEP 256
#define STEP_PAUSE_US  1000
/* A step that meets a lock (SQLITE_BUSY, SQLITE_LOCKED) waits and retries
 * for up to about 30 s. */
#define BUSY_PAUSE_US 20000
#define BUSY_RETRIES  1500

int sqlite_copy_open(const char *path, int flags, sqlite3 **db, char *err, size_t errlen)
{
    int rc = sqlite3_open_v2(path, db, flags, NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", path, *db ? sqlite3_errmsg(*db) : sqlite3_errstr(rc));
        sqlite3_close(*db);
        *db = NULL;
    }
    return rc;
}

bool sqlite_copy_busy(int rc)
{
    return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED;
}

/* The read transaction opened on src first
 * is held across all the steps, so the copy is the one snapshot it saw: under
 * WAL a reader never blocks the server's writers, and a snapshot held is never
 * "modified underneath" (which would restart the copy at the next step, and
 * under a steady write load at every step). */
int sqlite_copy_pages(sqlite3 *src, sqlite3 *dst, char *err, size_t errlen)
{
    int rc = sqlite3_exec(src, "BEGIN; SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL);
    sqlite3_backup *b = rc == SQLITE_OK ? sqlite3_backup_init(dst, "main", src, "main") : NULL;
    if (!b) {
        sqlite3 *culprit = rc == SQLITE_OK ? dst : src;
        snprintf(err, errlen, "cannot start the copy: %s", sqlite3_errmsg(culprit));
        sqlite3_exec(src, "ROLLBACK", NULL, NULL, NULL);
        return rc == SQLITE_OK ? sqlite3_errcode(dst) : rc;
    }
    int tries = 0;
    while ((rc = sqlite3_backup_step(b, PAGES_PER_STEP)) == SQLITE_OK ||
           (sqlite_copy_busy(rc) && ++tries <= BUSY_RETRIES)) {
        if (rc == SQLITE_OK)
            tries = 0;
        usleep(rc == SQLITE_OK ? STEP_PAUSE_US : BUSY_PAUSE_US);
    }
    int frc = sqlite3_backup_finish(b);
    sqlite3_exec(src, "COMMIT", NULL, NULL, NULL);
    if (rc == SQLITE_DONE && frc == SQLITE_OK)
        return SQLITE_OK;
    rc = rc == SQLITE_DONE ? frc : rc;
    snprintf(err, errlen, "the copy failed: %s", sqlite3_errstr(rc));
    return rc;
}

/* The first column of the first row of sql, as text, into out. */
static int query_text(sqlite3 *db, const char *sql, char *out, size_t len)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(st, 0);
        snprintf(out, len, "%s", t ? (const char *)t : "");
        rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
        rc = SQLITE_EMPTY;
    }
    if (rc != SQLITE_OK)
        snprintf(out, len, "%s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return rc;
}

/* A whole Loopin database: check_pragma (integrity_check or quick_check)
 * answers "ok" and migrations have been recorded. */
int sqlite_copy_check(sqlite3 *db, const char *check_pragma, char *err, size_t errlen)
{
    char out[512];
    if (query_text(db, check_pragma, out, sizeof out) != SQLITE_OK || strcmp(out, "ok") != 0) {
        snprintf(err, errlen, "not a whole SQLite database (%s)", out);
        return -1;
    }
    if (query_text(db, "SELECT count(*) FROM schema_migrations", out, sizeof out) != SQLITE_OK ||
        atoi(out) < 1) {
        snprintf(err, errlen, "not a Loopin database (no migrations recorded: %s)", out);
        return -1;
    }
    return 0;
}

/* Copies src into a new temp file beside final, checked (check_pragma) and
 * left in rollback-journal mode, so the file stands alone (no -wal beside it)
 * and opens read-only. tmp receives its name; the caller publishes it. */
int sqlite_copy_to_temp(sqlite3 *src, const char *final, const char *check_pragma, char *tmp,
                        size_t tmplen, char *err, size_t errlen)
{
    int fd = file_temp_beside(final, tmp, tmplen);
    if (fd < 0) {
        snprintf(err, errlen, "cannot create a file beside %s: %s", final, strerror(errno));
        return -1;
    }
    close(fd);
    sqlite3 *dst = NULL;
    int rc = sqlite_copy_open(tmp, SQLITE_OPEN_READWRITE, &dst, err, errlen);
    if (rc == SQLITE_OK)
        rc = sqlite_copy_pages(src, dst, err, errlen);
    if (rc == SQLITE_OK &&
        (rc = sqlite3_exec(dst, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL)) != SQLITE_OK)
        snprintf(err, errlen, "%s", sqlite3_errmsg(dst));
    if (rc == SQLITE_OK && sqlite_copy_check(dst, check_pragma, err, errlen) != 0)
        rc = SQLITE_CORRUPT;
    if (sqlite3_close(dst) != SQLITE_OK && rc == SQLITE_OK) {
        snprintf(err, errlen, "cannot close %s", tmp);
        rc = SQLITE_IOERR;
    }
    if (rc != SQLITE_OK)
        unlink(tmp);
    return rc == SQLITE_OK ? 0 : -1;
}
