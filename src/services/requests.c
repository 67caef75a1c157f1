/* Requests to Corporate Account Services and Customer Care: filing, the conversation, the states,
 * the queues, the console's actions and the Care Billing Form (requests.h, docs/requests.md). */
#include "services/requests.h"
#include "billing/calendar.h"
#include "i18n/format.h"
#include "services/invoice_issue.h"
#include "services/mail.h"
#include "services/quotes.h"
#include "services/service_tx.h"
#include "services/services_internal.h"
#include "store/store_requests.h"
#include "util/email_addr.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

const request_kind_t request_kinds[] = {
    {"billing", "billing_frequency", N_("Change billing frequency")},
    {"billing", "invoice_copy", N_("Copy of an invoice")},
    {"billing", "payment_method", N_("Payment method")},
    {"subscription", "seats_products", N_("Add or remove seats or products")},
    {"subscription", "cancel", N_("Cancel")},
    {"subscription", "reactivate", N_("Reactivate")},
    {"forms", "vendor_forms", N_("W-9 / Vendor Form / Regional Forms")},
    {"other", "other", N_("Other")},
    {NULL, NULL, NULL}};

const request_kind_t care_topics[] = {{"care", "billing_contact", N_("Change the billing contact")},
                                      {"care", "payment", N_("Paying or the payment method")},
                                      {"care", "invoice_copy", N_("Copy of an invoice")},
                                      {"care", "cancel", N_("Cancel a subscription")},
                                      {"care", "reactivate", N_("Reactivate a subscription")},
                                      {"care", "other", N_("Something else")},
                                      {NULL, NULL, NULL}};

const char *const request_states[] = {
    "submitted", "in_review", "waiting_on_customer", "completed", "declined", "withdrawn", NULL};

const char *request_category_label(const char *category)
{
    static const struct {
        const char *code, *label;
    } names[] = {{"billing", N_("Billing")},
                 {"subscription", N_("Subscription")},
                 {"forms", N_("Form Requests")},
                 {"other", N_("Other")},
                 {"care", N_("Customer Care")}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(names[i].code, category) == 0) return names[i].label;
    return "";
}

static const request_kind_t *kind_of(const char *category, const char *subcategory)
{
    const request_kind_t *list = strcmp(category, "care") == 0 ? care_topics : request_kinds;
    for (const request_kind_t *k = list; k->category; k++)
        if (strcmp(k->category, category) == 0 && strcmp(k->subcategory, subcategory) == 0)
            return k;
    return NULL;
}

const char *request_kind_label(const char *category, const char *subcategory)
{
    const request_kind_t *k = kind_of(category, subcategory);
    return k ? k->label : "";
}

const char *request_state_label(const char *state)
{
    static const struct {
        const char *code, *label;
    } names[] = {{"submitted", N_("Submitted")},
                 {"in_review", N_("In review")},
                 {"waiting_on_customer", N_("Waiting on you")},
                 {"completed", N_("Completed")},
                 {"declined", N_("Declined")},
                 {"withdrawn", N_("Withdrawn")}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(names[i].code, state) == 0) return names[i].label;
    return "";
}

bool request_is_open(const char *state)
{
    return strcmp(state, "submitted") == 0 || strcmp(state, "in_review") == 0 ||
           strcmp(state, "waiting_on_customer") == 0;
}

bool request_rep_sees(const request_t *q)
{
    return q->account_id &&
           (strcmp(q->subcategory, "seats_products") == 0 ||
            strcmp(q->subcategory, "cancel") == 0 || strcmp(q->subcategory, "reactivate") == 0);
}

int64_t request_answer_due(const char *time_zone, int64_t created_at)
{
    GTimeZone *tz = time_zone && *time_zone ? g_time_zone_new_identifier(time_zone) : NULL;
    if (!tz) tz = g_time_zone_new_utc();
    GDateTime *t = g_date_time_new_from_unix_utc(created_at);
    GDateTime *local = t ? g_date_time_to_timezone(t, tz) : NULL;
    int64_t due = created_at + 24 * 3600;
    if (local) {
        GDateTime *start = g_date_time_ref(local);
        int dow = g_date_time_get_day_of_week(local); /* 1 Monday ... 7 Sunday */
        if (dow >= 6) {
            /* Filed on a weekend: the business day starts on Monday at midnight. */
            GDateTime *midnight =
                g_date_time_new(tz, g_date_time_get_year(local), g_date_time_get_month(local),
                                g_date_time_get_day_of_month(local), 0, 0, 0);
            g_date_time_unref(start);
            start = midnight ? g_date_time_add_days(midnight, 8 - dow) : NULL;
            if (midnight) g_date_time_unref(midnight);
        }
        GDateTime *end = start ? g_date_time_add_days(start, 1) : NULL;
        if (end) {
            int end_dow = g_date_time_get_day_of_week(end);
            if (end_dow >= 6) {
                GDateTime *monday = g_date_time_add_days(end, 8 - end_dow);
                g_date_time_unref(end);
                end = monday;
            }
        }
        if (end) {
            due = g_date_time_to_unix(end);
            g_date_time_unref(end);
        }
        if (start) g_date_time_unref(start);
        g_date_time_unref(local);
    }
    if (t) g_date_time_unref(t);
    g_time_zone_unref(tz);
    return due;
}

