/* Unit tests: dunning's retry schedule (src/services/dunning.c): reading the vendor settings
 * dunning_retry_days and dunning_grace_days, the next retry's instant across month ends and leap
 * days, and which decline codes are never retried. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "billing/calendar.h"
#include "services/dunning.h"

enum { DAY = 86400 };

static void test_01_the_setting_read(void **state)
{
    (void)state;
    dunning_schedule_t s;
    assert_int_equal(dunning_schedule_parse("1,3,5,7", &s), DUNNING_DAYS_OK);
    assert_int_equal(s.n, 4);
    assert_int_equal(s.days[0], 1);
    assert_int_equal(s.days[3], 7);
    assert_int_equal(dunning_schedule_parse(" 2 , 10,365 ", &s), DUNNING_DAYS_OK);
    assert_int_equal(s.n, 3);
    assert_int_equal(s.days[2], 365);
    assert_int_equal(dunning_schedule_parse("4", &s), DUNNING_DAYS_OK);
    assert_int_equal(s.n, 1);
}

static void test_02_bad_values_refused_with_their_reason(void **state)
{
    (void)state;
    dunning_schedule_t s;
    assert_int_equal(dunning_schedule_parse("", &s), DUNNING_DAYS_EMPTY);
    assert_int_equal(dunning_schedule_parse("  ", &s), DUNNING_DAYS_EMPTY);
    assert_int_equal(dunning_schedule_parse(NULL, &s), DUNNING_DAYS_EMPTY);
    assert_int_equal(dunning_schedule_parse("1,3,", &s), DUNNING_DAYS_NOT_NUMBER);
    assert_int_equal(dunning_schedule_parse("1;3", &s), DUNNING_DAYS_NOT_NUMBER);
    assert_int_equal(dunning_schedule_parse("one", &s), DUNNING_DAYS_NOT_NUMBER);
    assert_int_equal(dunning_schedule_parse("-1,3", &s), DUNNING_DAYS_NOT_NUMBER);
    assert_int_equal(dunning_schedule_parse("1.5", &s), DUNNING_DAYS_NOT_NUMBER);
    assert_int_equal(dunning_schedule_parse("0,3", &s), DUNNING_DAYS_RANGE);
    assert_int_equal(dunning_schedule_parse("366", &s), DUNNING_DAYS_RANGE);
    assert_int_equal(dunning_schedule_parse("99999999999", &s), DUNNING_DAYS_RANGE);
    assert_int_equal(dunning_schedule_parse("3,1", &s), DUNNING_DAYS_ORDER);
    assert_int_equal(dunning_schedule_parse("1,1", &s), DUNNING_DAYS_ORDER);
    assert_int_equal(dunning_schedule_parse("1,2,3,4,5,6,7,8,9,10,11,12,13", &s),
                     DUNNING_DAYS_TOO_MANY);
    /* Each refusal has words for whoever set it. */
    for (int e = DUNNING_DAYS_EMPTY; e <= DUNNING_DAYS_TOO_MANY; e++)
        assert_true(strlen(dunning_days_error_text(LANG_EN, (dunning_days_error_t)e)) > 10);
    int g = -1;
    assert_true(dunning_grace_parse("14", &g));
    assert_int_equal(g, 14);
    assert_true(dunning_grace_parse("0", &g));
    assert_int_equal(g, 0);
    assert_false(dunning_grace_parse("", &g));
    assert_false(dunning_grace_parse("-2", &g));
    assert_false(dunning_grace_parse("14 days", &g));
    assert_false(dunning_grace_parse("366", &g));
}

static int64_t at(int y, int m, int d, int hour)
{
    date_t day = {.y = y, .m = m, .d = d};
    return date_to_days(day) * DAY + (int64_t)hour * 3600;
}

static void day_of(int64_t t, const char *want)
{
    char got[11];
    date_format(date_from_unix(t), got);
    assert_string_equal(got, want);
}

static void test_03_next_retry_across_month_ends_and_leap_days(void **state)
{
    (void)state;
    dunning_schedule_t s;
    assert_int_equal(dunning_schedule_parse("1,3,5,7", &s), DUNNING_DAYS_OK);
    /* Failed on 31 January 2027 at 10:00: 1, 3, 5 and 7 days later, at the same hour. */
    int64_t f = at(2027, 1, 31, 10);
    int64_t t = dunning_next_retry(&s, f, f);
    day_of(t, "2027-02-01");
    assert_int_equal(t, f + DAY);
    t = dunning_next_retry(&s, f, t);
    day_of(t, "2027-02-03");
    t = dunning_next_retry(&s, f, t);
    day_of(t, "2027-02-05");
    t = dunning_next_retry(&s, f, t);
    day_of(t, "2027-02-07");
    assert_int_equal(dunning_next_retry(&s, f, t), 0); /* none left: past due */
    /* Over the end of February: a leap year has the 29th, the others not. */
    day_of(dunning_next_retry(&s, at(2028, 2, 27, 9), at(2028, 2, 28, 12)), "2028-03-01");
    day_of(dunning_next_retry(&s, at(2027, 2, 27, 9), at(2027, 2, 28, 12)), "2027-03-02");
    day_of(dunning_next_retry(&s, at(2028, 2, 28, 9), at(2028, 2, 28, 9)), "2028-02-29");
    /* Over the year's end. */
    day_of(dunning_next_retry(&s, at(2026, 12, 30, 23), at(2026, 12, 30, 23)), "2026-12-31");
    day_of(dunning_next_retry(&s, at(2026, 12, 30, 23), at(2026, 12, 31, 23)), "2027-01-02");
    /* A retry made late (the server was down) is followed by the next one still ahead, never by
     * the ones missed meanwhile. */
    assert_int_equal(dunning_next_retry(&s, f, f + 4 * DAY), f + 5 * DAY);
    assert_int_equal(dunning_next_retry(&s, f, f + 30 * DAY), 0);
}

static void test_04_hard_declines_are_not_retried(void **state)
{
    (void)state;
    const char *hard[] = {"lost_card",
                          "stolen_card",
                          "pickup_card",
                          "restricted_card",
                          "fraudulent",
                          "do_not_try_again",
                          "revocation_of_all_authorizations"};
    for (size_t i = 0; i < sizeof hard / sizeof hard[0]; i++)
        assert_true(dunning_hard_decline(hard[i]));
    const char *soft[] = {"generic_decline", "insufficient_funds", "card_declined",
                          "do_not_honor",    "processing_error",   "",
                          "declined"};
    for (size_t i = 0; i < sizeof soft / sizeof soft[0]; i++)
        assert_false(dunning_hard_decline(soft[i]));
    assert_false(dunning_hard_decline(NULL));
    assert_string_equal(dunning_decline_words(LANG_EN, "insufficient_funds"), "insufficient funds");
    assert_string_equal(dunning_decline_words(LANG_EN, "whatever_else"), "the card was declined");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_01_the_setting_read),
        cmocka_unit_test(test_02_bad_values_refused_with_their_reason),
        cmocka_unit_test(test_03_next_retry_across_month_ends_and_leap_days),
        cmocka_unit_test(test_04_hard_declines_are_not_retried),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
