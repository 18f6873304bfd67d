/*
 * ratelimit.c: database-backed counters for OTP and login limits. Callers
 * run these inside their write transaction, so the check and the action it
 * guards commit together.
 */
#include "auth/ratelimit.h"

#include "core/clock.h"

static const char SQL_HIT[] =
    "INSERT INTO auth_rate_limits (key, window_start, count) VALUES ($1, $2, 1) "
    "ON CONFLICT (key, window_start) DO UPDATE SET count = auth_rate_limits.count + 1 "
    "RETURNING count";

static const char SQL_WINDOW[] =
    "SELECT window_start, count FROM auth_rate_limits WHERE key = $1 AND window_start > $2 "
    "ORDER BY window_start DESC LIMIT 1";

static const char SQL_BUMP[] =
    "UPDATE auth_rate_limits SET count = count + 1 WHERE key = $1 AND window_start = $2 "
    "RETURNING count";

static int64_t seconds_left(int64_t window_start_us, int64_t window_s, int64_t now_us)
{
    int64_t left =
        (window_start_us + window_s * USEC_PER_SEC - now_us + USEC_PER_SEC - 1) / USEC_PER_SEC;
    return left > 0 ? left : 1;
}

static int query_count(db_conn_t *c, const char *sql, const db_param_t *p, int n, int64_t *count)
{
    bool found = false;
    int rc = db_query_int(c, sql, p, n, count, &found);
    if (rc == DB_OK && !found)
        rc = DB_ERROR;
    return rc;
}

int ratelimit_hit(db_conn_t *c, const char *key, int64_t window_s, int64_t now_us, int64_t *count,
                  int64_t *retry_after_s)
{
    int64_t w = window_s * USEC_PER_SEC;
    int64_t start = now_us - ((now_us % w) + w) % w;
    *retry_after_s = seconds_left(start, window_s, now_us);
    return query_count(c, SQL_HIT, DB_ARGS(db_text(key), db_time(start)), count);
}

/* The open window's start (0 when none) and count. */
static int open_window(db_conn_t *c, const char *key, int64_t window_s, int64_t now_us,
                       int64_t *start, int64_t *count)
{
    db_rows_t *rows;
    int rc = db_query(c, SQL_WINDOW,
                      DB_ARGS(db_text(key), db_time(now_us - window_s * USEC_PER_SEC)), &rows);
    if (rc != DB_OK)
        return rc;
    *start = 0;
    *count = 0;
    if (db_next(rows)) {
        *start = db_col_time(rows, 0);
        *count = db_col_int(rows, 1);
    }
    rc = db_rows_status(rows);
    db_rows_free(rows);
    return rc;
}

int ratelimit_window(db_conn_t *c, const char *key, int64_t window_s, int64_t now_us,
                     int64_t *count, int64_t *retry_after_s)
{
    int64_t start = 0;
    int rc = open_window(c, key, window_s, now_us, &start, count);
    *retry_after_s = start ? seconds_left(start, window_s, now_us) : 0;
    return rc;
}

int ratelimit_since_first(db_conn_t *c, const char *key, int64_t window_s, int64_t now_us,
                          int64_t *count, int64_t *retry_after_s)
{
    int64_t start = 0;
    int rc = open_window(c, key, window_s, now_us, &start, count);
    if (rc != DB_OK)
        return rc;
    if (!start) {
        start = now_us;
        rc = query_count(c, SQL_HIT, DB_ARGS(db_text(key), db_time(start)), count);
    } else {
        rc = query_count(c, SQL_BUMP, DB_ARGS(db_text(key), db_time(start)), count);
    }
    *retry_after_s = seconds_left(start, window_s, now_us);
    return rc;
}
