/* The store's accounts: Bill To, contact, payment method, invoice recipients, purchase orders. */
#include "store_internal.h"

#include <string.h>

/* ---- accounts ------------------------------------------------------------------------ */

store_status_t store_account_by_id(store_t *s, arena_t *a, int64_t id, account_t *out)
{
    db_stmt_t *st = db_query(
        s->db,
        "SELECT a.id, a.kind, a.name, a.currency, a.lang, a.bill_to_name, a.address_line1,"
        " a.address_line2, a.city, a.region, a.postal_code, a.country, a.phone,"
        " COALESCE(a.sales_rep_id, 0), COALESCE(r.name, ''), COALESCE(r.email, ''),"
        " a.payment_method, a.debit_holder, a.debit_routing, a.debit_account, a.debit_iban,"
        " a.debit_routing_hint, a.debit_number_hint"
        " FROM accounts a LEFT JOIN staff_users r ON r.id = a.sales_rep_id WHERE a.id = $1",
        "i", id);
    store_status_t r = one_row(st);
    if (r != STORE_OK) return r;
    out->id = db_int(st, 0);
    out->kind = col_str(a, st, 1);
    out->name = col_str(a, st, 2);
    out->currency = col_str(a, st, 3);
    out->lang = col_str(a, st, 4);
    out->bill_to_name = col_str(a, st, 5);
    out->address_line1 = col_str(a, st, 6);
    out->address_line2 = col_str(a, st, 7);
    out->city = col_str(a, st, 8);
    out->region = col_str(a, st, 9);
    out->postal_code = col_str(a, st, 10);
    out->country = col_str(a, st, 11);
    out->phone = col_str(a, st, 12);
    out->sales_rep_id = db_int(st, 13);
    out->sales_rep_name = col_str(a, st, 14);
    out->sales_rep_email = col_str(a, st, 15);
    out->payment_method = col_str(a, st, 16);
    out->debit_holder = col_str(a, st, 17);
    out->debit_routing = col_str(a, st, 18);
    out->debit_account = col_str(a, st, 19);
    out->debit_iban = col_str(a, st, 20);
    out->debit_routing_hint = col_str(a, st, 21);
    out->debit_number_hint = col_str(a, st, 22);
    db_done(st);
    return STORE_OK;
}

store_status_t store_update_bill_to(store_t *s, const account_t *acc)
{
    return must_change(s, db_exec(s->db,
                                  "UPDATE accounts SET bill_to_name = $1, address_line1 = $2,"
                                  " address_line2 = $3, city = $4, region = $5, postal_code = $6,"
                                  " phone = $7 WHERE id = $8",
                                  "sssssssi", acc->bill_to_name, acc->address_line1,
                                  acc->address_line2, acc->city, acc->region, acc->postal_code,
                                  acc->phone, acc->id));
}

store_status_t store_update_contact(store_t *s, int64_t credential_id, const char *name,
                                    const char *email)
{
    return must_change(s, db_exec(s->db,
                                  "UPDATE portal_credentials SET contact_name = $1,"
                                  " contact_email = $2 WHERE id = $3",
                                  "ssi", name, email, credential_id));
}

store_status_t store_update_payment(store_t *s, const account_t *acc, int64_t mandate_at)
{
    return must_change(s, db_exec(s->db,
                                  "UPDATE accounts SET payment_method = $1, debit_holder = $2,"
                                  " debit_routing = $3, debit_account = $4, debit_iban = $5,"
                                  " debit_routing_hint = $6, debit_number_hint = $7,"
                                  " debit_mandate_at = NULLIF($8, 0) WHERE id = $9",
                                  "sssssssii", acc->payment_method, acc->debit_holder,
                                  acc->debit_routing, acc->debit_account, acc->debit_iban,
                                  acc->debit_routing_hint, acc->debit_number_hint, mandate_at,
                                  acc->id));
}

store_status_t store_debits_unsealed(store_t *s, arena_t *a, debit_numbers_t **out, size_t *n)
{
    *n = 0;
    size_t cap = 8;
    *out = arena_alloc(a, cap * sizeof **out);
    db_stmt_t *st = db_query(s->db,
                             "SELECT id, debit_routing, debit_account, debit_iban FROM accounts"
                             " WHERE (debit_routing <> '' AND debit_routing NOT LIKE 'v1:%')"
                             " OR (debit_account <> '' AND debit_account NOT LIKE 'v1:%')"
                             " OR (debit_iban <> '' AND debit_iban NOT LIKE 'v1:%') ORDER BY id",
                             "");
    if (!st) return STORE_ERROR;
    db_status_t r;
    while ((r = db_step(st)) == DB_ROW) {
        if (*n == cap) {
            debit_numbers_t *bigger = arena_alloc(a, 2 * cap * sizeof *bigger);
            memcpy(bigger, *out, cap * sizeof *bigger);
            *out = bigger;
            cap *= 2;
        }
        debit_numbers_t *d = &(*out)[(*n)++];
        *d = (debit_numbers_t){.account_id = db_int(st, 0),
                               .routing = col_str(a, st, 1),
                               .account = col_str(a, st, 2),
                               .iban = col_str(a, st, 3)};
    }
    db_done(st);
    return r == DB_OK ? STORE_OK : from_db(r);
}

