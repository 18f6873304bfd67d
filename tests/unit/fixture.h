/*
 * fixture.h: what the unit tests share for their setup instead of copying
 * it: a temporary directory under LOOPIN_TEST_TMP, directories made and
 * removed, database pools on a fresh SQLite file or LOOPIN_TEST_PG_URL,
 * reading a whole file and capturing stderr.
 * Failures end the test (cmocka's fail_msg).
 */
#ifndef LOOPIN_TEST_FIXTURE_H
#define LOOPIN_TEST_FIXTURE_H

#include <stddef.h>

#include "db/db.h"

/* LOOPIN_TEST_TMP (or /tmp/loopin-unit), created if needed. */
const char *fixture_tmp_base(void);

/* mkdir -p (mode 0700). */
void fixture_mkdir_p(const char *dir);

/* A new empty directory base/<name>.XXXXXX in out; NULL on failure. */
char *fixture_mkdtemp(char *out, size_t outlen, const char *name);

/* rm -rf. */
void fixture_remove_tree(const char *path);

/* A path base/<name>_<pid>_<n>.db unique in this process, and its URL. */
void fixture_sqlite_file(const char *name, char *path, size_t pathlen, char *url, size_t urllen);

/* Removes a SQLite file and its -wal and -shm companions. */
void fixture_remove_sqlite(const char *path);

/* Opens a pool or fails the test. */
db_pool_t *fixture_open_pool(const char *url, int size, int acquire_timeout_ms,
                             int statement_timeout_ms);

/* A file's whole content, NUL-terminated, malloc'd (*len may be NULL). */
char *fixture_read_file(const char *path, size_t *len);

/* stderr (where log_msg writes) goes to a file in dir until
 * fixture_capture_end, which returns what was written (malloc'd). */
typedef struct {
    int saved;
    char path[600];
} fixture_capture_t;
void fixture_capture_stderr(fixture_capture_t *c, const char *dir);
char *fixture_capture_end(fixture_capture_t *c);

#endif
