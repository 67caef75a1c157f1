/* Loading an issued invoice for display: the stored snapshot plus the vendor's own details. */
#ifndef COBRO_INVOICES_H
#define COBRO_INVOICES_H
#include "services/vendor_settings.h"
#include "store/rows.h"
#include "util/arena.h"
#include "util/buf.h"

/* THE RULE of which bank details apply, for the invoice's "How to pay" and the portal's Payment
 * Method tab alike: the vendor's bank details that are set, in this order, each with its label
 * (an English msgid). Returns how many (none: customers ask Customer Care). */
enum { BANK_DETAILS_MAX = 6 };
typedef struct {
    const char *label, *value;
} bank_detail_t;
size_t vendor_bank_details(arena_t *a, const vendor_payment_t *v,
                           bank_detail_t out[BANK_DETAILS_MAX]);

/* THE RULE of how an invoice says it can be paid, for its HTML view, print view and PDF alike:
 * the payment method chosen when it was issued (method, the invoice's snapshot) and where to send
 * it (a wire to the vendor's bank, a check to its mailing address); when none was chosen, every
 * method the vendor accepts: wire transfer when bank details are set, check when a mailing
 * address is set, card through Customer Care, and for corporate accounts direct debit
 * ("direct_debit_offer": set up on the portal's Payment Method tab). Returns how many, at most
 * 4, in *out (allocated in a). */
size_t invoice_payment_instructions(arena_t *a, const char *method, const char *account_kind,
                                    const vendor_payment_t *v, invoice_payment_t **out);

/* Loads the invoice by number (or by id when number is NULL) and fills the vendor fields and the
 * payment instructions (invoice_payment_instructions) from the vendor settings. */
store_status_t invoice_load(store_t *s, arena_t *a, const char *number, int64_t id,
                            invoice_doc_t *out);

/* Renders the invoice PDF for an outbox email (mailer) or a download; false with err. */
bool invoice_pdf_for(store_t *s, arena_t *a, int64_t invoice_id, buf_t *pdf, const char **filename,
                     char *err, size_t err_size);

#endif
