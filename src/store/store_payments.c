/* Payments in the database: what an invoice owes and holds, payments and their states, the
 * append-only ledger, gateway events seen once, and the sandbox gateway's pages and events. */
#include "store_internal.h"

#include <string.h>

void read_money(arena_t *a, db_stmt_t *st, invoice_money_t *m)
{
    m->id = db_int(st, 0);
    m->account_id = db_int(st, 1);
    m->total = db_int(st, 2);
    m->amount_paid = db_int(st, 3);
    m->reserved = db_int(st, 4);
    m->number = col_str(a, st, 5);
    m->currency = col_str(a, st, 6);
    m->due_date = col_str(a, st, 7);
    m->status = col_str(a, st, 8);
    m->lang = col_str(a, st, 9);
}

static store_status_t one_money(arena_t *a, db_stmt_t *st, invoice_money_t *out)
{
    store_status_t r = one_row(st);
    if (r != STORE_OK) return r;
    read_money(a, st, out);
    db_done(st);
    return STORE_OK;
}

store_status_t store_invoice_money(store_t *s, arena_t *a, int64_t account_id, const char *number,
                                   int64_t now, invoice_money_t *out)
{
    return one_money(
        a,
        db_query(s->db, INVOICE_MONEY " WHERE i.number = $2 AND ($3 = 0 OR i.account_id = $4)",
                 "isii", now, number, account_id, account_id),
        out);
}

store_status_t store_invoice_money_by_id(store_t *s, arena_t *a, int64_t invoice_id, int64_t now,
                                         invoice_money_t *out)
{
    return one_money(a, db_query(s->db, INVOICE_MONEY " WHERE i.id = $2", "ii", now, invoice_id),
                     out);
}

store_status_t store_invoice_lock(store_t *s, int64_t invoice_id)
{
    db_stmt_t *st = db_query(s->db,
                             DB_SQL_BY_DIALECT(s->db, "SELECT id FROM invoices WHERE id = $1",
                                               "SELECT id FROM invoices WHERE id = $1 FOR UPDATE"),
                             "i", invoice_id);
    store_status_t r = one_row(st);
    if (r == STORE_OK) db_done(st);
    return r;
}

store_status_t store_invoice_set_paid(store_t *s, int64_t invoice_id, int64_t amount_paid,
                                      const char *status)
{
    return must_change(s, db_exec(s->db,
                                  "UPDATE invoices SET amount_paid = $1, status = $2 WHERE id = $3",
                                  "isi", amount_paid, status, invoice_id));
}

store_status_t store_payment_insert(store_t *s, const payment_t *p, int64_t now, int64_t *id)
{
    return from_db(db_insert(
        s->db, id,
        "INSERT INTO payments (account_id, invoice_id, method, source, gateway, amount, currency,"
        " state, reserved_until, received_date, reference, payer, lang, created_by_staff,"
        " created_at, updated_at, settled_at, change_id, attempt)"
        " VALUES ($1, NULLIF($2, 0), $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, NULLIF($14, "
        "0),"
        " $15, $16, NULLIF($17, 0), NULLIF($18, 0), $19)",
        "iisssississssiiiiii", p->account_id, p->invoice_id, p->method, p->source, p->gateway,
        p->amount, p->currency, p->state, p->reserved_until, p->received_date, p->reference,
        p->payer, p->lang, p->created_by_staff, now, now, p->settled_at, p->change_id, p->attempt));
}

store_status_t store_payment_update(store_t *s, const payment_t *p, int64_t now)
{
    return must_change(
        s, db_exec(s->db,
                   "UPDATE payments SET state = $1, session_ref = $2, payment_ref = $3,"
                   " card_brand = $4, card_last4 = $5, decline_code = $6, reserved_until = $7,"
                   " next_check_at = NULLIF($8, 0), checks = $9, settled_at = NULLIF($10, 0),"
                   " reversal_reason = $11, updated_at = $12 WHERE id = $13",
                   "ssssssiiiisii", p->state, p->session_ref, p->payment_ref, p->card_brand,
                   p->card_last4, p->decline_code, p->reserved_until, p->next_check_at, p->checks,
                   p->settled_at, p->reversal_reason, now, p->id));
}

#define PAYMENT_COLUMNS                                                                            \
    "SELECT p.id, p.account_id, COALESCE(p.invoice_id, 0), p.amount, p.reserved_until,"            \
    " COALESCE(p.next_check_at, 0), p.checks, COALESCE(p.created_by_staff, 0), p.created_at,"      \
    " p.updated_at, COALESCE(p.settled_at, 0), p.method, p.source, p.gateway, p.currency,"         \
    " p.state, p.session_ref, p.payment_ref, p.card_brand, p.card_last4, p.decline_code,"          \
    " p.received_date, p.reference, p.payer, p.reversal_reason, p.lang, COALESCE(i.number, ''),"   \
    " COALESCE(p.change_id, 0), p.attempt FROM payments p LEFT JOIN invoices i ON i.id = "         \
    "p.invoice_id"

