/* Requests to Corporate Account Services and Customer Care (migration 14) as the store reads
 * them: shared by the store, the services and the pages. */
#ifndef COBRO_REQUEST_ROWS_H
#define COBRO_REQUEST_ROWS_H
#include <stdbool.h>
#include <stdint.h>

/* One request: what was asked, by whom, and where it stands. */
typedef struct {
    int64_t id, seq, account_id, credential_id, assigned_to;    /* 0: none */
    int64_t created_at, first_answer_at, updated_at, closed_at; /* 0: not yet */
    int64_t sales_rep_id;                                       /* the account's rep; 0: none */
    const char *number, *series, *queue, *source, *category, *subcategory, *state, *details;
    const char *requester_name, *requester_email, *company, *account_text, *lang, *ip;
    const char *account_name, *account_country; /* "" when the request names no account */
    const char *assigned_name;                  /* "" when nobody took it */
} request_t;

/* One message of its conversation: the customer's, a staff member's (internal: a note the
 * customer never sees), or the system's (what a console action did). */
typedef struct {
    int64_t id, request_id, author_id, created_at;
    const char *author_kind, *author_name, *body;
    bool internal;
} request_msg_t;

/* Which requests a list shows; "" and 0 mean any. */
typedef struct {
    const char *queue;    /* account_services, customer_care */
    const char *state;    /* a state, or "open" (submitted, in review, waiting on customer) */
    const char *category; /* with subcategory: one kind */
    const char *subcategory;
    int64_t account_id;
    int64_t created_before; /* only those created at or before this instant */
    int64_t rep_id;         /* only the rep's accounts' seats, cancel and reactivate requests */
    int limit;
} request_filter_t;

/* An invoice a copy can be sent of. */
typedef struct {
    int64_t id, total;
    const char *number, *issue_date, *currency;
} request_invoice_t;

#endif
