/* The billing engine's queries: due subscriptions, invoice numbering, invoices and their lines. */
#include "store_internal.h"
#include "billing/money.h"
#include "sql_array.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a batch's rows, gathered on PostgreSQL (store_batch_begin) ------------------------ */

/* One array per column of each multi-row statement, filled row by row. */
enum {
    RENEW_COLS = 6,
    INVOICE_COLS = 30,
    LINE_COLS = 16,
    TAX_COLS = 6,
    EMAIL_COLS = 12,
    AUDIT_COLS = 4
};

struct bill_rows {
    arena_t *a; /* the arrays' memory: a new one per batch */
    bool open;  /* gathering, from store_batch_begin to store_flush */
    size_t n_renew, n_invoices;
    sql_array_t renew[RENEW_COLS], invoice[INVOICE_COLS], line[LINE_COLS], tax[TAX_COLS],
        email[EMAIL_COLS], audit[AUDIT_COLS];
};

static void init_arrays(sql_array_t *arr, int n, arena_t *a)
{
    for (int i = 0; i < n; i++)
        sql_array_init(&arr[i], a);
}

void bill_rows_free(store_t *s)
{
    if (!s->rows) return;
    arena_free(s->rows->a);
    free(s->rows);
    s->rows = NULL;
}

store_status_t store_batch_begin(store_t *s)
{
    bill_rows_free(s);
    if (db_dialect(s->db) != DB_POSTGRESQL) return STORE_OK;
    struct bill_rows *r = calloc(1, sizeof *r);
    if (r) r->a = arena_new();
    if (!r || !r->a) {
        free(r);
        return STORE_ERROR;
    }
    init_arrays(r->renew, RENEW_COLS, r->a);
    init_arrays(r->invoice, INVOICE_COLS, r->a);
    init_arrays(r->line, LINE_COLS, r->a);
    init_arrays(r->tax, TAX_COLS, r->a);
    init_arrays(r->email, EMAIL_COLS, r->a);
    init_arrays(r->audit, AUDIT_COLS, r->a);
    r->open = true;
    s->rows = r;
    return STORE_OK;
}

static bool gathering(store_t *s)
{
    return s->rows && s->rows->open;
}

bool bill_rows_add_email(store_t *s, const email_t *m, int64_t now)
{
    if (!gathering(s)) return false;
    sql_array_t *c = s->rows->email;
    sql_array_add_int(&c[0], now);
    sql_array_add_text(&c[1], m->kind);
    sql_array_add_int(&c[2], m->account_id);
    sql_array_add_text(&c[3], m->sender_ref ? m->sender_ref : "");
    sql_array_add_text(&c[4], m->to_addr);
    sql_array_add_text(&c[5], m->to_name ? m->to_name : "");
    sql_array_add_text(&c[6], m->reply_to ? m->reply_to : "");
    sql_array_add_text(&c[7], m->subject);
    sql_array_add_text(&c[8], m->body_text);
    sql_array_add_int(&c[9], now);
    sql_array_add_int(&c[10], m->invoice_id);
    sql_array_add_int(&c[11], m->quote_id);
    return true;
}

/* The texts of a column's array, in order, as the statement's parameters. */
static const char *col(sql_array_t *arr, int i)
{
    return sql_array_text_of(&arr[i]);
}

/* Sends the gathered rows, deferred like the rest of the batch: the renewals, then the invoices
 * before what refers to them (lines, taxes, emails). The SQLite texts are never run (nothing is
 * gathered there): they stand for the pair's other side, as the portability test wants one. */
