/* The Billing Center's Subscription page and the changes its billing administrator (or Customer
 * Care for them) makes (docs/subscriptions.md): add a product, change seats, change the billing
 * frequency, cancel at the end of the period and undo it, reactivate. What raises what the account
 * pays takes effect at once and is charged now to the card on file, prorated by days with a credit
 * for what the period was already charged; what lowers it waits for the renewal. Every change is
 * previewed to the cent first, and confirming charges exactly the preview. */
#ifndef COBRO_SUBSCRIPTIONS_H
#define COBRO_SUBSCRIPTIONS_H
#include "i18n/i18n.h"
#include "services/dunning.h"
#include "render/invoice_doc.h"
#include "services/services.h"
#include "services/validate.h"
#include "store/rows.h"
#include "util/arena.h"

/* Who asks: the account's billing administrator ("billing") or a staff member ("staff"). */
typedef struct {
    int64_t account_id;
    const char *actor_kind;
    int64_t actor_id;
    const char *ip;
    int64_t now;
    const char *base_url; /* the portal's public address, for the emails' links */
} subscriber_t;

/* What the Subscription page shows. */
typedef struct {
    account_t account;
    subscription_row_t *subs;
    size_t n_subs;
    /* Per subscription: the price (before tax) of its next renewal as things stand, -1 when it
     * will not renew (cancelled, ended). */
    int64_t *renewal_amounts;
    /* Per subscription: whether each action is offered. */
    bool *can_seats, *can_frequency, *can_cancel, *can_undo_cancel, *can_reactivate;
    plan_price_t *catalog; /* what can be added: active plans priced in the account's currency */
    size_t n_catalog;
    bool can_add; /* a product of the catalog the account has no active subscription to */
    subscription_change_t *changes; /* the latest, newest first */
    size_t n_changes;
    bool payments_on, has_card;
    payment_card_t card;
    char today[11];
    dunning_view_t dunning; /* a renewal charge that failed, and what follows (state "none") */
} subscription_page_t;

status_t subscription_page(services_t *svc, arena_t *a, int64_t account_id,
                           subscription_page_t *out);

typedef enum {
    SUBCHG_ADD = 0,
    SUBCHG_SEATS,
    SUBCHG_FREQUENCY,
    SUBCHG_CANCEL,
    SUBCHG_UNDO_CANCEL,
    SUBCHG_REACTIVATE,
} subchg_do_t;
/* "add", "seats", "frequency", "cancel", "undo-cancel", "reactivate". */
bool subchg_do_parse(const char *s, subchg_do_t *out);
const char *subchg_do_name(subchg_do_t d);

/* A change as the form sends it, texts as typed. */
typedef struct {
    subchg_do_t what;
    int64_t subscription_id; /* all but SUBCHG_ADD */
    const char *product;     /* SUBCHG_ADD: the product's code */
    const char *seats;       /* SUBCHG_ADD, SUBCHG_SEATS, SUBCHG_REACTIVATE */
    const char *frequency;   /* SUBCHG_ADD: "monthly" or "annual" */
    const char *reason;      /* SUBCHG_CANCEL, optional */
} subchg_form_t;

typedef struct {
    field_error_t product, seats, frequency, reason;
    int64_t min_seats, max_seats; /* for FIELD_SEATS_RANGE */
} subchg_errors_t;

enum { SUBCHG_REASON_MAX = 500, SUBCHG_RECENT = 10 };

typedef struct {
    subchg_do_t what;
    const char *kind;         /* subscription_changes.kind */
    bool now;                 /* takes effect, and is charged, now; else at the renewal */
    subscription_row_t sub;   /* the subscription before (SUBCHG_ADD: its product and plan) */
    subscription_row_t after; /* as it will be */
    char effective[11];       /* the day it takes effect */
    /* What is charged now: one line, priced with tax like every invoice (n_lines 0: nothing). */
    invoice_doc_t charge;
    /* Each renewal afterwards, and the first one's day. */
    int64_t renewal_subtotal, renewal_tax, renewal_total;
    char renewal_date[11];
    bool renews; /* false: it ends (a cancellation) */
    const char *country;
    bool has_card;
    payment_card_t card;
    char *basis; /* the subscription's state the figures were worked out from */
} subchg_preview_t;

/* Works out the change the form asks for, without changing anything. STATUS_INVALID with
 * *errors; STATUS_NOT_FOUND when the subscription is not the account's or the action is not
 * offered for it. Runs inside the page's read transaction or one of its own. */
status_t subscription_change_preview(services_t *svc, arena_t *a, const subscriber_t *who,
                                     const subchg_form_t *form, subchg_preview_t *out,
                                     subchg_errors_t *errors);

typedef enum {
    SUBCHG_DONE = 0,     /* made (and charged, when it charges) */
    SUBCHG_DIFFERENT,    /* the figures are no longer the preview's: shown again (preview) */
    SUBCHG_NO_CARD,      /* it charges now and the account has no card on file */
    SUBCHG_DECLINED,     /* the card was declined (decline_code): nothing changed */
    SUBCHG_PENDING,      /* the gateway has not said yet: the change is made once it does */
    SUBCHG_BUSY,         /* another change of the account is being charged */
    SUBCHG_CONFLICT,     /* charged, but the subscription changed meanwhile: kept as credit */
    SUBCHG_GATEWAY_DOWN, /* the gateway could not be asked: nothing charged, nothing changed */
} subchg_outcome_t;

typedef struct {
    subchg_outcome_t outcome;
    subchg_preview_t preview; /* as worked out when confirming */
    int64_t change_id;
    const char *decline_code;   /* SUBCHG_DECLINED */
    const char *invoice_number; /* SUBCHG_DONE when it charged */
} subchg_result_t;

/* Makes the change if its figures are still expected_total (charged now, with tax) and
 * expected_renewal (each renewal afterwards, with tax), charging the card on file when it
 * charges. STATUS_OK with out->outcome; STATUS_INVALID with *errors; STATUS_NOT_FOUND. */
status_t subscription_change_confirm(services_t *svc, arena_t *a, const subscriber_t *who,
                                     const subchg_form_t *form, int64_t expected_total,
                                     int64_t expected_renewal, subchg_result_t *out,
                                     subchg_errors_t *errors);

/* One change of the account (for the page after a confirmation); STATUS_NOT_FOUND when it is
 * another account's. */
status_t subscription_change_view(services_t *svc, arena_t *a, int64_t account_id,
                                  int64_t change_id, subscription_change_t *out);

#endif
