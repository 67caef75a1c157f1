/* What a quote's document needs besides the quote: the seller (vendor settings at render time,
 * as on invoices), and the PDF of a quote for an outbox email. */
#ifndef COBRO_QUOTE_DOCS_H
#define COBRO_QUOTE_DOCS_H
#include "render/quote_doc.h"
#include "services/services.h"
#include "store/rows.h"
#include "util/arena.h"
#include "util/buf.h"

/* The seller's name, address, country, email and tax ID. */
status_t quote_vendor_view(services_t *svc, arena_t *a, quote_vendor_t *out);

/* The PDF of quote quote_id for an outbox email (the mailer), with its file name
 * ("Q-2026-000001.pdf"); false with err when it cannot be read or rendered. A sent quote never
 * changes, so the PDF made when the email leaves is the one the customer was sent. */
bool quote_pdf_for(store_t *s, arena_t *a, int64_t quote_id, buf_t *pdf, const char **filename,
                   char *err, size_t err_size);

#endif
