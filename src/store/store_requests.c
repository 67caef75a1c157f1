/* The store's part for requests: numbering, the requests and their conversation, their emails,
 * and what the console's actions on them read and change (store_requests.h). */
#include "store_internal.h"
#include "store_requests.h"

#include <string.h>

/* Grows an arena array of n used items to hold one more. */
#define GROW(a, arr, n, cap)                                                                       \
    do {                                                                                           \
        if ((n) == (cap)) {                                                                        \
            size_t bigger_cap = (cap) ? 2 * (cap) : 16;                                            \
            void *bigger = arena_alloc((a), bigger_cap * sizeof *(arr));                           \
            if ((n)) memcpy(bigger, (arr), (n) * sizeof *(arr));                                   \
            (arr) = bigger;                                                                        \
            (cap) = bigger_cap;                                                                    \
        }                                                                                          \
    } while (0)

store_status_t store_request_seq_next(store_t *s, const char *series, int64_t *seq)
{
    /* One statement bumps or starts the series, as quote_series: writers take turns on its row. */
    return returning_id(db_query(s->db,
                                 "INSERT INTO request_series (series, last_number) VALUES ($1, 1)"
                                 " ON CONFLICT (series) DO UPDATE SET last_number ="
                                 " request_series.last_number + 1 RETURNING last_number",
                                 "s", series),
                        seq);
}

store_status_t store_request_insert(store_t *s, request_t *q)
{
    return from_db(db_insert(
        s->db, &q->id,
        "INSERT INTO requests (number, series, seq, account_id, queue, source, category,"
        " subcategory, state, details, requester_name, requester_email, company, account_text,"
        " lang, ip, credential_id, created_at, updated_at)"
        " VALUES ($1, $2, $3, NULLIF($4, 0), $5, $6, $7, $8, 'submitted', $9, $10, $11, $12, $13,"
        " $14, $15, NULLIF($16, 0), $17, $18)",
        "ssii"
        "sssssssssss"
        "iii",
        q->number, q->series, q->seq, q->account_id, q->queue, q->source, q->category,
        q->subcategory, q->details, q->requester_name, q->requester_email, q->company,
        q->account_text, q->lang, q->ip, q->credential_id, q->created_at, q->created_at));
}

store_status_t store_request_open_of_kind(store_t *s, arena_t *a, int64_t account_id,
                                          const char *category, const char *subcategory,
                                          char **number)
{
    db_stmt_t *st = db_query(s->db,
                             "SELECT number FROM requests WHERE account_id = $1 AND category = $2"
                             " AND subcategory = $3 AND state IN ('submitted', 'in_review',"
                             " 'waiting_on_customer') ORDER BY id LIMIT 1",
                             "iss", account_id, category, subcategory);
    store_status_t r = one_row(st);
    if (r == STORE_OK) {
        *number = col_str(a, st, 0);
        db_done(st);
    }
    return r;
}

#define REQUEST_SELECT                                                                             \
    "SELECT r.id, r.seq, COALESCE(r.account_id, 0), COALESCE(r.credential_id, 0),"                 \
    " COALESCE(r.assigned_to, 0), r.created_at, COALESCE(r.first_answer_at, 0), r.updated_at,"     \
    " COALESCE(r.closed_at, 0), COALESCE(a.sales_rep_id, 0), r.number, r.series, r.queue,"         \
    " r.source, r.category, r.subcategory, r.state, r.details, r.requester_name,"                  \
    " r.requester_email, r.company, r.account_text, r.lang, r.ip, COALESCE(a.name, ''),"           \
    " COALESCE(a.country, ''), COALESCE(su.name, '')"                                              \
    " FROM requests r LEFT JOIN accounts a ON a.id = r.account_id"                                 \
    " LEFT JOIN staff_users su ON su.id = r.assigned_to"

static void read_request(arena_t *a, db_stmt_t *st, request_t *q)
{
    int c = 0;
    q->id = db_int(st, c++);
    q->seq = db_int(st, c++);
    q->account_id = db_int(st, c++);
    q->credential_id = db_int(st, c++);
    q->assigned_to = db_int(st, c++);
    q->created_at = db_int(st, c++);
    q->first_answer_at = db_int(st, c++);
    q->updated_at = db_int(st, c++);
    q->closed_at = db_int(st, c++);
    q->sales_rep_id = db_int(st, c++);
    q->number = col_str(a, st, c++);
    q->series = col_str(a, st, c++);
    q->queue = col_str(a, st, c++);
    q->source = col_str(a, st, c++);
    q->category = col_str(a, st, c++);
    q->subcategory = col_str(a, st, c++);
    q->state = col_str(a, st, c++);
    q->details = col_str(a, st, c++);
    q->requester_name = col_str(a, st, c++);
    q->requester_email = col_str(a, st, c++);
    q->company = col_str(a, st, c++);
    q->account_text = col_str(a, st, c++);
    q->lang = col_str(a, st, c++);
    q->ip = col_str(a, st, c++);
    q->account_name = col_str(a, st, c++);
    q->account_country = col_str(a, st, c++);
    q->assigned_name = col_str(a, st, c++);
}

