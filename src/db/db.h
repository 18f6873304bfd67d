/*
 * db.h: the one database interface the domain code sees.
 *
 * Two drivers sit behind it (SQLite, the zero-config default, and PostgreSQL
 * through libpq). Domain code writes one SQL text with $1..$N placeholders and
 * a few dialect tokens; the driver rewrites and prepares it once per
 * connection and caches the prepared statement.
 *
 * Value conventions, identical on both databases:
 *   - integers and money: BIGINT / INTEGER (money in minor units);
 *   - booleans: PG BOOLEAN, SQLite INTEGER 0/1; pass db_bool(), read db_col_bool();
 *   - timestamps: PG TIMESTAMPTZ, SQLite TEXT 'YYYY-MM-DDTHH:MM:SS.ffffffZ';
 *     pass db_time(usec since epoch), read db_col_time(); never SQL now():
 *     time comes from core/clock so tests can move it;
 *   - JSON: PG JSONB, SQLite TEXT; pass and read as text;
 *   - UUIDs: PG UUID, SQLite TEXT (lower-case canonical form).
 *
 * Dialect tokens, replaced by the driver before preparing:
 *   @FOR_UPDATE    PG: "FOR UPDATE"               SQLite: ""
 *   @SKIP_LOCKED   PG: "FOR UPDATE SKIP LOCKED"   SQLite: ""
 *   @ILIKE         PG: "ILIKE"                    SQLite: "LIKE" (ASCII case-insensitive)
 *   @AS_DATE       PG: "::date"                   SQLite: "" (a text parameter as a DATE)
 *   @AS_TIME       PG: "::timestamptz"            SQLite: "" (a db_time parameter in a SELECT list)
 *   @NOW_UNUSED    reserved
 * (SQLite serialises writers with BEGIN IMMEDIATE, which is why the row-lock
 * tokens can vanish there.)
 *
 * Threading: a db_conn_t is used by one thread at a time (the pool hands it
 * out); the pool itself is thread-safe.
 */
#ifndef LOOPIN_DB_H
#define LOOPIN_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct db_pool db_pool_t;
typedef struct db_conn db_conn_t;
typedef struct db_rows db_rows_t;

typedef enum { DB_DIALECT_SQLITE = 1, DB_DIALECT_PG = 2 } db_dialect_t;

/* Status codes. Every db_* function that can fail returns one of these. */
typedef enum {
    DB_OK = 0,
    DB_ERROR = -1,       /* anything else: syntax, I/O, connection lost */
    DB_RETRY = -2,       /* SQLITE_BUSY/LOCKED, PG 40001/40P01: run the transaction again */
    DB_UNIQUE = -3,      /* unique or primary-key violation (23505) */
    DB_FOREIGN_KEY = -4, /* 23503 */
    DB_CHECK = -5,       /* 23514 */
    DB_NOT_NULL = -6,    /* 23502 */
    DB_TIMEOUT = -7,     /* pool acquire timed out, or statement timeout (57014) */
} db_status_t;

typedef enum {
    DB_P_NULL = 0,
    DB_P_TEXT, /* .s, NUL-terminated */
    DB_P_INT,  /* .i */
    DB_P_REAL, /* .d */
    DB_P_BOOL, /* .i 0/1 */
    DB_P_TIME, /* .i microseconds since the Unix epoch, UTC */
} db_param_type_t;

typedef struct {
    db_param_type_t type;
    const char *s;
    int64_t i;
    double d;
} db_param_t;

static inline db_param_t db_null(void)
{
    return (db_param_t){.type = DB_P_NULL};
}
static inline db_param_t db_text(const char *s)
{
    return s ? (db_param_t){.type = DB_P_TEXT, .s = s} : db_null();
}
static inline db_param_t db_int(int64_t i)
{
    return (db_param_t){.type = DB_P_INT, .i = i};
}
static inline db_param_t db_real(double d)
{
    return (db_param_t){.type = DB_P_REAL, .d = d};
}
static inline db_param_t db_bool(bool b)
{
    return (db_param_t){.type = DB_P_BOOL, .i = b ? 1 : 0};
}
static inline db_param_t db_time(int64_t usec)
{
    return (db_param_t){.type = DB_P_TIME, .i = usec};
}

