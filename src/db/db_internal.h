/*
 * db_internal.h: what the pool (db_pool.c) and the two drivers (db_sqlite.c,
 * db_pg.c) share; nothing outside src/db includes it (unit tests excepted).
 * A driver is a table of functions; its connection and cursor structs embed
 * the common parts below as their first member.
 */
#ifndef LOOPIN_DB_INTERNAL_H
#define LOOPIN_DB_INTERNAL_H

#include "db/db.h"

typedef enum { DB_TX_BEGIN, DB_TX_COMMIT, DB_TX_ROLLBACK } db_tx_op_t;

struct db_driver {
    db_dialect_t dialect;
    /* target is the file path (SQLite) or the whole URL (PG). */
    int (*open)(const char *target, const db_pool_config_t *cfg, db_conn_t **out, char *err,
                size_t errlen);
    void (*close)(db_conn_t *conn);
    /* Makes a connection usable again after it broke (PG: PQreset). */
    int (*revive)(db_conn_t *conn);
    int (*exec)(db_conn_t *conn, const char *sql, const db_param_t *params, int nparams,
                int64_t *affected);
    /* Queues a write whose result nobody reads (NULL: run it at once). */
    int (*exec_later)(db_conn_t *conn, const char *sql, const db_param_t *params, int nparams);
    int (*query)(db_conn_t *conn, const char *sql, const db_param_t *params, int nparams,
                 db_rows_t **out);
    int (*script)(db_conn_t *conn, const char *sql);
    /* ROLLBACK must be a no-op, decided locally without a round trip, when
     * the database has no open transaction: db_release always calls it. */
    int (*tx)(db_conn_t *conn, db_tx_op_t op, db_tx_mode_t mode);
    bool (*next)(db_rows_t *rows);
    void (*rows_free)(db_rows_t *rows);
    int (*ncols)(const db_rows_t *rows);
    const char *(*col_name)(const db_rows_t *rows, int col);
    bool (*col_isnull)(const db_rows_t *rows, int col);
    const char *(*col_text)(const db_rows_t *rows, int col);
    int64_t (*col_int)(const db_rows_t *rows, int col);
    double (*col_real)(const db_rows_t *rows, int col);
};

extern const struct db_driver db_sqlite_driver;
extern const struct db_driver db_pg_driver;

struct db_conn {
    const struct db_driver *drv;
    db_pool_t *pool;
    bool in_tx;
    db_rows_t *open_rows;   /* the one cursor allowed at a time, or NULL */
    unsigned long prepares; /* statement-cache misses, for tests and metrics */
    char errmsg[256];
    char constraint[128];
};

struct db_rows {
    db_conn_t *conn;
    int status; /* DB_OK, or why db_next stopped early */
};

/* Records an error on conn and returns status (drivers: `return db_fail(...)`).
 * Successful statements leave the last error alone, so it survives the
 * rollback that usually follows a failure. */
int db_fail(db_conn_t *conn, int status, const char *msg, const char *constraint);

/* Per-connection prepared-statement cache keyed by the original SQL text.
 * The driver owns the values (stmt, or an id for PG's named statements).
 * It never evicts: SQL texts must come from a fixed set (static strings, or a
 * bounded number of variants), never from data such as IN-list lengths. */
#define DB_CACHE_BUCKETS 256

typedef struct db_cache_entry {
    char *sql;
    size_t len;
    void *stmt;
    int id;
    struct db_cache_entry *next;
} db_cache_entry_t;

typedef struct {
    db_cache_entry_t *buckets[DB_CACHE_BUCKETS];
} db_cache_t;

db_cache_entry_t *db_cache_get(db_cache_t *cache, const char *sql);
/* NULL on allocation failure. */
db_cache_entry_t *db_cache_put(db_cache_t *cache, const char *sql, void *stmt, int id);
/* Empties the cache, calling free_stmt (may be NULL) on every stored stmt. */
void db_cache_clear(db_cache_t *cache, void (*free_stmt)(void *stmt));

#endif
