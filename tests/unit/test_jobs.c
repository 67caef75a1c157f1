/* Unit tests of the scheduled jobs' claims (store_jobs.c): one node at a time, under a lease that
 * another node may take over once it has run out, and a day done is never run again. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "store_fixture.h"
#include "util/arena.h"

#include <string.h>

static const char JOB[] = "daily_bill_run";

static bool claim(store_t *s, const char *node, const char *day, int64_t now)
{
    bool claimed = false;
    assert_int_equal(store_job_claim(s, JOB, day, node, now, now + 120, &claimed), STORE_OK);
    return claimed;
}

static void test_one_node_at_a_time_until_the_lease_runs_out(void **state)
{
    (void)state;
    char path[64];
    store_t *s = fixture_store_new(path, "jobs");
    assert_true(claim(s, "a", "2026-12-04", 1000));
    assert_false(claim(s, "b", "2026-12-04", 1001)); /* a's lease runs to 1120 */
    assert_true(claim(s, "a", "2026-12-04", 1002));  /* the holder renews by claiming */
    assert_int_equal(store_job_renew(s, JOB, "a", 1300), STORE_OK);
    assert_false(claim(s, "b", "2026-12-04", 1200)); /* renewed: still a's */
    assert_int_equal(store_job_renew(s, JOB, "b", 1400), STORE_NOT_FOUND);
    assert_true(claim(s, "b", "2026-12-04", 1300)); /* a died: its lease ran out */
    assert_int_equal(store_job_renew(s, JOB, "a", 1500), STORE_NOT_FOUND); /* a knows */
    assert_int_equal(store_job_finish(s, JOB, "a", "2026-12-04"), STORE_NOT_FOUND);
    fixture_store_drop(s, path);
}

static void test_a_day_done_is_not_run_again_the_next_is(void **state)
{
    (void)state;
    char path[64];
    store_t *s = fixture_store_new(path, "jobs");
    assert_true(claim(s, "a", "2026-12-04", 1000));
    assert_int_equal(store_job_finish(s, JOB, "a", "2026-12-04"), STORE_OK);
    arena_t *a = arena_new();
    job_state_t js;
    assert_int_equal(store_job_state(s, a, JOB, &js), STORE_OK);
    assert_string_equal(js.done_through, "2026-12-04");
    assert_string_equal(js.claimed_by, "");
    assert_int_equal(js.lease_until, 0);
    arena_free(a);
    assert_false(claim(s, "a", "2026-12-04", 1001));
    assert_false(claim(s, "b", "2026-12-04", 1001));
    assert_false(claim(s, "b", "2026-12-03", 1001)); /* an earlier day is done too */
    assert_true(claim(s, "b", "2026-12-05", 90000));
    fixture_store_drop(s, path);
}

static void test_a_run_released_unfinished_is_claimed_again_at_once(void **state)
{
    (void)state;
    char path[64];
    store_t *s = fixture_store_new(path, "jobs");
    assert_true(claim(s, "a", "2026-12-04", 1000));
    assert_int_equal(store_job_finish(s, JOB, "a", NULL), STORE_OK);
    assert_true(claim(s, "b", "2026-12-04", 1001));
    fixture_store_drop(s, path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_node_at_a_time_until_the_lease_runs_out),
        cmocka_unit_test(test_a_day_done_is_not_run_again_the_next_is),
        cmocka_unit_test(test_a_run_released_unfinished_is_claimed_again_at_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
