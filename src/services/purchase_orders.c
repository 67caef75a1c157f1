/* The purchase order in force on a date, and where one purchase order stands on a date. */
#include "services/purchase_orders.h"
#include "store/store.h"
#include "services/services_internal.h"

#include <string.h>

po_state_t po_state_on(const po_t *po, const char *date)
{
    if (strcmp(po->end_date, date) < 0) return PO_EXPIRED;
    if (strcmp(po->start_date, date) > 0) return PO_NOT_YET;
    return PO_IN_FORCE;
}

store_status_t pos_in_force(store_t *s, arena_t *a, int64_t first, int64_t last, const char *date,
                            account_texts_t **out, size_t *n)
{
    account_texts_t *rows = NULL;
    size_t n_rows = 0;
    /* The store lists every one in force, by account, the latest start first: the first row of
     * each account is the one that applies. */
    store_status_t st = store_pos_in_force(s, a, first, last, date, &rows, &n_rows);
    *out = rows;
    *n = 0;
    if (st != STORE_OK) return st;
    for (size_t i = 0; i < n_rows; i++)
        if (*n == 0 || rows[*n - 1].account_id != rows[i].account_id) rows[(*n)++] = rows[i];
    return STORE_OK;
}

status_t po_in_force(services_t *svc, arena_t *a, int64_t account_id, const char *date,
                     po_in_force_t *out)
{
    *out = (po_in_force_t){.in_force = false, .number = "", .end_date = ""};
    account_texts_t *rows = NULL;
    size_t n = 0;
    store_status_t st = pos_in_force(svc->store, a, account_id, account_id, date, &rows, &n);
    if (st == STORE_OK && n > 0)
        *out = (po_in_force_t){.in_force = true, .number = rows[0].a, .end_date = rows[0].b};
    return st;
}
