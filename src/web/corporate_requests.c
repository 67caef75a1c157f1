/* The Corporate Billing Portal's Requests tab: the form that files a request to Corporate
 * Account Services (a kind and details), the account's requests, and each request's page with
 * its state and conversation, where the billing contact replies or withdraws it. */
#include "pages.h"
#include "services/requests.h"

#include <string.h>

static request_customer_t customer_of(req_t *r, const account_t *acc)
{
    return (request_customer_t){.account_id = acc->id,
                                .credential_id = r->principal_id,
                                .ip = r->ip,
                                .lang = r->lang,
                                .now = r->now,
                                .base_url = r->app && r->app->cfg ? r->app->cfg->base_url : ""};
}

/* The number in the path, when it looks like one (anything else is simply not found). */
static const char *number_param(req_t *r)
{
    return r->n_params > 0 && r->params[0] ? r->params[0] : "";
}

static void requests_table(req_t *r, const account_t *acc, const request_t *rows, size_t n)
{
    buf_t *b = &r->resp.body;
    if (n == 0) {
        html_render(b, "<p>%s</p>", T("You have not sent any requests yet."));
        return;
    }
    const char *number = T("Number"), *kind = T("Request"), *sent = T("Sent on"),
               *state = T("Status");
    html_render(b,
                "<div class=\"table-wrap\"><table class=\"requests stack\"><caption>%s</caption>"
                "<thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead><tbody>",
                T("Your requests, newest first"), number, kind, sent, state);
    for (size_t i = 0; i < n; i++) {
        const request_t *q = &rows[i];
        html_render(
            b,
            "<tr><th scope=\"row\" data-label=\"%s\"><a href=\"/corporate/requests/%s\">"
            "%s</a></th><td data-label=\"%s\">%s</td><td class=\"nowrap\" data-label=\"%s\">"
            "%s</td><td data-label=\"%s\" data-state=\"%s\">%s</td></tr>",
            number, q->number, q->number, kind, request_kind_text(r, q), sent,
            request_day(r, acc->country, q->created_at), state, q->state,
            request_state_text(r, q->state));
    }
    html_render(b, "</tbody></table></div>");
}

/* The tab: a notice, the form (what was typed kept), the list. */
static void render_tab(req_t *r, const account_t *acc, const request_form_t *v,
                       const request_errors_t *e, bool refused, const char *open_number)
{
    request_t *rows = NULL;
    size_t n = 0;
    if (answer_status(r, requests_of_account(r->svc, r->arena, acc->id, &rows, &n))) return;
    buf_t *b = &r->resp.body;
    layout_begin(r, SECTION_CORPORATE, T("Requests"));
    html_render(b, "<h1>%s</h1>", T("Requests"));
    if (open_number) {
        html_render(b, "<div class=\"notice error\" role=\"alert\"><p>");
        html_text(b,
                  T("You already have an open request of this kind: %s. Add to it there "
                    "instead, or withdraw it first."),
                  open_number);
        html_render(b, " <a href=\"/corporate/requests/%s\">%s</a></p></div>", open_number,
                    T("Open that request"));
    } else if (refused) {
        notice_error(r, T("The request was not sent. Check the fields marked below."));
    }
    const char *sent = req_param(r, "sent");
    if (!refused && !open_number && sent && strncmp(sent, "REQ-", 4) == 0 && strlen(sent) < 32) {
        html_render(b, "<div class=\"notice info\" role=\"status\"><p>");
        html_text(b,
                  T("Your request %s has been sent to Corporate Account Services. We have "
                    "emailed you a confirmation and will answer within one business day."),
                  sent);
        html_render(b, " <a href=\"/corporate/requests/%s\">%s</a></p></div>", sent,
                    T("View the request"));
    }
    html_render(b, "<p class=\"help\">%s</p>",
                T("Ask Corporate Account Services for what the portal does not do itself: change "
                  "the billing frequency, get a copy of an invoice, add or remove seats or "
                  "products, cancel or reactivate a subscription, or get the W-9, a vendor form "
                  "or a regional form."));
    html_render(b,
                "<section class=\"card\" aria-labelledby=\"new-request\"><h2 id=\"new-request\">"
                "%s</h2>",
                T("New request"));
    form_open(r, "/corporate/requests", "class=\"request-form\" novalidate");
    request_kind_select(r, "kind", T("Category and subcategory"), v->kind, e->kind, false);
    request_textarea(r, "details", T("Details"), v->details, e->details, true);
    html_render(b, "<button type=\"submit\" class=\"primary\">%s</button></form></section>",
                T("Submit"));
    html_render(b, "<section aria-labelledby=\"my-requests\"><h2 id=\"my-requests\">%s</h2>",
                T("Your requests"));
    requests_table(r, acc, rows, n);
    html_render(b, "</section>");
    layout_end(r);
}

void page_corporate_requests(req_t *r)
{
    credential_t c;
    account_t acc;
    if (!settings_load_contact(r, &c, &acc)) return;
    request_errors_t e = {0};
    if (r->method != METHOD_POST) {
        request_form_t empty = {"", ""};
        render_tab(r, &acc, &empty, &e, false, NULL);
        return;
    }
    request_form_t v = {.kind = req_field(r, "kind"), .details = req_field(r, "details")};
    request_customer_t who = customer_of(r, &acc);
    char *number = NULL, *open_number = NULL;
    status_t st = request_submit(r->svc, r->arena, &who, &v, &e, &number, &open_number);
    if (st == STATUS_OK) {
        req_mail_queued(r);
        resp_redirect(r, arena_printf(r->arena, "/corporate/requests?sent=%s", number));
        return;
    }
    if (st == STATUS_INVALID || (st == STATUS_CONFLICT && open_number)) {
        r->resp.status = st == STATUS_INVALID ? 400 : 409;
        render_tab(r, &acc, &v, &e, st == STATUS_INVALID, open_number);
        return;
    }
    answer_status(r, st);
}

