/* Proration of changes during a period: days across month ends and leap years, the credit for what
 * was charged, several changes in one period, currencies without and with cents. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "billing/proration.h"

static date_t D(int y, int m, int d)
{
    return (date_t){y, m, d};
}

/* 5 seats at 14.00 renewed for 5 Dec 2026 - 5 Jan 2027 (31 days); 8 seats from 12 Dec: 24 days
 * left. Charge 112.00 x 24/31 = 86.709... -> 86.71; credit 70.00 x 24/31 = 54.193... -> 54.19. */
static void test_01_more_seats_in_december(void **state)
{
    (void)state;
    charged_span_t paid = {D(2026, 12, 5), D(2027, 1, 5), 7000};
    int64_t credit = -1;
    assert_true(proration_credit(&paid, D(2026, 12, 12), &credit));
    assert_int_equal(credit, 5419);
    proration_t p;
    assert_true(
        proration_charge(11200, D(2026, 12, 5), D(2027, 1, 5), D(2026, 12, 12), credit, &p));
    assert_int_equal(p.days, 24);
    assert_int_equal(p.term_days, 31);
    assert_int_equal(p.charge, 8671);
    assert_int_equal(p.credit, 5419);
    assert_int_equal(p.amount, 8671 - 5419);
}

/* A monthly period anchored on the 31st: 31 Jan - 28 Feb 2027 has 28 days, 31 Jan - 29 Feb 2028
 * has 29; a change on 14 Feb leaves 14 and 15 days. */
static void test_02_february_after_the_31st(void **state)
{
    (void)state;
    proration_t p;
    assert_true(proration_charge(2900, D(2027, 1, 31), D(2027, 2, 28), D(2027, 2, 14), 0, &p));
    assert_int_equal(p.term_days, 28);
    assert_int_equal(p.days, 14);
    assert_int_equal(p.charge, 1450);
    assert_true(proration_charge(2900, D(2028, 1, 31), D(2028, 2, 29), D(2028, 2, 14), 0, &p));
    assert_int_equal(p.term_days, 29);
    assert_int_equal(p.days, 15);
    assert_int_equal(p.charge, 1500);
    /* The last day of a period still has one day to charge. */
    assert_true(proration_charge(2900, D(2028, 1, 31), D(2028, 2, 29), D(2028, 2, 28), 0, &p));
    assert_int_equal(p.days, 1);
    assert_int_equal(p.charge, 100);
}

/* An annual term counts the calendar's days: 366 across 29 Feb 2028, 365 otherwise. */
static void test_03_leap_years(void **state)
{
    (void)state;
    proration_t p;
    assert_true(proration_charge(36600, D(2028, 1, 1), D(2029, 1, 1), D(2028, 3, 1), 0, &p));
    assert_int_equal(p.term_days, 366);
    assert_int_equal(p.days, 306);
    assert_int_equal(p.charge, 30600);
    assert_true(proration_charge(36500, D(2027, 1, 1), D(2028, 1, 1), D(2027, 3, 1), 0, &p));
    assert_int_equal(p.term_days, 365);
    assert_int_equal(p.days, 306);
    assert_int_equal(p.charge, 30600);
    /* A term from 29 Feb 2028 to 28 Feb 2029 (the anchor kept): 365 days. */
    assert_true(proration_charge(36500, D(2028, 2, 29), D(2029, 2, 28), D(2028, 2, 29), 0, &p));
    assert_int_equal(p.term_days, 365);
    assert_int_equal(p.days, 365);
    assert_int_equal(p.charge, 36500);
}

/* The credit: all of it on or before the first day charged, none on or after the end, else by the
 * days left. */
static void test_04_credit_bounds(void **state)
{
    (void)state;
    charged_span_t paid = {D(2027, 1, 31), D(2027, 2, 28), 2800};
    int64_t c = -1;
    assert_true(proration_credit(&paid, D(2027, 1, 31), &c));
    assert_int_equal(c, 2800);
    assert_true(proration_credit(&paid, D(2027, 1, 1), &c));
    assert_int_equal(c, 2800);
    assert_true(proration_credit(&paid, D(2027, 2, 28), &c));
    assert_int_equal(c, 0);
    assert_true(proration_credit(&paid, D(2027, 2, 27), &c));
    assert_int_equal(c, 100);
    charged_span_t empty = {D(2027, 2, 28), D(2027, 2, 28), 100};
    assert_false(proration_credit(&empty, D(2027, 2, 1), &c));
    charged_span_t negative = {D(2027, 1, 31), D(2027, 2, 28), -1};
    assert_false(proration_credit(&negative, D(2027, 2, 1), &c));
}

