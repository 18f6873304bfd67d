/*
 * test_db_sql.c: the pure helpers of db_sql.c: the SQL rewrite for both
 * dialects, timestamp text round trips and rejects, and database URLs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "db/db.h"

static void check_rewrite(const char *sql, db_dialect_t dialect, const char *want)
{
    char *got = db_sql_rewrite(sql, dialect);
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

static void test_rewrite_placeholders(void **state)
{
    (void)state;
    const char *sql = "SELECT a FROM t WHERE id = $1 AND b = $2 OR c = $10";
    check_rewrite(sql, DB_DIALECT_SQLITE, "SELECT a FROM t WHERE id = ?1 AND b = ?2 OR c = ?10");
    check_rewrite(sql, DB_DIALECT_PG, sql);
    check_rewrite("VALUES ($1,$2)", DB_DIALECT_SQLITE, "VALUES (?1,?2)");
    check_rewrite("", DB_DIALECT_SQLITE, "");
    /* a lone '$' or '$x' is not a placeholder */
    check_rewrite("SELECT '$' || $x", DB_DIALECT_SQLITE, "SELECT '$' || $x");
}

static void test_rewrite_skips_literals(void **state)
{
    (void)state;
    check_rewrite("SELECT '$1', 'it''s $2', $3", DB_DIALECT_SQLITE, "SELECT '$1', 'it''s $2', ?3");
    check_rewrite("SELECT \"col$1\" FROM \"a\"\"b@ILIKE\" WHERE x = $1", DB_DIALECT_SQLITE,
                  "SELECT \"col$1\" FROM \"a\"\"b@ILIKE\" WHERE x = ?1");
    check_rewrite("SELECT 1 -- $1 @FOR_UPDATE\nWHERE a = $1", DB_DIALECT_SQLITE,
                  "SELECT 1 -- $1 @FOR_UPDATE\nWHERE a = ?1");
    check_rewrite("SELECT /* $1 @ILIKE */ $2", DB_DIALECT_SQLITE, "SELECT /* $1 @ILIKE */ ?2");
    /* unterminated literals and comments are copied to the end, never beyond */
    check_rewrite("SELECT 'abc $1", DB_DIALECT_SQLITE, "SELECT 'abc $1");
    check_rewrite("SELECT /* $1", DB_DIALECT_SQLITE, "SELECT /* $1");
    check_rewrite("SELECT 1 -- $1", DB_DIALECT_SQLITE, "SELECT 1 -- $1");
}

static void test_rewrite_tokens(void **state)
{
    (void)state;
    const char *lock = "SELECT * FROM jobs WHERE id = $1 @FOR_UPDATE";
    check_rewrite(lock, DB_DIALECT_PG, "SELECT * FROM jobs WHERE id = $1 FOR UPDATE");
    check_rewrite(lock, DB_DIALECT_SQLITE, "SELECT * FROM jobs WHERE id = ?1 ");
    const char *skip = "SELECT id FROM jobs LIMIT 1 @SKIP_LOCKED;";
    check_rewrite(skip, DB_DIALECT_PG, "SELECT id FROM jobs LIMIT 1 FOR UPDATE SKIP LOCKED;");
    check_rewrite(skip, DB_DIALECT_SQLITE, "SELECT id FROM jobs LIMIT 1 ;");
    const char *like = "WHERE name @ILIKE $1";
    check_rewrite(like, DB_DIALECT_PG, "WHERE name ILIKE $1");
    check_rewrite(like, DB_DIALECT_SQLITE, "WHERE name LIKE ?1");
    /* only whole tokens: followed by a non-identifier character or the end */
    check_rewrite("@ILIKEX @ILIKE_ @ILIKE2 @ILIKE", DB_DIALECT_PG, "@ILIKEX @ILIKE_ @ILIKE2 ILIKE");
    check_rewrite("@SKIP_LOCKED@SKIP_LOCKED", DB_DIALECT_PG,
                  "FOR UPDATE SKIP LOCKEDFOR UPDATE SKIP LOCKED");
    check_rewrite("@NOW_UNUSED @OTHER", DB_DIALECT_PG, "@NOW_UNUSED @OTHER");
}

static void check_time(const char *text, int64_t want)
{
    int64_t got = -1;
    assert_true(db_parse_time(text, &got));
    assert_int_equal(got, want);
}

/* 2026-01-02T03:04:05Z */
#define T0 (1767323045LL * 1000000LL)

static void test_time_format_round_trip(void **state)
{
    (void)state;
    char buf[32];
    const int64_t leap_day = 951782400LL * 1000000, last = 253402300799LL * 1000000 + 999999;
    int64_t samples[] = {0, 1, 999999, T0 + 123456, -1, -1000001, leap_day, last};
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        int64_t back = 0;
        db_format_time(samples[i], buf);
        assert_int_equal(strlen(buf), 27);
        assert_true(db_parse_time(buf, &back));
        assert_int_equal(back, samples[i]);
    }
    db_format_time(T0 + 123456, buf);
    assert_string_equal(buf, "2026-01-02T03:04:05.123456Z");
    db_format_time(-1, buf);
    assert_string_equal(buf, "1969-12-31T23:59:59.999999Z");
    db_format_time(INT64_MAX, buf); /* clamped, still well-formed */
    assert_string_equal(buf, "9999-12-31T23:59:59.999999Z");
    db_format_time(INT64_MIN, buf);
    assert_string_equal(buf, "0001-01-01T00:00:00.000000Z");
}

