/* Tax on an invoice, per rate, rounded to the currency's minor unit by one documented rule (tax.h).
 */
#include "tax.h"

#include <string.h>

#include "money.h"

bool tax_split(int64_t amount, int64_t rate_ppm, tax_mode_t mode, tax_split_t *out)
{
    if (!out || rate_ppm < 0 || rate_ppm > TAX_RATE_ONE) return false;
    tax_split_t r;
    switch (mode) {
    case TAX_EXCLUSIVE:
        r.net = amount;
        if (!money_mul_div(amount, rate_ppm, TAX_RATE_ONE, &r.tax)) return false;
        if (!money_add(r.net, r.tax, &r.gross)) return false;
        break;
    case TAX_INCLUSIVE:
        r.gross = amount;
        if (!money_mul_div(amount, TAX_RATE_ONE, TAX_RATE_ONE + rate_ppm, &r.net)) return false;
        /* net has gross's sign and |net| <= |gross|, so this cannot overflow; deriving tax by
         * subtraction (rather than rounding it separately) is what keeps net + tax == gross. */
        r.tax = r.gross - r.net;
        break;
    default:
        return false;
    }
    *out = r;
    return true;
}

bool tax_by_rate(const int64_t *amounts, const int64_t *rates, size_t n, tax_mode_t mode,
                 tax_subtotal_t *out, size_t *n_out)
{
    if (!out || !n_out || (n && (!amounts || !rates))) return false;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (rates[i] < 0 || rates[i] > TAX_RATE_ONE) return false;
        size_t j = 0;
        while (j < k && out[j].rate_ppm != rates[i])
            j++;
        if (j == k) out[k++] = (tax_subtotal_t){.rate_ppm = rates[i]};
        /* base holds the group's sum of amounts until it is split below. */
        if (!money_add(out[j].base, amounts[i], &out[j].base)) return false;
    }
    for (size_t j = 0; j < k; j++) {
        tax_split_t sp;
        if (!tax_split(out[j].base, out[j].rate_ppm, mode, &sp)) return false;
        out[j].base = sp.net;
        out[j].tax = sp.tax;
    }
    *n_out = k;
    return true;
}

bool tax_totals(const int64_t *amounts, const int64_t *rates, size_t n, tax_mode_t mode,
                tax_subtotal_t *out, size_t *n_out, tax_totals_t *totals)
{
    *totals = (tax_totals_t){0};
    if (!tax_by_rate(amounts, rates, n, mode, out, n_out)) return false;
    for (size_t i = 0; i < *n_out; i++)
        if (!money_add(totals->subtotal, out[i].base, &totals->subtotal) ||
            !money_add(totals->tax_total, out[i].tax, &totals->tax_total))
            return false;
    return money_add(totals->subtotal, totals->tax_total, &totals->total);
}

const char *tax_scheme_name(const char *country)
{
    static const struct {
        char cc[3];
        const char *name;
    } names[] = {{"US", "sales tax"}, {"IT", "IVA"}, {"ES", "IVA"}, {"FR", "TVA"}, {"DE", "MwSt."}};
    for (size_t i = 0; country && i < sizeof names / sizeof names[0]; i++)
        if (strcmp(country, names[i].cc) == 0) return names[i].name;
    return "VAT";
}

bool tax_mode_parse(const char *s, tax_mode_t *out)
{
    if (!s || !out) return false;
    if (strcmp(s, "exclusive") == 0)
        *out = TAX_EXCLUSIVE;
    else if (strcmp(s, "inclusive") == 0)
        *out = TAX_INCLUSIVE;
    else
        return false;
    return true;
}

const char *tax_mode_name(tax_mode_t m)
{
    switch (m) {
    case TAX_EXCLUSIVE:
        return "exclusive";
    case TAX_INCLUSIVE:
        return "inclusive";
    }
    /* Never NULL: the name goes straight into pages and logs. It does not parse back, so a
     * corrupt mode cannot be stored as a valid one. */
    return "unknown";
}

void tax_rate_text(int64_t rate_ppm, char out[16])
{
    /* Only rates tax_split accepts have a meaning; a wider int64 would not fit 16 bytes. */
    if (rate_ppm < 0 || rate_ppm > TAX_RATE_ONE) {
        strcpy(out, "?");
        return;
    }
    /* One percent is 10000 ppm, so a rate is a percentage with at most four decimals. */
    int whole = (int)(rate_ppm / 10000), frac = (int)(rate_ppm % 10000);
    char *p = out;
    char rev[4];
    int n = 0;
    do {
        rev[n++] = (char)('0' + whole % 10);
        whole /= 10;
    } while (whole != 0);
    while (n > 0)
        *p++ = rev[--n];
    if (frac != 0) {
        /* Four decimals, then the zeros at the end dropped: 6.2500 -> 6.25. */
        *p++ = '.';
        for (int i = 3; i >= 0; i--, frac /= 10)
            p[i] = (char)('0' + frac % 10);
        p += 4;
        while (p[-1] == '0')
            p--;
    }
    *p = '\0';
}
