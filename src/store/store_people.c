/* The store's people who sign in: staff, portal credentials, account users, password resets. */
#include "store_internal.h"

/* ---- people who sign in -------------------------------------------------------------- */

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

store_status_t store_credential_account(store_t *s, arena_t *a, int64_t id, int64_t *account_id,
                                        char **country)
{
    /* What a signed-in page needs of the credential, and no more (no password hash, no names). */
    db_stmt_t *st = db_query(s->db,
                             "SELECT c.account_id, a.country FROM portal_credentials c"
                             " JOIN accounts a ON a.id = c.account_id WHERE c.id = $1",
                             "i", id);
    store_status_t r = one_row(st);
    if (r != STORE_OK) return r;
    *account_id = db_int(st, 0);
    *country = col_str(a, st, 1);
    db_done(st);
    return STORE_OK;
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

store_status_t store_account_user_set_password(store_t *s, int64_t id, const char *hash)
{
    return must_change(s,
                       db_exec(s->db, "UPDATE account_users SET password_hash = $1 WHERE id = $2",
                               "si", hash, id));
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

/* ---- password reset ------------------------------------------------------------------ */

/* Each portal keeps its reset links in a table of its own, whose rows point at its own people:
 * the corporate portal's credentials (password_reset_tokens.credential_id) and the Billing
 * Center's account users (account_user_reset_tokens.account_user_id). The statements are written
 * out for each table so that every one of them stays a literal (test_sql_portability). */

store_status_t store_reset_create(store_t *s, audience_t aud, const char *digest,
                                  int64_t principal_id, int64_t now, int64_t expires_at)
{
    if (aud == AUDIENCE_BILLING)
        return from_db(db_exec(s->db,
                               "INSERT INTO account_user_reset_tokens (token_digest,"
                               " account_user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
                               "siii", digest, principal_id, now, expires_at));
    if (aud != AUDIENCE_CORPORATE) return STORE_ERROR;
    return from_db(db_exec(s->db,
                           "INSERT INTO password_reset_tokens (token_digest, credential_id,"
                           " created_at, expires_at) VALUES ($1, $2, $3, $4)",
                           "siii", digest, principal_id, now, expires_at));
}

store_status_t store_reset_find(store_t *s, audience_t aud, const char *digest, reset_token_t *out)
{
    db_stmt_t *st;
    if (aud == AUDIENCE_BILLING)
        st = db_query(s->db,
                      "SELECT account_user_id, created_at, expires_at, COALESCE(used_at, 0)"
                      " FROM account_user_reset_tokens WHERE token_digest = $1",
                      "s", digest);
    else if (aud == AUDIENCE_CORPORATE)
        st = db_query(s->db,
                      "SELECT credential_id, created_at, expires_at, COALESCE(used_at, 0)"
                      " FROM password_reset_tokens WHERE token_digest = $1",
                      "s", digest);
    else
        return STORE_NOT_FOUND;
    store_status_t r = one_row(st);
    if (r != STORE_OK) return r;
    out->principal_id = db_int(st, 0);
    out->created_at = db_int(st, 1);
    out->expires_at = db_int(st, 2);
    out->used_at = db_int(st, 3);
    db_done(st);
    return STORE_OK;
}

store_status_t store_reset_consume(store_t *s, audience_t aud, const char *digest, int64_t now)
{
    if (aud == AUDIENCE_BILLING)
        return must_change(s, db_exec(s->db,
                                      "UPDATE account_user_reset_tokens SET used_at = $1"
                                      " WHERE token_digest = $2 AND used_at IS NULL",
                                      "is", now, digest));
    if (aud != AUDIENCE_CORPORATE) return STORE_ERROR;
    return must_change(s, db_exec(s->db,
                                  "UPDATE password_reset_tokens SET used_at = $1"
                                  " WHERE token_digest = $2 AND used_at IS NULL",
                                  "is", now, digest));
}

store_status_t store_reset_count_since(store_t *s, audience_t aud, int64_t principal_id,
                                       int64_t since, int64_t *count)
{
    db_stmt_t *st;
    if (aud == AUDIENCE_BILLING)
        st = db_query(s->db,
                      "SELECT COUNT(*) FROM account_user_reset_tokens"
                      " WHERE account_user_id = $1 AND created_at >= $2",
                      "ii", principal_id, since);
    else if (aud == AUDIENCE_CORPORATE)
        st = db_query(s->db,
                      "SELECT COUNT(*) FROM password_reset_tokens"
                      " WHERE credential_id = $1 AND created_at >= $2",
                      "ii", principal_id, since);
    else
        return STORE_ERROR;
    store_status_t r = one_row(st);
    if (r == STORE_OK) {
        *count = db_int(st, 0);
        db_done(st);
    }
    return r;
}