bool request_overdue(const request_t *q, int64_t due, int64_t now)
{
    return request_is_open(q->state) && q->first_answer_at == 0 && now > due;
}

/* ---- shared pieces ------------------------------------------------------------------- */

static const char *time_zone_of(store_t *s, arena_t *a)
{
    return setting_or(s, a, "time_zone", "");
}

/* "2026": the year of the series, the vendor's. */
static void series_of(store_t *s, arena_t *a, int64_t now, char out[5])
{
    char today[11];
    vendor_today(time_zone_of(s, a), now, today);
    memcpy(out, today, 4);
    out[4] = '\0';
}

/* Takes the next number of the year's series into q (number, series, seq). */
static store_status_t number_request(store_t *s, arena_t *a, request_t *q)
{
    char year[5];
    series_of(s, a, q->created_at, year);
    int64_t seq = 0;
    store_status_t r = store_request_seq_next(s, year, &seq);
    if (r != STORE_OK) return r;
    q->series = arena_strdup(a, year);
    q->seq = seq;
    q->number = arena_printf(a, "REQ-%s-%06lld", year, (long long)seq);
    return STORE_OK;
}

/* The kind's name in lang, "Category: kind" for the emails. */
static const char *kind_words(arena_t *a, lang_t lang, const request_t *q)
{
    return arena_printf(a, "%s: %s", tr(lang, request_category_label(q->category)),
                        tr(lang, request_kind_label(q->category, q->subcategory)));
}

/* The portal address of a request, or the care form's way to answer, for the end of emails. */
static const char *follow_up_text(arena_t *a, lang_t lang, const request_t *q, const char *base)
{
    if (strcmp(q->source, "portal") == 0)
        return mail_text(a,
                         tr(lang, "You can follow your request, reply to it or withdraw it in "
                                  "the Corporate Billing Portal: %s/corporate/requests/%s\n"),
                         base ? base : "", q->number);
    return tr(lang, "To add anything, reply to this email.\n");
}

static store_status_t queue_email(store_t *s, arena_t *a, const request_t *q, const char *kind,
                                  const char *subject, const char *body, int64_t now)
{
    const char *reply_to =
        strcmp(q->queue, "customer_care") == 0 ? setting_or(s, a, "care_email", "") : "";
    email_t m = {.kind = kind,
                 .account_id = q->account_id,
                 .sender_ref = arena_printf(a, "request:%lld", (long long)q->id),
                 .to_addr = q->requester_email,
                 .to_name = q->requester_name,
                 .reply_to = reply_to,
                 .subject = subject,
                 .body_text = body};
    return store_request_email(s, &m, q->id, now);
}

static bool lang_code_of(const char *code, lang_t *out)
{
    return lang_parse(code, out);
}

static lang_t request_lang(const request_t *q)
{
    lang_t l = LANG_EN;
    if (!lang_code_of(q->lang, &l)) l = LANG_EN;
    return l;
}

/* Splits "category/subcategory" into a known portal kind. */
static const request_kind_t *portal_kind(const char *kind)
{
    if (!kind) return NULL;
    const char *slash = strchr(kind, '/');
    if (!slash) return NULL;
    for (const request_kind_t *k = request_kinds; k->category; k++)
        if (strlen(k->category) == (size_t)(slash - kind) &&
            strncmp(k->category, kind, (size_t)(slash - kind)) == 0 &&
            strcmp(k->subcategory, slash + 1) == 0)
            return k;
    return NULL;
}

/* ---- filing (portal) ------------------------------------------------------------------ */

typedef struct {
    arena_t *a;
    const request_customer_t *who;
    const request_kind_t *kind;
    const char *details;
    request_t req;
    char *open_number;
    refused_t refused;
} submit_tx_t;

