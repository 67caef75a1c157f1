/* The store's audit log: writing entries, counting them and reading them a page at a time. */
#include "store_internal.h"

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

/* The audit columns, with the actor's User ID or email looked up by kind. */
#define AUDIT_SELECT                                                                               \
    "SELECT l.id, l.at, COALESCE(l.actor_id, 0), l.actor_kind, l.action, l.field, l.old_value,"    \
    " l.new_value, l.ip, COALESCE(CASE l.actor_kind"                                               \
    " WHEN 'corporate' THEN (SELECT c.user_id FROM portal_credentials c WHERE c.id = l.actor_id)"  \
    " WHEN 'billing' THEN (SELECT u.email FROM account_users u WHERE u.id = l.actor_id)"           \
    " WHEN 'staff' THEN (SELECT f.email FROM staff_users f WHERE f.id = l.actor_id) END, '')"      \
    " FROM audit_log l"
/* Entries older than entry $2 in the page order (newest first), or all when $2 is 0. */
#define AUDIT_OLDER                                                                                \
    " AND ($2 = 0 OR l.at < (SELECT b.at FROM audit_log b WHERE b.id = $2)"                        \
    " OR (l.at = (SELECT b.at FROM audit_log b WHERE b.id = $2) AND l.id < $2))"
#define AUDIT_ORDER " ORDER BY l.at DESC, l.id DESC"

store_status_t store_audit_page(store_t *s, arena_t *a, const audit_query_t *q, audit_row_t **out,
                                size_t *n)
{
    *n = 0;
    *out = arena_alloc(a, (size_t)(q->limit > 0 ? q->limit : 1) * sizeof **out);
    db_stmt_t *st =
        q->account_id > 0
            ? db_query(s->db,
                       AUDIT_SELECT
                       " WHERE l.account_id = $1" AUDIT_OLDER
                       " AND CASE WHEN l.action = 'sign_in' THEN 1 ELSE 0 END = $3" AUDIT_ORDER
                       " LIMIT $4",
                       "iiii", q->account_id, q->before_id, (int64_t)q->sign_ins, (int64_t)q->limit)
            : db_query(s->db,
                       AUDIT_SELECT
                       " WHERE l.account_id IS NULL AND l.action = $1" AUDIT_OLDER AUDIT_ORDER
                       " LIMIT $3",
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
