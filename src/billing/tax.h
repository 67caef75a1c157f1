/* Tax on an invoice, per rate, rounded to the currency's minor unit by one documented rule. */
#ifndef COBRO_TAX_H
#define COBRO_TAX_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Rates are in parts per million of the amount: 22% is 220000, 8.875% is 88750. */
enum { TAX_RATE_ONE = 1000000 };

typedef enum { TAX_EXCLUSIVE = 0, TAX_INCLUSIVE } tax_mode_t;

typedef struct {
    int64_t net, tax, gross; /* net + tax == gross, always */
} tax_split_t;

/* One amount's tax, rounded half away from zero to the minor unit.
 * Prices excluding tax: net = amount, tax = round(amount * rate / 1e6), gross = net + tax.
 * Prices including tax: gross = amount, net = round(amount * 1e6 / (1e6 + rate)),
 * tax = gross - net. An invoice does not add these up line by line: see tax_by_rate. False on
 * overflow or a rate outside 0..TAX_RATE_ONE. */
bool tax_split(int64_t amount, int64_t rate_ppm, tax_mode_t mode, tax_split_t *out);

/* The tax of an invoice at one rate: the base is what is taxed at that rate (net), tax what is
 * due on it. */
typedef struct {
    int64_t rate_ppm, base, tax;
} tax_subtotal_t;

/* THE INVOICE RULE (EN 16931, BR-CO-17): the lines are grouped by rate, in the order each rate
 * first appears; each group's amounts (amounts[i] at rates[i]) are added up and tax_split is
 * applied once to the sum, so tax is rounded once per rate, never per line. The invoice's
 * subtotal is the sum of the bases, its tax the sum of the taxes, its total the sum of both.
 * out has room for n entries; *n_out receives how many rates there are. False on overflow or a
 * rate outside 0..TAX_RATE_ONE. */
bool tax_by_rate(const int64_t *amounts, const int64_t *rates, size_t n, tax_mode_t mode,
                 tax_subtotal_t *out, size_t *n_out);

/* THE TOTALS of every document that charges (invoices, quotes): tax_by_rate on the amounts, then
 * subtotal = the sum of the bases, tax_total = the sum of the taxes, total = both. out has room
 * for n entries. False on overflow or a bad rate (nothing meaningful is written then). */
typedef struct {
    int64_t subtotal, tax_total, total;
} tax_totals_t;
bool tax_totals(const int64_t *amounts, const int64_t *rates, size_t n, tax_mode_t mode,
                tax_subtotal_t *out, size_t *n_out, tax_totals_t *totals);

/* What the tax is called in a country (ISO 3166 alpha-2), as stored with an invoice: "sales tax"
 * (US, named with the state when printed), "IVA" (IT, ES), "TVA" (FR), "MwSt." (DE), else
 * "VAT". The proper names stay as they are in every language; "sales tax" and "VAT" are
 * translated when printed. */
const char *tax_scheme_name(const char *country);

/* "exclusive" / "inclusive". */
bool tax_mode_parse(const char *s, tax_mode_t *out);
const char *tax_mode_name(tax_mode_t m);

/* Formats a rate for people: 220000 → "22", 88750 → "8.875", 62500 → "6.25" (no % sign). */
void tax_rate_text(int64_t rate_ppm, char out[16]);

#endif
