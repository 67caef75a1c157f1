/* For the services only (never the web): the store behind a service handle. */
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

#endif
