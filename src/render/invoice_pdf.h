/* The invoice PDF (cairo + pango): Letter for US accounts, A4 elsewhere; text is real text. */
#ifndef COBRO_INVOICE_PDF_H
#define COBRO_INVOICE_PDF_H
#include "i18n/i18n.h"
#include "invoice_doc.h"
#include "util/buf.h"
#include <stdbool.h>

/* Appends the PDF of inv to out, in the invoice's language (inv->lang) with that locale's money
 * and date formats. Thread-safe; slow enough (a few ms) to belong on a worker thread. False with
 * a one-line reason in err on failure. */
bool invoice_pdf_render(const invoice_doc_t *inv, buf_t *out, char *err, size_t err_size);

/* The "How to pay" sentence for a payment-method code ("card", "wire", "check",
 * "direct_debit", and "direct_debit_offer" for the offer to set one up) in lang; any other text
 * comes back as it is. Shared by the PDF and the page. */
const char *invoice_payment_note(lang_t lang, const char *method);
/* The sentence before the payment notes when there are several (none was chosen), else NULL. */
const char *invoice_payment_intro(lang_t lang, size_t n_payments);
/* A tax row's label, named as the invoice's country names it, with its rate in lang's format:
 * "Illinois sales tax 6.25%", "IVA 22 %", "TVA 20 %", "MwSt. 19 %", "VAT 20%". */
void invoice_tax_label(lang_t lang, const char *country, const char *region, const invoice_tax_t *t,
                       char *out, size_t n);
/* The remit_to of an invoice (invoice_doc.h) as text in lang, lines separated by \n: "Label:
 * value" with the label translated, address lines as they are. Whole, in memory the caller
 * frees; NULL when memory ran out. */
char *invoice_remit_text(lang_t lang, const char *remit_to);

/* The PDF's file name for downloads and attachments: "NUMBER.pdf". */
const char *invoice_pdf_filename(const invoice_doc_t *inv, arena_t *a);

#endif
