/* An issued invoice as every renderer sees it (HTML view, PDF, email): a snapshot that never
 * changes except its payment state. Strings live in the arena of whoever loaded it. */
#ifndef COBRO_INVOICE_DOC_H
#define COBRO_INVOICE_DOC_H
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct {
    char *product_name;
    char *billing_period;            /* "monthly" or "annual" */
    char *period_start, *period_end; /* 'YYYY-MM-DD'; the service period is [start, end) */
    int64_t seats;
    int64_t unit_amount;                   /* per seat, minor units */
    int64_t net, tax_rate_ppm, tax, gross; /* net + tax == gross */
    /* A line a quote's acceptance invoiced: the discount taken off seats x unit price for the
     * term, and the days of the term it charges (days of term_days; 0 and 0 on a renewal, which
     * charges a whole period): its amount is (seats x unit - discount) x days / term_days,
     * rounded half away from zero. */
    int64_t discount, days, term_days;
    /* A change made during a period (more seats, a new product, monthly to annual, a
     * reactivation) rather than a period of its own: it charges days of term_days of the new
     * seats (seats) and plan (billing_period), less credit, the unused part of what the period
     * had already been charged; from_seats and from_period say what it was before (0 and "" for
     * a new product). Its amount is (seats x unit - discount) x days / term_days - credit. */
    bool is_change;
    int64_t from_seats;
    char *from_period;
    int64_t credit;
} invoice_line_t;

/* The tax of an invoice at one rate, rounded once on the sum of its lines at that rate (tax.h,
 * BR-CO-17), as it was issued. */
typedef struct {
    char *name;        /* tax_scheme_name() of the country at issue: "sales tax", "IVA", "VAT"... */
    int64_t rate_ppm;  /* 62500 is 6.25 % */
    int64_t base, tax; /* taxable base and tax amount, minor units */
} invoice_tax_t;

/* One way to pay the invoice, printed under "How to pay". */
typedef struct {
    const char *method; /* "wire", "check", "card", "direct_debit" */
    /* Where to pay: for a wire transfer the bank's lines as "Label\tvalue" (Label an English
     * msgid), for a check the mailing address; else "". */
    const char *remit_to;
} invoice_payment_t;

/* A payment applied to the invoice, under "Payments received". */
typedef struct {
    const char *date;   /* 'YYYY-MM-DD': received (offline) or settled (card), the vendor's day */
    const char *method; /* "card", "wire", "check", "ach"; "credit": the account's credit used */
    const char *card_brand, *card_last4, *reference; /* "" when none */
    int64_t amount;                                  /* what it put on this invoice */
    int reversed;                                    /* reversed since (a bounced check) */
} invoice_received_t;

typedef struct {
    int64_t id, account_id;
    char *number;                /* "INV-2026-000001" */
    char *issue_date, *due_date; /* 'YYYY-MM-DD' */
    char *currency;              /* ISO 4217 */
    char *lang;                  /* "en", "es", "fr", "it": the account's language */
    char *status;                /* "open", "partially_paid", "paid", "void" */
    char *tax_mode;              /* "exclusive" or "inclusive" */
    char *account_kind;          /* "corporate" or "online" */
    /* Bill To snapshot */
    char *bill_to_name, *address_line1, *address_line2, *city, *region, *postal_code, *country,
        *phone;
    /* Billing contact snapshot: the help texts say every invoice shows them. */
    char *contact_name, *contact_email, *portal_user_id;
    char *po_number;      /* "" when no purchase order was in force */
    char *payment_method; /* "" until the payment-method preference exists */
    int64_t subtotal, tax_total, total, amount_paid; /* balance = total - amount_paid */
    invoice_line_t *lines;
    size_t n_lines;
    /* Tax per rate as issued; none (n_taxes 0) on invoices issued before they were stored, which
     * show their stored tax_total under one "Tax (rate)" row as they always did. */
    invoice_tax_t *taxes;
    size_t n_taxes;
    /* The seller (vendor settings at render time). */
    char *vendor_name, *vendor_address, *vendor_email, *vendor_tax_id; /* address: lines with \n */
    char *vendor_country; /* ISO 3166 code, printed in the invoice's language ("" or NULL: none) */
    /* How to pay, in order (services/invoices.h, invoice_payment_instructions: vendor settings at
     * render time, since customers must pay where the vendor takes payments now). */
    const invoice_payment_t *payments;
    size_t n_payments;
    /* Payments received on it, oldest first (services/payment_views.h; none until filled). */
    const invoice_received_t *received;
    size_t n_received;
    /* The state people read ("overdue" too), as of the day it was shown; NULL: status. */
    const char *shown_state;
} invoice_doc_t;

#endif
