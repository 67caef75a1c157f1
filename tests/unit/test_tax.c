/* Unit tests: per-line tax and its rounding rule (src/billing/tax.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "billing/tax.h"

#define N(a) (sizeof(a) / sizeof(a)[0])

static tax_split_t split(int64_t amount, int64_t rate, tax_mode_t mode)
{
    tax_split_t s = {-1, -1, -1};
    if (!tax_split(amount, rate, mode, &s))
        fail_msg("tax_split(%lld, %lld, %d) failed", (long long)amount, (long long)rate, (int)mode);
    return s;
}

static void assert_split(tax_split_t s, int64_t net, int64_t tax, int64_t gross)
{
    assert_int_equal(s.net, net);
    assert_int_equal(s.tax, tax);
    assert_int_equal(s.gross, gross);
}

static void test_01_exclusive_basic(void **state)
{
    (void)state;
    assert_split(split(10000, 220000, TAX_EXCLUSIVE), 10000, 2200, 12200);
    /* 999 * 8.875% = 88.66125 */
    assert_split(split(999, 88750, TAX_EXCLUSIVE), 999, 89, 1088);
    /* 1999 * 6.25% = 124.9375 */
    assert_split(split(1999, 62500, TAX_EXCLUSIVE), 1999, 125, 2124);
    /* 1 * 22% = 0.22 */
    assert_split(split(1, 220000, TAX_EXCLUSIVE), 1, 0, 1);
    assert_split(split(0, 220000, TAX_EXCLUSIVE), 0, 0, 0);
}

static void test_02_exclusive_half_rounds_away_from_zero(void **state)
{
    (void)state;
    /* 10 * 5% = 0.5 exactly */
    assert_split(split(10, 50000, TAX_EXCLUSIVE), 10, 1, 11);
    /* 30 * 5% = 1.5, 50 * 5% = 2.5: not banker's rounding */
    assert_split(split(30, 50000, TAX_EXCLUSIVE), 30, 2, 32);
    assert_split(split(50, 50000, TAX_EXCLUSIVE), 50, 3, 53);
    /* A refund line rounds the same way, mirrored. */
    assert_split(split(-10, 50000, TAX_EXCLUSIVE), -10, -1, -11);
    assert_split(split(-999, 88750, TAX_EXCLUSIVE), -999, -89, -1088);
    /* Just under a half: 9 * 5% = 0.45 */
    assert_split(split(9, 50000, TAX_EXCLUSIVE), 9, 0, 9);
}

static void test_03_inclusive_basic(void **state)
{
    (void)state;
    assert_split(split(12200, 220000, TAX_INCLUSIVE), 10000, 2200, 12200);
    /* 999 / 1.22 = 818.85... */
    assert_split(split(999, 220000, TAX_INCLUSIVE), 819, 180, 999);
    /* 1088 / 1.08875 = 999.31... */
    assert_split(split(1088, 88750, TAX_INCLUSIVE), 999, 89, 1088);
    assert_split(split(-999, 220000, TAX_INCLUSIVE), -819, -180, -999);
    assert_split(split(1, 220000, TAX_INCLUSIVE), 1, 0, 1);
    assert_split(split(0, 220000, TAX_INCLUSIVE), 0, 0, 0);
    /* 21 / 1.05 = 20 exactly; 105 / 1.05 = 100 */
    assert_split(split(21, 50000, TAX_INCLUSIVE), 20, 1, 21);
    assert_split(split(105, 50000, TAX_INCLUSIVE), 100, 5, 105);
}

static void test_04_zero_and_full_rate(void **state)
{
    (void)state;
    assert_split(split(12345, 0, TAX_EXCLUSIVE), 12345, 0, 12345);
    assert_split(split(12345, 0, TAX_INCLUSIVE), 12345, 0, 12345);
    assert_split(split(-12345, 0, TAX_INCLUSIVE), -12345, 0, -12345);
    assert_split(split(999, TAX_RATE_ONE, TAX_EXCLUSIVE), 999, 999, 1998);
    /* 999 / 2 = 499.5: net rounds away from zero, tax takes the rest. */
    assert_split(split(999, TAX_RATE_ONE, TAX_INCLUSIVE), 500, 499, 999);
    assert_split(split(1000, TAX_RATE_ONE, TAX_INCLUSIVE), 500, 500, 1000);
}

static void test_05_invalid_rate_and_mode(void **state)
{
    (void)state;
    static const int64_t bad[] = {-1, TAX_RATE_ONE + 1, 2000000, INT64_MAX, INT64_MIN};
    for (size_t i = 0; i < N(bad); i++)
        for (int mode = TAX_EXCLUSIVE; mode <= TAX_INCLUSIVE; mode++) {
            tax_split_t s = {7, 7, 7};
            assert_false(tax_split(10000, bad[i], (tax_mode_t)mode, &s));
            assert_split(s, 7, 7, 7); /* untouched */
        }
    tax_split_t s = {7, 7, 7};
    assert_false(tax_split(10000, 220000, (tax_mode_t)2, &s));
    assert_false(tax_split(10000, 220000, (tax_mode_t)-1, &s));
    assert_split(s, 7, 7, 7);
    assert_false(tax_split(10000, 220000, TAX_EXCLUSIVE, NULL));
}

