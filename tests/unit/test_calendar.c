/* Unit tests: calendar dates and the billing-period renewal rule (src/billing/calendar.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "billing/calendar.h"

#define N(a) (sizeof(a) / sizeof(a)[0])

static date_t D(int y, int m, int d)
{
    return (date_t){y, m, d};
}

static void assert_date(date_t got, int y, int m, int d)
{
    char g[11], w[11];
    date_format(got, g);
    date_format(D(y, m, d), w);
    assert_string_equal(g, w);
    assert_int_equal(got.y, y);
    assert_int_equal(got.m, m);
    assert_int_equal(got.d, d);
}

static void test_01_leap_years(void **state)
{
    (void)state;
    assert_false(is_leap_year(1900));
    assert_true(is_leap_year(2000));
    assert_true(is_leap_year(2024));
    assert_false(is_leap_year(2100));
    assert_false(is_leap_year(2026));
    assert_true(is_leap_year(2028));
    assert_true(is_leap_year(1600));
    assert_false(is_leap_year(2023));
}

static void test_02_days_in_month(void **state)
{
    (void)state;
    static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    for (int m = 1; m <= 12; m++)
        assert_int_equal(days_in_month(2026, m), len[m - 1]);
    assert_int_equal(days_in_month(2024, 2), 29);
    assert_int_equal(days_in_month(2000, 2), 29);
    assert_int_equal(days_in_month(1900, 2), 28);
    assert_int_equal(days_in_month(2100, 2), 28);
    /* Not a month at all: 0, so that no day can be valid in it. */
    assert_int_equal(days_in_month(2026, 0), 0);
    assert_int_equal(days_in_month(2026, 13), 0);
    assert_int_equal(days_in_month(2026, -1), 0);
}

static void test_03_date_parse_valid(void **state)
{
    (void)state;
    date_t d;
    assert_true(date_parse("2026-01-31", &d));
    assert_date(d, 2026, 1, 31);
    assert_true(date_parse("2024-02-29", &d));
    assert_date(d, 2024, 2, 29);
    assert_true(date_parse("1000-01-01", &d));
    assert_date(d, 1000, 1, 1);
    assert_true(date_parse("9999-12-31", &d));
    assert_date(d, 9999, 12, 31);
}

static void test_04_date_parse_strict(void **state)
{
    (void)state;
    static const char *bad[] = {
        "2026-2-1",     "2026-02-1",
        "2026-2-01",    "2026-02-30",
        "2026-02-29",   "2100-02-29",
        "2026-13-01",   "2026-00-01",
        "2026-01-00",   "2026-01-32",
        "2026-04-31",   " 2026-01-01",
        "2026-01-01 ",  "2026-01-01x",
        "2026-01-01\n", "2026/01/01",
        "20260101",     "",
        "2026",         "0999-12-31",
        "0000-01-01",   "-026-01-01",
        "+2026-01-01",  "2026-+1-01",
        "2026-01--1",   "\357\274\222026-01-01" /* fullwidth 2 */,
        "2026-01-0a",   "2026-01-01T00:00:00Z",
        "26-01-01",
    };
    for (size_t i = 0; i < N(bad); i++) {
        date_t d = D(7, 7, 7);
        if (date_parse(bad[i], &d)) fail_msg("accepted \"%s\"", bad[i]);
        /* On failure the output is left alone. */
        assert_int_equal(d.y, 7);
    }
    date_t d;
    assert_false(date_parse(NULL, &d));
    assert_false(date_parse("2026-01-01", NULL));
    /* An embedded NUL ends the string: "2026-01-0" is too short. */
    assert_false(date_parse("2026-01-0\0"
                            "1",
                            &d));
}

static void test_05_date_format_round_trip(void **state)
{
    (void)state;
    char buf[11];
    date_format(D(2026, 3, 5), buf);
    assert_string_equal(buf, "2026-03-05");
    date_format(D(1000, 1, 1), buf);
    assert_string_equal(buf, "1000-01-01");
    /* Every day of a leap and a non-leap year survives format → parse → format. */
    for (int y = 2023; y <= 2024; y++)
        for (int m = 1; m <= 12; m++)
            for (int d = 1; d <= days_in_month(y, m); d++) {
                date_t in = D(y, m, d), back;
                date_format(in, buf);
                assert_int_equal(strlen(buf), 10);
                assert_true(date_parse(buf, &back));
                assert_int_equal(date_cmp(in, back), 0);
            }
    /* Nonsense never writes past the 11 bytes. */
    char guard[16];
    memset(guard, 'Z', sizeof guard);
    date_format(D(123456, -4, 1000), guard);
    assert_int_equal(strlen(guard), 10);
    assert_int_equal(guard[11], 'Z');
}

