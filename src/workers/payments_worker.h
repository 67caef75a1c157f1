/* A node's payment work (docs/payments.md): posting the sandbox gateway's events, and asking the
 * gateway about payments whose outcome nobody learnt. */
#ifndef COBRO_PAYMENTS_WORKER_H
#define COBRO_PAYMENTS_WORKER_H
#include "mailer.h"

typedef struct payments_worker payments_worker_t;

/* Starts a thread (own store connection) that posts the sandbox's due events every quarter of a
 * second (when the gateway is the sandbox) and reconciles payments every minute, waking the
 * mailer when receipts were queued. NULL when the thread or its store cannot start. */
payments_worker_t *payments_worker_start(const char *db_path, mailer_t *mailer);
void payments_worker_stop(payments_worker_t *w);

#endif
