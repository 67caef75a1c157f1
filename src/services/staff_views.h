/* What the staff console's pages show: the accounts, the signed-in staff member, the audit of the
 * vendor's payment details. */
#ifndef COBRO_STAFF_VIEWS_H
#define COBRO_STAFF_VIEWS_H
#include "services/services.h"
#include "store/rows.h"
#include "util/arena.h"

/* Accounts by name, at most limit. */
status_t staff_accounts_view(services_t *svc, arena_t *a, int limit, account_row_t **out,
                             size_t *n);

/* The signed-in staff member. */
status_t staff_home_view(services_t *svc, arena_t *a, int64_t staff_id, staff_user_t *out);

/* A page of the audit entries of the vendor's own settings with this action. */
status_t staff_settings_audit_view(services_t *svc, arena_t *a, const char *action, int64_t before,
                                   int limit, audit_row_t **out, size_t *n);

#endif