static void test_06_overflow(void **state)
{
    (void)state;
    tax_split_t s = {7, 7, 7};
    /* The gross of an exclusive price can exceed int64 even though net and tax fit. */
    assert_false(tax_split(INT64_MAX, 10000, TAX_EXCLUSIVE, &s));
    assert_false(tax_split(INT64_MAX - 1, 220000, TAX_EXCLUSIVE, &s));
    assert_false(tax_split(INT64_MIN, 1, TAX_EXCLUSIVE, &s));
    assert_false(tax_split(INT64_MIN, 220000, TAX_EXCLUSIVE, &s));
    assert_false(tax_split(INT64_MAX / 2 + 1, TAX_RATE_ONE, TAX_EXCLUSIVE, &s));
    assert_split(s, 7, 7, 7);
    /* At the edge it still works: tax needs 128 bits in between but fits afterwards. */
    assert_split(split(INT64_MAX / 2, TAX_RATE_ONE, TAX_EXCLUSIVE), INT64_MAX / 2, INT64_MAX / 2,
                 INT64_MAX - 1);
    assert_split(split(INT64_MAX, 0, TAX_EXCLUSIVE), INT64_MAX, 0, INT64_MAX);
    /* Inclusive prices never grow, so no gross amount overflows. */
    tax_split_t a = split(INT64_MAX, 220000, TAX_INCLUSIVE);
    assert_int_equal(a.net + a.tax, INT64_MAX);
    assert_true(a.net > 0 && a.tax > 0);
    tax_split_t b = split(INT64_MIN, TAX_RATE_ONE, TAX_INCLUSIVE);
    assert_split(b, INT64_MIN / 2, INT64_MIN / 2, INT64_MIN);
}

/* A fixed 64-bit LCG (Knuth's MMIX constants): the same values on every run and machine,
 * with no shared rand() state. */
static uint64_t lcg(uint64_t *x)
{
    *x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
    return *x >> 16;
}

static int64_t abs64(int64_t v)
{
    return v < 0 ? -v : v;
}

static void test_07_property_exact_to_half_a_unit(void **state)
{
    (void)state;
    uint64_t x = 20260131;
    for (int i = 0; i < 10000; i++) {
        /* Amounts up to ±10^11 minor units (a billion in a 2-decimal currency), so that the
         * integer checks below fit in int64. Every 8th rate is a whole percent, where exact
         * halves are most likely. */
        int64_t amount = (int64_t)(lcg(&x) % 200000000001ULL) - 100000000000;
        if (i % 4 == 0) amount /= 1000000; /* small amounts too */
        int64_t rate = (int64_t)(lcg(&x) % (TAX_RATE_ONE + 1));
        if (i % 8 == 0) rate -= rate % 10000;

        tax_split_t e = split(amount, rate, TAX_EXCLUSIVE);
        assert_int_equal(e.net, amount);
        assert_int_equal(e.net + e.tax, e.gross);
        /* |tax - amount * rate / 1e6| <= 1/2, in integers. */
        int64_t diff = e.tax * TAX_RATE_ONE - amount * rate;
        if (2 * abs64(diff) > TAX_RATE_ONE)
            fail_msg("exclusive %lld @ %lld: tax %lld", (long long)amount, (long long)rate,
                     (long long)e.tax);
        /* Ties go away from zero: an exact half never rounds toward it. */
        if (2 * abs64(diff) == TAX_RATE_ONE)
            assert_true(abs64(e.tax * TAX_RATE_ONE) > abs64(amount * rate));

        tax_split_t in = split(amount, rate, TAX_INCLUSIVE);
        assert_int_equal(in.gross, amount);
        assert_int_equal(in.net + in.tax, in.gross);
        /* |net - amount * 1e6 / (1e6 + rate)| <= 1/2, hence the same bound for tax. */
        int64_t den = TAX_RATE_ONE + rate;
        int64_t ndiff = in.net * den - amount * TAX_RATE_ONE;
        if (2 * abs64(ndiff) > den)
            fail_msg("inclusive %lld @ %lld: net %lld", (long long)amount, (long long)rate,
                     (long long)in.net);
        int64_t tdiff = in.tax * den - amount * rate;
        assert_true(2 * abs64(tdiff) <= den);
        /* Tax never flips the sign of a line, and net never exceeds gross. */
        assert_true(abs64(in.net) <= abs64(in.gross));
        assert_true(in.tax == 0 || (in.tax < 0) == (amount < 0));
        assert_true(e.tax == 0 || (e.tax < 0) == (amount < 0));
    }
}