static store_status_t send_rows(store_t *s)
{
    struct bill_rows *r = s->rows;
    r->open = false;
    store_status_t st = STORE_OK;
    if (r->n_renew)
        st = from_db(db_exec_deferred_rows(
            s->db, (int64_t)r->n_renew,
            DB_SQL_BY_DIALECT(s->db, "SELECT $1, $2, $3, $4, $5, $6",
                              "UPDATE subscriptions s SET period_start = v.period_start,"
                              " period_end = v.period_end, seats = v.seats,"
                              " unit_amount = v.unit_amount, plan_id = v.plan_id,"
                              " next_seats = NULL, next_unit_amount = NULL, next_plan_id = NULL,"
                              " charged_amount = NULL, charged_from = NULL"
                              " FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[],"
                              " $5::bigint[], $6::bigint[])"
                              " AS v(id, period_start, period_end, seats, unit_amount, plan_id)"
                              " WHERE s.id = v.id AND s.status = 'active'"
                              " AND COALESCE(s.next_seats, s.seats) = v.seats"
                              " AND COALESCE(s.next_unit_amount, s.unit_amount) = v.unit_amount"
                              " AND COALESCE(s.next_plan_id, s.plan_id) = v.plan_id"),
            "ssssss", col(r->renew, 0), col(r->renew, 1), col(r->renew, 2), col(r->renew, 3),
            col(r->renew, 4), col(r->renew, 5)));
    if (st == STORE_OK && r->n_invoices) {
        sql_array_t *c = r->invoice;
        st = from_db(db_exec_deferred(
            s->db, false,
            DB_SQL_BY_DIALECT(
                s->db,
                "SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,"
                " $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30",
                "INSERT INTO invoices (id, account_id, number, series, seq, issue_date, due_date,"
                " currency, lang, status, tax_mode, account_kind, bill_to_name, address_line1,"
                " address_line2, city, region, postal_code, country, phone, contact_name,"
                " contact_email, portal_user_id, po_number, payment_method, subtotal, tax_total,"
                " total, amount_paid, created_at) SELECT * FROM unnest($1::bigint[],"
                " $2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[],"
                " $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[],"
                " $14::text[], $15::text[], $16::text[], $17::text[], $18::text[], $19::text[],"
                " $20::text[], $21::text[], $22::text[], $23::text[], $24::text[], $25::text[],"
                " $26::bigint[], $27::bigint[], $28::bigint[], $29::bigint[], $30::bigint[])"),
            "sssss"
            "ssssssssss"
            "ssssssssss"
            "sssss",
            col(c, 0), col(c, 1), col(c, 2), col(c, 3), col(c, 4), col(c, 5), col(c, 6), col(c, 7),
            col(c, 8), col(c, 9), col(c, 10), col(c, 11), col(c, 12), col(c, 13), col(c, 14),
            col(c, 15), col(c, 16), col(c, 17), col(c, 18), col(c, 19), col(c, 20), col(c, 21),
            col(c, 22), col(c, 23), col(c, 24), col(c, 25), col(c, 26), col(c, 27), col(c, 28),
            col(c, 29)));
    }
    if (st == STORE_OK && r->line[0].n) {
        sql_array_t *c = r->line;
        st = from_db(db_exec_deferred(
            s->db, false,
            DB_SQL_BY_DIALECT(
                s->db,
                "SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16",
                "INSERT INTO invoice_lines (invoice_id, position, subscription_id, product_name,"
                " billing_period, period_start, period_end, seats, unit_amount, net,"
                " tax_rate_ppm, tax, gross, discount, days, term_days) SELECT * FROM"
                " unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[],"
                " $6::text[], $7::text[], $8::bigint[], $9::bigint[], $10::bigint[],"
                " $11::bigint[], $12::bigint[], $13::bigint[], $14::bigint[], $15::bigint[],"
                " $16::bigint[])"),
            "ssssssssssssssss", col(c, 0), col(c, 1), col(c, 2), col(c, 3), col(c, 4), col(c, 5),
            col(c, 6), col(c, 7), col(c, 8), col(c, 9), col(c, 10), col(c, 11), col(c, 12),
            col(c, 13), col(c, 14), col(c, 15)));
    }
    if (st == STORE_OK && r->tax[0].n) {
        sql_array_t *c = r->tax;
        st = from_db(db_exec_deferred(
            s->db, false,
            DB_SQL_BY_DIALECT(s->db, "SELECT $1, $2, $3, $4, $5, $6",
                              "INSERT INTO invoice_taxes (invoice_id, position, name, rate_ppm,"
                              " taxable_base, tax_amount) SELECT * FROM unnest($1::bigint[],"
                              " $2::bigint[], $3::text[], $4::bigint[], $5::bigint[],"
                              " $6::bigint[])"),
            "ssssss", col(c, 0), col(c, 1), col(c, 2), col(c, 3), col(c, 4), col(c, 5)));
    }
    if (st == STORE_OK && r->email[0].n) {
        sql_array_t *c = r->email;
        st = from_db(db_exec_deferred(
            s->db, false,
            DB_SQL_BY_DIALECT(
                s->db, "SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12",
                "INSERT INTO email_outbox (created_at, kind, account_id, sender_ref, to_addr,"
                " to_name, reply_to, subject, body_text, next_attempt_at, invoice_id, quote_id)"
                " SELECT v.created_at, v.kind, NULLIF(v.account_id, 0), v.sender_ref, v.to_addr,"
                " v.to_name, v.reply_to, v.subject, v.body_text, v.next_attempt_at,"
                " NULLIF(v.invoice_id, 0), NULLIF(v.quote_id, 0) FROM unnest($1::bigint[],"
                " $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[],"
                " $8::text[], $9::text[], $10::bigint[], $11::bigint[], $12::bigint[])"
                " AS v(created_at, kind, account_id, sender_ref, to_addr, to_name, reply_to,"
                " subject, body_text, next_attempt_at, invoice_id, quote_id)"),
            "ssssssssssss", col(c, 0), col(c, 1), col(c, 2), col(c, 3), col(c, 4), col(c, 5),
            col(c, 6), col(c, 7), col(c, 8), col(c, 9), col(c, 10), col(c, 11)));
    }
    if (st == STORE_OK && r->audit[0].n) {
        sql_array_t *c = r->audit;
        st = from_db(db_exec_deferred(
            s->db, false,
            DB_SQL_BY_DIALECT(s->db, "SELECT $1, $2, $3, $4",
                              "INSERT INTO audit_log (at, actor_kind, account_id, action, field,"
                              " old_value, new_value) SELECT v.at, 'system', v.account_id,"
                              " 'invoice_issued', 'invoice', v.number, v.total FROM"
                              " unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[])"
                              " AS v(at, account_id, number, total)"),
            "ssss", col(c, 0), col(c, 1), col(c, 2), col(c, 3)));
    }
    bill_rows_free(s);
    return st;
}

