/* Cards on file in the database: the hosted set-ups opened, the one card each account keeps,
 * and the invoices due an automatic charge. */
#include "store_internal.h"

#include <string.h>

store_status_t store_card_setup_insert(store_t *s, int64_t account_id, const char *gateway,
                                       int64_t now, int64_t *id)
{
    return from_db(db_insert(s->db, id,
                             "INSERT INTO card_setups (account_id, gateway, state, created_at)"
                             " VALUES ($1, $2, 'pending', $3)",
                             "isi", account_id, gateway, now));
}

store_status_t store_card_setup_set_session(store_t *s, int64_t id, const char *session_ref)
{
    return must_change(s, db_exec(s->db, "UPDATE card_setups SET session_ref = $1 WHERE id = $2",
                                  "si", session_ref, id));
}

store_status_t store_card_setup_by_id(store_t *s, arena_t *a, int64_t id, card_setup_t *out)
{
    db_stmt_t *st = db_query(s->db,
                             "SELECT id, account_id, created_at, COALESCE(settled_at, 0), gateway,"
                             " session_ref, state FROM card_setups WHERE id = $1",
                             "i", id);
    store_status_t r = one_row(st);
    if (r != STORE_OK) return r;
    out->id = db_int(st, 0);
    out->account_id = db_int(st, 1);
    out->created_at = db_int(st, 2);
    out->settled_at = db_int(st, 3);
    out->gateway = col_str(a, st, 4);
    out->session_ref = col_str(a, st, 5);
    out->state = col_str(a, st, 6);
    db_done(st);
    return STORE_OK;
}

store_status_t store_card_setup_finish(store_t *s, int64_t id, const char *state, int64_t now)
{
    return must_change(s, db_exec(s->db,
                                  "UPDATE card_setups SET state = $1, settled_at = $2"
                                  " WHERE id = $3 AND state = 'pending'",
                                  "sii", state, now, id));
}

store_status_t store_payment_card_of(store_t *s, arena_t *a, int64_t account_id,
                                     payment_card_t *out)
{
    db_stmt_t *st = db_query(s->db,
                             "SELECT account_id, exp_month, exp_year, autopay, updated_at, gateway,"
                             " customer_ref, method_ref, brand, last4, holder_name"
                             " FROM payment_cards WHERE account_id = $1",
                             "i", account_id);
    store_status_t r = one_row(st);
    if (r != STORE_OK) return r;
    out->account_id = db_int(st, 0);
    out->exp_month = db_int(st, 1);
    out->exp_year = db_int(st, 2);
    out->autopay = db_int(st, 3) != 0;
    out->updated_at = db_int(st, 4);
    char **texts[] = {&out->gateway, &out->customer_ref, &out->method_ref,
                      &out->brand,   &out->last4,        &out->holder_name};
    for (int c = 0; c < (int)(sizeof texts / sizeof texts[0]); c++)
        *texts[c] = col_str(a, st, 5 + c);
    db_done(st);
    return STORE_OK;
}

store_status_t store_payment_card_upsert(store_t *s, const payment_card_t *c, int64_t now)
{
    /* A replaced card keeps the account's autopay choice: the update leaves that column. */
    return from_db(db_exec(
        s->db,
        "INSERT INTO payment_cards (account_id, gateway, customer_ref, method_ref, brand, last4,"
        " exp_month, exp_year, holder_name, autopay, updated_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10)"
        " ON CONFLICT (account_id) DO UPDATE SET gateway = excluded.gateway,"
        " customer_ref = excluded.customer_ref, method_ref = excluded.method_ref,"
        " brand = excluded.brand, last4 = excluded.last4, exp_month = excluded.exp_month,"
        " exp_year = excluded.exp_year, holder_name = excluded.holder_name,"
        " updated_at = excluded.updated_at",
        "isssssiisi", c->account_id, c->gateway, c->customer_ref, c->method_ref, c->brand, c->last4,
        c->exp_month, c->exp_year, c->holder_name, now));
}

store_status_t store_payment_card_delete(store_t *s, int64_t account_id)
{
    return must_change(
        s, db_exec(s->db, "DELETE FROM payment_cards WHERE account_id = $1", "i", account_id));
}

store_status_t store_payment_card_set_autopay(store_t *s, int64_t account_id, bool autopay,
                                              int64_t now)
{
    return must_change(s, db_exec(s->db,
                                  "UPDATE payment_cards SET autopay = $1, updated_at = $2"
                                  " WHERE account_id = $3",
                                  "iii", (int64_t)(autopay ? 1 : 0), now, account_id));
}

store_status_t store_autopay_due(store_t *s, arena_t *a, const char *today, int64_t day_start,
                                 int64_t now, int limit, int64_t **ids, size_t *n)
{
    /* Open invoices of corporate accounts paying by the card on file with autopay on, due by
     * today (an online account's renewals are charged by dunning.c), that
     * no automatic attempt has touched since today began and no payment in progress holds (the
     * claim checks all of it again under the invoice's lock). */
    db_stmt_t *st =
        db_query(s->db,
                 "SELECT i.id FROM invoices i JOIN payment_cards c ON c.account_id = i.account_id"
                 " JOIN accounts a ON a.id = i.account_id"
                 " WHERE c.autopay = 1 AND a.payment_method = 'card' AND a.kind = 'corporate'"
                 " AND i.status IN ('open', 'partially_paid') AND i.amount_paid < i.total"
                 " AND i.due_date <= $1"
                 " AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.invoice_id = i.id"
                 " AND ((p.source = 'saved_card' AND p.created_at >= $2)"
                 " OR p.state IN ('processing', 'unknown')"
                 " OR (p.state = 'pending' AND p.reserved_until > $3)))"
                 " ORDER BY i.id LIMIT $4",
                 "siii", today, day_start, now, (int64_t)limit);
    return read_id_rows(st, a, limit, ids, n);
}

store_status_t store_saved_card_attempts(store_t *s, int64_t invoice_id, int64_t since,
                                         int64_t *count)
{
    return returning_id(db_query(s->db,
                                 "SELECT COUNT(*) FROM payments WHERE invoice_id = $1"
                                 " AND source = 'saved_card' AND created_at >= $2",
                                 "ii", invoice_id, since),
                        count);
}
