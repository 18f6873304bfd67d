/*
 * test_auth_cache.c: core/lru (bounds, use order, reuse of memory) and the
 * guard's cache (auth/auth_cache.c) over a real invalidation bus: hits only
 * while the bus is live, fills dropped when an invalidation raced them, and
 * payloads published by another connection forgetting what they name. The
 * bus parts need LOOPIN_TEST_PG_URL (scripts/with-pg) and skip without it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <libpq-fe.h>

#include "auth/auth_cache.h"
#include "core/clock.h"
#include "core/lru.h"
#include "db/db_notify.h"

/* ---- core/lru ------------------------------------------------------------ */

static int get_int(lru_t *l, const char *key)
{
    int v = -1;
    return lru_get(l, key, &v) ? v : -1;
}

static void put_int(lru_t *l, const char *key, int v)
{
    assert_true(lru_put(l, key, &v));
}

static void test_lru_get_put_replace_remove(void **state)
{
    (void)state;
    lru_t *l = lru_new(4, sizeof(int));
    assert_non_null(l);
    assert_int_equal(get_int(l, "a"), -1);
    put_int(l, "a", 1);
    put_int(l, "b", 2);
    put_int(l, "a", 3); /* replaced, not added */
    assert_int_equal(lru_count(l), 2);
    assert_int_equal(get_int(l, "a"), 3);
    assert_int_equal(get_int(l, "b"), 2);
    assert_true(lru_remove(l, "a"));
    assert_false(lru_remove(l, "a"));
    assert_int_equal(get_int(l, "a"), -1);
    assert_int_equal(lru_count(l), 1);
    lru_clear(l);
    assert_int_equal(lru_count(l), 0);
    assert_int_equal(get_int(l, "b"), -1);
    lru_free(l);
}

static void test_lru_evicts_least_recently_used(void **state)
{
    (void)state;
    lru_t *l = lru_new(3, sizeof(int));
    put_int(l, "a", 1);
    put_int(l, "b", 2);
    put_int(l, "c", 3);
    assert_int_equal(get_int(l, "a"), 1); /* a is now the most recent: b goes first */
    put_int(l, "d", 4);
    assert_int_equal(lru_count(l), 3);
    assert_int_equal(get_int(l, "b"), -1);
    assert_int_equal(get_int(l, "a"), 1);
    assert_int_equal(get_int(l, "c"), 3);
    assert_int_equal(get_int(l, "d"), 4);
    put_int(l, "e", 5); /* a was read before c and d: a goes */
    assert_int_equal(get_int(l, "a"), -1);
    lru_free(l);
}

static void test_lru_bounded_under_churn(void **state)
{
    (void)state;
    lru_t *l = lru_new(100, sizeof(int));
    char key[32];
    for (int i = 0; i < 10000; i++) {
        snprintf(key, sizeof key, "k%d", i);
        put_int(l, key, i);
        if (i % 7 == 0)
            lru_remove(l, key);
        assert_true(lru_count(l) <= 100);
    }
    /* full again, with the most recent keys (those not removed) */
    assert_int_equal(lru_count(l), 100);
    for (int i = 9900; i < 10000; i++) {
        snprintf(key, sizeof key, "k%d", i);
        assert_int_equal(get_int(l, key), i % 7 == 0 ? -1 : i);
    }
    assert_int_equal(get_int(l, "k0"), -1);
    assert_int_equal(get_int(l, "k1"), -1);
    lru_free(l);
}

static void test_lru_refuses_long_keys_and_bad_sizes(void **state)
{
    (void)state;
    assert_null(lru_new(0, 4));
    assert_null(lru_new(4, 0));
    lru_t *l = lru_new(2, sizeof(int));
    char key[LRU_KEY_MAX + 1];
    memset(key, 'x', sizeof key - 1);
    key[sizeof key - 1] = '\0';
    int v = 1;
    assert_false(lru_put(l, key, &v));
    key[LRU_KEY_MAX - 1] = '\0'; /* 63 characters fit */
    assert_true(lru_put(l, key, &v));
    assert_int_equal(get_int(l, key), 1);
    lru_free(l);
}

