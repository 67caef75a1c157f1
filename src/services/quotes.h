/* Quotes (docs/quotes.md): a sales rep prepares one for a corporate account and sends it; the
 * billing contact views, accepts or rejects it in the Corporate Billing Portal. Every change runs
 * in one transaction (store_run_tx), is audited, and queues its emails in that transaction. */
#ifndef COBRO_QUOTES_H
#define COBRO_QUOTES_H
#include "billing/quote_calc.h"
#include "i18n/i18n.h"
#include "services/services.h"
#include "services/validate.h"
#include "store/rows.h"
#include "util/arena.h"

enum {
    QUOTE_LINES_MAX = 20,
    QUOTE_NOTE_MAX = 2000,
    QUOTE_VALID_DAYS = 30,      /* a new draft's valid-until: this many days after today */
    QUOTE_TERMS_DAYS = 30,      /* Net 30 unless the rep sets other terms */
    QUOTE_TERMS_MAX_DAYS = 120, /* payment terms at most */
    QUOTE_PO_MAX = 40,
    QUOTE_DECIDER_MAX = 100, /* the accepting person's name and job title */
    QUOTE_REASON_MAX = 500,  /* a rejection's comment, an on-behalf acceptance's reason */
    QUOTES_LISTED = 100,
};

/* Why a quote cannot take an action now (the page says it, the form offers no button). */
typedef enum {
    QUOTE_ACTIONABLE = 0,
    QUOTE_IS_DRAFT, /* not sent yet */
    QUOTE_IS_ACCEPTED,
    QUOTE_IS_REJECTED,
    QUOTE_IS_WITHDRAWN,
    QUOTE_IS_EXPIRED,      /* past its valid-until day (stored or not yet marked) */
    QUOTE_IS_SUPERSEDED,   /* a newer revision replaced it */
    QUOTE_ACCOUNT_CHANGED, /* its lines no longer fit the subscriptions (seats removed since) */
} quote_block_t;

/* The state a reader sees: a sent quote past its valid-until day (in the vendor's time zone)
 * reads "expired" before the daily job marks it. */
const char *quote_shown_state(const quote_t *q, const char *vendor_today);
/* Why a customer (or a rep on their behalf) cannot accept or reject q today. */
quote_block_t quote_decision_block(const quote_t *q, const char *vendor_today);

/* One line in a sentence for emails and lists ("RescueAssist: 15 more seats"), in lang. */
const char *quote_line_summary(arena_t *a, lang_t lang, const quote_line_t *l);

/* Today in the vendor's time zone (vendor setting "time_zone", an IANA name; UTC when unset or
 * unknown) as 'YYYY-MM-DD'. */
void vendor_today(const char *time_zone, int64_t now, char out[11]);

/* ---- staff side ------------------------------------------------------------------------ */

/* Who acts in the staff console. */
typedef struct {
    int64_t staff_id;
    const char *role; /* "sales_rep", "account_services", "customer_care", "admin" */
    const char *ip;
    int64_t now;
    const char *base_url; /* the portals' public URL, for the link in the email */
} quote_staff_ctx_t;

/* Admins and Corporate Account Services manage any corporate account's quotes; a sales rep the
 * accounts they own; Customer Care none. */
bool quote_staff_may_manage(const quote_staff_ctx_t *ctx, const account_t *acc);

/* One line as typed in the builder; a row whose seats are empty is no line. */
typedef struct {
    const char *kind;            /* quote_line_kind_name */
    const char *plan_id;         /* add_product: the plan sold */
    const char *subscription_id; /* add_seats, remove_seats, set_renewal: the subscription */
    const char *seats;
    const char *unit_price;    /* "" : the price list's (add_product) or the subscription's */
    const char *discount_kind; /* discount_kind_name; "" is none */
    const char *discount;      /* percent ("10", "12.5") or amount, as typed */
} quote_line_form_t;

typedef struct {
    const char *effective_date, *valid_until, *payment_terms, *customer_note, *internal_note;
    quote_line_form_t lines[QUOTE_LINES_MAX];
    size_t n_lines;
    char decimal_mark; /* the typist's ('.' or ',') */
} quote_form_t;