store_status_t store_request_by_number(store_t *s, arena_t *a, const char *number, request_t *out)
{
    db_stmt_t *st = db_query(s->db, REQUEST_SELECT " WHERE r.number = $1", "s", number);
    store_status_t r = one_row(st);
    if (r == STORE_OK) {
        read_request(a, st, out);
        db_done(st);
    }
    return r;
}

store_status_t store_request_list(store_t *s, arena_t *a, const request_filter_t *f,
                                  request_t **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    /* Every filter is one parameter that, empty or 0, lets everything through; the casts give
     * PostgreSQL the parameters' types whichever use it reads first. */
    db_stmt_t *st = db_query(
        s->db,
        REQUEST_SELECT " WHERE (CAST($1 AS TEXT) = '' OR r.queue = $1)"
                       " AND (CAST($2 AS TEXT) = '' OR r.state = $2 OR ($2 = 'open' AND r.state IN"
                       " ('submitted', 'in_review', 'waiting_on_customer')))"
                       " AND (CAST($3 AS TEXT) = '' OR (r.category = $3 AND r.subcategory = $4))"
                       " AND (CAST($5 AS BIGINT) = 0 OR r.account_id = $5)"
                       " AND (CAST($6 AS BIGINT) = 0 OR r.created_at <= $6)"
                       " AND (CAST($7 AS BIGINT) = 0 OR (a.sales_rep_id = $7 AND r.subcategory IN"
                       " ('seats_products', 'cancel', 'reactivate')))"
                       " ORDER BY r.created_at DESC, r.id DESC LIMIT $8",
        "ssssiiii", f->queue ? f->queue : "", f->state ? f->state : "",
        f->category ? f->category : "", f->subcategory ? f->subcategory : "", f->account_id,
        f->created_before, f->rep_id, (int64_t)(f->limit > 0 ? f->limit : 200));
    if (!st) return STORE_ERROR;
    size_t cap = 0;
    db_status_t r;
    while ((r = db_step(st)) == DB_ROW) {
        GROW(a, *out, *n, cap);
        read_request(a, st, &(*out)[(*n)++]);
    }
    db_done(st);
    return r == DB_OK ? STORE_OK : from_db(r);
}

store_status_t store_request_messages(store_t *s, arena_t *a, int64_t request_id,
                                      bool with_internal, request_msg_t **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    db_stmt_t *st = db_query(s->db,
                             "SELECT m.id, m.request_id, COALESCE(m.author_id, 0), m.created_at,"
                             " m.author_kind, COALESCE(su.name, ''), m.body, m.internal"
                             " FROM request_messages m LEFT JOIN staff_users su"
                             " ON m.author_kind = 'staff' AND su.id = m.author_id"
                             " WHERE m.request_id = $1 AND (m.internal = 0 OR $2 = 1)"
                             " ORDER BY m.created_at, m.id",
                             "ii", request_id, (int64_t)(with_internal ? 1 : 0));
    if (!st) return STORE_ERROR;
    size_t cap = 0;
    db_status_t r;
    while ((r = db_step(st)) == DB_ROW) {
        GROW(a, *out, *n, cap);
        request_msg_t *m = &(*out)[(*n)++];
        m->id = db_int(st, 0);
        m->request_id = db_int(st, 1);
        m->author_id = db_int(st, 2);
        m->created_at = db_int(st, 3);
        m->author_kind = col_str(a, st, 4);
        m->author_name = col_str(a, st, 5);
        m->body = col_str(a, st, 6);
        m->internal = db_int(st, 7) != 0;
    }
    db_done(st);
    return r == DB_OK ? STORE_OK : from_db(r);
}

store_status_t store_request_message_add(store_t *s, int64_t request_id, const char *author_kind,
                                         int64_t author_id, bool internal, const char *body,
                                         int64_t now)
{
    return from_db(db_exec(s->db,
                           "INSERT INTO request_messages (request_id, author_kind, author_id,"
                           " internal, body, created_at) VALUES ($1, $2, NULLIF($3, 0), $4, $5,"
                           " $6)",
                           "isiisi", request_id, author_kind, author_id,
                           (int64_t)(internal ? 1 : 0), body, now));
}

store_status_t store_request_move(store_t *s, int64_t id, const char *from, const char *to,
                                  int64_t closed_at, int64_t now)
{
    return must_change(s, db_exec(s->db,
                                  "UPDATE requests SET state = $1, closed_at = NULLIF($2, 0),"
                                  " updated_at = $3 WHERE id = $4 AND state = $5",
                                  "siiis", to, closed_at, now, id, from));
}

