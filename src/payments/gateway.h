/* One interface to a payment gateway (docs/payments.md): hosted card pages, saved cards,
 * refunds, a payment's true state, and the gateway's signed events. Two drivers implement it:
 * Stripe (stripe.c, REST over libcurl) and the sandbox cobro serves itself (sandbox.c). */
#ifndef COBRO_GATEWAY_H
#define COBRO_GATEWAY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

/* What a call to the gateway came to. UNKNOWN is the one that matters: the request may or may
 * not have been carried out (a time-out, a reset connection, a 5xx), so the caller marks its
 * row "unknown" and later asks (gateway_ops.retrieve, or the same request again with the same
 * idempotency key), never charges again to find out. */
typedef enum {
    GW_OK = 0,
    GW_DECLINED, /* the card was refused: gw_payment_t.decline_code says why */
    GW_UNKNOWN,  /* no answer we can trust */
    GW_ERROR,    /* the gateway refused the request (4xx) or the driver is misconfigured */
} gw_result_t;

enum {
    GW_REF_MAX = 128,  /* the gateway's ids (cs_..., pi_..., re_..., cus_..., pm_...) */
    GW_URL_MAX = 1024, /* a hosted page's address */
    GW_CODE_MAX = 64,  /* a decline code ("card_declined", "insufficient_funds") */
    GW_NAME_MAX = 128, /* a cardholder name */
    GW_ERR_MAX = 256,  /* a driver's words for the log (never shown to customers) */
    /* A hosted page lives this long (Stripe's shortest allowed expiry). */
    GW_CHECKOUT_SECONDS = 30 * 60,
    /* Events older (or newer) than this many seconds are refused (replays). */
    GW_EVENT_TOLERANCE = 5 * 60,
};

/* A hosted payment page for one amount (card payment of an invoice), or a hosted card set-up
 * page (saving a card): amount 0 then. */
typedef struct {
    int64_t payment_id;          /* ours (the payments row), carried in the gateway's metadata */
    const char *idempotency_key; /* derived from our row: "cobro-payment-<id>" */
    int64_t amount;              /* minor units; 0 for a set-up */
    const char *currency;        /* ISO 4217, upper case ("USD") */
    const char *description;     /* "Invoice INV-2026-000123" */
    const char *customer_email;
    const char *customer_ref; /* the gateway's customer, when the account has one; "" otherwise */
    const char *lang;         /* en, es, fr, it: the page's language */
    const char *success_url;  /* where the customer returns after paying (or saving a card) */
    const char *cancel_url;   /* where "back" goes */
    int64_t expires_at;       /* unix seconds: the page stops taking payments then */
} gw_checkout_req_t;

/* The hosted page made. */
typedef struct {
    char session_ref[GW_REF_MAX];
    char url[GW_URL_MAX];
    /* The gateway's customer the page belongs to (Stripe: cus_..., made by create_setup when
     * req->customer_ref was ""): keep it for the account's next set-up. "" when none. */
    char customer_ref[GW_REF_MAX];
} gw_session_t;

/* Charging a saved card without the customer (an invoice paid automatically on its due day). */
typedef struct {
    int64_t payment_id;
    const char *idempotency_key;
    int64_t amount;
    const char *currency;
    const char *description;
    const char *customer_ref;
    const char *method_ref; /* the saved card (pm_...) */
} gw_charge_req_t;

/* What the gateway says of one payment. */
typedef enum {
    GW_PAY_PENDING = 0, /* the hosted page is open: nobody has paid yet */
    GW_PAY_PROCESSING,  /* paid, not settled yet (an extra authentication step, a bank's delay) */
    GW_PAY_SUCCEEDED,
    GW_PAY_FAILED,   /* declined, and the page is over */
    GW_PAY_EXPIRED,  /* the hosted page expired unpaid */
    GW_PAY_NOT_FOUND /* the gateway has no such payment: nothing was made, nothing was charged */
} gw_pay_state_t;

typedef struct {
    gw_pay_state_t state;
    char payment_ref[GW_REF_MAX]; /* the charge's id (Stripe: the PaymentIntent, pi_...) */
    int64_t amount;               /* what was charged, minor units */
    char currency[4];
    char card_brand[24]; /* "visa", "mastercard"...; "" when not known */
    char card_last4[5];
    char decline_code[GW_CODE_MAX];
} gw_payment_t;

/* Which of our payments retrieve asks about: whatever of its references we hold. */
typedef struct {
    int64_t payment_id;
    const char *idempotency_key;
    const char *session_ref; /* "" when the page was never made (or its answer was lost) */
    const char *payment_ref; /* "" when not known */
} gw_lookup_t;

typedef struct {
    int64_t refund_id; /* ours */
    const char *idempotency_key;
    const char *payment_ref; /* the charge refunded */
    int64_t amount;
    const char *currency;
} gw_refund_req_t;

typedef enum { GW_REFUND_PENDING = 0, GW_REFUND_SUCCEEDED, GW_REFUND_FAILED } gw_refund_state_t;

typedef struct {
    gw_refund_state_t state;
    char refund_ref[GW_REF_MAX];
} gw_refund_t;

/* A saved card, as a set-up page or event reports it (display fields only: cobro never sees a
 * card number or security code). */
typedef struct {
    char customer_ref[GW_REF_MAX];
    char method_ref[GW_REF_MAX];
    char brand[24];
    char last4[5];
    int exp_month, exp_year;
    char holder_name[GW_NAME_MAX];
} gw_card_t;

