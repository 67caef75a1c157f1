/* Quotes in the database: numbering, drafts and their lines, state changes that must find the
 * state they expect, and what acceptance changes on the account's subscriptions. */
#include "store_internal.h"

#include <string.h>

store_status_t store_quote_seq_next(store_t *s, const char *series, int64_t *seq)
{
    /* One statement bumps or starts the series: two writers take turns on its row (SQLite's one
     * writer; PostgreSQL's row lock, and a serialization failure retried by store_run_tx). */
    return returning_id(db_query(s->db,
                                 "INSERT INTO quote_series (series, last_number) VALUES ($1, 1)"
                                 " ON CONFLICT (series) DO UPDATE SET last_number ="
                                 " quote_series.last_number + 1 RETURNING last_number",
                                 "s", series),
                        seq);
}

store_status_t store_quote_insert(store_t *s, const quote_t *q, int64_t now, int64_t *id)
{
    return from_db(db_insert(
        s->db, id,
        "INSERT INTO quotes (account_id, series, seq, revision, number, base_number, revises_id,"
        " state, sales_rep_id, created_by, currency, lang, effective_date, valid_until,"
        " term_start, term_end, payment_terms_days, customer_note, internal_note, created_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, NULLIF($7, 0), 'draft', NULLIF($8, 0), $9, $10, $11,"
        " $12, $13, $14, $15, $16, $17, $18, $19)",
        "isiissiiissssssissi", q->account_id, q->series, q->seq, q->revision, q->number,
        q->base_number, q->revises_id, q->sales_rep_id, q->created_by, q->currency, q->lang,
        q->effective_date, q->valid_until, q->term_start, q->term_end, q->payment_terms_days,
        q->customer_note, q->internal_note, now));
}

store_status_t store_quote_update_draft(store_t *s, const quote_t *q)
{
    return must_change(s, db_exec(s->db,
                                  "UPDATE quotes SET effective_date = $1, valid_until = $2,"
                                  " term_start = $3, term_end = $4, payment_terms_days = $5,"
                                  " customer_note = $6, internal_note = $7"
                                  " WHERE id = $8 AND state = 'draft'",
                                  "ssssissi", q->effective_date, q->valid_until, q->term_start,
                                  q->term_end, q->payment_terms_days, q->customer_note,
                                  q->internal_note, q->id));
}

store_status_t store_quote_set_internal_note(store_t *s, int64_t id, const char *note)
{
    return must_change(
        s, db_exec(s->db, "UPDATE quotes SET internal_note = $1 WHERE id = $2", "si", note, id));
}

store_status_t store_quote_lines_replace(store_t *s, int64_t quote_id, const quote_line_t *lines,
                                         size_t n)
{
    store_status_t r =
        from_db(db_exec(s->db, "DELETE FROM quote_lines WHERE quote_id = $1", "i", quote_id));
    for (size_t i = 0; r == STORE_OK && i < n; i++) {
        const quote_line_t *l = &lines[i];
        r = from_db(db_exec(
            s->db,
            "INSERT INTO quote_lines (quote_id, position, kind, plan_id, subscription_id,"
            " product_name, seats, unit_amount, discount_kind, discount_value, list_amount,"
            " discount, term_net, days, term_days, due_now, renewal_unit_amount) VALUES ($1, $2,"
            " $3, $4, NULLIF($5, 0), $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
            "iisiisiisiiiiiiii", quote_id, (int64_t)i + 1, l->kind, l->plan_id, l->subscription_id,
            l->product_name, l->seats, l->unit_amount, l->discount_kind, l->discount_value,
            l->list_amount, l->discount, l->term_net, l->days, l->term_days, l->due_now,
            l->renewal_unit_amount));
    }
    return r;
}

