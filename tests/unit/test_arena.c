/* Unit tests: arena_grow, the growing arrays the store reads rows into, and the arena a thread
 * keeps for its next request (src/util/arena.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "util/arena.h"

static void test_01_grows_by_doubling_and_keeps_the_items(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    int64_t *items = NULL;
    size_t n = 0, cap = 0;
    for (int64_t v = 0; v < 100; v++) {
        int64_t *before = items;
        items = arena_grow(a, items, n, &cap, sizeof *items, 4);
        if (n > 0 && n < cap && n != 4 && n != 8 && n != 16 && n != 32 && n != 64)
            assert_ptr_equal(items, before); /* room left: the same array */
        items[n++] = v;
    }
    assert_int_equal(cap, 128); /* 4, 8, 16, 32, 64, 128 */
    for (int64_t v = 0; v < 100; v++)
        assert_int_equal(items[v], v);
    arena_free(a);
}

static void test_02_room_left_returns_the_same_array(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    size_t cap = 0;
    char *first = arena_grow(a, NULL, 0, &cap, 1, 2);
    assert_int_equal(cap, 2);
    assert_ptr_equal(arena_grow(a, first, 1, &cap, 1, 2), first);
    char *bigger = arena_grow(a, first, 2, &cap, 1, 2);
    assert_int_equal(cap, 4);
    assert_ptr_not_equal(bigger, first);
    arena_free(a);
}

/* An arena freed after it grew, filled with garbage, comes back (kept by the thread) empty:
 * arena_alloc still gives zeros, and all of its first block and more can be used again. */
static void test_03_a_kept_arena_is_given_back_empty(void **state)
{
    (void)state;
    for (int round = 0; round < 3; round++) {
        arena_t *a = arena_new();
        assert_non_null(a);
        unsigned char *z = arena_alloc(a, 1000);
        for (int i = 0; i < 1000; i++)
            assert_int_equal(z[i], 0);
        memset(z, 0xAB, 1000);
        unsigned char *big = arena_alloc_raw(a, 100 * 1024); /* past the first block */
        memset(big, 0xCD, 100 * 1024);
        unsigned char *first = arena_alloc_raw(a, 20 * 1024);
        memset(first, 0xEF, 20 * 1024);
        arena_free(a);
    }
    arena_t *a = arena_new(), *b = arena_new(); /* the kept one, then a new one */
    assert_ptr_not_equal(a, b);
    char *s = arena_strdup(a, "kept"), *t = arena_strdup(b, "new");
    assert_string_equal(s, "kept");
    assert_string_equal(t, "new");
    arena_free(a);
    arena_free(b); /* one is kept, the other freed */
    arena_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_01_grows_by_doubling_and_keeps_the_items),
        cmocka_unit_test(test_02_room_left_returns_the_same_array),
        cmocka_unit_test(test_03_a_kept_arena_is_given_back_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