static void read_payment(arena_t *a, db_stmt_t *st, payment_t *p)
{
    int64_t *ints[] = {&p->id,         &p->account_id,       &p->invoice_id,
                       &p->amount,     &p->reserved_until,   &p->next_check_at,
                       &p->checks,     &p->created_by_staff, &p->created_at,
                       &p->updated_at, &p->settled_at};
    int c = 0;
    for (; c < (int)(sizeof ints / sizeof ints[0]); c++)
        *ints[c] = db_int(st, c);
    char **texts[] = {&p->method,     &p->source,          &p->gateway,       &p->currency,
                      &p->state,      &p->session_ref,     &p->payment_ref,   &p->card_brand,
                      &p->card_last4, &p->decline_code,    &p->received_date, &p->reference,
                      &p->payer,      &p->reversal_reason, &p->lang,          &p->invoice_number};
    for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++, c++)
        *texts[t] = col_str(a, st, c);
    p->change_id = db_int(st, c++);
    p->attempt = db_int(st, c);
}

store_status_t store_payment_by_id(store_t *s, arena_t *a, int64_t id, payment_t *out)
{
    db_stmt_t *st = db_query(s->db, PAYMENT_COLUMNS " WHERE p.id = $1", "i", id);
    store_status_t r = one_row(st);
    if (r != STORE_OK) return r;
    read_payment(a, st, out);
    db_done(st);
    return STORE_OK;
}

store_status_t store_payments_of(store_t *s, arena_t *a, int64_t account_id, int64_t invoice_id,
                                 int limit, payment_t **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    db_stmt_t *st = invoice_id
                        ? db_query(s->db,
                                   PAYMENT_COLUMNS " WHERE p.invoice_id = $1 OR p.id IN"
                                                   " (SELECT payment_id FROM payment_allocations"
                                                   " WHERE invoice_id = $2) ORDER BY p.id DESC"
                                                   " LIMIT $3",
                                   "iii", invoice_id, invoice_id, (int64_t)limit)
                        : db_query(s->db,
                                   PAYMENT_COLUMNS " WHERE p.account_id = $1"
                                                   " ORDER BY p.id DESC LIMIT $2",
                                   "ii", account_id, (int64_t)limit);
    if (!st) return STORE_ERROR;
    payment_t *rows = arena_alloc(a, sizeof *rows * (size_t)(limit > 0 ? limit : 1));
    db_status_t r;
    while ((r = db_step(st)) == DB_ROW && *n < (size_t)limit)
        read_payment(a, st, &rows[(*n)++]);
    db_done(st);
    *out = rows;
    return r == DB_ROW || r == DB_OK ? STORE_OK : from_db(r);
}

store_status_t store_payments_to_check(store_t *s, arena_t *a, int64_t now, int limit,
                                       int64_t **ids, size_t *n)
{
    *n = 0;
    *ids = arena_alloc(a, sizeof **ids * (size_t)limit);
    db_stmt_t *st = db_query(s->db,
                             "SELECT id FROM payments WHERE (next_check_at IS NOT NULL AND"
                             " next_check_at <= $1) OR (state = 'pending' AND reserved_until <= $2)"
                             " ORDER BY id LIMIT $3",
                             "iii", now, now, (int64_t)limit);
    if (!st) return STORE_ERROR;
    db_status_t r;
    while ((r = db_step(st)) == DB_ROW)
        (*ids)[(*n)++] = db_int(st, 0);
    db_done(st);
    return from_db(r);
}

store_status_t store_allocation_add(store_t *s, const allocation_t *al, int64_t now)
{
    return from_db(db_exec(s->db,
                           "INSERT INTO payment_allocations (account_id, payment_id, refund_id,"
                           " invoice_id, kind, amount, currency, created_at)"
                           " VALUES ($1, NULLIF($2, 0), NULLIF($3, 0), NULLIF($4, 0), $5, $6, $7,"
                           " $8)",
                           "iiiisisi", al->account_id, al->payment_id, al->refund_id,
                           al->invoice_id, al->kind, al->amount, al->currency, now));
}

store_status_t store_account_credit(store_t *s, int64_t account_id, const char *currency,
                                    int64_t *credit)
{
    return returning_id(db_query(s->db,
                                 "SELECT COALESCE(SUM(amount), 0) FROM payment_allocations"
                                 " WHERE account_id = $1 AND invoice_id IS NULL AND currency = $2",
                                 "is", account_id, currency),
                        credit);
}