static store_status_t submit_body(store_t *s, void *arg)
{
    submit_tx_t *t = arg;
    t->refused = REFUSED_NONE;
    t->open_number = NULL;
    const request_customer_t *who = t->who;
    char *open = NULL;
    store_status_t r = store_request_open_of_kind(s, t->a, who->account_id, t->kind->category,
                                                  t->kind->subcategory, &open);
    if (r == STORE_OK) {
        t->open_number = open;
        return refuse(&t->refused, REFUSED_CONFLICT);
    }
    if (r != STORE_NOT_FOUND) return r;
    char *name = NULL, *email = NULL, *lang = NULL;
    r = store_request_contact(s, t->a, who->account_id, &name, &email, &lang);
    if (r != STORE_OK) return r == STORE_NOT_FOUND ? refuse(&t->refused, REFUSED_NOT_FOUND) : r;
    t->req = (request_t){.account_id = who->account_id,
                         .credential_id = who->credential_id,
                         .queue = "account_services",
                         .source = "portal",
                         .category = t->kind->category,
                         .subcategory = t->kind->subcategory,
                         .state = "submitted",
                         .details = t->details,
                         .requester_name = name,
                         .requester_email = email,
                         .company = "",
                         .account_text = "",
                         .lang = lang,
                         .ip = who->ip ? who->ip : "",
                         .created_at = who->now};
    r = number_request(s, t->a, &t->req);
    if (r == STORE_OK) r = store_request_insert(s, &t->req);
    /* Another writer filed the same kind first: the partial unique index refused this one. */
    if (r == STORE_CONFLICT) return refuse(&t->refused, REFUSED_CONFLICT);
    if (r != STORE_OK) return r;
    r = audit(s, "corporate", who->credential_id, who->account_id, "request_submitted", "number",
              "", t->req.number, who->ip, who->now);
    if (r != STORE_OK) return r;
    lang_t l = request_lang(&t->req);
    const char *body = mail_text(
        t->a,
        tr(l, "Hello %s,\n\nWe have received your request %s (%s). Corporate Account Services "
              "will answer it within one business day.\n\n"),
        name, t->req.number, kind_words(t->a, l, &t->req));
    body = arena_printf(t->a, "%s%s", body, follow_up_text(t->a, l, &t->req, who->base_url));
    return queue_email(s, t->a, &t->req, "request_received",
                       mail_text(t->a, tr(l, "Request %s received"), t->req.number), body,
                       who->now);
}

status_t request_submit(services_t *svc, arena_t *a, const request_customer_t *who,
                        const request_form_t *form, request_errors_t *errors, char **number,
                        char **open_number)
{
    *errors = (request_errors_t){0};
    *number = NULL;
    *open_number = NULL;
    const request_kind_t *kind = portal_kind(form->kind);
    if (!form->kind || !*form->kind)
        errors->kind = FIELD_REQUIRED;
    else if (!kind)
        errors->kind = FIELD_BAD_CHOICE;
    errors->details = check_lines(form->details ? form->details : "", true, REQUEST_DETAILS_MAX);
    if (errors->kind || errors->details) return STATUS_INVALID;
    store_t *s = services_store(svc);
    submit_tx_t t = {.a = a, .who = who, .kind = kind, .details = form->details};
    store_status_t r = store_run_tx(s, STORE_TX_WRITE, submit_body, &t);
    if (r == STORE_OK) {
        *number = (char *)t.req.number;
        return STATUS_OK;
    }
    if (t.refused == REFUSED_CONFLICT) {
        if (!t.open_number) {
            /* The race's winner committed: its number, read now. */
            char *open = NULL;
            if (store_request_open_of_kind(s, a, who->account_id, kind->category, kind->subcategory,
                                           &open) == STORE_OK)
                t.open_number = open;
        }
        *open_number = t.open_number;
    }
    return outcome(r, t.refused);
}

status_t requests_of_account(services_t *svc, arena_t *a, int64_t account_id, request_t **out,
                             size_t *n)
{
    request_filter_t f = {
        .queue = "account_services", .account_id = account_id, .limit = REQUESTS_LISTED};
    return outcome(store_request_list(services_store(svc), a, &f, out, n), REFUSED_NONE);
}

/* Reads the request, its conversation and due instant. */
static store_status_t load_view(store_t *s, arena_t *a, const char *number, bool with_internal,
                                int64_t now, request_view_t *out)
{
    *out = (request_view_t){0};
    store_status_t r = store_request_by_number(s, a, number ? number : "", &out->req);
    if (r != STORE_OK) return r;
    r = store_request_messages(s, a, out->req.id, with_internal, &out->msgs, &out->n_msgs);
    if (r != STORE_OK) return r;
    out->due = request_answer_due(time_zone_of(s, a), out->req.created_at);
    out->overdue = request_overdue(&out->req, out->due, now);
    return STORE_OK;
}

status_t request_customer_view(services_t *svc, arena_t *a, int64_t account_id, const char *number,
                               request_view_t *out)
{
    store_t *s = services_store(svc);
    store_status_t r = load_view(s, a, number, false, 0, out);
    if (r != STORE_OK) return outcome(r, REFUSED_NONE);
    if (out->req.account_id != account_id || strcmp(out->req.source, "portal") != 0)
        return STATUS_NOT_FOUND;
    return STATUS_OK;
}

typedef struct {
    arena_t *a;
    const request_customer_t *who;
    const char *number, *body;
    bool withdraw;
    refused_t refused;
} customer_tx_t;

