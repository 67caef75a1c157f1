/* Unit tests: the PostgreSQL array literals of the bill run's multi-row statements
 * (store/sql_array.c): integers as they are, texts always quoted with '"' and '\' escaped, SQL
 * NULL unquoted, and a NUL byte refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "store/sql_array.h"

#include <string.h>

static void test_01_integers(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    sql_array_t arr;
    sql_array_init(&arr, a);
    assert_string_equal(sql_array_text_of(&arr), "{}");
    sql_array_clear(&arr);
    sql_array_add_int(&arr, 1);
    sql_array_add_int(&arr, -42);
    sql_array_add_int(&arr, INT64_MAX);
    sql_array_add_int(&arr, INT64_MIN);
    assert_int_equal(arr.n, 4);
    assert_string_equal(sql_array_text_of(&arr),
                        "{1,-42,9223372036854775807,-9223372036854775808}");
    arena_free(a);
}

static void test_02_texts_are_quoted_and_escaped(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    sql_array_t arr;
    sql_array_init(&arr, a);
    sql_array_add_text(&arr, "plain");
    sql_array_add_text(&arr, "");
    sql_array_add_text(&arr, "a, b");
    sql_array_add_text(&arr, "{braces}");
    sql_array_add_text(&arr, "say \"hi\"");
    sql_array_add_text(&arr, "C:\\dir\\");
    sql_array_add_text(&arr, "\\\"");
    sql_array_add_text(&arr, "NULL");
    sql_array_add_text(&arr, "  spaces  ");
    sql_array_add_text(&arr, "line\nbreak");
    sql_array_add_text(&arr, "Société Générale, 1er étage");
    assert_string_equal(sql_array_text_of(&arr),
                        "{\"plain\",\"\",\"a, b\",\"{braces}\",\"say \\\"hi\\\"\","
                        "\"C:\\\\dir\\\\\",\"\\\\\\\"\",\"NULL\",\"  spaces  \","
                        "\"line\nbreak\",\"Société Générale, 1er étage\"}");
    arena_free(a);
}

static void test_03_null_is_sql_null(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    sql_array_t arr;
    sql_array_init(&arr, a);
    sql_array_add_text(&arr, NULL);
    sql_array_add_text(&arr, "x");
    sql_array_add_text(&arr, NULL);
    assert_string_equal(sql_array_text_of(&arr), "{NULL,\"x\",NULL}");
    arena_free(a);
}

static void test_04_a_nul_byte_is_refused(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    sql_array_t arr;
    sql_array_init(&arr, a);
    assert_true(sql_array_add_text_n(&arr, "ab\"c", 4));
    assert_false(sql_array_add_text_n(&arr, "a\0b", 3));
    assert_true(sql_array_add_text_n(&arr, "xyz", 2)); /* only the bytes asked for */
    assert_int_equal(arr.n, 2);
    assert_string_equal(sql_array_text_of(&arr), "{\"ab\\\"c\",\"xy\"}");
    arena_free(a);
}

static void test_05_clear_starts_again_and_grows_past_its_first_block(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    sql_array_t arr;
    sql_array_init(&arr, a);
    sql_array_add_text(&arr, "old");
    (void)sql_array_text_of(&arr);
    sql_array_clear(&arr);
    char big[3000];
    memset(big, '"', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    sql_array_add_text(&arr, big);
    const char *t = sql_array_text_of(&arr);
    assert_int_equal(strlen(t), 2 + 2 + 2 * (sizeof big - 1));
    assert_memory_equal(t, "{\"\\\"\\\"", 6);
    assert_string_equal(t + strlen(t) - 4, "\\\"\"}");
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_01_integers),
        cmocka_unit_test(test_02_texts_are_quoted_and_escaped),
        cmocka_unit_test(test_03_null_is_sql_null),
        cmocka_unit_test(test_04_a_nul_byte_is_refused),
        cmocka_unit_test(test_05_clear_starts_again_and_grows_past_its_first_block),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
