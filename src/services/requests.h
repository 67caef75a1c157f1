/* Requests (docs/requests.md): a corporate billing contact asks Corporate Account Services on
 * the portal's Requests tab, anyone asks Customer Care on the public Care Billing Form; staff
 * answer them in their queue and do what they ask with the console's actions. Every change runs
 * in one transaction, is audited, and queues its emails in that transaction. */
#ifndef COBRO_REQUESTS_H
#define COBRO_REQUESTS_H
#include "i18n/i18n.h"
#include "services/services.h"
#include "services/validate.h"
#include "store/request_rows.h"
#include "store/rows.h"
#include "util/arena.h"

enum {
    REQUEST_DETAILS_MAX = 4000, /* the details of a request, a message of its conversation */
    CARE_FIELD_MAX = 200,       /* the care form's name, company and account */
    CARE_PER_HOUR = 3,          /* care-form requests an hour, per client address and per email */
    REQUESTS_LISTED = 200,
};

/* A kind of request: its category and subcategory codes and its name (a msgid). */
typedef struct {
    const char *category, *subcategory, *label;
} request_kind_t;
/* The portal's kinds, grouped by category in order, ended by a NULL category. */
extern const request_kind_t request_kinds[];
/* The care form's topics (category "care"), ended by a NULL category. */
extern const request_kind_t care_topics[];
/* The msgid naming a category / a kind / a state ("" for an unknown code). */
const char *request_category_label(const char *category);
const char *request_kind_label(const char *category, const char *subcategory);
const char *request_state_label(const char *state);
/* The states in their order, ended by NULL. */
extern const char *const request_states[];
/* Submitted, in review or waiting on the customer. */
bool request_is_open(const char *state);
/* Seats and products, cancellation and reactivation requests: shown to the account's rep. */
bool request_rep_sees(const request_t *q);

/* When a request created at created_at is due its first answer: one business day later
 * (Monday to Friday in time_zone, an IANA name; UTC when empty or unknown). A request filed on
 * a weekend starts its day on Monday at midnight. */
int64_t request_answer_due(const char *time_zone, int64_t created_at);
/* Open, never answered, and past its due instant. */
bool request_overdue(const request_t *q, int64_t due, int64_t now);

/* A request with its conversation, as a page shows it. */
typedef struct {
    request_t req;
    request_msg_t *msgs;
    size_t n_msgs;
    int64_t due; /* the first answer's due instant */
    bool overdue;
    /* Staff pages: what the console's actions work on (the account's). */
    subscription_row_t *subs; /* store_subscriptions_of: active ones first */
    size_t n_subs;
    request_invoice_t *invoices;
    size_t n_invoices;
} request_view_t;

/* ---- the billing contact (Corporate Billing Portal) ---------------------------------- */

typedef struct {
    int64_t account_id, credential_id;
    const char *ip;
    lang_t lang; /* the reader's, for what the page says; emails go in the account's */
    int64_t now;
    const char *base_url;
} request_customer_t;

typedef struct {
    const char *kind; /* "category/subcategory", one of request_kinds */
    const char *details;
} request_form_t;

typedef struct {
    field_error_t kind, details;
} request_errors_t;

/* Files a request of the account: its number in *number, a confirmation email to the billing
 * contact in the account's language. STATUS_INVALID with the errors; STATUS_CONFLICT when the
 * account has an open request of that kind already (*open_number names it). */
status_t request_submit(services_t *svc, arena_t *a, const request_customer_t *who,
                        const request_form_t *form, request_errors_t *errors, char **number,
                        char **open_number);
/* The account's requests, newest first. */
status_t requests_of_account(services_t *svc, arena_t *a, int64_t account_id, request_t **out,
                             size_t *n);
/* The account's request and its conversation without internal notes; STATUS_NOT_FOUND for
 * another account's request or one that is not a portal request. */
status_t request_customer_view(services_t *svc, arena_t *a, int64_t account_id, const char *number,
                               request_view_t *out);
/* A reply of the billing contact: STATUS_INVALID (*e), STATUS_CONFLICT once it is closed. A
 * request waiting on the customer goes back to review. */
status_t request_customer_reply(services_t *svc, arena_t *a, const request_customer_t *who,
                                const char *number, const char *body, field_error_t *e);
