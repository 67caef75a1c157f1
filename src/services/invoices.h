/* Loading an issued invoice for display: the stored snapshot plus the vendor's own details. */
#ifndef COBRO_INVOICES_H
#define COBRO_INVOICES_H
#include "store/store.h"
#include "util/buf.h"

/* Loads the invoice by number (or by id when number is NULL) and fills the vendor fields from
 * the vendor settings. */
store_status_t invoice_load(store_t *s, arena_t *a, const char *number, int64_t id,
                            invoice_doc_t *out);

/* Renders the invoice PDF for an outbox email (mailer) or a download; false with err. */
bool invoice_pdf_for(store_t *s, arena_t *a, int64_t invoice_id, buf_t *pdf, const char **filename,
                     char *err, size_t err_size);

#endif