store_status_t store_bill_claim(store_t *s, const char *at, int64_t after, int64_t *ids, size_t max,
                                size_t *n)
{
    *n = 0;
    /* On PostgreSQL the batch runs at READ COMMITTED (store_run_tx's STORE_TX_LOCKING) and
     * relies on two locks per account, both held until the batch ends:
     * - a transaction-level advisory lock (key: minus the account's id; the positive keys are
     *   others'), taken only by bill runs, and only tried: an account another run's batch holds
     *   is passed over at once, so that concurrent runs (workers, nodes) take different accounts
     *   side by side instead of queueing behind one another;
     * - the row (FOR NO KEY UPDATE, which the foreign-key checks of rows naming the account do
     *   not wait for), which is waited for: its other holders are short writes (an address
     *   saved in the portal), and passing over them would leave the account unbilled until the
     *   next run.
     * A bill run touches an account's subscriptions only while it holds them, so no two runs
     * bill one account at once, and each statement after the claim (a new snapshot at READ
     * COMMITTED) sees what the account's last holder committed: a period billed meanwhile is no
     * longer due, and the batch leaves it. The lock is tried only for accounts with something
     * due (CASE: the planner may order a WHERE's terms as it likes), so a run over accounts with
     * nothing due holds no locks.
     * Plans: the subscriptions of each account are looked up by index, a few at a time. Before,
     * PostgreSQL's merge join read every due subscription from the first account at each claim
     * (36 ms a claim at the middle of 250,000 subscriptions, growing with the run: a run's time
     * grew as N squared); s.account_id > $2 (what a.id > $1 implies) keeps SQLite's and any
     * join's reading from the claim's start, and OFFSET 0 keeps PostgreSQL from turning the
     * EXISTS inside the CASE into a hash of every due subscription after it (54 ms a claim). */
    db_stmt_t *st =
        db_query(s->db,
                 DB_SQL_BY_DIALECT(
                     s->db,
                     "SELECT a.id FROM accounts a WHERE a.id > $1 AND EXISTS (SELECT 1"
                     " FROM subscriptions s WHERE s.account_id = a.id AND s.account_id > $2"
                     " AND s.status = 'active' AND s.period_end <= $3) ORDER BY a.id LIMIT $4",
                     "SELECT a.id FROM accounts a WHERE a.id > $1 AND CASE WHEN EXISTS (SELECT 1"
                     " FROM subscriptions s WHERE s.account_id = a.id AND s.account_id > $2"
                     " AND s.status = 'active' AND s.period_end <= $3 OFFSET 0)"
                     " THEN pg_try_advisory_xact_lock(-a.id) ELSE false END"
                     " ORDER BY a.id LIMIT $4 FOR NO KEY UPDATE OF a"),
                 "iisi", after, after, at, (int64_t)max);
    if (!st) return STORE_ERROR;
    db_status_t r;
    while ((r = db_step(st)) == DB_ROW)
        if (*n < max) ids[(*n)++] = db_int(st, 0);
    return r == DB_OK ? STORE_OK : from_db(r);
}

store_status_t store_due_subscriptions_between(store_t *s, arena_t *a, int64_t first, int64_t last,
                                               const char *at, due_subscription_t **out, size_t *n)
{
    *n = 0;
    size_t cap = 64;
    *out = arena_alloc(a, cap * sizeof **out);
    db_stmt_t *st = db_query(
        s->db,
        /* Changes made for the next renewal (by a quote or the Billing Center: next_seats,
         * next_unit_amount, next_plan_id) are what it renews with; store_subscription_renew
         * makes them the subscription's own. */
        "SELECT s.id, s.account_id, COALESCE(s.next_seats, s.seats),"
        " COALESCE(s.next_unit_amount, s.unit_amount), s.anchor_day, s.auto_renew,"
        " s.cancel_at_period_end, s.currency, s.period_start, s.period_end, p.billing_period,"
        " pr.name, p.id FROM subscriptions s JOIN plans p"
        " ON p.id = COALESCE(s.next_plan_id, s.plan_id)"
        " JOIN products pr ON pr.id = p.product_id"
        " WHERE s.account_id BETWEEN $1 AND $2 AND s.status = 'active' AND s.period_end <= $3"
        " ORDER BY s.account_id, s.id",
        "iis", first, last, at);
    if (!st) return STORE_ERROR;
    db_status_t r;
    while ((r = db_step(st)) == DB_ROW) {
        if (*n == cap) {
            due_subscription_t *bigger = arena_alloc(a, 2 * cap * sizeof *bigger);
            memcpy(bigger, *out, cap * sizeof *bigger);
            *out = bigger;
            cap *= 2;
        }
        due_subscription_t *d = &(*out)[(*n)++];
        d->id = db_int(st, 0);
        d->account_id = db_int(st, 1);
        d->seats = db_int(st, 2);
        d->unit_amount = db_int(st, 3);
        d->anchor_day = (int)db_int(st, 4);
        d->auto_renew = db_int(st, 5) != 0;
        d->cancel_at_period_end = db_int(st, 6) != 0;
        d->currency = col_str(a, st, 7);
        d->period_start = col_str(a, st, 8);
        d->period_end = col_str(a, st, 9);
        d->billing_period = col_str(a, st, 10);
        d->product_name = col_str(a, st, 11);
        d->plan_id = db_int(st, 12);
    }
    return r == DB_OK ? STORE_OK : from_db(r);
}

