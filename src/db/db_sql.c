/*
 * db_sql.c: the text helpers both drivers share: the one-SQL-for-two-databases
 * rewrite ($N placeholders, dialect tokens), timestamp text in and out,
 * database URLs (dialect, masking) and the per-connection statement cache.
 * Everything here is pure (no I/O), so it is unit-tested directly.
 */
#include "db/db_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* ---- SQL rewrite -------------------------------------------------------- */

/* The dialect table: the only place where the SQL of the two databases differs
 * inside a statement. SQLite needs no row locks because writers are serialised
 * by BEGIN IMMEDIATE. */
static const struct {
    const char *token;
    const char *pg;
    const char *sqlite;
} dialect_tokens[] = {
    {"@FOR_UPDATE", "FOR UPDATE", ""},
    {"@SKIP_LOCKED", "FOR UPDATE SKIP LOCKED", ""},
    {"@ILIKE", "ILIKE", "LIKE"},
    /* after a parameter that goes into a DATE or timestamp column from a
     * SELECT list, where PostgreSQL cannot infer its type; SQLite stores the
     * text (JSON, text and integers alike) */
    {"@AS_DATE", "::date", ""},
    {"@AS_TIME", "::timestamptz", ""},
    {"@AS_JSON", "::jsonb", ""},
    {"@AS_TEXT", "::text", ""},
    {"@AS_INT", "::bigint", ""},
};

static bool is_ident_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '$';
}

/* Length of the quoted run at s (opening quote q included), where a doubled
 * quote is an escaped one. An unterminated run extends to the end. */
static size_t quoted_len(const char *s, char q)
{
    size_t i = 1;
    while (s[i]) {
        if (s[i] == q && s[i + 1] == q)
            i += 2;
        else if (s[i++] == q)
            return i;
    }
    return i;
}

/* Length of a string literal, quoted identifier or comment starting at s,
 * 0 when s starts none of those. Their content is copied verbatim. */
static size_t literal_len(const char *s)
{
    if (s[0] == '\'' || s[0] == '"')
        return quoted_len(s, s[0]);
    if (s[0] == '-' && s[1] == '-')
        return strcspn(s, "\n");
    if (s[0] == '/' && s[1] == '*') {
        const char *end = strstr(s + 2, "*/");
        return end ? (size_t)(end + 2 - s) : strlen(s);
    }
    return 0;
}

/* Replacement for the dialect token at s, or NULL when s starts none. */
static const char *match_token(const char *s, db_dialect_t dialect, size_t *toklen)
{
    for (size_t i = 0; i < sizeof dialect_tokens / sizeof dialect_tokens[0]; i++) {
        size_t n = strlen(dialect_tokens[i].token);
        if (strncmp(s, dialect_tokens[i].token, n) == 0 && !is_ident_char(s[n])) {
            *toklen = n;
            return dialect == DB_DIALECT_PG ? dialect_tokens[i].pg : dialect_tokens[i].sqlite;
        }
    }
    return NULL;
}

char *db_sql_rewrite(const char *sql, db_dialect_t dialect)
{
    /* The largest growth is "@SKIP_LOCKED" (12 bytes) becoming 22 bytes, so the
     * output never exceeds twice the input. */
    char *out = malloc(2 * strlen(sql) + 1);
    if (!out)
        return NULL;
    char *o = out;
    const char *p = sql;
    while (*p) {
        size_t n = literal_len(p);
        const char *repl;
        if (n) {
            memcpy(o, p, n);
            o += n;
            p += n;
        } else if (*p == '$' && isdigit((unsigned char)p[1]) && dialect == DB_DIALECT_SQLITE) {
            *o++ = '?'; /* SQLite's ?NNN binds by the same number as $NNN */
            p++;
        } else if (*p == '@' && (repl = match_token(p, dialect, &n))) {
            size_t rl = strlen(repl);
            memcpy(o, repl, rl);
            o += rl;
            p += n;
        } else {
            *o++ = *p++;
        }
    }
    *o = '\0';
    return out;
}

/* ---- timestamps ----------------------------------------------------------- */

