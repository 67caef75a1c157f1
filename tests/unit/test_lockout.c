/* Unit tests: the sign-in lockout rule (src/services/lockout.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "services/lockout.h"

#define N(a) (sizeof(a) / sizeof(a)[0])

static const int64_t T = 1790000000; /* some instant in 2026 */

static void test_01_no_failures(void **state)
{
    (void)state;
    assert_int_equal(lockout_until(NULL, 0, T), 0);
}

static void test_02_four_failures_stay_open(void **state)
{
    (void)state;
    const int64_t f[] = {T, T + 1, T + 2, T + 3};
    assert_int_equal(lockout_until(f, N(f), T + 3), 0);
    assert_int_equal(lockout_until(f, N(f), T + 4), 0);
}

static void test_03_five_within_window_lock(void **state)
{
    (void)state;
    const int64_t f[] = {T, T + 60, T + 120, T + 180, T + 240};
    int64_t until = T + 240 + LOCKOUT_SECONDS; /* 15 minutes from the 5th failure */
    assert_int_equal(lockout_until(f, N(f), T + 240), until);
    assert_int_equal(lockout_until(f, N(f), T + 241), until);
    assert_int_equal(lockout_until(f, N(f), until - 1), until);
}

static void test_04_lock_expires_exactly_at_until(void **state)
{
    (void)state;
    const int64_t f[] = {T, T, T, T, T}; /* five in the same second */
    int64_t until = T + 900;
    assert_int_equal(lockout_until(f, N(f), until - 1), until);
    assert_int_equal(lockout_until(f, N(f), until), 0);
    assert_int_equal(lockout_until(f, N(f), until + 1), 0);
}

static void test_05_spread_over_more_than_window(void **state)
{
    (void)state;
    const int64_t f[] = {T, T + 300, T + 600, T + 800, T + 901};
    assert_int_equal(lockout_until(f, N(f), T + 901), 0);
    /* Every failure 4 minutes apart: 16 minutes from the first to the fifth. */
    const int64_t g[] = {T, T + 240, T + 480, T + 720, T + 960, T + 1200, T + 1440};
    assert_int_equal(lockout_until(g, N(g), T + 1440), 0);
}

static void test_06_exactly_900_seconds_apart_counts(void **state)
{
    (void)state;
    const int64_t f[] = {T, T + 100, T + 200, T + 300, T + 900};
    assert_int_equal(lockout_until(f, N(f), T + 900), T + 1800);
}

static void test_07_sixth_after_lock_window(void **state)
{
    (void)state;
    /* Locked by the first five until T+1300; a 6th failure once that lock is over does not
     * lock again by itself (the last five span 1300 s). */
    const int64_t f[] = {T, T + 100, T + 200, T + 300, T + 400, T + 1400};
    assert_int_equal(lockout_until(f, N(f), T + 1400), 0);
    /* A 6th during the window moves the end: the last five (T+100..T+500) lock until T+1400. */
    const int64_t g[] = {T, T + 100, T + 200, T + 300, T + 400, T + 500};
    assert_int_equal(lockout_until(g, N(g), T + 500), T + 1400);
    assert_int_equal(lockout_until(g, N(g), T + 1300), T + 1400);
    assert_int_equal(lockout_until(g, N(g), T + 1400), 0);
}

static void test_08_old_failures_then_burst(void **state)
{
    (void)state;
    const int64_t f[] = {T - 86400, T - 3600, T, T + 1, T + 2, T + 3, T + 4};
    assert_int_equal(lockout_until(f, N(f), T + 10), T + 4 + 900);
    /* A burst long ago is over. */
    assert_int_equal(lockout_until(f, N(f), T + 4 + 900), 0);
}

static void test_09_latest_window_decides(void **state)
{
    (void)state;
    /* Every run of five failures within 15 minutes locks from its fifth; the latest such run
     * (T+2 .. T+880) decides when sign-in opens again. */
    const int64_t f[] = {T, T + 1, T + 2, T + 3, T + 4, T + 500, T + 880};
    assert_int_equal(lockout_until(f, N(f), T + 880), T + 880 + 900);
    assert_int_equal(lockout_until(f, N(f), T + 1779), T + 1780);
    assert_int_equal(lockout_until(f, N(f), T + 1780), 0);
}

/* Sign-in records an attempt only when the login is open, and counts the attempts still being
 * checked as failures; that bounds the password checks to LOCKOUT_FAILURES per window only if
 * "open" always means fewer than LOCKOUT_FAILURES failures in (now - LOCKOUT_WINDOW, now]. */
static void test_10_open_means_fewer_than_the_limit_in_the_window(void **state)
{
    (void)state;
    uint32_t seed = 12345;
    for (int run = 0; run < 20000; run++) {
        int64_t f[12];
        size_t n = 1 + run % 12;
        int64_t t = T;
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;               /* a fixed pseudo-random walk */
            t += (seed >> 16) % ((seed >> 8) & 1 ? 40 : 400); /* bursts and spread-out tries */
            f[i] = t;
        }
        for (int64_t now = f[n - 1]; now <= f[n - 1] + LOCKOUT_WINDOW + 1; now += 7) {
            if (lockout_until(f, n, now)) continue;
            size_t in_window = 0;
            for (size_t i = 0; i < n; i++)
                in_window += f[i] > now - LOCKOUT_WINDOW && f[i] <= now;
            assert_true(in_window < LOCKOUT_FAILURES);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_01_no_failures),
        cmocka_unit_test(test_02_four_failures_stay_open),
        cmocka_unit_test(test_03_five_within_window_lock),
        cmocka_unit_test(test_04_lock_expires_exactly_at_until),
        cmocka_unit_test(test_05_spread_over_more_than_window),
        cmocka_unit_test(test_06_exactly_900_seconds_apart_counts),
        cmocka_unit_test(test_07_sixth_after_lock_window),
        cmocka_unit_test(test_08_old_failures_then_burst),
        cmocka_unit_test(test_09_latest_window_decides),
        cmocka_unit_test(test_10_open_means_fewer_than_the_limit_in_the_window),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