static void test_06_date_cmp(void **state)
{
    (void)state;
    assert_int_equal(date_cmp(D(2026, 1, 1), D(2026, 1, 1)), 0);
    assert_true(date_cmp(D(2026, 1, 1), D(2026, 1, 2)) < 0);
    assert_true(date_cmp(D(2026, 2, 1), D(2026, 1, 31)) > 0);
    assert_true(date_cmp(D(2025, 12, 31), D(2026, 1, 1)) < 0);
    assert_true(date_cmp(D(2027, 1, 1), D(2026, 12, 31)) > 0);
}

static void test_07_days_known_values(void **state)
{
    (void)state;
    assert_int_equal(date_to_days(D(1970, 1, 1)), 0);
    assert_int_equal(date_to_days(D(1970, 1, 2)), 1);
    assert_int_equal(date_to_days(D(1969, 12, 31)), -1);
    assert_int_equal(date_to_days(D(2000, 3, 1)), 11017);
    assert_int_equal(date_to_days(D(2000, 2, 29)), 11016);
    assert_int_equal(date_to_days(D(2000, 1, 1)), 10957);
    assert_int_equal(date_to_days(D(2026, 1, 1)), 20454);
    assert_int_equal(date_to_days(D(1900, 1, 1)), -25567);
    assert_int_equal(date_to_days(D(1, 1, 1)), -719162);
    assert_date(date_from_days(0), 1970, 1, 1);
    assert_date(date_from_days(-1), 1969, 12, 31);
    assert_date(date_from_days(11017), 2000, 3, 1);
    assert_date(date_from_days(11016), 2000, 2, 29);
    assert_date(date_from_days(-719162), 1, 1, 1);
    assert_date(date_from_days(2932896), 9999, 12, 31);
}

static void test_08_days_round_trip_every_day(void **state)
{
    (void)state;
    /* 1850-01-01 .. 2150-12-31, each day: days go up by one, the date steps by one calendar
     * day, and both conversions invert each other. */
    date_t cur = D(1850, 1, 1);
    int64_t first = date_to_days(cur), last = date_to_days(D(2150, 12, 31));
    assert_true(last - first > 200 * 365);
    for (int64_t n = first; n <= last; n++) {
        date_t got = date_from_days(n);
        if (date_cmp(got, cur) != 0)
            fail_msg("day %lld: %d-%d-%d", (long long)n, got.y, got.m, got.d);
        assert_int_equal(date_to_days(got), n);
        /* Advance cur by hand, independently of the code under test. */
        if (++cur.d > days_in_month(cur.y, cur.m)) {
            cur.d = 1;
            if (++cur.m > 12) {
                cur.m = 1;
                cur.y++;
            }
        }
    }
    assert_date(cur, 2151, 1, 1);
}

static void test_09_add_days(void **state)
{
    (void)state;
    assert_date(date_add_days(D(2026, 12, 31), 1), 2027, 1, 1);
    assert_date(date_add_days(D(2024, 2, 28), 1), 2024, 2, 29);
    assert_date(date_add_days(D(2026, 2, 28), 1), 2026, 3, 1);
    assert_date(date_add_days(D(2026, 3, 1), -1), 2026, 2, 28);
    assert_date(date_add_days(D(2026, 1, 1), 365), 2027, 1, 1);
    assert_date(date_add_days(D(2024, 1, 1), 365), 2024, 12, 31);
    assert_date(date_add_days(D(2026, 5, 17), 0), 2026, 5, 17);
}

static void test_10_date_from_unix(void **state)
{
    (void)state;
    assert_date(date_from_unix(0), 1970, 1, 1);
    assert_date(date_from_unix(86399), 1970, 1, 1);
    assert_date(date_from_unix(86400), 1970, 1, 2);
    /* One second before the epoch is still the previous day (floor, not truncation). */
    assert_date(date_from_unix(-1), 1969, 12, 31);
    assert_date(date_from_unix(-86400), 1969, 12, 31);
    assert_date(date_from_unix(-86401), 1969, 12, 30);
    assert_date(date_from_unix(951782400), 2000, 2, 29);
    assert_date(date_from_unix(1767225599), 2025, 12, 31);
    assert_date(date_from_unix(1767225600), 2026, 1, 1);
    assert_date(date_from_unix(4102444800), 2100, 1, 1);
}