store_status_t store_subscription_renew(store_t *s, int64_t id, const char *period_start,
                                        const char *period_end, int64_t seats, int64_t unit_amount,
                                        int64_t plan_id)
{
    /* The seats and price billed become the subscription's (a quote's change for the next
     * renewal is used up), and only while they are still what the subscription renews with: a
     * quote accepted since the batch read it (possible at READ COMMITTED, where this WHERE is
     * checked again on the row as it is now) matches nothing, and the batch runs again. */
    if (gathering(s)) {
        sql_array_add_int(&s->rows->renew[0], id);
        sql_array_add_text(&s->rows->renew[1], period_start);
        sql_array_add_text(&s->rows->renew[2], period_end);
        sql_array_add_int(&s->rows->renew[3], seats);
        sql_array_add_int(&s->rows->renew[4], unit_amount);
        sql_array_add_int(&s->rows->renew[5], plan_id);
        s->rows->n_renew++;
        return STORE_OK;
    }
    return from_db(db_exec_deferred(
        s->db, true,
        "UPDATE subscriptions SET period_start = $1, period_end = $2, seats = $3,"
        " unit_amount = $4, plan_id = $5, next_seats = NULL, next_unit_amount = NULL,"
        " next_plan_id = NULL, charged_amount = NULL, charged_from = NULL WHERE id = $6"
        " AND status = 'active' AND COALESCE(next_seats, seats) = $7"
        " AND COALESCE(next_unit_amount, unit_amount) = $8 AND COALESCE(next_plan_id, plan_id) = "
        "$9",
        "ssiiiiiii", period_start, period_end, seats, unit_amount, plan_id, id, seats, unit_amount,
        plan_id));
}

store_status_t store_subscription_end(store_t *s, int64_t id, const char *status)
{
    return from_db(db_exec_deferred(s->db, true,
                                    "UPDATE subscriptions SET status = $1 WHERE id = $2"
                                    " AND status = 'active'",
                                    "si", status, id));
}

/* An account's invoice header as of now: Bill To, language, kind, and the billing contact (the
 * corporate portal credential, else the online account's billing administrator, whose login is
 * their email). One SELECT and one row reader for the bill run's batches and for a single
 * account (a quote's invoice). */
#define PARTY_SELECT                                                                               \
    "SELECT a.id, a.kind, a.lang, a.currency, a.bill_to_name, a.address_line1,"                    \
    " a.address_line2, a.city, a.region, a.postal_code, a.country, a.phone,"                       \
    " COALESCE(c.contact_name, u.name, ''), COALESCE(c.contact_email, u.email, ''),"               \
    " COALESCE(c.user_id, u.email, ''), a.payment_method"                                          \
    " FROM accounts a LEFT JOIN portal_credentials c ON c.account_id = a.id"                       \
    " LEFT JOIN account_users u ON u.id = (SELECT MIN(id) FROM account_users"                      \
    "   WHERE account_id = a.id AND role = 'billing_admin') "

static void read_party(arena_t *a, db_stmt_t *st, invoice_doc_t *d)
{
    memset(d, 0, sizeof *d);
    d->account_id = db_int(st, 0);
    char **text[] = {&d->account_kind,  &d->lang,           &d->currency,      &d->bill_to_name,
                     &d->address_line1, &d->address_line2,  &d->city,          &d->region,
                     &d->postal_code,   &d->country,        &d->phone,         &d->contact_name,
                     &d->contact_email, &d->portal_user_id, &d->payment_method};
    for (int i = 0; i < (int)(sizeof text / sizeof text[0]); i++)
        *text[i] = col_str(a, st, 1 + i);
}

store_status_t store_invoice_parties_between(store_t *s, arena_t *a, int64_t first, int64_t last,
                                             const char *at, invoice_doc_t **out, size_t *n)
{
    /* Only the accounts with something due. */
    *n = 0;
    size_t cap = 64;
    *out = arena_alloc(a, cap * sizeof **out);
    db_stmt_t *st =
        db_query(s->db,
                 PARTY_SELECT "WHERE a.id BETWEEN $1 AND $2 AND EXISTS (SELECT 1 FROM"
                              " subscriptions s WHERE s.account_id = a.id AND s.status = 'active'"
                              " AND s.period_end <= $3) ORDER BY a.id",
                 "iis", first, last, at);
    if (!st) return STORE_ERROR;
    db_status_t r;
    while ((r = db_step(st)) == DB_ROW) {
        if (*n == cap) {
            invoice_doc_t *bigger = arena_alloc(a, 2 * cap * sizeof *bigger);
            memcpy(bigger, *out, cap * sizeof *bigger);
            *out = bigger;
            cap *= 2;
        }
        read_party(a, st, &(*out)[(*n)++]);
    }
    return r == DB_OK ? STORE_OK : from_db(r);
}

store_status_t store_invoice_party(store_t *s, arena_t *a, int64_t account_id, invoice_doc_t *out)
{
    memset(out, 0, sizeof *out);
    db_stmt_t *st = db_query(s->db, PARTY_SELECT "WHERE a.id = $1", "i", account_id);
    store_status_t r = one_row(st);
    if (r != STORE_OK) return r;
    read_party(a, st, out);
    db_done(st);
    return STORE_OK;
}

store_status_t store_invoice_ids_reserve(store_t *s, size_t n, int64_t *ids)
{
    memset(ids, 0, n * sizeof *ids);
    if (db_dialect(s->db) != DB_POSTGRESQL) return STORE_OK; /* the insert assigns each id */
    /* One round trip for the batch's ids, so that its inserts need not wait for theirs. */
    db_stmt_t *st = db_query(s->db,
                             DB_SQL_BY_DIALECT(s->db, "SELECT 0 FROM invoice_series WHERE 0 > $1",
                                               "SELECT nextval(pg_get_serial_sequence('invoices',"
                                               " 'id')) FROM generate_series(1, $1)"),
                             "i", (int64_t)n);
    if (!st) return STORE_ERROR;
    size_t got = 0;
    db_status_t r;
    while ((r = db_step(st)) == DB_ROW)
        if (got < n) ids[got++] = db_int(st, 0);
    return r == DB_OK ? STORE_OK : from_db(r);
}

