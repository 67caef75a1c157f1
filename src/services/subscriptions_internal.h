/* For the services only: what subscriptions.c (working a change out) and subscription_changes.c
 * (confirming, charging and applying it) share, and what the payments' settlement calls. */
#ifndef COBRO_SUBSCRIPTIONS_INTERNAL_H
#define COBRO_SUBSCRIPTIONS_INTERNAL_H
#include "services/service_tx.h"
#include "services/subscriptions.h"
#include "store/store.h"

/* The state of a subscription a change was worked out from (compared again when it is made). */
char *subscription_basis(arena_t *a, const subscription_row_t *s);
/* The active subscription of billing_period a new product is co-termed with; NULL: none. */
const subscription_row_t *coterm_with(const subscription_row_t *subs, size_t n,
                                      const char *billing_period, const char *today);
char *add_basis(arena_t *a, const subscription_row_t *coterm);
/* Works the form's change out into *c and the preview *o (inside a transaction). */
store_status_t subscription_change_plan(store_t *s, arena_t *a, const subscriber_t *who,
                                        const subchg_form_t *form, subscription_change_t *c,
                                        subchg_preview_t *o, subchg_errors_t *e, refused_t *why);
/* The subscription as change c leaves it. */
void subscription_after(const subscription_row_t *before, const subscription_change_t *c,
                        int64_t now, subscription_row_t *after);
/* Whether c is charged when it is made (else it waits for the renewal, or charges nothing). */
bool subscription_change_charges(const subscription_change_t *c);
/* The invoice of what c charges: the account's party, one line, priced with tax. */
store_status_t subscription_change_price(store_t *s, arena_t *a, const subscription_change_t *c,
                                         const char *product_name, const char *billing_period,
                                         invoice_doc_t *inv);

/* Called by the payments' settlement, inside its transaction, for a payment of a change: the
 * money arrived, so the change is made now if its subscription is still as it was (its invoice
 * issued: *invoice_id, *invoice_number for the payment to be applied to), else it is marked a
 * conflict and *invoice_id is 0 (the money stays as the account's credit). Once only. */
store_status_t subscription_change_paid(store_t *s, arena_t *a, const payment_t *p, int64_t now,
                                        int64_t *invoice_id, char **invoice_number);
/* The payment of a change failed or expired: the change is declined, nothing else changes. */
store_status_t subscription_change_unpaid(store_t *s, const payment_t *p, const char *code,
                                          int64_t now);

#endif