static store_status_t customer_body(store_t *s, void *arg)
{
    customer_tx_t *t = arg;
    t->refused = REFUSED_NONE;
    request_t q;
    store_status_t r = store_request_by_number(s, t->a, t->number ? t->number : "", &q);
    if (r == STORE_NOT_FOUND ||
        (r == STORE_OK && (q.account_id != t->who->account_id || strcmp(q.source, "portal") != 0)))
        return refuse(&t->refused, REFUSED_NOT_FOUND);
    if (r != STORE_OK) return r;
    if (!request_is_open(q.state)) return refuse(&t->refused, REFUSED_CONFLICT);
    int64_t now = t->who->now;
    if (t->withdraw) {
        r = store_request_move(s, q.id, q.state, "withdrawn", now, now);
        if (r == STORE_OK)
            r = audit(s, "corporate", t->who->credential_id, q.account_id, "request_withdrawn",
                      "state", q.state, "withdrawn", t->who->ip, now);
        return r;
    }
    r = store_request_message_add(s, q.id, "customer", t->who->credential_id, false, t->body, now);
    /* The answer the request waited for: back to review. */
    if (r == STORE_OK && strcmp(q.state, "waiting_on_customer") == 0)
        r = store_request_move(s, q.id, q.state, "in_review", 0, now);
    else if (r == STORE_OK)
        r = store_request_touch(s, q.id, now);
    if (r == STORE_OK)
        r = audit(s, "corporate", t->who->credential_id, q.account_id, "request_replied", "number",
                  "", q.number, t->who->ip, now);
    return r;
}

status_t request_customer_reply(services_t *svc, arena_t *a, const request_customer_t *who,
                                const char *number, const char *body, field_error_t *e)
{
    *e = check_lines(body ? body : "", true, REQUEST_DETAILS_MAX);
    if (*e) return STATUS_INVALID;
    customer_tx_t t = {.a = a, .who = who, .number = number, .body = body};
    /* t.refused is read once the transaction has run (argument order is unspecified). */
    store_status_t r = store_run_tx(services_store(svc), STORE_TX_WRITE, customer_body, &t);
    return outcome(r, t.refused);
}

status_t request_withdraw(services_t *svc, arena_t *a, const request_customer_t *who,
                          const char *number)
{
    customer_tx_t t = {.a = a, .who = who, .number = number, .withdraw = true};
    /* t.refused is read once the transaction has run (argument order is unspecified). */
    store_status_t r = store_run_tx(services_store(svc), STORE_TX_WRITE, customer_body, &t);
    return outcome(r, t.refused);
}

/* ---- staff ------------------------------------------------------------------------------ */

const char *request_staff_queue(const request_staff_t *ctx)
{
    const char *role = ctx->role ? ctx->role : "";
    if (strcmp(role, "admin") == 0) return "";
    if (strcmp(role, "account_services") == 0) return "account_services";
    if (strcmp(role, "customer_care") == 0) return "customer_care";
    return NULL;
}

bool request_staff_may_work(const request_staff_t *ctx, const request_t *q)
{
    const char *queue = request_staff_queue(ctx);
    return queue && (!*queue || strcmp(queue, q->queue) == 0);
}

static bool may_see(const request_staff_t *ctx, const request_t *q)
{
    if (request_staff_may_work(ctx, q)) return true;
    return ctx->role && strcmp(ctx->role, "sales_rep") == 0 && q->sales_rep_id == ctx->staff_id &&
           request_rep_sees(q);
}

static status_t list_with_overdue(store_t *s, arena_t *a, const request_filter_t *f, int64_t now,
                                  bool overdue_only, request_list_t *out)
{
    *out = (request_list_t){0};
    request_t *rows = NULL;
    size_t n = 0;
    store_status_t r = store_request_list(s, a, f, &rows, &n);
    if (r != STORE_OK) return outcome(r, REFUSED_NONE);
    const char *tz = time_zone_of(s, a);
    out->rows = arena_alloc(a, (n ? n : 1) * sizeof *out->rows);
    out->overdue = arena_alloc(a, (n ? n : 1) * sizeof *out->overdue);
    for (size_t i = 0; i < n; i++) {
        bool late = request_overdue(&rows[i], request_answer_due(tz, rows[i].created_at), now);
        if (overdue_only && !late) continue;
        out->rows[out->n] = rows[i];
        out->overdue[out->n++] = late;
    }
    return STATUS_OK;
}

status_t request_queue(services_t *svc, arena_t *a, const request_staff_t *ctx,
                       const request_queue_filter_t *f, request_list_t *out)
{
    *out = (request_list_t){0};
    const char *queue = request_staff_queue(ctx);
    if (!queue) return STATUS_REFUSED;
    if (!*queue) queue = f->queue ? f->queue : "";
    request_filter_t sf = {.queue = queue,
                           .state = f->state ? f->state : "",
                           .account_id = f->account_id,
                           .limit = REQUESTS_LISTED};
    if (f->kind && *f->kind) {
        const char *slash = strchr(f->kind, '/');
        if (!slash) return STATUS_INVALID;
        sf.category = arena_strndup(a, f->kind, (size_t)(slash - f->kind));
        sf.subcategory = slash + 1;
    }
    if (f->age_days > 0) sf.created_before = ctx->now - (int64_t)f->age_days * 24 * 3600;
    return list_with_overdue(services_store(svc), a, &sf, ctx->now, f->overdue_only, out);
}

