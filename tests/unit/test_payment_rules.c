/* Unit tests: the payment rules that are plain arithmetic (src/services/payments.c): the
 * smallest card payment per currency, an invoice's state for what it has been paid, and when an
 * unknown payment is asked about again. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "services/payments.h"
#include "services/payments_internal.h"

static void test_01_minimum_is_half_a_unit(void **state)
{
    (void)state;
    assert_int_equal(payment_minimum("USD"), 50); /* 0.50 */
    assert_int_equal(payment_minimum("EUR"), 50);
    assert_int_equal(payment_minimum("KWD"), 500); /* 0.500: three decimals */
    assert_int_equal(payment_minimum("JPY"), 1);   /* half a yen: one yen, the smallest unit */
    assert_int_equal(payment_minimum("XXQ"), 50);  /* unknown: two decimals */
}

static void test_02_invoice_state_for_what_is_paid(void **state)
{
    (void)state;
    assert_string_equal(invoice_status_for(10000, 0), "open");
    assert_string_equal(invoice_status_for(10000, 1), "partially_paid");
    assert_string_equal(invoice_status_for(10000, 9999), "partially_paid");
    assert_string_equal(invoice_status_for(10000, 10000), "paid");
    assert_string_equal(invoice_status_for(0, 0), "open"); /* nothing to pay, nothing paid */
}

static void
test_03_unknown_payments_asked_after_5_minutes_an_hour_then_daily_for_a_week(void **state)
{
    (void)state;
    const int64_t now = 1800000000;
    assert_int_equal(payment_next_check(1, now), now + 5 * 60);
    assert_int_equal(payment_next_check(2, now), now + 60 * 60);
    for (int64_t checks = 3; checks <= 9; checks++)
        assert_int_equal(payment_next_check(checks, now), now + 24 * 60 * 60);
    assert_int_equal(payment_next_check(10, now), 0); /* then staff look */
    assert_int_equal(payment_next_check(50, now), 0);
}

static void test_04_idempotency_key_comes_from_our_row(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    assert_string_equal(payment_idempotency_key(a, 42), "cobro-payment-42");
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_01_minimum_is_half_a_unit),
        cmocka_unit_test(test_02_invoice_state_for_what_is_paid),
        cmocka_unit_test(
            test_03_unknown_payments_asked_after_5_minutes_an_hour_then_daily_for_a_week),
        cmocka_unit_test(test_04_idempotency_key_comes_from_our_row),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
