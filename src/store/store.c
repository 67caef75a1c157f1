/* The store's queries, written once in SQL that SQLite and PostgreSQL both run (see db.h). */
#include "store_internal.h"
#include "migrations.h"
#include "util/token.h"
#include "util/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const audience_names[AUDIENCE_COUNT] = {"corporate", "billing", "staff"};

const char *audience_name(audience_t a)
{
    return (unsigned)a < AUDIENCE_COUNT ? audience_names[a] : "corporate";
}

store_status_t from_db(db_status_t s)
{
    switch (s) {
    case DB_OK:
    case DB_ROW:
        return STORE_OK;
    case DB_BUSY:
        return STORE_BUSY;
    case DB_CONSTRAINT:
        return STORE_CONFLICT;
    default:
        return STORE_ERROR;
    }
}

/* Copies column col as a string into the arena ("" for NULL). */
char *col_str(arena_t *a, db_stmt_t *st, int col)
{
    const char *t = db_text(st, col);
    return arena_strdup(a, t ? t : "");
}

/* Steps a query that returns at most one row: STORE_OK with the row ready, STORE_NOT_FOUND, or
 * a failure. The caller reads the row, then calls db_done. */
store_status_t one_row(db_stmt_t *st)
{
    if (!st) return STORE_ERROR;
    db_status_t r = db_step(st);
    if (r == DB_ROW) return STORE_OK;
    return r == DB_OK ? STORE_NOT_FOUND : from_db(r);
}

/* Runs an INSERT ... RETURNING id (or SELECT id) and stores the id. */
store_status_t returning_id(db_stmt_t *st, int64_t *id)
{
    store_status_t s = one_row(st);
    if (s == STORE_OK) {
        if (id) *id = db_int(st, 0);
        db_done(st);
    }
    return s;
}

/* An UPDATE or DELETE that must touch a row: STORE_NOT_FOUND when it changed nothing. */
store_status_t must_change(store_t *s, db_status_t r)
{
    if (r != DB_OK) return from_db(r);
    return db_changes(s->db) > 0 ? STORE_OK : STORE_NOT_FOUND;
}

/* ---- opening, schema, transactions ---------------------------------------------------- */

store_t *store_open(const char *path, char *err, int err_size)
{
    db_t *db = db_open(path, err, err_size);
    if (!db) return NULL;
    store_t *s = calloc(1, sizeof *s);
    if (!s) {
        db_close(db);
        snprintf(err, (size_t)err_size, "out of memory");
        return NULL;
    }
    s->db = db;
    return s;
}

void store_close(store_t *s)
{
    if (!s) return;
    db_close(s->db);
    free(s);
}

