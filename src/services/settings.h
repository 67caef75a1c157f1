/* What a corporate billing contact manages alone: Bill To (and handing the billing-contact role
 * to someone else), invoice recipients, purchase orders, the payment method preference; and what
 * the billing administrator of an online account manages in the Billing Center: Bill To (without
 * the contact, who is a product login) and invoice recipients. Every change is checked field by
 * field, written whole or not at all, and audited. */
#ifndef COBRO_SETTINGS_H
#define COBRO_SETTINGS_H
#include "billing/regions.h"
#include "store/rows.h"
#include "util/arena.h"
#include "util/sealed.h"
#include "validate.h"

enum {
    RECIPIENTS_MAX = 20,
    NAME_MAX = 100,
    ADDRESS_MAX = 100,
    PO_NUMBER_MAX = 40,
    PO_REMINDER_DAYS = 30,
    /* Each change of the contact's email sends two notices, one to an address the contact
     * types: a cap keeps the portal from being used to send mail to anyone, over and over. */
    CONTACT_EMAIL_CHANGES_PER_DAY = 5,
};

/* A change's outcome, in the program's one status (util/status.h). */
typedef status_t settings_status_t;
#define SETTINGS_OK STATUS_OK
#define SETTINGS_INVALID STATUS_INVALID /* a field was refused: see the errors; nothing written */
#define SETTINGS_NOT_FOUND STATUS_NOT_FOUND /* not this account's (answers 404) */
/* The store failed or stayed busy, nothing was written: the asker may try again (503). */
#define SETTINGS_ERROR STATUS_BUSY

/* Who changes what: the signed-in billing contact of account_id, or (billing_center) the
 * account's Billing Center billing administrator, whose account_users id is then credential_id:
 * audited as a "billing" actor, and refused (not found) unless they are still the account's
 * billing administrator. */
typedef struct {
    int64_t credential_id, account_id;
    bool billing_center;
    const char *ip;
    int64_t now;
    const data_key_t *data_key; /* seals bank numbers; needed by settings_save_payment only */
    char decimal_mark;          /* the user's ('.' or ','), for amounts they type */
} settings_ctx_t;

/* ---- Bill To ----------------------------------------------------------------------------- */

typedef struct {
    const char *contact_name, *contact_email, *bill_to_name, *address_line1, *address_line2, *city,
        *region, *postal_code, *phone;
} bill_to_form_t;

typedef struct {
    field_error_t contact_name, contact_email, bill_to_name, address_line1, address_line2, city,
        region, postal_code, phone;
} bill_to_errors_t;

/* The states or provinces an address in country chooses from, because its tax depends on them:
 * those the tax table has a rate for, with their proper names (the code when we know no name),
 * sorted by name. *n is 0 when the country is not taxed by region: the region is then free text,
 * optional. */
store_status_t settings_region_choices(store_t *s, arena_t *a, const char *country, region_t **out,
                                       size_t *n);

/* Saves the Bill To and billing contact (the country cannot change here); in the Billing Center
 * (ctx->billing_center) the Bill To only: the contact fields are neither read nor checked. When
 * the contact's
 * email changes, both the old and the new address get a notice (queued in the same
 * transaction); the portal User ID stays. Where the country is taxed by region, the region must be
 * one of settings_region_choices (FIELD_BAD_REGION otherwise), so that no invoice is taxed by
 * guess. *mail_queued tells whether to wake the mailer. */
settings_status_t settings_save_bill_to(store_t *s, arena_t *a, const settings_ctx_t *ctx,
                                        const bill_to_form_t *form, bill_to_errors_t *errors,
                                        bool *mail_queued);

/* ---- invoice recipients ------------------------------------------------------------------ */

settings_status_t settings_add_recipient(store_t *s, arena_t *a, const settings_ctx_t *ctx,
                                         const char *name, const char *email,
                                         field_error_t *name_error, field_error_t *email_error);
settings_status_t settings_remove_recipient(store_t *s, arena_t *a, const settings_ctx_t *ctx,
                                            int64_t recipient_id);

/* ---- purchase orders ----------------------------------------------------------------------- */

typedef struct {
    const char *number, *amount, *start_date, *end_date; /* amount may be "" */
} po_form_t;

typedef struct {
    field_error_t number, amount, start_date, end_date;
} po_errors_t;

/* Adds (po_id 0) or changes a purchase order of the account; at most one may be in force on any
 * day, so overlapping dates are refused (end_date: FIELD_OVERLAP). */
settings_status_t settings_save_po(store_t *s, arena_t *a, const settings_ctx_t *ctx, int64_t po_id,
                                   const po_form_t *form, po_errors_t *errors);
settings_status_t settings_remove_po(store_t *s, arena_t *a, const settings_ctx_t *ctx,
                                     int64_t po_id);

/* Queues one reminder to the billing contact of every purchase order in force that expires within
 * PO_REMINDER_DAYS of today and has had none; returns how many (-1 when the store failed). */
int settings_po_reminders(store_t *s, arena_t *a, int64_t now);

/* ---- payment method ---------------------------------------------------------------------- */

typedef struct {
    const char *method;            /* "wire", "check", "direct_debit", "card" */
    const char *holder;            /* direct debit: account holder */
    const char *routing, *account; /* direct debit in USD: ABA routing and account number */
    const char *iban;              /* direct debit in EUR */
    const char *mandate;           /* direct debit: "yes" when the mandate text was accepted */
} payment_form_t;

typedef struct {
    field_error_t method, holder, routing, account, iban, mandate;
} payment_errors_t;

settings_status_t settings_save_payment(store_t *s, arena_t *a, const settings_ctx_t *ctx,
                                        const payment_form_t *form, payment_errors_t *errors);

/* Seals the bank numbers still stored plain (written before they were sealed at rest), in one
 * transaction; returns how many accounts it sealed, -1 when the store failed. */
int settings_seal_plain_debits(store_t *s, arena_t *a, const data_key_t *key);

#endif
