/* Unit tests: the invoice state people read (issue 12, "Invoice balance"): paid, partially paid,
 * open, overdue (a balance past the due date, a partially paid invoice too), void. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "services/payment_views.h"

static void test_paid_whatever_the_day(void **state)
{
    (void)state;
    assert_string_equal(invoice_shown_state("paid", 10000, 10000, "2026-01-31", "2026-12-05"),
                        "paid");
    assert_string_equal(invoice_shown_state("paid", 10000, 10000, "2026-12-31", "2026-12-05"),
                        "paid");
    /* Nothing to pay (an invoice of 0) is paid, not open. */
    assert_string_equal(invoice_shown_state("open", 0, 0, "2026-01-31", "2026-12-05"), "paid");
}

static void test_open_and_partially_paid_before_due(void **state)
{
    (void)state;
    assert_string_equal(invoice_shown_state("open", 10000, 0, "2026-12-31", "2026-12-05"), "open");
    assert_string_equal(
        invoice_shown_state("partially_paid", 10000, 2500, "2026-12-31", "2026-12-05"),
        "partially_paid");
}

static void test_due_today_is_not_overdue(void **state)
{
    (void)state;
    assert_string_equal(invoice_shown_state("open", 10000, 0, "2026-12-05", "2026-12-05"), "open");
    assert_string_equal(invoice_shown_state("partially_paid", 10000, 1, "2026-12-05", "2026-12-05"),
                        "partially_paid");
}

static void test_overdue_with_a_balance_past_due(void **state)
{
    (void)state;
    assert_string_equal(invoice_shown_state("open", 10000, 0, "2026-12-04", "2026-12-05"),
                        "overdue");
    /* Partly paid and past due: still overdue. */
    assert_string_equal(
        invoice_shown_state("partially_paid", 10000, 9999, "2025-12-31", "2026-12-05"), "overdue");
    /* Across a month and a year, as texts compare. */
    assert_string_equal(invoice_shown_state("open", 10000, 0, "2025-12-31", "2026-01-01"),
                        "overdue");
}

static void test_void_stays_void(void **state)
{
    (void)state;
    assert_string_equal(invoice_shown_state("void", 10000, 0, "2020-01-01", "2026-12-05"), "void");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paid_whatever_the_day),
        cmocka_unit_test(test_open_and_partially_paid_before_due),
        cmocka_unit_test(test_due_today_is_not_overdue),
        cmocka_unit_test(test_overdue_with_a_balance_past_due),
        cmocka_unit_test(test_void_stays_void),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
