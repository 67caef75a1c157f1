/* The staff console's views. */
#include "services/staff_views.h"
#include "store/store.h"
#include "services/services_internal.h"

status_t staff_accounts_view(services_t *svc, arena_t *a, int limit, account_row_t **out, size_t *n)
{
    return store_accounts_list(svc->store, a, limit, 0, out, n);
}

status_t staff_account_view(services_t *svc, arena_t *a, int64_t account_id, int invoice_limit,
                            int64_t audit_before, int audit_limit, staff_account_view_t *out)
{
    *out = (staff_account_view_t){0};
    if (account_id <= 0) return STATUS_NOT_FOUND;
    store_status_t st = store_account_by_id(svc->store, a, account_id, &out->account);
    if (st == STORE_OK)
        st = store_invoices_recent(svc->store, a, account_id, invoice_limit, &out->invoices,
                                   &out->n_invoices);
    audit_query_t q = {.account_id = account_id, .before_id = audit_before, .limit = audit_limit};
    if (st == STORE_OK) st = store_audit_page(svc->store, a, &q, &out->audit, &out->n_audit);
    return st;
}

status_t staff_home_view(services_t *svc, arena_t *a, int64_t staff_id, staff_user_t *out)
{
    return store_staff_by_id(svc->store, a, staff_id, out);
}

status_t staff_settings_audit_view(services_t *svc, arena_t *a, const char *action, int64_t before,
                                   int limit, audit_row_t **out, size_t *n)
{
    audit_query_t q = {.action = action, .before_id = before, .limit = limit};
    return store_audit_page(svc->store, a, &q, out, n);
}
