/* The service handle: what a request (or any thread) holds to ask services for what it shows
 * and to change things. Opaque above the services: the store stays behind it. */
#ifndef COBRO_SERVICES_H
#define COBRO_SERVICES_H
#include "util/status.h"
#include <stdbool.h>

typedef struct services services_t;

/* ---- one per thread, made where the thread opens its database connection ---------------- */

struct store;
/* Wraps the thread's store connection (which stays owned by the caller); NULL without memory. */
services_t *services_new(struct store *store);
void services_free(services_t *svc);

/* ---- what every request needs ------------------------------------------------------------ */

/* Runs fn(arg) in one read transaction (one snapshot, locks taken once) for a request that
 * only reads; fn answers whatever it reads and is run at most once. False when no snapshot
 * could be had (the database stayed busy): fn was not run. */
bool services_in_read(services_t *svc, void (*fn)(void *arg), void *arg);
/* STATUS_OK when the database answers (health checks). */
status_t services_ping(services_t *svc);

#endif
