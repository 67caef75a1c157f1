/* Unit tests: integer money, currencies, rounding and decimal text (src/billing/money.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "billing/money.h"

#define N(a) (sizeof(a) / sizeof(a)[0])

static void test_01_currency_exponents(void **state)
{
    (void)state;
    static const char *zero[] = {"JPY", "KRW", "VND", "CLP", "ISK", "UGX", "XAF", "XOF",
                                 "XPF", "PYG", "RWF", "BIF", "DJF", "GNF", "KMF", "VUV"};
    static const char *three[] = {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"};
    static const char *two[] = {"USD", "EUR", "GBP", "CHF", "CAD", "AUD", "NZD", "SEK", "NOK",
                                "DKK", "PLN", "CZK", "HUF", "RON", "BGN", "MXN", "BRL", "INR",
                                "CNY", "HKD", "SGD", "ZAR", "TRY", "ILS", "AED", "SAR"};
    for (size_t i = 0; i < N(zero); i++) {
        if (currency_exponent(zero[i]) != 0) fail_msg("%s", zero[i]);
    }
    for (size_t i = 0; i < N(three); i++) {
        if (currency_exponent(three[i]) != 3) fail_msg("%s", three[i]);
    }
    for (size_t i = 0; i < N(two); i++) {
        if (currency_exponent(two[i]) != 2) fail_msg("%s", two[i]);
    }
    assert_int_equal(currency_exponent("CLF"), 4);
    /* First and last entries of the table, so that the search reaches both ends. */
    assert_int_equal(currency_exponent("AED"), 2);
    assert_int_equal(currency_exponent("ZWG"), 2);
}

static void test_02_currency_invalid(void **state)
{
    (void)state;
    static const char *bad[] = {"usd", "Usd",  "uSD",   "USD ", " USD", "US",  "USDX",
                                "",    "AAA",  "ZZZ",   "XXX",  "HRK",  "U$D", "123",
                                "EU",  "EURO", "USD\n", "XAU",  "XDR"};
    for (size_t i = 0; i < N(bad); i++) {
        if (currency_exponent(bad[i]) != -1) fail_msg("accepted \"%s\"", bad[i]);
    }
    assert_int_equal(currency_exponent(NULL), -1);
    /* A short buffer: the NUL stops the scan before the fourth byte. */
    char two[3] = {'U', 'S', '\0'};
    assert_int_equal(currency_exponent(two), -1);
}

static void test_03_mul_overflow(void **state)
{
    (void)state;
    int64_t r = 77;
    assert_true(money_mul(1234, 100, &r));
    assert_int_equal(r, 123400);
    assert_true(money_mul(-3, 7, &r));
    assert_int_equal(r, -21);
    assert_true(money_mul(INT64_MAX, 1, &r));
    assert_int_equal(r, INT64_MAX);
    assert_true(money_mul(INT64_MIN, 1, &r));
    assert_int_equal(r, INT64_MIN);
    assert_true(money_mul(INT64_MAX, -1, &r));
    assert_int_equal(r, -INT64_MAX);
    assert_true(money_mul(0, INT64_MIN, &r));
    assert_int_equal(r, 0);
    r = 77;
    assert_false(money_mul(INT64_MAX, 2, &r));
    assert_false(money_mul(INT64_MIN, -1, &r));
    assert_false(money_mul(INT64_MIN, 2, &r));
    assert_false(money_mul(INT64_MAX / 2 + 1, 2, &r));
    assert_false(money_mul(3037000500, 3037000500, &r)); /* just over sqrt(INT64_MAX) */
    assert_int_equal(r, 77);                             /* untouched on failure */
    assert_true(money_mul(3037000499, 3037000499, &r));
}

static void test_04_add_overflow(void **state)
{
    (void)state;
    int64_t r = 77;
    assert_true(money_add(INT64_MAX - 1, 1, &r));
    assert_int_equal(r, INT64_MAX);
    assert_true(money_add(INT64_MIN + 1, -1, &r));
    assert_int_equal(r, INT64_MIN);
    assert_true(money_add(INT64_MAX, INT64_MIN, &r));
    assert_int_equal(r, -1);
    r = 77;
    assert_false(money_add(INT64_MAX, 1, &r));
    assert_false(money_add(INT64_MIN, -1, &r));
    assert_false(money_add(INT64_MAX, INT64_MAX, &r));
    assert_false(money_add(INT64_MIN, INT64_MIN, &r));
    assert_int_equal(r, 77);
}

