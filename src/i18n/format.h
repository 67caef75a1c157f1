/* Locale formats for people (ICU): money and dates in the user's language and country.
 * Never floating point for money: amounts go to ICU as decimal text. Thread-safe. */
#ifndef COBRO_FORMAT_H
#define COBRO_FORMAT_H
#include "i18n.h"
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

#endif
