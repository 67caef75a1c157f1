/* The Billing Center's account view. */
#include "services/billing_views.h"
#include "store/store.h"
#include "services/services_internal.h"

status_t billing_account_view(services_t *svc, arena_t *a, int64_t user_id,
                              billing_account_view_t *out)
{
    store_status_t st = store_account_user_by_id(svc->store, a, user_id, &out->me);
    if (st == STORE_OK) st = store_account_by_id(svc->store, a, out->me.account_id, &out->account);
    if (st == STORE_OK) st = store_billing_admin(svc->store, a, out->me.account_id, &out->admin);
    out->is_admin = st == STORE_OK && out->me.id == out->admin.id;
    out->n_recipients = 0;
    if (out->is_admin) {
        recipient_row_t *rows = NULL;
        st = store_recipients_of(svc->store, a, out->account.id, &rows, &out->n_recipients);
    }
    return st;
}