store_status_t store_quote_mark_sent(store_t *s, const quote_t *q, int64_t now)
{
    return must_change(
        s, db_exec(s->db,
                   "UPDATE quotes SET state = 'sent', sent_at = $1, tax_mode = $2, tax_name = $3,"
                   " tax_rate_ppm = $4, due_subtotal = $5, due_tax = $6, due_total = $7,"
                   " renewal_subtotal = $8, renewal_tax = $9, renewal_total = $10,"
                   " sales_rep_id = NULLIF($11, 0) WHERE id = $12 AND state = 'draft'",
                   "issiiiiiiiii", now, q->tax_mode, q->tax_name, q->tax_rate_ppm, q->due_subtotal,
                   q->due_tax, q->due_total, q->renewal_subtotal, q->renewal_tax, q->renewal_total,
                   q->sales_rep_id, q->id));
}

store_status_t store_quote_set_state(store_t *s, int64_t id, const char *from, const char *to,
                                     int64_t now)
{
    return must_change(s, db_exec(s->db,
                                  "UPDATE quotes SET state = $1, decided_at = $2"
                                  " WHERE id = $3 AND state = $4",
                                  "siis", to, now, id, from));
}

store_status_t store_quote_decide(store_t *s, const quote_t *q, int64_t now)
{
    return must_change(
        s, db_exec(s->db,
                   "UPDATE quotes SET state = $1, decided_at = $2, decided_name = $3,"
                   " decided_title = $4, decided_ip = $5, po_number = $6,"
                   " on_behalf_staff_id = NULLIF($7, 0), on_behalf_reason = $8, reject_reason = $9,"
                   " reject_comment = $10, invoice_id = NULLIF($11, 0)"
                   " WHERE id = $12 AND state = 'sent'",
                   "sissssisssii", q->state, now, q->decided_name, q->decided_title, q->decided_ip,
                   q->po_number, q->on_behalf_staff_id, q->on_behalf_reason, q->reject_reason,
                   q->reject_comment, q->invoice_id, q->id));
}

store_status_t store_quotes_expire(store_t *s, const char *today, int64_t now, int64_t *n)
{
    db_status_t r = db_exec(s->db,
                            "UPDATE quotes SET state = 'expired', decided_at = $1"
                            " WHERE state = 'sent' AND valid_until < $2",
                            "is", now, today);
    *n = r == DB_OK ? db_changes(s->db) : 0;
    return from_db(r);
}

#define QUOTE_COLUMNS                                                                              \
    "SELECT q.id, q.account_id, q.series, q.seq, q.revision, q.number, q.base_number,"             \
    " COALESCE(q.revises_id, 0), q.state, COALESCE(q.sales_rep_id, 0), q.created_by, q.currency,"  \
    " q.lang, q.effective_date, q.valid_until, q.term_start, q.term_end, q.payment_terms_days,"    \
    " q.customer_note, q.internal_note, q.tax_mode, q.tax_name, q.tax_rate_ppm, q.due_subtotal,"   \
    " q.due_tax, q.due_total, q.renewal_subtotal, q.renewal_tax, q.renewal_total, q.created_at,"   \
    " COALESCE(q.sent_at, 0), COALESCE(q.decided_at, 0), q.decided_name, q.decided_title,"         \
    " q.decided_ip, q.po_number, COALESCE(q.on_behalf_staff_id, 0), q.on_behalf_reason,"           \
    " q.reject_reason, q.reject_comment, COALESCE(q.invoice_id, 0), COALESCE(i.number, ''),"       \
    " COALESCE(u.name, ''), COALESCE(u.email, ''), a.name FROM quotes q"                           \
    " JOIN accounts a ON a.id = q.account_id LEFT JOIN staff_users u ON u.id = q.sales_rep_id"     \
    " LEFT JOIN invoices i ON i.id = q.invoice_id "

