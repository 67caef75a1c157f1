/* The store's sessions and sign-in attempts (the lockout's counts and turns). */
#include "store_internal.h"

#include <string.h>

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
        if (aud && strcmp(aud, audience_name((audience_t)i)) == 0) out->audience = (audience_t)i;
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
