/* The service handle of a thread: its store connection, behind an opaque type. */
#include "services/services_internal.h"
#include "store/store.h"

#include <stdlib.h>

services_t *services_new(store_t *store)
{
    services_t *svc = calloc(1, sizeof *svc);
    if (svc) svc->store = store;
    return svc;
}

void services_free(services_t *svc)
{
    free(svc);
}

typedef struct {
    void (*fn)(void *arg);
    void *arg;
    bool ran;
} read_job_t;

/* Returns STORE_OK whatever fn read, so that store_run_tx never runs it twice. */
static store_status_t read_body(store_t *s, void *arg)
{
    (void)s;
    read_job_t *j = arg;
    j->fn(j->arg);
    j->ran = true;
    return STORE_OK;
}

bool services_in_read(services_t *svc, void (*fn)(void *arg), void *arg)
{
    read_job_t j = {.fn = fn, .arg = arg};
    store_run_tx(svc->store, STORE_TX_READ, read_body, &j);
    return j.ran;
}

status_t services_ping(services_t *svc)
{
    return store_ping(svc->store);
}