status_t request_rep_list(services_t *svc, arena_t *a, const request_staff_t *ctx,
                          int64_t account_id, request_list_t *out)
{
    *out = (request_list_t){0};
    if (!ctx->role || strcmp(ctx->role, "sales_rep") != 0) return STATUS_REFUSED;
    request_filter_t f = {.state = "open",
                          .account_id = account_id,
                          .rep_id = ctx->staff_id,
                          .limit = REQUESTS_LISTED};
    return list_with_overdue(services_store(svc), a, &f, ctx->now, false, out);
}

status_t request_staff_view(services_t *svc, arena_t *a, const request_staff_t *ctx,
                            const char *number, request_view_t *out)
{
    store_t *s = services_store(svc);
    store_status_t r = load_view(s, a, number, true, ctx->now, out);
    if (r != STORE_OK) return outcome(r, REFUSED_NONE);
    if (!may_see(ctx, &out->req)) return STATUS_NOT_FOUND;
    if (out->req.account_id && request_staff_may_work(ctx, &out->req)) {
        r = store_subscriptions_of(s, a, out->req.account_id, &out->subs, &out->n_subs);
        if (r == STORE_OK)
            r = store_request_invoices(s, a, out->req.account_id, &out->invoices, &out->n_invoices);
        if (r != STORE_OK) return outcome(r, REFUSED_NONE);
    }
    return STATUS_OK;
}

/* What a staff transaction does to the request it loaded and checked. */
typedef enum {
    DO_ASSIGN,
    DO_MESSAGE,
    DO_STATE,
    DO_FREQUENCY,
    DO_CANCEL,
    DO_REACTIVATE,
    DO_COPY
} do_t;

typedef struct {
    arena_t *a;
    const request_staff_t *ctx;
    const char *number;
    do_t what;
    const char *text; /* the message, the state, the frequency */
    bool internal;
    int64_t target; /* the subscription or invoice */
    refused_t refused;
} staff_tx_t;

static store_status_t system_note(store_t *s, const request_t *q, const char *body, int64_t now)
{
    store_status_t r = store_request_message_add(s, q->id, "system", 0, false, body, now);
    return r == STORE_OK ? store_request_touch(s, q->id, now) : r;
}

static store_status_t state_email(store_t *s, arena_t *a, const request_t *q, const char *state,
                                  const char *base_url, int64_t now)
{
    if (strcmp(state, "waiting_on_customer") != 0 && strcmp(state, "completed") != 0 &&
        strcmp(state, "declined") != 0)
        return STORE_OK;
    lang_t l = request_lang(q);
    const char *words = tr(l, request_state_label(state));
    const char *body = mail_text(a, tr(l, "Hello %s,\n\nYour request %s (%s) is now: %s.\n\n"),
                                 q->requester_name, q->number, kind_words(a, l, q), words);
    body = arena_printf(a, "%s%s", body, follow_up_text(a, l, q, base_url));
    return queue_email(s, a, q, "request_state",
                       mail_text(a, tr(l, "Request %s: %s"), q->number, words), body, now);
}

static store_status_t do_message(store_t *s, staff_tx_t *t, const request_t *q)
{
    const request_staff_t *ctx = t->ctx;
    if (!t->internal && !request_is_open(q->state)) return refuse(&t->refused, REFUSED_CONFLICT);
    store_status_t r =
        store_request_message_add(s, q->id, "staff", ctx->staff_id, t->internal, t->text, ctx->now);
    if (r != STORE_OK) return r;
    r = audit(s, "staff", ctx->staff_id, q->account_id,
              t->internal ? "request_note_added" : "request_replied", "number", "", q->number,
              ctx->ip, ctx->now);
    if (r != STORE_OK) return r;
    /* An internal note is the staff's alone: not an answer, never emailed. */
    if (t->internal) return store_request_touch(s, q->id, ctx->now);
    r = store_request_answered(s, q->id, ctx->now);
    if (r == STORE_OK && strcmp(q->state, "submitted") == 0)
        r = store_request_move(s, q->id, "submitted", "in_review", 0, ctx->now);
    if (r != STORE_OK) return r;
    lang_t l = request_lang(q);
    const char *body =
        mail_text(t->a, tr(l, "Hello %s,\n\nWe have answered your request %s (%s):\n\n%s\n\n"),
                  q->requester_name, q->number, kind_words(t->a, l, q), t->text);
    body = arena_printf(t->a, "%s%s", body, follow_up_text(t->a, l, q, ctx->base_url));
    return queue_email(s, t->a, q, "request_reply",
                       mail_text(t->a, tr(l, "Reply to your request %s"), q->number), body,
                       ctx->now);
}

