/* Customer Care's change of an online account's billing administrator: the verifications Care
 * makes of a caller, the flags an admin clears, the account users' roles and invitations. */
#include "store_internal.h"
#include "store_w9care.h"

store_status_t store_care_users(store_t *s, arena_t *a, int64_t account_id, care_user_row_t **out,
                                size_t *n)
{
    *out = NULL;
    *n = 0;
    int64_t count = 0;
    store_status_t sr =
        returning_id(db_query(s->db, "SELECT COUNT(*) FROM account_users WHERE account_id = $1",
                              "i", account_id),
                     &count);
    if (sr != STORE_OK) return sr;
    db_stmt_t *st = db_query(s->db,
                             "SELECT id, name, email, role, registered_admin FROM account_users"
                             " WHERE account_id = $1"
                             " ORDER BY CASE WHEN role = 'billing_admin' THEN 0 ELSE 1 END,"
                             " name, id",
                             "i", account_id);
    if (!st) return STORE_ERROR;
    care_user_row_t *rows = arena_alloc(a, (size_t)(count > 0 ? count : 1) * sizeof *rows);
    db_status_t r;
    while ((r = db_step(st)) == DB_ROW && *n < (size_t)count)
        rows[(*n)++] = (care_user_row_t){.id = db_int(st, 0),
                                         .name = col_str(a, st, 1),
                                         .email = col_str(a, st, 2),
                                         .role = col_str(a, st, 3),
                                         .registered_admin = db_int(st, 4) != 0};
    db_done(st);
    *out = rows;
    return r == DB_OK || r == DB_ROW ? STORE_OK : from_db(r);
}