/* DB_ARGS(db_text(a), db_int(b)) expands to "array, count" for the calls below. */
#define DB_ARGS(...)                                                                               \
    ((const db_param_t[]){__VA_ARGS__}),                                                           \
        ((int)(sizeof((const db_param_t[]){__VA_ARGS__}) / sizeof(db_param_t)))
#define DB_NOARGS NULL, 0

/* ---- pool ------------------------------------------------------------- */

typedef struct {
    const char *url;          /* sqlite:///abs.db, sqlite://rel.db, postgresql://... */
    int size;                 /* connections; >= 1 */
    int acquire_timeout_ms;   /* how long db_acquire waits for a free slot */
    int statement_timeout_ms; /* PG statement_timeout; SQLite busy_timeout */
} db_pool_config_t;

/* Opens the pool (connects every slot eagerly so a bad URL fails at start).
 * On failure returns DB_ERROR and writes a one-line reason (no password) to err. */
int db_pool_open(const db_pool_config_t *cfg, db_pool_t **out, char *err, size_t errlen);
void db_pool_close(db_pool_t *pool);
db_dialect_t db_pool_dialect(const db_pool_t *pool);
int db_pool_size(const db_pool_t *pool);
int db_pool_in_use(db_pool_t *pool);

/* How long borrowers waited for a connection (a histogram over
 * db_pool_wait_bounds, in seconds, non-cumulative) and how many gave up. */
#define DB_POOL_WAIT_BUCKETS 10
extern const double db_pool_wait_bounds[DB_POOL_WAIT_BUCKETS];
typedef struct {
    uint64_t bucket[DB_POOL_WAIT_BUCKETS];
    uint64_t count, timeouts;
    double sum_s;
} db_pool_wait_t;
void db_pool_wait_stats(db_pool_t *pool, db_pool_wait_t *out);

/* Borrow a connection; NULL when none frees up within acquire_timeout_ms
 * (the caller answers 503). A broken connection is re-established here. */
db_conn_t *db_acquire(db_pool_t *pool);
/* Return it. A connection still inside a transaction is rolled back first. */
void db_release(db_conn_t *conn);

db_dialect_t db_dialect(const db_conn_t *conn);
/* Last error message of this connection (never contains parameter values). */
const char *db_errmsg(const db_conn_t *conn);
/* Constraint name of the last constraint violation, or "" (PG reports it;
 * for SQLite it is the "table.column" list from the message). */
const char *db_err_constraint(const db_conn_t *conn);

/* ---- statements ------------------------------------------------------- */

/* Runs a statement that returns no rows. *affected (may be NULL) gets the
 * number of rows changed. */
int db_exec(db_conn_t *conn, const char *sql, const db_param_t *params, int nparams,
            int64_t *affected);

/* Inside a transaction, a write whose outcome the caller does not need to
 * see before the transaction's next statement: PostgreSQL sends it with that
 * statement or with the COMMIT (one round trip for both), and its failure
 * (a constraint, a deadlock: DB_RETRY) is returned by that statement or by
 * db_tx_commit. SQLite, and any call outside a transaction, run it at once.
 * For inserts of records that follow from the transaction (notifications,
 * the audit log), never for writes the caller's next decision depends on. */
int db_exec_later(db_conn_t *conn, const char *sql, const db_param_t *params, int nparams);

/* Runs a query. On DB_OK *out holds a cursor positioned before the first row;
 * free it with db_rows_free before the next statement on this connection. */
int db_query(db_conn_t *conn, const char *sql, const db_param_t *params, int nparams,
             db_rows_t **out);
/* Advances; false at the end (or on error: see db_rows_status). */
bool db_next(db_rows_t *rows);
int db_rows_status(const db_rows_t *rows);
void db_rows_free(db_rows_t *rows);
int db_ncols(const db_rows_t *rows);
const char *db_col_name(const db_rows_t *rows, int col);

