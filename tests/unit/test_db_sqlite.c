/*
 * test_db_sqlite.c: the pool and the drivers through the public db.h calls,
 * on a fresh SQLite file per test. The driver-independent tests run again on
 * PostgreSQL when LOOPIN_TEST_PG_URL is set (otherwise they are skipped), so
 * both drivers answer to the same expectations.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "db/db.h"
#include "fixture.h"
#include "db/db_internal.h"

typedef struct {
    db_pool_t *pool;
    db_conn_t *c;   /* borrowed for the test body */
    char url[512];  /* to open a second pool on the same database */
    char path[400]; /* SQLite file, "" on PG */
    db_dialect_t dialect;
} fixture_t;

/* ---- fixtures -------------------------------------------------------------- */

static db_pool_t *open_pool(const char *url, int size, int statement_timeout_ms)
{
    return fixture_open_pool(url, size, 100, statement_timeout_ms);
}

static int setup_sqlite(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    fixture_sqlite_file("test_db", f->path, sizeof f->path, f->url, sizeof f->url);
    f->dialect = DB_DIALECT_SQLITE;
    f->pool = open_pool(f->url, 2, 2000);
    f->c = db_acquire(f->pool);
    assert_non_null(f->c);
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
    f->pool = open_pool(f->url, 2, 5000);
    f->c = db_acquire(f->pool);
    assert_non_null(f->c);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    if (!f)
        return 0;
    db_release(f->c);
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

static void run_ok(db_conn_t *c, const char *sql)
{
    if (db_exec_script(c, sql) != DB_OK)
        fail_msg("%s: %s", sql, db_errmsg(c));
}

/* Creates the tables most tests use; the types differ only where the dialects do. */
static void create_people(fixture_t *f)
{
    run_ok(f->c, "DROP TABLE IF EXISTS dbt_tickets; DROP TABLE IF EXISTS dbt_people");
    if (f->dialect == DB_DIALECT_PG)
        run_ok(f->c, "CREATE TABLE dbt_people (id BIGINT PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
                     " age INTEGER CHECK (age >= 0), score DOUBLE PRECISION,"
                     " active BOOLEAN, seen_at TIMESTAMPTZ)");
    else
        run_ok(f->c, "CREATE TABLE dbt_people (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
                     " age INTEGER CHECK (age >= 0), score REAL, active INTEGER, seen_at TEXT)");
    run_ok(f->c, "CREATE TABLE dbt_tickets (id INTEGER PRIMARY KEY,"
                 " person_id BIGINT NOT NULL REFERENCES dbt_people(id))");
}

static const char INSERT_PERSON[] = "INSERT INTO dbt_people (id, name, age) VALUES ($1, $2, $3)";

static int insert_person(db_conn_t *c, int64_t id, const char *name)
{
    return db_exec(c, INSERT_PERSON, DB_ARGS(db_int(id), db_text(name), db_int(30)), NULL);
}

static int64_t count_people(db_conn_t *c)
{
    int64_t n = -1;
    assert_int_equal(db_query_int(c, "SELECT count(*) FROM dbt_people", DB_NOARGS, &n, NULL),
                     DB_OK);
    return n;
}

/* 2026-01-02T03:04:05.123456Z */
#define T0 (1767323045LL * 1000000LL + 123456)

/* ---- tests on both databases ------------------------------------------------- */

static void test_typed_columns(void **state)
{
    fixture_t *f = fixture(state);
    create_people(f);
    int64_t affected = 0;
    assert_int_equal(
        db_exec(f->c,
                "INSERT INTO dbt_people (id, name, age, score, active, seen_at)"
                " VALUES ($1, $2, $3, $4, $5, $6), ($7, $8, NULL, NULL, $9, NULL)",
                DB_ARGS(db_int(1), db_text("Asha 'quoted' $1"), db_int(41), db_real(0.1),
                        db_bool(true), db_time(T0), db_int(2), db_text("Ben"), db_bool(false)),
                &affected),
        DB_OK);
    assert_int_equal(affected, 2);

    db_rows_t *rows;
    assert_int_equal(db_query(f->c,
                              "SELECT id, name, age, score, active, seen_at FROM dbt_people"
                              " WHERE id >= $1 ORDER BY id",
                              DB_ARGS(db_int(1)), &rows),
                     DB_OK);
    assert_int_equal(db_ncols(rows), 6);
    assert_string_equal(db_col_name(rows, 5), "seen_at");
    assert_null(db_col_name(rows, 6));

    assert_true(db_next(rows));
    assert_int_equal(db_col_int(rows, 0), 1);
    assert_string_equal(db_col_text(rows, 1), "Asha 'quoted' $1");
    assert_int_equal(db_col_int(rows, 2), 41);
    assert_true(db_col_real(rows, 3) == 0.1);
    assert_true(db_col_bool(rows, 4));
    assert_int_equal(db_col_time(rows, 5), T0);
    assert_false(db_col_isnull(rows, 5));

    assert_true(db_next(rows));
    assert_int_equal(db_col_int(rows, 0), 2);
    assert_true(db_col_isnull(rows, 2));
    assert_null(db_col_text(rows, 2));
    assert_int_equal(db_col_int(rows, 2), 0);
    assert_true(db_col_real(rows, 3) == 0.0);
    assert_false(db_col_bool(rows, 4));
    assert_int_equal(db_col_time(rows, 5), 0);
    assert_true(db_col_isnull(rows, 99)); /* out of range reads as NULL */

    assert_false(db_next(rows));
    assert_false(db_next(rows));
    assert_int_equal(db_rows_status(rows), DB_OK);
    db_rows_free(rows);
}

static void test_null_params_and_query_int(void **state)
{
    fixture_t *f = fixture(state);
    create_people(f);
    assert_int_equal(db_exec(f->c, "INSERT INTO dbt_people (id, name, age) VALUES ($1, $2, $3)",
                             DB_ARGS(db_int(7), db_text("Null Age"), db_text(NULL)), NULL),
                     DB_OK);
    int64_t v = -1;
    bool found = true;
    assert_int_equal(db_query_int(f->c, "SELECT age FROM dbt_people WHERE id = $1",
                                  DB_ARGS(db_int(99)), &v, &found),
                     DB_OK);
    assert_false(found);
    assert_int_equal(v, 0);
    assert_int_equal(db_query_int(f->c, "SELECT count(*) FROM dbt_people WHERE age IS NULL",
                                  DB_NOARGS, &v, &found),
                     DB_OK);
    assert_true(found);
    assert_int_equal(v, 1);

    int64_t affected = -1;
    assert_int_equal(db_exec(f->c, "UPDATE dbt_people SET age = $1 WHERE id > $2",
                             DB_ARGS(db_int(5), db_int(100)), &affected),
                     DB_OK);
    assert_int_equal(affected, 0);
    assert_int_equal(db_exec(f->c, "SELECT id FROM dbt_people", DB_NOARGS, &affected), DB_OK);
    assert_int_equal(affected, 0);
}

static void test_constraint_mapping(void **state)
{
    fixture_t *f = fixture(state);
    create_people(f);
    db_conn_t *c = f->c;
    assert_int_equal(insert_person(c, 1, "Asha"), DB_OK);

    assert_int_equal(insert_person(c, 2, "Asha"), DB_UNIQUE);
    assert_string_equal(db_err_constraint(c),
                        f->dialect == DB_DIALECT_PG ? "dbt_people_name_key" : "dbt_people.name");
    assert_non_null(strcasestr(db_errmsg(c), "unique"));
    assert_int_equal(insert_person(c, 1, "Other"), DB_UNIQUE); /* primary key */

    assert_int_equal(
        db_exec(c, INSERT_PERSON, DB_ARGS(db_int(3), db_text("Neg"), db_int(-1)), NULL), DB_CHECK);
    assert_int_equal(db_exec(c, INSERT_PERSON, DB_ARGS(db_int(3), db_null(), db_int(1)), NULL),
                     DB_NOT_NULL);
    assert_string_equal(db_err_constraint(c), "dbt_people.name");
    assert_int_equal(db_exec(c, "INSERT INTO dbt_tickets (id, person_id) VALUES ($1, $2)",
                             DB_ARGS(db_int(1), db_int(999)), NULL),
                     DB_FOREIGN_KEY);

    assert_int_equal(db_exec(c, "SELEC nonsense", DB_NOARGS, NULL), DB_ERROR);
    assert_string_not_equal(db_errmsg(c), "");
    assert_string_equal(db_err_constraint(c), "");
    assert_int_equal(db_exec(c, INSERT_PERSON, DB_ARGS(db_int(1)), NULL), DB_ERROR);
    assert_int_equal(db_exec(c, "SELECT 1; SELECT 2", DB_NOARGS, NULL), DB_ERROR);
    /* the connection is still fine after all that */
    assert_int_equal(count_people(c), 1);
}

static void test_tx_commit_rollback(void **state)
{
    fixture_t *f = fixture(state);
    create_people(f);
    db_conn_t *c = f->c;
    assert_false(db_in_tx(c));
    assert_int_equal(db_tx_begin(c, DB_TX_WRITE), DB_OK);
    assert_true(db_in_tx(c));
    assert_int_equal(db_tx_begin(c, DB_TX_WRITE), DB_ERROR); /* no nesting */
    assert_int_equal(insert_person(c, 1, "Kept"), DB_OK);
    assert_int_equal(db_tx_commit(c), DB_OK);
    assert_false(db_in_tx(c));

    assert_int_equal(db_tx_begin(c, DB_TX_WRITE), DB_OK);
    assert_int_equal(insert_person(c, 2, "Dropped"), DB_OK);
    assert_int_equal(db_tx_rollback(c), DB_OK);
    assert_int_equal(count_people(c), 1);

    /* a failed statement dooms the transaction on PG; commit must not pass */
    assert_int_equal(db_tx_begin(c, DB_TX_WRITE), DB_OK);
    assert_int_equal(insert_person(c, 3, "Third"), DB_OK);
    assert_int_equal(insert_person(c, 4, "Kept"), DB_UNIQUE);
    if (f->dialect == DB_DIALECT_PG)
        assert_int_equal(db_tx_commit(c), DB_ERROR);
    else
        assert_int_equal(db_tx_rollback(c), DB_OK);
    assert_false(db_in_tx(c));
    assert_int_equal(count_people(c), 1);
    assert_int_equal(db_tx_commit(c), DB_ERROR); /* nothing open */

    assert_int_equal(db_tx_begin(c, DB_TX_READ), DB_OK);
    assert_int_equal(count_people(c), 1);
    assert_int_equal(db_tx_commit(c), DB_OK);
}

static void test_release_rolls_back(void **state)
{
    fixture_t *f = fixture(state);
    create_people(f);
    db_release(f->c);
    f->c = NULL;

    db_conn_t *c = db_acquire(f->pool);
    assert_int_equal(db_tx_begin(c, DB_TX_WRITE), DB_OK);
    assert_int_equal(insert_person(c, 1, "Uncommitted"), DB_OK);
    db_rows_t *rows; /* a forgotten cursor is closed too */
    assert_int_equal(db_query(c, "SELECT id FROM dbt_people", DB_NOARGS, &rows), DB_OK);
    db_release(c);

    f->c = db_acquire(f->pool);
    assert_false(db_in_tx(f->c));
    assert_int_equal(count_people(f->c), 0);
    db_conn_t *other = db_acquire(f->pool);
    assert_non_null(other);
    assert_int_equal(count_people(other), 0);
    db_release(other);

    /* also a transaction opened behind the API's back */
    run_ok(f->c, "BEGIN");
    assert_int_equal(insert_person(f->c, 2, "Raw"), DB_OK);
    db_release(f->c);
    f->c = db_acquire(f->pool);
    assert_int_equal(db_tx_begin(f->c, DB_TX_WRITE), DB_OK);
    assert_int_equal(count_people(f->c), 0);
    assert_int_equal(db_tx_commit(f->c), DB_OK);
}

/* Deferred writes: whenever PostgreSQL sends them, the transaction sees them
 * at its next statement, and their failure reaches the caller by then. */
static void test_exec_later(void **state)
{
    fixture_t *f = fixture(state);
    create_people(f);
    db_conn_t *c = f->c;
    const db_param_t p1[] = {db_int(1), db_text("Asha"), db_int(30)};
    const db_param_t p2[] = {db_int(2), db_text("Ravi"), db_int(31)};

    /* seen by the next statement, even one never prepared before, and committed */
    assert_int_equal(db_tx_begin(c, DB_TX_WRITE), DB_OK);
    assert_int_equal(db_exec_later(c, INSERT_PERSON, p1, 3), DB_OK);
    int64_t n = -1;
    assert_int_equal(db_query_int(c, "SELECT count(*) + 0 FROM dbt_people", DB_NOARGS, &n, NULL),
                     DB_OK);
    assert_int_equal(n, 1);
    assert_int_equal(db_exec_later(c, INSERT_PERSON, p2, 3), DB_OK);
    assert_int_equal(db_tx_commit(c), DB_OK);
    assert_int_equal(count_people(c), 2);

    /* a deferred failure comes back by the next statement, with its constraint */
    assert_int_equal(db_tx_begin(c, DB_TX_WRITE), DB_OK);
    int rc = db_exec_later(c, INSERT_PERSON, p1, 3);
    if (rc == DB_OK)
        rc = db_query_int(c, "SELECT count(*) FROM dbt_people", DB_NOARGS, &n, NULL);
    assert_int_equal(rc, DB_UNIQUE);
    assert_string_equal(db_err_constraint(c),
                        f->dialect == DB_DIALECT_PG ? "dbt_people_pkey" : "dbt_people.id");
    assert_int_equal(db_tx_rollback(c), DB_OK);

    /* ... or by the commit, which then commits nothing */
    const db_param_t p3[] = {db_int(3), db_text("Meera"), db_int(32)};
    assert_int_equal(db_tx_begin(c, DB_TX_WRITE), DB_OK);
    assert_int_equal(db_exec_later(c, INSERT_PERSON, p3, 3), DB_OK);
    rc = db_exec_later(c, INSERT_PERSON, p1, 3);
    if (rc == DB_OK)
        rc = db_tx_commit(c);
    else
        db_tx_rollback(c);
    assert_int_equal(rc, DB_UNIQUE);
    assert_false(db_in_tx(c));
    assert_int_equal(count_people(c), 2);

    /* rolled back unseen; released with one waiting: gone too */
    assert_int_equal(db_tx_begin(c, DB_TX_WRITE), DB_OK);
    assert_int_equal(db_exec_later(c, INSERT_PERSON, p3, 3), DB_OK);
    assert_int_equal(db_tx_rollback(c), DB_OK);
    assert_int_equal(db_tx_begin(c, DB_TX_WRITE), DB_OK);
    assert_int_equal(db_exec_later(c, INSERT_PERSON, p3, 3), DB_OK);
    db_release(c);
    f->c = c = db_acquire(f->pool);
    assert_int_equal(count_people(c), 2);

    /* outside a transaction it runs at once */
    assert_int_equal(db_exec_later(c, INSERT_PERSON, p1, 3), DB_UNIQUE);
    assert_int_equal(db_exec_later(c, INSERT_PERSON, p3, 3), DB_OK);
    assert_int_equal(count_people(c), 3);

    /* empty transactions, and a read one */
    assert_int_equal(db_tx_begin(c, DB_TX_WRITE), DB_OK);
    assert_int_equal(db_tx_commit(c), DB_OK);
    assert_int_equal(db_tx_begin(c, DB_TX_READ), DB_OK);
    assert_int_equal(db_tx_rollback(c), DB_OK);
    assert_int_equal(db_tx_begin(c, DB_TX_READ), DB_OK);
    assert_int_equal(count_people(c), 3);
    assert_int_equal(db_tx_commit(c), DB_OK);
}

typedef struct {
    int calls;
    int fail_times;
} flaky_t;

static int insert_flaky(db_conn_t *c, void *arg)
{
    flaky_t *fl = arg;
    fl->calls++;
    int rc = insert_person(c, 1, "Once");
    if (rc == DB_OK && fl->calls <= fl->fail_times)
        return DB_RETRY;
    return rc;
}

static void test_tx_run_retries(void **state)
{
    fixture_t *f = fixture(state);
    create_people(f);
    flaky_t fl = {.fail_times = 2};
    assert_int_equal(db_tx_run(f->c, DB_TX_WRITE, insert_flaky, &fl), DB_OK);
    assert_int_equal(fl.calls, 3); /* earlier attempts were rolled back: no UNIQUE */
    assert_int_equal(count_people(f->c), 1);
    assert_false(db_in_tx(f->c));

    run_ok(f->c, "DELETE FROM dbt_people");
    fl = (flaky_t){.fail_times = 100};
    assert_int_equal(db_tx_run(f->c, DB_TX_WRITE, insert_flaky, &fl), DB_RETRY);
    assert_int_equal(fl.calls, 5);
    assert_int_equal(count_people(f->c), 0);

    fl = (flaky_t){0};
    assert_int_equal(insert_person(f->c, 1, "Taken"), DB_OK);
    assert_int_equal(db_tx_run(f->c, DB_TX_WRITE, insert_flaky, &fl), DB_UNIQUE);
    assert_int_equal(fl.calls, 1); /* other errors are not retried */
}

static void test_statement_cache(void **state)
{
    fixture_t *f = fixture(state);
    create_people(f);
    unsigned long before = f->c->prepares;
    assert_int_equal(insert_person(f->c, 1, "A"), DB_OK);
    assert_int_equal(insert_person(f->c, 2, "B"), DB_OK);
    assert_int_equal(f->c->prepares, before + 1);
    int64_t n;
    for (int i = 0; i < 3; i++)
        assert_int_equal(db_query_int(f->c, "SELECT age FROM dbt_people WHERE id = $1",
                                      DB_ARGS(db_int(i)), &n, NULL),
                         DB_OK);
    assert_int_equal(f->c->prepares, before + 2);
    assert_int_equal(count_people(f->c), 2);
}

static void test_cursor_must_be_freed(void **state)
{
    fixture_t *f = fixture(state);
    create_people(f);
    assert_int_equal(insert_person(f->c, 1, "A"), DB_OK);
    assert_int_equal(insert_person(f->c, 2, "B"), DB_OK);
    db_rows_t *rows;
    assert_int_equal(db_query(f->c, "SELECT id FROM dbt_people ORDER BY id", DB_NOARGS, &rows),
                     DB_OK);
    assert_true(db_next(rows));
    assert_int_equal(db_exec(f->c, "DELETE FROM dbt_people", DB_NOARGS, NULL), DB_ERROR);
    assert_true(db_next(rows));
    assert_int_equal(db_col_int(rows, 0), 2);
    db_rows_free(rows);
    assert_int_equal(db_exec(f->c, "DELETE FROM dbt_people", DB_NOARGS, NULL), DB_OK);
}

static void test_acquire_timeout(void **state)
{
    fixture_t *f = fixture(state);
    assert_int_equal(db_pool_size(f->pool), 2);
    assert_int_equal(db_pool_in_use(f->pool), 1);
    db_conn_t *second = db_acquire(f->pool);
    assert_non_null(second);
    assert_int_equal(db_pool_in_use(f->pool), 2);

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_null(db_acquire(f->pool));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long waited_ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    assert_true(waited_ms >= 95 && waited_ms < 2000);

    db_release(second);
    assert_int_equal(db_pool_in_use(f->pool), 1);
    second = db_acquire(f->pool);
    assert_non_null(second);
    db_release(second);
}

typedef struct {
    db_pool_t *pool;
    int base;
    int failures;
} worker_t;

static int insert_worker_row(db_conn_t *c, void *arg)
{
    const int *id = arg;
    char name[32];
    snprintf(name, sizeof name, "w%d", *id);
    return insert_person(c, *id, name);
}

/* Borrows, writes and returns connections from more threads than slots. */
static void *worker_main(void *arg)
{
    worker_t *w = arg;
    for (int i = 0; i < 25; i++) {
        int id = w->base + i;
        db_conn_t *c = NULL;
        while (!(c = db_acquire(w->pool)))
            ;
        if (db_tx_run(c, DB_TX_WRITE, insert_worker_row, &id) != DB_OK)
            w->failures++;
        db_release(c);
    }
    return NULL;
}

static void test_threads_share_pool(void **state)
{
    fixture_t *f = fixture(state);
    create_people(f);
    db_release(f->c);
    f->c = NULL;
    pthread_t threads[4];
    worker_t workers[4];
    for (int i = 0; i < 4; i++) {
        workers[i] = (worker_t){.pool = f->pool, .base = 1000 * (i + 1)};
        assert_int_equal(pthread_create(&threads[i], NULL, worker_main, &workers[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(threads[i], NULL);
        assert_int_equal(workers[i].failures, 0);
    }
    assert_int_equal(db_pool_in_use(f->pool), 0);
    f->c = db_acquire(f->pool);
    assert_int_equal(count_people(f->c), 100);
}

/* ---- SQLite only ---------------------------------------------------------- */

static int insert_counted(db_conn_t *c, void *arg)
{
    (*(int *)arg)++;
    return insert_person(c, 50, "Late");
}

/* A writer holding BEGIN IMMEDIATE makes another connection's BEGIN IMMEDIATE
 * wait busy_timeout and then fail with SQLITE_BUSY: that is DB_RETRY. */
static void test_sqlite_busy_is_retry(void **state)
{
    fixture_t *f = fixture(state);
    create_people(f);
    db_pool_t *impatient = open_pool(f->url, 1, 20);
    db_conn_t *other = db_acquire(impatient);

    assert_int_equal(db_tx_begin(f->c, DB_TX_WRITE), DB_OK);
    assert_int_equal(insert_person(f->c, 1, "Holder"), DB_OK);
    int calls = 0;
    assert_int_equal(db_tx_run(other, DB_TX_WRITE, insert_counted, &calls), DB_RETRY);
    assert_int_equal(calls, 0);
    assert_non_null(strstr(db_errmsg(other), "locked"));
    assert_false(db_in_tx(other));
    /* readers are not blocked by the writer in WAL mode */
    assert_int_equal(count_people(other), 0);

    assert_int_equal(db_tx_commit(f->c), DB_OK);
    assert_int_equal(db_tx_run(other, DB_TX_WRITE, insert_counted, &calls), DB_OK);
    assert_int_equal(calls, 1);
    assert_int_equal(count_people(f->c), 2);
    db_release(other);
    db_pool_close(impatient);
}

static void test_sqlite_bool_text_forms(void **state)
{
    fixture_t *f = fixture(state);
    db_rows_t *rows;
    assert_int_equal(
        db_query(f->c, "SELECT 1, 0, 't', 'true', '1', 'f', 2, NULL", DB_NOARGS, &rows), DB_OK);
    assert_true(db_next(rows));
    bool want[] = {true, false, true, true, true, false, true, false};
    for (int i = 0; i < 8; i++)
        assert_int_equal(db_col_bool(rows, i), want[i]);
    db_rows_free(rows);
}

static void test_sqlite_bad_url(void **state)
{
    (void)state;
    db_pool_config_t cfg = {.url = "sqlite:///nonexistent-dir/x/y.db", .size = 1};
    db_pool_t *pool = NULL;
    char err[256];
    assert_int_equal(db_pool_open(&cfg, &pool, err, sizeof err), DB_ERROR);
    assert_null(pool);
    assert_non_null(strstr(err, "cannot open database"));
    cfg.url = "mysql://u:hunter2@h/db";
    assert_int_equal(db_pool_open(&cfg, &pool, err, sizeof err), DB_ERROR);
    assert_null(strstr(err, "hunter2"));
}

/* ---- PostgreSQL only ---------------------------------------------------------- */

static void test_pg_error_codes(void **state)
{
    fixture_t *f = fixture(state);
    assert_int_equal(
        db_exec_script(f->c, "DO $$ BEGIN RAISE EXCEPTION 'x' USING ERRCODE = '40001'; END $$"),
        DB_RETRY);
    assert_int_equal(
        db_exec_script(f->c, "DO $$ BEGIN RAISE EXCEPTION 'x' USING ERRCODE = '40P01'; END $$"),
        DB_RETRY);
    /* data errors must not echo the offending value */
    assert_int_equal(db_exec(f->c, "SELECT $1::uuid", DB_ARGS(db_text("secret-value")), NULL),
                     DB_ERROR);
    assert_null(strstr(db_errmsg(f->c), "secret-value"));
    assert_non_null(strstr(db_errmsg(f->c), "uuid"));

    db_pool_t *quick = open_pool(f->url, 1, 50);
    db_conn_t *c = db_acquire(quick);
    assert_int_equal(db_exec(c, "SELECT pg_sleep(1)", DB_NOARGS, NULL), DB_TIMEOUT);
    db_release(c);
    db_pool_close(quick);

    assert_int_equal(db_tx_begin(f->c, DB_TX_READ), DB_OK);
    assert_int_equal(db_exec_script(f->c, "CREATE TABLE dbt_never (x int)"), DB_ERROR);
    assert_int_equal(db_tx_rollback(f->c), DB_OK);
}

/* The server drops our idle session: the next acquire reconnects, and the
 * statement cache starts over (the named statements died with the session). */
static void test_pg_reconnect(void **state)
{
    fixture_t *f = fixture(state);
    int64_t pid = 0, n = 0;
    db_conn_t *victim = f->c;
    db_conn_t *killer = db_acquire(f->pool); /* the pool's other slot */
    assert_int_equal(db_query_int(victim, "SELECT pg_backend_pid()", DB_NOARGS, &pid, NULL), DB_OK);
    db_release(victim);
    assert_int_equal(db_query_int(killer, "SELECT pg_terminate_backend($1, 5000)::int",
                                  DB_ARGS(db_int(pid)), &n, NULL),
                     DB_OK);
    assert_int_equal(n, 1);

    f->c = db_acquire(f->pool); /* the only idle slot: the victim, revived */
    assert_ptr_equal(f->c, victim);
    unsigned long before = f->c->prepares;
    assert_int_equal(db_query_int(f->c, "SELECT pg_backend_pid()", DB_NOARGS, &n, NULL), DB_OK);
    assert_true(n != pid);
    assert_int_equal(f->c->prepares, before + 1);
    db_release(killer);
}

static void test_pg_bad_url(void **state)
{
    fixture_t *f = fixture(state);
    (void)f;
    db_pool_config_t cfg = {.url = "postgresql://nobody:hunter2@127.0.0.1:1/none", .size = 1};
    db_pool_t *pool = NULL;
    char err[512];
    assert_int_equal(db_pool_open(&cfg, &pool, err, sizeof err), DB_ERROR);
    assert_null(pool);
    assert_null(strstr(err, "hunter2"));
    assert_non_null(strstr(err, "nobody:****@"));
}

/* Each of these runs once per database, named after it. */
// clang-format off
#define ON(fn, db) {#fn " (" #db ")", fn, setup_##db, teardown, NULL}
#define BOTH(fn) ON(fn, sqlite), ON(fn, pg)
// clang-format on

int main(void)
{
    const struct CMUnitTest tests[] = {
        BOTH(test_typed_columns),
        BOTH(test_null_params_and_query_int),
        BOTH(test_constraint_mapping),
        BOTH(test_tx_commit_rollback),
        BOTH(test_release_rolls_back),
        BOTH(test_tx_run_retries),
        BOTH(test_exec_later),
        BOTH(test_statement_cache),
        BOTH(test_cursor_must_be_freed),
        BOTH(test_acquire_timeout),
        BOTH(test_threads_share_pool),
        cmocka_unit_test_setup_teardown(test_sqlite_busy_is_retry, setup_sqlite, teardown),
        cmocka_unit_test_setup_teardown(test_sqlite_bool_text_forms, setup_sqlite, teardown),
        cmocka_unit_test(test_sqlite_bad_url),
        cmocka_unit_test_setup_teardown(test_pg_error_codes, setup_pg, teardown),
        cmocka_unit_test_setup_teardown(test_pg_reconnect, setup_pg, teardown),
        cmocka_unit_test_setup_teardown(test_pg_bad_url, setup_pg, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
