/* The server's own clock work: the daily bill run, purchase-order expiry reminders. */
#ifndef COBRO_SCHEDULER_H
#define COBRO_SCHEDULER_H
#include "mailer.h"

typedef struct scheduler scheduler_t;

/* Starts a thread (own store connection) that, at start and then every hour, runs the bill run
 * for today (UTC) unless the daily run has already done so (vendor setting daily_bill_run, which
 * only this daily run writes: manual runs, whatever their date, do not count), queues the
 * reminders of purchase orders expiring within 30 days, and wakes the mailer. NULL when the
 * thread or its store cannot start. */
scheduler_t *scheduler_start(const char *db_path, const char *base_url, mailer_t *mailer);
void scheduler_stop(scheduler_t *s);

#endif