store_status_t store_request_assign(store_t *s, int64_t id, int64_t staff_id, int64_t now)
{
    return must_change(s, db_exec(s->db,
                                  "UPDATE requests SET assigned_to = $1, updated_at = $2"
                                  " WHERE id = $3",
                                  "iii", staff_id, now, id));
}

store_status_t store_request_answered(store_t *s, int64_t id, int64_t now)
{
    return must_change(s, db_exec(s->db,
                                  "UPDATE requests SET first_answer_at = COALESCE(first_answer_at,"
                                  " $1), updated_at = $2 WHERE id = $3",
                                  "iii", now, now, id));
}

store_status_t store_request_touch(store_t *s, int64_t id, int64_t now)
{
    return must_change(
        s, db_exec(s->db, "UPDATE requests SET updated_at = $1 WHERE id = $2", "ii", now, id));
}

store_status_t store_request_email(store_t *s, const email_t *m, int64_t request_id, int64_t now)
{
    return from_db(db_exec(s->db,
                           "INSERT INTO email_outbox (created_at, kind, account_id, sender_ref,"
                           " to_addr, to_name, reply_to, subject, body_text, next_attempt_at,"
                           " request_id) VALUES ($1, $2, NULLIF($3, 0), $4, $5, $6, $7, $8, $9,"
                           " $10, $11)",
                           "isissssssii", now, m->kind, m->account_id,
                           m->sender_ref ? m->sender_ref : "", m->to_addr,
                           m->to_name ? m->to_name : "", m->reply_to ? m->reply_to : "", m->subject,
                           m->body_text, now, request_id));
}

static store_status_t count_of(db_stmt_t *st, int64_t *n)
{
    store_status_t r = one_row(st);
    if (r == STORE_OK) {
        *n = db_int(st, 0);
        db_done(st);
    }
    return r;
}

store_status_t store_request_count_by_ip(store_t *s, const char *ip, int64_t since, int64_t *n)
{
    return count_of(db_query(s->db,
                             "SELECT COUNT(*) FROM requests WHERE ip = $1 AND created_at >= $2"
                             " AND source = 'care_form'",
                             "si", ip, since),
                    n);
}

store_status_t store_request_count_by_email(store_t *s, const char *email, int64_t since,
                                            int64_t *n)
{
    return count_of(db_query(s->db,
                             "SELECT COUNT(*) FROM requests WHERE requester_email = $1"
                             " AND created_at >= $2 AND source = 'care_form'",
                             "si", email, since),
                    n);
}

store_status_t store_request_cancel_at_end(store_t *s, int64_t account_id, int64_t sub_id)
{
    return must_change(s, db_exec(s->db,
                                  "UPDATE subscriptions SET cancel_at_period_end = 1"
                                  " WHERE id = $1 AND account_id = $2 AND status = 'active'"
                                  " AND cancel_at_period_end = 0",
                                  "ii", sub_id, account_id));
}

store_status_t store_request_reactivate(store_t *s, int64_t account_id, int64_t sub_id,
                                        const char *start, const char *end, int anchor_day)
{
    return must_change(s, db_exec(s->db,
                                  "UPDATE subscriptions SET status = 'active', period_start = $1,"
                                  " period_end = $2, anchor_day = $3, cancel_at_period_end = 0,"
                                  " auto_renew = 1 WHERE id = $4 AND account_id = $5"
                                  " AND status = 'expired'",
                                  "ssiii", start, end, (int64_t)anchor_day, sub_id, account_id));
}

store_status_t store_request_invoices(store_t *s, arena_t *a, int64_t account_id,
                                      request_invoice_t **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    db_stmt_t *st = db_query(s->db,
                             "SELECT id, total, number, issue_date, currency FROM invoices"
                             " WHERE account_id = $1 ORDER BY issue_date DESC, id DESC LIMIT 50",
                             "i", account_id);
    if (!st) return STORE_ERROR;
    size_t cap = 0;
    db_status_t r;
    while ((r = db_step(st)) == DB_ROW) {
        GROW(a, *out, *n, cap);
        request_invoice_t *x = &(*out)[(*n)++];
        x->id = db_int(st, 0);
        x->total = db_int(st, 1);
        x->number = col_str(a, st, 2);
        x->issue_date = col_str(a, st, 3);
        x->currency = col_str(a, st, 4);
    }
    db_done(st);
    return r == DB_OK ? STORE_OK : from_db(r);
}

store_status_t store_request_contact(store_t *s, arena_t *a, int64_t account_id, char **name,
                                     char **email, char **lang)
{
    db_stmt_t *st = db_query(s->db,
                             "SELECT c.contact_name, c.contact_email, ac.lang FROM"
                             " portal_credentials c JOIN accounts ac ON ac.id = c.account_id"
                             " WHERE c.account_id = $1",
                             "i", account_id);
    store_status_t r = one_row(st);
    if (r == STORE_OK) {
        *name = col_str(a, st, 0);
        *email = col_str(a, st, 1);
        *lang = col_str(a, st, 2);
        db_done(st);
    }
    return r;
}
