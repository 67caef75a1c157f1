/* Locale formats for people (ICU): money and dates in the user's language and country.
 * Never floating point for money: amounts go to ICU as decimal text. Thread-safe. */
#ifndef COBRO_FORMAT_H
#define COBRO_FORMAT_H
#include "i18n.h"
#include "util/buf.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An amount in minor units of currency, formatted for lang and country ("US", "IT"...):
 * en/US USD 123456 → "$1,234.56"; it/IT EUR 123456 → "1.234,56 €"; fr/FR → "1 234,56 €" (with
 * the locale's own spaces). UTF-8 into out; false (and a plain "1234.56 EUR" fallback) when ICU
 * fails. */
bool format_money(lang_t lang, const char *country, const char *currency, int64_t minor, char *out,
                  size_t n);
/* A 'YYYY-MM-DD' date in the locale's medium style: en/US "Nov 22, 2026", it "22 nov 2026",
 * es "22 nov 2026", fr "22 nov. 2026". Falls back to the ISO text when ICU fails. */
bool format_date(lang_t lang, const char *country, const char *iso_date, char *out, size_t n);

/* A tax rate in parts per million as the locale writes a percentage: en "8.875%", fr "5,5 %";
 * false with a plain "8.875%" when ICU fails. */
bool format_percent(lang_t lang, const char *country, int64_t ppm, char *out, size_t n);
/* The name of an ISO 3166 country code in lang ("IT" in French: "Italie"); the code itself when
 * ICU does not know it (and false). */
bool format_country(lang_t lang, const char *code, char *out, size_t n);

/* What formatting for one language and country needs, worked out once for a table of values
 * rather than for each value. country must outlive the context. */
typedef struct {
    lang_t lang;
    const char *country;
    char locale[8];
    uint64_t locale_key;
    bool packed; /* locale_key holds the whole locale (else nothing is looked up by it) */
} format_ctx_t;
void format_ctx_init(format_ctx_t *c, lang_t lang, const char *country);
/* format_date and format_money, their text appended to out HTML-escaped: a remembered value is
 * copied straight from the thread's memo, with no copy in between. */
void format_date_html(buf_t *out, const format_ctx_t *c, const char *iso_date);
void format_money_html(buf_t *out, const format_ctx_t *c, const char *currency, int64_t minor);

#endif
