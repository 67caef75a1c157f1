/* Unit tests: money and dates for people through ICU (src/i18n/format.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "billing/calendar.h"
#include "i18n/format.h"
#include "util/arena.h"
#include "util/html.h"

#define NBSP "\xc2\xa0"      /* U+00A0 NO-BREAK SPACE */
#define NNBSP "\xe2\x80\xaf" /* U+202F NARROW NO-BREAK SPACE */
#define EURO "\xe2\x82\xac"  /* U+20AC EURO SIGN */

static void money_is(lang_t lang, const char *country, const char *currency, int64_t minor,
                     const char *want)
{
    char out[64];
    bool ok = format_money(lang, country, currency, minor, out, sizeof out);
    if (!ok || strcmp(out, want) != 0)
        fail_msg("%s/%s %s %lld: got \"%s\" (%s), want \"%s\"", lang_code(lang), country, currency,
                 (long long)minor, out, ok ? "true" : "false", want);
}

static void date_is(lang_t lang, const char *country, const char *iso, const char *want)
{
    char out[64];
    bool ok = format_date(lang, country, iso, out, sizeof out);
    if (!ok || strcmp(out, want) != 0)
        fail_msg("%s/%s %s: got \"%s\" (%s), want \"%s\"", lang_code(lang), country, iso, out,
                 ok ? "true" : "false", want);
}

static void test_01_money_en_us(void **state)
{
    (void)state;
    money_is(LANG_EN, "US", "USD", 123456, "$1,234.56");
    money_is(LANG_EN, "US", "USD", 0, "$0.00");
    money_is(LANG_EN, "US", "USD", 5, "$0.05");
    money_is(LANG_EN, "US", "USD", 100000000, "$1,000,000.00");
    money_is(LANG_EN, "us", "USD", 123456, "$1,234.56"); /* country case does not matter */
}

static void test_02_money_it_it(void **state)
{
    (void)state;
    char out[64];
    assert_true(format_money(LANG_IT, "IT", "EUR", 123456, out, sizeof out));
    assert_non_null(strstr(out, "1.234,56"));
    assert_non_null(strstr(out, EURO));
    assert_string_equal(out, "1.234,56" NBSP EURO);
}

static void test_03_money_fr_fr(void **state)
{
    (void)state;
    char out[64];
    assert_true(format_money(LANG_FR, "FR", "EUR", 123456, out, sizeof out));
    /* Grouping is a narrow no-break space (CLDR), the symbol follows after a no-break space. */
    bool grouped = strstr(out, "1" NNBSP "234,56") || strstr(out, "1" NBSP "234,56");
    if (!grouped) fail_msg("fr_FR grouping: \"%s\"", out);
    assert_non_null(strstr(out, EURO));
    assert_null(strchr(out, ' ')); /* never a breakable ASCII space inside an amount */
}

static void test_04_money_es_es(void **state)
{
    (void)state;
    char out[64];
    assert_true(format_money(LANG_ES, "ES", "EUR", 12345678, out, sizeof out));
    assert_string_equal(out, "123.456,78" NBSP EURO);
    assert_true(format_money(LANG_ES, "ES", "EUR", 123456, out, sizeof out));
    assert_string_equal(out, "1.234,56" NBSP EURO);
    assert_true(format_money(LANG_ES, "ES", "EUR", 99, out, sizeof out));
    assert_string_equal(out, "0,99" NBSP EURO);
}

static void test_05_money_negative(void **state)
{
    (void)state;
    money_is(LANG_EN, "US", "USD", -123456, "-$1,234.56");
    money_is(LANG_IT, "IT", "EUR", -123456, "-1.234,56" NBSP EURO);
    money_is(LANG_EN, "US", "USD", -1, "-$0.01");
    char out[64];
    assert_true(format_money(LANG_FR, "FR", "EUR", -5, out, sizeof out));
    assert_non_null(strstr(out, "0,05"));
    assert_non_null(strchr(out, '-') ? strchr(out, '-') : strstr(out, "\xe2\x88\x92"));
}

