/* The staff console's account work: creating a corporate account with its billing contact's
 * portal User ID (who gets a link to set the password), adding subscriptions, searching
 * accounts, the whole account on one page, and the actions Care and Account Services take for a
 * customer (resend an invoice email, send a password-reset link, lift a sign-in lockout), each
 * audited. Who may do what is decided here (docs/staff.md); a refusal is STATUS_NOT_FOUND. */
#ifndef COBRO_STAFF_CONSOLE_H
#define COBRO_STAFF_CONSOLE_H
#include "services/services.h"
#include "services/validate.h"
#include "store/rows.h"
#include "store/store.h"
#include "util/arena.h"

/* A set-password link for a new User ID stays valid a week (a reset link: 60 minutes). */
enum { SET_PASSWORD_SECONDS = 7 * 24 * 60 * 60, SEARCH_LIMIT = 100 };

typedef struct {
    int64_t staff_id;
    const char *role; /* sales_rep, account_services, customer_care, admin */
    const char *ip;
    int64_t now;
    const char *base_url;
} console_ctx_t;

/* Admins and sales reps create accounts (a rep's are theirs). */
bool console_may_create(const console_ctx_t *ctx);
/* Who sees the account: every staff role sees every account (read only for some). */
bool console_may_see(const console_ctx_t *ctx, const account_t *acc);
/* Who adds subscriptions: admins, and the account's sales rep. */
bool console_may_sell(const console_ctx_t *ctx, const account_t *acc);
/* Who acts for the customer (resend, reset link, lift a lockout): admins, Account Services,
 * Customer Care, and the account's own sales rep. */
bool console_may_act(const console_ctx_t *ctx, const account_t *acc);

/* ---- creating an account -------------------------------------------------------------------- */

typedef struct {
    const char *name, *country, *currency, *lang, *sales_rep_id;
    const char *bill_to_name, *address_line1, *address_line2, *city, *region, *postal_code, *phone;
    const char *contact_name, *contact_email, *user_id;
} account_form_t;

/* Why a field of the form was refused: a field_error_t, or one of these. */
enum {
    CONSOLE_NAME_TAKEN = 1000, /* another account has this name */
    CONSOLE_USER_ID_TAKEN,     /* another billing contact has this User ID */
    CONSOLE_BAD_USER_ID,       /* not a username (3 to 64 of a-z 0-9 . _ -) nor an email */
    CONSOLE_BAD_COUNTRY,       /* not a two-letter country code */
    CONSOLE_NOT_ANNUAL,        /* a corporate account's subscription must renew annually */
    CONSOLE_SEATS_RANGE,       /* outside the price list's seats for the product */
    CONSOLE_NO_TAX_RATE,       /* the tax table knows no rate for the account's address */
};

typedef struct {
    int name, country, currency, lang, sales_rep_id, bill_to_name, address_line1, address_line2,
        city, region, postal_code, phone, contact_name, contact_email, user_id;
} account_errors_t;

typedef struct {
    staff_user_t *reps; /* the sales reps to choose from (a rep: only themselves) */
    size_t n_reps;
    char **currencies; /* those the price list sells in */
    size_t n_currencies;
} account_choices_t;

status_t console_account_choices(services_t *svc, arena_t *a, const console_ctx_t *ctx,
                                 account_choices_t *out);
/* Checks the form field by field (STATUS_INVALID with errors, nothing written); then, in one
 * transaction, creates the corporate account and its portal credential (with no usable
 * password), a set-password token valid SET_PASSWORD_SECONDS and the email with its link to the
 * billing contact, in the account's language, and audits. STATUS_NOT_FOUND for a role that may
 * not create accounts. */
status_t console_account_create(services_t *svc, arena_t *a, const console_ctx_t *ctx,
                                const account_form_t *form, account_errors_t *errors,
                                int64_t *account_id);

/* ---- subscriptions -------------------------------------------------------------------------- */

typedef struct {
    const char *plan_id, *seats, *start_date;
} subscription_form_t;
typedef struct {
    int plan_id, seats, start_date;
} subscription_errors_t;

