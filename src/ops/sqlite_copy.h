/*
 * sqlite_copy.h: a consistent page copy of a SQLite database with SQLite's
 * online backup API, into a new file beside its destination, and the checks
 * that a file is a whole Loopin database (backup.c).
 */
#ifndef LOOPIN_SQLITE_COPY_H
#define LOOPIN_SQLITE_COPY_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

/* sqlite3_open_v2 with the reason in err; *db is NULL unless SQLITE_OK. */
int sqlite_copy_open(const char *path, int flags, sqlite3 **db, char *err, size_t errlen);

/* SQLITE_BUSY or SQLITE_LOCKED, extended codes included. */
bool sqlite_copy_busy(int rc);

/* Copies every page of src into dst (replacing dst's content in one
 * transaction), as one snapshot of src. SQLITE_OK, or the error with err. */
int sqlite_copy_pages(sqlite3 *src, sqlite3 *dst, char *err, size_t errlen);

/* A whole Loopin database: check_pragma ("PRAGMA integrity_check" or
 * "PRAGMA quick_check") answers "ok", and migrations are recorded. 0, or -1
 * with the reason in err. */
int sqlite_copy_check(sqlite3 *db, const char *check_pragma, char *err, size_t errlen);

/* Copies src (a snapshot: see sqlite_copy.c) into a new private file beside
 * final, checks it with check_pragma and leaves it in rollback-journal mode,
 * so it stands alone (no -wal) and opens read-only. tmp receives its name:
 * the caller publishes it (file_publish) or removes it. 0, or -1 with err
 * (and no temp file left). */
int sqlite_copy_to_temp(sqlite3 *src, const char *final, const char *check_pragma, char *tmp,
                        size_t tmplen, char *err, size_t errlen);

#endif
