/* What the pages show of money received (issue 12, "Invoice balance"): an invoice's state as
 * people read it (overdue included), an account's balances and credit, and the payments received
 * on an invoice for its page, print view and PDF. */
#ifndef COBRO_PAYMENT_VIEWS_H
#define COBRO_PAYMENT_VIEWS_H
#include "render/invoice_doc.h"
#include "services/services.h"
#include "util/arena.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* The state shown for an invoice: void; paid (nothing left); overdue (a balance and due before
 * today: a partially paid one too); partially paid; open. */
typedef enum {
    SHOWN_OPEN = 0,
    SHOWN_PARTIALLY_PAID,
    SHOWN_PAID,
    SHOWN_OVERDUE,
    SHOWN_VOID,
    SHOWN_COUNT
} shown_state_t;
/* Their names, as invoices.status spells the stored ones: "open", "partially_paid", "paid",
 * "overdue", "void". */
extern const char *const shown_state_names[SHOWN_COUNT];

/* Inline: the Invoice History page asks it for every row. status is the stored one; due_date
 * and today 'YYYY-MM-DD' (today the vendor's), which compare as the days they name. */
static inline shown_state_t invoice_shown(const char *status, int64_t total, int64_t amount_paid,
                                          const char *due_date, const char *today)
{
    if (status && status[0] == 'v' && strcmp(status, "void") == 0) return SHOWN_VOID;
    if (amount_paid >= total) return SHOWN_PAID;
    bool before = false;
    for (int i = 0; due_date && today && i < 10; i++) {
        if (due_date[i] != today[i]) {
            before = (unsigned char)due_date[i] < (unsigned char)today[i];
            break;
        }
        if (!due_date[i]) break;
    }
    if (before) return SHOWN_OVERDUE;
    return amount_paid > 0 ? SHOWN_PARTIALLY_PAID : SHOWN_OPEN;
}

/* The same by name (one of shown_state_names). */
const char *invoice_shown_state(const char *status, int64_t total, int64_t amount_paid,
                                const char *due_date, const char *today);

/* Today in the vendor's time zone at now, 'YYYY-MM-DD'. The zone is read from the settings at
 * most once a minute per process (the Invoice History page asks on every request). */
void balances_today(services_t *svc, int64_t now, char out[11]);
/* The vendor's day of the instant when, with the time zone as of now. */
void balances_day(services_t *svc, int64_t now, int64_t when, char out[11]);

/* What an account owes in one currency. */
typedef struct {
    const char *currency;
    int64_t outstanding; /* the balances of its invoices that are not void */
    int64_t overdue;     /* the part of it on invoices past their due date */
    int64_t credit;      /* paid beyond invoices and not yet used */
} balance_view_t;

/* The account's balances, one per currency it has invoices or credit in (its own currency
 * first, always present); at now. Runs inside the page's read transaction. */
status_t account_balances(services_t *svc, arena_t *a, int64_t account_id,
                          const char *account_currency, int64_t now, balance_view_t **out,
                          size_t *n);

/* Fills inv->received (the payments applied to it that succeeded or were reversed, oldest
 * first) and inv->shown_state at now. */
status_t invoice_fill_received(services_t *svc, arena_t *a, invoice_doc_t *inv, int64_t now);

#endif