static void test_07_mul_div_128_bit(void **state)
{
    (void)state;
    int64_t r = 77;
    assert_true(money_mul_div(INT64_MAX / 3, 3, 3, &r)); /* product is INT64_MAX - 1 */
    assert_int_equal(r, INT64_MAX / 3);
    /* From here on each product needs more than 64 bits; only the quotient has to fit. */
    assert_true(money_mul_div(INT64_MAX / 3, 4, 4, &r));
    assert_int_equal(r, INT64_MAX / 3);
    assert_true(money_mul_div(INT64_MAX, INT64_MAX, INT64_MAX, &r));
    assert_int_equal(r, INT64_MAX);
    assert_true(money_mul_div(INT64_MIN, INT64_MAX, INT64_MAX, &r));
    assert_int_equal(r, INT64_MIN);
    assert_true(money_mul_div(INT64_MIN, -2, 4, &r)); /* 2^64 / 4 */
    assert_int_equal(r, (int64_t)1 << 62);
    assert_true(money_mul_div(INT64_MAX, 1000000, 1000000, &r));
    assert_int_equal(r, INT64_MAX);
    assert_true(money_mul_div(INT64_MAX / 2, 4, 8, &r));
    assert_int_equal(r, INT64_MAX / 4 + 1); /* (2^62 - 1) * 4 / 8 = 2^61 - 0.5 → 2^61 */
    /* (2^64 - 1) / -2 = -(2^63 - 0.5), which rounds to exactly INT64_MIN. */
    assert_true(money_mul_div(-6148914691236517205, 3, 2, &r));
    assert_int_equal(r, INT64_MIN);
    /* Ordinary proration: 1999 for 10 of 31 days. */
    assert_true(money_mul_div(1999, 10, 31, &r));
    assert_int_equal(r, 645); /* 644.84 */
    assert_true(money_mul_div(-1999, 10, 31, &r));
    assert_int_equal(r, -645);
    assert_true(money_mul_div(5, 1, 2, &r));
    assert_int_equal(r, 3);
    assert_true(money_mul_div(5, -1, 2, &r));
    assert_int_equal(r, -3);
    assert_true(money_mul_div(0, INT64_MIN, 1, &r));
    assert_int_equal(r, 0);
}

static void test_08_mul_div_rejects(void **state)
{
    (void)state;
    int64_t r = 77;
    assert_false(money_mul_div(INT64_MAX, 2, 1, &r));
    assert_false(money_mul_div(INT64_MIN, -1, 1, &r));
    assert_false(money_mul_div(INT64_MAX, INT64_MAX, 2, &r));
    assert_false(money_mul_div(1, 1, 0, &r));
    assert_false(money_mul_div(1, 1, -1, &r));
    assert_false(money_mul_div(INT64_MIN, 1, INT64_MIN, &r));
    assert_int_equal(r, 77);
    assert_false(money_mul_div(INT64_MIN, INT64_MIN, INT64_MAX, &r));
    /* (2^64 - 1) / 2 = 2^63 - 0.5: only the rounding step leaves the int64 range. */
    assert_false(money_mul_div(6148914691236517205, 3, 2, &r));
    assert_int_equal(r, 77);
}

static void assert_decimal(int64_t v, int exp, const char *want)
{
    char buf[MONEY_TEXT_MAX];
    memset(buf, 'Z', sizeof buf);
    money_decimal(v, exp, buf);
    assert_string_equal(buf, want);
}

static void test_09_decimal(void **state)
{
    (void)state;
    assert_decimal(12345, 2, "123.45");
    assert_decimal(-12345, 2, "-123.45");
    assert_decimal(0, 2, "0.00");
    assert_decimal(5, 2, "0.05");
    assert_decimal(-5, 2, "-0.05");
    assert_decimal(-50, 2, "-0.50");
    assert_decimal(100, 2, "1.00");
    assert_decimal(12345, 0, "12345");
    assert_decimal(-7, 0, "-7");
    assert_decimal(0, 0, "0");
    assert_decimal(12345, 3, "12.345");
    assert_decimal(-1, 3, "-0.001");
    assert_decimal(1000, 3, "1.000");
    assert_decimal(15, 4, "0.0015");
    assert_decimal(INT64_MAX, 2, "92233720368547758.07");
    assert_decimal(INT64_MIN, 2, "-92233720368547758.08");
    assert_decimal(INT64_MIN, 0, "-9223372036854775808");
}

