/* Who is signed in: the session behind a cookie, and the principal as the router (role) and
 * the layout (tabs, account) need them, read once per request. */
#ifndef COBRO_SESSION_VIEWS_H
#define COBRO_SESSION_VIEWS_H
#include "services/services.h"
#include "store/rows.h"
#include "util/arena.h"

/* The live session of a token digest; STATUS_NOT_FOUND when there is none. */
status_t sessions_find(services_t *svc, const char *digest, session_t *out);
/* Marks the session used at now. */
status_t sessions_touch(services_t *svc, const char *digest, int64_t now);
status_t sessions_delete(services_t *svc, const char *digest);

/* The signed-in principal of any audience. */
typedef struct principal_view {
    audience_t audience;
    int64_t id;
    int64_t account_id;          /* corporate and Billing Center: their account; staff: 0 */
    const char *account_country; /* of that account; "" for staff */
    const char *role;            /* Billing Center: "billing_admin" or "member"; staff: its role;
                                    corporate: "" */
    bool billing_admin;          /* a Billing Center user who is the account's administrator */
} principal_view_t;

/* STATUS_NOT_FOUND when the principal no longer exists. */
status_t principal_view(services_t *svc, arena_t *a, audience_t aud, int64_t id,
                        principal_view_t *out);

#endif