/* Withdraws an open request; STATUS_CONFLICT when it is closed already. */
status_t request_withdraw(services_t *svc, arena_t *a, const request_customer_t *who,
                          const char *number);

/* ---- staff ---------------------------------------------------------------------------- */

typedef struct {
    int64_t staff_id;
    const char *role; /* sales_rep, account_services, customer_care, admin */
    const char *ip;
    int64_t now;
    const char *base_url;
} request_staff_t;

/* The queue a role works: account_services or customer_care; "" for admins (both); NULL for a
 * role with no queue (sales reps). */
const char *request_staff_queue(const request_staff_t *ctx);
/* May work it (answer, change, act): its queue's role, or an admin. */
bool request_staff_may_work(const request_staff_t *ctx, const request_t *q);

typedef struct {
    const char *queue; /* admins: "", account_services or customer_care */
    const char *state; /* "", "open", or a state */
    const char *kind;  /* "", or "category/subcategory" */
    int64_t account_id;
    int age_days; /* 0: any; else created at least that many days ago */
    bool overdue_only;
} request_queue_filter_t;

typedef struct {
    request_t *rows;
    bool *overdue;
    size_t n;
} request_list_t;

/* The queue of the role (STATUS_REFUSED for a role without one) filtered by f. */
status_t request_queue(services_t *svc, arena_t *a, const request_staff_t *ctx,
                       const request_queue_filter_t *f, request_list_t *out);
/* A sales rep's view: the open seats, cancellation and reactivation requests of their accounts
 * (an account's own when account_id is not 0). */
status_t request_rep_list(services_t *svc, arena_t *a, const request_staff_t *ctx,
                          int64_t account_id, request_list_t *out);
/* The request with every message; STATUS_NOT_FOUND when this staff member may not see it. */
status_t request_staff_view(services_t *svc, arena_t *a, const request_staff_t *ctx,
                            const char *number, request_view_t *out);
status_t request_staff_assign(services_t *svc, arena_t *a, const request_staff_t *ctx,
                              const char *number);
/* A reply (emailed to the requester, shown to them) or an internal note (never shown to them,
 * never emailed). STATUS_INVALID (*e); a reply to a closed request: STATUS_CONFLICT. */
status_t request_staff_message(services_t *svc, arena_t *a, const request_staff_t *ctx,
                               const char *number, const char *body, bool internal,
                               field_error_t *e);
/* Moves an open request to in_review, waiting_on_customer, completed or declined
 * (STATUS_INVALID for another state, STATUS_CONFLICT once closed); the requester is emailed. */
status_t request_staff_set_state(services_t *svc, arena_t *a, const request_staff_t *ctx,
                                 const char *number, const char *state);

/* The console's actions on the request's account (Corporate Account Services, admins), each
 * audited and noted on the request. STATUS_INVALID: no such subscription / invoice of the
 * account, or one the action does not apply to. */
status_t request_action_frequency(services_t *svc, arena_t *a, const request_staff_t *ctx,
                                  const char *number, const char *frequency);
status_t request_action_cancel(services_t *svc, arena_t *a, const request_staff_t *ctx,
                               const char *number, int64_t subscription_id);
status_t request_action_reactivate(services_t *svc, arena_t *a, const request_staff_t *ctx,
                                   const char *number, int64_t subscription_id);
status_t request_action_invoice_copy(services_t *svc, arena_t *a, const request_staff_t *ctx,
                                     const char *number, int64_t invoice_id);

/* ---- the Care Billing Form (public) ----------------------------------------------------- */

typedef struct {
    const char *name, *email, *company, *account, *topic, *details;
} care_form_t;

typedef struct {
    field_error_t name, email, company, account, topic, details;
} care_errors_t;

/* Files the form as a request in Customer Care's queue (no account named: what was typed is
 * kept as text, so the answer never tells whether an account exists) and emails a confirmation
 * in lang. STATUS_INVALID with the errors; STATUS_LIMITED when this address or this email filed
 * CARE_PER_HOUR in the last hour. */
status_t care_submit(services_t *svc, arena_t *a, const char *ip, lang_t lang, int64_t now,
                     const care_form_t *form, care_errors_t *errors, char **number);

#endif
