/* The vendor's own payment details that invoices and the Payment Method tab show: the remit-to
 * bank account for wire transfers and the mailing address for checks. Set by an administrator in
 * the staff console; checked field by field, written whole, audited. */
#ifndef COBRO_VENDOR_SETTINGS_H
#define COBRO_VENDOR_SETTINGS_H
#include "services/settings.h"

/* Every field may be empty: the portal then tells customers to ask Customer Care. */
typedef struct {
    const char *bank_name, *account_name, *routing, *account, *iban, *bic, *check_address;
} vendor_payment_t;

typedef struct {
    field_error_t bank_name, account_name, routing, account, iban, bic, check_address;
} vendor_payment_errors_t;

enum { CHECK_ADDRESS_MAX = 400 };

/* The saved details ("" for each one not set). */
store_status_t vendor_payment_load(store_t *s, arena_t *a, vendor_payment_t *out);
/* Saves all the details or none; each changed one is audited with staff_id as the actor. */
settings_status_t vendor_payment_save(store_t *s, arena_t *a, int64_t staff_id, const char *ip,
                                      int64_t now, const vendor_payment_t *form,
                                      vendor_payment_errors_t *errors);

#endif