/* ---- the cache without a bus (SQLite) ------------------------------------- */

static auth_account_t account(bool active)
{
    auth_account_t a = {.is_active = active, .promote_at = 0};
    snprintf(a.uuid, sizeof a.uuid, "00000000-0000-4000-8000-000000000001");
    snprintf(a.phone, sizeof a.phone, "+919800000001");
    return a;
}

static void test_cache_without_bus_always_misses(void **state)
{
    (void)state;
    assert_null(auth_cache_new(0, NULL));
    auth_cache_t *c = auth_cache_new(8, NULL);
    assert_non_null(c);
    auth_account_t a = account(true), out;
    auth_cache_put(c, auth_cache_ticket(c), 1, "jti1", &a);
    assert_false(auth_cache_get(c, 1, "jti1", &out));
    auth_cache_stats_t st;
    auth_cache_stats(c, &st);
    assert_false(st.enabled);
    assert_int_equal(st.misses, 1);
    assert_int_equal(st.hits, 0);
    assert_int_equal(st.accounts, 0);
    auth_cache_free(c);
}

/* ---- the cache over a live bus (PostgreSQL) ------------------------------- */

typedef struct {
    db_notify_t *bus;
    auth_cache_t *cache;
    const char *url;
} live_t;

static int live_setup(void **state)
{
    const char *url = getenv("LOOPIN_TEST_PG_URL");
    live_t *l = calloc(1, sizeof *l);
    *state = l;
    if (!url || !*url)
        return 0;
    l->url = url;
    l->bus = db_notify_new(url);
    l->cache = auth_cache_new(16, l->bus);
    if (!l->bus || !l->cache || db_notify_start(l->bus) != 0)
        return -1;
    return 0;
}

static int live_teardown(void **state)
{
    live_t *l = *state;
    db_notify_free(l->bus); /* before the cache it feeds */
    auth_cache_free(l->cache);
    free(l);
    return 0;
}

/* Waits up to a second for cond to hold. */
#define EVENTUALLY(cond)                                                                           \
    do {                                                                                           \
        int64_t until_ = clock_mono_us() + 1000000;                                                \
        while (!(cond) && clock_mono_us() < until_)                                                \
            usleep(1000);                                                                          \
        assert_true(cond);                                                                         \
    } while (0)

static void test_cache_hits_and_forgets(void **state)
{
    live_t *l = *state;
    if (!l->url)
        skip();
    assert_true(db_notify_live(l->bus));
    auth_account_t a = account(true), out;
    auth_cache_put(l->cache, auth_cache_ticket(l->cache), 7, "jti7", &a);
    assert_true(auth_cache_get(l->cache, 7, "jti7", &out));
    assert_true(out.is_active);
    assert_string_equal(out.phone, "+919800000001");
    assert_false(auth_cache_get(l->cache, 7, "other-jti", &out)); /* the token is not known */
    assert_false(auth_cache_get(l->cache, 8, "jti7", &out));      /* nor for another user */
    auth_cache_invalidate(l->cache, "jti:jti7");
    assert_false(auth_cache_get(l->cache, 7, "jti7", &out));
    auth_cache_put(l->cache, auth_cache_ticket(l->cache), 7, "jti7", &a);
    auth_cache_invalidate(l->cache, "user:7");
    assert_false(auth_cache_get(l->cache, 7, "jti7", &out));
    auth_cache_put(l->cache, auth_cache_ticket(l->cache), 7, "jti7", &a);
    auth_cache_invalidate(l->cache, "somebody-else:7"); /* ignored */
    assert_true(auth_cache_get(l->cache, 7, "jti7", &out));
    auth_cache_invalidate(l->cache, "all");
    assert_false(auth_cache_get(l->cache, 7, "jti7", &out));
}

