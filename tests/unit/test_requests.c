/* Unit tests: when a request is due its first answer (one business day, Monday to Friday in the
 * vendor's time zone) and when it is overdue; fixed instants, never the clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "services/requests.h"

/* 2026-11-16 is a Monday. */
static const int64_t MON_10 = 1794823200; /* 2026-11-16T10:00:00Z */
static const int64_t DAY = 24 * 3600;

static void weekday_is_next_day(void **state)
{
    (void)state;
    assert_int_equal(request_answer_due("", MON_10), MON_10 + DAY);
    assert_int_equal(request_answer_due("UTC", MON_10 + 3 * DAY), MON_10 + 4 * DAY); /* Thu */
}

static void friday_is_due_monday(void **state)
{
    (void)state;
    int64_t fri_15 = MON_10 + 4 * DAY + 5 * 3600;
    assert_int_equal(request_answer_due("", fri_15), fri_15 + 3 * DAY);
}

static void weekend_starts_monday_midnight(void **state)
{
    (void)state;
    int64_t tue_0 = MON_10 + 8 * DAY - 10 * 3600; /* 2026-11-24T00:00:00Z */
    int64_t sat_12 = MON_10 + 5 * DAY + 2 * 3600;
    int64_t sun_23 = MON_10 + 6 * DAY + 13 * 3600;
    assert_int_equal(request_answer_due("", sat_12), tue_0);
    assert_int_equal(request_answer_due("", sun_23), tue_0);
}

static void vendor_time_zone_decides_the_day(void **state)
{
    (void)state;
    /* Friday 23:30 in New York is Saturday 04:30 UTC: a Friday there, due Monday 23:30 there. */
    int64_t sat_0430_utc = MON_10 + 5 * DAY - 10 * 3600 + 4 * 3600 + 1800;
    assert_int_equal(request_answer_due("America/New_York", sat_0430_utc), sat_0430_utc + 3 * DAY);
    /* Read in UTC the same instant is a Saturday: due Tuesday at midnight UTC. */
    assert_int_equal(request_answer_due("", sat_0430_utc), MON_10 + 8 * DAY - 10 * 3600);
    /* An unknown zone counts in UTC. */
    assert_int_equal(request_answer_due("Nowhere/Else", sat_0430_utc),
                     MON_10 + 8 * DAY - 10 * 3600);
}

static void overdue_needs_open_and_unanswered(void **state)
{
    (void)state;
    request_t q = {.state = "submitted", .created_at = MON_10};
    int64_t due = request_answer_due("", MON_10);
    assert_false(request_overdue(&q, due, due));
    assert_true(request_overdue(&q, due, due + 1));
    q.state = "waiting_on_customer";
    assert_true(request_overdue(&q, due, due + 1));
    q.first_answer_at = MON_10 + 60;
    assert_false(request_overdue(&q, due, due + 1));
    q.first_answer_at = 0;
    q.state = "completed";
    assert_false(request_overdue(&q, due, due + 1));
    q.state = "withdrawn";
    assert_false(request_overdue(&q, due, due + 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(weekday_is_next_day),
        cmocka_unit_test(friday_is_due_monday),
        cmocka_unit_test(weekend_starts_monday_midnight),
        cmocka_unit_test(vendor_time_zone_decides_the_day),
        cmocka_unit_test(overdue_needs_open_and_unanswered),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