static void test_10_decimal_hostile_exponent(void **state)
{
    (void)state;
    /* Out-of-range exponents are clamped: the text always fits MONEY_TEXT_MAX. */
    assert_decimal(123, -1, "123");
    assert_decimal(INT64_MIN, 18, "-9.223372036854775808");
    assert_decimal(1, 99, "0.000000000000000001");
    char buf[MONEY_TEXT_MAX];
    money_decimal(INT64_MIN, 1000, buf);
    assert_true(strlen(buf) < MONEY_TEXT_MAX);
}

static void assert_parse(const char *s, int exp, int64_t want)
{
    int64_t v = 77;
    if (!money_parse(s, exp, &v)) fail_msg("rejected \"%s\" (exponent %d)", s, exp);
    assert_int_equal(v, want);
}

static void test_11_parse_accepts(void **state)
{
    (void)state;
    assert_parse("123.45", 2, 12345);
    assert_parse("123", 2, 12300);
    assert_parse("123.4", 2, 12340);
    assert_parse("-0.5", 2, -50);
    assert_parse("-0.05", 2, -5);
    assert_parse("0", 2, 0);
    assert_parse("-0", 2, 0);
    assert_parse("0.00", 2, 0);
    assert_parse("007", 2, 700);
    assert_parse("1000", 0, 1000);
    assert_parse("1.234", 3, 1234);
    assert_parse("1.2", 3, 1200);
    assert_parse("0.0001", 4, 1);
    assert_parse("92233720368547758.07", 2, INT64_MAX);
    assert_parse("-92233720368547758.08", 2, INT64_MIN);
    assert_parse("9223372036854775807", 0, INT64_MAX);
    assert_parse("-9223372036854775808", 0, INT64_MIN);
}

static void test_12_parse_rejects(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        int exp;
    } bad[] = {
        {"1.234", 2},
        {"1,00", 2},
        {"", 2},
        {"-", 2},
        {"12.", 2},
        {".5", 2},
        {"-.5", 2},
        {"1.0", 0},
        {"1.", 0},
        {"+1", 2},
        {"--1", 2},
        {"- 1", 2},
        {" 1", 2},
        {"1 ", 2},
        {"1\n", 2},
        {"1e3", 2},
        {"1E3", 2},
        {"0x10", 2},
        {"1.2.3", 2},
        {"1..2", 2},
        {"1,000.00", 2},
        {"1_000", 2},
        {"$1", 2},
        {"1-", 2},
        {"abc", 2},
        {"NaN", 2},
        {"inf", 2},
        {"\xef\xbc\x91", 2},
        /* Overflow, integer part and after scaling. */
        {"92233720368547758.08", 2},
        {"-92233720368547758.09", 2},
        {"92233720368547759", 2},
        {"9223372036854775808", 0},
        {"-9223372036854775809", 0},
        {"99999999999999999999999999", 0},
        {"18446744073709551616", 0},
        {"1", 19},
        {"1", -1},
    };
    for (size_t i = 0; i < N(bad); i++) {
        int64_t v = 77;
        if (money_parse(bad[i].s, bad[i].exp, &v))
            fail_msg("accepted \"%s\" (exponent %d)", bad[i].s, bad[i].exp);
        assert_int_equal(v, 77);
    }
    int64_t v;
    assert_false(money_parse(NULL, 2, &v));
    assert_false(money_parse("1", 2, NULL));
}

static void test_13_parse_decimal_round_trip(void **state)
{
    (void)state;
    /* A fixed LCG (Knuth's MMIX constants) so that every run checks the same values. */
    uint64_t x = 0x2545F4914F6CDD1DULL;
    for (int i = 0; i < 20000; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        int64_t v = (int64_t)x >> (x % 60); /* every magnitude, both signs */
        int exp = (int)(x >> 61) % 5;       /* 0..4 */
        char buf[MONEY_TEXT_MAX];
        money_decimal(v, exp, buf);
        int64_t back = 0;
        if (!money_parse(buf, exp, &back)) fail_msg("rejected own text \"%s\"", buf);
        assert_int_equal(back, v);
    }
}

