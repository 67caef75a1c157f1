/* Tax on an invoice line, rounded to the currency's minor unit by one documented rule. */
#ifndef COBRO_TAX_H
#define COBRO_TAX_H
#include <stdbool.h>
#include <stdint.h>

/* Rates are in parts per million of the amount: 22% is 220000, 8.875% is 88750. */
enum { TAX_RATE_ONE = 1000000 };

typedef enum { TAX_EXCLUSIVE = 0, TAX_INCLUSIVE } tax_mode_t;

typedef struct {
    int64_t net, tax, gross; /* net + tax == gross, always */
} tax_split_t;

/* THE RULE: tax is computed per invoice line and rounded half away from zero to the minor unit.
 * Prices excluding tax: net = amount, tax = round(amount * rate / 1e6), gross = net + tax.
 * Prices including tax: gross = amount, net = round(amount * 1e6 / (1e6 + rate)),
 * tax = gross - net. An invoice's tax is the sum of its lines' taxes and its total the sum of
 * their gross amounts, so lines + tax = total to the cent. False on overflow or a rate outside
 * 0..TAX_RATE_ONE. */
bool tax_split(int64_t amount, int64_t rate_ppm, tax_mode_t mode, tax_split_t *out);

/* "exclusive" / "inclusive". */
bool tax_mode_parse(const char *s, tax_mode_t *out);
const char *tax_mode_name(tax_mode_t m);

/* Formats a rate for people: 220000 → "22", 88750 → "8.875", 62500 → "6.25" (no % sign). */
void tax_rate_text(int64_t rate_ppm, char out[16]);

#endif
