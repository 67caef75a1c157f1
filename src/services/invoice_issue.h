/* For the services only: what every invoice issued outside the bill run shares (a quote's
 * acceptance, a subscription change): the vendor's settings and day, numbering and writing the
 * invoice, and its emails to the billing contact and the invoice recipients. */
#ifndef COBRO_INVOICE_ISSUE_H
#define COBRO_INVOICE_ISSUE_H
#include "render/invoice_doc.h"
#include "store/store.h"

/* A vendor setting, or fallback when it is unset or empty (in a). */
char *setting_or(store_t *s, arena_t *a, const char *key, const char *fallback);
/* The vendor's today, 'YYYY-MM-DD', in its time zone (setting time_zone; UTC when unset). */
void vendor_today_of(store_t *s, arena_t *a, int64_t now, char out[11]);
/* Numbers inv in the series of its issue day (inv->issue_date, set by the caller with every other
 * field and its priced lines) and writes it with its lines (subscription_ids[i] is line i's);
 * inv->number and inv->id are set. */
store_status_t invoice_issue(store_t *s, arena_t *a, invoice_doc_t *inv,
                             const int64_t *subscription_ids, int64_t now);
/* The invoice's emails: the billing contact and every invoice recipient, each address once. */
store_status_t invoice_queue_emails(store_t *s, arena_t *a, const invoice_doc_t *inv,
                                    const char *base_url, int64_t now);

#endif
