/* Unit tests: the check that keeps the language switcher's redirect on this site
 * (src/http/local_target.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "http/local_target.h"

static arena_t *A;

static int setup(void **state)
{
    (void)state;
    A = arena_new();
    return A ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    arena_free(A);
    A = NULL;
    return 0;
}

/* A route table of three pages, one with a '*' segment. */
static bool known(const char *path)
{
    return strcmp(path, "/") == 0 || strcmp(path, "/corporate") == 0 ||
           strcmp(path, "/corporate/reset") == 0 || strncmp(path, "/corporate/invoices/", 20) == 0;
}

static void assert_refused(const char *next)
{
    const char *t = local_target(A, next, known);
    if (t) fail_msg("expected \"%s\" to be refused, got \"%s\"", next ? next : "(null)", t);
}

static void assert_target(const char *next, const char *expected)
{
    const char *t = local_target(A, next, known);
    if (!t || strcmp(t, expected) != 0)
        fail_msg("for \"%s\" expected \"%s\", got \"%s\"", next, expected, t ? t : "(refused)");
}

static void test_local_pages_pass(void **state)
{
    (void)state;
    assert_target("/", "/");
    assert_target("/corporate", "/corporate");
    assert_target("/corporate/invoices/INV-2026-0001", "/corporate/invoices/INV-2026-0001");
    assert_target("/corporate/reset?token=abc_DEF-123", "/corporate/reset?token=abc_DEF-123");
    assert_target("/corporate?user_id=ann%40example.com&failed=1",
                  "/corporate?user_id=ann%40example.com&failed=1");
    assert_target("/corporate#top", "/corporate");
}

static void test_control_characters_refused(void **state)
{
    (void)state;
    assert_refused("/\t/evil.example/corporate");
    assert_refused("/corporate\r\nSet-Cookie: x=1");
    assert_refused("/corporate\n");
    assert_refused("/corpo\x7frate");
    assert_refused("/corporate ");
    /* encoded forms, once decoded */
    assert_refused("/%09/evil.example/corporate");
    assert_refused("/corporate%0d%0aSet-Cookie:x=1");
    assert_refused("/corporate%7F");
    assert_refused("/corporate%00");
}

static void test_backslash_and_authority_refused(void **state)
{
    (void)state;
    assert_refused("/\\evil.example");
    assert_refused("/%5Cevil.example");
    assert_refused("/%09%5Cevil.example");
    assert_refused("//evil.example");
    assert_refused("//evil.example/corporate");
    assert_refused("/%2F/evil.example");
    assert_refused("/%2fevil.example");
    assert_refused("https://evil.example/corporate");
    assert_refused("evil.example/corporate");
    assert_refused("javascript:alert(1)");
    assert_refused("");
    assert_refused(NULL);
}

static void test_malformed_unknown_and_overlong_refused(void **state)
{
    (void)state;
    assert_refused("/corporate%");
    assert_refused("/corporate%4");
    assert_refused("/corporate%zz");
    assert_refused("/nowhere");
    assert_refused("/corporate/");
    assert_refused("/corporate/r\xc3\xa9set");
    char long_next[LOCAL_TARGET_MAX + 2];
    memcpy(long_next, "/corporate?x=", 13);
    memset(long_next + 13, 'a', sizeof long_next - 14);
    long_next[sizeof long_next - 1] = '\0';
    assert_refused(long_next);
    long_next[LOCAL_TARGET_MAX] = '\0'; /* exactly the limit: accepted */
    assert_target(long_next, long_next);
}

static void test_unsafe_query_dropped(void **state)
{
    (void)state;
    assert_target("/corporate?x=%0d%0aLocation:%20//evil", "/corporate");
    assert_target("/corporate?x=a\tb", "/corporate");
    assert_target("/corporate?x=%5C", "/corporate");
    assert_target("/corporate?x=%zz", "/corporate");
    assert_target("/corporate?", "/corporate");
    assert_target("/corporate?x=1+2", "/corporate?x=1+2");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_local_pages_pass, setup, teardown),
        cmocka_unit_test_setup_teardown(test_control_characters_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backslash_and_authority_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed_unknown_and_overlong_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_unsafe_query_dropped, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