/* ---- money_parse_typed: amounts as people type them -------------------------------------- */

static void assert_typed(const char *s, int exp, char mark, int64_t want)
{
    int64_t v = 77;
    if (!money_parse_typed(s, exp, mark, &v))
        fail_msg("rejected \"%s\" (exponent %d, mark %c)", s, exp, mark);
    if (v != want) fail_msg("\"%s\" gave %lld, not %lld", s, (long long)v, (long long)want);
}

static void test_14_typed_amounts_in_every_convention(void **state)
{
    (void)state;
    for (int i = 0; i < 2; i++) {
        char mark = i ? ',' : '.'; /* with two decimals the reader's mark changes nothing */
        assert_typed("1250.00", 2, mark, 125000);
        assert_typed("1250,00", 2, mark, 125000);
        assert_typed("1250", 2, mark, 125000);
        assert_typed("1,250.00", 2, mark, 125000);
        assert_typed("1.250,00", 2, mark, 125000);
        assert_typed("1 250,00", 2, mark, 125000);
        assert_typed("1\xc2\xa0"
                     "250,50",
                     2, mark, 125050); /* no-break space */
        assert_typed("1\xe2\x80\xaf"
                     "250,50",
                     2, mark, 125050); /* narrow no-break space (fr) */
        assert_typed("1'250.00", 2, mark, 125000);
        assert_typed("1.250", 2, mark, 125000); /* three digits after: a group, not cents */
        assert_typed("1,250", 2, mark, 125000);
        assert_typed("1,5", 2, mark, 150);
        assert_typed("0.05", 2, mark, 5);
        assert_typed("1.234.567,89", 2, mark, 123456789);
        assert_typed("1,234,567", 2, mark, 123456700);
        assert_typed("1250", 0, mark, 1250);
        assert_typed("1.250", 0, mark, 1250);
    }
    /* Three-decimal currencies: "1,250" is ambiguous and read with the reader's mark. */
    assert_typed("1,250", 3, ',', 1250);
    assert_typed("1,250", 3, '.', 1250000);
    assert_typed("1.250", 3, '.', 1250);
    assert_typed("1.250", 3, ',', 1250000);
}

static void test_15_typed_amounts_refused(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        int exp;
    } bad[] = {
        {"", 2},
        {"abc", 2},
        {"-5", 2},
        {"+5", 2},
        {"12.", 2},
        {".5", 2},
        {",5", 2},
        {"1.25.00", 2} /* a repeated mark is grouping, and "25" is not a group */,
        {"1,2,3", 2},
        {"12,34,567", 2},
        {"1.2345", 2},
        {"1,00,00", 2},
        {"1 2", 2},
        {"1.250,5,0", 2},
        {"1,250.000", 2},
        {"12.5", 0},
        {"1e3", 2},
        {"$1", 2},
        {"1 ", 2},
        {"1  250", 2},
        {"1..2", 2},
        {"1.,2", 2},
        {"99999999999999999999999999999999999999999999999999999999999999999999", 2},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t v = 77;
        if (money_parse_typed(bad[i].s, bad[i].exp, '.', &v) ||
            money_parse_typed(bad[i].s, bad[i].exp, ',', &v))
            fail_msg("accepted \"%s\" (exponent %d) as %lld", bad[i].s, bad[i].exp, (long long)v);
        assert_int_equal(v, 77);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_01_currency_exponents),
        cmocka_unit_test(test_02_currency_invalid),
        cmocka_unit_test(test_03_mul_overflow),
        cmocka_unit_test(test_04_add_overflow),
        cmocka_unit_test(test_07_mul_div_128_bit),
        cmocka_unit_test(test_08_mul_div_rejects),
        cmocka_unit_test(test_09_decimal),
        cmocka_unit_test(test_10_decimal_hostile_exponent),
        cmocka_unit_test(test_11_parse_accepts),
        cmocka_unit_test(test_12_parse_rejects),
        cmocka_unit_test(test_13_parse_decimal_round_trip),
        cmocka_unit_test(test_14_typed_amounts_in_every_convention),
        cmocka_unit_test(test_15_typed_amounts_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
