/* Payments (docs/payments.md): a billing contact pays an invoice in full or in part on the
 * gateway's hosted page; the payment settles only from the gateway's signed event; what a
 * payment in progress holds is reserved on the invoice, so that payers never take it beyond its
 * total; outcomes nobody learnt are asked of the gateway later, never charged again. */
#ifndef COBRO_PAYMENTS_H
#define COBRO_PAYMENTS_H
#include "i18n/i18n.h"
#include "payments/gateway.h"
#include "services/services.h"
#include "services/validate.h"
#include "store/rows.h"
#include "util/arena.h"

enum {
    /* The smallest card payment, in the currency's units × 100 (0.50): the gateway's minimum. */
    PAYMENT_MIN_CENTS = 50,
    /* A hosted page's reservation outlives the page by this much, for its last event. */
    PAYMENT_RESERVE_GRACE = 5 * 60,
    PAYMENTS_LISTED = 100,
};

/* The gateway every payment of this process goes through (set once at start-up, before any
 * thread asks; NULL: payments are off and every "Pay now" is hidden). */
void payments_init(gateway_t *gw);
gateway_t *payments_gateway(void);
/* "cobro-payment-<id>": every gateway request about payment id carries it. */
const char *payment_idempotency_key(arena_t *a, int64_t id);

/* The smallest amount a card payment may be, in minor units of currency. */
int64_t payment_minimum(const char *currency);

/* Who pays: the billing contact of a corporate account in the portal, or (billing_center; the
 * card on file only) the billing administrator of an online account in the Billing Center. */
typedef struct {
    int64_t account_id;
    int64_t credential_id; /* the portal sign-in, or the Billing Center user: for the audit log */
    bool billing_center;   /* credential_id is an account_users id */
    lang_t lang;
    const char *ip;
    int64_t now;
    const char *base_url; /* the portal's public address, for the gateway's return links */
} payer_t;

/* What the Pay page shows. */
typedef struct {
    invoice_money_t invoice;
    int64_t balance;     /* total - amount_paid */
    int64_t payable;     /* balance - reserved: what may be paid now */
    int64_t minimum;     /* the smallest card payment */
    const char *country; /* the account's, for formatting */
} pay_view_t;

/* The invoice (number, of the payer's account) and what may be paid on it now. STATUS_NOT_FOUND:
 * no such invoice of this account. Runs inside the page's read transaction. */
status_t pay_view(services_t *svc, arena_t *a, const payer_t *who, const char *number,
                  pay_view_t *out);

typedef enum {
    PAY_AMOUNT_OK = 0,
    PAY_AMOUNT_BAD,       /* not an amount */
    PAY_AMOUNT_TOO_SMALL, /* below the minimum */
    PAY_AMOUNT_TOO_LARGE, /* above what may be paid now (the balance less payments in progress) */
    PAY_NOTHING_DUE,      /* the invoice is paid, or payments in progress hold all of it */
} pay_amount_error_t;

typedef struct {
    pay_amount_error_t amount_error;
    pay_view_t view;          /* as of the refusal, for the page */
    char *redirect;           /* on STATUS_OK: the gateway's hosted page */
    int64_t payment_id;       /* on STATUS_OK, and on a gateway failure */
    bool gateway_unavailable; /* STATUS_ERROR from the gateway: nothing charged, try later */
} pay_start_t;

/* Starts a card payment of amount_text (as typed; decimal_mark the typist's) on the invoice:
 * reserves it, asks the gateway for a hosted page and gives its address. STATUS_INVALID with
 * out->amount_error; STATUS_NOT_FOUND; STATUS_ERROR with gateway_unavailable when the gateway
 * could not make the page (the reservation is released, nothing was charged). */
status_t pay_start(services_t *svc, arena_t *a, const payer_t *who, const char *number,
                   const char *amount_text, char decimal_mark, pay_start_t *out);

/* One payment of the payer's account on invoice number, for the page the gateway returns to;
 * STATUS_NOT_FOUND when it is not theirs. Runs inside the page's read transaction. */
status_t payment_of_invoice(services_t *svc, arena_t *a, int64_t account_id, const char *number,
                            int64_t payment_id, payment_t *out);

/* Payments of an invoice (invoice_id) or of an account (account_id, invoice_id 0), newest
 * first. Runs inside the page's read transaction. */
status_t payments_list(services_t *svc, arena_t *a, int64_t account_id, int64_t invoice_id,
                       payment_t **out, size_t *n);
/* The account's credit in currency (money paid beyond invoices, not yet used). */
status_t account_credit(services_t *svc, int64_t account_id, const char *currency, int64_t *credit);

/* ---- the gateway's events ------------------------------------------------------------- */

typedef enum {
    EVENT_ACTED = 0, /* done (or nothing to do): answer 200 */
    EVENT_SEEN,      /* already acted on: answer 200 */
    EVENT_REFUSED,   /* forged, stale or unreadable: answer 400, nothing done */
    EVENT_RETRY,     /* the database failed: answer 503 so the gateway sends it again */
} event_outcome_t;

/* Verifies and acts on one event, raw body as received. */
event_outcome_t payments_handle_event(services_t *svc, const char *body, size_t len,
                                      const char *signature, int64_t now);

/* ---- reconciliation (the scheduler, every minute, on any node) ------------------------ */

/* Asks the gateway about payments whose outcome is unknown and due a check, and about pending
 * ones whose page expired without an event: after 5 minutes, an hour, then daily for a week.
 * Returns how many changed state, -1 when the database failed. */
int64_t payments_reconcile(services_t *svc, int64_t now);

/* Uses credit (money paid beyond invoices) on the account's oldest invoices with a balance in
 * its currency. Returns how many accounts' credit was used, -1 when the database failed. */
int64_t payments_apply_credit(services_t *svc, int64_t now);

/* The sandbox's events (docs/payments.md): posts each due one, signed, to this node's event
 * endpoint; returns how many were delivered, -1 on a database failure. 0 with another gateway. */
int64_t sandbox_deliver_events(services_t *svc, int64_t now);
/* The portal's public address, for links in receipts (set once at start-up). */
void payments_set_base_url(const char *base_url);

#endif