static void test_time_parse_pg_forms(void **state)
{
    (void)state;
    check_time("2026-01-02 03:04:05.123456+00", T0 + 123456);
    check_time("2026-01-02 03:04:05+00", T0);
    check_time("2026-01-02 03:04:05.1+00", T0 + 100000);
    check_time("2026-01-02 08:34:05+05:30", T0);
    check_time("2026-01-02 08:34:05+0530", T0);
    check_time("2026-01-01 22:04:05-05", T0);
    check_time("2026-01-02 03:04:05.123456789Z", T0 + 123456);
    check_time("2026-01-02T03:04:05", T0);
    check_time("2026-01-02 03:57:44+00:53:39", T0 + 0); /* historic LMT offsets carry seconds */
    check_time("2024-02-29T00:00:00Z", 1709164800LL * 1000000);
}

static void test_time_parse_rejects(void **state)
{
    (void)state;
    const char *bad[] = {
        "",
        "garbage",
        "2026-01-02",
        "2026-1-02 03:04:05",
        "2026-01-02X03:04:05",
        "2026-13-02 03:04:05",
        "2026-02-29 03:04:05",
        "2026-01-32 03:04:05",
        "2026-01-02 24:00:00",
        "2026-01-02 03:60:00",
        "2026-01-02 03:04:60",
        "2026-01-02 03:04:05.",
        "2026-01-02 03:04:05.1234567890",
        "2026-01-02 03:04:05+",
        "2026-01-02 03:04:05+5",
        "2026-01-02 03:04:05+05:",
        "2026-01-02 03:04:05+24",
        "2026-01-02 03:04:05Z ",
        "2026-01-02 03:04:05 BC",
        "0000-01-02 03:04:05",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t v = 42;
        if (db_parse_time(bad[i], &v))
            fail_msg("accepted '%s'", bad[i]);
    }
    int64_t v;
    assert_false(db_parse_time(NULL, &v));
}

static void test_url_dialect(void **state)
{
    (void)state;
    char path[64];
    assert_int_equal(db_url_dialect("sqlite:///var/lib/loopin.db", path, sizeof path),
                     DB_DIALECT_SQLITE);
    assert_string_equal(path, "/var/lib/loopin.db");
    assert_int_equal(db_url_dialect("sqlite://data/loopin.db", path, sizeof path),
                     DB_DIALECT_SQLITE);
    assert_string_equal(path, "data/loopin.db");
    assert_int_equal(db_url_dialect("postgresql://u:p@h:5432/db", path, sizeof path),
                     DB_DIALECT_PG);
    assert_int_equal(db_url_dialect("postgres://h/db", path, sizeof path), DB_DIALECT_PG);
    assert_int_equal(db_url_dialect("postgres://h/db", NULL, 0), DB_DIALECT_PG);

    assert_int_equal(db_url_dialect("sqlite://", path, sizeof path), 0);
    assert_int_equal(db_url_dialect("sqlite:///", path, sizeof path), 0);
    assert_int_equal(db_url_dialect("sqlite:///var/lib/", path, sizeof path), 0);
    assert_int_equal(db_url_dialect("sqlite:/x.db", path, sizeof path), 0);
    assert_int_equal(db_url_dialect("mysql://h/db", path, sizeof path), 0);
    assert_int_equal(db_url_dialect("", path, sizeof path), 0);
    assert_int_equal(db_url_dialect(NULL, path, sizeof path), 0);
    assert_int_equal(db_url_dialect("sqlite:///x.db", path, 4), 0); /* does not fit */
    assert_string_equal(path, "");
}

static void check_mask(const char *url, const char *want)
{
    char out[128];
    db_url_mask(url, out, sizeof out);
    assert_string_equal(out, want);
}

static void test_url_mask(void **state)
{
    (void)state;
    check_mask("postgresql://loopin:s3cret@db.internal:5432/loopin",
               "postgresql://loopin:****@db.internal:5432/loopin");
    check_mask("postgres://u:p:a@ss@h/db", "postgres://u:****@h/db");
    check_mask("postgresql://loopin@h/db", "postgresql://loopin@h/db");
    check_mask("postgresql://h/db?sslmode=require&password=x1&user=u",
               "postgresql://h/db?sslmode=require&password=****&user=u");
    check_mask("postgresql://h/db?password=x1", "postgresql://h/db?password=****");
    check_mask("postgresql://h/db?user=a@b", "postgresql://h/db?user=a@b");
    check_mask("sqlite:///var/lib/loopin.db", "sqlite:///var/lib/loopin.db");
    check_mask("", "");

    char small[16];
    db_url_mask("postgresql://u:secret@host/db", small, sizeof small);
    assert_string_equal(small, "postgresql://u:");
    db_url_mask(NULL, small, sizeof small);
    assert_string_equal(small, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rewrite_placeholders), cmocka_unit_test(test_rewrite_skips_literals),
        cmocka_unit_test(test_rewrite_tokens),       cmocka_unit_test(test_time_format_round_trip),
        cmocka_unit_test(test_time_parse_pg_forms),  cmocka_unit_test(test_time_parse_rejects),
        cmocka_unit_test(test_url_dialect),          cmocka_unit_test(test_url_mask),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