static void read_quote(arena_t *a, db_stmt_t *st, quote_t *q)
{
    int c = 0;
    memset(q, 0, sizeof *q);
    q->id = db_int(st, c++);
    q->account_id = db_int(st, c++);
    q->series = col_str(a, st, c++);
    q->seq = db_int(st, c++);
    q->revision = db_int(st, c++);
    q->number = col_str(a, st, c++);
    q->base_number = col_str(a, st, c++);
    q->revises_id = db_int(st, c++);
    q->state = col_str(a, st, c++);
    q->sales_rep_id = db_int(st, c++);
    q->created_by = db_int(st, c++);
    q->currency = col_str(a, st, c++);
    q->lang = col_str(a, st, c++);
    q->effective_date = col_str(a, st, c++);
    q->valid_until = col_str(a, st, c++);
    q->term_start = col_str(a, st, c++);
    q->term_end = col_str(a, st, c++);
    q->payment_terms_days = db_int(st, c++);
    q->customer_note = col_str(a, st, c++);
    q->internal_note = col_str(a, st, c++);
    q->tax_mode = col_str(a, st, c++);
    q->tax_name = col_str(a, st, c++);
    q->tax_rate_ppm = db_int(st, c++);
    q->due_subtotal = db_int(st, c++);
    q->due_tax = db_int(st, c++);
    q->due_total = db_int(st, c++);
    q->renewal_subtotal = db_int(st, c++);
    q->renewal_tax = db_int(st, c++);
    q->renewal_total = db_int(st, c++);
    q->created_at = db_int(st, c++);
    q->sent_at = db_int(st, c++);
    q->decided_at = db_int(st, c++);
    q->decided_name = col_str(a, st, c++);
    q->decided_title = col_str(a, st, c++);
    q->decided_ip = col_str(a, st, c++);
    q->po_number = col_str(a, st, c++);
    q->on_behalf_staff_id = db_int(st, c++);
    q->on_behalf_reason = col_str(a, st, c++);
    q->reject_reason = col_str(a, st, c++);
    q->reject_comment = col_str(a, st, c++);
    q->invoice_id = db_int(st, c++);
    q->invoice_number = col_str(a, st, c++);
    q->sales_rep_name = col_str(a, st, c++);
    q->sales_rep_email = col_str(a, st, c++);
    q->account_name = col_str(a, st, c++);
}

static store_status_t read_quote_lines(store_t *s, arena_t *a, quote_t *q)
{
    db_stmt_t *st = db_query(s->db,
                             "SELECT id, position, plan_id, COALESCE(subscription_id, 0), kind,"
                             " product_name, discount_kind, seats, unit_amount, discount_value,"
                             " list_amount, discount, term_net, days, term_days, due_now,"
                             " renewal_unit_amount FROM quote_lines WHERE quote_id = $1"
                             " ORDER BY position",
                             "i", q->id);
    if (!st) return STORE_ERROR;
    size_t cap = 8;
    q->lines = arena_alloc(a, cap * sizeof *q->lines);
    q->n_lines = 0;
    db_status_t r;
    while ((r = db_step(st)) == DB_ROW) {
        if (q->n_lines == cap) {
            quote_line_t *bigger = arena_alloc(a, 2 * cap * sizeof *bigger);
            memcpy(bigger, q->lines, cap * sizeof *bigger);
            q->lines = bigger;
            cap *= 2;
        }
        quote_line_t *l = &q->lines[q->n_lines++];
        *l = (quote_line_t){.id = db_int(st, 0),
                            .position = db_int(st, 1),
                            .plan_id = db_int(st, 2),
                            .subscription_id = db_int(st, 3),
                            .kind = col_str(a, st, 4),
                            .product_name = col_str(a, st, 5),
                            .discount_kind = col_str(a, st, 6),
                            .seats = db_int(st, 7),
                            .unit_amount = db_int(st, 8),
                            .discount_value = db_int(st, 9),
                            .list_amount = db_int(st, 10),
                            .discount = db_int(st, 11),
                            .term_net = db_int(st, 12),
                            .days = db_int(st, 13),
                            .term_days = db_int(st, 14),
                            .due_now = db_int(st, 15),
                            .renewal_unit_amount = db_int(st, 16)};
    }
    db_done(st);
    return r == DB_OK ? STORE_OK : from_db(r);
}

static store_status_t one_quote(store_t *s, arena_t *a, db_stmt_t *st, quote_t *out)
{
    store_status_t r = one_row(st);
    if (r != STORE_OK) return r;
    read_quote(a, st, out);
    db_done(st);
    return read_quote_lines(s, a, out);
}

