/* Money handled by staff (docs/payments_staff.md): recording a wire, check or ACH payment
 * received and applying it to an account's invoices (the rest kept as credit), reversing one
 * (a bounced check), refunding a card payment through the gateway, and the pages that show a
 * payment and the payments whose outcome is unknown. */
#ifndef COBRO_PAYMENTS_OFFLINE_H
#define COBRO_PAYMENTS_OFFLINE_H
#include "payments/gateway.h"
#include "services/services.h"
#include "store/rows.h"
#include "store/store.h"
#include "util/arena.h"

#include <stdbool.h>

enum {
    OFFLINE_REFERENCE_MAX = 100,
    OFFLINE_PAYER_MAX = 200,
    OFFLINE_REASON_MAX = 500,
    OFFLINE_INVOICES_SHOWN = 200, /* open invoices offered on the form */
    PAYMENTS_UNKNOWN_SHOWN = 200,
};

/* Who acts in the staff console on payments. */
typedef struct {
    int64_t staff_id;
    const char *role; /* "sales_rep", "account_services", "customer_care", "admin" */
    const char *ip;
    int64_t now;
} pay_staff_t;

/* Corporate Account Services and admins record and reverse payments and see payments; others
 * get 404 as if the pages did not exist. */
bool pay_staff_may_record(const pay_staff_t *who);
/* Only admins refund card payments. */
bool pay_staff_may_refund(const pay_staff_t *who);

/* Why a field of the staff's payment forms was refused; OFFLINE_OK when it is fine. */
typedef enum {
    OFFLINE_OK = 0,
    OFFLINE_REQUIRED,
    OFFLINE_TOO_LONG,
    OFFLINE_NOT_ONE_LINE,
    OFFLINE_BAD_CHOICE,     /* not one of the methods offered */
    OFFLINE_BAD_DATE,       /* not a real YYYY-MM-DD date */
    OFFLINE_FUTURE_DATE,    /* after the vendor's today */
    OFFLINE_BAD_AMOUNT,     /* not an amount in the currency's decimals, or not above 0 */
    OFFLINE_BAD_CURRENCY,   /* not the account's currency */
    OFFLINE_OVER_BALANCE,   /* more than the invoice's balance less payments in progress */
    OFFLINE_OVER_AMOUNT,    /* the amounts applied add up to more than the payment */
    OFFLINE_UNKNOWN_INVOICE /* not an open invoice of this account */
} offline_error_t;

/* ---- recording a payment ------------------------------------------------------------------ */

typedef struct {
    invoice_money_t invoice;
    int64_t balance; /* total - amount_paid */
    int64_t payable; /* balance less payments in progress */
} open_invoice_t;

typedef struct {
    account_t account;
    char today[11];           /* the vendor's today, the latest received date */
    open_invoice_t *invoices; /* oldest due first */
    size_t n_invoices;
    int64_t credit; /* the account's credit in its currency */
} offline_form_view_t;

/* The form's content for the account; STATUS_NOT_FOUND for no such account or a staff member who
 * may not record payments. */
status_t offline_form_view(services_t *svc, arena_t *a, const pay_staff_t *who, int64_t account_id,
                           offline_form_view_t *out);

/* An amount to apply to one invoice, as typed: the invoice's id as the form names it. */
typedef struct {
    const char *invoice_id;
    const char *amount; /* "" or blank: nothing applied */
} offline_apply_in_t;

typedef struct {
    const char *method;        /* wire, check, ach */
    const char *received_date; /* YYYY-MM-DD */
    const char *amount;
    const char *currency;
    const char *reference;
    const char *payer;
    const offline_apply_in_t *applies;
    size_t n_applies;
    char decimal_mark; /* the typist's: '.' or ',' */
} offline_payment_in_t;

typedef struct {
    offline_error_t method, received_date, amount, currency, reference, payer;
    offline_error_t *applies; /* one per in->applies */
    bool any;                 /* some field was refused */
    int64_t payment_id;       /* on STATUS_OK */
    int64_t credit;           /* on STATUS_OK: what was kept as credit */
} offline_payment_out_t;

/* Records a payment received outside the gateway on the account, applies it and keeps the rest as
 * credit, in one transaction. STATUS_INVALID with the fields' errors (nothing written);
 * STATUS_NOT_FOUND for no such account or a staff member who may not. */
