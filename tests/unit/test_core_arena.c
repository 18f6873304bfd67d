/*
 * test_core_arena.c: core/arena: zeroed, aligned, non-overlapping
 * allocations across chunk boundaries, big allocations that do not waste the
 * head chunk, the string helpers, release in one step, and the promise that
 * an impossible size aborts instead of returning a too-small block.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/arena.h"

static int arena_setup(void **state)
{
    arena_t *a = malloc(sizeof *a);
    if (!a)
        return -1;
    arena_init(a);
    *state = a;
    return 0;
}

static int arena_teardown(void **state)
{
    arena_t *a = *state;
    arena_free(a);
    free(a);
    return 0;
}

static bool all_zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

/* ---- init and free --------------------------------------------------------- */

static void test_init_is_empty(void **state)
{
    (void)state;
    arena_t a;
    a.head = (arena_chunk_t *)&a; /* garbage that init must clear */
    a.total = 99;
    arena_init(&a);
    assert_null(a.head);
    assert_int_equal(a.total, 0);
}

static void test_free_resets_and_arena_is_reusable(void **state)
{
    arena_t *a = *state;
    arena_alloc(a, 100);
    arena_alloc(a, 100000);
    arena_free(a);
    assert_null(a->head);
    assert_int_equal(a->total, 0);
    char *s = arena_strdup(a, "again");
    assert_string_equal(s, "again");
}

static void test_free_of_empty_arena_and_double_free_are_safe(void **state)
{
    (void)state;
    arena_t a;
    arena_init(&a);
    arena_free(&a);
    arena_free(&a);
    assert_null(a.head);
}

/* ---- arena_alloc ----------------------------------------------------------- */

static void test_alloc_returns_zeroed_memory(void **state)
{
    arena_t *a = *state;
    /* dirty a chunk, free it, and allocate again: the new memory is zeroed */
    unsigned char *p = arena_alloc(a, 1000);
    memset(p, 0xab, 1000);
    arena_free(a);
    for (int i = 0; i < 50; i++) {
        unsigned char *q = arena_alloc(a, 1000);
        assert_true(all_zero(q, 1000));
        memset(q, 0xcd, 1000);
    }
}

static void test_alloc_zero_returns_distinct_pointers(void **state)
{
    arena_t *a = *state;
    void *p = arena_alloc(a, 0);
    void *q = arena_alloc(a, 0);
    assert_non_null(p);
    assert_non_null(q);
    assert_ptr_not_equal(p, q);
}

static void test_alloc_is_16_byte_aligned(void **state)
{
    arena_t *a = *state;
    static const size_t sizes[] = {1, 3, 7, 15, 16, 17, 31, 33, 100, 4095, 4096, 70000, 5};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        void *p = arena_alloc(a, sizes[i]);
        assert_int_equal((uintptr_t)p % 16, 0);
    }
}

static void test_total_counts_rounded_bytes(void **state)
{
    arena_t *a = *state;
    arena_alloc(a, 1);
    assert_int_equal(a->total, 16);
    arena_alloc(a, 16);
    assert_int_equal(a->total, 32);
    arena_alloc(a, 17);
    assert_int_equal(a->total, 64);
    arena_alloc(a, 0);
    assert_int_equal(a->total, 80);
}

static void test_total_counts_big_allocations(void **state)
{
    arena_t *a = *state;
    arena_alloc(a, 10);
    arena_alloc(a, 100000);
    assert_int_equal(a->total, 16 + 100000);
}

static void test_allocations_do_not_overlap_across_chunks(void **state)
{
    arena_t *a = *state;
    enum { N = 3000 };
    unsigned char *ptrs[N];
    size_t sizes[N];
    for (int i = 0; i < N; i++) {
        sizes[i] = (size_t)(i % 97) + 1;
        ptrs[i] = arena_alloc(a, sizes[i]);
        memset(ptrs[i], i & 0xff, sizes[i]);
    }
    for (int i = 0; i < N; i++)
        for (size_t j = 0; j < sizes[i]; j++)
            assert_int_equal(ptrs[i][j], i & 0xff);
}

