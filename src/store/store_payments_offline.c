/* Money recorded by staff in the database: an account's open invoices, a payment's ledger rows
 * and their sums per invoice, refunds, and the lists of payments by state. */
#include "store_internal.h"

#include <string.h>

store_status_t store_open_invoices(store_t *s, arena_t *a, int64_t account_id, int64_t now,
                                   int limit, invoice_money_t **out, size_t *n)
{
    *n = 0;
    *out = arena_alloc(a, sizeof **out * (size_t)(limit > 0 ? limit : 1));
    /* What payments in progress hold, as store_invoice_money counts it. */
    db_stmt_t *st =
        db_query(s->db,
                 INVOICE_MONEY " WHERE i.account_id = $2 AND i.status IN ('open', 'partially_paid')"
                               " AND i.amount_paid < i.total ORDER BY i.due_date, i.id LIMIT $3",
                 "iii", now, account_id, (int64_t)limit);
    if (!st) return STORE_ERROR;
    db_status_t r;
    while ((r = db_step(st)) == DB_ROW && *n < (size_t)limit) {
        read_money(a, st, &(*out)[(*n)++]);
    }
    db_done(st);
    return r == DB_ROW || r == DB_OK ? STORE_OK : from_db(r);
}

store_status_t store_payment_lock(store_t *s, int64_t payment_id)
{
    db_stmt_t *st = db_query(s->db,
                             DB_SQL_BY_DIALECT(s->db, "SELECT id FROM payments WHERE id = $1",
                                               "SELECT id FROM payments WHERE id = $1 FOR UPDATE"),
                             "i", payment_id);
    store_status_t r = one_row(st);
    if (r == STORE_OK) db_done(st);
    return r;
}

/* Ledger rows as a statement hands them over: the columns of ALLOCATION_COLUMNS. */
#define ALLOCATION_COLUMNS                                                                         \
    "SELECT l.id, COALESCE(l.payment_id, 0), COALESCE(l.refund_id, 0),"                            \
    " COALESCE(l.invoice_id, 0), l.amount, l.created_at, l.kind, l.currency,"                      \
    " COALESCE(i.number, '') FROM payment_allocations l"                                           \
    " LEFT JOIN invoices i ON i.id = l.invoice_id"

static store_status_t allocation_rows(arena_t *a, db_stmt_t *st, allocation_row_t **out, size_t *n)
{
    *n = 0;
    *out = NULL;
    if (!st) return STORE_ERROR;
    size_t cap = 0;
    db_status_t r;
    while ((r = db_step(st)) == DB_ROW) {
        *out = arena_grow(a, *out, *n, &cap, sizeof **out, 8);
        allocation_row_t *l = &(*out)[(*n)++];
        l->id = db_int(st, 0);
        l->payment_id = db_int(st, 1);
        l->refund_id = db_int(st, 2);
        l->invoice_id = db_int(st, 3);
        l->amount = db_int(st, 4);
        l->created_at = db_int(st, 5);
        l->kind = col_str(a, st, 6);
        l->currency = col_str(a, st, 7);
        l->invoice_number = col_str(a, st, 8);
    }
    db_done(st);
    return from_db(r);
}

store_status_t store_payment_allocations(store_t *s, arena_t *a, int64_t payment_id,
                                         allocation_row_t **out, size_t *n)
{
    return allocation_rows(a,
                           db_query(s->db,
                                    ALLOCATION_COLUMNS " WHERE l.payment_id = $1 ORDER BY l.id",
                                    "i", payment_id),
                           out, n);
}

store_status_t store_credit_moves(store_t *s, arena_t *a, int64_t account_id, int limit,
                                  allocation_row_t **out, size_t *n)
{
    /* Credit kept from a payment, credit used on an invoice (its row to the invoice), and
     * credit taken back by a reversal or a refund. */
    return allocation_rows(
        a,
        db_query(s->db,
                 ALLOCATION_COLUMNS
                 " WHERE l.account_id = $1 AND (l.kind = 'credit'"
                 " OR (l.kind = 'credit_applied' AND l.invoice_id IS NOT NULL)"
                 " OR (l.kind IN ('reversal', 'refund') AND l.invoice_id IS NULL))"
                 " ORDER BY l.id DESC LIMIT $2",
                 "ii", account_id, (int64_t)limit),
        out, n);
}