static store_status_t do_state(store_t *s, staff_tx_t *t, const request_t *q)
{
    const request_staff_t *ctx = t->ctx;
    const char *to = t->text;
    if (!request_is_open(q->state)) return refuse(&t->refused, REFUSED_CONFLICT);
    if (strcmp(q->state, to) == 0) return STORE_OK;
    bool closes = strcmp(to, "completed") == 0 || strcmp(to, "declined") == 0;
    store_status_t r = store_request_move(s, q->id, q->state, to, closes ? ctx->now : 0, ctx->now);
    if (r == STORE_NOT_FOUND) return refuse(&t->refused, REFUSED_CONFLICT);
    /* Closing a request answers it, for the overdue mark. */
    if (r == STORE_OK && closes) r = store_request_answered(s, q->id, ctx->now);
    if (r == STORE_OK)
        r = audit(s, "staff", ctx->staff_id, q->account_id, "request_state", "state", q->state, to,
                  ctx->ip, ctx->now);
    if (r == STORE_OK) r = state_email(s, t->a, q, to, ctx->base_url, ctx->now);
    return r;
}

static store_status_t do_action(store_t *s, staff_tx_t *t, const request_t *q)
{
    const request_staff_t *ctx = t->ctx;
    arena_t *a = t->a;
    lang_t l = request_lang(q);
    if (!q->account_id || strcmp(q->queue, "account_services") != 0)
        return refuse(&t->refused, REFUSED_INVALID);
    if (!request_is_open(q->state)) return refuse(&t->refused, REFUSED_CONFLICT);
    store_status_t r = STORE_OK;
    const char *note = NULL;
    if (t->what == DO_FREQUENCY) {
        /* Annual is the only frequency on offer: the decision is recorded, nothing changes. */
        if (!t->text || strcmp(t->text, "annual") != 0) return refuse(&t->refused, REFUSED_INVALID);
        r = audit(s, "staff", ctx->staff_id, q->account_id, "billing_frequency_decided",
                  "billing_frequency", "annual", "annual", ctx->ip, ctx->now);
        note = tr(l, "Billing frequency reviewed: it stays annual, the only billing frequency on "
                     "offer.");
    } else if (t->what == DO_CANCEL || t->what == DO_REACTIVATE) {
        subscription_row_t row;
        r = store_subscription_of(s, a, q->account_id, t->target, &row);
        if (r == STORE_NOT_FOUND) return refuse(&t->refused, REFUSED_INVALID);
        if (r != STORE_OK) return r;
        const subscription_row_t *sub = &row;
        char when[64];
        if (t->what == DO_CANCEL) {
            r = store_request_cancel_at_end(s, q->account_id, sub->id);
            if (r == STORE_NOT_FOUND) return refuse(&t->refused, REFUSED_INVALID);
            if (r == STORE_OK)
                r = audit(s, "staff", ctx->staff_id, q->account_id, "subscription_cancel_at_end",
                          "cancel_at_period_end", "0", "1", ctx->ip, ctx->now);
            format_date(l, q->account_country, sub->period_end, when, sizeof when);
            note = mail_text(a, tr(l, "%s will be cancelled at the end of its term, on %s."),
                             sub->product_name, when);
        } else {
            /* Active again at the same price and seats, on a term that ends today: the next
             * bill run renews it and invoices a new year from today. */
            char today[11], yesterday[11];
            vendor_today(time_zone_of(s, a), ctx->now, today);
            date_t d;
            date_parse(today, &d);
            date_format(date_add_days(d, -1), yesterday);
            r = store_request_reactivate(s, q->account_id, sub->id, yesterday, today, d.d);
            if (r == STORE_NOT_FOUND) return refuse(&t->refused, REFUSED_INVALID);
            if (r == STORE_OK)
                r = audit(s, "staff", ctx->staff_id, q->account_id, "subscription_reactivated",
                          "status", sub->status, "active", ctx->ip, ctx->now);
            format_date(l, q->account_country, today, when, sizeof when);
            note = mail_text(a,
                             tr(l, "%s was reactivated at the same price; its new term starts "
                                   "on %s and is invoiced by the next bill run."),
                             sub->product_name, when);
        }
    } else if (t->what == DO_COPY) {
        request_invoice_t *invs = NULL;
        size_t n = 0;
        r = store_request_invoices(s, a, q->account_id, &invs, &n);
        if (r != STORE_OK) return r;
        const request_invoice_t *inv = NULL;
        for (size_t i = 0; i < n; i++)
            if (invs[i].id == t->target) inv = &invs[i];
        if (!inv) return refuse(&t->refused, REFUSED_INVALID);
        char *name = NULL, *email = NULL, *lang = NULL;
        r = store_request_contact(s, a, q->account_id, &name, &email, &lang);
        if (r != STORE_OK) return r == STORE_NOT_FOUND ? refuse(&t->refused, REFUSED_INVALID) : r;
        lang_t cl = lang_of(lang);
        /* Not an invoice email (email_outbox.invoice_id, one per invoice and address): a copy
         * of its own kind, whose PDF the mailer attaches from the invoice its sender_ref names. */
        email_t m = {.kind = "invoice_copy",
                     .account_id = q->account_id,
                     .sender_ref = arena_printf(a, "invoice:%lld", (long long)inv->id),
                     .to_addr = email,
                     .to_name = name,
                     .subject = mail_text(a, tr(cl, "Copy of invoice %s"), inv->number),
                     .body_text =
                         mail_text(a,
                                   tr(cl, "Hello %s,\n\nAs you asked in request %s, here is a "
                                          "copy of invoice %s, attached as a PDF.\n"),
                                   name, q->number, inv->number)};
        r = store_request_email(s, &m, q->id, ctx->now);
        if (r == STORE_OK)
            r = audit(s, "staff", ctx->staff_id, q->account_id, "invoice_copy_sent", "invoice", "",
                      inv->number, ctx->ip, ctx->now);
        note = mail_text(a, tr(l, "A copy of invoice %s was emailed to %s."), inv->number, email);
    }
    if (r == STORE_OK && note) r = system_note(s, q, note, ctx->now);
    return r;
}

