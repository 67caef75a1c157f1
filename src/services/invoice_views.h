/* What the invoice pages show: an account's Invoice History and one invoice. */
#ifndef COBRO_INVOICE_VIEWS_H
#define COBRO_INVOICE_VIEWS_H
#include "render/invoice_doc.h"
#include "services/services.h"
#include "store/rows.h"
#include "util/arena.h"

/* The account's newest invoices first, at most limit, handed to fn one by one as the store reads
 * them, without a copy: fn must not keep the row's texts past its call. */
status_t invoice_history_each(services_t *svc, int64_t account_id, int limit, invoice_summary_fn fn,
                              void *ctx);
/* The invoice numbered number with the vendor's details and how to pay it, when it belongs to
 * account_id (0: any account, for staff); someone else's answers STATUS_NOT_FOUND, exactly as
 * one that does not exist. */
status_t invoice_view(services_t *svc, arena_t *a, const char *number, int64_t account_id,
                      invoice_doc_t *out);

#endif