store_status_t store_flush(store_t *s)
{
    store_status_t r = gathering(s) ? send_rows(s) : STORE_OK;
    if (r != STORE_OK) {
        db_flush(s->db); /* the transaction fails: what was queued goes with it */
        return r;
    }
    return from_db(db_flush(s->db));
}

store_status_t store_invoice_seq_last(store_t *s, const char *series, int64_t *last)
{
    *last = 0;
    store_status_t r = returning_id(
        db_query(s->db, "SELECT last_number FROM invoice_series WHERE series = $1", "s", series),
        last);
    return r == STORE_NOT_FOUND ? STORE_OK : r;
}

/* On PostgreSQL the batch is at READ COMMITTED: the counter's row lock (FOR UPDATE) is what
 * makes batches take turns at the numbers, from this call to their commit, and the row is read
 * as the last holder committed it (a row locked after a wait is read again as it is now). A
 * series' first batch makes the row first, so that there is a row to lock: a concurrent batch's
 * insert of it waits for the first one's commit, then does nothing, and its lock waits too.
 * Everything before this call (claiming, reading, renewing subscriptions) runs in parallel.
 * SQLite's writer holds the one write lock already. */
store_status_t store_invoice_seq_take(store_t *s, const char *series, int64_t *last)
{
    *last = 0;
    if (db_dialect(s->db) != DB_POSTGRESQL) return store_invoice_seq_last(s, series, last);
    store_status_t r = from_db(db_exec(s->db,
                                       DB_SQL_BY_DIALECT(s->db, "SELECT $1",
                                                         "INSERT INTO invoice_series (series,"
                                                         " last_number) VALUES ($1, 0)"
                                                         " ON CONFLICT (series) DO NOTHING"),
                                       "s", series));
    if (r != STORE_OK) return r;
    return returning_id(db_query(s->db,
                                 DB_SQL_BY_DIALECT(s->db, "SELECT $1",
                                                   "SELECT last_number FROM invoice_series"
                                                   " WHERE series = $1 FOR UPDATE"),
                                 "s", series),
                        last);
}

store_status_t store_invoice_seq_next(store_t *s, const char *series, int64_t *seq)
{
    /* One statement bumps the counter or starts the series. On PostgreSQL it waits for a bill
     * run's batch holding the row; the caller's serializable transaction then fails on the
     * concurrent update (DB_BUSY) and runs again from a snapshot that has the batch's numbers. */
    return returning_id(db_query(s->db,
                                 "INSERT INTO invoice_series (series, last_number) VALUES ($1, 1)"
                                 " ON CONFLICT (series) DO UPDATE SET last_number ="
                                 " invoice_series.last_number + 1 RETURNING last_number",
                                 "s", series),
                        seq);
}

store_status_t store_invoice_seq_set(store_t *s, const char *series, int64_t last)
{
    return from_db(
        db_exec_deferred(s->db, false,
                         "INSERT INTO invoice_series (series, last_number) VALUES ($1, $2)"
                         " ON CONFLICT (series) DO UPDATE SET last_number = excluded.last_number",
                         "si", series, last));
}

/* Reads (account_id, text, text) rows into a growing array. */
static store_status_t read_account_texts(db_stmt_t *st, arena_t *a, account_texts_t **out,
                                         size_t *n)
{
    *n = 0;
    *out = NULL;
    if (!st) return STORE_ERROR;
    size_t cap = 0;
    db_status_t r;
    while ((r = db_step(st)) == DB_ROW) {
        *out = arena_grow(a, *out, *n, &cap, sizeof **out, 64);
        account_texts_t *row = &(*out)[(*n)++];
        row->account_id = db_int(st, 0);
        row->a = col_str(a, st, 1);
        row->b = col_str(a, st, 2);
    }
    return r == DB_OK ? STORE_OK : from_db(r);
}

store_status_t store_pos_in_force(store_t *s, arena_t *a, int64_t first, int64_t last,
                                  const char *date, account_texts_t **out, size_t *n)
{
    return read_account_texts(
        db_query(
            s->db,
            "SELECT account_id, number, end_date FROM purchase_orders WHERE account_id BETWEEN $1"
            " AND $2 AND start_date <= $3 AND end_date >= $4"
            " ORDER BY account_id, start_date DESC, id DESC",
            "iiss", first, last, date, date),
        a, out, n);
}

store_status_t store_recipients_between(store_t *s, arena_t *a, int64_t first, int64_t last,
                                        account_texts_t **out, size_t *n)
{
    return read_account_texts(
        db_query(s->db,
                 "SELECT account_id, name, email FROM invoice_recipients"
                 " WHERE account_id BETWEEN $1 AND $2 ORDER BY account_id, id",
                 "ii", first, last),
        a, out, n);
}

