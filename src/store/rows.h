/* The rows the store reads, as plain structs: what services hand to pages in their views, so
 * that a page can read a view's fields without seeing the store's functions (store.h). */
#ifndef COBRO_ROWS_H
#define COBRO_ROWS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

#endif