static store_status_t staff_body(store_t *s, void *arg)
{
    staff_tx_t *t = arg;
    t->refused = REFUSED_NONE;
    const request_staff_t *ctx = t->ctx;
    request_t q;
    store_status_t r = store_request_by_number(s, t->a, t->number ? t->number : "", &q);
    if (r == STORE_NOT_FOUND || (r == STORE_OK && !may_see(ctx, &q)))
        return refuse(&t->refused, REFUSED_NOT_FOUND);
    if (r != STORE_OK) return r;
    /* A rep sees the request; only its queue's staff (and admins) work it. */
    if (!request_staff_may_work(ctx, &q)) return refuse(&t->refused, REFUSED_NOT_FOUND);
    switch (t->what) {
    case DO_ASSIGN:
        r = store_request_assign(s, q.id, ctx->staff_id, ctx->now);
        if (r == STORE_OK)
            r = audit(s, "staff", ctx->staff_id, q.account_id, "request_assigned", "number", "",
                      q.number, ctx->ip, ctx->now);
        return r;
    case DO_MESSAGE:
        return do_message(s, t, &q);
    case DO_STATE:
        return do_state(s, t, &q);
    default:
        return do_action(s, t, &q);
    }
}

static status_t run_staff(services_t *svc, staff_tx_t *t)
{
    store_status_t r = store_run_tx(services_store(svc), STORE_TX_WRITE, staff_body, t);
    return outcome(r, t->refused);
}

status_t request_staff_assign(services_t *svc, arena_t *a, const request_staff_t *ctx,
                              const char *number)
{
    staff_tx_t t = {.a = a, .ctx = ctx, .number = number, .what = DO_ASSIGN};
    return run_staff(svc, &t);
}

status_t request_staff_message(services_t *svc, arena_t *a, const request_staff_t *ctx,
                               const char *number, const char *body, bool internal,
                               field_error_t *e)
{
    *e = check_lines(body ? body : "", true, REQUEST_DETAILS_MAX);
    if (*e) {
        /* Still 404 for a request this staff member may not see. */
        request_view_t v;
        status_t st = request_staff_view(svc, a, ctx, number, &v);
        return st == STATUS_OK ? STATUS_INVALID : st;
    }
    staff_tx_t t = {.a = a,
                    .ctx = ctx,
                    .number = number,
                    .what = DO_MESSAGE,
                    .text = body,
                    .internal = internal};
    return run_staff(svc, &t);
}

status_t request_staff_set_state(services_t *svc, arena_t *a, const request_staff_t *ctx,
                                 const char *number, const char *state)
{
    static const char *const allowed[] = {"in_review", "waiting_on_customer", "completed",
                                          "declined"};
    bool ok = false;
    for (size_t i = 0; state && i < sizeof allowed / sizeof allowed[0]; i++)
        if (strcmp(state, allowed[i]) == 0) ok = true;
    if (!ok) {
        request_view_t v;
        status_t st = request_staff_view(svc, a, ctx, number, &v);
        return st == STATUS_OK ? STATUS_INVALID : st;
    }
    staff_tx_t t = {.a = a, .ctx = ctx, .number = number, .what = DO_STATE, .text = state};
    return run_staff(svc, &t);
}

status_t request_action_frequency(services_t *svc, arena_t *a, const request_staff_t *ctx,
                                  const char *number, const char *frequency)
{
    staff_tx_t t = {.a = a, .ctx = ctx, .number = number, .what = DO_FREQUENCY, .text = frequency};
    return run_staff(svc, &t);
}

status_t request_action_cancel(services_t *svc, arena_t *a, const request_staff_t *ctx,
                               const char *number, int64_t subscription_id)
{
    staff_tx_t t = {
        .a = a, .ctx = ctx, .number = number, .what = DO_CANCEL, .target = subscription_id};
    return run_staff(svc, &t);
}