static store_status_t insert_line(store_t *s, int64_t invoice_id, int position,
                                  int64_t subscription_id, const invoice_line_t *l)
{
    return from_db(db_exec_deferred(
        s->db, false,
        "INSERT INTO invoice_lines (invoice_id, position, subscription_id, product_name,"
        " billing_period, period_start, period_end, seats, unit_amount, net, tax_rate_ppm, tax,"
        " gross, discount, days, term_days, kind, from_seats, from_period, credit) VALUES ($1,"
        " $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)",
        "iiissssiiiiiiiiisisi", invoice_id, (int64_t)position, subscription_id, l->product_name,
        l->billing_period, l->period_start, l->period_end, l->seats, l->unit_amount, l->net,
        l->tax_rate_ppm, l->tax, l->gross, l->discount, l->days, l->term_days,
        l->is_change ? "change" : "period", l->from_seats, l->from_period ? l->from_period : "",
        l->credit));
}

/* An invoice's total as the audit log keeps amounts: "1234.56 USD". */
static void invoice_total_text(const invoice_doc_t *inv, char out[MONEY_TEXT_MAX + 8])
{
    char amount[MONEY_TEXT_MAX];
    money_decimal(inv->total, currency_exponent(inv->currency), amount);
    snprintf(out, MONEY_TEXT_MAX + 8, "%s %.3s", amount, inv->currency);
}

/* Every invoice issued is in its account's audit log, so that staff can tell when it was made
 * (the bill run's, a quote's, a subscription change's alike). */
static store_status_t audit_invoice_issued(store_t *s, const invoice_doc_t *inv, int64_t now)
{
    char total[MONEY_TEXT_MAX + 8];
    invoice_total_text(inv, total);
    return from_db(db_exec_deferred(s->db, false,
                                    "INSERT INTO audit_log (at, actor_kind, account_id, action,"
                                    " field, old_value, new_value) VALUES ($1, 'system', $2,"
                                    " 'invoice_issued', 'invoice', $3, $4)",
                                    "iiss", now, inv->account_id, inv->number, total));
}

/* The invoice's row, its lines' and its taxes', added to the batch's arrays. */
static void gather_invoice(struct bill_rows *r, const invoice_doc_t *inv, const char *series,
                           int64_t seq, const int64_t *subscription_ids, int64_t now)
{
    sql_array_t *c = r->invoice;
    sql_array_add_int(&c[0], inv->id);
    sql_array_add_int(&c[1], inv->account_id);
    sql_array_add_text(&c[2], inv->number);
    sql_array_add_text(&c[3], series);
    sql_array_add_int(&c[4], seq);
    const char *texts[] = {
        inv->issue_date,    inv->due_date,       inv->currency,     inv->lang,
        inv->status,        inv->tax_mode,       inv->account_kind, inv->bill_to_name,
        inv->address_line1, inv->address_line2,  inv->city,         inv->region,
        inv->postal_code,   inv->country,        inv->phone,        inv->contact_name,
        inv->contact_email, inv->portal_user_id, inv->po_number,    inv->payment_method};
    for (int i = 0; i < 20; i++)
        sql_array_add_text(&c[5 + i], texts[i]);
    sql_array_add_int(&c[25], inv->subtotal);
    sql_array_add_int(&c[26], inv->tax_total);
    sql_array_add_int(&c[27], inv->total);
    sql_array_add_int(&c[28], inv->amount_paid);
    sql_array_add_int(&c[29], now);
    r->n_invoices++;
    char total[MONEY_TEXT_MAX + 8];
    invoice_total_text(inv, total);
    c = r->audit;
    sql_array_add_int(&c[0], now);
    sql_array_add_int(&c[1], inv->account_id);
    sql_array_add_text(&c[2], inv->number);
    sql_array_add_text(&c[3], total);
    for (size_t i = 0; i < inv->n_lines; i++) {
        const invoice_line_t *l = &inv->lines[i];
        c = r->line;
        sql_array_add_int(&c[0], inv->id);
        sql_array_add_int(&c[1], (int64_t)i + 1);
        sql_array_add_int(&c[2], subscription_ids[i]);
        sql_array_add_text(&c[3], l->product_name);
        sql_array_add_text(&c[4], l->billing_period);
        sql_array_add_text(&c[5], l->period_start);
        sql_array_add_text(&c[6], l->period_end);
        int64_t nums[] = {l->seats, l->unit_amount, l->net,  l->tax_rate_ppm, l->tax,
                          l->gross, l->discount,    l->days, l->term_days};
        for (int k = 0; k < 9; k++)
            sql_array_add_int(&c[7 + k], nums[k]);
    }
    for (size_t i = 0; i < inv->n_taxes; i++) {
        const invoice_tax_t *t = &inv->taxes[i];
        c = r->tax;
        sql_array_add_int(&c[0], inv->id);
        sql_array_add_int(&c[1], (int64_t)i + 1);
        sql_array_add_text(&c[2], t->name);
        sql_array_add_int(&c[3], t->rate_ppm);
        sql_array_add_int(&c[4], t->base);
        sql_array_add_int(&c[5], t->tax);
    }
}