/* 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z: the range that keeps
 * the text exactly 27 characters. */
#define TIME_MIN_US (-62135596800LL * 1000000LL)
#define TIME_MAX_US (253402300799LL * 1000000LL + 999999LL)

void db_format_time(int64_t usec, char out[32])
{
    if (usec < TIME_MIN_US)
        usec = TIME_MIN_US;
    if (usec > TIME_MAX_US)
        usec = TIME_MAX_US;
    int64_t frac = usec % 1000000;
    if (frac < 0)
        frac += 1000000;
    time_t secs = (time_t)((usec - frac) / 1000000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    /* The clamp above keeps the text at 27 characters; the scratch buffer is
     * sized for the compiler's worst case of arbitrary struct tm values. */
    char tmp[96];
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)frac);
    snprintf(out, 32, "%.27s", tmp);
}

/* Days from 1970-01-01 to the given proleptic Gregorian date (H. Hinnant's
 * days_from_civil), so parsing does not depend on the process time zone. */
static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

/* Reads exactly n digits; advances *p only on success. */
static bool read_digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return false;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return true;
}

static bool expect(const char **p, char c)
{
    if (**p != c)
        return false;
    (*p)++;
    return true;
}

/* ".ffffff" with 1 to 9 digits, as microseconds; absent means 0. */
static bool read_fraction(const char **p, int *usec)
{
    *usec = 0;
    if (!expect(p, '.'))
        return true;
    int n = 0;
    for (; isdigit((unsigned char)**p); (*p)++, n++)
        if (n < 6)
            *usec = *usec * 10 + (**p - '0');
    if (n == 0 || n > 9)
        return false;
    for (; n < 6; n++)
        *usec *= 10;
    return true;
}

/* 'Z', '+HH', '+HH:MM', '+HHMM', '+HH:MM:SS' (PG, historic zones), their '-'
 * forms, or nothing (UTC). Writes the offset east of UTC in seconds. */
static bool read_zone(const char **p, int *offset)
{
    int sign = **p == '-' ? -1 : 1, h = 0, m = 0, s = 0;
    *offset = 0;
    if (**p == '\0' || expect(p, 'Z'))
        return true;
    if (!expect(p, '+') && !expect(p, '-'))
        return false;
    if (!read_digits(p, 2, &h))
        return false;
    if (expect(p, ':')) {
        if (!read_digits(p, 2, &m) || (expect(p, ':') && !read_digits(p, 2, &s)))
            return false;
    } else if (isdigit((unsigned char)**p) && !read_digits(p, 2, &m)) {
        return false;
    }
    if (h > 23 || m > 59 || s > 59)
        return false;
    *offset = sign * (h * 3600 + m * 60 + s);
    return true;
}

bool db_parse_time(const char *s, int64_t *usec)
{
    int y, mo, d, h, mi, sec, frac, offset;
    const char *p = s;
    if (!s || !read_digits(&p, 4, &y) || !expect(&p, '-') || !read_digits(&p, 2, &mo) ||
        !expect(&p, '-') || !read_digits(&p, 2, &d))
        return false;
    if (!expect(&p, 'T') && !expect(&p, ' '))
        return false;
    if (!read_digits(&p, 2, &h) || !expect(&p, ':') || !read_digits(&p, 2, &mi) ||
        !expect(&p, ':') || !read_digits(&p, 2, &sec) || !read_fraction(&p, &frac) ||
        !read_zone(&p, &offset) || *p != '\0')
        return false;
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 ||
        sec > 59)
        return false;
    int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset;
    *usec = secs * 1000000 + frac;
    return true;
}

/* ---- URLs ----------------------------------------------------------------- */

