/* What the payment services share (card payments, offline payments, refunds, credit): applying
 * money to an invoice and keeping the rest as credit. For the services only. */
#ifndef COBRO_PAYMENTS_INTERNAL_H
#define COBRO_PAYMENTS_INTERNAL_H
#include "payments/gateway.h"
#include "services/services.h"
#include "store/store.h"

/* An invoice's state for what it has been paid: open, partially_paid or paid. */
const char *invoice_status_for(int64_t total, int64_t amount_paid);
/* Applies up to amount of payment p to invoice_id (of p's account, in p's currency), never
 * beyond what it still owes; *applied receives what was applied. STORE_NOT_FOUND when the
 * invoice is not the account's or is in another currency. */
store_status_t payment_apply(store_t *s, arena_t *a, const payment_t *p, int64_t invoice_id,
                             int64_t amount, int64_t now, int64_t *applied);
/* Keeps amount of payment p as the account's credit (nothing when amount <= 0). */
store_status_t payment_keep_credit(store_t *s, const payment_t *p, int64_t amount, int64_t now);
/* When to ask the gateway again after its checks-th failure to answer; 0: no more. */
int64_t payment_next_check(int64_t checks, int64_t now);

/* Records the gateway's immediate answer to a charge of a saved card on payment_id: a success or
 * a decline settles it at once, as its event would (the event, when it comes, finds it settled);
 * PROCESSING and UNKNOWN leave it to its event or the reconciliation. */
status_t payment_record_answer(services_t *svc, arena_t *a, int64_t payment_id, gw_result_t result,
                               const gw_payment_t *answer, int64_t now);
/* The gateway's answers to several charges, recorded as payment_record_answer does, in one
 * transaction (the renewals of a bill run: one commit for a batch, not one each). */
typedef struct {
    int64_t payment_id;
    gw_result_t result;
    gw_payment_t answer;
} gw_answer_t;
status_t payment_record_answers(services_t *svc, arena_t *a, const gw_answer_t *answers, size_t n,
                                int64_t now);

/* The portal's public address (payments_set_base_url), for links in emails. */
const char *payments_base_url(void);

/* ---- the card on file (payment_cards.c) ---- */

/* A card was saved on our set-up ev->payment_id: the set-up succeeds and the account's card is
 * saved (or replaced, keeping its autopay choice). Inside the event's transaction. */
store_status_t card_setup_succeeded(store_t *s, arena_t *a, const gw_event_t *ev, int64_t now);
/* Queues the email telling the billing contact that automatic payment p failed, with the
 * invoice's Pay link, in the account's language. */
store_status_t autopay_declined_email(store_t *s, arena_t *a, const payment_t *p, int64_t now);
/* Writes an automatic charge of invoice m's whole balance to the account's card (state
 * processing, audited): attempt 0 for autopay, 1 for a renewal's charge, 2... for dunning
 * retries (each at most once per invoice: the database refuses a second). Inside the claim's
 * transaction, the invoice's row taken. */
store_status_t saved_card_payment_insert(store_t *s, arena_t *a, const invoice_money_t *m,
                                         const account_t *acc, const payment_card_t *card,
                                         int64_t attempt, int64_t now, payment_t *p);
/* Asks the gateway to charge payment p (written and committed) to card, off-session, outside any
 * transaction, with the idempotency key of p; out receives the answer, for
 * payment_record_answers (a decline then goes to saved_card_failed). */
void saved_card_ask(services_t *svc, arena_t *a, const payment_t *p, const payment_card_t *card,
                    gw_answer_t *out);
/* saved_card_ask, then the answer recorded. */
void saved_card_charge(services_t *svc, arena_t *a, const payment_t *p, const payment_card_t *card,
                       int64_t now);
/* An automatic charge p was declined (its row just marked failed, in this transaction): the
 * autopay email, or for a renewal's charge or a retry the dunning step. */
store_status_t saved_card_failed(store_t *s, arena_t *a, const payment_t *p, int64_t now);

/* ---- dunning (dunning.c), inside the caller's transaction ---- */

/* A renewal's charge or a retry (p->attempt > 0) was declined: opens the invoice's case or
 * moves it on (next retry, or past due), with its email and audit line. */
store_status_t dunning_charge_failed(store_t *s, arena_t *a, const payment_t *p, int64_t now);
/* Such a charge never reached the gateway (it expired unanswered: nothing was charged): a
 * renewal's charge is retried at once through a case; a retry is simply due again. */
store_status_t dunning_charge_lost(store_t *s, arena_t *a, const payment_t *p, int64_t now);
/* The invoice was just paid in full (any path): its case, if any, is resolved and emailed. */
store_status_t dunning_invoice_paid(store_t *s, arena_t *a, int64_t invoice_id, int64_t now);
/* A card was saved on the account: its unresolved cases are retried at once. */
store_status_t dunning_card_saved(store_t *s, arena_t *a, int64_t account_id, int64_t now);

#endif
