/* What the invoice page and the invoice PDF write alike: the status of an invoice in words and
 * the one tax row of an invoice issued before its taxes were stored per rate. */
#ifndef COBRO_INVOICE_TEXT_H
#define COBRO_INVOICE_TEXT_H
#include "i18n/i18n.h"
#include "render/invoice_doc.h"
#include <stddef.h>

/* "open", "partially_paid", "paid", "void", "overdue" in lang (an unknown status as it is). */
const char *invoice_status_text(lang_t lang, const char *status);

/* The label of the single tax row of an invoice without stored taxes (n_taxes 0): "Tax (rate)"
 * when its lines share one rate, else "Tax". */
void invoice_tax_total_label(lang_t lang, const char *country, const invoice_doc_t *inv, char *out,
                             size_t size);

/* How a payment received was made, in lang: "Visa ending in 4242", "Wire transfer, ref. 88812",
 * "Account credit". */
void invoice_received_method(lang_t lang, const invoice_received_t *p, char *out, size_t size);

#endif
