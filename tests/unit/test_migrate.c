/*
 * test_migrate.c: migrate_apply / migrate_pending with a small fake migration
 * list, on a fresh SQLite file per test and, when LOOPIN_TEST_PG_URL is set,
 * on PostgreSQL too (skipped otherwise). Includes processes starting together:
 * three pools migrating at once must apply each migration exactly once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/clock.h"
#include "db/migrate.h"
#include "fixture.h"

/* The same schema in both dialects, as the real migrations are written. */
static const migration_t good[] = {
    {1, "first", "CREATE TABLE mt_a (id BIGINT PRIMARY KEY); INSERT INTO mt_a VALUES (1)",
     "CREATE TABLE mt_a (id INTEGER PRIMARY KEY); INSERT INTO mt_a VALUES (1)"},
    {2, "second",
     "CREATE TABLE mt_b (id BIGINT PRIMARY KEY, a_id BIGINT REFERENCES mt_a(id));"
     " CREATE INDEX mt_b_a ON mt_b (a_id)",
     "CREATE TABLE mt_b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES mt_a(id));"
     " CREATE INDEX mt_b_a ON mt_b (a_id)"},
    {3, "third", "ALTER TABLE mt_a ADD COLUMN note TEXT", "ALTER TABLE mt_a ADD COLUMN note TEXT"},
};
#define NGOOD 3

typedef struct {
    db_pool_t *pool;
    char url[512];
    char path[400]; /* SQLite file, "" on PG */
    db_dialect_t dialect;
} fixture_t;

/* ---- fixtures -------------------------------------------------------------- */

static db_pool_t *open_pool(const char *url)
{
    return fixture_open_pool(url, 2, 2000, 5000);
}

static void run_ok(db_pool_t *pool, const char *sql)
{
    db_conn_t *c = db_acquire(pool);
    assert_non_null(c);
    if (db_exec_script(c, sql) != DB_OK)
        fail_msg("%s: %s", sql, db_errmsg(c));
    db_release(c);
}

static int setup_sqlite(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    fixture_sqlite_file("test_migrate", f->path, sizeof f->path, f->url, sizeof f->url);
    f->dialect = DB_DIALECT_SQLITE;
    f->pool = open_pool(f->url);
    *state = f;
    return 0;
}

/* Leaves *state NULL without LOOPIN_TEST_PG_URL: the test body skips. */
static int setup_pg(void **state)
{
    const char *url = getenv("LOOPIN_TEST_PG_URL");
    *state = NULL;
    if (!url || !*url)
        return 0;
    fixture_t *f = calloc(1, sizeof *f);
    snprintf(f->url, sizeof f->url, "%s", url);
    f->dialect = DB_DIALECT_PG;
    f->pool = open_pool(f->url);
    run_ok(f->pool, "DROP TABLE IF EXISTS schema_migrations, mt_b, mt_c, mt_a");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    if (!f)
        return 0;
    db_pool_close(f->pool);
    if (f->path[0])
        fixture_remove_sqlite(f->path);
    free(f);
    return 0;
}

static fixture_t *fixture(void **state)
{
    if (!*state)
        skip();
    return *state;
}

/* ---- helpers ----------------------------------------------------------------- */

static int64_t query_int(db_pool_t *pool, const char *sql)
{
    int64_t v = -1;
    db_conn_t *c = db_acquire(pool);
    assert_non_null(c);
    if (db_query_int(c, sql, DB_NOARGS, &v, NULL) != DB_OK)
        fail_msg("%s: %s", sql, db_errmsg(c));
    db_release(c);
    return v;
}

static int pending(fixture_t *f, const migration_t *list, int n)
{
    int count = -1;
    char err[256];
    if (migrate_pending(f->pool, list, n, &count, err, sizeof err) != DB_OK)
        fail_msg("migrate_pending: %s", err);
    return count;
}