/* One request: its facts, the conversation, and while it is open the reply and withdraw forms. */
static void render_request(req_t *r, const account_t *acc, const request_view_t *v,
                           const char *reply, field_error_t reply_error, const char *problem)
{
    buf_t *b = &r->resp.body;
    const request_t *q = &v->req;
    layout_begin(r, SECTION_CORPORATE, arena_printf(r->arena, T("Request %s"), q->number));
    html_render(b, "<h1>%s <span class=\"nowrap\">%s</span></h1>", T("Request"), q->number);
    if (problem) notice_error(r, problem);
    if (req_param(r, "replied")) notice_info(r, T("Your reply has been added."));
    if (req_param(r, "withdrawn")) notice_info(r, T("The request has been withdrawn."));
    html_render(b,
                "<dl class=\"facts\"><dt>%s</dt><dd>%s</dd><dt>%s</dt><dd data-state=\"%s\">"
                "<strong>%s</strong></dd><dt>%s</dt><dd>%s</dd></dl>",
                T("Request"), request_kind_text(r, q), T("Status"), q->state,
                request_state_text(r, q->state), T("Sent on"),
                request_day(r, acc->country, q->created_at));
    if (strcmp(q->state, "waiting_on_customer") == 0)
        notice_warning(r, T("Corporate Account Services is waiting on your answer. Reply below."));
    request_conversation(r, v, false);
    if (request_is_open(q->state)) {
        html_render(b,
                    "<section class=\"card\" aria-labelledby=\"reply-h\"><h2 id=\"reply-h\">"
                    "%s</h2>",
                    T("Reply"));
        form_open(r, arena_printf(r->arena, "/corporate/requests/%s/reply", q->number),
                  "novalidate");
        request_textarea(r, "message", T("Your message"), reply, reply_error, true);
        html_render(b, "<button type=\"submit\" class=\"primary\">%s</button></form></section>",
                    T("Send reply"));
        html_render(b,
                    "<section class=\"card\" aria-labelledby=\"withdraw-h\"><h2 "
                    "id=\"withdraw-h\">%s</h2><p>%s</p>",
                    T("Withdraw this request"),
                    T("Withdraw it when you no longer need it. It is then closed and cannot be "
                      "reopened."));
        form_open(r, arena_printf(r->arena, "/corporate/requests/%s/withdraw", q->number), NULL);
        html_render(b, "<button type=\"submit\" class=\"secondary\">%s</button></form></section>",
                    T("Withdraw request"));
    } else {
        html_render(b, "<p>%s</p>",
                    T("This request is closed. Send a new request if you need "
                      "anything else."));
    }
    html_render(b, "<p><a href=\"/corporate/requests\">%s</a></p>", T("Back to requests"));
    layout_end(r);
}

static bool load(req_t *r, account_t *acc, request_view_t *v)
{
    credential_t c;
    if (!settings_load_contact(r, &c, acc)) return false;
    return !answer_status(r, request_customer_view(r->svc, r->arena, acc->id, number_param(r), v));
}

void page_corporate_request(req_t *r)
{
    account_t acc;
    request_view_t v;
    if (!load(r, &acc, &v)) return;
    render_request(r, &acc, &v, "", FIELD_OK, NULL);
}

void page_corporate_request_reply(req_t *r)
{
    account_t acc;
    request_view_t v;
    if (!load(r, &acc, &v)) return;
    request_customer_t who = customer_of(r, &acc);
    field_error_t e = FIELD_OK;
    const char *body = req_field(r, "message");
    status_t st = request_customer_reply(r->svc, r->arena, &who, v.req.number, body, &e);
    if (st == STATUS_OK) {
        resp_redirect(r, arena_printf(r->arena, "/corporate/requests/%s?replied=1", v.req.number));
        return;
    }
    if (st == STATUS_INVALID || st == STATUS_CONFLICT) {
        r->resp.status = st == STATUS_INVALID ? 400 : 409;
        if (st == STATUS_CONFLICT &&
            answer_status(r, request_customer_view(r->svc, r->arena, acc.id, v.req.number, &v)))
            return;
        render_request(r, &acc, &v, body, e,
                       st == STATUS_INVALID
                           ? T("Your reply was not sent. Check the field marked below.")
                           : T("This request is closed: it takes no more replies."));
        return;
    }
    answer_status(r, st);
}

void page_corporate_request_withdraw(req_t *r)
{
    account_t acc;
    request_view_t v;
    if (!load(r, &acc, &v)) return;
    request_customer_t who = customer_of(r, &acc);
    status_t st = request_withdraw(r->svc, r->arena, &who, v.req.number);
    if (st == STATUS_OK) {
        resp_redirect(r,
                      arena_printf(r->arena, "/corporate/requests/%s?withdrawn=1", v.req.number));
        return;
    }
    if (st == STATUS_CONFLICT) {
        r->resp.status = 409;
        render_request(r, &acc, &v, "", FIELD_OK, T("This request is closed already."));
        return;
    }
    answer_status(r, st);
}
