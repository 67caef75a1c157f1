/* For the services only (never the web): the store behind a service handle, and the store's
 * status in the shared model. */
#ifndef COBRO_SERVICES_INTERNAL_H
#define COBRO_SERVICES_INTERNAL_H
#include "services/services.h"
#include "store/store.h"

struct services {
    store_t *store; /* this thread's own connection */
};

static inline store_t *services_store(services_t *svc)
{
    return svc->store;
}

/* The store's status in the shared model. */
static inline status_t status_of_store(store_status_t st)
{
    switch (st) {
    case STORE_OK:
        return STATUS_OK;
    case STORE_NOT_FOUND:
        return STATUS_NOT_FOUND;
    case STORE_CONFLICT:
        return STATUS_CONFLICT;
    case STORE_BUSY:
        return STATUS_BUSY;
    default:
        return STATUS_ERROR;
    }
}

#endif
