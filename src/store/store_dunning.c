/* Renewal charges and dunning in the database (docs/dunning.md): the renewals to charge, the
 * dunning cases, their leases, and the outbox's "already queued?" question. */
#include "store_internal.h"

#include <string.h>

store_status_t store_renewals_to_charge(store_t *s, arena_t *a, int64_t since, bool with_card,
                                        const char *no_card_kind, int64_t after_id, int limit,
                                        int64_t **ids, size_t *n)
{
    /* The claim checks it all again under the invoice's lock. */
    db_stmt_t *st = db_query(
        s->db,
        "SELECT i.id FROM invoices i JOIN accounts a ON a.id = i.account_id"
        " WHERE a.kind = 'online' AND i.status IN ('open', 'partially_paid')"
        " AND i.amount_paid < i.total AND i.created_at > $1"
        " AND EXISTS (SELECT 1 FROM invoice_lines l WHERE l.invoice_id = i.id"
        " AND l.kind = 'period')"
        " AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.invoice_id = i.id AND p.attempt = 1)"
        " AND NOT EXISTS (SELECT 1 FROM dunning_cases d WHERE d.account_id = i.account_id"
        " AND d.state = 'suspended')"
        " AND (($2 = 1 AND EXISTS (SELECT 1 FROM payment_cards c WHERE c.account_id = a.id))"
        " OR ($2 = 0 AND NOT EXISTS (SELECT 1 FROM payment_cards c WHERE c.account_id = a.id)"
        " AND NOT EXISTS (SELECT 1 FROM email_outbox e WHERE e.kind = $3"
        " AND e.sender_ref = 'invoice:' || CAST(i.id AS TEXT))))"
        " AND i.id > $4 ORDER BY i.id LIMIT $5",
        "iisii", since, (int64_t)(with_card ? 1 : 0), no_card_kind, after_id, (int64_t)limit);
    return read_id_rows(st, a, limit, ids, n);
}

store_status_t store_invoice_last_attempt(store_t *s, int64_t invoice_id, int64_t *attempt)
{
    return returning_id(db_query(s->db,
                                 "SELECT COALESCE(MAX(attempt), 0) FROM payments"
                                 " WHERE invoice_id = $1",
                                 "i", invoice_id),
                        attempt);
}

store_status_t store_outbox_has(store_t *s, const char *kind, const char *sender_ref, bool *has)
{
    int64_t count = 0;
    store_status_t r = returning_id(db_query(s->db,
                                             "SELECT COUNT(*) FROM email_outbox WHERE kind = $1"
                                             " AND sender_ref = $2",
                                             "ss", kind, sender_ref),
                                    &count);
    *has = count > 0;
    return r;
}

#define CASE_COLUMNS                                                                               \
    "SELECT d.id, d.account_id, d.invoice_id, d.failures, COALESCE(d.next_retry_at, 0),"           \
    " d.claimed_until, d.first_failed_at, COALESCE(d.past_due_at, 0),"                             \
    " COALESCE(d.suspended_at, 0), COALESCE(d.resolved_at, 0), d.updated_at, d.no_retry,"          \
    " d.state, d.last_decline_code, i.number"                                                      \
    " FROM dunning_cases d JOIN invoices i ON i.id = d.invoice_id"

static void read_case(arena_t *a, db_stmt_t *st, dunning_case_t *c)
{
    int64_t *ints[] = {&c->id,
                       &c->account_id,
                       &c->invoice_id,
                       &c->failures,
                       &c->next_retry_at,
                       &c->claimed_until,
                       &c->first_failed_at,
                       &c->past_due_at,
                       &c->suspended_at,
                       &c->resolved_at,
                       &c->updated_at};
    int col = 0;
    for (; col < (int)(sizeof ints / sizeof ints[0]); col++)
        *ints[col] = db_int(st, col);
    c->no_retry = db_int(st, col++) != 0;
    c->state = col_str(a, st, col++);
    c->last_decline_code = col_str(a, st, col++);
    c->invoice_number = col_str(a, st, col);
}

static store_status_t one_case(db_stmt_t *st, arena_t *a, dunning_case_t *out)
{
    store_status_t r = one_row(st);
    if (r != STORE_OK) return r;
    read_case(a, st, out);
    db_done(st);
    return STORE_OK;
}

store_status_t store_dunning_case_of_invoice(store_t *s, arena_t *a, int64_t invoice_id,
                                             dunning_case_t *out)
{
    return one_case(db_query(s->db, CASE_COLUMNS " WHERE d.invoice_id = $1", "i", invoice_id), a,
                    out);
}

store_status_t store_dunning_case_by_id(store_t *s, arena_t *a, int64_t id, dunning_case_t *out)
{
    return one_case(db_query(s->db, CASE_COLUMNS " WHERE d.id = $1", "i", id), a, out);
}

