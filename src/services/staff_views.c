/* The staff console's views. */
#include "services/staff_views.h"
#include "store/store.h"
#include "services/services_internal.h"

status_t staff_accounts_view(services_t *svc, arena_t *a, int limit, account_row_t **out, size_t *n)
{
    return store_accounts_list(svc->store, a, limit, 0, out, n);
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