static void test_06_money_zero_and_three_decimals(void **state)
{
    (void)state;
    money_is(LANG_EN, "US", "JPY", 1234,
             "\xc2\xa5"
             "1,234"); /* ¥1,234: yen have no decimals */
    char out[64];
    assert_true(format_money(LANG_IT, "IT", "JPY", 123456, out, sizeof out));
    assert_non_null(strstr(out, "123.456"));
    assert_null(strchr(out, ','));
    assert_true(format_money(LANG_EN, "US", "KWD", 1234, out, sizeof out));
    assert_non_null(strstr(out, "1.234")); /* three decimals: 1.234 dinars */
}

static void test_07_money_other_locales(void **state)
{
    (void)state;
    char out[64];
    /* English for an Italian account: the amount in euros, English separators. */
    assert_true(format_money(LANG_EN, "IT", "EUR", 123456, out, sizeof out));
    assert_non_null(strstr(out, "1,234.56"));
    assert_non_null(strstr(out, EURO));
    /* No country: the language alone. */
    assert_true(format_money(LANG_IT, NULL, "EUR", 123456, out, sizeof out));
    assert_non_null(strstr(out, "1.234,56"));
    assert_true(format_money(LANG_FR, "", "EUR", 100, out, sizeof out));
    assert_non_null(strstr(out, "1,00"));
    /* A currency foreign to the locale keeps its own code or symbol. */
    assert_true(format_money(LANG_IT, "IT", "CHF", 123456, out, sizeof out));
    assert_non_null(strstr(out, "1.234,56"));
    assert_non_null(strstr(out, "CHF"));
    /* Amounts near the int64 limits are formatted exactly, never through a double. */
    assert_true(format_money(LANG_EN, "US", "USD", INT64_MAX, out, sizeof out));
    assert_string_equal(out, "$92,233,720,368,547,758.07");
    assert_true(format_money(LANG_EN, "US", "USD", INT64_MIN, out, sizeof out));
    assert_string_equal(out, "-$92,233,720,368,547,758.08");
}

static void test_08_money_unknown_currency(void **state)
{
    (void)state;
    char out[64];
    assert_false(format_money(LANG_EN, "US", "XYZ", 123456, out, sizeof out));
    assert_string_equal(out, "1234.56 XYZ");
    assert_false(format_money(LANG_IT, "IT", "eur", 100, out, sizeof out));
    assert_string_equal(out, "1.00 eur");
    assert_false(format_money(LANG_EN, "US", NULL, -250, out, sizeof out));
    assert_string_equal(out, "-2.50");
    assert_false(format_money(LANG_EN, "US", "EURO\n", 250, out, sizeof out));
    assert_string_equal(out, "2.50"); /* nothing odd copied into the output */
}

static void test_09_money_small_buffer(void **state)
{
    (void)state;
    char out[6];
    /* "$1,234.56" does not fit: false, and what is there is a terminated string. */
    assert_false(format_money(LANG_EN, "US", "USD", 123456, out, sizeof out));
    assert_true(strlen(out) < sizeof out);
    assert_false(format_money(LANG_EN, "US", "USD", 1, out, 0));
}

static void test_10_dates_four_languages(void **state)
{
    (void)state;
    date_is(LANG_EN, "US", "2026-11-22", "Nov 22, 2026");
    date_is(LANG_IT, "IT", "2026-11-22", "22 nov 2026");
    date_is(LANG_ES, "ES", "2026-11-22", "22 nov 2026");
    date_is(LANG_FR, "FR", "2026-11-22", "22 nov. 2026");
    date_is(LANG_FR, "FR", "2027-02-01", "1 f\xc3\xa9vr. 2027"); /* févr. */
    date_is(LANG_ES, "ES", "2027-09-30", "30 sept 2027");
    date_is(LANG_IT, "IT", "2028-02-29", "29 feb 2028");
    date_is(LANG_EN, "US", "1970-01-01", "Jan 1, 1970");
    date_is(LANG_EN, "US", "1969-12-31", "Dec 31, 1969"); /* before the epoch, still UTC */
}