status_t request_action_reactivate(services_t *svc, arena_t *a, const request_staff_t *ctx,
                                   const char *number, int64_t subscription_id)
{
    staff_tx_t t = {
        .a = a, .ctx = ctx, .number = number, .what = DO_REACTIVATE, .target = subscription_id};
    return run_staff(svc, &t);
}

status_t request_action_invoice_copy(services_t *svc, arena_t *a, const request_staff_t *ctx,
                                     const char *number, int64_t invoice_id)
{
    staff_tx_t t = {.a = a, .ctx = ctx, .number = number, .what = DO_COPY, .target = invoice_id};
    return run_staff(svc, &t);
}

/* ---- the Care Billing Form ------------------------------------------------------------------ */

typedef struct {
    arena_t *a;
    request_t req;
    bool limited;
} care_tx_t;

static store_status_t care_body(store_t *s, void *arg)
{
    care_tx_t *t = arg;
    t->limited = false;
    request_t *q = &t->req;
    int64_t by_ip = 0, by_email = 0, since = q->created_at - 3600;
    store_status_t r = store_request_count_by_ip(s, q->ip, since, &by_ip);
    if (r == STORE_OK) r = store_request_count_by_email(s, q->requester_email, since, &by_email);
    if (r != STORE_OK) return r;
    if (by_ip >= CARE_PER_HOUR || by_email >= CARE_PER_HOUR) {
        t->limited = true;
        return STORE_CONFLICT;
    }
    r = number_request(s, t->a, q);
    if (r == STORE_OK) r = store_request_insert(s, q);
    if (r == STORE_OK)
        r = audit(s, "system", 0, 0, "care_request_filed", "number", "", q->number, q->ip,
                  q->created_at);
    if (r != STORE_OK) return r;
    lang_t l = request_lang(q);
    const char *body = mail_text(t->a,
                                 tr(l, "Hello %s,\n\nCustomer Care has received your request %s "
                                       "(%s) and will answer you by email within one business "
                                       "day.\n\nWhat you wrote:\n%s\n\n"),
                                 q->requester_name, q->number, kind_words(t->a, l, q), q->details);
    body = arena_printf(t->a, "%s%s", body, follow_up_text(t->a, l, q, ""));
    return queue_email(s, t->a, q, "request_received",
                       mail_text(t->a, tr(l, "Request %s received"), q->number), body,
                       q->created_at);
}

/* Trims spaces around a one-line value (what is stored). */
static const char *trimmed(arena_t *a, const char *s)
{
    if (!s) return "";
    while (*s == ' ')
        s++;
    size_t n = strlen(s);
    while (n && s[n - 1] == ' ')
        n--;
    return arena_strndup(a, s, n);
}

status_t care_submit(services_t *svc, arena_t *a, const char *ip, lang_t lang, int64_t now,
                     const care_form_t *form, care_errors_t *errors, char **number)
{
    *errors = (care_errors_t){0};
    *number = NULL;
    errors->name = check_text(form->name ? form->name : "", true, CARE_FIELD_MAX);
    errors->email = check_email(form->email ? form->email : "");
    errors->company = check_text(form->company ? form->company : "", false, CARE_FIELD_MAX);
    errors->account = check_text(form->account ? form->account : "", false, CARE_FIELD_MAX);
    const request_kind_t *topic = NULL;
    for (const request_kind_t *k = care_topics; form->topic && k->category; k++)
        if (strcmp(k->subcategory, form->topic) == 0) topic = k;
    errors->topic = !form->topic || !*form->topic ? FIELD_REQUIRED
                    : topic                       ? FIELD_OK
                                                  : FIELD_BAD_CHOICE;
    errors->details = check_lines(form->details ? form->details : "", true, REQUEST_DETAILS_MAX);
    if (errors->name || errors->email || errors->company || errors->account || errors->topic ||
        errors->details)
        return STATUS_INVALID;
    char *email = arena_strdup(a, trimmed(a, form->email));
    ascii_lower(email);
    care_tx_t t = {.a = a,
                   .req = {.queue = "customer_care",
                           .source = "care_form",
                           .category = "care",
                           .subcategory = topic->subcategory,
                           .state = "submitted",
                           .details = form->details,
                           .requester_name = trimmed(a, form->name),
                           .requester_email = email,
                           .company = trimmed(a, form->company),
                           .account_text = trimmed(a, form->account),
                           .lang = lang_code(lang),
                           .ip = ip ? ip : "",
                           .created_at = now}};
    store_status_t r = store_run_tx(services_store(svc), STORE_TX_WRITE, care_body, &t);
    if (r == STORE_CONFLICT && t.limited) return STATUS_LIMITED;
    if (r == STORE_OK) *number = (char *)t.req.number;
    return outcome(r, REFUSED_NONE);
}
