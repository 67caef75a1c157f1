/* The worker pool: threads for blocking work (password hashing, SMTP, PDF), each with its own
 * store connection (behind a service handle), so that no event loop ever waits on them. */
#ifndef COBRO_POOL_H
#define COBRO_POOL_H
#include "services/services.h"
#include "store/store.h"
#include <stdbool.h>

typedef struct pool pool_t;
typedef void (*pool_job_fn)(void *arg, services_t *svc);

/* Starts n threads, each opening db_path, with room for queue_max jobs waiting for a thread.
 * NULL with a reason in err when one cannot. */
pool_t *pool_start(int n, int queue_max, const char *db_path, char *err, int err_size);
/* Queues fn(arg, svc) to run on some worker. Thread-safe; never blocks on the work itself.
 * False, with nothing queued, when queue_max jobs are already waiting: the caller refuses the
 * work rather than let the queue (and every client's wait) grow without end. */
bool pool_submit(pool_t *p, pool_job_fn fn, void *arg);
/* Runs the jobs already queued, then stops and joins the threads. NULL is accepted. */
void pool_stop(pool_t *p);

#endif