static void test_11_dates_bad_input(void **state)
{
    (void)state;
    char out[64];
    assert_false(format_date(LANG_EN, "US", "2026-02-30", out, sizeof out));
    assert_string_equal(out, "2026-02-30");
    assert_false(format_date(LANG_EN, "US", "22/11/2026", out, sizeof out));
    assert_string_equal(out, "22/11/2026");
    assert_false(format_date(LANG_EN, "US", NULL, out, sizeof out));
    assert_string_equal(out, "");
    char tiny[4];
    assert_false(format_date(LANG_EN, "US", "2026-11-22", tiny, sizeof tiny));
    assert_true(strlen(tiny) < sizeof tiny);
}

/* The per-thread caches: many threads, many locales and currencies (more than a cache holds),
 * each result checked; run under ThreadSanitizer or Helgrind this shows no shared state. */
static void *format_many(void *arg)
{
    (void)arg;
    static const char *const currencies[] = {"USD", "EUR", "GBP", "JPY", "CHF",
                                             "SEK", "NOK", "DKK", "CAD", "AUD"};
    static const char *const countries[] = {"US", "IT", "FR", "ES"};
    char out[64];
    for (int round = 0; round < 20; round++) {
        for (int l = 0; l < LANG_COUNT; l++) {
            for (size_t c = 0; c < sizeof currencies / sizeof *currencies; c++) {
                if (!format_money((lang_t)l, countries[(c + (size_t)l) % 4], currencies[c], 100,
                                  out, sizeof out))
                    return (void *)"money";
            }
            if (!format_date((lang_t)l, countries[l], "2026-11-22", out, sizeof out) ||
                !strstr(out, "22"))
                return (void *)"date";
        }
        if (!format_money(LANG_EN, "US", "USD", 123456, out, sizeof out) ||
            strcmp(out, "$1,234.56") != 0)
            return (void *)"en_US USD";
    }
    return NULL;
}

static void test_12_threads(void **state)
{
    (void)state;
    pthread_t th[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&th[i], NULL, format_many, NULL), 0);
    for (int i = 0; i < 4; i++) {
        void *r = NULL;
        assert_int_equal(pthread_join(th[i], &r), 0);
        if (r) fail_msg("thread %d: %s", i, (const char *)r);
    }
}

/* The thread's memo of formatted results answers for its own key only: many amounts and dates
 * (more than its slots), in two locales that share a language and without a country, asked
 * twice in different orders, give each time what the first asking gave. */
static void test_13_memo_keeps_keys_apart(void **state)
{
    (void)state;
    enum { N = 1500 };
    static char first[3][N][64];
    static const char *const countries[] = {"IT", "CH", NULL};
    char out[64], iso[11];
    for (int pass = 0; pass < 2; pass++) {
        for (int k = 0; k < N; k++) {
            int i = pass ? N - 1 - k : k; /* the second pass in reverse */
            for (int c = 0; c < 3; c++) {
                int64_t minor = (int64_t)i * 100037; /* the same amount in each locale */
                assert_true(format_money(LANG_IT, countries[c], "EUR", minor, out, sizeof out));
                if (!pass)
                    snprintf(first[c][i], sizeof first[c][i], "%s", out);
                else
                    assert_string_equal(out, first[c][i]);
                snprintf(iso, sizeof iso, "20%02d-%02d-%02d", 20 + i % 10, 1 + i % 12, 1 + i % 28);
                assert_true(format_date(LANG_IT, countries[c], iso, out, sizeof out));
                char want[64];
                snprintf(want, sizeof want, "%d", 2020 + i % 10);
                assert_non_null(strstr(out, want)); /* the year of this date, not another's */
            }
        }
    }
    money_is(LANG_IT, "IT", "EUR", 123456, "1.234,56" NBSP EURO);
    money_is(LANG_IT, NULL, "EUR", 123456, "1.234,56" NBSP EURO);
    /* Swiss Italian groups thousands otherwise: another locale's text would show here. */
    char ch[64], it[64];
    assert_true(format_money(LANG_IT, "CH", "EUR", 123456, ch, sizeof ch));
    assert_true(format_money(LANG_IT, "IT", "EUR", 123456, it, sizeof it));
    assert_string_not_equal(ch, it);
}

