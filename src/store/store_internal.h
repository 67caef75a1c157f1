/* What the store's source files share and nothing else sees: the connection and row helpers.
 * The queries in store*.c are written once, in SQL that SQLite and PostgreSQL both run (db.h). */
#ifndef COBRO_STORE_INTERNAL_H
#define COBRO_STORE_INTERNAL_H
#include "db.h"
#include "store.h"

struct store {
    db_t *db;
    struct bill_rows *rows; /* the bill run's gathered rows (store_billing.c), NULL before */
};

/* store_billing.c: while a bill-run batch gathers its rows (store_batch_begin), an email of the
 * batch is added to them and STORE_OK returned; false when no batch gathers. */
bool bill_rows_add_email(store_t *s, const email_t *m, int64_t now);
void bill_rows_free(store_t *s);

store_status_t from_db(db_status_t s);
/* Copies column col as a string into the arena ("" for NULL). */
char *col_str(arena_t *a, db_stmt_t *st, int col);
/* Steps a query that returns at most one row: STORE_OK with the row ready (the caller reads it,
 * then calls db_done), STORE_NOT_FOUND, or a failure. */
store_status_t one_row(db_stmt_t *st);
/* Runs a query whose one row starts with an integer (an id, a count) and stores it. */
store_status_t returning_id(db_stmt_t *st, int64_t *id);
/* Reads the integer first column of a query's rows (at most limit) into an arena array. */
store_status_t read_id_rows(db_stmt_t *st, arena_t *a, int limit, int64_t **ids, size_t *n);
/* An UPDATE or DELETE that must touch a row: STORE_NOT_FOUND when it changed nothing. */
store_status_t must_change(store_t *s, db_status_t r);

/* store_catalog.c: a new account or portal credential; STORE_NOT_FOUND when its name or User ID
 * is taken (ON CONFLICT DO NOTHING): the console refuses, the demo reuses the existing row. */
store_status_t account_insert(store_t *s, const account_t *acc, int64_t now, int64_t *id);
store_status_t credential_insert(store_t *s, const credential_t *c, int64_t now, int64_t *id);

/* store_payments.c: an invoice with what it owes and what payments in progress hold ($1: now),
 * read by read_money; the statement goes on with its WHERE clause. */
/* Payments in progress hold their amount: a page still open (pending, before reserved_until),
 * a payment being processed, and one whose outcome nobody knows yet. */
#define RESERVED_SUM                                                                               \
    "(SELECT COALESCE(SUM(p.amount), 0) FROM payments p WHERE p.invoice_id = i.id AND"             \
    " (p.state IN ('processing', 'unknown') OR (p.state = 'pending' AND p.reserved_until > $1)))"
#define INVOICE_MONEY                                                                              \
    "SELECT i.id, i.account_id, i.total, i.amount_paid, " RESERVED_SUM ", i.number, i.currency,"   \
    " i.due_date, i.status, i.lang FROM invoices i"
void read_money(arena_t *a, db_stmt_t *st, invoice_money_t *m);

#endif
