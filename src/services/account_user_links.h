/* Billing Center password links for account users (account_user_reset_tokens, migration 13):
 * what an invitation sends. One small function, so that it can be merged with the Billing
 * Center's own password reset, which keeps its links in the same table. For the services only. */
#ifndef COBRO_ACCOUNT_USER_LINKS_H
#define COBRO_ACCOUNT_USER_LINKS_H
#include "store/store.h"

/* Makes a new single-use token for user_id, valid ttl seconds from now, keeps its digest and
 * gives the link that opens the Billing Center's set-password page with it:
 * base_url/billing/reset?token=TOKEN. Runs inside the caller's transaction. */
store_status_t account_user_link_new(store_t *s, arena_t *a, int64_t user_id, int64_t now,
                                     int64_t ttl, const char *base_url, const char **link);

#endif