static int schema_version(store_t *s)
{
    if (db_exec(s->db,
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
                NULL) != DB_OK)
        return -1;
    db_stmt_t *st =
        db_query(s->db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", NULL);
    if (one_row(st) != STORE_OK) return -1;
    int v = (int)db_int(st, 0);
    db_done(st);
    return v;
}

store_status_t store_migrate(store_t *s, int *from, int *to)
{
    int v = schema_version(s);
    if (v < 0) return STORE_ERROR;
    *from = v;
    for (int next = v + 1; next <= migration_latest(); next++) {
        if (db_begin(s->db) != DB_OK) return STORE_ERROR;
        if (db_exec_script(s->db, migration_sql(next)) != DB_OK ||
            db_exec(s->db, "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
                    "ii", (int64_t)next, clock_now()) != DB_OK ||
            db_commit(s->db) != DB_OK) {
            db_rollback(s->db);
            fprintf(stderr, "cobro: migration %d failed\n", next);
            return STORE_ERROR;
        }
        v = next;
    }
    *to = v;
    /* The server secret is made once, by whichever migrate runs first. */
    char secret[TOKEN_CHARS + 1];
    token_new(secret);
    return from_db(db_exec(s->db,
                           "INSERT INTO vendor_settings (key, value) VALUES ('server_secret', $1)"
                           " ON CONFLICT (key) DO NOTHING",
                           "s", secret));
}

store_status_t store_check_schema(store_t *s)
{
    int v = schema_version(s);
    return v == migration_latest() ? STORE_OK : STORE_ERROR;
}

store_status_t store_ping(store_t *s)
{
    /* A query that reads a table, from the file rather than from memory: SELECT 1 answered
     * without reading the database at all, so a damaged database still looked healthy. */
    db_forget_cache(s->db);
    db_stmt_t *st = db_query(s->db, "SELECT MAX(version) FROM schema_migrations", NULL);
    store_status_t r = one_row(st);
    db_done(st);
    return r;
}

store_status_t store_begin(store_t *s)
{
    return from_db(db_begin(s->db));
}

store_status_t store_begin_read(store_t *s)
{
    return from_db(db_begin_read(s->db));
}

store_status_t store_commit(store_t *s)
{
    return from_db(db_commit(s->db));
}

store_status_t store_bulk_mode(store_t *s)
{
    /* 64 MiB of page cache: a bill run touches the same index pages again and again. */
    return from_db(db_bulk_cache(s->db, 64 * 1024));
}

void store_rollback(store_t *s)
{
    db_rollback(s->db);
}

const char *store_errmsg(store_t *s)
{
    return db_errmsg(s->db);
}

/* ---- settings ------------------------------------------------------------------------ */

store_status_t store_setting(store_t *s, arena_t *a, const char *key, char **out)
{
    db_stmt_t *st = db_query(s->db, "SELECT value FROM vendor_settings WHERE key = $1", "s", key);
    store_status_t r = one_row(st);
    if (r == STORE_OK) {
        *out = col_str(a, st, 0);
        db_done(st);
    }
    return r;
}

store_status_t store_set_setting(store_t *s, const char *key, const char *value)
{
    return from_db(db_exec(s->db,
                           "INSERT INTO vendor_settings (key, value) VALUES ($1, $2)"
                           " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                           "ss", key, value));
}

store_status_t store_add_setting(store_t *s, const char *key, const char *value)
{
    return from_db(db_exec(s->db,
                           "INSERT INTO vendor_settings (key, value) VALUES ($1, $2)"
                           " ON CONFLICT (key) DO NOTHING",
                           "ss", key, value));
}

store_status_t store_server_secret(store_t *s, arena_t *a, char **out)
{
    return store_setting(s, a, "server_secret", out);
}

/* ---- people who sign in ------------------------------------------------------------- */

#define CREDENTIAL_COLUMNS                                                                         \
    "SELECT c.id, c.account_id, c.user_id, c.contact_name, c.contact_email, c.password_hash,"      \
    " a.name, a.lang, a.country FROM portal_credentials c JOIN accounts a ON a.id = c.account_id "

static store_status_t read_credential(db_stmt_t *st, arena_t *a, credential_t *out)
{
    store_status_t r = one_row(st);
    if (r != STORE_OK) return r;
    out->id = db_int(st, 0);
    out->account_id = db_int(st, 1);
    out->user_id = col_str(a, st, 2);
    out->contact_name = col_str(a, st, 3);
    out->contact_email = col_str(a, st, 4);
    out->password_hash = col_str(a, st, 5);
    out->account_name = col_str(a, st, 6);
    out->lang = col_str(a, st, 7);
    out->account_country = col_str(a, st, 8);
    db_done(st);
    return STORE_OK;
}

store_status_t store_credential_by_user_id(store_t *s, arena_t *a, const char *user_id,
                                           credential_t *out)
{
    return read_credential(db_query(s->db, CREDENTIAL_COLUMNS "WHERE c.user_id = $1", "s", user_id),
                           a, out);
}

store_status_t store_credential_by_id(store_t *s, arena_t *a, int64_t id, credential_t *out)
{
    return read_credential(db_query(s->db, CREDENTIAL_COLUMNS "WHERE c.id = $1", "i", id), a, out);
}

store_status_t store_credential_set_password(store_t *s, int64_t id, const char *hash, int64_t now)
{
    return must_change(s, db_exec(s->db,
                                  "UPDATE portal_credentials SET password_hash = $1,"
                                  " password_changed_at = $2 WHERE id = $3",
                                  "sii", hash, now, id));
}

#define ACCOUNT_USER_COLUMNS                                                                       \
    "SELECT u.id, u.account_id, u.email, u.name, u.role, u.password_hash, a.name, a.lang,"         \
    " a.country FROM account_users u JOIN accounts a ON a.id = u.account_id "

static store_status_t read_account_user(db_stmt_t *st, arena_t *a, account_user_t *out)
{
    store_status_t r = one_row(st);
    if (r != STORE_OK) return r;
    out->id = db_int(st, 0);
    out->account_id = db_int(st, 1);
    out->email = col_str(a, st, 2);
    out->name = col_str(a, st, 3);
    out->role = col_str(a, st, 4);
    out->password_hash = col_str(a, st, 5);
    out->account_name = col_str(a, st, 6);
    out->account_lang = col_str(a, st, 7);
    out->account_country = col_str(a, st, 8);
    db_done(st);
    return STORE_OK;
}

store_status_t store_account_user_by_email(store_t *s, arena_t *a, const char *email,
                                           account_user_t *out)
{
    return read_account_user(db_query(s->db, ACCOUNT_USER_COLUMNS "WHERE u.email = $1", "s", email),
                             a, out);
}

store_status_t store_account_user_by_id(store_t *s, arena_t *a, int64_t id, account_user_t *out)
{
    return read_account_user(db_query(s->db, ACCOUNT_USER_COLUMNS "WHERE u.id = $1", "i", id), a,
                             out);
}

store_status_t store_billing_admin(store_t *s, arena_t *a, int64_t account_id, account_user_t *out)
{
    return read_account_user(db_query(s->db,
                                      ACCOUNT_USER_COLUMNS "WHERE u.account_id = $1"
                                                           " AND u.role = 'billing_admin'"
                                                           " ORDER BY u.id LIMIT 1",
                                      "i", account_id),
                             a, out);
}

#define STAFF_COLUMNS "SELECT id, email, name, role, password_hash FROM staff_users "

static store_status_t read_staff(db_stmt_t *st, arena_t *a, staff_user_t *out)
{
    store_status_t r = one_row(st);
    if (r != STORE_OK) return r;
    out->id = db_int(st, 0);
    out->email = col_str(a, st, 1);
    out->name = col_str(a, st, 2);
    out->role = col_str(a, st, 3);
    out->password_hash = col_str(a, st, 4);
    db_done(st);
    return STORE_OK;
}

store_status_t store_staff_by_email(store_t *s, arena_t *a, const char *email, staff_user_t *out)
{
    return read_staff(db_query(s->db, STAFF_COLUMNS "WHERE email = $1 AND active = 1", "s", email),
                      a, out);
}

store_status_t store_staff_by_id(store_t *s, arena_t *a, int64_t id, staff_user_t *out)
{
    return read_staff(db_query(s->db, STAFF_COLUMNS "WHERE id = $1 AND active = 1", "i", id), a,
                      out);
}

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

/* The audit columns, with the actor's User ID or email looked up by kind. */
#define AUDIT_SELECT                                                                               \
    "SELECT l.id, l.at, COALESCE(l.actor_id, 0), l.actor_kind, l.action, l.field, l.old_value,"    \
    " l.new_value, l.ip, COALESCE(CASE l.actor_kind"                                               \
    " WHEN 'corporate' THEN (SELECT c.user_id FROM portal_credentials c WHERE c.id = l.actor_id)"  \
    " WHEN 'billing' THEN (SELECT u.email FROM account_users u WHERE u.id = l.actor_id)"           \
    " WHEN 'staff' THEN (SELECT f.email FROM staff_users f WHERE f.id = l.actor_id) END, '')"      \
    " FROM audit_log l"
/* Entries older than entry $2 in the page order (newest first), or all when $2 is 0. */
#define AUDIT_BEFORE                                                                               \
    " AND ($2 = 0 OR l.at < (SELECT b.at FROM audit_log b WHERE b.id = $2)"                        \
    " OR (l.at = (SELECT b.at FROM audit_log b WHERE b.id = $2) AND l.id < $2))"                   \
    " ORDER BY l.at DESC, l.id DESC LIMIT $3"

store_status_t store_audit_page(store_t *s, arena_t *a, const audit_query_t *q, audit_row_t **out,
                                size_t *n)
{
    *n = 0;
    *out = arena_alloc(a, (size_t)(q->limit > 0 ? q->limit : 1) * sizeof **out);
    db_stmt_t *st =
        q->account_id > 0
            ? db_query(s->db, AUDIT_SELECT " WHERE l.account_id = $1" AUDIT_BEFORE, "iii",
                       q->account_id, q->before_id, (int64_t)q->limit)
            : db_query(s->db,
                       AUDIT_SELECT " WHERE l.account_id IS NULL AND l.action = $1" AUDIT_BEFORE,
                       "sii", q->action ? q->action : "", q->before_id, (int64_t)q->limit);
    if (!st) return STORE_ERROR;
    db_status_t r = DB_OK;
    while (*n < (size_t)q->limit && (r = db_step(st)) == DB_ROW) {
        audit_row_t *e = &(*out)[(*n)++];
        e->id = db_int(st, 0);
        e->at = db_int(st, 1);
        e->actor_id = db_int(st, 2);
        e->actor_kind = col_str(a, st, 3);
        e->action = col_str(a, st, 4);
        e->field = col_str(a, st, 5);
        e->old_value = col_str(a, st, 6);
        e->new_value = col_str(a, st, 7);
        e->ip = col_str(a, st, 8);
        e->actor_login = col_str(a, st, 9);
    }
    db_done(st);
    return from_db(r); /* a step that failed half-way is no short page */
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

/* ---- sign-in attempts ---------------------------------------------------------------- */

store_status_t store_attempt_turn(store_t *s, audience_t aud, const char *login, int64_t now)
{
    /* An upsert rather than a SELECT ... FOR UPDATE: it locks the row on PostgreSQL and is
     * plain SQL on SQLite (where BEGIN IMMEDIATE has already serialized every writer). */
    return from_db(db_exec(s->db,
                           "INSERT INTO sign_in_logins (audience, login, last_attempt_at)"
                           " VALUES ($1, $2, $3) ON CONFLICT (audience, login)"
                           " DO UPDATE SET last_attempt_at = excluded.last_attempt_at",
                           "ssi", audience_name(aud), login, now));
}

store_status_t store_attempt_start(store_t *s, audience_t aud, const char *login, const char *ip,
                                   int64_t at, int64_t *id)
{
    return from_db(db_insert(s->db, id,
                             "INSERT INTO sign_in_attempts (audience, login, ip, at, succeeded,"
                             " pending) VALUES ($1, $2, $3, $4, 0, 1)",
                             "sssi", audience_name(aud), login, ip ? ip : "", at));
}

store_status_t store_attempt_end(store_t *s, int64_t id, bool succeeded)
{
    return must_change(s, db_exec(s->db,
                                  "UPDATE sign_in_attempts SET succeeded = $1, pending = 0"
                                  " WHERE id = $2 AND pending = 1",
                                  "bi", succeeded, id));
}

store_status_t store_attempt_failures(store_t *s, audience_t aud, const char *login, int64_t since,
                                      int64_t *out, size_t max, size_t *n)
{
    /* "After the last success" in the order the attempts were taken (id), not by their second:
     * by the second, every attempt taken in the same second as a success went uncounted. */
    *n = 0;
    db_stmt_t *st = db_query(
        s->db,
        "SELECT at FROM sign_in_attempts WHERE audience = $1 AND login = $2 AND succeeded = 0"
        " AND at >= $3 AND id > COALESCE((SELECT MAX(id) FROM sign_in_attempts"
        "   WHERE audience = $4 AND login = $5 AND succeeded = 1), 0)"
        " ORDER BY at DESC, id DESC LIMIT $6",
        "ssissi", audience_name(aud), login, since, audience_name(aud), login, (int64_t)max);
    if (!st) return STORE_ERROR;
    db_status_t r;
    while ((r = db_step(st)) == DB_ROW)
        out[(*n)++] = db_int(st, 0);
    if (r != DB_OK) return from_db(r);
    /* Newest first from the query; callers want oldest first. */
    for (size_t i = 0; i < *n / 2; i++) {
        int64_t t = out[i];
        out[i] = out[*n - 1 - i];
        out[*n - 1 - i] = t;
    }
    return STORE_OK;
}

store_status_t store_attempt_failures_from_ip(store_t *s, const char *ip, int64_t since,
                                              int64_t *count)
{
    return returning_id(db_query(s->db,
                                 "SELECT COUNT(*) FROM sign_in_attempts WHERE ip = $1"
                                 " AND at >= $2 AND succeeded = 0",
                                 "si", ip ? ip : "", since),
                        count);
}

/* ---- sessions ------------------------------------------------------------------------ */

store_status_t store_session_create(store_t *s, const char *digest, audience_t aud,
                                    int64_t principal_id, int64_t now, const char *ip)
{
    return from_db(db_exec(s->db,
                           "INSERT INTO sessions (token_digest, audience, principal_id, created_at,"
                           " last_seen_at, ip) VALUES ($1, $2, $3, $4, $5, $6)",
                           "ssiiis", digest, audience_name(aud), principal_id, now, now,
                           ip ? ip : ""));
}

store_status_t store_session_find(store_t *s, const char *digest, session_t *out)
{
    db_stmt_t *st = db_query(s->db,
                             "SELECT audience, principal_id, created_at, last_seen_at FROM sessions"
                             " WHERE token_digest = $1",
                             "s", digest);
    store_status_t r = one_row(st);
    if (r != STORE_OK) return r;
    const char *aud = db_text(st, 0);
    out->audience = AUDIENCE_CORPORATE;
    for (int i = 0; i < AUDIENCE_COUNT; i++)
        if (aud && strcmp(aud, audience_names[i]) == 0) out->audience = (audience_t)i;
    out->principal_id = db_int(st, 1);
    out->created_at = db_int(st, 2);
    out->last_seen_at = db_int(st, 3);
    db_done(st);
    return STORE_OK;
}

store_status_t store_session_touch(store_t *s, const char *digest, int64_t now)
{
    return from_db(db_exec(s->db, "UPDATE sessions SET last_seen_at = $1 WHERE token_digest = $2",
                           "is", now, digest));
}

store_status_t store_session_delete(store_t *s, const char *digest)
{
    return from_db(db_exec(s->db, "DELETE FROM sessions WHERE token_digest = $1", "s", digest));
}

store_status_t store_sessions_end_others(store_t *s, audience_t aud, int64_t principal_id,
                                         const char *keep_digest)
{
    return from_db(db_exec(s->db,
                           "DELETE FROM sessions WHERE audience = $1 AND principal_id = $2"
                           " AND token_digest <> $3",
                           "sis", audience_name(aud), principal_id,
                           keep_digest ? keep_digest : ""));
}

store_status_t store_sessions_purge(store_t *s, int64_t cutoff, int64_t *removed)
{
    db_status_t r = db_exec(s->db, "DELETE FROM sessions WHERE last_seen_at < $1", "i", cutoff);
    if (removed) *removed = r == DB_OK ? db_changes(s->db) : 0;
    return from_db(r);
}

store_status_t store_attempts_purge(store_t *s, int64_t cutoff, int64_t *removed)
{
    *removed = 0;
    db_status_t r = db_exec(s->db, "DELETE FROM sign_in_attempts WHERE at < $1", "i", cutoff);
    if (r == DB_OK) {
        *removed = db_changes(s->db);
        r = db_exec(s->db, "DELETE FROM sign_in_logins WHERE last_attempt_at < $1", "i", cutoff);
    }
    return from_db(r);
}

/* ---- password reset ------------------------------------------------------------------ */

store_status_t store_reset_create(store_t *s, const char *digest, int64_t credential_id,
                                  int64_t now, int64_t expires_at)
{
    return from_db(db_exec(s->db,
                           "INSERT INTO password_reset_tokens (token_digest, credential_id,"
                           " created_at, expires_at) VALUES ($1, $2, $3, $4)",
                           "siii", digest, credential_id, now, expires_at));
}

store_status_t store_reset_find(store_t *s, const char *digest, reset_token_t *out)
{
    db_stmt_t *st = db_query(s->db,
                             "SELECT credential_id, created_at, expires_at, COALESCE(used_at, 0)"
                             " FROM password_reset_tokens WHERE token_digest = $1",
                             "s", digest);
    store_status_t r = one_row(st);
    if (r != STORE_OK) return r;
    out->credential_id = db_int(st, 0);
    out->created_at = db_int(st, 1);
    out->expires_at = db_int(st, 2);
    out->used_at = db_int(st, 3);
    db_done(st);
    return STORE_OK;
}

store_status_t store_reset_consume(store_t *s, const char *digest, int64_t now)
{
    return must_change(s, db_exec(s->db,
                                  "UPDATE password_reset_tokens SET used_at = $1"
                                  " WHERE token_digest = $2 AND used_at IS NULL",
                                  "is", now, digest));
}

store_status_t store_reset_count_since(store_t *s, int64_t credential_id, int64_t since,
                                       int64_t *count)
{
    db_stmt_t *st = db_query(s->db,
                             "SELECT COUNT(*) FROM password_reset_tokens"
                             " WHERE credential_id = $1 AND created_at >= $2",
                             "ii", credential_id, since);
    store_status_t r = one_row(st);
    if (r == STORE_OK) {
        *count = db_int(st, 0);
        db_done(st);
    }
    return r;
}

/* ---- email outbox -------------------------------------------------------------------- */

store_status_t store_outbox_add(store_t *s, const email_t *m, int64_t now, int64_t *id)
{
    return from_db(
        db_insert(s->db, id,
                  "INSERT INTO email_outbox (created_at, kind, account_id, sender_ref, to_addr,"
                  " to_name, reply_to, subject, body_text, next_attempt_at, invoice_id)"
                  " VALUES ($1, $2, NULLIF($3, 0), $4, $5, $6, $7, $8, $9, $10, NULLIF($11, 0))",
                  "isissssssii", now, m->kind, m->account_id, m->sender_ref ? m->sender_ref : "",
                  m->to_addr, m->to_name ? m->to_name : "", m->reply_to ? m->reply_to : "",
                  m->subject, m->body_text, now, m->invoice_id));
}

store_status_t store_outbox_count(store_t *s, const char *kind, const char *sender_ref,
                                  int64_t since, int64_t *count)
{
    db_stmt_t *st = db_query(s->db,
                             "SELECT COUNT(*) FROM email_outbox WHERE kind = $1 AND sender_ref = $2"
                             " AND created_at >= $3",
                             "ssi", kind, sender_ref, since);
    store_status_t r = one_row(st);
    if (r == STORE_OK) {
        *count = db_int(st, 0);
        db_done(st);
    }
    return r;
}

store_status_t store_outbox_claim(store_t *s, arena_t *a, int64_t now, int64_t lease, email_t *out)
{
    /* One statement picks and leases the row, so two workers (or nodes) never take the same one.
     * On PostgreSQL the inner SELECT gains FOR UPDATE SKIP LOCKED. */
    db_stmt_t *st = db_query(
        s->db,
        "UPDATE email_outbox SET claimed_until = $1, attempts = attempts + 1"
        " WHERE id = (SELECT id FROM email_outbox WHERE sent_at IS NULL AND failed_at IS NULL"
        "   AND next_attempt_at <= $2 AND claimed_until <= $3 ORDER BY next_attempt_at, id LIMIT 1)"
        " RETURNING id, COALESCE(account_id, 0), attempts, kind, sender_ref, to_addr, to_name,"
        " reply_to, subject, body_text, created_at, COALESCE(invoice_id, 0), rejections",
        "iii", now + lease, now, now);
    store_status_t r = one_row(st);
    if (r != STORE_OK) return r;
    out->id = db_int(st, 0);
    out->account_id = db_int(st, 1);
    out->attempts = db_int(st, 2);
    out->kind = col_str(a, st, 3);
    out->sender_ref = col_str(a, st, 4);
    out->to_addr = col_str(a, st, 5);
    out->to_name = col_str(a, st, 6);
    out->reply_to = col_str(a, st, 7);
    out->subject = col_str(a, st, 8);
    out->body_text = col_str(a, st, 9);
    out->created_at = db_int(st, 10);
    out->invoice_id = db_int(st, 11);
    out->rejections = db_int(st, 12);
    db_done(st);
    return STORE_OK;
}

store_status_t store_outbox_sent(store_t *s, int64_t id, int64_t now)
{
    return must_change(s, db_exec(s->db,
                                  "UPDATE email_outbox SET sent_at = $1, claimed_until = 0,"
                                  " last_error = '' WHERE id = $2",
                                  "ii", now, id));
}

store_status_t store_outbox_retry(store_t *s, int64_t id, int64_t next_at, int64_t rejections,
                                  const char *error)
{
    return must_change(s, db_exec(s->db,
                                  "UPDATE email_outbox SET next_attempt_at = $1, claimed_until = 0,"
                                  " rejections = $2, last_error = $3 WHERE id = $4",
                                  "iisi", next_at, rejections, error, id));
}

store_status_t store_outbox_give_up(store_t *s, int64_t id, int64_t now, int64_t rejections,
                                    const char *error)
{
    return must_change(s, db_exec(s->db,
                                  "UPDATE email_outbox SET failed_at = $1, claimed_until = 0,"
                                  " rejections = $2, last_error = $3 WHERE id = $4",
                                  "iisi", now, rejections, error, id));
}

store_status_t store_outbox_settle(store_t *s, const char *kind, int64_t now)
{
    return from_db(
        db_exec(s->db, "UPDATE email_outbox SET sent_at = $1 WHERE kind = $2 AND sent_at IS NULL",
                "is", now, kind));
}

store_status_t store_outbox_next_due(store_t *s, int64_t *at)
{
    db_stmt_t *st = db_query(s->db,
                             "SELECT COALESCE(MIN(CASE WHEN claimed_until > next_attempt_at"
                             " THEN claimed_until ELSE next_attempt_at END), 0) FROM email_outbox"
                             " WHERE sent_at IS NULL AND failed_at IS NULL",
                             NULL);
    store_status_t r = one_row(st);
    if (r == STORE_OK) {
        *at = db_int(st, 0);
        db_done(st);
    }
    return r;
}

store_status_t store_outbox_counts(store_t *s, outbox_counts_t *out)
{
    *out = (outbox_counts_t){0};
    db_stmt_t *st =
        db_query(s->db,
                 "SELECT COUNT(*) - COUNT(failed_at), COALESCE(SUM(CASE WHEN failed_at"
                 " IS NULL AND last_error <> '' THEN 1 ELSE 0 END), 0), COUNT(failed_at)"
                 " FROM email_outbox WHERE sent_at IS NULL",
                 NULL);
    store_status_t r = one_row(st);
    if (r == STORE_OK) {
        out->waiting = db_int(st, 0);
        out->retrying = db_int(st, 1);
        out->failed = db_int(st, 2);
        db_done(st);
    }
    return r;
}

store_status_t store_outbox_list(store_t *s, arena_t *a, bool failed_only, int limit,
                                 outbox_row_t **out, size_t *n)
{
    *n = 0;
    *out = arena_alloc(a, (size_t)(limit > 0 ? limit : 1) * sizeof **out);
    if (!*out) return STORE_ERROR;
    db_stmt_t *st =
        db_query(s->db,
                 "SELECT id, created_at, attempts, rejections, next_attempt_at, claimed_until,"
                 " COALESCE(failed_at, 0), kind, to_addr, last_error FROM email_outbox"
                 " WHERE sent_at IS NULL AND (failed_at IS NOT NULL OR $1)"
                 " ORDER BY failed_at IS NULL, attempts DESC, id LIMIT $2",
                 "bi", !failed_only, (int64_t)limit);
    if (!st) return STORE_ERROR;
    db_status_t r = DB_OK;
    while (*n < (size_t)limit && (r = db_step(st)) == DB_ROW) {
        outbox_row_t *row = &(*out)[(*n)++];
        row->id = db_int(st, 0);
        row->created_at = db_int(st, 1);
        row->attempts = db_int(st, 2);
        row->rejections = db_int(st, 3);
        row->next_attempt_at = db_int(st, 4);
        row->claimed_until = db_int(st, 5);
        row->failed_at = db_int(st, 6);
        row->kind = col_str(a, st, 7);
        row->to_addr = col_str(a, st, 8);
        row->last_error = col_str(a, st, 9);
    }
    db_done(st);
    return from_db(r);
}

store_status_t store_outbox_requeue(store_t *s, int64_t id, int64_t now, int64_t *requeued,
                                    int64_t *hastened)
{
    bool all = id == 0;
    /* The claim is left alone: a message in flight keeps its lease, so it is not sent twice. */
    db_status_t r = db_exec(s->db,
                            "UPDATE email_outbox SET failed_at = NULL, rejections = 0,"
                            " next_attempt_at = $1 WHERE sent_at IS NULL AND failed_at IS NOT NULL"
                            " AND (id = $2 OR $3)",
                            "iib", now, id, all);
    if (r != DB_OK) return from_db(r);
    int64_t failed = db_changes(s->db);
    r = db_exec(s->db,
                "UPDATE email_outbox SET next_attempt_at = $1 WHERE sent_at IS NULL"
                " AND failed_at IS NULL AND next_attempt_at > $2 AND (id = $3 OR $4)",
                "iiib", now, now, id, all);
    if (r != DB_OK) return from_db(r);
    int64_t waiting = db_changes(s->db);
    if (requeued) *requeued = failed;
    if (hastened) *hastened = waiting;
    if (all || failed + waiting > 0) return STORE_OK;
    /* Nothing changed: an unsent message already due, or no unsent message of that id. */
    db_stmt_t *st =
        db_query(s->db, "SELECT id FROM email_outbox WHERE id = $1 AND sent_at IS NULL", "i", id);
    store_status_t found = one_row(st);
    if (found == STORE_OK) db_done(st);
    return found;
}

/* ---- audit log ----------------------------------------------------------------------- */

store_status_t store_audit(store_t *s, const audit_entry_t *e, int64_t now)
{
    return from_db(db_exec(s->db,
                           "INSERT INTO audit_log (at, actor_kind, actor_id, account_id, action,"
                           " field, old_value, new_value, ip)"
                           " VALUES ($1, $2, NULLIF($3, 0), NULLIF($4, 0), $5, $6, $7, $8, $9)",
                           "isiisssss", now, e->actor_kind, e->actor_id, e->account_id, e->action,
                           e->field ? e->field : "", e->old_value ? e->old_value : "",
                           e->new_value ? e->new_value : "", e->ip ? e->ip : ""));
}

store_status_t store_audit_count_since(store_t *s, int64_t account_id, const char *action,
                                       const char *field, int64_t since, int64_t *n)
{
    *n = 0;
    db_stmt_t *st = db_query(s->db,
                             "SELECT COUNT(*) FROM audit_log WHERE account_id = $1 AND at >= $2"
                             " AND action = $3 AND field = $4",
                             "iiss", account_id, since, action, field);
    store_status_t r = one_row(st);
    if (r == STORE_OK) {
        *n = db_int(st, 0);
        db_done(st);
    }
    return r;
}

/* ---- catalog and demo data ----------------------------------------------------------- */

store_status_t store_upsert_product(store_t *s, const char *code, const char *name, int64_t *id)
{
    return returning_id(db_query(s->db,
                                 "INSERT INTO products (code, name) VALUES ($1, $2)"
                                 " ON CONFLICT (code) DO UPDATE SET name = excluded.name"
                                 " RETURNING id",
                                 "ss", code, name),
                        id);
}

store_status_t store_upsert_plan(store_t *s, int64_t product_id, const char *code,
                                 const char *billing_period, int64_t *id)
{
    return returning_id(
        db_query(s->db,
                 "INSERT INTO plans (product_id, code, billing_period) VALUES ($1, $2, $3)"
                 " ON CONFLICT (code) DO UPDATE SET billing_period = excluded.billing_period"
                 " RETURNING id",
                 "iss", product_id, code, billing_period),
        id);
}

store_status_t store_upsert_price(store_t *s, int64_t plan_id, const char *currency,
                                  int64_t unit_amount)
{
    return from_db(db_exec(s->db,
                           "INSERT INTO prices (plan_id, currency, unit_amount) VALUES ($1, $2, $3)"
                           " ON CONFLICT (plan_id, currency) DO UPDATE"
                           " SET unit_amount = excluded.unit_amount",
                           "isi", plan_id, currency, unit_amount));
}

store_status_t store_price(store_t *s, int64_t plan_id, const char *currency, int64_t *unit_amount)
{
    return returning_id(db_query(s->db,
                                 "SELECT unit_amount FROM prices WHERE plan_id = $1"
                                 " AND currency = $2",
                                 "is", plan_id, currency),
                        unit_amount);
}

/* INSERT ... ON CONFLICT DO NOTHING RETURNING gives no row when the row existed (STORE_NOT_FOUND):
 * then the existing id is read by the natural key. */
store_status_t store_ensure_staff(store_t *s, const staff_user_t *u, int64_t now, int64_t *id)
{
    store_status_t r = returning_id(
        db_query(s->db,
                 "INSERT INTO staff_users (email, name, role, password_hash, created_at)"
                 " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (email) DO NOTHING RETURNING id",
                 "ssssi", u->email, u->name, u->role, u->password_hash, now),
        id);
    if (r != STORE_NOT_FOUND) return r;
    return returning_id(
        db_query(s->db, "SELECT id FROM staff_users WHERE email = $1", "s", u->email), id);
}

store_status_t store_ensure_account(store_t *s, const account_t *acc, int64_t now, int64_t *id)
{
    store_status_t r = returning_id(
        db_query(s->db,
                 "INSERT INTO accounts (kind, name, currency, lang, bill_to_name, address_line1,"
                 " address_line2, city, region, postal_code, country, phone, sales_rep_id,"
                 " created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,"
                 " NULLIF($13, 0), $14) ON CONFLICT (name) DO NOTHING RETURNING id",
                 "ssssssssssssii", acc->kind, acc->name, acc->currency, acc->lang,
                 acc->bill_to_name, acc->address_line1, acc->address_line2, acc->city, acc->region,
                 acc->postal_code, acc->country, acc->phone, acc->sales_rep_id, now),
        id);
    if (r != STORE_NOT_FOUND) return r;
    return returning_id(db_query(s->db, "SELECT id FROM accounts WHERE name = $1", "s", acc->name),
                        id);
}

store_status_t store_ensure_credential(store_t *s, const credential_t *c, int64_t now, int64_t *id)
{
    store_status_t r = returning_id(
        db_query(
            s->db,
            "INSERT INTO portal_credentials (account_id, user_id, contact_name, contact_email,"
            " password_hash, password_changed_at, created_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (user_id) DO NOTHING RETURNING id",
            "issssii", c->account_id, c->user_id, c->contact_name, c->contact_email,
            c->password_hash, now, now),
        id);
    if (r != STORE_NOT_FOUND) return r;
    return returning_id(
        db_query(s->db, "SELECT id FROM portal_credentials WHERE user_id = $1", "s", c->user_id),
        id);
}

store_status_t store_ensure_account_user(store_t *s, const account_user_t *u, int64_t now,
                                         int64_t *id)
{
    store_status_t r = returning_id(
        db_query(s->db,
                 "INSERT INTO account_users (account_id, email, name, role, password_hash,"
                 " created_at) VALUES ($1, $2, $3, $4, $5, $6)"
                 " ON CONFLICT (email) DO NOTHING RETURNING id",
                 "issssi", u->account_id, u->email, u->name, u->role, u->password_hash, now),
        id);
    if (r != STORE_NOT_FOUND) return r;
    return returning_id(
        db_query(s->db, "SELECT id FROM account_users WHERE email = $1", "s", u->email), id);
}

store_status_t store_ensure_subscription(store_t *s, const subscription_new_t *sub, int64_t now)
{
    return from_db(db_exec(
        s->db,
        "INSERT INTO subscriptions (account_id, plan_id, currency, unit_amount, seats, status,"
        " period_start, period_end, anchor_day, created_at)"
        " SELECT $1, $2, $3, $4, $5, 'active', $6, $7, $8, $9"
        " WHERE NOT EXISTS (SELECT 1 FROM subscriptions WHERE account_id = $10 AND plan_id = $11)",
        "iisiissiiii", sub->account_id, sub->plan_id, sub->currency, sub->unit_amount, sub->seats,
        sub->period_start, sub->period_end, (int64_t)sub->anchor_day, now, sub->account_id,
        sub->plan_id));
}