store_status_t store_dunning_case_insert(store_t *s, const dunning_case_t *c, int64_t now,
                                         int64_t *id)
{
    return from_db(db_insert(
        s->db, id,
        "INSERT INTO dunning_cases (account_id, invoice_id, state, failures, last_decline_code,"
        " no_retry, next_retry_at, claimed_until, first_failed_at, past_due_at, suspended_at,"
        " resolved_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, NULLIF($7, 0), $8, $9,"
        " NULLIF($10, 0), NULLIF($11, 0), NULLIF($12, 0), $13)",
        "iisisiiiiiiii", c->account_id, c->invoice_id, c->state, c->failures, c->last_decline_code,
        (int64_t)(c->no_retry ? 1 : 0), c->next_retry_at, c->claimed_until, c->first_failed_at,
        c->past_due_at, c->suspended_at, c->resolved_at, now));
}

store_status_t store_dunning_case_update(store_t *s, const dunning_case_t *c, int64_t now)
{
    return must_change(
        s, db_exec(s->db,
                   "UPDATE dunning_cases SET state = $1, failures = $2, last_decline_code = $3,"
                   " no_retry = $4, next_retry_at = NULLIF($5, 0), claimed_until = $6,"
                   " past_due_at = NULLIF($7, 0), suspended_at = NULLIF($8, 0),"
                   " resolved_at = NULLIF($9, 0), updated_at = $10 WHERE id = $11",
                   "sisiiiiiiii", c->state, c->failures, c->last_decline_code,
                   (int64_t)(c->no_retry ? 1 : 0), c->next_retry_at, c->claimed_until,
                   c->past_due_at, c->suspended_at, c->resolved_at, now, c->id));
}

store_status_t store_dunning_claim(store_t *s, int64_t id, int64_t now, int64_t until)
{
    /* PostgreSQL: a second node's UPDATE waits for the first's row lock, then finds the lease
     * taken and changes nothing. */
    return must_change(s, db_exec(s->db,
                                  "UPDATE dunning_cases SET claimed_until = $1 WHERE id = $2"
                                  " AND claimed_until <= $3 AND state <> 'resolved'"
                                  " AND no_retry = 0 AND next_retry_at <= $4",
                                  "iiii", until, id, now, now));
}

store_status_t store_dunning_due(store_t *s, arena_t *a, int64_t now, int limit, int64_t **ids,
                                 size_t *n)
{
    return read_id_rows(
        db_query(s->db,
                 "SELECT id FROM dunning_cases WHERE state IN ('retrying', 'past_due',"
                 " 'suspended') AND next_retry_at <= $1 AND no_retry = 0"
                 " AND claimed_until <= $2 ORDER BY next_retry_at, id LIMIT $3",
                 "iii", now, now, (int64_t)limit),
        a, limit, ids, n);
}

store_status_t store_dunning_to_suspend(store_t *s, arena_t *a, int64_t before, int limit,
                                        int64_t **ids, size_t *n)
{
    return read_id_rows(db_query(s->db,
                                 "SELECT id FROM dunning_cases WHERE state = 'past_due'"
                                 " AND past_due_at <= $1 ORDER BY past_due_at, id LIMIT $2",
                                 "ii", before, (int64_t)limit),
                        a, limit, ids, n);
}

store_status_t store_dunning_cases_of(store_t *s, arena_t *a, int64_t account_id, int limit,
                                      dunning_case_t **out, size_t *n)
{
    *n = 0;
    *out = arena_alloc(a, sizeof **out * (size_t)(limit > 0 ? limit : 1));
    db_stmt_t *st = db_query(s->db,
                             CASE_COLUMNS " WHERE d.account_id = $1 ORDER BY d.id DESC"
                                          " LIMIT $2",
                             "ii", account_id, (int64_t)limit);
    if (!st) return STORE_ERROR;
    db_status_t r;
    while ((r = db_step(st)) == DB_ROW && *n < (size_t)limit)
        read_case(a, st, &(*out)[(*n)++]);
    db_done(st);
    return r == DB_ROW || r == DB_OK ? STORE_OK : from_db(r);
}

store_status_t store_dunning_retry_now(store_t *s, int64_t account_id, int64_t now,
                                       int64_t *changed)
{
    *changed = 0;
    db_status_t r = db_exec(s->db,
                            "UPDATE dunning_cases SET next_retry_at = $1, no_retry = 0,"
                            " updated_at = $2 WHERE account_id = $3 AND state <> 'resolved'",
                            "iii", now, now, account_id);
    if (r == DB_OK) *changed = db_changes(s->db);
    return from_db(r);
}

store_status_t store_setting_first(store_t *s, const char *key, const char *value)
{
    return from_db(db_exec(s->db,
                           "INSERT INTO vendor_settings (key, value) VALUES ($1, $2)"
                           " ON CONFLICT (key) DO NOTHING",
                           "ss", key, value));
}
