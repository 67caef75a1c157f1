/* Unit tests: tax of an amount, of an invoice per rate, and their rounding rule
 * (src/billing/tax.c). */
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
        if (mode == TAX_EXCLUSIVE)
            assert_int_equal(sum_net, sum_amount);
        else
            assert_int_equal(total, sum_amount);
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
    static const char *bad[] = {"",           "Exclusive",   "INCLUSIVE", "excl", "inclusive ",
                                " exclusive", "exclusive\n", "gross",     "net",  "unknown"};
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

static void test_12_per_rate_rounds_once(void **state)
{
    (void)state;
    /* The invoice of issue 9: $770.00 at 6.25 % is 48.125, so $48.13 once; these lines, each
     * rounded on its own, would add up to $48.19. */
    int64_t amounts[13] = {76520}, rates[13];
    for (int i = 1; i < 13; i++)
        amounts[i] = 40; /* 0.40 at 6.25 % = 0.025, 0.03 each */
    for (int i = 0; i < 13; i++)
        rates[i] = 62500;
    int64_t per_line = 0;
    for (int i = 0; i < 13; i++)
        per_line += split(amounts[i], 62500, TAX_EXCLUSIVE).tax;
    assert_int_equal(per_line, 4819);
    tax_subtotal_t out[13];
    size_t n = 0;
    assert_true(tax_by_rate(amounts, rates, 13, TAX_EXCLUSIVE, out, &n));
    assert_int_equal(n, 1);
    assert_int_equal(out[0].rate_ppm, 62500);
    assert_int_equal(out[0].base, 77000);
    assert_int_equal(out[0].tax, 4813);
}

static void test_13_per_rate_half_away_from_zero(void **state)
{
    (void)state;
    tax_subtotal_t out[2];
    size_t n = 0;
    /* 0.10 + 0.20 at 5 % is 1.5 cents: 2. */
    int64_t a1[] = {10, 20}, r1[] = {50000, 50000};
    assert_true(tax_by_rate(a1, r1, 2, TAX_EXCLUSIVE, out, &n));
    assert_int_equal(n, 1);
    assert_int_equal(out[0].tax, 2); /* 1.5 cents */
    int64_t a2[] = {20, 30}, r2[] = {50000, 50000};
    assert_true(tax_by_rate(a2, r2, 2, TAX_EXCLUSIVE, out, &n));
    assert_int_equal(out[0].tax, 3); /* 2.5 cents: away from zero, not to even */
    /* A credit mirrors it: -2.5 cents is -3. */
    int64_t a3[] = {-20, -30}, r3[] = {50000, 50000};
    assert_true(tax_by_rate(a3, r3, 2, TAX_EXCLUSIVE, out, &n));
    assert_int_equal(out[0].base, -50);
    assert_int_equal(out[0].tax, -3);
    /* Just under a half stays down: 0.45 cents. */
    int64_t a4[] = {4, 5}, r4[] = {50000, 50000};
    assert_true(tax_by_rate(a4, r4, 2, TAX_EXCLUSIVE, out, &n));
    assert_int_equal(out[0].tax, 0);
}

static void test_14_several_rates_on_one_invoice(void **state)
{
    (void)state;
    /* French lines at 20 % and 5.5 %, interleaved: one subtotal per rate, in first-seen order. */
    int64_t amounts[] = {1005, 333, 1005, 333, 1005},
            rates[] = {200000, 55000, 200000, 55000, 200000};
    tax_subtotal_t out[5];
    size_t n = 0;
    assert_true(tax_by_rate(amounts, rates, 5, TAX_EXCLUSIVE, out, &n));
    assert_int_equal(n, 2);
    assert_int_equal(out[0].rate_ppm, 200000);
    assert_int_equal(out[0].base, 3015);
    assert_int_equal(out[0].tax, 603); /* 603.0; per line 201 x 3 = 603 as well */
    assert_int_equal(out[1].rate_ppm, 55000);
    assert_int_equal(out[1].base, 666);
    assert_int_equal(out[1].tax, 37); /* 36.63; per line 18.315 -> 18 x 2 = 36 */
    /* Prices including tax: the gross of each rate is split once; base + tax is that gross. */
    int64_t gross[] = {1000, 1000, 1000}, r[] = {220000, 220000, 100000};
    assert_true(tax_by_rate(gross, r, 3, TAX_INCLUSIVE, out, &n));
    assert_int_equal(n, 2);
    assert_int_equal(out[0].base, 1639); /* 2000 / 1.22 = 1639.34 */
    assert_int_equal(out[0].tax, 361);
    assert_int_equal(out[1].base, 909); /* 1000 / 1.1 = 909.09 */
    assert_int_equal(out[1].tax, 91);
    /* No lines: no rates. A rate out of range or an overflowing sum: refused. */
    assert_true(tax_by_rate(NULL, NULL, 0, TAX_EXCLUSIVE, out, &n));
    assert_int_equal(n, 0);
    int64_t bad_rate[] = {1000001}, one[] = {100};
    assert_false(tax_by_rate(one, bad_rate, 1, TAX_EXCLUSIVE, out, &n));
    int64_t huge[] = {INT64_MAX, 1}, same[] = {0, 0};
    assert_false(tax_by_rate(huge, same, 2, TAX_EXCLUSIVE, out, &n));
}

static void test_15_scheme_names(void **state)
{
    (void)state;
    assert_string_equal(tax_scheme_name("US"), "sales tax");
    assert_string_equal(tax_scheme_name("IT"), "IVA");
    assert_string_equal(tax_scheme_name("ES"), "IVA");
    assert_string_equal(tax_scheme_name("FR"), "TVA");
    assert_string_equal(tax_scheme_name("DE"), "MwSt.");
    assert_string_equal(tax_scheme_name("GB"), "VAT");
    assert_string_equal(tax_scheme_name(""), "VAT");
    assert_string_equal(tax_scheme_name(NULL), "VAT");
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
        cmocka_unit_test(test_12_per_rate_rounds_once),
        cmocka_unit_test(test_13_per_rate_half_away_from_zero),
        cmocka_unit_test(test_14_several_rates_on_one_invoice),
        cmocka_unit_test(test_15_scheme_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
