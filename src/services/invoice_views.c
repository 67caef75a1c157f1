/* The invoice pages' views. */
#include "services/invoice_views.h"
#include "store/store.h"
#include "services/invoices.h"
#include "services/services_internal.h"

status_t invoice_history_each(services_t *svc, int64_t account_id, int limit, invoice_summary_fn fn,
                              void *ctx)
{
    return store_invoices_recent_each(svc->store, account_id, limit, fn, ctx);
}

status_t invoice_view(services_t *svc, arena_t *a, const char *number, int64_t account_id,
                      invoice_doc_t *out)
{
    if (!number) return STATUS_NOT_FOUND;
    status_t st = invoice_load(svc->store, a, number, 0, out);
    if (st == STATUS_OK && account_id != 0 && out->account_id != account_id) st = STATUS_NOT_FOUND;
    return st;
}