store_status_t store_quote_by_id(store_t *s, arena_t *a, int64_t id, quote_t *out)
{
    return one_quote(s, a, db_query(s->db, QUOTE_COLUMNS "WHERE q.id = $1", "i", id), out);
}

store_status_t store_quote_by_number(store_t *s, arena_t *a, const char *number, quote_t *out)
{
    return one_quote(s, a, db_query(s->db, QUOTE_COLUMNS "WHERE q.number = $1", "s", number), out);
}

store_status_t store_quote_live_of(store_t *s, arena_t *a, const char *base_number, quote_t *out)
{
    return one_quote(s, a,
                     db_query(s->db,
                              QUOTE_COLUMNS "WHERE q.base_number = $1 AND q.state IN ('sent',"
                                            " 'draft') ORDER BY q.revision DESC LIMIT 1",
                              "s", base_number),
                     out);
}

/* Header rows (no lines) of a query on QUOTE_COLUMNS. */
static store_status_t quote_rows(arena_t *a, db_stmt_t *st, quote_t **out, size_t *n)
{
    *n = 0;
    if (!st) return STORE_ERROR;
    size_t cap = 16;
    *out = arena_alloc(a, cap * sizeof **out);
    db_status_t r;
    while ((r = db_step(st)) == DB_ROW) {
        if (*n == cap) {
            quote_t *bigger = arena_alloc(a, 2 * cap * sizeof *bigger);
            memcpy(bigger, *out, cap * sizeof *bigger);
            *out = bigger;
            cap *= 2;
        }
        read_quote(a, st, &(*out)[(*n)++]);
    }
    db_done(st);
    return r == DB_OK ? STORE_OK : from_db(r);
}

store_status_t store_quotes_of_account(store_t *s, arena_t *a, int64_t account_id, bool with_drafts,
                                       int limit, quote_t **out, size_t *n)
{
    return quote_rows(a,
                      db_query(s->db,
                               QUOTE_COLUMNS "WHERE q.account_id = $1 AND (q.state <> 'draft'"
                                             " OR $2 = 1) ORDER BY q.id DESC LIMIT $3",
                               "iii", account_id, (int64_t)with_drafts, (int64_t)limit),
                      out, n);
}

store_status_t store_quotes_open(store_t *s, arena_t *a, int64_t sales_rep_id, int limit,
                                 quote_t **out, size_t *n)
{
    return quote_rows(a,
                      db_query(s->db,
                               QUOTE_COLUMNS "WHERE q.state = 'sent' AND ($1 = 0 OR"
                                             " q.sales_rep_id = $2) ORDER BY q.valid_until,"
                                             " q.id LIMIT $3",
                               "iii", sales_rep_id, sales_rep_id, (int64_t)limit),
                      out, n);
}

store_status_t store_account_subscriptions(store_t *s, arena_t *a, int64_t account_id,
                                           account_subscription_t **out, size_t *n)
{
    *n = 0;
    db_stmt_t *st = db_query(
        s->db,
        "SELECT s.id, s.plan_id, s.seats, s.unit_amount, COALESCE(s.next_seats, -1),"
        " COALESCE(s.next_unit_amount, -1), s.anchor_day, pr.name, p.billing_period,"
        " s.period_start, s.period_end FROM subscriptions s JOIN plans p ON p.id = s.plan_id"
        " JOIN products pr ON pr.id = p.product_id WHERE s.account_id = $1 AND s.status = 'active'"
        " ORDER BY s.period_end, pr.name, s.id",
        "i", account_id);
    if (!st) return STORE_ERROR;
    size_t cap = 8;
    *out = arena_alloc(a, cap * sizeof **out);
    db_status_t r;
    while ((r = db_step(st)) == DB_ROW) {
        if (*n == cap) {
            account_subscription_t *bigger = arena_alloc(a, 2 * cap * sizeof *bigger);
            memcpy(bigger, *out, cap * sizeof *bigger);
            *out = bigger;
            cap *= 2;
        }
        (*out)[(*n)++] = (account_subscription_t){.id = db_int(st, 0),
                                                  .plan_id = db_int(st, 1),
                                                  .seats = db_int(st, 2),
                                                  .unit_amount = db_int(st, 3),
                                                  .next_seats = db_int(st, 4),
                                                  .next_unit_amount = db_int(st, 5),
                                                  .anchor_day = (int)db_int(st, 6),
                                                  .product_name = col_str(a, st, 7),
                                                  .billing_period = col_str(a, st, 8),
                                                  .period_start = col_str(a, st, 9),
                                                  .period_end = col_str(a, st, 10)};
    }
    db_done(st);
    return r == DB_OK ? STORE_OK : from_db(r);
}

