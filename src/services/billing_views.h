/* What the Billing Center's account page shows: the account for its billing administrator, and
 * for every other user who that administrator is. */
#ifndef COBRO_BILLING_VIEWS_H
#define COBRO_BILLING_VIEWS_H
#include "services/services.h"
#include "store/rows.h"
#include "util/arena.h"

typedef struct {
    account_user_t me, admin;
    account_t account;
    bool is_admin;       /* me is the billing administrator */
    size_t n_recipients; /* the account's invoice recipients (read for the administrator only) */
} billing_account_view_t;
status_t billing_account_view(services_t *svc, arena_t *a, int64_t user_id,
                              billing_account_view_t *out);

#endif