store_status_t store_credit_to_apply(store_t *s, arena_t *a, int limit, allocation_t **out,
                                     size_t *n)
{
    *n = 0;
    *out = arena_alloc(a, sizeof **out * (size_t)limit);
    db_stmt_t *st =
        db_query(s->db,
                 "SELECT c.account_id, c.currency, SUM(c.amount) FROM payment_allocations c"
                 " WHERE c.invoice_id IS NULL AND EXISTS (SELECT 1 FROM invoices i"
                 " WHERE i.account_id = c.account_id AND i.currency = c.currency"
                 " AND i.status IN ('open', 'partially_paid'))"
                 " GROUP BY c.account_id, c.currency HAVING SUM(c.amount) > 0"
                 " ORDER BY c.account_id, c.currency LIMIT $1",
                 "i", (int64_t)limit);
    if (!st) return STORE_ERROR;
    db_status_t r;
    while ((r = db_step(st)) == DB_ROW) {
        allocation_t *al = &(*out)[(*n)++];
        al->account_id = db_int(st, 0);
        al->currency = col_str(a, st, 1);
        al->amount = db_int(st, 2);
        al->kind = "credit_applied";
    }
    db_done(st);
    return from_db(r);
}

store_status_t store_oldest_open_invoice(store_t *s, int64_t account_id, const char *currency,
                                         int64_t *invoice_id)
{
    return returning_id(db_query(s->db,
                                 "SELECT id FROM invoices WHERE account_id = $1 AND currency = $2"
                                 " AND status IN ('open', 'partially_paid') AND amount_paid < total"
                                 " ORDER BY issue_date, id LIMIT 1",
                                 "is", account_id, currency),
                        invoice_id);
}

store_status_t store_gateway_event_once(store_t *s, const char *event_id, const char *gateway,
                                        const char *type, int64_t payment_id, int64_t now)
{
    db_status_t r = db_exec(s->db,
                            "INSERT INTO gateway_events (event_id, gateway, type, payment_id,"
                            " received_at) VALUES ($1, $2, $3, NULLIF($4, 0), $5)"
                            " ON CONFLICT (event_id) DO NOTHING",
                            "sssii", event_id, gateway, type, payment_id, now);
    if (r != DB_OK) return from_db(r);
    return db_changes(s->db) == 1 ? STORE_OK : STORE_CONFLICT;
}

/* ---- the sandbox ----------------------------------------------------------------------- */

#define SANDBOX_COLUMNS                                                                            \
    "SELECT ref, kind, currency, description, lang, success_url, cancel_url, state, payment_ref,"  \
    " card_brand, card_last4, decline_code, customer_ref, method_ref, holder_name,"                \
    " idempotency_key, object_id, amount, expires_at, exp_month, exp_year, refunded, created_at"   \
    " FROM sandbox_sessions"

static store_status_t one_sandbox_session(arena_t *a, db_stmt_t *st, sandbox_session_t *o)
{
    store_status_t r = one_row(st);
    if (r != STORE_OK) return r;
    char **texts[] = {&o->ref,          &o->kind,        &o->currency,    &o->description,
                      &o->lang,         &o->success_url, &o->cancel_url,  &o->state,
                      &o->payment_ref,  &o->card_brand,  &o->card_last4,  &o->decline_code,
                      &o->customer_ref, &o->method_ref,  &o->holder_name, &o->idempotency_key};
    int c = 0;
    for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++, c++)
        *texts[t] = col_str(a, st, c);
    int64_t *ints[] = {&o->object_id, &o->amount,   &o->expires_at, &o->exp_month,
                       &o->exp_year,  &o->refunded, &o->created_at};
    for (size_t t = 0; t < sizeof ints / sizeof ints[0]; t++, c++)
        *ints[t] = db_int(st, c);
    db_done(st);
    return STORE_OK;
}

store_status_t store_sandbox_session_make(store_t *s, arena_t *a, const sandbox_session_t *in,
                                          sandbox_session_t *out)
{
    db_status_t r = db_exec(
        s->db,
        "INSERT INTO sandbox_sessions (ref, kind, object_id, amount, currency, description, lang,"
        " success_url, cancel_url, expires_at, state, payment_ref, customer_ref, method_ref,"
        " card_brand, card_last4, decline_code, idempotency_key, created_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,"
        " $19) ON CONFLICT (idempotency_key) DO NOTHING",
        "ssiisssssissssssssi", in->ref, in->kind, in->object_id, in->amount, in->currency,
        in->description, in->lang, in->success_url, in->cancel_url, in->expires_at, in->state,
        in->payment_ref, in->customer_ref, in->method_ref, in->card_brand, in->card_last4,
        in->decline_code, in->idempotency_key, in->created_at);
    if (r != DB_OK) return from_db(r);
    return one_sandbox_session(
        a, db_query(s->db, SANDBOX_COLUMNS " WHERE idempotency_key = $1", "s", in->idempotency_key),
        out);
}