typedef struct {
    field_error_t effective_date, valid_until, payment_terms, customer_note, internal_note;
    field_error_t kind[QUOTE_LINES_MAX], product[QUOTE_LINES_MAX], seats[QUOTE_LINES_MAX],
        unit_price[QUOTE_LINES_MAX], discount[QUOTE_LINES_MAX];
    bool no_lines;    /* sending needs at least one line */
    bool no_tax_rate; /* the account's address names a region the tax table does not know */
} quote_errors_t;

/* What the builder shows beside a quote: the account, its active subscriptions (what seat lines
 * change) and the plans it can be sold (annual, priced in its currency). */
typedef struct {
    quote_t quote;
    account_t account;
    account_subscription_t *subscriptions;
    size_t n_subscriptions;
    plan_price_t *plans;
    size_t n_plans;
    quote_t *revisions; /* every revision of the same number, newest first */
    size_t n_revisions;
    int64_t tax_rate_ppm; /* the account's rate now; -1 when its region has none */
    char today[11];       /* the vendor's */
} quote_builder_t;

/* A new draft for account_id (a corporate account the staff member may manage): effective today,
 * co-termed with the account's next renewal, valid QUOTE_VALID_DAYS, Net 30. *number receives
 * its number. STATUS_NOT_FOUND: no such account, or not one this staff member may manage. */
status_t quote_create(services_t *svc, arena_t *a, const quote_staff_ctx_t *ctx, int64_t account_id,
                      char **number);
/* The quote, with what the builder needs; STATUS_NOT_FOUND as quote_create. Drafts come priced
 * as a preview (what sending would store, with today's prices and tax). */
status_t quote_builder_view(services_t *svc, arena_t *a, const quote_staff_ctx_t *ctx,
                            const char *number, quote_builder_t *out);
/* Saves a draft's header and lines, checked field by field (STATUS_INVALID with the errors,
 * nothing written); STATUS_CONFLICT when it is no longer a draft. */
status_t quote_save_draft(services_t *svc, arena_t *a, const quote_staff_ctx_t *ctx,
                          const char *number, const quote_form_t *form, quote_errors_t *errors);
/* The live preview: the draft number as the form would make it, priced with today's prices and
 * tax (what "Save and preview" then sending would store), in out->quote, without writing
 * anything. Checks and errors as quote_save_draft (STATUS_INVALID, out still describing the
 * stored quote's account); STATUS_NOT_FOUND as quote_builder_view; STATUS_CONFLICT when it is no
 * longer a draft (out->quote says its state). Runs its own read transaction, one snapshot: call
 * it from a POST, never inside a page's read. */
status_t quote_preview_form(services_t *svc, arena_t *a, const quote_staff_ctx_t *ctx,
                            const char *number, const quote_form_t *form, quote_builder_t *out,
                            quote_errors_t *errors);
/* Sends a draft: prices it with today's tax, stores the totals, emails the billing contact (with
 * the PDF), and supersedes the revision it revises. STATUS_INVALID with errors (no lines, dates
 * no longer valid, no tax rate); STATUS_CONFLICT when it is not a draft any more. */
status_t quote_send(services_t *svc, arena_t *a, const quote_staff_ctx_t *ctx, const char *number,
                    quote_errors_t *errors);
/* Withdraws a draft or a sent quote; STATUS_CONFLICT when it was decided meanwhile. */
status_t quote_withdraw(services_t *svc, arena_t *a, const quote_staff_ctx_t *ctx,
                        const char *number);
/* A new draft revision of a sent (or expired, rejected, withdrawn) quote: the same lines, number
 * with the next suffix; *new_number receives it. STATUS_CONFLICT when a draft revision exists
 * or the quote was accepted. */
status_t quote_revise(services_t *svc, arena_t *a, const quote_staff_ctx_t *ctx, const char *number,
                      char **new_number);