/* Dates (currency "") and rates ("%") share the memo with amounts: an amount whose currency is
 * not a code never gets a remembered date or rate for text. */
static void test_14_memo_never_answers_an_amount_with_a_date(void **state)
{
    (void)state;
    char out[64], date[64], rate[64];
    date_t d;
    assert_true(date_parse("2026-11-22", &d));
    assert_true(format_date(LANG_EN, "US", "2026-11-22", date, sizeof date));
    assert_true(format_percent(LANG_EN, "US", 62500, rate, sizeof rate));
    assert_false(format_money(LANG_EN, "US", "", date_to_days(d), out, sizeof out));
    assert_string_not_equal(out, date);
    assert_false(format_money(LANG_EN, "US", "%", 62500, out, sizeof out));
    assert_string_not_equal(out, rate);
}

/* The HTML appenders write what format_date and format_money write, escaped, whether the value
 * is remembered yet or not; a date keyed by its digits never answers for an invalid one. */
static void test_15_html_appenders_match(void **state)
{
    (void)state;
    static const char *const isos[] = {"2026-11-22", "2025-02-28",  "2026-02-30", "2026-1-22",
                                       "<b>2026",    "2026-11-22x", "",           NULL};
    static const int64_t amounts[] = {0, 123456, -5, 99999999};
    static const char *const currencies[] = {"USD", "EUR", "JPY", "ZZ<", NULL};
    for (int lang = 0; lang < LANG_COUNT; lang++) {
        for (int pass = 0; pass < 2; pass++) {
            arena_t *a = arena_new();
            format_ctx_t c;
            format_ctx_init(&c, (lang_t)lang, pass ? "IT" : "US");
            for (size_t i = 0; i < sizeof isos / sizeof *isos; i++) {
                char want[64];
                buf_t got, esc;
                buf_init(&got, a);
                buf_init(&esc, a);
                format_date((lang_t)lang, c.country, isos[i], want, sizeof want);
                html_escape(&esc, want);
                for (int again = 0; again < 2; again++) { /* a miss, then a hit */
                    got.len = 0;
                    format_date_html(&got, &c, isos[i]);
                    assert_string_equal(got.data, esc.data);
                }
            }
            for (size_t i = 0; i < sizeof amounts / sizeof *amounts; i++) {
                for (size_t k = 0; k < sizeof currencies / sizeof *currencies; k++) {
                    char want[64];
                    buf_t got, esc;
                    buf_init(&got, a);
                    buf_init(&esc, a);
                    format_money((lang_t)lang, c.country, currencies[k], amounts[i], want,
                                 sizeof want);
                    html_escape(&esc, want);
                    for (int again = 0; again < 2; again++) {
                        got.len = 0;
                        format_money_html(&got, &c, currencies[k], amounts[i]);
                        assert_string_equal(got.data, esc.data);
                    }
                }
            }
            arena_free(a);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_01_money_en_us),
        cmocka_unit_test(test_02_money_it_it),
        cmocka_unit_test(test_03_money_fr_fr),
        cmocka_unit_test(test_04_money_es_es),
        cmocka_unit_test(test_05_money_negative),
        cmocka_unit_test(test_06_money_zero_and_three_decimals),
        cmocka_unit_test(test_07_money_other_locales),
        cmocka_unit_test(test_08_money_unknown_currency),
        cmocka_unit_test(test_09_money_small_buffer),
        cmocka_unit_test(test_10_dates_four_languages),
        cmocka_unit_test(test_11_dates_bad_input),
        cmocka_unit_test(test_12_threads),
        cmocka_unit_test(test_13_memo_keeps_keys_apart),
        cmocka_unit_test(test_14_memo_never_answers_an_amount_with_a_date),
        cmocka_unit_test(test_15_html_appenders_match),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
