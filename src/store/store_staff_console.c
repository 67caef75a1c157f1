/* The store's part of the staff console: creating corporate accounts and their portal User IDs,
 * searching accounts, an account's emails, sign-in attempts and audit entries by kind. */
#include "store_internal.h"

#include <string.h>

/* A name or User ID taken meanwhile is a refusal (STORE_CONFLICT), never an error logged: the
 * inserts are ON CONFLICT DO NOTHING (store_catalog.c, shared with the demo's ensure_*). */
store_status_t store_account_create(store_t *s, const account_t *acc, int64_t now, int64_t *id)
{
    store_status_t r = account_insert(s, acc, now, id);
    return r == STORE_NOT_FOUND ? STORE_CONFLICT : r;
}

store_status_t store_credential_create(store_t *s, const credential_t *c, int64_t now, int64_t *id)
{
    store_status_t r = credential_insert(s, c, now, id);
    return r == STORE_NOT_FOUND ? STORE_CONFLICT : r;
}

store_status_t store_account_name_taken(store_t *s, const char *name, bool *taken)
{
    int64_t n = 0;
    store_status_t r = returning_id(
        db_query(s->db, "SELECT COUNT(*) FROM accounts WHERE name = $1", "s", name), &n);
    *taken = n > 0;
    return r;
}

store_status_t store_user_id_taken(store_t *s, const char *user_id, bool *taken)
{
    int64_t n = 0;
    store_status_t r = returning_id(
        db_query(s->db, "SELECT COUNT(*) FROM portal_credentials WHERE user_id = $1", "s", user_id),
        &n);
    *taken = n > 0;
    return r;
}

store_status_t store_credential_of_account(store_t *s, arena_t *a, int64_t account_id,
                                           credential_t *out)
{
    int64_t id = 0;
    store_status_t r = returning_id(
        db_query(s->db, "SELECT id FROM portal_credentials WHERE account_id = $1", "i", account_id),
        &id);
    if (r != STORE_OK) return r;
    return store_credential_by_id(s, a, id, out);
}

store_status_t store_staff_with_role(store_t *s, arena_t *a, const char *role, staff_user_t **out,
                                     size_t *n)
{
    enum { MAX = 500 };
    *n = 0;
    *out = arena_alloc(a, MAX * sizeof **out);
    db_stmt_t *st = db_query(s->db,
                             "SELECT id, email, name, role FROM staff_users WHERE role = $1"
                             " AND active = 1 ORDER BY name, id LIMIT $2",
                             "si", role, (int64_t)MAX);
    if (!st) return STORE_ERROR;
    db_status_t r;
    while (*n < MAX && (r = db_step(st)) == DB_ROW) {
        staff_user_t *u = &(*out)[(*n)++];
        *u = (staff_user_t){.id = db_int(st, 0),
                            .email = col_str(a, st, 1),
                            .name = col_str(a, st, 2),
                            .role = col_str(a, st, 3),
                            .password_hash = ""};
    }
    db_done(st);
    return from_db(r);
}

store_status_t store_price_currencies(store_t *s, arena_t *a, char ***out, size_t *n)
{
    enum { MAX = 64 };
    *n = 0;
    *out = arena_alloc(a, MAX * sizeof **out);
    db_stmt_t *st = db_query(s->db,
                             "SELECT DISTINCT r.currency FROM prices r JOIN plans p ON p.id = "
                             "r.plan_id WHERE p.active = 1 ORDER BY r.currency LIMIT $1",
                             "i", (int64_t)MAX);
    if (!st) return STORE_ERROR;
    db_status_t r;
    while (*n < MAX && (r = db_step(st)) == DB_ROW)
        (*out)[(*n)++] = col_str(a, st, 0);
    db_done(st);
    return from_db(r);
}

/* What a hit shows: the account, its billing contact's email and portal User ID. */
#define HIT_SELECT                                                                                 \
    "SELECT a.id, a.kind, a.name, a.country, a.currency, COALESCE(a.sales_rep_id, 0),"             \
    " COALESCE(r.name, ''), COALESCE(c.user_id, ''), COALESCE(c.contact_email, u.email, ''),"      \
    " (SELECT COUNT(*) FROM invoices i WHERE i.account_id = a.id)"                                 \
    " FROM accounts a LEFT JOIN staff_users r ON r.id = a.sales_rep_id"                            \
    " LEFT JOIN portal_credentials c ON c.account_id = a.id"                                       \
    " LEFT JOIN account_users u ON u.account_id = a.id AND u.role = 'billing_admin'"