store_status_t store_set_debit_numbers(store_t *s, const debit_numbers_t *d)
{
    return must_change(s, db_exec(s->db,
                                  "UPDATE accounts SET debit_routing = $1, debit_account = $2,"
                                  " debit_iban = $3, debit_routing_hint = $4,"
                                  " debit_number_hint = $5 WHERE id = $6",
                                  "sssssi", d->routing, d->account, d->iban, d->routing_hint,
                                  d->number_hint, d->account_id));
}

store_status_t store_accounts_list(store_t *s, arena_t *a, int limit, int offset,
                                   account_row_t **out, size_t *n)
{
    *n = 0;
    *out = arena_alloc(a, (size_t)(limit > 0 ? limit : 1) * sizeof **out);
    db_stmt_t *st = db_query(s->db,
                             "SELECT a.id, a.kind, a.name, a.country, a.currency,"
                             " (SELECT COUNT(*) FROM invoices i WHERE i.account_id = a.id)"
                             " FROM accounts a ORDER BY a.name, a.id LIMIT $1 OFFSET $2",
                             "ii", (int64_t)limit, (int64_t)offset);
    if (!st) return STORE_ERROR;
    db_status_t r;
    while (*n < (size_t)limit && (r = db_step(st)) == DB_ROW) {
        account_row_t *row = &(*out)[(*n)++];
        row->id = db_int(st, 0);
        row->kind = col_str(a, st, 1);
        row->name = col_str(a, st, 2);
        row->country = col_str(a, st, 3);
        row->currency = col_str(a, st, 4);
        row->invoices = db_int(st, 5);
    }
    db_done(st);
    return STORE_OK;
}

/* ---- invoice recipients -------------------------------------------------------------- */

store_status_t store_add_invoice_recipient(store_t *s, int64_t account_id, const char *name,
                                           const char *email, int64_t now)
{
    return from_db(db_exec(s->db,
                           "INSERT INTO invoice_recipients (account_id, name, email, created_at)"
                           " VALUES ($1, $2, $3, $4)",
                           "issi", account_id, name, email, now));
}

/* ---- purchase orders ----------------------------------------------------------------- */

store_status_t store_recipients_of(store_t *s, arena_t *a, int64_t account_id,
                                   recipient_row_t **out, size_t *n)
{
    *n = 0;
    *out = arena_alloc(a, 101 * sizeof **out);
    db_stmt_t *st = db_query(s->db,
                             "SELECT id, name, email FROM invoice_recipients WHERE account_id = $1"
                             " ORDER BY id LIMIT 100",
                             "i", account_id);
    if (!st) return STORE_ERROR;
    db_status_t r;
    while ((r = db_step(st)) == DB_ROW) {
        recipient_row_t *row = &(*out)[(*n)++];
        row->id = db_int(st, 0);
        row->name = col_str(a, st, 1);
        row->email = col_str(a, st, 2);
    }
    return r == DB_OK ? STORE_OK : from_db(r);
}

store_status_t store_remove_recipient(store_t *s, int64_t account_id, int64_t id,
                                      char **email_removed, arena_t *a)
{
    db_stmt_t *st =
        db_query(s->db, "SELECT email FROM invoice_recipients WHERE id = $1 AND account_id = $2",
                 "ii", id, account_id);
    store_status_t r = one_row(st);
    if (r != STORE_OK) return r;
    *email_removed = col_str(a, st, 0);
    db_done(st);
    return must_change(
        s, db_exec(s->db, "DELETE FROM invoice_recipients WHERE id = $1 AND account_id = $2", "ii",
                   id, account_id));
}

static void read_po(db_stmt_t *st, arena_t *a, po_t *po)
{
    po->id = db_int(st, 0);
    po->number = col_str(a, st, 1);
    po->amount = db_is_null(st, 2) ? -1 : db_int(st, 2);
    po->start_date = col_str(a, st, 3);
    po->end_date = col_str(a, st, 4);
}

