/*
 * migrate.c: applies the embedded schema migrations in order, one transaction
 * each, recording version, name and SHA-256 of the SQL in schema_migrations.
 * Processes starting together are serialised by an advisory lock (PG) or by
 * BEGIN IMMEDIATE (SQLite), and each step re-checks what is already recorded,
 * so every migration runs exactly once.
 */
#include "db/migrate.h"

#include "core/clock.h"
#include "core/err.h"
#include "core/log.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char CREATE_TABLE_PG[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)";
static const char CREATE_TABLE_SQLITE[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)";
static const char TABLE_EXISTS_PG[] = "SELECT (to_regclass('schema_migrations') IS NOT NULL)::int";
static const char TABLE_EXISTS_SQLITE[] =
    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'";
static const char SELECT_RECORDED[] =
    "SELECT version, checksum FROM schema_migrations ORDER BY version";
static const char SELECT_ONE[] = "SELECT 1 FROM schema_migrations WHERE version = $1";
static const char INSERT_RECORD[] =
    "INSERT INTO schema_migrations"
    " (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)";

static const char *migration_sql(const migration_t *m, db_dialect_t dialect)
{
    return dialect == DB_DIALECT_PG ? m->pg : m->sqlite;
}

/* Lower-case hex SHA-256 of the SQL text: detects a migration edited after it
 * was applied somewhere. */