static store_status_t read_hits(arena_t *a, db_stmt_t *st, int limit, account_hit_t **out,
                                size_t *n)
{
    *n = 0;
    *out = arena_alloc(a, (size_t)(limit > 0 ? limit : 1) * sizeof **out);
    if (!st) return STORE_ERROR;
    db_status_t r = DB_OK;
    while (*n < (size_t)limit && (r = db_step(st)) == DB_ROW) {
        account_hit_t *h = &(*out)[(*n)++];
        h->id = db_int(st, 0);
        h->kind = col_str(a, st, 1);
        h->name = col_str(a, st, 2);
        h->country = col_str(a, st, 3);
        h->currency = col_str(a, st, 4);
        h->sales_rep_id = db_int(st, 5);
        h->sales_rep_name = col_str(a, st, 6);
        h->user_id = col_str(a, st, 7);
        h->contact_email = col_str(a, st, 8);
        h->invoices = db_int(st, 9);
    }
    db_done(st);
    return from_db(r);
}

store_status_t store_accounts_search(store_t *s, arena_t *a, const char *lower_text,
                                     const char *name_pattern, int64_t sales_rep_id, int limit,
                                     account_hit_t **out, size_t *n)
{
    /* The name anywhere (lower-cased on both sides, so SQLite and PostgreSQL agree); an email, a
     * User ID and an invoice number exactly, as they are stored (logins in lower case). */
    db_stmt_t *st = db_query(
        s->db,
        HIT_SELECT
        " WHERE ($1 = 0 OR a.sales_rep_id = $2) AND ("
        " ($3 <> '' AND LOWER(a.name) LIKE $4 ESCAPE '\\')"
        " OR LOWER(c.contact_email) = $5 OR LOWER(u.email) = $6 OR c.user_id = $7"
        " OR EXISTS (SELECT 1 FROM invoices i WHERE i.account_id = a.id AND LOWER(i.number) = $8))"
        " ORDER BY a.name, a.id LIMIT $9",
        "iissssssi", sales_rep_id, sales_rep_id, name_pattern, name_pattern, lower_text, lower_text,
        lower_text, lower_text, (int64_t)limit);
    return read_hits(a, st, limit, out, n);
}

store_status_t store_accounts_of_rep(store_t *s, arena_t *a, int64_t sales_rep_id, int limit,
                                     account_hit_t **out, size_t *n)
{
    db_stmt_t *st = db_query(s->db,
                             HIT_SELECT " WHERE ($1 = 0 OR a.sales_rep_id = $2)"
                                        " ORDER BY a.name, a.id LIMIT $3",
                             "iii", sales_rep_id, sales_rep_id, (int64_t)limit);
    return read_hits(a, st, limit, out, n);
}

store_status_t store_outbox_of_account(store_t *s, arena_t *a, int64_t account_id, int limit,
                                       outbox_entry_t **out, size_t *n)
{
    *n = 0;
    *out = arena_alloc(a, (size_t)(limit > 0 ? limit : 1) * sizeof **out);
    db_stmt_t *st = db_query(s->db,
                             "SELECT id, created_at, kind, to_addr, subject, COALESCE(sent_at, 0),"
                             " COALESCE(failed_at, 0), attempts, sender_ref"
                             " FROM email_outbox WHERE account_id = $1"
                             " ORDER BY created_at DESC, id DESC LIMIT $2",
                             "ii", account_id, (int64_t)limit);
    if (!st) return STORE_ERROR;
    db_status_t r = DB_OK;
    while (*n < (size_t)limit && (r = db_step(st)) == DB_ROW) {
        outbox_entry_t *e = &(*out)[(*n)++];
        e->id = db_int(st, 0);
        e->created_at = db_int(st, 1);
        e->kind = col_str(a, st, 2);
        e->to_addr = col_str(a, st, 3);
        e->subject = col_str(a, st, 4);
        e->sent_at = db_int(st, 5);
        e->failed_at = db_int(st, 6);
        e->attempts = db_int(st, 7);
        e->sender_ref = col_str(a, st, 8);
    }
    db_done(st);
    return from_db(r);
}