static void test_11_anchor_31_through_the_year(void **state)
{
    (void)state;
    /* THE RULE: the anchor day survives short months. */
    static const date_t want[] = {
        {2026, 2, 28},  {2026, 3, 31}, {2026, 4, 30}, {2026, 5, 31},  {2026, 6, 30},
        {2026, 7, 31},  {2026, 8, 31}, {2026, 9, 30}, {2026, 10, 31}, {2026, 11, 30},
        {2026, 12, 31}, {2027, 1, 31}, {2027, 2, 28}, {2027, 3, 31},
    };
    date_t d = D(2026, 1, 31);
    for (size_t i = 0; i < N(want); i++) {
        d = period_end(d, PERIOD_MONTHLY, 31);
        assert_date(d, want[i].y, want[i].m, want[i].d);
    }
    /* 2028 is a leap year: Feb 29, then back to the 31st. */
    d = period_end(D(2028, 1, 31), PERIOD_MONTHLY, 31);
    assert_date(d, 2028, 2, 29);
    assert_date(period_end(d, PERIOD_MONTHLY, 31), 2028, 3, 31);
    /* Without the anchor the clamped day would stick: Feb 28 + 1 month is not Mar 28. */
    assert_date(date_add_months(D(2026, 2, 28), 1, 31), 2026, 3, 31);
    assert_date(date_add_months(D(2026, 2, 28), 1, 28), 2026, 3, 28);
}

static void test_12_anchor_30_and_29(void **state)
{
    (void)state;
    assert_date(date_add_months(D(2026, 1, 30), 1, 30), 2026, 2, 28);
    assert_date(date_add_months(D(2026, 2, 28), 1, 30), 2026, 3, 30);
    assert_date(date_add_months(D(2028, 1, 30), 1, 30), 2028, 2, 29);
    assert_date(date_add_months(D(2028, 2, 29), 1, 30), 2028, 3, 30);
    assert_date(date_add_months(D(2026, 3, 30), 1, 30), 2026, 4, 30);
    /* Anchor 29 in a non-leap year: Feb 28, then the 29th again. */
    assert_date(date_add_months(D(2026, 1, 29), 1, 29), 2026, 2, 28);
    assert_date(date_add_months(D(2026, 2, 28), 1, 29), 2026, 3, 29);
    assert_date(date_add_months(D(2028, 1, 29), 1, 29), 2028, 2, 29);
    /* Anchors up to 28 are never clamped. */
    for (int m = 1; m <= 12; m++)
        assert_date(date_add_months(D(2026, m, 28), 1, 28), m == 12 ? 2027 : 2026,
                    m == 12 ? 1 : m + 1, 28);
}

static void test_13_annual_from_feb_29(void **state)
{
    (void)state;
    date_t d = D(2024, 2, 29);
    d = period_end(d, PERIOD_ANNUAL, 29);
    assert_date(d, 2025, 2, 28);
    d = period_end(d, PERIOD_ANNUAL, 29);
    assert_date(d, 2026, 2, 28);
    d = period_end(d, PERIOD_ANNUAL, 29);
    assert_date(d, 2027, 2, 28);
    d = period_end(d, PERIOD_ANNUAL, 29);
    assert_date(d, 2028, 2, 29);
    /* 2100 is not a leap year; 2104 is. */
    assert_date(date_add_months(D(2096, 2, 29), 48, 29), 2100, 2, 28);
    assert_date(date_add_months(D(2096, 2, 29), 96, 29), 2104, 2, 29);
}

static void test_14_year_roll_and_large_steps(void **state)
{
    (void)state;
    assert_date(date_add_months(D(2026, 12, 15), 1, 15), 2027, 1, 15);
    assert_date(date_add_months(D(2026, 12, 31), 1, 31), 2027, 1, 31);
    assert_date(date_add_months(D(2026, 11, 30), 2, 31), 2027, 1, 31);
    assert_date(date_add_months(D(2026, 1, 15), 24, 15), 2028, 1, 15);
    assert_date(date_add_months(D(2026, 1, 15), 0, 15), 2026, 1, 15);
    assert_date(date_add_months(D(2026, 1, 31), 0, 31), 2026, 1, 31);
    assert_date(date_add_months(D(2026, 1, 31), 13, 31), 2027, 2, 28);
    assert_date(date_add_months(D(2026, 1, 31), 12 * 100 + 1, 31), 2126, 2, 28);
}