static void migration_checksum(const char *sql, char hex[65])
{
    unsigned char hash[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(hash, (const unsigned char *)sql, strlen(sql));
    sodium_bin2hex(hex, 65, hash, sizeof hash);
}

static const migration_t *find_migration(const migration_t *list, int n, int64_t version)
{
    for (int i = 0; i < n; i++)
        if (list[i].version == version)
            return &list[i];
    return NULL;
}

/* The list must be strictly ascending with SQL for the pool's dialect. */
static int check_list(const migration_t *list, int n, db_dialect_t dialect, char *err,
                      size_t errlen)
{
    for (int i = 0; i < n; i++) {
        if (!list[i].name || !migration_sql(&list[i], dialect))
            return errbuf(DB_ERROR, err, errlen, "migration %04d has no SQL", list[i].version);
        if (i > 0 && list[i].version <= list[i - 1].version)
            return errbuf(DB_ERROR, err, errlen, "migrations out of order at %04d",
                          list[i].version);
    }
    return DB_OK;
}

/* ---- what the database has recorded ---------------------------------------- */

/* Checks that every recorded version is known with the same checksum, and
 * counts them. */
static int check_recorded(db_conn_t *c, const migration_t *list, int n, int *recorded,
                          bool *applied, char *err, size_t errlen)
{
    db_rows_t *rows;
    *recorded = 0;
    int rc = db_query(c, SELECT_RECORDED, DB_NOARGS, &rows);
    if (rc != DB_OK)
        return errbuf(DB_ERROR, err, errlen, "reading schema_migrations: %s", db_errmsg(c));
    while (rc == DB_OK && db_next(rows)) {
        int64_t version = db_col_int(rows, 0);
        const migration_t *m = find_migration(list, n, version);
        char sum[65];
        if (!m) {
            rc = errbuf(DB_ERROR, err, errlen,
                        "database has migration %04lld, unknown to this binary (newer schema?)",
                        (long long)version);
            break;
        }
        migration_checksum(migration_sql(m, db_dialect(c)), sum);
        const char *stored = db_col_text(rows, 1);
        if (!stored || strcmp(stored, sum) != 0)
            rc = errbuf(DB_ERROR, err, errlen,
                        "migration %04d_%s differs from the one applied (checksum mismatch)",
                        m->version, m->name);
        if (applied)
            applied[m - list] = true;
        (*recorded)++;
    }
    if (rc == DB_OK && db_rows_status(rows) != DB_OK)
        rc = errbuf(DB_ERROR, err, errlen, "reading schema_migrations: %s", db_errmsg(c));
    db_rows_free(rows);
    return rc;
}

/* ---- one run ------------------------------------------------------------------ */

typedef struct {
    bool locked;
    char timeout[32]; /* PG statement_timeout to restore, "" when not changed */
} run_state_t;

/* "loopin.migrate" hashed to the 64-bit key of pg_advisory_lock. */
static int64_t lock_key(void)
{
    unsigned char hash[crypto_hash_sha256_BYTES];
    uint64_t key = 0;
    crypto_hash_sha256(hash, (const unsigned char *)"loopin.migrate", strlen("loopin.migrate"));
    for (int i = 0; i < 8; i++)
        key = key << 8 | hash[i];
    return (int64_t)key;
}

/* PG: lift statement_timeout for this session (waiting for another process's
 * migrations or building an index may take longer than a request may), then
 * take the lock that makes this process the only migrator. */
static int pg_begin(db_conn_t *c, run_state_t *st)
{
    db_rows_t *rows;
    int rc = db_query(c, "SELECT current_setting('statement_timeout')", DB_NOARGS, &rows);
    if (rc != DB_OK)
        return rc;
    if (db_next(rows))
        snprintf(st->timeout, sizeof st->timeout, "%s", db_col_text(rows, 0));
    db_rows_free(rows);
    rc = db_exec(c, "SELECT set_config('statement_timeout', '0', false)", DB_NOARGS, NULL);
    if (rc == DB_OK)
        rc = db_exec(c, "SELECT pg_advisory_lock($1)", DB_ARGS(db_int(lock_key())), NULL);
    st->locked = rc == DB_OK;
    return rc;
}

static void pg_end(db_conn_t *c, run_state_t *st)
{
    if (st->locked)
        db_exec(c, "SELECT pg_advisory_unlock($1)", DB_ARGS(db_int(lock_key())), NULL);
    if (st->timeout[0])
        db_exec(c, "SELECT set_config('statement_timeout', $1, false)",
                DB_ARGS(db_text(st->timeout)), NULL);
}

static int run_begin(db_conn_t *c, run_state_t *st, char *err, size_t errlen)
{
    bool pg = db_dialect(c) == DB_DIALECT_PG;
    int rc = pg ? pg_begin(c, st) : DB_OK;
    if (rc == DB_OK)
        rc = db_exec(c, pg ? CREATE_TABLE_PG : CREATE_TABLE_SQLITE, DB_NOARGS, NULL);
    if (rc != DB_OK)
        return errbuf(DB_ERROR, err, errlen, "preparing to migrate: %s", db_errmsg(c));
    return DB_OK;
}

typedef struct {
    const migration_t *m;
    const char *sql;
    char checksum[65];
    bool ran;
} step_t;

/* One migration inside its transaction. It may run more than once (db_tx_run
 * retries), and another process may have applied it since we looked: SQLite
 * has no advisory lock, only BEGIN IMMEDIATE, which makes us the sole writer
 * from here on. */
/* SQLite's documented way to loosen a CHECK constraint edits the schema
 * text and must then bump the schema version by one, so other connections
 * reload it (lang_altertable.html, "other kinds of table schema changes"). A
 * SQLite migration writes @SCHEMA_VERSION_NEXT for that number. */
#define SCHEMA_VERSION_TOKEN "@SCHEMA_VERSION_NEXT"

static int exec_migration(db_conn_t *c, const char *sql)
{
    const char *at = strstr(sql, SCHEMA_VERSION_TOKEN);
    if (!at || db_dialect(c) != DB_DIALECT_SQLITE)
        return db_exec_script(c, sql);
    int64_t version = 0;
    bool found = false;
    int rc = db_query_int(c, "PRAGMA schema_version", DB_NOARGS, &version, &found);
    if (rc != DB_OK)
        return rc;
    char *text = NULL;
    if (asprintf(&text, "%.*s%lld%s", (int)(at - sql), sql, (long long)version + 1,
                 at + strlen(SCHEMA_VERSION_TOKEN)) < 0)
        return DB_ERROR;
    rc = exec_migration(c, text); /* any further token gets the same number */
    free(text);
    return rc;
}

static int apply_step(db_conn_t *c, void *arg)
{
    step_t *s = arg;
    int64_t one;
    bool found;
    s->ran = false;
    int rc = db_query_int(c, SELECT_ONE, DB_ARGS(db_int(s->m->version)), &one, &found);
    if (rc != DB_OK || found)
        return rc;
    rc = exec_migration(c, s->sql);
    if (rc == DB_OK)
        rc = db_exec(c, INSERT_RECORD,
                     DB_ARGS(db_int(s->m->version), db_text(s->m->name), db_text(s->checksum),
                             db_time(clock_now_us())),
                     NULL);
    s->ran = rc == DB_OK;
    return rc;
}

static int apply_one(db_conn_t *c, const migration_t *m, int *applied, char *err, size_t errlen)
{
    step_t s = {.m = m, .sql = migration_sql(m, db_dialect(c))};
    migration_checksum(s.sql, s.checksum);
    if (db_tx_run(c, DB_TX_WRITE, apply_step, &s) != DB_OK)
        return errbuf(DB_ERROR, err, errlen, "migration %04d_%s failed: %s", m->version, m->name,
                      db_errmsg(c));
    if (s.ran) {
        char version[16];
        snprintf(version, sizeof version, "%04d", m->version);
        log_msg(LOG_INFO, "migration applied", "version", version, "name", m->name, NULL);
        (*applied)++;
    }
    return DB_OK;
}

/* The list checked for this pool's dialect, then a connection: NULL with
 * *rc set when either fails. */
static db_conn_t *checked_conn(db_pool_t *pool, const migration_t *list, int n, char *err,
                               size_t errlen, int *rc)
{
    *rc = check_list(list, n, db_pool_dialect(pool), err, errlen);
    if (*rc != DB_OK)
        return NULL;
    db_conn_t *c = db_acquire(pool);
    if (!c)
        *rc = errbuf(DB_TIMEOUT, err, errlen, "no database connection available");
    return c;
}

int migrate_apply(db_pool_t *pool, const migration_t *list, int n, int *applied, char *err,
                  size_t errlen)
{
    int count = 0, recorded, rc;
    run_state_t st = {0};
    if (applied)
        *applied = 0;
    db_conn_t *c = checked_conn(pool, list, n, err, errlen, &rc);
    if (!c)
        return rc;
    rc = run_begin(c, &st, err, errlen);
    if (rc == DB_OK)
        rc = check_recorded(c, list, n, &recorded, NULL, err, errlen);
    for (int i = 0; rc == DB_OK && i < n; i++)
        rc = apply_one(c, &list[i], &count, err, errlen);
    if (db_dialect(c) == DB_DIALECT_PG)
        pg_end(c, &st);
    db_release(c);
    if (applied)
        *applied = count;
    return rc;
}

int migrate_status(db_pool_t *pool, const migration_t *list, int n, bool *applied, int *pending,
                   char *err, size_t errlen)
{
    int64_t exists = 0;
    int recorded = 0, rc;
    *pending = 0;
    if (applied)
        memset(applied, 0, (size_t)n * sizeof *applied);
    db_conn_t *c = checked_conn(pool, list, n, err, errlen, &rc);
    if (!c)
        return rc;
    bool pg = db_dialect(c) == DB_DIALECT_PG;
    rc = db_query_int(c, pg ? TABLE_EXISTS_PG : TABLE_EXISTS_SQLITE, DB_NOARGS, &exists, NULL);
    if (rc != DB_OK)
        rc = errbuf(DB_ERROR, err, errlen, "reading schema_migrations: %s", db_errmsg(c));
    else if (exists)
        rc = check_recorded(c, list, n, &recorded, applied, err, errlen);
    db_release(c);
    if (rc == DB_OK)
        *pending = n - recorded;
    return rc;
}

int migrate_pending(db_pool_t *pool, const migration_t *list, int n, int *pending, char *err,
                    size_t errlen)
{
    return migrate_status(pool, list, n, NULL, pending, err, errlen);
}
