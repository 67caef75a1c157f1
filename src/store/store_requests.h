/* The store's part for requests (store_requests.c): numbering, the requests, their conversation,
 * their emails, and what the console's actions on them read and change. */
#ifndef COBRO_STORE_REQUESTS_H
#define COBRO_STORE_REQUESTS_H
#include "store/request_rows.h"
#include "store/store.h"

/* The next number of a year's series ("2026"): gapless, as invoices and quotes. */
store_status_t store_request_seq_next(store_t *s, const char *series, int64_t *seq);
/* Writes a new request (req->id receives its id). STORE_CONFLICT when the account already has
 * an open request of that kind (requests_one_open): the caller's transaction is then spoiled on
 * PostgreSQL and must roll back. */
store_status_t store_request_insert(store_t *s, request_t *req);
/* The number of the account's open request of a kind; STORE_NOT_FOUND when there is none. */
store_status_t store_request_open_of_kind(store_t *s, arena_t *a, int64_t account_id,
                                          const char *category, const char *subcategory,
                                          char **number);
store_status_t store_request_by_number(store_t *s, arena_t *a, const char *number, request_t *out);
/* The requests f lets through, newest first (oldest first for open states: the queue's order). */
store_status_t store_request_list(store_t *s, arena_t *a, const request_filter_t *f,
                                  request_t **out, size_t *n);
/* The conversation, oldest first; internal notes only when with_internal. */
store_status_t store_request_messages(store_t *s, arena_t *a, int64_t request_id,
                                      bool with_internal, request_msg_t **out, size_t *n);
store_status_t store_request_message_add(store_t *s, int64_t request_id, const char *author_kind,
                                         int64_t author_id, bool internal, const char *body,
                                         int64_t now);
/* Moves the request from state from to state to (closed_at set when to closes it);
 * STORE_NOT_FOUND when it is no longer in from. */
store_status_t store_request_move(store_t *s, int64_t id, const char *from, const char *to,
                                  int64_t closed_at, int64_t now);
store_status_t store_request_assign(store_t *s, int64_t id, int64_t staff_id, int64_t now);
/* Records the first answer (kept when there was one) and the change. */
store_status_t store_request_answered(store_t *s, int64_t id, int64_t now);
store_status_t store_request_touch(store_t *s, int64_t id, int64_t now);
/* Queues an email about request_id (email_outbox.request_id). */
store_status_t store_request_email(store_t *s, const email_t *m, int64_t request_id, int64_t now);
/* How many care-form requests came from this client address / this email since since. */
store_status_t store_request_count_by_ip(store_t *s, const char *ip, int64_t since, int64_t *n);
store_status_t store_request_count_by_email(store_t *s, const char *email, int64_t since,
                                            int64_t *n);

/* ---- what the console's actions read and change ---- */

/* Sets cancel_at_period_end on an active subscription of the account that does not have it. */
store_status_t store_request_cancel_at_end(store_t *s, int64_t account_id, int64_t sub_id);
/* Makes an expired subscription of the account active again, from start to end (its price and
 * seats as they were). */
store_status_t store_request_reactivate(store_t *s, int64_t account_id, int64_t sub_id,
                                        const char *start, const char *end, int anchor_day);
store_status_t store_request_invoices(store_t *s, arena_t *a, int64_t account_id,
                                      request_invoice_t **out, size_t *n);
/* The billing contact (name, email) of a corporate account, and the account's language. */
store_status_t store_request_contact(store_t *s, arena_t *a, int64_t account_id, char **name,
                                     char **email, char **lang);

#endif
