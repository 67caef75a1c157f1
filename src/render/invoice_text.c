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
