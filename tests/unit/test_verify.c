/* Unit tests: cobro verify's table of rules (names unique and known to the report), a new
 * database breaking none, and the report keeping at most max_findings while counting them all. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "services/verify.h"
#include "store/store.h"
#include "util/token.h"
#include "store_fixture.h"

#include <stdio.h>
#include <string.h>

static void test_01_rule_names_are_unique_words(void **state)
{
    (void)state;
    size_t n = 0;
    const char *const *names = store_verify_checks(&n);
    assert_true(n >= 17);
    for (size_t i = 0; i < n; i++) {
        assert_non_null(names[i]);
        assert_true(strlen(names[i]) > 0);
        assert_int_equal(strspn(names[i], "abcdefghijklmnopqrstuvwxyz_"), strlen(names[i]));
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(names[i], names[j]);
    }
}

static void test_02_a_new_database_breaks_no_rule(void **state)
{
    (void)state;
    char path[64];
    store_t *s = fixture_store_new(path, "verify-new");
    arena_t *a = arena_new();
    verify_report_t rep;
    assert_true(verify_database(s, a, 1774951200, 10, &rep));
    size_t n_checks = 0;
    store_verify_checks(&n_checks);
    assert_int_equal(rep.n_checks, n_checks);
    assert_int_equal(rep.total, 0);
    assert_int_equal(rep.n, 0);
    arena_free(a);
    fixture_store_drop(s, path);
}

static void test_03_findings_beyond_the_limit_are_counted(void **state)
{
    (void)state;
    char path[64];
    store_t *s = fixture_store_new(path, "verify-limit");
    for (int i = 0; i < 3; i++) {
        email_t m = {
            .kind = "carrier_pigeon", .to_addr = "a@example.com", .subject = "s", .body_text = "b"};
        assert_int_equal(store_outbox_add(s, &m, 1774951200, NULL), STORE_OK);
    }
    arena_t *a = arena_new();
    verify_report_t rep;
    assert_true(verify_database(s, a, 1774951200, 2, &rep));
    assert_int_equal(rep.total, 3);
    assert_int_equal(rep.n, 2);
    for (size_t i = 0; i < rep.n; i++) {
        char want[80];
        snprintf(want, sizeof want, "email %zu: unknown kind 'carrier_pigeon'", i + 1);
        assert_string_equal(rep.findings[i].check, "outbox_kind");
        assert_string_equal(rep.findings[i].message, want);
    }
    arena_free(a);
    fixture_store_drop(s, path);
}

int main(void)
{
    assert_true(token_init());
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_01_rule_names_are_unique_words),
        cmocka_unit_test(test_02_a_new_database_breaks_no_rule),
        cmocka_unit_test(test_03_findings_beyond_the_limit_are_counted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
