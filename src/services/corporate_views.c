/* The corporate portal's views: each page's reads in one call, in the request's arena. */
#include "services/corporate_views.h"
#include "store/store.h"
#include "services/services_internal.h"

status_t corporate_contact_view(services_t *svc, arena_t *a, int64_t credential_id,
                                credential_t *contact, account_t *account)
{
    store_status_t st = store_credential_by_id(svc->store, a, credential_id, contact);
    if (st == STORE_OK) st = store_account_by_id(svc->store, a, contact->account_id, account);
    return st;
}

status_t corporate_account_view(services_t *svc, arena_t *a, int64_t credential_id,
                                const char *today, corporate_account_view_t *out)
{
    status_t st = corporate_contact_view(svc, a, credential_id, &out->contact, &out->account);
    if (st != STATUS_OK) return st;
    if (po_in_force(svc, a, out->account.id, today, &out->po) != STATUS_OK)
        out->po = (po_in_force_t){.in_force = false, .number = "", .end_date = ""};
    recipient_row_t *rows = NULL;
    out->n_recipients = 0;
    return store_recipients_of(svc->store, a, out->account.id, &rows, &out->n_recipients);
}

status_t corporate_recipients_view(services_t *svc, arena_t *a, int64_t account_id,
                                   recipient_row_t **out, size_t *n)
{
    return store_recipients_of(svc->store, a, account_id, out, n);
}

status_t corporate_pos_view(services_t *svc, arena_t *a, int64_t account_id, po_t **out, size_t *n)
{
    return store_pos_of(svc->store, a, account_id, out, n);
}

status_t corporate_po_view(services_t *svc, arena_t *a, int64_t account_id, int64_t po_id,
                           po_t *out)
{
    if (po_id <= 0) return STATUS_NOT_FOUND;
    return store_po_by_id(svc->store, a, account_id, po_id, out);
}

status_t corporate_payment_details_view(services_t *svc, arena_t *a, vendor_payment_t *out)
{
    return vendor_payment_load(svc->store, a, out);
}