/* An event, verified and read into what cobro acts on. */
typedef enum {
    GW_EVENT_IGNORED = 0,       /* a type cobro does not act on: acknowledged, nothing done */
    GW_EVENT_PAYMENT_SUCCEEDED, /* money taken: settles our payment */
    GW_EVENT_PAYMENT_PROCESSING,
    GW_EVENT_PAYMENT_FAILED,   /* declined: payment.decline_code */
    GW_EVENT_CHECKOUT_EXPIRED, /* the hosted page expired unpaid */
    GW_EVENT_SETUP_SUCCEEDED,  /* a card was saved: card */
    GW_EVENT_REFUND_UPDATED,   /* a refund's state changed: refund */
} gw_event_kind_t;

typedef struct {
    char id[GW_REF_MAX]; /* the gateway's event id: each is acted on once */
    char type[64];       /* the gateway's own name for it, for the log */
    gw_event_kind_t kind;
    int64_t created;    /* unix seconds */
    int64_t payment_id; /* ours, from the metadata; 0 when the event names none */
    int64_t refund_id;  /* ours, for a refund event; 0 otherwise */
    char session_ref[GW_REF_MAX];
    gw_payment_t payment;
    gw_card_t card;
    gw_refund_t refund;
    /* Stripe: the SetupIntent (seti_...) of a set-up event, from which the Stripe driver fetches
     * the card's display fields when the event does not carry them. "" otherwise. */
    char setup_ref[GW_REF_MAX];
} gw_event_t;

typedef struct gateway gateway_t;

/* Every call may block (network): never call one inside a database transaction. Each takes the
 * calling thread's store connection, which only the sandbox uses (its pages and events are
 * kept in cobro's own database); err receives a line for the log. */
typedef struct {
    const char *name; /* "stripe", "sandbox" */
    gw_result_t (*create_checkout)(gateway_t *gw, struct store *s, const gw_checkout_req_t *req,
                                   gw_session_t *out, char err[GW_ERR_MAX]);
    /* A page that saves a card for later charges (req->amount is 0). */
    gw_result_t (*create_setup)(gateway_t *gw, struct store *s, const gw_checkout_req_t *req,
                                gw_session_t *out, char err[GW_ERR_MAX]);
    /* GW_OK with out->state PROCESSING or SUCCEEDED; GW_DECLINED with out->decline_code. The
     * payment still settles only from its event. */
    gw_result_t (*charge_saved)(gateway_t *gw, struct store *s, const gw_charge_req_t *req,
                                gw_payment_t *out, char err[GW_ERR_MAX]);
    /* The payment's true state, never charging anything. */
    gw_result_t (*retrieve)(gateway_t *gw, struct store *s, const gw_lookup_t *which,
                            gw_payment_t *out, char err[GW_ERR_MAX]);
    gw_result_t (*refund)(gateway_t *gw, struct store *s, const gw_refund_req_t *req,
                          gw_refund_t *out, char err[GW_ERR_MAX]);
    /* Checks an event's signature over the raw body (signature_header as received), with a
     * GW_EVENT_TOLERANCE window around now, and reads it. GW_ERROR: forged, stale or
     * unreadable: the caller answers 400 and does nothing. */
    gw_result_t (*read_event)(gateway_t *gw, const char *body, size_t len,
                              const char *signature_header, int64_t now, gw_event_t *out,
                              char err[GW_ERR_MAX]);
    /* Drivers that post their own events (the sandbox): sends the due ones, returns how many
     * were delivered (-1: the database failed). NULL for a gateway that sends its own. */
    int64_t (*deliver_events)(gateway_t *gw, struct store *s, int64_t now);
    void (*free)(gateway_t *gw);
} gateway_ops_t;

struct gateway {
    const gateway_ops_t *ops;
    void *impl;
};

/* The name of the HTTP header that carries an event's signature, for every driver (the sandbox
 * signs as Stripe does). */
#define GW_SIGNATURE_HEADER "Stripe-Signature"

/* ---- the drivers ---------------------------------------------------------------------- */

/* Stripe: secret key and webhook secrets (one, or two while one is rotated) read from files by
 * the caller; api_url is https://api.stripe.com unless a test names its fake. NULL with err when
 * a setting is unusable. */
gateway_t *gateway_stripe_new(const char *api_url, const char *secret_key,
                              const char *const webhook_secrets[2], char err[GW_ERR_MAX]);
/* The sandbox: pages served by cobro at base_url/sandbox/..., events signed with secret and
 * posted to event_url (this node's own event endpoint). */
gateway_t *gateway_sandbox_new(const char *base_url, const char *event_url, const char *secret,
                               char err[GW_ERR_MAX]);
void gateway_free(gateway_t *gw);

/* Reads a verified event in Stripe's shape (stripe_event.c); the sandbox's events take that
 * shape too. GW_ERROR when the body is not such an event. */
gw_result_t gw_read_stripe_event(const char *body, size_t len, gw_event_t *out,
                                 char err[GW_ERR_MAX]);

/* ---- event signatures (signature.c): Stripe's scheme, used by both drivers ------------ */

/* "t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">" for body at time t with secret. */
void gw_sign_event(const char *secret, int64_t t, const char *body, size_t len, char *out,
                   size_t out_size);
/* True when header carries a v1 signature of body by one of secrets (NULL-ended, at most 2)
 * with a timestamp within tolerance seconds of now; compared in constant time. */
bool gw_verify_signature(const char *const *secrets, const char *header, const char *body,
                         size_t len, int64_t now, int64_t tolerance);

#endif