static void test_allocation_larger_than_first_chunk(void **state)
{
    arena_t *a = *state;
    unsigned char *p = arena_alloc(a, 10000);
    assert_true(all_zero(p, 10000));
    memset(p, 1, 10000);
    unsigned char *q = arena_alloc(a, 10);
    memset(q, 2, 10);
    assert_int_equal(p[9999], 1);
}

static void test_big_first_allocation(void **state)
{
    arena_t *a = *state;
    unsigned char *p = arena_alloc(a, 200000);
    assert_non_null(p);
    assert_true(all_zero(p, 200000));
    memset(p, 0x5a, 200000);
    char *s = arena_strdup(a, "after");
    assert_string_equal(s, "after");
    assert_int_equal(p[199999], 0x5a);
}

static void test_big_allocation_keeps_head_serving_small_ones(void **state)
{
    arena_t *a = *state;
    unsigned char *small1 = arena_alloc(a, 16);
    unsigned char *big = arena_alloc(a, 65536);
    unsigned char *small2 = arena_alloc(a, 16);
    /* the big block got its own chunk; the head's free space continues */
    assert_ptr_equal(small2, small1 + 16);
    assert_true(big + 65536 <= small1 || big >= small2 + 16);
    memset(big, 0xee, 65536);
    assert_true(all_zero(small1, 16));
    assert_true(all_zero(small2, 16));
}

static void test_many_big_allocations_are_independent(void **state)
{
    arena_t *a = *state;
    unsigned char *blocks[8];
    for (int i = 0; i < 8; i++) {
        blocks[i] = arena_alloc(a, 70000);
        memset(blocks[i], i + 1, 70000);
    }
    for (int i = 0; i < 8; i++) {
        assert_int_equal(blocks[i][0], i + 1);
        assert_int_equal(blocks[i][69999], i + 1);
    }
}

/* Runs fn in a child and reports whether it came back normally. */
static bool returns_normally(void (*fn)(void))
{
    pid_t pid = fork();
    if (pid < 0)
        fail_msg("fork failed");
    if (pid == 0) {
        signal(SIGABRT, SIG_DFL); /* not cmocka's handler in the child */
        fn();
        _exit(42);
    }
    int status = 0;
    if (waitpid(pid, &status, 0) != pid)
        fail_msg("waitpid failed");
    return WIFEXITED(status) && WEXITSTATUS(status) == 42;
}

static void alloc_size_max(void)
{
    arena_t a;
    arena_init(&a);
    (void)arena_alloc(&a, SIZE_MAX);
}

static void alloc_size_max_minus_8(void)
{
    arena_t a;
    arena_init(&a);
    (void)arena_alloc(&a, SIZE_MAX - 8);
}

static void alloc_huge_after_small(void)
{
    arena_t a;
    arena_init(&a);
    (void)arena_alloc(&a, 8);
    (void)arena_alloc(&a, SIZE_MAX - 3);
}

/* "Never returns NULL: aborts on out-of-memory". A size whose rounding to 16
 * wraps around must not come back as a tiny block the caller overruns. */
static void test_alloc_of_impossible_size_aborts(void **state)
{
    (void)state;
    assert_false(returns_normally(alloc_size_max));
    assert_false(returns_normally(alloc_size_max_minus_8));
    assert_false(returns_normally(alloc_huge_after_small));
}

/* ---- string helpers --------------------------------------------------------- */

static void test_strdup_copies(void **state)
{
    arena_t *a = *state;
    char src[] = "hello";
    char *s = arena_strdup(a, src);
    assert_string_equal(s, "hello");
    assert_ptr_not_equal(s, src);
    src[0] = 'j';
    assert_string_equal(s, "hello");
}