store_status_t store_care_verification_add(store_t *s, int64_t account_id, int64_t staff_id,
                                           const char *basis, bool card_ok, bool person_ok,
                                           int64_t now, int64_t *id)
{
    return from_db(db_insert(s->db, id,
                             "INSERT INTO care_verifications (account_id, staff_id, basis,"
                             " card_ok, person_ok, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                             "iisbbi", account_id, staff_id, basis, card_ok, person_ok, now));
}

store_status_t store_care_failures_since(store_t *s, int64_t account_id, int64_t since,
                                         int64_t *count)
{
    return returning_id(db_query(s->db,
                                 "SELECT COUNT(*) FROM care_verifications WHERE account_id = $1"
                                 " AND created_at >= $2 AND (card_ok = 0 OR person_ok = 0)",
                                 "ii", account_id, since),
                        count);
}

store_status_t store_care_last_cleared(store_t *s, int64_t account_id, int64_t *at)
{
    return returning_id(db_query(s->db,
                                 "SELECT COALESCE(MAX(cleared_at), 0) FROM account_flags"
                                 " WHERE account_id = $1",
                                 "i", account_id),
                        at);
}

store_status_t store_care_open_flag(store_t *s, int64_t account_id, const char *kind, int64_t *id,
                                    int64_t *created_at)
{
    db_stmt_t *st = db_query(s->db,
                             "SELECT id, created_at FROM account_flags WHERE account_id = $1"
                             " AND kind = $2 AND cleared_at IS NULL ORDER BY id LIMIT 1",
                             "is", account_id, kind);
    store_status_t r = one_row(st);
    if (r != STORE_OK) return r;
    *id = db_int(st, 0);
    if (created_at) *created_at = db_int(st, 1);
    db_done(st);
    return STORE_OK;
}

store_status_t store_care_flag_add(store_t *s, int64_t account_id, const char *kind, int64_t now,
                                   int64_t *id)
{
    return from_db(db_insert(s->db, id,
                             "INSERT INTO account_flags (account_id, kind, created_at)"
                             " VALUES ($1, $2, $3)",
                             "isi", account_id, kind, now));
}

store_status_t store_care_flag_clear(store_t *s, int64_t id, int64_t staff_id, int64_t now,
                                     int64_t *account_id)
{
    store_status_t r = returning_id(db_query(s->db,
                                             "SELECT account_id FROM account_flags WHERE id = $1"
                                             " AND cleared_at IS NULL",
                                             "i", id),
                                    account_id);
    if (r != STORE_OK) return r;
    return must_change(s, db_exec(s->db,
                                  "UPDATE account_flags SET cleared_at = $1, cleared_by = $2"
                                  " WHERE id = $3 AND cleared_at IS NULL",
                                  "iii", now, staff_id, id));
}

store_status_t store_care_flags_open(store_t *s, arena_t *a, int64_t account_id, int limit,
                                     account_flag_row_t **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    db_stmt_t *st = db_query(s->db,
                             "SELECT f.id, f.account_id, f.kind, f.created_at, a.name"
                             " FROM account_flags f JOIN accounts a ON a.id = f.account_id"
                             " WHERE f.cleared_at IS NULL AND ($1 = 0 OR f.account_id = $1)"
                             " ORDER BY f.created_at, f.id LIMIT $2",
                             "ii", account_id, (int64_t)limit);
    if (!st) return STORE_ERROR;
    account_flag_row_t *rows = arena_alloc(a, (size_t)(limit > 0 ? limit : 1) * sizeof *rows);
    db_status_t r;
    while ((r = db_step(st)) == DB_ROW && *n < (size_t)limit)
        rows[(*n)++] = (account_flag_row_t){.id = db_int(st, 0),
                                            .account_id = db_int(st, 1),
                                            .kind = col_str(a, st, 2),
                                            .created_at = db_int(st, 3),
                                            .account_name = col_str(a, st, 4)};
    db_done(st);
    *out = rows;
    return r == DB_OK || r == DB_ROW ? STORE_OK : from_db(r);
}

store_status_t store_care_verification_valid(store_t *s, int64_t id, int64_t account_id,
                                             int64_t staff_id, int64_t since)
{
    int64_t found = 0;
    return returning_id(db_query(s->db,
                                 "SELECT id FROM care_verifications WHERE id = $1"
                                 " AND account_id = $2 AND staff_id = $3 AND card_ok = 1"
                                 " AND person_ok = 1 AND used_at IS NULL AND created_at >= $4",
                                 "iiii", id, account_id, staff_id, since),
                        &found);
}

store_status_t store_care_verification_take(store_t *s, int64_t id, int64_t account_id,
                                            int64_t staff_id, int64_t since, int64_t now)
{
    return must_change(s, db_exec(s->db,
                                  "UPDATE care_verifications SET used_at = $1 WHERE id = $2"
                                  " AND account_id = $3 AND staff_id = $4 AND card_ok = 1"
                                  " AND person_ok = 1 AND used_at IS NULL AND created_at >= $5",
                                  "iiiii", now, id, account_id, staff_id, since));
}

store_status_t store_care_set_role(store_t *s, int64_t account_id, int64_t user_id,
                                   const char *role)
{
    return must_change(s, db_exec(s->db,
                                  "UPDATE account_users SET role = $1 WHERE id = $2"
                                  " AND account_id = $3",
                                  "sii", role, user_id, account_id));
}

store_status_t store_care_billing_admins(store_t *s, int64_t account_id, int64_t *count)
{
    return returning_id(db_query(s->db,
                                 "SELECT COUNT(*) FROM account_users WHERE account_id = $1"
                                 " AND role = 'billing_admin'",
                                 "i", account_id),
                        count);
}

store_status_t store_care_user_add(store_t *s, int64_t account_id, const char *email,
                                   const char *name, const char *role, const char *password_hash,
                                   int64_t now, int64_t *id)
{
    db_status_t r = db_insert(s->db, id,
                              "INSERT INTO account_users (account_id, email, name, role,"
                              " password_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                              "issssi", account_id, email, name, role, password_hash, now);
    return r == DB_CONSTRAINT ? STORE_CONFLICT : from_db(r);
}

store_status_t store_care_set_registered_admin(store_t *s, int64_t user_id, bool on)
{
    return must_change(s, db_exec(s->db,
                                  "UPDATE account_users SET registered_admin = $1 WHERE id = $2",
                                  "bi", on, user_id));
}