static void test_15_negative_months(void **state)
{
    (void)state;
    assert_date(date_add_months(D(2026, 3, 31), -1, 31), 2026, 2, 28);
    assert_date(date_add_months(D(2026, 1, 15), -1, 15), 2025, 12, 15);
    assert_date(date_add_months(D(2026, 1, 31), -2, 31), 2025, 11, 30);
    assert_date(date_add_months(D(2026, 1, 31), -12, 31), 2025, 1, 31);
    assert_date(date_add_months(D(2026, 1, 31), -13, 31), 2024, 12, 31);
    assert_date(date_add_months(D(2028, 3, 31), -1, 31), 2028, 2, 29);
    assert_date(date_add_months(D(2026, 1, 1), -24, 1), 2024, 1, 1);
    /* Forward then back lands on the anchor again. */
    for (int k = -30; k <= 30; k++) {
        date_t d = date_add_months(D(2026, 1, 31), k, 31);
        assert_date(date_add_months(d, -k, 31), 2026, 1, 31);
    }
}

static void test_16_hostile_anchor(void **state)
{
    (void)state;
    /* Out-of-range anchors fall back to the date's own day, never produce an invalid date. */
    assert_date(date_add_months(D(2026, 1, 15), 1, 0), 2026, 2, 15);
    assert_date(date_add_months(D(2026, 1, 31), 1, 99), 2026, 2, 28);
    assert_date(date_add_months(D(2026, 1, 31), 1, -5), 2026, 2, 28);
    assert_date(date_add_months(D(2026, 3, 31), 1, 32), 2026, 4, 30);
}

static void test_17_period_end(void **state)
{
    (void)state;
    assert_date(period_end(D(2026, 1, 15), PERIOD_MONTHLY, 15), 2026, 2, 15);
    assert_date(period_end(D(2026, 1, 31), PERIOD_MONTHLY, 31), 2026, 2, 28);
    assert_date(period_end(D(2026, 12, 1), PERIOD_MONTHLY, 1), 2027, 1, 1);
    assert_date(period_end(D(2026, 1, 15), PERIOD_ANNUAL, 15), 2027, 1, 15);
    assert_date(period_end(D(2026, 3, 31), PERIOD_ANNUAL, 31), 2027, 3, 31);
    assert_date(period_end(D(2027, 2, 28), PERIOD_ANNUAL, 31), 2028, 2, 29);
    /* The anchor, not the start day, decides: a period that started on the clamped Feb 28. */
    assert_date(period_end(D(2026, 2, 28), PERIOD_ANNUAL, 31), 2027, 2, 28);
    assert_date(period_end(D(2026, 2, 28), PERIOD_MONTHLY, 31), 2026, 3, 31);
}

static void test_18_billing_period_parse(void **state)
{
    (void)state;
    billing_period_t p = PERIOD_ANNUAL;
    assert_true(billing_period_parse("monthly", &p));
    assert_int_equal(p, PERIOD_MONTHLY);
    assert_true(billing_period_parse("annual", &p));
    assert_int_equal(p, PERIOD_ANNUAL);
    static const char *bad[] = {"",         "Monthly", "ANNUAL",   "yearly",   "month",
                                "monthly ", " annual", "annually", "annual\n", "weekly"};
    for (size_t i = 0; i < N(bad); i++) {
        p = (billing_period_t)42;
        if (billing_period_parse(bad[i], &p)) fail_msg("accepted \"%s\"", bad[i]);
        assert_int_equal(p, 42);
    }
    assert_false(billing_period_parse(NULL, &p));
    assert_false(billing_period_parse("monthly", NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_01_leap_years),
        cmocka_unit_test(test_02_days_in_month),
        cmocka_unit_test(test_03_date_parse_valid),
        cmocka_unit_test(test_04_date_parse_strict),
        cmocka_unit_test(test_05_date_format_round_trip),
        cmocka_unit_test(test_06_date_cmp),
        cmocka_unit_test(test_07_days_known_values),
        cmocka_unit_test(test_08_days_round_trip_every_day),
        cmocka_unit_test(test_09_add_days),
        cmocka_unit_test(test_10_date_from_unix),
        cmocka_unit_test(test_11_anchor_31_through_the_year),
        cmocka_unit_test(test_12_anchor_30_and_29),
        cmocka_unit_test(test_13_annual_from_feb_29),
        cmocka_unit_test(test_14_year_roll_and_large_steps),
        cmocka_unit_test(test_15_negative_months),
        cmocka_unit_test(test_16_hostile_anchor),
        cmocka_unit_test(test_17_period_end),
        cmocka_unit_test(test_18_billing_period_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
