/* What the corporate portal's pages show, as views read through the services. */
#ifndef COBRO_CORPORATE_VIEWS_H
#define COBRO_CORPORATE_VIEWS_H
#include "services/purchase_orders.h"
#include "services/services.h"
#include "services/vendor_settings.h"
#include "store/rows.h"
#include "util/arena.h"

/* The account page: the contact, the account (Bill To, payment method, sales representative),
 * the purchase order in force on today and how many invoice recipients there are. */
typedef struct {
    credential_t contact;
    account_t account;
    po_in_force_t po; /* none when it cannot be read: the page still shows the rest */
    size_t n_recipients;
} corporate_account_view_t;
status_t corporate_account_view(services_t *svc, arena_t *a, int64_t credential_id,
                                const char *today, corporate_account_view_t *out);

/* The signed-in contact and their account (every settings page starts there). */
status_t corporate_contact_view(services_t *svc, arena_t *a, int64_t credential_id,
                                credential_t *contact, account_t *account);

/* The invoice recipients of an account, by id. */
status_t corporate_recipients_view(services_t *svc, arena_t *a, int64_t account_id,
                                   recipient_row_t **out, size_t *n);

/* The purchase orders of an account, and one of them (STATUS_NOT_FOUND: not this account's). */
status_t corporate_pos_view(services_t *svc, arena_t *a, int64_t account_id, po_t **out, size_t *n);
status_t corporate_po_view(services_t *svc, arena_t *a, int64_t account_id, int64_t po_id,
                           po_t *out);

/* The Payment Method tab: the vendor's details for wire transfers and checks. */
status_t corporate_payment_details_view(services_t *svc, arena_t *a, vendor_payment_t *out);

#endif
