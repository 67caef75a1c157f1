/* The sandbox gateway's events, for its hosted pages (services/sandbox_checkout.c). */
#ifndef COBRO_SANDBOX_H
#define COBRO_SANDBOX_H
#include "gateway.h"
#include "store/store.h"

/* Queues an event of type (Stripe's names: payment_intent.succeeded,
 * payment_intent.payment_failed, checkout.session.completed, checkout.session.expired) about
 * session x, to be posted to the event endpoint; inside the transaction that changed x. */
/* "<prefix><24 hex digits>": the sandbox's ids (cs_test_..., pi_sb_...), unguessable. */
void sandbox_random_ref(const char *prefix, char *out, size_t n);

store_status_t sandbox_queue_event(store_t *s, const char *type, const sandbox_session_t *x,
                                   int64_t now);

#endif
