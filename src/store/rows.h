/* The store's types without its functions: the rows it reads (plain structs that services hand to
 * pages in their views), its status and the connection's opaque type. Service headers include
 * this, not store.h, so that a page that includes them cannot call the store. */
#ifndef COBRO_ROWS_H
#define COBRO_ROWS_H
#include "render/invoice_doc.h"
#include "util/status.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A connection to the database: services pass it on, only the store looks inside. */
typedef struct store store_t;

/* The store answers with the program's one status (util/status.h); these are the values it uses,
 * named as the store's callers read them. */
typedef status_t store_status_t;
#define STORE_OK STATUS_OK
#define STORE_NOT_FOUND                                                                            \
    STATUS_NOT_FOUND                   /* no such row (or the conditional update matched nothing) */
#define STORE_CONFLICT STATUS_CONFLICT /* a uniqueness or reference rule refused the write */
#define STORE_BUSY STATUS_BUSY         /* try the whole transaction again */
#define STORE_ERROR STATUS_ERROR       /* hard failure, already logged */

typedef enum {
    AUDIENCE_CORPORATE = 0,
    AUDIENCE_BILLING,
    AUDIENCE_STAFF,
    AUDIENCE_COUNT
} audience_t;
const char *audience_name(audience_t a); /* "corporate", "billing", "staff" */

typedef struct {
    int64_t id, account_id;
    char *user_id, *contact_name, *contact_email, *password_hash;
    char *account_name, *lang, *account_country;
} credential_t;

typedef struct {
    int64_t id, account_id;
    char *email, *name, *role; /* role: "billing_admin" or "member" */
    char *password_hash, *account_name, *account_lang, *account_country;
} account_user_t;

typedef struct {
    int64_t id;
    char *email, *name, *role; /* "sales_rep", "account_services", "customer_care", "admin" */
    char *password_hash;
} staff_user_t;

typedef struct {
    int64_t id, sales_rep_id;
    char *kind, *name, *currency, *lang;
    char *bill_to_name, *address_line1, *address_line2, *city, *region, *postal_code, *country,
        *phone;
    char *sales_rep_name, *sales_rep_email; /* empty when no rep is assigned */
    /* Payment method preference: "", "wire", "check", "direct_debit", "card"; the bank details
     * of a direct debit (holder, ABA routing + account for USD, IBAN for EUR). */
    /* debit_routing, debit_account and debit_iban are sealed (util/sealed.h), never plain; the
     * hints are what screens show of them: the routing number and the account number or IBAN,
     * masked. */
    char *payment_method, *debit_holder, *debit_routing, *debit_account, *debit_iban;
    char *debit_routing_hint, *debit_number_hint;
} account_t;

typedef struct {
    int64_t id, at, actor_id;
    char *actor_kind, *action, *field, *old_value, *new_value, *ip;
    char *actor_login; /* the actor's User ID or email ("" for the system or a deleted user) */
} audit_row_t;
/* Which audit entries to read, newest first. */
typedef struct {
    int64_t account_id; /* this account's entries; 0: the vendor's own (no account) of action */
    const char *action; /* with account_id 0: the action to list */
    bool sign_ins;      /* with account_id: its sign-ins only; false: everything else */
    int64_t before_id;  /* 0: from the newest; else only entries older than this one */
    int limit;
} audit_query_t;

typedef struct {
    int64_t id, invoices;
    char *kind, *name, *country, *currency;
} account_row_t;

typedef struct {
    audience_t audience;
    int64_t principal_id, created_at, last_seen_at;
} session_t;

typedef struct {
    int64_t id;
    char *name, *email;
} recipient_row_t;

typedef struct {
    int64_t id, amount; /* amount -1: none */
    char *number, *start_date, *end_date;
} po_t;

typedef struct {
    int64_t total, amount_paid;
    char *number, *issue_date, *due_date, *currency, *status;
} invoice_summary_t;

/* One row of an account's Invoice History as the database hands it over: the texts are the
 * statement's own memory, valid only while the row is being visited (never NULL). */
typedef struct {
    int64_t total, amount_paid;
    const char *number, *issue_date, *due_date, *currency, *status;
} invoice_summary_ref_t;
/* Called once per row; false stops the visit. */
typedef bool (*invoice_summary_fn)(void *ctx, const invoice_summary_ref_t *row);

