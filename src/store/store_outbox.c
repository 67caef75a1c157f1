/* The store's email outbox: queueing, claiming, retrying and listing messages. */
#include "store_internal.h"

/* ---- email outbox -------------------------------------------------------------------- */

store_status_t store_outbox_add(store_t *s, const email_t *m, int64_t now, int64_t *id)
{
    return from_db(
        db_insert(s->db, id,
                  "INSERT INTO email_outbox (created_at, kind, account_id, sender_ref, to_addr,"
                  " to_name, reply_to, subject, body_text, next_attempt_at, invoice_id, quote_id)"
                  " VALUES ($1, $2, NULLIF($3, 0), $4, $5, $6, $7, $8, $9, $10, NULLIF($11, 0),"
                  " NULLIF($12, 0))",
                  "isissssssiii", now, m->kind, m->account_id, m->sender_ref ? m->sender_ref : "",
                  m->to_addr, m->to_name ? m->to_name : "", m->reply_to ? m->reply_to : "",
                  m->subject, m->body_text, now, m->invoice_id, m->quote_id));
}

store_status_t store_outbox_queue(store_t *s, const email_t *m, int64_t now)
{
    if (bill_rows_add_email(s, m, now)) return STORE_OK; /* written by the batch's flush */
    return from_db(db_exec_deferred(
        s->db, false,
        "INSERT INTO email_outbox (created_at, kind, account_id, sender_ref, to_addr, to_name,"
        " reply_to, subject, body_text, next_attempt_at, invoice_id, quote_id)"
        " VALUES ($1, $2, NULLIF($3, 0), $4, $5, $6, $7, $8, $9, $10, NULLIF($11, 0),"
        " NULLIF($12, 0))",
        "isissssssiii", now, m->kind, m->account_id, m->sender_ref ? m->sender_ref : "", m->to_addr,
        m->to_name ? m->to_name : "", m->reply_to ? m->reply_to : "", m->subject, m->body_text, now,
        m->invoice_id, m->quote_id));
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
    /* One statement picks and leases the row, so two workers (or nodes) never take the same one:
     * on SQLite the writer takes the database's one write lock first; on PostgreSQL the inner
     * SELECT locks the row it picks and passes over those another claim holds (SKIP LOCKED),
     * and a row leased meanwhile fails the recheck of its WHERE and is not taken. */
    db_stmt_t *st = db_query(
        s->db,
        DB_SQL_BY_DIALECT(
            s->db,
            "UPDATE email_outbox SET claimed_until = $1, attempts = attempts + 1"
            " WHERE id = (SELECT id FROM email_outbox WHERE sent_at IS NULL AND failed_at IS NULL"
            " AND next_attempt_at <= $2 AND claimed_until <= $3 ORDER BY next_attempt_at, id"
            " LIMIT 1)"
            " RETURNING id, COALESCE(account_id, 0), attempts, kind, sender_ref, to_addr, to_name,"
            " reply_to, subject, body_text, created_at, COALESCE(invoice_id, 0), rejections,"
            " COALESCE(quote_id, 0)",
            "UPDATE email_outbox SET claimed_until = $1, attempts = attempts + 1"
            " WHERE id = (SELECT id FROM email_outbox WHERE sent_at IS NULL AND failed_at IS NULL"
            " AND next_attempt_at <= $2 AND claimed_until <= $3 ORDER BY next_attempt_at, id"
            " LIMIT 1 FOR UPDATE SKIP LOCKED)"
            " RETURNING id, COALESCE(account_id, 0), attempts, kind, sender_ref, to_addr, to_name,"
            " reply_to, subject, body_text, created_at, COALESCE(invoice_id, 0), rejections,"
            " COALESCE(quote_id, 0)"),
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
    out->quote_id = db_int(st, 13);
    db_done(st);
    return STORE_OK;
}

/* An email's outcome, and its line in its account's audit log in the same transaction: staff
 * answer "did you send it?" from the log. */
typedef struct {
    int64_t id, now, rejections;
    const char *error;
    bool sent;
} outbox_mark_t;

static store_status_t audit_outcome(store_t *s, const outbox_mark_t *m)
{
    return from_db(db_exec(s->db,
                           "INSERT INTO audit_log (at, actor_kind, account_id, action, field,"
                           " old_value, new_value) SELECT $1, 'system', account_id, $2, 'email',"
                           " subject, to_addr FROM email_outbox WHERE id = $3"
                           " AND account_id IS NOT NULL",
                           "isi", m->now, m->sent ? "email_sent" : "email_failed", m->id));
}

static store_status_t mark_outcome(store_t *s, void *ctx)
{
    const outbox_mark_t *m = ctx;
    store_status_t r =
        m->sent
            ? must_change(s, db_exec(s->db,
                                     "UPDATE email_outbox SET sent_at = $1, claimed_until = 0,"
                                     " last_error = '' WHERE id = $2",
                                     "ii", m->now, m->id))
            : must_change(s, db_exec(s->db,
                                     "UPDATE email_outbox SET failed_at = $1, claimed_until = 0,"
                                     " rejections = $2, last_error = $3 WHERE id = $4",
                                     "iisi", m->now, m->rejections, m->error, m->id));
    return r == STORE_OK ? audit_outcome(s, m) : r;
}

store_status_t store_outbox_sent(store_t *s, int64_t id, int64_t now)
{
    outbox_mark_t m = {.id = id, .now = now, .sent = true};
    return store_run_tx(s, STORE_TX_WRITE, mark_outcome, &m);
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
    outbox_mark_t m = {.id = id, .now = now, .rejections = rejections, .error = error};
    return store_run_tx(s, STORE_TX_WRITE, mark_outcome, &m);
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
