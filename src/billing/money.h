/* Money as integer minor units with an ISO 4217 currency: never floating point. */
#ifndef COBRO_MONEY_H
#define COBRO_MONEY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { MONEY_TEXT_MAX = 32 };

/* Digits after the decimal point of an ISO 4217 currency (USD 2, EUR 2, JPY 0, KWD 3, ...);
 * -1 for a code we do not know. Codes are upper-case three letters. */
int currency_exponent(const char *code);

/* a * b and a + b; false on int64 overflow (the result is then not written). */
bool money_mul(int64_t a, int64_t b, int64_t *out);
bool money_add(int64_t a, int64_t b, int64_t *out);
/* a * b / den rounded half away from zero with a 128-bit intermediate; false when the result
 * does not fit in int64 or den <= 0. */
bool money_mul_div(int64_t a, int64_t b, int64_t den, int64_t *out);

/* Plain decimal text of an amount: -12345 with exponent 2 gives "-123.45" (no grouping, no
 * symbol): the input of locale formatting and of machine formats. */
void money_decimal(int64_t minor, int exponent, char out[MONEY_TEXT_MAX]);
/* Parses "123.45" / "123" / "-0.5" with at most exponent decimals into minor units; false on
 * anything else (no grouping, no exponent notation, no surrounding spaces). */
bool money_parse(const char *s, int exponent, int64_t *out);
/* Parses an amount as people type it in a form: "1250.00", "1250,00", "1,250.00", "1.250,00",
 * "1 250,00" (spaces, no-break spaces or apostrophes between groups of three digits). A
 * separator followed by more digits than exponent allows is grouping ("1.250" is 1250 with
 * cents); one followed by exactly exponent digits or fewer is the decimal mark, except that
 * with three-decimal currencies "1,250" / "1.250" is read with the reader's decimal mark
 * (decimal_mark '.' or ','). When both '.' and ',' appear, the last one is the decimal mark.
 * False on anything else (letters, misplaced groups, a sign). */
bool money_parse_typed(const char *s, int exponent, char decimal_mark, int64_t *out);

#endif