/* An email as the outbox keeps it until it is sent. */
typedef struct {
    int64_t id, account_id, attempts; /* account_id 0: none */
    int64_t rejections; /* the server's refusals of it in a row, since queued or requeued */
    int64_t invoice_id; /* 0: none; else the invoice whose PDF is attached when it is sent */
    int64_t quote_id;   /* 0: none; else the quote whose PDF is attached when it is sent */
    const char *kind, *sender_ref, *to_addr, *to_name, *reply_to, *subject, *body_text;
    int64_t created_at;
} email_t;

/* An active subscription whose period has ended, with what renewing it needs. */
typedef struct {
    int64_t id, account_id, seats, unit_amount, plan_id;
    int anchor_day;
    bool auto_renew, cancel_at_period_end;
    char *currency, *period_start, *period_end, *billing_period, *product_name;
} due_subscription_t;

/* Rows of two texts per account, sorted by account id (a bill-run batch reads them at once). */
typedef struct {
    int64_t account_id;
    char *a, *b;
} account_texts_t;

/* A scheduled job's row (store_job_state). */
typedef struct {
    char *done_through; /* the last period (day) done, "" before the first */
    char *claimed_by;   /* the node running it now, "" when none */
    int64_t lease_until;
} job_state_t;

/* A quote's line as stored (billing/quote_calc.h says what each kind does). The amounts are
 * computed when the quote is sent (zero in a draft until then, and shown as a preview). */
typedef struct {
    int64_t id, position, plan_id;
    int64_t subscription_id; /* remove_seats, set_renewal: the subscription they change; else 0 */
    char *kind, *product_name, *discount_kind;
    int64_t seats, unit_amount, discount_value;
    int64_t list_amount, discount, term_net, days, term_days, due_now, renewal_unit_amount;
} quote_line_t;

/* A quote with its lines. States: draft, sent, accepted, rejected, withdrawn, expired,
 * superseded (a sent quote past its valid-until day reads as expired before a job marks it). */
typedef struct {
    int64_t id, account_id, seq, revision, revises_id, sales_rep_id, created_by;
    char *series, *number, *base_number, *state, *currency, *lang;
    char *effective_date, *valid_until, *term_start, *term_end; /* 'YYYY-MM-DD' */
    int64_t payment_terms_days;
    char *customer_note, *internal_note, *tax_mode, *tax_name;
    int64_t tax_rate_ppm;
    int64_t due_subtotal, due_tax, due_total, renewal_subtotal, renewal_tax, renewal_total;
    int64_t created_at, sent_at, decided_at; /* 0: not yet */
    char *decided_name, *decided_title, *decided_ip, *po_number;
    int64_t on_behalf_staff_id; /* 0: decided by the customer */
    char *on_behalf_reason, *reject_reason, *reject_comment;
    int64_t invoice_id;   /* the invoice its acceptance issued; 0: none */
    char *invoice_number; /* "" when none */
    char *sales_rep_name, *sales_rep_email, *account_name; /* read with it */
    quote_line_t *lines;
    size_t n_lines;
} quote_t;

/* An active subscription of an account as a quote sees it. */
typedef struct {
    int64_t id, plan_id, seats, unit_amount;
    int64_t next_seats, next_unit_amount; /* -1: unchanged at the next renewal */
    int anchor_day;
    char *product_name, *billing_period, *period_start, *period_end;
} account_subscription_t;

/* A plan a quote can sell, with its list price in one currency. */
typedef struct {
    int64_t plan_id, product_id, unit_amount;
    char *product_name, *plan_code, *billing_period;
    char *product_code;           /* store_catalog_priced only */
    int64_t min_seats, max_seats; /* store_catalog_priced only */
} plan_price_t;

/* A subscription as the Billing Center's Subscription page and its changes see it
 * (docs/subscriptions.md). */
typedef struct {
    int64_t id, account_id, plan_id, product_id, seats, unit_amount;
    int64_t next_seats, next_unit_amount; /* -1: unchanged at the next renewal */
    int64_t next_plan_id;                 /* 0: the same plan at the next renewal */
    int64_t charged_amount;       /* -1: the whole period at seats x unit_amount (as renewed) */
    int64_t min_seats, max_seats; /* the price list's limits for the product */
    int64_t cancel_requested_at;  /* 0: none */
    int anchor_day;
    bool cancel_at_period_end;
    char *status; /* active, cancelled, expired */
    char *currency, *period_start, *period_end, *charged_from, *cancel_reason;
    char *product_name, *product_code, *billing_period;
    char *next_billing_period; /* "" when next_plan_id is 0 */
} subscription_row_t;

