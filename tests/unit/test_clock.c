/* Unit tests: the program's one clock and the COBRO_NOW forms it reads (src/util/clock.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "util/clock.h"

static int64_t parsed(const char *text)
{
    int64_t ms = -1;
    assert_true(clock_parse(text, &ms));
    return ms;
}

static void test_01_dates_and_instants(void **state)
{
    (void)state;
    assert_int_equal(parsed("1970-01-01"), 0);
    assert_int_equal(parsed("1970-01-01T00:00:01Z"), 1000);
    assert_int_equal(parsed("2026-12-04"), INT64_C(1796342400) * 1000);
    assert_int_equal(parsed("2026-12-04T19:14:54Z"), INT64_C(1796411694) * 1000);
    assert_int_equal(parsed("2026-12-04T19:14:54.5Z"), INT64_C(1796411694) * 1000 + 500);
    assert_int_equal(parsed("2026-12-04T19:14:54.123456Z"), INT64_C(1796411694) * 1000 + 123);
    /* Leap days and month ends, the dates the date-sensitive runs use. */
    assert_int_equal(parsed("2028-02-29"), INT64_C(1835395200) * 1000);
    assert_int_equal(parsed("2027-01-31T23:59:59Z"), INT64_C(1801439999) * 1000);
    assert_int_equal(parsed("9999-12-31T23:59:59Z"), INT64_C(253402300799) * 1000);
}

static void test_02_malformed_values_refused(void **state)
{
    (void)state;
    static const char *bad[] = {
        "",
        "2026",
        "2026-12",
        "2026-1-04",
        "2026-12-4",
        "26-12-04",
        "2026/12/04",
        "2026-13-01",
        "2026-00-10",
        "2026-12-00",
        "2026-02-29",
        "2100-02-29",
        "2026-04-31",
        "1969-12-31",
        "2026-12-04T",
        "2026-12-04T10:00Z",
        "2026-12-04T10:00:00",
        "2026-12-04T24:00:00Z",
        "2026-12-04T10:60:00Z",
        "2026-12-04T10:00:60Z",
        "2026-12-04T10:00:00.Z",
        "2026-12-04T10:00:00+01:00",
        "2026-12-04 10:00:00Z",
        "2026-12-04T10:00:00Zjunk",
        " 2026-12-04",
        "2026-12-04\n",
        "１９７０-01-01",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t ms = 42;
        if (clock_parse(bad[i], &ms)) fail_msg("accepted \"%s\"", bad[i]);
        assert_int_equal(ms, 42);
    }
    int64_t ms = 0;
    assert_false(clock_parse(NULL, &ms));
}

static void test_03_a_set_clock_runs_on(void **state)
{
    (void)state;
    clock_set_ms(INT64_C(1835395200) * 1000); /* 2028-02-29T00:00:00Z */
    assert_true(clock_is_set());
    int64_t first = clock_now();
    assert_true(first >= INT64_C(1835395200) && first <= INT64_C(1835395200) + 5);
    struct timespec pause = {0, 20 * 1000 * 1000};
    int64_t before = clock_now_ms();
    nanosleep(&pause, NULL);
    assert_true(clock_now_ms() >= before + 20);
}

static void test_04_environment(void **state)
{
    (void)state;
    char err[160] = "";
    setenv("COBRO_NOW", "2027-01-31T12:00:00Z", 1);
    assert_true(clock_init_from_env(err, sizeof err));
    int64_t now = clock_now();
    assert_true(now >= INT64_C(1801396800) && now <= INT64_C(1801396800) + 5);
    setenv("COBRO_NOW", "31/01/2027", 1);
    assert_false(clock_init_from_env(err, sizeof err));
    assert_non_null(strstr(err, "COBRO_NOW \"31/01/2027\""));
    /* A refused value leaves the clock as it was. */
    now = clock_now();
    assert_true(now >= INT64_C(1801396800) && now <= INT64_C(1801396800) + 5);
    unsetenv("COBRO_NOW");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_01_dates_and_instants),
        cmocka_unit_test(test_02_malformed_values_refused),
        cmocka_unit_test(test_03_a_set_clock_runs_on),
        cmocka_unit_test(test_04_environment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