/* Typed access to the current row. Text pointers stay valid until db_next or
 * db_rows_free. NULL columns read as NULL / 0 / false. */
bool db_col_isnull(const db_rows_t *rows, int col);
const char *db_col_text(const db_rows_t *rows, int col);
int64_t db_col_int(const db_rows_t *rows, int col);
double db_col_real(const db_rows_t *rows, int col);
bool db_col_bool(const db_rows_t *rows, int col);
int64_t db_col_time(const db_rows_t *rows, int col); /* usec since epoch, 0 when NULL */

/* Convenience: first column of the first row as an integer. DB_OK with
 * *found=false when there is no row. */
int db_query_int(db_conn_t *conn, const char *sql, const db_param_t *params, int nparams,
                 int64_t *value, bool *found);

/* Runs several ';'-separated statements without parameters (migrations only). */
int db_exec_script(db_conn_t *conn, const char *sql);

/* ---- transactions ----------------------------------------------------- */

typedef enum {
    DB_TX_READ = 0,  /* SQLite BEGIN (deferred); PG BEGIN READ ONLY */
    DB_TX_WRITE = 1, /* SQLite BEGIN IMMEDIATE;  PG BEGIN (read committed) */
} db_tx_mode_t;

int db_tx_begin(db_conn_t *conn, db_tx_mode_t mode);
int db_tx_commit(db_conn_t *conn);
int db_tx_rollback(db_conn_t *conn);
bool db_in_tx(const db_conn_t *conn);

/* Runs fn inside a transaction, committing when fn returns DB_OK and rolling
 * back otherwise. When fn or the commit returns DB_RETRY (busy database,
 * serialization failure, deadlock) the whole transaction is run again, up to
 * a few times with a short jittered backoff. fn must therefore be safe to run
 * more than once (keep its side effects inside the transaction). Returns fn's
 * last status. */
typedef int (*db_tx_fn)(db_conn_t *conn, void *ctx);
int db_tx_run(db_conn_t *conn, db_tx_mode_t mode, db_tx_fn fn, void *ctx);

/* ---- helpers shared by the drivers (db_sql.c) -------------------------- */

/* Rewrites $N placeholders and dialect tokens for the given dialect into a
 * fresh malloc'd string ("$1" stays "$1" on PG, becomes "?1" on SQLite;
 * placeholders inside quoted strings are left alone). NULL on allocation
 * failure. */
char *db_sql_rewrite(const char *sql, db_dialect_t dialect);

/* ISO 8601 UTC with microseconds: 'YYYY-MM-DDTHH:MM:SS.ffffffZ' (27 chars + NUL). */
void db_format_time(int64_t usec, char out[32]);
/* Parses ISO 8601 / PG timestamptz text output ('2026-01-02 03:04:05.123+00').
 * Returns false on malformed input. */
bool db_parse_time(const char *s, int64_t *usec);

/* Splits a database URL. Returns DB_DIALECT_* or 0 for an unknown scheme;
 * for SQLite writes the file path to path (relative paths stay relative). */
int db_url_dialect(const char *url, char *path, size_t pathlen);
/* Copies url with any password replaced by "****" (for logs and `config`). */
void db_url_mask(const char *url, char *out, size_t outlen);

/* ---- full-text search of events (db_fts.c) --------------------------------
 * The one place the two search engines differ: PostgreSQL full text over
 * to_tsvector('simple', title || ' ' || description) (GIN index
 * events_search_idx), SQLite FTS5 (events_fts). */

/* The predicate on events aliased `e` matching the query bound at $param
 * (outlen >= 512). */
void db_fts_events_predicate(db_dialect_t d, int param, char *out, size_t outlen);
/* Builds the bound query text from the user's words: every word must occur
 * as a word prefix. Words are runs of letters and digits (ASCII
 * alphanumerics and non-ASCII letters); everything else separates them, so
 * no search syntax reaches the engine. Returns the number of words (0: the
 * search can match nothing), or -1 for more than 8 words or a word longer
 * than 64 characters. */
int db_fts_query(db_dialect_t d, const char *text, char *out, size_t outlen);

#endif