static void test_08_property_invoice_totals(void **state)
{
    (void)state;
    uint64_t x = 42;
    for (int inv = 0; inv < 1000; inv++) {
        tax_mode_t mode = inv % 2 ? TAX_INCLUSIVE : TAX_EXCLUSIVE;
        int64_t rate = (int64_t)(lcg(&x) % (TAX_RATE_ONE + 1));
        int lines = 1 + (int)(lcg(&x) % 20);
        int64_t sum_net = 0, sum_tax = 0, total = 0, sum_amount = 0;
        for (int l = 0; l < lines; l++) {
            /* Prices and credits of up to 100000.00 */
            int64_t amount = (int64_t)(lcg(&x) % 20000001) - 5000000;
            tax_split_t s = split(amount, rate, mode);
            sum_net += s.net;
            sum_tax += s.tax;
            total += s.gross;
            sum_amount += amount;
        }
        /* Lines + tax = total to the cent, whichever way prices are quoted. */
        assert_int_equal(sum_net + sum_tax, total);
        if (mode == TAX_EXCLUSIVE) assert_int_equal(sum_net, sum_amount);
        else assert_int_equal(total, sum_amount);
        /* Per-line rounding drifts from invoice-level rounding by at most half a unit a line. */
        int64_t den = mode == TAX_EXCLUSIVE ? TAX_RATE_ONE : TAX_RATE_ONE + rate;
        assert_true(2 * abs64(sum_tax * den - sum_amount * rate) <= lines * den);
    }
}

static void test_09_mode_parse_and_name(void **state)
{
    (void)state;
    tax_mode_t m = TAX_INCLUSIVE;
    assert_true(tax_mode_parse("exclusive", &m));
    assert_int_equal(m, TAX_EXCLUSIVE);
    assert_true(tax_mode_parse("inclusive", &m));
    assert_int_equal(m, TAX_INCLUSIVE);
    assert_string_equal(tax_mode_name(TAX_EXCLUSIVE), "exclusive");
    assert_string_equal(tax_mode_name(TAX_INCLUSIVE), "inclusive");
    for (int i = TAX_EXCLUSIVE; i <= TAX_INCLUSIVE; i++) {
        tax_mode_t back;
        assert_true(tax_mode_parse(tax_mode_name((tax_mode_t)i), &back));
        assert_int_equal(back, i);
    }
    static const char *bad[] = {"", "Exclusive", "INCLUSIVE", "excl", "inclusive ", " exclusive",
                                "exclusive\n", "gross", "net", "unknown"};
    for (size_t i = 0; i < N(bad); i++) {
        m = (tax_mode_t)9;
        if (tax_mode_parse(bad[i], &m)) fail_msg("accepted \"%s\"", bad[i]);
        assert_int_equal(m, 9);
    }
    assert_false(tax_mode_parse(NULL, &m));
    assert_false(tax_mode_parse("exclusive", NULL));
    /* A corrupt mode still names to a string, and one that does not parse back. */
    const char *name = tax_mode_name((tax_mode_t)9);
    assert_non_null(name);
    assert_false(tax_mode_parse(name, &m));
}

static void assert_rate(int64_t rate, const char *want)
{
    char buf[32];
    memset(buf, 'Z', sizeof buf);
    tax_rate_text(rate, buf);
    assert_string_equal(buf, want);
    assert_true(strlen(buf) < 16);
    assert_int_equal(buf[16], 'Z'); /* nothing written past the 16 bytes */
}

static void test_10_rate_text(void **state)
{
    (void)state;
    assert_rate(220000, "22");
    assert_rate(88750, "8.875");
    assert_rate(62500, "6.25");
    assert_rate(0, "0");
    assert_rate(TAX_RATE_ONE, "100");
    assert_rate(100000, "10");
    assert_rate(205000, "20.5");
    assert_rate(1, "0.0001");
    assert_rate(50, "0.005");
    assert_rate(999999, "99.9999");
    assert_rate(70000, "7");
    assert_rate(10000, "1");
    assert_rate(10500, "1.05");
}

static void test_11_rate_text_out_of_range(void **state)
{
    (void)state;
    /* Rates tax_split refuses have no text; a placeholder instead of a misleading number. */
    assert_rate(-1, "?");
    assert_rate(TAX_RATE_ONE + 1, "?");
    assert_rate(INT64_MAX, "?");
    assert_rate(INT64_MIN, "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_01_exclusive_basic),
        cmocka_unit_test(test_02_exclusive_half_rounds_away_from_zero),
        cmocka_unit_test(test_03_inclusive_basic),
        cmocka_unit_test(test_04_zero_and_full_rate),
        cmocka_unit_test(test_05_invalid_rate_and_mode),
        cmocka_unit_test(test_06_overflow),
        cmocka_unit_test(test_07_property_exact_to_half_a_unit),
        cmocka_unit_test(test_08_property_invoice_totals),
        cmocka_unit_test(test_09_mode_parse_and_name),
        cmocka_unit_test(test_10_rate_text),
        cmocka_unit_test(test_11_rate_text_out_of_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