store_status_t store_plans_priced(store_t *s, arena_t *a, const char *currency,
                                  const char *billing_period, plan_price_t **out, size_t *n)
{
    *n = 0;
    db_stmt_t *st = db_query(s->db,
                             "SELECT p.id, pr.id, c.unit_amount, pr.name, p.code, p.billing_period"
                             " FROM plans p JOIN products pr ON pr.id = p.product_id"
                             " JOIN prices c ON c.plan_id = p.id AND c.currency = $1"
                             " WHERE p.active = 1 AND pr.active = 1 AND p.billing_period = $2"
                             " ORDER BY pr.name, p.id",
                             "ss", currency, billing_period);
    if (!st) return STORE_ERROR;
    size_t cap = 16;
    *out = arena_alloc(a, cap * sizeof **out);
    db_status_t r;
    while ((r = db_step(st)) == DB_ROW) {
        if (*n == cap) {
            plan_price_t *bigger = arena_alloc(a, 2 * cap * sizeof *bigger);
            memcpy(bigger, *out, cap * sizeof *bigger);
            *out = bigger;
            cap *= 2;
        }
        (*out)[(*n)++] = (plan_price_t){.plan_id = db_int(st, 0),
                                        .product_id = db_int(st, 1),
                                        .unit_amount = db_int(st, 2),
                                        .product_name = col_str(a, st, 3),
                                        .plan_code = col_str(a, st, 4),
                                        .billing_period = col_str(a, st, 5)};
    }
    db_done(st);
    return r == DB_OK ? STORE_OK : from_db(r);
}

store_status_t store_subscription_lock_account(store_t *s, int64_t account_id)
{
    /* The account's row is the turn every change to its subscriptions takes (PostgreSQL's row
     * lock; SQLite's single writer already serializes), so that an acceptance and a bill run
     * never both count on the same seats. */
    db_stmt_t *st = db_query(s->db,
                             DB_SQL_BY_DIALECT(s->db, "SELECT id FROM accounts WHERE id = $1",
                                               "SELECT id FROM accounts WHERE id = $1 FOR UPDATE"),
                             "i", account_id);
    store_status_t r = one_row(st);
    if (r == STORE_OK) db_done(st);
    return r;
}

store_status_t store_subscription_add(store_t *s, const subscription_new_t *sub, int64_t now,
                                      int64_t *id)
{
    return from_db(
        db_insert(s->db, id,
                  "INSERT INTO subscriptions (account_id, plan_id, currency, unit_amount,"
                  " seats, status, period_start, period_end, anchor_day, created_at)"
                  " VALUES ($1, $2, $3, $4, $5, 'active', $6, $7, $8, $9)",
                  "iisiissii", sub->account_id, sub->plan_id, sub->currency, sub->unit_amount,
                  sub->seats, sub->period_start, sub->period_end, (int64_t)sub->anchor_day, now));
}

store_status_t store_subscription_set_next(store_t *s, int64_t account_id, int64_t id,
                                           int64_t next_seats, int64_t next_unit_amount)
{
    return must_change(s, db_exec(s->db,
                                  "UPDATE subscriptions SET next_seats = NULLIF($1, -1),"
                                  " next_unit_amount = NULLIF($2, -1) WHERE id = $3"
                                  " AND account_id = $4 AND status = 'active'",
                                  "iiii", next_seats, next_unit_amount, id, account_id));
}