store_status_t store_payment_nets(store_t *s, arena_t *a, int64_t payment_id,
                                  allocation_net_t **out, size_t *n)
{
    *n = 0;
    *out = NULL;
    db_stmt_t *st = db_query(s->db,
                             "SELECT COALESCE(invoice_id, 0), SUM(amount) FROM payment_allocations"
                             " WHERE payment_id = $1 GROUP BY invoice_id"
                             " ORDER BY COALESCE(invoice_id, 0)",
                             "i", payment_id);
    if (!st) return STORE_ERROR;
    size_t cap = 0;
    db_status_t r;
    while ((r = db_step(st)) == DB_ROW) {
        *out = arena_grow(a, *out, *n, &cap, sizeof **out, 8);
        (*out)[*n].invoice_id = db_int(st, 0);
        (*out)[*n].net = db_int(st, 1);
        (*n)++;
    }
    db_done(st);
    return from_db(r);
}

store_status_t store_refund_insert(store_t *s, const refund_t *rf, int64_t now, int64_t *id)
{
    return from_db(db_insert(s->db, id,
                             "INSERT INTO refunds (payment_id, account_id, amount, currency, state,"
                             " reason, refund_ref, created_by, created_at)"
                             " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                             "iiissssii", rf->payment_id, rf->account_id, rf->amount, rf->currency,
                             rf->state, rf->reason, rf->refund_ref ? rf->refund_ref : "",
                             rf->created_by, now));
}

store_status_t store_refund_update(store_t *s, const refund_t *rf)
{
    return must_change(s, db_exec(s->db,
                                  "UPDATE refunds SET state = $1, refund_ref = $2,"
                                  " settled_at = NULLIF($3, 0), next_check_at = NULLIF($4, 0)"
                                  " WHERE id = $5",
                                  "ssiii", rf->state, rf->refund_ref, rf->settled_at,
                                  rf->next_check_at, rf->id));
}

#define REFUND_COLUMNS                                                                             \
    "SELECT r.id, r.payment_id, r.account_id, r.amount, r.created_by, r.created_at,"               \
    " COALESCE(r.settled_at, 0), COALESCE(r.next_check_at, 0), r.currency, r.state, r.reason,"     \
    " r.refund_ref, COALESCE(u.name, '') FROM refunds r"                                           \
    " LEFT JOIN staff_users u ON u.id = r.created_by"

static void read_refund(arena_t *a, db_stmt_t *st, refund_t *rf)
{
    int64_t *ints[] = {&rf->id,         &rf->payment_id, &rf->account_id, &rf->amount,
                       &rf->created_by, &rf->created_at, &rf->settled_at, &rf->next_check_at};
    int c = 0;
    for (; c < (int)(sizeof ints / sizeof ints[0]); c++)
        *ints[c] = db_int(st, c);
    char **texts[] = {&rf->currency, &rf->state, &rf->reason, &rf->refund_ref,
                      &rf->created_by_name};
    for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++, c++)
        *texts[t] = col_str(a, st, c);
}

store_status_t store_refund_by_id(store_t *s, arena_t *a, int64_t id, refund_t *out)
{
    db_stmt_t *st = db_query(s->db, REFUND_COLUMNS " WHERE r.id = $1", "i", id);
    store_status_t r = one_row(st);
    if (r != STORE_OK) return r;
    read_refund(a, st, out);
    db_done(st);
    return STORE_OK;
}

