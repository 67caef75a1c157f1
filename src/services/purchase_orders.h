/* The purchase order in force: one rule for the account page, the list of purchase orders and
 * the bill run (which prints it on the invoice). */
#ifndef COBRO_PURCHASE_ORDERS_H
#define COBRO_PURCHASE_ORDERS_H
#include "services/services.h"
#include "store/rows.h"
#include "util/arena.h"

/* Where a purchase order stands on a date ('YYYY-MM-DD'): both its first and last days are in
 * force. */
typedef enum { PO_NOT_YET = 0, PO_IN_FORCE, PO_EXPIRED } po_state_t;
po_state_t po_state_on(const po_t *po, const char *date);

typedef struct {
    bool in_force;
    const char *number, *end_date; /* with in_force */
} po_in_force_t;

/* The purchase order in force on date of each account with id in [first, last], one row per
 * account that has one (a = number, b = end date), by account id: of several that overlap, the
 * one that started last (then the newest). */
store_status_t pos_in_force(store_t *s, arena_t *a, int64_t first, int64_t last, const char *date,
                            account_texts_t **out, size_t *n);
/* The purchase order in force on date for one account (out->in_force false: none). */
status_t po_in_force(services_t *svc, arena_t *a, int64_t account_id, const char *date,
                     po_in_force_t *out);

#endif
