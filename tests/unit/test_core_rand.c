/*
 * test_core_rand.c: the per-thread generator of core/rand.c: formats, no
 * repeats across refills and threads, uniform bounds, and a forked child
 * that does not repeat its parent's stream.
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
#include <sys/wait.h>
#include <unistd.h>

#include "core/rand.h"

static int setup(void **state)
{
    (void)state;
    return rand_init();
}

static void test_formats(void **state)
{
    (void)state;
    char hex[2 * 100 + 1], uuid[37], b62[33];
    rand_hex(hex, 100); /* more than one internal chunk */
    assert_int_equal(strlen(hex), 200);
    assert_int_equal(strspn(hex, "0123456789abcdef"), 200);
    rand_uuid(uuid);
    assert_int_equal(strlen(uuid), 36);
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23)
            assert_int_equal(uuid[i], '-');
        else
            assert_non_null(strchr("0123456789abcdef", uuid[i]));
    }
    assert_int_equal(uuid[14], '4');
    assert_non_null(strchr("89ab", uuid[19]));
    rand_base62(b62, 32);
    assert_int_equal(strlen(b62), 32);
}

/* 64-bit values over many refills (and one large request): no repeats. */
static int cmp64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void test_no_repeats(void **state)
{
    (void)state;
    enum { N = 20000 };
    uint64_t *v = malloc(N * sizeof *v);
    for (int i = 0; i < N - 200; i++)
        rand_bytes(&v[i], sizeof v[i]);
    rand_bytes(&v[N - 200], 200 * sizeof *v); /* past the buffer: straight from the OS */
    qsort(v, N, sizeof *v, cmp64);
    for (int i = 1; i < N; i++)
        assert_true(v[i] != v[i - 1]);
    free(v);
}

static void test_uniform(void **state)
{
    (void)state;
    int seen[7] = {0};
    for (int i = 0; i < 7000; i++) {
        uint32_t r = rand_uniform(7);
        assert_true(r < 7);
        seen[r]++;
    }
    for (int i = 0; i < 7; i++)
        assert_true(seen[i] > 700 && seen[i] < 1300); /* ~1000 each; 13 sigma either way */
    assert_int_equal(rand_uniform(0), 0);
    assert_int_equal(rand_uniform(1), 0);
}

static void *draw(void *arg)
{
    rand_bytes(arg, 32);
    return NULL;
}

/* Each thread has its own stream: two threads' first bytes differ. */
static void test_threads(void **state)
{
    (void)state;
    unsigned char a[32], b[32];
    pthread_t t1, t2;
    pthread_create(&t1, NULL, draw, a);
    pthread_create(&t2, NULL, draw, b);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    assert_memory_not_equal(a, b, 32);
}

/* After fork the child draws from a new key, not the parent's next bytes. */
static void test_fork(void **state)
{
    (void)state;
    unsigned char warm[8], parent[32], child[32];
    rand_bytes(warm, sizeof warm); /* the parent's buffer holds unused bytes */
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        rand_bytes(child, sizeof child);
        ssize_t w = write(fds[1], child, sizeof child);
        _exit(w == (ssize_t)sizeof child ? 0 : 1);
    }
    rand_bytes(parent, sizeof parent);
    assert_int_equal(read(fds[0], child, sizeof child), (ssize_t)sizeof child);
    int status = 0;
    waitpid(pid, &status, 0);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_memory_not_equal(parent, child, sizeof parent);
    close(fds[0]);
    close(fds[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_formats), cmocka_unit_test(test_no_repeats),
        cmocka_unit_test(test_uniform), cmocka_unit_test(test_threads),
        cmocka_unit_test(test_fork),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