static int apply(fixture_t *f, const migration_t *list, int n)
{
    int applied = -1;
    char err[256];
    if (migrate_apply(f->pool, list, n, &applied, err, sizeof err) != DB_OK)
        fail_msg("migrate_apply: %s", err);
    return applied;
}

/* ---- tests ------------------------------------------------------------------- */

static void test_apply_twice(void **state)
{
    fixture_t *f = fixture(state);
    int64_t start = clock_now_us();
    assert_int_equal(pending(f, good, NGOOD), NGOOD); /* no table yet */
    assert_int_equal(apply(f, good, NGOOD), NGOOD);
    assert_int_equal(pending(f, good, NGOOD), 0);
    assert_int_equal(apply(f, good, NGOOD), 0);

    assert_int_equal(query_int(f->pool, "SELECT count(*) FROM mt_a WHERE note IS NULL"), 1);
    assert_int_equal(query_int(f->pool, "SELECT count(*) FROM schema_migrations"), NGOOD);

    db_conn_t *c = db_acquire(f->pool);
    db_rows_t *rows;
    assert_int_equal(db_query(c,
                              "SELECT version, name, checksum, applied_at FROM schema_migrations"
                              " ORDER BY version",
                              DB_NOARGS, &rows),
                     DB_OK);
    for (int i = 0; i < NGOOD; i++) {
        assert_true(db_next(rows));
        assert_int_equal(db_col_int(rows, 0), good[i].version);
        assert_string_equal(db_col_text(rows, 1), good[i].name);
        assert_int_equal(strlen(db_col_text(rows, 2)), 64);
        int64_t at = db_col_time(rows, 3);
        assert_true(at >= start - USEC_PER_SEC && at <= clock_now_us() + USEC_PER_SEC);
    }
    assert_false(db_next(rows));
    db_rows_free(rows);
    if (f->dialect == DB_DIALECT_PG) { /* the lifted statement_timeout is back */
        assert_int_equal(
            db_query(c, "SELECT current_setting('statement_timeout')", DB_NOARGS, &rows), DB_OK);
        assert_true(db_next(rows));
        assert_string_equal(db_col_text(rows, 0), "5s");
        db_rows_free(rows);
    }
    db_release(c);
}

static void test_apply_incrementally(void **state)
{
    fixture_t *f = fixture(state);
    assert_int_equal(apply(f, good, 2), 2);
    assert_int_equal(pending(f, good, NGOOD), 1);
    assert_int_equal(apply(f, good, NGOOD), 1);
    assert_int_equal(pending(f, good, NGOOD), 0);
}

static void test_checksum_mismatch_refused(void **state)
{
    fixture_t *f = fixture(state);
    assert_int_equal(apply(f, good, NGOOD), NGOOD);
    migration_t edited[NGOOD];
    memcpy(edited, good, sizeof edited);
    edited[1].pg = edited[1].sqlite = "CREATE TABLE mt_b (id INTEGER PRIMARY KEY)";

    int applied = -1, count = -1;
    char err[256] = "";
    assert_int_equal(migrate_apply(f->pool, edited, NGOOD, &applied, err, sizeof err), DB_ERROR);
    assert_int_equal(applied, 0);
    assert_non_null(strstr(err, "0002_second"));
    assert_non_null(strstr(err, "checksum"));
    err[0] = '\0';
    assert_int_equal(migrate_pending(f->pool, edited, NGOOD, &count, err, sizeof err), DB_ERROR);
    assert_non_null(strstr(err, "checksum"));
}

static void test_unknown_version_refused(void **state)
{
    fixture_t *f = fixture(state);
    assert_int_equal(apply(f, good, NGOOD), NGOOD);
    int applied = -1;
    char err[256] = "";
    /* an older binary that knows only the first two */
    assert_int_equal(migrate_apply(f->pool, good, 2, &applied, err, sizeof err), DB_ERROR);
    assert_int_equal(applied, 0);
    assert_non_null(strstr(err, "0003"));
    assert_non_null(strstr(err, "unknown"));
}