status_t payment_record_offline(services_t *svc, arena_t *a, const pay_staff_t *who,
                                int64_t account_id, const offline_payment_in_t *in,
                                offline_payment_out_t *out);

/* ---- one payment ---------------------------------------------------------------------------- */

typedef struct {
    payment_t payment;
    account_t account;
    char *recorded_by; /* the staff member who recorded it; "" when none */
    allocation_row_t *allocations;
    size_t n_allocations;
    refund_t *refunds;
    size_t n_refunds;
    int64_t refundable; /* a card payment's amount less refunds that may have reached the card */
    bool may_reverse;   /* an offline payment that succeeded, and the reader may */
    bool may_refund;    /* a succeeded card payment with something left, and the reader may */
} payment_staff_view_t;

status_t payment_staff_view(services_t *svc, arena_t *a, const pay_staff_t *who, int64_t payment_id,
                            payment_staff_view_t *out);

/* ---- reversing an offline payment ----------------------------------------------------------- */

typedef enum {
    REVERSE_OK = 0,
    REVERSE_NOT_OFFLINE, /* a card payment: refunded instead */
    REVERSE_NOT_SETTLED, /* already reversed */
    REVERSE_CREDIT_USED, /* the credit it left has been used: out->credit_used says how much */
} reverse_error_t;

typedef struct {
    offline_error_t reason;
    reverse_error_t error;
    int64_t credit_used;
} reverse_out_t;

/* Reverses an offline payment (a bounced check): what it paid on invoices is owed again, the
 * credit it left is taken back. STATUS_INVALID with out's errors (nothing written). */
status_t payment_reverse(services_t *svc, arena_t *a, const pay_staff_t *who, int64_t payment_id,
                         const char *reason, reverse_out_t *out);

/* ---- refunding a card payment ------------------------------------------------------------- */

typedef enum {
    REFUND_OK = 0,
    REFUND_NOT_CARD,    /* an offline payment: reversed instead */
    REFUND_NOT_SETTLED, /* not a succeeded payment */
    REFUND_TOO_MUCH,    /* more than what is left to refund: out->refundable */
} refund_error_t;

typedef struct {
    offline_error_t amount, reason;
    refund_error_t error;
    int64_t refundable;
    int64_t refund_id; /* once the refunds row is written */
    const char *state; /* the refund's state after asking the gateway */
} refund_out_t;

/* Refunds amount_text (as typed) of a succeeded card payment through the gateway. STATUS_INVALID
 * with out's errors (nothing written); STATUS_OK with out->state: succeeded (the invoice's
 * balance reopened, the contact emailed), pending (the gateway's event settles it), failed
 * (nothing changed) or unknown (to be checked). */
status_t refund_card_payment(services_t *svc, arena_t *a, const pay_staff_t *who,
                             int64_t payment_id, const char *amount_text, char decimal_mark,
                             const char *reason, refund_out_t *out);

/* "cobro-refund-<id>": every gateway request about refund id carries it. */
const char *refund_idempotency_key(arena_t *a, int64_t id);

/* For services/payments.c: a gateway's REFUND_UPDATED event, inside the event's transaction. */
store_status_t refund_event(store_t *s, arena_t *a, const gw_event_t *ev, int64_t now);
/* Sends each unknown refund due a check to the gateway again with its idempotency key (it
 * answers with the refund it made, or makes it once): every hour for a week. Returns how many
 * got an outcome, -1 when the database failed. */
int64_t refunds_reconcile(services_t *svc, int64_t now);

/* The account's refunds and its credit moves (kept, used, taken back), newest first, for its
 * page in the staff console. Runs inside the page's read transaction. */
status_t account_refunds_and_credit(services_t *svc, arena_t *a, int64_t account_id,
                                    refund_t **refunds, size_t *n_refunds,
                                    allocation_row_t **credit, size_t *n_credit);

/* ---- payments by state -------------------------------------------------------------------- */

/* Payments whose outcome is unknown, newest first (staff who may record payments). */
status_t payments_unknown_view(services_t *svc, arena_t *a, const pay_staff_t *who,
                               payment_line_t **out, size_t *n);

#endif
