/* Reads for the balance views (services/payment_views.c): an account's balances per currency and
 * what the ledger applied to one invoice, payment by payment. */
#include "store_internal.h"

#include <string.h>

store_status_t store_account_balances(store_t *s, arena_t *a, int64_t account_id, const char *today,
                                      account_balance_t **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    /* Void invoices owe nothing; overdue is what is still owed on invoices due before today. */
    db_stmt_t *st = db_query(s->db,
                             "SELECT currency, COALESCE(SUM(total - amount_paid), 0),"
                             " COALESCE(SUM(CASE WHEN due_date < $1 AND total > amount_paid"
                             " THEN total - amount_paid ELSE 0 END), 0) FROM invoices"
                             " WHERE account_id = $2 AND status <> 'void'"
                             " GROUP BY currency ORDER BY currency",
                             "si", today, account_id);
    if (!st) return STORE_ERROR;
    size_t cap = 4;
    account_balance_t *rows = arena_alloc(a, sizeof *rows * cap);
    db_status_t r;
    while ((r = db_step(st)) == DB_ROW) {
        if (*n == cap) {
            account_balance_t *more = arena_alloc(a, sizeof *rows * cap * 2);
            memcpy(more, rows, sizeof *rows * cap);
            rows = more;
            cap *= 2;
        }
        account_balance_t *b = &rows[(*n)++];
        memset(b, 0, sizeof *b);
        b->currency = col_str(a, st, 0);
        b->outstanding = db_int(st, 1);
        b->overdue = db_int(st, 2);
    }
    db_done(st);
    *out = rows;
    return r == DB_OK ? STORE_OK : from_db(r);
}

store_status_t store_invoice_applied(store_t *s, arena_t *a, int64_t invoice_id,
                                     invoice_applied_t **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    /* What each payment put on the invoice (its reversal and refunds are separate negative
     * rows: the payment's state tells them); credit used on it has no payment (payment_id 0). */
    db_stmt_t *st = db_query(s->db,
                             "SELECT COALESCE(payment_id, 0), COALESCE(SUM(amount), 0),"
                             " MIN(created_at) FROM payment_allocations"
                             " WHERE invoice_id = $1 AND kind IN ('payment', 'credit_applied')"
                             " GROUP BY COALESCE(payment_id, 0) ORDER BY COALESCE(payment_id, 0)",
                             "i", invoice_id);
    if (!st) return STORE_ERROR;
    size_t cap = 8;
    invoice_applied_t *rows = arena_alloc(a, sizeof *rows * cap);
    db_status_t r;
    while ((r = db_step(st)) == DB_ROW) {
        if (*n == cap) {
            invoice_applied_t *more = arena_alloc(a, sizeof *rows * cap * 2);
            memcpy(more, rows, sizeof *rows * cap);
            rows = more;
            cap *= 2;
        }
        invoice_applied_t *v = &rows[(*n)++];
        v->payment_id = db_int(st, 0);
        v->amount = db_int(st, 1);
        v->created_at = db_int(st, 2);
    }
    db_done(st);
    *out = rows;
    return r == DB_OK ? STORE_OK : from_db(r);
}