static void test_failing_migration_records_nothing(void **state)
{
    fixture_t *f = fixture(state);
    const migration_t list[] = {
        good[0],
        {2, "broken", "CREATE TABLE mt_c (x INTEGER); INSERT INTO mt_missing VALUES (1)",
         "CREATE TABLE mt_c (x INTEGER); INSERT INTO mt_missing VALUES (1)"},
        good[2],
    };
    int applied = -1;
    char err[256] = "";
    assert_int_equal(migrate_apply(f->pool, list, 3, &applied, err, sizeof err), DB_ERROR);
    assert_int_equal(applied, 1);
    assert_non_null(strstr(err, "0002_broken"));
    assert_non_null(strstr(err, "mt_missing")); /* the database's own message */

    assert_int_equal(query_int(f->pool, "SELECT count(*) FROM schema_migrations"), 1);
    assert_int_equal(pending(f, list, 3), 2);
    /* the half-run script was rolled back with its transaction */
    const char *probe = f->dialect == DB_DIALECT_PG
                            ? "SELECT (to_regclass('mt_c') IS NOT NULL)::int"
                            : "SELECT count(*) FROM sqlite_master WHERE name = 'mt_c'";
    assert_int_equal(query_int(f->pool, probe), 0);
}

static void test_bad_list_refused(void **state)
{
    fixture_t *f = fixture(state);
    const migration_t unordered[] = {good[1], good[0]};
    const migration_t missing_sql[] = {{1, "nothing", NULL, NULL}};
    int applied = -1;
    char err[256];
    assert_int_equal(migrate_apply(f->pool, unordered, 2, &applied, err, sizeof err), DB_ERROR);
    assert_int_equal(migrate_apply(f->pool, missing_sql, 1, &applied, err, sizeof err), DB_ERROR);
    assert_int_equal(applied, 0);
}

typedef struct {
    const char *url;
    pthread_barrier_t *start;
    int applied;
    int rc;
    char err[256];
} starter_t;

/* One "process": its own pool, then migrate at the same moment as the others. */
static void *starter_main(void *arg)
{
    starter_t *s = arg;
    db_pool_t *pool = open_pool(s->url);
    pthread_barrier_wait(s->start);
    s->rc = migrate_apply(pool, good, NGOOD, &s->applied, s->err, sizeof s->err);
    db_pool_close(pool);
    return NULL;
}

static void test_concurrent_starters_apply_once(void **state)
{
    fixture_t *f = fixture(state);
    enum { N = 3 };
    pthread_t threads[N];
    starter_t starters[N];
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, N);
    for (int i = 0; i < N; i++) {
        starters[i] = (starter_t){.url = f->url, .start = &start};
        assert_int_equal(pthread_create(&threads[i], NULL, starter_main, &starters[i]), 0);
    }
    int total = 0;
    for (int i = 0; i < N; i++) {
        pthread_join(threads[i], NULL);
        if (starters[i].rc != DB_OK)
            fail_msg("starter %d: %s", i, starters[i].err);
        total += starters[i].applied;
    }
    pthread_barrier_destroy(&start);
    assert_int_equal(total, NGOOD);
    assert_int_equal(query_int(f->pool, "SELECT count(*) FROM schema_migrations"), NGOOD);
    assert_int_equal(query_int(f->pool, "SELECT count(*) FROM mt_a"), 1);
}

/* Each of these runs once per database, named after it. */
// clang-format off
#define ON(fn, db) {#fn " (" #db ")", fn, setup_##db, teardown, NULL}
#define BOTH(fn) ON(fn, sqlite), ON(fn, pg)
// clang-format on

int main(void)
{
    const struct CMUnitTest tests[] = {
        BOTH(test_apply_twice),
        BOTH(test_apply_incrementally),
        BOTH(test_checksum_mismatch_refused),
        BOTH(test_unknown_version_refused),
        BOTH(test_failing_migration_records_nothing),
        BOTH(test_bad_list_refused),
        BOTH(test_concurrent_starters_apply_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