store_status_t store_attempts_of_login(store_t *s, arena_t *a, audience_t aud, const char *login,
                                       int limit, attempt_row_t **out, size_t *n)
{
    *n = 0;
    *out = arena_alloc(a, (size_t)(limit > 0 ? limit : 1) * sizeof **out);
    db_stmt_t *st = db_query(s->db,
                             "SELECT id, at, ip, succeeded, pending FROM sign_in_attempts"
                             " WHERE audience = $1 AND login = $2 ORDER BY id DESC LIMIT $3",
                             "ssi", audience_name(aud), login, (int64_t)limit);
    if (!st) return STORE_ERROR;
    db_status_t r = DB_OK;
    while (*n < (size_t)limit && (r = db_step(st)) == DB_ROW) {
        attempt_row_t *e = &(*out)[(*n)++];
        e->id = db_int(st, 0);
        e->at = db_int(st, 1);
        e->ip = col_str(a, st, 2);
        e->succeeded = db_int(st, 3) != 0;
        e->pending = db_int(st, 4) != 0;
    }
    db_done(st);
    return from_db(r);
}

store_status_t store_attempt_lift(store_t *s, audience_t aud, const char *login, int64_t now)
{
    /* A success with no address: the lockout counts only failures after the last success, so
     * this ends the lock and keeps every attempt for the record. */
    return from_db(db_exec(s->db,
                           "INSERT INTO sign_in_attempts (audience, login, ip, at, succeeded,"
                           " pending) VALUES ($1, $2, '', $3, 1, 0)",
                           "ssi", audience_name(aud), login, now));
}

store_status_t store_account_logins(store_t *s, arena_t *a, int64_t account_id,
                                    account_user_t **out, size_t *n)
{
    enum { MAX = 200 };
    *n = 0;
    *out = arena_alloc(a, MAX * sizeof **out);
    db_stmt_t *st = db_query(s->db,
                             "SELECT id, email, name, role FROM account_users WHERE account_id = $1"
                             " ORDER BY role, email LIMIT $2",
                             "ii", account_id, (int64_t)MAX);
    if (!st) return STORE_ERROR;
    db_status_t r = DB_OK;
    while (*n < MAX && (r = db_step(st)) == DB_ROW) {
        account_user_t *u = &(*out)[(*n)++];
        *u = (account_user_t){.id = db_int(st, 0),
                              .account_id = account_id,
                              .email = col_str(a, st, 1),
                              .name = col_str(a, st, 2),
                              .role = col_str(a, st, 3),
                              .password_hash = ""};
    }
    db_done(st);
    return from_db(r);
}

store_status_t store_payments_unknown_count(store_t *s, int64_t *n)
{
    return returning_id(
        db_query(s->db, "SELECT COUNT(*) FROM payments WHERE state = 'unknown'", ""), n);
}

store_status_t store_dunning_accounts(store_t *s, arena_t *a, int limit, dunning_hit_t **out,
                                      size_t *n)
{
    *n = 0;
    *out = arena_alloc(a, (size_t)(limit > 0 ? limit : 1) * sizeof **out);
    db_stmt_t *st =
        db_query(s->db,
                 "SELECT a.id, a.name, d.state, i.number FROM dunning_cases d"
                 " JOIN accounts a ON a.id = d.account_id"
                 " JOIN invoices i ON i.id = d.invoice_id"
                 " WHERE d.state <> 'resolved' ORDER BY d.first_failed_at, d.id LIMIT $1",
                 "i", (int64_t)limit);
    if (!st) return STORE_ERROR;
    db_status_t r = DB_OK;
    while (*n < (size_t)limit && (r = db_step(st)) == DB_ROW) {
        dunning_hit_t *h = &(*out)[(*n)++];
        h->account_id = db_int(st, 0);
        h->name = col_str(a, st, 1);
        h->state = col_str(a, st, 2);
        h->invoice_number = col_str(a, st, 3);
    }
    db_done(st);
    return from_db(r);
}