static void test_strdup_null_is_null(void **state)
{
    arena_t *a = *state;
    assert_null(arena_strdup(a, NULL));
}

static void test_strdup_empty(void **state)
{
    arena_t *a = *state;
    char *s = arena_strdup(a, "");
    assert_non_null(s);
    assert_string_equal(s, "");
}

static void test_strndup_stops_at_n_and_terminates(void **state)
{
    arena_t *a = *state;
    char *s = arena_strndup(a, "abcdef", 3);
    assert_string_equal(s, "abc");
}

static void test_strndup_copies_embedded_nul(void **state)
{
    arena_t *a = *state;
    char *s = arena_strndup(a, "ab\0cd", 5);
    assert_memory_equal(s, "ab\0cd", 6);
}

static void test_strndup_does_not_read_past_n(void **state)
{
    arena_t *a = *state;
    char *buf = malloc(4); /* not NUL-terminated: ASan catches an over-read */
    assert_non_null(buf);
    memcpy(buf, "wxyz", 4);
    char *s = arena_strndup(a, buf, 4);
    free(buf);
    assert_string_equal(s, "wxyz");
}

static void test_printf_formats(void **state)
{
    arena_t *a = *state;
    char *s = arena_printf(a, "%s-%d-%c-%lld", "evt", 42, 'x', -9000000000LL);
    assert_string_equal(s, "evt-42-x--9000000000");
}

static void test_printf_long_output(void **state)
{
    arena_t *a = *state;
    char piece[3001];
    memset(piece, 'k', 3000);
    piece[3000] = '\0';
    char *s = arena_printf(a, "%s|%s", piece, piece);
    assert_int_equal(strlen(s), 6001);
    assert_int_equal(s[3000], '|');
    assert_int_equal(s[6000], 'k');
}

static void test_printf_empty_result(void **state)
{
    arena_t *a = *state;
    char *s = arena_printf(a, "%s", "");
    assert_non_null(s);
    assert_string_equal(s, "");
}

static char *call_vprintf(arena_t *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *call_vprintf(arena_t *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = arena_vprintf(a, fmt, ap);
    va_end(ap);
    return s;
}

static void test_vprintf_formats(void **state)
{
    arena_t *a = *state;
    assert_string_equal(call_vprintf(a, "%u/%s", 7u, "x"), "7/x");
}

static void test_strings_survive_later_allocations(void **state)
{
    arena_t *a = *state;
    char *first = arena_strdup(a, "first");
    for (int i = 0; i < 2000; i++)
        arena_printf(a, "filler %d", i);
    arena_alloc(a, 300000);
    assert_string_equal(first, "first");
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, arena_setup, arena_teardown)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_is_empty),
        T(test_free_resets_and_arena_is_reusable),
        cmocka_unit_test(test_free_of_empty_arena_and_double_free_are_safe),
        T(test_alloc_returns_zeroed_memory),
        T(test_alloc_zero_returns_distinct_pointers),
        T(test_alloc_is_16_byte_aligned),
        T(test_total_counts_rounded_bytes),
        T(test_total_counts_big_allocations),
        T(test_allocations_do_not_overlap_across_chunks),
        T(test_allocation_larger_than_first_chunk),
        T(test_big_first_allocation),
        T(test_big_allocation_keeps_head_serving_small_ones),
        T(test_many_big_allocations_are_independent),
        cmocka_unit_test(test_alloc_of_impossible_size_aborts),
        T(test_strdup_copies),
        T(test_strdup_null_is_null),
        T(test_strdup_empty),
        T(test_strndup_stops_at_n_and_terminates),
        T(test_strndup_copies_embedded_nul),
        T(test_strndup_does_not_read_past_n),
        T(test_printf_formats),
        T(test_printf_long_output),
        T(test_printf_empty_result),
        T(test_vprintf_formats),
        T(test_strings_survive_later_allocations),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
