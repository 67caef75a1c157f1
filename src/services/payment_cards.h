/* The card on file (docs/cards.md): the billing contact of a corporate account, or the billing
 * administrator of an online account (payer_t.billing_center), saves a card on the gateway's
 * hosted set-up page, replaces or removes it; a corporate contact also chooses whether each
 * invoice is charged to it automatically on its due date, and the payments worker makes those
 * charges. */
#ifndef COBRO_PAYMENT_CARDS_H
#define COBRO_PAYMENT_CARDS_H
#include "services/payments.h"
#include "store/rows.h"

/* What the Payment Method tab shows of the card on file. */
typedef struct {
    bool payments_on; /* a gateway is configured: cards can be saved */
    bool has_card;
    payment_card_t card; /* when has_card */
} card_view_t;

/* The card on file of the payer's account. Runs inside the page's read transaction. */
status_t card_on_file_view(services_t *svc, arena_t *a, int64_t account_id, card_view_t *out);

/* A set-up of the account (for the page the gateway returns to): state pending, succeeded,
 * failed or expired. STATUS_NOT_FOUND when it is not the account's. */
status_t card_setup_view(services_t *svc, arena_t *a, int64_t account_id, int64_t setup_id,
                         card_setup_t *out);

/* Opens the gateway's hosted set-up page for the payer's account and gives its address in
 * *redirect (the gateway sends the payer back to their portal's Payment Method page).
 * STATUS_NOT_FOUND: not a payer of that account (see payer_account in payment_cards.c), or
 * payments are off; STATUS_ERROR: the gateway made no page (no card is saved; the set-up is marked
 * failed). */
status_t card_setup_start(services_t *svc, arena_t *a, const payer_t *who, char **redirect);

/* Forgets the account's card (the gateway is not asked to detach it). STATUS_NOT_FOUND when
 * the account has none. */
status_t card_remove(services_t *svc, arena_t *a, const payer_t *who);

/* Turns the automatic charge of each invoice on its due date on or off. STATUS_NOT_FOUND when
 * the account has no card, or is an online account (whose renewals are charged anyway). */
status_t card_set_autopay(services_t *svc, arena_t *a, const payer_t *who, bool on);

/* The payments worker, every minute: charges the saved card of each open invoice due by the
 * vendor's today whose account has autopay on, at most once a day per invoice. Returns how many
 * charges were asked of the gateway, -1 when the database failed. */
int64_t payments_autopay_due(services_t *svc, int64_t now);

#endif