/* Sent quotes, soonest to expire first: a sales rep's own, everyone's for others. */
status_t quotes_open_view(services_t *svc, arena_t *a, const quote_staff_ctx_t *ctx, quote_t **out,
                          size_t *n);
/* An account's quotes for the staff console, drafts included, newest first (a sent quote past
 * its day as "expired": quote_shown_state). */
status_t quotes_of_account_staff_view(services_t *svc, arena_t *a, int64_t account_id, int64_t now,
                                      quote_t **out, size_t *n);

/* ---- deciding (the billing contact, or a rep on their behalf) ------------------------ */

typedef struct {
    const char *name, *title, *po_number, *accept_terms; /* accept_terms "yes" when ticked */
    const char *reason; /* on behalf of the customer: why (a signed PO arrived by email) */
} quote_accept_form_t;

typedef struct {
    field_error_t name, title, po_number, accept_terms, reason;
} quote_accept_errors_t;

/* Who decides: the signed-in billing contact (credential_id) of account_id, or a staff member
 * (staff_id) recording it on the customer's behalf. */
typedef struct {
    int64_t account_id, credential_id, staff_id;
    const char *staff_role;
    const char *ip;
    int64_t now;
    const char *base_url;
} quote_decider_t;

/* What a decision came to, for the page that answers it. */
typedef struct {
    quote_block_t block;  /* why it was refused (STATUS_CONFLICT); QUOTE_ACTIONABLE on success */
    char *invoice_number; /* the invoice acceptance issued ("" when nothing was due now) */
    bool mail_queued;
} quote_decision_t;

/* Accepts the sent quote number of the decider's account, in one transaction: who, when, from
 * where; the subscription changes its lines make; an invoice for what is due now (Net terms of
 * the quote, the PO typed printed on it), emailed with its PDF to the contact and the invoice
 * recipients; an email to the rep; the audit. Of two acceptances at once, one wins and the other
 * gets STATUS_CONFLICT with block QUOTE_IS_ACCEPTED. STATUS_NOT_FOUND: not this account's quote;
 * STATUS_INVALID with errors; STATUS_CONFLICT with out->block when it cannot be accepted. */
status_t quote_accept(services_t *svc, arena_t *a, const quote_decider_t *who, const char *number,
                      const quote_accept_form_t *form, quote_accept_errors_t *errors,
                      quote_decision_t *out);

/* Reasons to reject, as the form lists them. */
typedef enum {
    REJECT_PRICE = 0,
    REJECT_TIMING,
    REJECT_SEATS,
    REJECT_OTHER,
    REJECT_REASONS
} reject_reason_t;
const char *reject_reason_name(reject_reason_t r); /* "price", "timing", "seats", "other" */
/* The English msgid that says a reason ("The price"...), to translate where it is shown. */
const char *reject_reason_label(const char *name);

/* Rejects the sent quote with a reason (a reject_reason_name) and an optional comment, and emails
 * the rep. Statuses as quote_accept; errors: reason (FIELD_BAD_CHOICE), comment. */
status_t quote_reject(services_t *svc, arena_t *a, const quote_decider_t *who, const char *number,
                      const char *reason, const char *comment, field_error_t *reason_error,
                      field_error_t *comment_error, quote_decision_t *out);

/* today: the vendor's, for quote_shown_state and quote_decision_block. */
/* ---- customer side views --------------------------------------------------------------- */

/* The account's quotes the customer sees (never drafts), newest first. */
status_t quotes_of_account_view(services_t *svc, arena_t *a, int64_t account_id, int64_t now,
                                quote_t **out, size_t *n, char today[11]);
/* One quote of the account (not a draft): STATUS_NOT_FOUND for another account's or a draft.
 * *live receives the live revision's number when q is superseded (else NULL). */
status_t quote_customer_view(services_t *svc, arena_t *a, int64_t account_id, const char *number,
                             int64_t now, quote_t *out, char **live, char today[11]);

/* ---- the daily job ---------------------------------------------------------------------- */

/* Marks sent quotes past their valid-until day expired; returns how many (-1: store failed). */
int64_t quotes_expire(services_t *svc, int64_t now);

#endif