/* A change to an account's subscriptions asked for in the Billing Center or by Customer Care
 * (subscription_changes). */
typedef struct {
    int64_t id, account_id, subscription_id, plan_id, seats, from_seats, unit_amount;
    int64_t charge, credit, subtotal, tax_total, total, renewal_total;
    int64_t days, term_days; /* the line charged now: days of term_days */
    int64_t payment_id, invoice_id, actor_id, created_at, decided_at; /* 0: none */
    int anchor_day; /* of the subscription once changed */
    char *kind, *currency, *period_start, *period_end, *basis, *state, *reason, *decline_code,
        *actor_kind;
    char *from_period; /* the billing period before (to_annual), else "" */
    char *invoice_number, *product_name, *billing_period; /* read with it; "" when none */
    int64_t product_id;                                   /* read with it */
} subscription_change_t;

/* A payment (docs/payments.md): card through a gateway, or recorded by staff. */
typedef struct {
    int64_t id, account_id, invoice_id; /* invoice_id 0: none (an offline payment) */
    int64_t amount, reserved_until, next_check_at, checks, created_by_staff;
    int64_t created_at, updated_at, settled_at; /* next_check_at, settled_at 0: none */
    char *method, *source, *gateway, *currency, *state, *session_ref, *payment_ref, *card_brand,
        *card_last4, *decline_code, *received_date, *reference, *payer, *reversal_reason, *lang;
    char *invoice_number; /* read with the row; "" when none */
    int64_t change_id;    /* the subscription change it pays for (docs/subscriptions.md); 0: none */
    int64_t attempt;      /* 1: a renewal's automatic charge, 2...: dunning retries; 0: neither */
} payment_t;

/* What an invoice owes now: total, paid, and held by payments in progress. */
typedef struct {
    int64_t id, account_id, total, amount_paid;
    int64_t reserved; /* payments in progress (pending, processing, unknown) */
    char *number, *currency, *due_date, *status, *lang;
} invoice_money_t;

/* A line of the ledger: where part of a payment (or credit) went. */
typedef struct {
    int64_t account_id, payment_id, refund_id, invoice_id; /* 0: none */
    const char *kind; /* payment, credit, credit_applied, reversal, refund */
    int64_t amount;   /* signed, never 0 */
    const char *currency;
} allocation_t;

/* The sandbox gateway's hosted page (src/payments/sandbox.c). */
typedef struct {
    char *ref, *kind, *currency, *description, *lang, *success_url, *cancel_url, *state,
        *payment_ref, *card_brand, *card_last4, *decline_code, *customer_ref, *method_ref,
        *holder_name, *idempotency_key;
    int64_t object_id, amount, expires_at, exp_month, exp_year, refunded, created_at;
} sandbox_session_t;

/* ---- cards on file (docs/cards.md) ---- */

/* The card an account keeps with the gateway (display fields and the gateway's references). */
typedef struct {
    int64_t account_id, exp_month, exp_year, updated_at;
    bool autopay; /* each invoice charged to it on its due date */
    char *gateway, *customer_ref, *method_ref, *brand, *last4, *holder_name;
} payment_card_t;

/* An invoice whose renewal charge failed (docs/dunning.md): retries, past due, suspended,
 * resolved. Instants are unix seconds, 0 for none. */
typedef struct {
    int64_t id, account_id, invoice_id, failures, next_retry_at, claimed_until, first_failed_at;
    int64_t past_due_at, suspended_at, resolved_at, updated_at;
    bool no_retry; /* the gateway said the card must not be charged again */
    char *state, *last_decline_code;
    char *invoice_number; /* read with the row */
} dunning_case_t;

/* A hosted card set-up page opened for an account: pending until its event arrives. */
typedef struct {
    int64_t id, account_id, created_at, settled_at; /* settled_at 0: not yet */
    char *gateway, *session_ref, *state;
} card_setup_t;

#endif