store_status_t store_sandbox_session(store_t *s, arena_t *a, const char *ref,
                                     sandbox_session_t *out)
{
    return one_sandbox_session(a, db_query(s->db, SANDBOX_COLUMNS " WHERE ref = $1", "s", ref),
                               out);
}

store_status_t store_sandbox_session_of(store_t *s, arena_t *a, const char *kind, int64_t object_id,
                                        sandbox_session_t *out)
{
    return one_sandbox_session(a,
                               db_query(s->db,
                                        SANDBOX_COLUMNS " WHERE kind = $1 AND object_id = $2"
                                                        " ORDER BY created_at DESC, ref LIMIT 1",
                                        "si", kind, object_id),
                               out);
}

store_status_t store_sandbox_session_finish(store_t *s, const sandbox_session_t *x,
                                            const char *from)
{
    return must_change(
        s, db_exec(s->db,
                   "UPDATE sandbox_sessions SET state = $1, payment_ref = $2, card_brand = $3,"
                   " card_last4 = $4, decline_code = $5, customer_ref = $6, method_ref = $7,"
                   " holder_name = $8, exp_month = $9, exp_year = $10"
                   " WHERE ref = $11 AND state = $12",
                   "ssssssssiiss", x->state, x->payment_ref, x->card_brand, x->card_last4,
                   x->decline_code, x->customer_ref, x->method_ref, x->holder_name, x->exp_month,
                   x->exp_year, x->ref, from));
}

store_status_t store_sandbox_refund(store_t *s, const char *payment_ref, int64_t amount)
{
    /* Never beyond what was charged: the update finds no row otherwise. */
    return must_change(s, db_exec(s->db,
                                  "UPDATE sandbox_sessions SET refunded = refunded + $1"
                                  " WHERE payment_ref = $2 AND state = 'complete'"
                                  " AND refunded + $3 <= amount",
                                  "isi", amount, payment_ref, amount));
}

store_status_t store_sandbox_event_add(store_t *s, const char *event_id, const char *body,
                                       int64_t deliver_after)
{
    db_status_t r = db_exec(s->db,
                            "INSERT INTO sandbox_events (event_id, body, deliver_after)"
                            " VALUES ($1, $2, $3) ON CONFLICT (event_id) DO NOTHING",
                            "ssi", event_id, body, deliver_after);
    if (r != DB_OK) return from_db(r);
    return db_changes(s->db) == 1 ? STORE_OK : STORE_CONFLICT;
}

store_status_t store_sandbox_event_claim(store_t *s, arena_t *a, int64_t now, int64_t lease,
                                         int64_t *id, char **body)
{
    db_stmt_t *st = db_query(
        s->db,
        DB_SQL_BY_DIALECT(s->db,
                          "UPDATE sandbox_events SET claimed_until = $1, attempts = attempts + 1"
                          " WHERE id = (SELECT id FROM sandbox_events WHERE delivered_at IS NULL"
                          " AND deliver_after <= $2 AND claimed_until <= $3 ORDER BY id LIMIT 1)"
                          " RETURNING id, body",
                          "UPDATE sandbox_events SET claimed_until = $1, attempts = attempts + 1"
                          " WHERE id = (SELECT id FROM sandbox_events WHERE delivered_at IS NULL"
                          " AND deliver_after <= $2 AND claimed_until <= $3 ORDER BY id LIMIT 1"
                          " FOR UPDATE SKIP LOCKED) RETURNING id, body"),
        "iii", now + lease, now, now);
    store_status_t r = one_row(st);
    if (r != STORE_OK) return r;
    *id = db_int(st, 0);
    *body = col_str(a, st, 1);
    db_done(st);
    return STORE_OK;
}

store_status_t store_sandbox_event_done(store_t *s, int64_t id, bool delivered, int64_t now,
                                        int64_t retry_at)
{
    return must_change(s, delivered ? db_exec(s->db,
                                              "UPDATE sandbox_events SET delivered_at = $1"
                                              " WHERE id = $2",
                                              "ii", now, id)
                                    : db_exec(s->db,
                                              "UPDATE sandbox_events SET deliver_after = $1,"
                                              " claimed_until = 0 WHERE id = $2",
                                              "ii", retry_at, id));
}
