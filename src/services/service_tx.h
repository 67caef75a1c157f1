/* What a service's transaction bodies share: how a body refuses, what the caller answers for it,
 * and one audit-log line. For the services only (never the web). */
#ifndef COBRO_SERVICE_TX_H
#define COBRO_SERVICE_TX_H
#include "store/store.h"
#include "util/status.h"

/* What a transaction body refused with, for the caller after store_run_tx. */
typedef enum { REFUSED_NONE = 0, REFUSED_INVALID, REFUSED_NOT_FOUND, REFUSED_CONFLICT } refused_t;

static inline status_t outcome(store_status_t r, refused_t refused)
{
    switch (refused) {
    case REFUSED_INVALID:
        return STATUS_INVALID;
    case REFUSED_NOT_FOUND:
        return STATUS_NOT_FOUND;
    case REFUSED_CONFLICT:
        return STATUS_CONFLICT;
    default:
        break;
    }
    if (r == STORE_OK) return STATUS_OK;
    if (r == STORE_NOT_FOUND) return STATUS_NOT_FOUND;
    return r == STORE_ERROR ? STATUS_ERROR : STATUS_BUSY;
}

/* A refusal inside a body: rolled back by store_run_tx, told to the caller by *refused. */
static inline store_status_t refuse(refused_t *refused, refused_t why)
{
    *refused = why;
    return STORE_CONFLICT;
}

static inline store_status_t audit(store_t *s, const char *kind, int64_t actor, int64_t account_id,
                                   const char *action, const char *field, const char *old_value,
                                   const char *new_value, const char *ip, int64_t now)
{
    audit_entry_t e = {.actor_kind = kind,
                       .actor_id = actor,
                       .account_id = account_id,
                       .action = action,
                       .field = field,
                       .old_value = old_value ? old_value : "",
                       .new_value = new_value ? new_value : "",
                       .ip = ip ? ip : ""};
    return store_audit(s, &e, now);
}

#endif