/* Several changes in one period: each credits what the one before it charged for the days left,
 * never more, and two on one day credit the first's charge in full. Over every pair of days of a
 * 31-day period, the account pays seats x price for the days each configuration ran, to within a
 * cent per change. */
static void test_05_several_changes_in_one_period(void **state)
{
    (void)state;
    date_t start = D(2026, 12, 5), end = D(2027, 1, 5);
    int64_t unit = 1400;
    for (int a = 0; a < 31; a++)
        for (int b = a; b < 31; b++) {
            date_t first = date_add_days(start, a), second = date_add_days(start, b);
            charged_span_t paid = {start, end, 5 * unit};
            int64_t credit;
            proration_t p1, p2;
            assert_true(proration_credit(&paid, first, &credit));
            assert_true(proration_charge(8 * unit, start, end, first, credit, &p1));
            charged_span_t after_first = {first, end, p1.charge};
            assert_true(proration_credit(&after_first, second, &credit));
            assert_true(credit <= p1.charge);
            if (a == b) assert_int_equal(credit, p1.charge);
            assert_true(proration_charge(10 * unit, start, end, second, credit, &p2));
            /* What the period cost in all: 5 seats for a days, 8 for b - a, 10 for the rest. */
            int64_t paid_total = 5 * unit + p1.amount + p2.amount;
            int64_t exact_x31 = 5 * unit * a + 8 * unit * (b - a) + 10 * unit * (31 - b);
            int64_t diff = paid_total * 31 - exact_x31;
            assert_true(diff >= -3 * 31 && diff <= 3 * 31);
        }
}

/* Currencies: no minor unit (JPY) rounds to whole yen, half away from zero; three decimals (KWD)
 * keep theirs; the arithmetic is the same integers. */
static void test_06_currencies_and_rounding(void **state)
{
    (void)state;
    proration_t p;
    /* 3 yen over 2 days, from the second day: 1.5 -> 2. */
    assert_true(proration_charge(3, D(2027, 3, 1), D(2027, 3, 3), D(2027, 3, 2), 0, &p));
    assert_int_equal(p.charge, 2);
    /* 7,000 yen (5 seats x 1,400) for 24 of 31 days: 5,419.35 -> 5,419. */
    charged_span_t paid = {D(2026, 12, 5), D(2027, 1, 5), 7000};
    int64_t c;
    assert_true(proration_credit(&paid, D(2026, 12, 12), &c));
    assert_int_equal(c, 5419);
    /* KWD 12.345 x 3 seats for 10 of 30 days: 12.345 exactly. */
    assert_true(proration_charge(37035, D(2027, 4, 1), D(2027, 5, 1), D(2027, 4, 21), 0, &p));
    assert_int_equal(p.charge, 12345);
}

/* What cannot be prorated is refused: a day outside the term, an empty term, negative amounts, a
 * credit above the charge (a change that lowers what is paid waits for the renewal), overflow. */
static void test_07_refused(void **state)
{
    (void)state;
    proration_t p;
    date_t s = D(2027, 1, 1), e = D(2027, 2, 1);
    assert_false(proration_charge(100, s, e, D(2026, 12, 31), 0, &p));
    assert_false(proration_charge(100, s, e, e, 0, &p));
    assert_false(proration_charge(100, e, s, D(2027, 1, 15), 0, &p));
    assert_false(proration_charge(-1, s, e, D(2027, 1, 15), 0, &p));
    assert_false(proration_charge(100, s, e, D(2027, 1, 15), -1, &p));
    assert_false(proration_charge(3100, s, e, D(2027, 1, 2), 3001, &p));
    assert_true(proration_charge(3100, s, e, D(2027, 1, 2), 3000, &p));
    assert_int_equal(p.amount, 0);
    /* days never exceed term_days, so the charge never exceeds the term's amount: the largest
     * amount goes through whole on the first day (the 128-bit intermediate holds the product). */
    assert_true(proration_charge(INT64_MAX, s, e, s, 0, &p));
    assert_true(p.charge == INT64_MAX);
    assert_true(proration_charge(INT64_MAX, s, e, D(2027, 1, 31), 0, &p));
    assert_true(p.charge == (int64_t)(((__int128)INT64_MAX * 2 + 31) / 62));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_01_more_seats_in_december),
        cmocka_unit_test(test_02_february_after_the_31st),
        cmocka_unit_test(test_03_leap_years),
        cmocka_unit_test(test_04_credit_bounds),
        cmocka_unit_test(test_05_several_changes_in_one_period),
        cmocka_unit_test(test_06_currencies_and_rounding),
        cmocka_unit_test(test_07_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