store_status_t store_pos_of(store_t *s, arena_t *a, int64_t account_id, po_t **out, size_t *n)
{
    *n = 0;
    size_t cap = 8;
    *out = arena_alloc(a, cap * sizeof **out);
    db_stmt_t *st = db_query(s->db,
                             "SELECT id, number, amount, start_date, end_date FROM purchase_orders"
                             " WHERE account_id = $1 ORDER BY start_date DESC, id DESC",
                             "i", account_id);
    if (!st) return STORE_ERROR;
    db_status_t r;
    while ((r = db_step(st)) == DB_ROW) {
        if (*n == cap) {
            po_t *bigger = arena_alloc(a, 2 * cap * sizeof *bigger);
            memcpy(bigger, *out, cap * sizeof *bigger);
            *out = bigger;
            cap *= 2;
        }
        read_po(st, a, &(*out)[(*n)++]);
    }
    return r == DB_OK ? STORE_OK : from_db(r);
}

store_status_t store_po_by_id(store_t *s, arena_t *a, int64_t account_id, int64_t id, po_t *out)
{
    db_stmt_t *st = db_query(s->db,
                             "SELECT id, number, amount, start_date, end_date FROM purchase_orders"
                             " WHERE id = $1 AND account_id = $2",
                             "ii", id, account_id);
    store_status_t r = one_row(st);
    if (r != STORE_OK) return r;
    read_po(st, a, out);
    db_done(st);
    return STORE_OK;
}

store_status_t store_po_overlaps(store_t *s, int64_t account_id, int64_t except_id,
                                 const char *start_date, const char *end_date, int64_t *count)
{
    return returning_id(db_query(s->db,
                                 "SELECT COUNT(*) FROM purchase_orders WHERE account_id = $1"
                                 " AND id <> $2 AND start_date <= $3 AND end_date >= $4",
                                 "iiss", account_id, except_id, end_date, start_date),
                        count);
}

store_status_t store_po_insert(store_t *s, int64_t account_id, const po_t *po, int64_t now,
                               int64_t *id)
{
    return from_db(db_insert(s->db, id,
                             "INSERT INTO purchase_orders (account_id, number, amount, start_date,"
                             " end_date, created_at) VALUES ($1, $2, NULLIF($3, -1), $4, $5, $6)",
                             "isissi", account_id, po->number, po->amount, po->start_date,
                             po->end_date, now));
}

store_status_t store_po_update(store_t *s, int64_t account_id, const po_t *po)
{
    return must_change(s, db_exec(s->db,
                                  "UPDATE purchase_orders SET number = $1, amount = NULLIF($2, -1),"
                                  " reminder_sent_at = CASE WHEN end_date = $3 THEN"
                                  " reminder_sent_at END, start_date = $4, end_date = $5"
                                  " WHERE id = $6 AND account_id = $7",
                                  "sisssii", po->number, po->amount, po->end_date, po->start_date,
                                  po->end_date, po->id, account_id));
}

store_status_t store_po_delete(store_t *s, int64_t account_id, int64_t id)
{
    return must_change(s, db_exec(s->db,
                                  "DELETE FROM purchase_orders WHERE id = $1 AND account_id = $2",
                                  "ii", id, account_id));
}

store_status_t store_pos_needing_reminder(store_t *s, arena_t *a, const char *today,
                                          const char *last_day, po_reminder_t **out, size_t *n)
{
    *n = 0;
    size_t cap = 16;
    *out = arena_alloc(a, cap * sizeof **out);
    db_stmt_t *st = db_query(
        s->db,
        "SELECT p.id, p.account_id, p.number, p.end_date, c.contact_name, c.contact_email,"
        " c.user_id, a.lang, a.country FROM purchase_orders p"
        " JOIN accounts a ON a.id = p.account_id JOIN portal_credentials c ON c.account_id = a.id"
        " WHERE p.reminder_sent_at IS NULL AND p.start_date <= $1 AND p.end_date >= $2"
        " AND p.end_date <= $3 ORDER BY p.id LIMIT 1000",
        "sss", today, today, last_day);
    if (!st) return STORE_ERROR;
    db_status_t r;
    while ((r = db_step(st)) == DB_ROW) {
        if (*n == cap) {
            po_reminder_t *bigger = arena_alloc(a, 2 * cap * sizeof *bigger);
            memcpy(bigger, *out, cap * sizeof *bigger);
            *out = bigger;
            cap *= 2;
        }
        po_reminder_t *p = &(*out)[(*n)++];
        p->po_id = db_int(st, 0);
        p->account_id = db_int(st, 1);
        p->number = col_str(a, st, 2);
        p->end_date = col_str(a, st, 3);
        p->contact_name = col_str(a, st, 4);
        p->contact_email = col_str(a, st, 5);
        p->user_id = col_str(a, st, 6);
        p->lang = col_str(a, st, 7);
        p->country = col_str(a, st, 8);
    }
    return r == DB_OK ? STORE_OK : from_db(r);
}

store_status_t store_po_reminded(store_t *s, int64_t id, int64_t now)
{
    return must_change(s, db_exec(s->db,
                                  "UPDATE purchase_orders SET reminder_sent_at = $1 WHERE id = $2"
                                  " AND reminder_sent_at IS NULL",
                                  "ii", now, id));
}