static bool has_prefix(const char *s, const char *prefix)
{
    return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

int db_url_dialect(const char *url, char *path, size_t pathlen)
{
    if (path && pathlen)
        path[0] = '\0';
    if (!url)
        return 0;
    if (has_prefix(url, "postgresql://") || has_prefix(url, "postgres://"))
        return DB_DIALECT_PG;
    if (!has_prefix(url, "sqlite://"))
        return 0;
    /* "sqlite:///abs.db" leaves "/abs.db", "sqlite://rel.db" leaves "rel.db". */
    const char *file = url + strlen("sqlite://");
    size_t n = strlen(file);
    if (n == 0 || file[n - 1] == '/' || !path || n >= pathlen)
        return 0;
    memcpy(path, file, n + 1);
    return DB_DIALECT_SQLITE;
}

/* Bounded appender for db_url_mask: always NUL-terminated, silently cut. */
typedef struct {
    char *out;
    size_t len, cap;
} text_buf_t;

static void buf_put(text_buf_t *b, const char *s, size_t n)
{
    size_t room = b->cap - 1 - b->len;
    if (n > room)
        n = room;
    memcpy(b->out + b->len, s, n);
    b->len += n;
    b->out[b->len] = '\0';
}

/* Copies s, replacing the value of every "password=" query parameter. */
static void mask_query(text_buf_t *b, const char *s)
{
    const char *q = strchr(s, '?');
    if (!q) {
        buf_put(b, s, strlen(s));
        return;
    }
    buf_put(b, s, (size_t)(q - s));
    for (const char *p = q; *p;) {
        size_t seplen = 1 + strcspn(p + 1, "&#"); /* separator and the parameter */
        if (*p != '#' && strncmp(p + 1, "password=", 9) == 0) {
            buf_put(b, p, 10);
            buf_put(b, "****", 4);
        } else {
            buf_put(b, p, seplen);
        }
        p += seplen;
    }
}

void db_url_mask(const char *url, char *out, size_t outlen)
{
    if (!out || outlen == 0)
        return;
    text_buf_t b = {out, 0, outlen};
    out[0] = '\0';
    if (!url)
        return;
    const char *rest = url;
    const char *auth = strstr(url, "://");
    if (auth) {
        auth += 3;
        size_t alen = strcspn(auth, "/?#");
        const char *at = memrchr(auth, '@', alen);
        const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
        if (colon) {
            buf_put(&b, url, (size_t)(colon + 1 - url));
            buf_put(&b, "****", 4);
            rest = at;
        }
    }
    mask_query(&b, rest);
}

/* ---- statement cache -------------------------------------------------------- */

/* A word at a time: the texts are long (an EventResponse statement is
 * 1.5 kB) and looked up on every statement, so hashing byte by byte showed. */
static unsigned cache_slot(const char *sql, size_t len)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ len, w;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        memcpy(&w, sql + i, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 29;
    }
    w = 0;
    memcpy(&w, sql + i, len - i);
    h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
    return (unsigned)((h ^ (h >> 32)) % DB_CACHE_BUCKETS);
}

db_cache_entry_t *db_cache_get(db_cache_t *cache, const char *sql)
{
    size_t len = strlen(sql);
    for (db_cache_entry_t *e = cache->buckets[cache_slot(sql, len)]; e; e = e->next)
        if (e->len == len && memcmp(e->sql, sql, len) == 0)
            return e;
    return NULL;
}

db_cache_entry_t *db_cache_put(db_cache_t *cache, const char *sql, void *stmt, int id)
{
    db_cache_entry_t *e = malloc(sizeof *e);
    char *copy = strdup(sql);
    if (!e || !copy) {
        free(e);
        free(copy);
        return NULL;
    }
    size_t len = strlen(sql);
    unsigned slot = cache_slot(sql, len);
    *e = (db_cache_entry_t){
        .sql = copy, .len = len, .stmt = stmt, .id = id, .next = cache->buckets[slot]};
    cache->buckets[slot] = e;
    return e;
}

void db_cache_clear(db_cache_t *cache, void (*free_stmt)(void *stmt))
{
    for (int i = 0; i < DB_CACHE_BUCKETS; i++) {
        db_cache_entry_t *e = cache->buckets[i];
        while (e) {
            db_cache_entry_t *next = e->next;
            if (free_stmt)
                free_stmt(e->stmt);
            free(e->sql);
            free(e);
            e = next;
        }
        cache->buckets[i] = NULL;
    }
}