store_status_t store_invoice_insert(store_t *s, const invoice_doc_t *inv, const char *series,
                                    int64_t seq, const int64_t *subscription_ids, int64_t now,
                                    int64_t *id)
{
    store_status_t r;
    if (inv->id > 0 && gathering(s)) {
        *id = inv->id;
        gather_invoice(s->rows, inv, series, seq, subscription_ids, now);
        return STORE_OK;
    }
    if (inv->id > 0) {
        /* An id reserved beforehand (store_invoice_ids_reserve): nothing to wait for. */
        *id = inv->id;
        r = from_db(db_exec_deferred(
            s->db, false,
            "INSERT INTO invoices (id, account_id, number, series, seq, issue_date, due_date,"
            " currency, lang, status, tax_mode, account_kind, bill_to_name, address_line1,"
            " address_line2, city, region, postal_code, country, phone, contact_name,"
            " contact_email, portal_user_id, po_number, payment_method, subtotal, tax_total,"
            " total, amount_paid, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,"
            " $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26,"
            " $27, $28, $29, $30)",
            "iissi"
            "ssssssssss"
            "ssssssssss"
            "iiiii",
            inv->id, inv->account_id, inv->number, series, seq, inv->issue_date, inv->due_date,
            inv->currency, inv->lang, inv->status, inv->tax_mode, inv->account_kind,
            inv->bill_to_name, inv->address_line1, inv->address_line2, inv->city, inv->region,
            inv->postal_code, inv->country, inv->phone, inv->contact_name, inv->contact_email,
            inv->portal_user_id, inv->po_number, inv->payment_method, inv->subtotal, inv->tax_total,
            inv->total, inv->amount_paid, now));
    } else {
        r = from_db(db_insert(
            s->db, id,
            "INSERT INTO invoices (account_id, number, series, seq, issue_date, due_date,"
            " currency, lang, status, tax_mode, account_kind, bill_to_name, address_line1,"
            " address_line2, city, region, postal_code, country, phone, contact_name,"
            " contact_email, portal_user_id, po_number, payment_method, subtotal, tax_total,"
            " total, amount_paid, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,"
            " $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24,"
            " $25, $26, $27, $28, $29)",
            "issi"
            "ssssssssss"
            "ssssssssss"
            "iiiii",
            inv->account_id, inv->number, series, seq, inv->issue_date, inv->due_date,
            inv->currency, inv->lang, inv->status, inv->tax_mode, inv->account_kind,
            inv->bill_to_name, inv->address_line1, inv->address_line2, inv->city, inv->region,
            inv->postal_code, inv->country, inv->phone, inv->contact_name, inv->contact_email,
            inv->portal_user_id, inv->po_number, inv->payment_method, inv->subtotal, inv->tax_total,
            inv->total, inv->amount_paid, now));
    }
    for (size_t i = 0; r == STORE_OK && i < inv->n_lines; i++)
        r = insert_line(s, *id, (int)i + 1, subscription_ids[i], &inv->lines[i]);
    for (size_t i = 0; r == STORE_OK && i < inv->n_taxes; i++) {
        const invoice_tax_t *t = &inv->taxes[i];
        r = from_db(
            db_exec_deferred(s->db, false,
                             "INSERT INTO invoice_taxes (invoice_id, position, name, rate_ppm,"
                             " taxable_base, tax_amount) VALUES ($1, $2, $3, $4, $5, $6)",
                             "iisiii", *id, (int64_t)i + 1, t->name, t->rate_ppm, t->base, t->tax));
    }
    if (r == STORE_OK) r = audit_invoice_issued(s, inv, now);
    return r;
}

#define INVOICE_COLUMNS                                                                            \
    "SELECT id, account_id, number, issue_date, due_date, currency, lang, status, tax_mode,"       \
    " account_kind, bill_to_name, address_line1, address_line2, city, region, postal_code,"        \
    " country, phone, contact_name, contact_email, portal_user_id, po_number, payment_method,"     \
    " subtotal, tax_total, total, amount_paid FROM invoices "

static store_status_t read_lines(store_t *s, arena_t *a, invoice_doc_t *out)
{
    db_stmt_t *st = db_query(s->db,
                             "SELECT product_name, billing_period, period_start, period_end, seats,"
                             " unit_amount, net, tax_rate_ppm, tax, gross, discount, days,"
                             " term_days, kind, from_seats, from_period, credit FROM invoice_lines"
                             " WHERE invoice_id = $1 ORDER BY position",
                             "i", out->id);
    if (!st) return STORE_ERROR;
    size_t cap = 0;
    out->n_lines = 0;
    out->lines = NULL;
    db_status_t r;
    while ((r = db_step(st)) == DB_ROW) {
        out->lines = arena_grow(a, out->lines, out->n_lines, &cap, sizeof *out->lines, 8);
        invoice_line_t *l = &out->lines[out->n_lines++];
        l->product_name = col_str(a, st, 0);
        l->billing_period = col_str(a, st, 1);
        l->period_start = col_str(a, st, 2);
        l->period_end = col_str(a, st, 3);
        l->seats = db_int(st, 4);
        l->unit_amount = db_int(st, 5);
        l->net = db_int(st, 6);
        l->tax_rate_ppm = db_int(st, 7);
        l->tax = db_int(st, 8);
        l->gross = db_int(st, 9);
        l->discount = db_int(st, 10);
        l->days = db_int(st, 11);
        l->term_days = db_int(st, 12);
        l->is_change = strcmp(db_text(st, 13), "change") == 0;
        l->from_seats = db_int(st, 14);
        l->from_period = col_str(a, st, 15);
        l->credit = db_int(st, 16);
    }
    return r == DB_OK ? STORE_OK : from_db(r);
}