/* The plans the account can be sold (corporate: annual only), with their list prices. */
status_t console_plan_choices(services_t *svc, arena_t *a, const console_ctx_t *ctx,
                              int64_t account_id, account_t *acc, plan_price_t **out, size_t *n);
/* Adds an active subscription at the list price, its period from start_date (the anchor its
 * day), and issues and emails the invoice of that first period in the same transaction; the
 * database's rule that a corporate account renews annually turns into CONSOLE_NOT_ANNUAL on
 * plan_id, an address the tax table does not know into CONSOLE_NO_TAX_RATE. */
status_t console_subscription_add(services_t *svc, arena_t *a, const console_ctx_t *ctx,
                                  int64_t account_id, const subscription_form_t *form,
                                  subscription_errors_t *errors);

/* ---- search --------------------------------------------------------------------------------- */

/* Accounts whose name contains text, or whose billing contact's email, User ID or an invoice
 * number is text (any letter case). Empty text: every account. */
status_t console_search(services_t *svc, arena_t *a, const console_ctx_t *ctx, const char *text,
                        account_hit_t **out, size_t *n);

/* ---- the account page ----------------------------------------------------------------------- */

/* A sign-in of the account: its login and whether it is locked now. */
typedef struct {
    const char *login;
    audience_t audience;
    const char *who;         /* the billing contact's or the user's name */
    int64_t locked_until;    /* 0: not locked */
    attempt_row_t *attempts; /* newest first */
    size_t n_attempts;
} login_state_t;

typedef struct {
    account_t account;
    bool has_credential;
    credential_t credential; /* corporate: the billing contact and User ID */
    account_user_t *users;   /* online: its Billing Center users, administrator first */
    size_t n_users;
    account_subscription_t *subscriptions;
    size_t n_subscriptions;
    po_t *pos;
    size_t n_pos;
    recipient_row_t *recipients;
    size_t n_recipients;
    invoice_summary_t *invoices;
    size_t n_invoices;
    audit_row_t *audit; /* everything but sign-ins, newest first */
    size_t n_audit;
    audit_row_t *sign_ins;
    size_t n_sign_ins;
    outbox_entry_t *emails; /* newest first */
    size_t n_emails;
    login_state_t *logins;
    size_t n_logins;
    bool may_sell, may_act;
} console_account_t;

status_t console_account_view(services_t *svc, arena_t *a, const console_ctx_t *ctx,
                              int64_t account_id, int invoice_limit, int64_t audit_before,
                              int audit_limit, console_account_t *out);

/* ---- actions for the customer --------------------------------------------------------------- */

/* Emails the invoice (its PDF attached) to the account's billing contact again, as kind
 * "invoice_copy" with no invoice_id (the outbox keeps one "invoice" email per invoice and
 * address) and sender_ref "invoice:ID"; *to receives the address. */
status_t console_resend_invoice(services_t *svc, arena_t *a, const console_ctx_t *ctx,
                                int64_t account_id, const char *number, const char **to);
/* Emails the corporate billing contact a password-reset link (as "Forgot your password?"
 * does, within its RESET_EMAILS_PER_HOUR: STATUS_LIMITED); STATUS_CONFLICT for an account with
 * no portal User ID. */
status_t console_send_reset_link(services_t *svc, arena_t *a, const console_ctx_t *ctx,
                                 int64_t account_id, const char **to);
/* Ends the lockout of one of the account's logins (its User ID, or one of its users' emails);
 * STATUS_CONFLICT when it is not locked. */
status_t console_lift_lockout(services_t *svc, arena_t *a, const console_ctx_t *ctx,
                              int64_t account_id, const char *login);

/* ---- home pages ----------------------------------------------------------------------------- */

typedef struct {
    staff_user_t me;
    account_hit_t *accounts; /* a rep's own; an admin's: all (at most SEARCH_LIMIT) */
    size_t n_accounts;
    quote_t *quotes; /* open (sent) quotes: a rep's own, everyone's for admins */
    size_t n_quotes;
    int64_t unknown_payments; /* account services and admins */
    dunning_hit_t *dunning;   /* Customer Care and admins: online accounts in dunning */
    size_t n_dunning;
} console_home_t;

status_t console_home_view(services_t *svc, arena_t *a, const console_ctx_t *ctx,
                           console_home_t *out);

#endif