static void test_cache_drops_a_fill_that_raced_an_invalidation(void **state)
{
    live_t *l = *state;
    if (!l->url)
        skip();
    auth_account_t stale = account(true), out;
    uint64_t ticket = auth_cache_ticket(l->cache);       /* a reader starts ... */
    auth_cache_invalidate(l->cache, "user:9");           /* ... the account changes ... */
    auth_cache_put(l->cache, ticket, 9, "jti9", &stale); /* ... its old row comes back */
    assert_false(auth_cache_get(l->cache, 9, "jti9", &out));
    auth_cache_stats_t st;
    auth_cache_stats(l->cache, &st);
    assert_int_equal(st.stale_fills, 1);
}

static void test_cache_hears_other_connections(void **state)
{
    live_t *l = *state;
    if (!l->url)
        skip();
    auth_account_t a = account(true), out;
    auth_cache_put(l->cache, auth_cache_ticket(l->cache), 11, "jti11", &a);
    auth_cache_put(l->cache, auth_cache_ticket(l->cache), 12, "jti12", &a);
    PGconn *pg = PQconnectdb(l->url);
    assert_int_equal(PQstatus(pg), CONNECTION_OK);
    PQclear(PQexec(pg, "NOTIFY " DB_NOTIFY_CHANNEL ", 'user:11'"));
    EVENTUALLY(!auth_cache_get(l->cache, 11, "jti11", &out));
    assert_true(auth_cache_get(l->cache, 12, "jti12", &out));
    /* a rolled-back transaction publishes nothing */
    PQclear(PQexec(pg, "BEGIN; NOTIFY " DB_NOTIFY_CHANNEL ", 'user:12'; ROLLBACK"));
    PQclear(PQexec(pg, "NOTIFY " DB_NOTIFY_CHANNEL ", 'jti:unrelated'"));
    db_notify_stats_t ns;
    EVENTUALLY((db_notify_stats(l->bus, &ns), ns.messages >= 2));
    assert_true(auth_cache_get(l->cache, 12, "jti12", &out));
    /* the listener's connection ended by the server: everything forgotten,
     * then listening again */
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = "
             "'loopin-notify-%d'",
             (int)getpid());
    PQclear(PQexec(pg, sql));
    EVENTUALLY((db_notify_stats(l->bus, &ns), ns.losses == 1));
    assert_false(auth_cache_get(l->cache, 12, "jti12", &out));
    EVENTUALLY(db_notify_live(l->bus));
    db_notify_stats(l->bus, &ns);
    assert_int_equal(ns.connects, 2);
    auth_cache_put(l->cache, auth_cache_ticket(l->cache), 12, "jti12", &a);
    assert_true(auth_cache_get(l->cache, 12, "jti12", &out));
    PQfinish(pg);
}

int main(void)
{
    const struct CMUnitTest lru_tests[] = {
        cmocka_unit_test(test_lru_get_put_replace_remove),
        cmocka_unit_test(test_lru_evicts_least_recently_used),
        cmocka_unit_test(test_lru_bounded_under_churn),
        cmocka_unit_test(test_lru_refuses_long_keys_and_bad_sizes),
        cmocka_unit_test(test_cache_without_bus_always_misses),
    };
    const struct CMUnitTest live_tests[] = {
        cmocka_unit_test_setup_teardown(test_cache_hits_and_forgets, live_setup, live_teardown),
        cmocka_unit_test_setup_teardown(test_cache_drops_a_fill_that_raced_an_invalidation,
                                        live_setup, live_teardown),
        cmocka_unit_test_setup_teardown(test_cache_hears_other_connections, live_setup,
                                        live_teardown),
    };
    return cmocka_run_group_tests_name("lru", lru_tests, NULL, NULL) |
           cmocka_run_group_tests_name("auth_cache", live_tests, NULL, NULL);
}
