/* Invoice words shared by the HTML view and the PDF. */
#include "render/invoice_text.h"
#include "i18n/format.h"

#include <stdio.h>
#include <string.h>

const char *invoice_status_text(lang_t lang, const char *status)
{
    if (strcmp(status, "open") == 0) return tr(lang, "Open");
    if (strcmp(status, "partially_paid") == 0) return tr(lang, "Partially paid");
    if (strcmp(status, "paid") == 0) return tr(lang, "Paid");
    if (strcmp(status, "void") == 0) return tr(lang, "Void");
    /* TRANSLATORS: an invoice past its due date with a balance. */
    if (strcmp(status, "overdue") == 0) return tr(lang, "Overdue");
    return status;
}

void invoice_tax_total_label(lang_t lang, const char *country, const invoice_doc_t *inv, char *out,
                             size_t size)
{
    bool one_rate = inv->n_lines > 0;
    for (size_t i = 1; one_rate && i < inv->n_lines; i++)
        one_rate = inv->lines[i].tax_rate_ppm == inv->lines[0].tax_rate_ppm;
    if (!one_rate) {
        snprintf(out, size, "%s", tr(lang, "Tax"));
        return;
    }
    char pct[64];
    format_percent(lang, country, inv->lines[0].tax_rate_ppm, pct, sizeof pct);
    snprintf(out, size, tr(lang, "Tax (%s)"), pct);
}

/* Card brands as the gateways name them, as people write them. */
static const char *brand_name(const char *brand)
{
    static const char *const names[][2] = {
        {"visa", "Visa"},         {"mastercard", "Mastercard"}, {"amex", "American Express"},
        {"discover", "Discover"}, {"diners", "Diners Club"},    {"jcb", "JCB"},
        {"unionpay", "UnionPay"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(brand, names[i][0]) == 0) return names[i][1];
    return brand;
}

void invoice_received_method(lang_t lang, const invoice_received_t *p, char *out, size_t size)
{
    const char *m = p->method ? p->method : "";
    const char *ref = p->reference ? p->reference : "";
    if (strcmp(m, "card") == 0) {
        const char *brand =
            p->card_brand && *p->card_brand ? brand_name(p->card_brand) : tr(lang, "Card");
        if (p->card_last4 && *p->card_last4)
            /* TRANSLATORS: a card payment: "Visa ending in 4242". */
            snprintf(out, size, tr(lang, "%s ending in %s"), brand, p->card_last4);
        else
            snprintf(out, size, "%s", brand);
        return;
    }
    const char *name = strcmp(m, "wire") == 0     ? tr(lang, "Wire transfer")
                       : strcmp(m, "check") == 0  ? tr(lang, "Check")
                       : strcmp(m, "ach") == 0    ? tr(lang, "ACH / direct debit")
                       : strcmp(m, "credit") == 0 ? tr(lang, "Account credit")
                                                  : m;
    if (*ref) /* TRANSLATORS: a payment's method and its reference: "Wire transfer, ref. 88812". */
        snprintf(out, size, tr(lang, "%s, ref. %s"), name, ref);
    else
        snprintf(out, size, "%s", name);
}
