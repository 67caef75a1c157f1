/* Sessions and the signed-in principal, read for the router and the layout. */
#include "services/session_views.h"
#include "store/store.h"
#include "services/services_internal.h"

#include <string.h>

status_t sessions_find(services_t *svc, const char *digest, session_t *out)
{
    return store_session_find(svc->store, digest, out);
}

status_t sessions_touch(services_t *svc, const char *digest, int64_t now)
{
    return store_session_touch(svc->store, digest, now);
}

status_t sessions_delete(services_t *svc, const char *digest)
{
    return store_session_delete(svc->store, digest);
}

status_t principal_view(services_t *svc, arena_t *a, audience_t aud, int64_t id,
                        principal_view_t *out)
{
    *out = (principal_view_t){.audience = aud, .id = id, .account_country = "", .role = ""};
    store_status_t st = STORE_NOT_FOUND;
    if (aud == AUDIENCE_CORPORATE) {
        /* Only what pages need of the credential: not its password hash or names. */
        char *country = NULL;
        st = store_credential_account(svc->store, a, id, &out->account_id, &country);
        if (st == STORE_OK) out->account_country = country;
    } else if (aud == AUDIENCE_BILLING) {
        account_user_t u;
        st = store_account_user_by_id(svc->store, a, id, &u);
        if (st == STORE_OK) {
            out->account_id = u.account_id;
            out->account_country = u.account_country;
            out->role = u.role;
            out->billing_admin = strcmp(u.role, "billing_admin") == 0;
        }
    } else if (aud == AUDIENCE_STAFF) {
        staff_user_t u;
        st = store_staff_by_id(svc->store, a, id, &u);
        if (st == STORE_OK) out->role = u.role;
    }
    return st;
}