static store_status_t refund_rows(arena_t *a, db_stmt_t *st, refund_t **out, size_t *n)
{
    *n = 0;
    *out = NULL;
    if (!st) return STORE_ERROR;
    size_t cap = 0;
    db_status_t r;
    while ((r = db_step(st)) == DB_ROW) {
        *out = arena_grow(a, *out, *n, &cap, sizeof **out, 4);
        read_refund(a, st, &(*out)[(*n)++]);
    }
    db_done(st);
    return from_db(r);
}

store_status_t store_refunds_of(store_t *s, arena_t *a, int64_t payment_id, refund_t **out,
                                size_t *n)
{
    return refund_rows(
        a,
        db_query(s->db, REFUND_COLUMNS " WHERE r.payment_id = $1 ORDER BY r.id", "i", payment_id),
        out, n);
}

store_status_t store_refunds_of_account(store_t *s, arena_t *a, int64_t account_id, int limit,
                                        refund_t **out, size_t *n)
{
    return refund_rows(a,
                       db_query(s->db,
                                REFUND_COLUMNS " WHERE r.account_id = $1 ORDER BY r.id DESC"
                                               " LIMIT $2",
                                "ii", account_id, (int64_t)limit),
                       out, n);
}

store_status_t store_refunds_to_check(store_t *s, arena_t *a, int64_t now, int limit, int64_t **ids,
                                      size_t *n)
{
    *n = 0;
    *ids = arena_alloc(a, sizeof **ids * (size_t)limit);
    db_stmt_t *st = db_query(s->db,
                             "SELECT id FROM refunds WHERE state = 'unknown'"
                             " AND next_check_at IS NOT NULL AND next_check_at <= $1"
                             " ORDER BY id LIMIT $2",
                             "ii", now, (int64_t)limit);
    if (!st) return STORE_ERROR;
    db_status_t r;
    while ((r = db_step(st)) == DB_ROW)
        (*ids)[(*n)++] = db_int(st, 0);
    db_done(st);
    return from_db(r);
}

store_status_t store_refunds_held(store_t *s, int64_t payment_id, int64_t *sum)
{
    return returning_id(
        db_query(s->db,
                 "SELECT COALESCE(SUM(amount), 0) FROM refunds WHERE payment_id = $1"
                 " AND state IN ('pending', 'succeeded', 'unknown')",
                 "i", payment_id),
        sum);
}

store_status_t store_payments_in_state(store_t *s, arena_t *a, const char *state, int limit,
                                       payment_line_t **out, size_t *n)
{
    *n = 0;
    *out = arena_alloc(a, sizeof **out * (size_t)(limit > 0 ? limit : 1));
    db_stmt_t *st = db_query(
        s->db,
        "SELECT p.id, p.account_id, p.amount, p.created_at, p.checks,"
        " COALESCE(p.next_check_at, 0), a.name, COALESCE(i.number, ''), p.method, p.currency,"
        " p.state, p.decline_code FROM payments p JOIN accounts a ON a.id = p.account_id"
        " LEFT JOIN invoices i ON i.id = p.invoice_id WHERE p.state = $1"
        " ORDER BY p.id DESC LIMIT $2",
        "si", state, (int64_t)limit);
    if (!st) return STORE_ERROR;
    db_status_t r;
    while ((r = db_step(st)) == DB_ROW && *n < (size_t)limit) {
        payment_line_t *p = &(*out)[(*n)++];
        p->id = db_int(st, 0);
        p->account_id = db_int(st, 1);
        p->amount = db_int(st, 2);
        p->created_at = db_int(st, 3);
        p->checks = db_int(st, 4);
        p->next_check_at = db_int(st, 5);
        p->account_name = col_str(a, st, 6);
        p->invoice_number = col_str(a, st, 7);
        p->method = col_str(a, st, 8);
        p->currency = col_str(a, st, 9);
        p->state = col_str(a, st, 10);
        p->decline_code = col_str(a, st, 11);
    }
    db_done(st);
    return r == DB_ROW || r == DB_OK ? STORE_OK : from_db(r);
}