static store_status_t read_taxes(store_t *s, arena_t *a, invoice_doc_t *out)
{
    db_stmt_t *st = db_query(s->db,
                             "SELECT name, rate_ppm, taxable_base, tax_amount FROM invoice_taxes"
                             " WHERE invoice_id = $1 ORDER BY position",
                             "i", out->id);
    if (!st) return STORE_ERROR;
    size_t cap = 0;
    out->n_taxes = 0;
    out->taxes = NULL;
    db_status_t r;
    while ((r = db_step(st)) == DB_ROW) {
        out->taxes = arena_grow(a, out->taxes, out->n_taxes, &cap, sizeof *out->taxes, 2);
        invoice_tax_t *t = &out->taxes[out->n_taxes++];
        t->name = col_str(a, st, 0);
        t->rate_ppm = db_int(st, 1);
        t->base = db_int(st, 2);
        t->tax = db_int(st, 3);
    }
    return r == DB_OK ? STORE_OK : from_db(r);
}

static store_status_t read_invoice(store_t *s, arena_t *a, db_stmt_t *st, invoice_doc_t *out)
{
    store_status_t r = one_row(st);
    if (r != STORE_OK) return r;
    memset(out, 0, sizeof *out);
    out->id = db_int(st, 0);
    out->account_id = db_int(st, 1);
    char **text[] = {&out->number,         &out->issue_date,    &out->due_date,
                     &out->currency,       &out->lang,          &out->status,
                     &out->tax_mode,       &out->account_kind,  &out->bill_to_name,
                     &out->address_line1,  &out->address_line2, &out->city,
                     &out->region,         &out->postal_code,   &out->country,
                     &out->phone,          &out->contact_name,  &out->contact_email,
                     &out->portal_user_id, &out->po_number,     &out->payment_method};
    for (int i = 0; i < (int)(sizeof text / sizeof text[0]); i++)
        *text[i] = col_str(a, st, 2 + i);
    out->subtotal = db_int(st, 23);
    out->tax_total = db_int(st, 24);
    out->total = db_int(st, 25);
    out->amount_paid = db_int(st, 26);
    db_done(st);
    r = read_lines(s, a, out);
    return r == STORE_OK ? read_taxes(s, a, out) : r;
}

store_status_t store_invoice_by_number(store_t *s, arena_t *a, const char *number,
                                       invoice_doc_t *out)
{
    return read_invoice(s, a, db_query(s->db, INVOICE_COLUMNS "WHERE number = $1", "s", number),
                        out);
}

store_status_t store_invoice_by_id(store_t *s, arena_t *a, int64_t id, invoice_doc_t *out)
{
    return read_invoice(s, a, db_query(s->db, INVOICE_COLUMNS "WHERE id = $1", "i", id), out);
}

store_status_t store_invoices_recent_each(store_t *s, int64_t account_id, int limit,
                                          invoice_summary_fn fn, void *ctx)
{
    /* Only what the table shows (the order by id comes from the index, not from a column). */
    db_stmt_t *st = db_query(s->db,
                             "SELECT number, issue_date, due_date, currency, status, total,"
                             " amount_paid FROM invoices WHERE account_id = $1"
                             " ORDER BY issue_date DESC, id DESC LIMIT $2",
                             "ii", account_id, (int64_t)limit);
    if (!st) return STORE_ERROR;
    db_status_t r;
    int n = 0;
    while ((r = db_step(st)) == DB_ROW && n < limit) {
        n++;
        const char *number = db_text(st, 0), *issue = db_text(st, 1), *due = db_text(st, 2),
                   *currency = db_text(st, 3), *status = db_text(st, 4);
        invoice_summary_ref_t v = {db_int(st, 5),       db_int(st, 6),  number ? number : "",
                                   issue ? issue : "",  due ? due : "", currency ? currency : "",
                                   status ? status : ""};
        if (!fn(ctx, &v)) break;
    }
    if (r == DB_ROW) db_done(st);
    return r == DB_OK || r == DB_ROW ? STORE_OK : from_db(r);
}

/* store_invoices_recent's rows, copied: the statement's memory is gone at the next step. */
typedef struct {
    arena_t *a;
    invoice_summary_t *rows;
    size_t n;
} recent_copy_t;

static bool copy_recent(void *ctx, const invoice_summary_ref_t *v)
{
    recent_copy_t *c = ctx;
    invoice_summary_t *out = &c->rows[c->n++];
    /* The five texts in one allocation. */
    const char *t[5] = {v->number, v->issue_date, v->due_date, v->currency, v->status};
    size_t len[5], total = 0;
    for (int i = 0; i < 5; i++)
        total += (len[i] = strlen(t[i])) + 1;
    char *p = arena_alloc_raw(c->a, total);
    char **dst[5] = {&out->number, &out->issue_date, &out->due_date, &out->currency, &out->status};
    for (int i = 0; i < 5; i++) {
        *dst[i] = p;
        memcpy(p, t[i], len[i] + 1);
        p += len[i] + 1;
    }
    out->total = v->total;
    out->amount_paid = v->amount_paid;
    return true;
}

store_status_t store_invoices_recent(store_t *s, arena_t *a, int64_t account_id, int limit,
                                     invoice_summary_t **out, size_t *n)
{
    recent_copy_t c = {a, arena_alloc(a, (size_t)(limit > 0 ? limit : 1) * sizeof **out), 0};
    store_status_t st = store_invoices_recent_each(s, account_id, limit, copy_recent, &c);
    *out = c.rows;
    *n = c.n;
    return st;
}
