/* The staff side of requests: the queue of Corporate Account Services (Customer Care's own, both
 * for admins) with its filters, a request's page with "Assign to me", the reply and internal note,
 * the state, and the console's actions that do what it asks; a sales rep's list of their
 * accounts' seats, cancellation and reactivation requests. */
#include "pages.h"
#include "http/session.h"
#include "services/requests.h"
#include "services/session_views.h"
#include "services/staff_views.h"

#include <stdlib.h>
#include <string.h>

static request_staff_t staff_ctx(req_t *r)
{
    const principal_view_t *p = session_principal(r, NULL);
    return (request_staff_t){.staff_id = r->principal_id,
                             .role = p && p->role ? p->role : "",
                             .ip = r->ip,
                             .now = r->now,
                             .base_url = r->app && r->app->cfg ? r->app->cfg->base_url : ""};
}

static const char *param_or_empty(req_t *r, const char *name)
{
    const char *v = req_param(r, name);
    return v ? v : "";
}

static void option(req_t *r, const char *value, const char *label, const char *chosen)
{
    html_render(&r->resp.body, "<option value=\"%s\"%R>%s</option>", value,
                strcmp(value, chosen) == 0 ? " selected" : "", label);
}

/* The list of requests, with the overdue mark. */
static void requests_table(req_t *r, const request_list_t *list, const char *caption)
{
    buf_t *b = &r->resp.body;
    if (list->n == 0) {
        html_render(b, "<p>%s</p>", T("No requests match."));
        return;
    }
    const char *number = T("Number"), *kind = T("Request"), *who = T("From"), *sent = T("Sent on"),
               *state = T("Status"), *assigned = T("Assigned to");
    html_render(b,
                "<div class=\"table-wrap\"><table class=\"requests stack\"><caption>%s</caption>"
                "<thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                "<th scope=\"col\">%s</th></tr></thead><tbody>",
                caption, number, kind, who, sent, state, assigned);
    for (size_t i = 0; i < list->n; i++) {
        const request_t *q = &list->rows[i];
        const char *from = *q->account_name ? q->account_name
                           : *q->company    ? q->company
                                            : q->requester_name;
        html_render(b,
                    "<tr%R><th scope=\"row\" data-label=\"%s\"><a href=\"/staff/requests/%s\">%s"
                    "</a></th><td data-label=\"%s\">%s</td><td data-label=\"%s\">%s</td>"
                    "<td class=\"nowrap\" data-label=\"%s\">%s</td><td data-label=\"%s\" "
                    "data-state=\"%s\">%s",
                    list->overdue[i] ? " class=\"overdue\"" : "", number, q->number, q->number,
                    kind, request_kind_text(r, q), who, from, sent,
                    request_day(r, q->account_country, q->created_at), state, q->state,
                    request_state_text(r, q->state));
        if (list->overdue[i])
            html_render(b, " <strong class=\"tag overdue\">%s</strong>",
                        T("Overdue (no first answer)"));
        html_render(b, "</td><td data-label=\"%s\">%s</td></tr>", assigned,
                    *q->assigned_name ? q->assigned_name : "—");
    }
    html_render(b, "</tbody></table></div>");
}

static void filters_form(req_t *r, const request_staff_t *ctx, const request_queue_filter_t *f,
                         const char *account, const char *age)
{
    buf_t *b = &r->resp.body;
    html_render(b, "<form method=\"get\" action=\"/staff/requests\" class=\"filters\">"
                   "<div class=\"field-row\">");
    if (strcmp(ctx->role, "admin") == 0) {
        html_render(b,
                    "<div class=\"field\"><label for=\"queue\">%s</label><select id=\"queue\" "
                    "name=\"queue\">",
                    T("Queue"));
        option(r, "", T("Both queues"), f->queue);
        option(r, "account_services", T("Corporate Account Services"), f->queue);
        option(r, "customer_care", T("Customer Care"), f->queue);
        html_render(b, "</select></div>");
    }
    html_render(b,
                "<div class=\"field\"><label for=\"state\">%s</label><select id=\"state\" "
                "name=\"state\">",
                T("Status"));
    option(r, "", T("Any status"), f->state);
    option(r, "open", T("Open requests"), f->state);
    option(r, "overdue", T("Overdue (no first answer)"), f->overdue_only ? "overdue" : "-");
    for (const char *const *s = request_states; *s; s++)
        option(r, *s, request_state_text(r, *s), f->state);
    html_render(b, "</select></div>");
    request_kind_select(r, "kind", T("Kind"), f->kind, FIELD_OK, true);
    account_row_t *accounts = NULL;
    size_t n = 0;
    if (staff_accounts_view(r->svc, r->arena, 500, &accounts, &n) == STATUS_OK) {
        html_render(b,
                    "<div class=\"field\"><label for=\"account\">%s</label><select "
                    "id=\"account\" name=\"account\">",
                    T("Account"));
        option(r, "", T("Any account"), account);
        for (size_t i = 0; i < n; i++)
            option(r, arena_printf(r->arena, "%lld", (long long)accounts[i].id), accounts[i].name,
                   account);
        html_render(b, "</select></div>");
    }
    html_render(b,
                "<div class=\"field\"><label for=\"age\">%s</label><select id=\"age\" "
                "name=\"age\">",
                T("Age"));
    option(r, "", T("Any age"), age);
    option(r, "1", T("Older than 1 day"), age);
    option(r, "3", T("Older than 3 days"), age);
    option(r, "7", T("Older than 7 days"), age);
    option(r, "30", T("Older than 30 days"), age);
    html_render(b,
                "</select></div></div><button type=\"submit\" class=\"secondary\">%s</button>"
                "</form>",
                T("Filter"));
}

void page_staff_requests(req_t *r)
{
    request_staff_t ctx = staff_ctx(r);
    buf_t *b = &r->resp.body;
    request_list_t list;
    if (strcmp(ctx.role, "sales_rep") == 0) {
        if (answer_status(r, request_rep_list(r->svc, r->arena, &ctx, 0, &list))) return;
        layout_begin(r, SECTION_STAFF, T("Requests"));
        html_render(b, "<h1>%s</h1><p class=\"help\">%s</p>", T("Requests"),
                    T("Open requests of your accounts to add or remove seats or products, to "
                      "cancel or to reactivate. Corporate Account Services handle them."));
        requests_table(r, &list, T("Your accounts' open requests, newest first"));
        layout_end(r);
        return;
    }
    const char *state = param_or_empty(r, "state"), *account = param_or_empty(r, "account"),
               *age = param_or_empty(r, "age");
    request_queue_filter_t f = {.queue = param_or_empty(r, "queue"),
                                .state = state,
                                .kind = param_or_empty(r, "kind"),
                                .account_id = strtoll(account, NULL, 10),
                                .age_days = atoi(age)};
    if (strcmp(state, "overdue") == 0) {
        f.state = "open";
        f.overdue_only = true;
    }
    status_t st = request_queue(r->svc, r->arena, &ctx, &f, &list);
    if (st == STATUS_INVALID) {
        f.kind = "";
        st = request_queue(r->svc, r->arena, &ctx, &f, &list);
    }
    if (answer_status(r, st)) return;
    const char *queue = request_staff_queue(&ctx);
    const char *title = strcmp(queue, "customer_care") == 0 ? T("Customer Care queue")
                        : strcmp(queue, "account_services") == 0
                            ? T("Corporate Account Services queue")
                            : T("Requests");
    layout_begin(r, SECTION_STAFF, title);
    html_render(b, "<h1>%s</h1>", title);
    f.state = state;
    filters_form(r, &ctx, &f, account, age);
    html_render(b, "<p class=\"help\">%s</p>",
                T("A request is overdue when it has had no first answer within one business "
                  "day (Monday to Friday)."));
    requests_table(r, &list, T("Requests, newest first"));
    layout_end(r);
}

/* The console's actions on the request's account. */
static void actions_section(req_t *r, const request_view_t *v)
{
    buf_t *b = &r->resp.body;
    const request_t *q = &v->req;
    const char *base = arena_printf(r->arena, "/staff/requests/%s", q->number);
    html_render(b,
                "<section class=\"card\" aria-labelledby=\"actions-h\"><h2 id=\"actions-h\">"
                "%s</h2><p class=\"help\">%s</p>",
                T("Do what the request asks"),
                T("Each action is audited and noted on the request."));

    html_render(b, "<h3>%s</h3>", T("Billing frequency"));
    form_open(r, arena_printf(r->arena, "%s/frequency", base), "class=\"inline-form\"");
    html_render(b,
                "<div class=\"field\"><label for=\"frequency\">%s</label><select "
                "id=\"frequency\" name=\"frequency\"><option value=\"annual\">%s</option>"
                "</select><p class=\"help\">%s</p></div><button type=\"submit\" "
                "class=\"secondary\">%s</button></form>",
                T("Billing frequency"), T("Annual"),
                T("Annual is the only billing frequency on offer: this records the decision."),
                T("Record decision"));

    bool any = false;
    for (size_t i = 0; i < v->n_subs; i++)
        if (strcmp(v->subs[i].status, "active") == 0 && !v->subs[i].cancel_at_period_end)
            any = true;
    html_render(b, "<h3>%s</h3>", T("Cancel at the end of the term"));
    if (any) {
        form_open(r, arena_printf(r->arena, "%s/cancel", base), "class=\"inline-form\"");
        html_render(b,
                    "<div class=\"field\"><label for=\"cancel-sub\">%s</label><select "
                    "id=\"cancel-sub\" name=\"subscription\">",
                    T("Subscription"));
        for (size_t i = 0; i < v->n_subs; i++) {
            const subscription_row_t *s = &v->subs[i];
            if (strcmp(s->status, "active") != 0 || s->cancel_at_period_end) continue;
            html_render(b, "<option value=\"%L\">%s (%s)</option>", s->id, s->product_name,
                        arena_printf(r->arena, T("%lld seats, term ends %s"), (long long)s->seats,
                                     s->period_end));
        }
        html_render(b,
                    "</select></div><button type=\"submit\" class=\"secondary\">%s</button>"
                    "</form>",
                    T("Cancel at end of term"));
    } else {
        html_render(b, "<p>%s</p>", T("No active subscription is left to cancel."));
    }

    any = false;
    for (size_t i = 0; i < v->n_subs; i++)
        if (strcmp(v->subs[i].status, "expired") == 0) any = true;
    html_render(b, "<h3>%s</h3>", T("Reactivate"));
    if (any) {
        form_open(r, arena_printf(r->arena, "%s/reactivate", base), "class=\"inline-form\"");
        html_render(b,
                    "<div class=\"field\"><label for=\"reactivate-sub\">%s</label><select "
                    "id=\"reactivate-sub\" name=\"subscription\">",
                    T("Expired subscription"));
        for (size_t i = 0; i < v->n_subs; i++) {
            const subscription_row_t *s = &v->subs[i];
            if (strcmp(s->status, "expired") != 0) continue;
            html_render(b, "<option value=\"%L\">%s (%s)</option>", s->id, s->product_name,
                        arena_printf(r->arena, T("%lld seats, ended %s"), (long long)s->seats,
                                     s->period_end));
        }
        html_render(b,
                    "</select></div><button type=\"submit\" class=\"secondary\">%s</button>"
                    "</form>",
                    T("Reactivate at the same price"));
    } else {
        html_render(b, "<p>%s</p>", T("The account has no expired subscription."));
    }
    html_render(b, "<p class=\"help\">%s</p>",
                T("When the price changes, reactivate it through a quote instead."));
    form_open(r, arena_printf(r->arena, "/staff/accounts/%lld/quotes", (long long)q->account_id),
              "class=\"inline\"");
    html_render(b, "<button type=\"submit\" class=\"secondary\">%s</button></form>",
                T("Create a quote"));

    html_render(b, "<h3>%s</h3>", T("Copy of an invoice"));
    if (v->n_invoices) {
        form_open(r, arena_printf(r->arena, "%s/invoice-copy", base), "class=\"inline-form\"");
        html_render(b,
                    "<div class=\"field\"><label for=\"invoice\">%s</label><select "
                    "id=\"invoice\" name=\"invoice\">",
                    T("Invoice"));
        for (size_t i = 0; i < v->n_invoices; i++)
            html_render(b, "<option value=\"%L\">%s (%s)</option>", v->invoices[i].id,
                        v->invoices[i].number, v->invoices[i].issue_date);
        html_render(b,
                    "</select></div><button type=\"submit\" class=\"secondary\">%s</button>"
                    "</form>",
                    T("Email a copy to the billing contact"));
    } else {
        html_render(b, "<p>%s</p>", T("The account has no invoices yet."));
    }
    html_render(b, "</section>");
}

static const char *done_text(req_t *r, const char *done)
{
    static const struct {
        const char *code, *text;
    } texts[] = {{"assigned", N_("The request is assigned to you.")},
                 {"replied", N_("Your reply has been sent to the customer.")},
                 {"noted", N_("Your internal note has been added.")},
                 {"state", N_("The status has been changed.")},
                 {"action", N_("Done. The action is noted on the request.")}};
    for (size_t i = 0; done && i < sizeof texts / sizeof texts[0]; i++)
        if (strcmp(texts[i].code, done) == 0) return T(texts[i].text);
    return NULL;
}

static void render_request(req_t *r, const request_staff_t *ctx, const request_view_t *v,
                           const char *message, field_error_t message_error, const char *problem)
{
    buf_t *b = &r->resp.body;
    const request_t *q = &v->req;
    bool work = request_staff_may_work(ctx, q);
    layout_begin(r, SECTION_STAFF, arena_printf(r->arena, T("Request %s"), q->number));
    html_render(b, "<h1>%s <span class=\"nowrap\">%s</span></h1>", T("Request"), q->number);
    if (problem) notice_error(r, problem);
    const char *done = done_text(r, req_param(r, "done"));
    if (done && !problem) notice_info(r, done);
    if (v->overdue) notice_warning(r, T("Overdue: no first answer within one business day."));
    html_render(b,
                "<dl class=\"facts\"><dt>%s</dt><dd>%s</dd><dt>%s</dt><dd data-state=\"%s\">"
                "<strong>%s</strong></dd><dt>%s</dt><dd>%s</dd>",
                T("Request"), request_kind_text(r, q), T("Status"), q->state,
                request_state_text(r, q->state), T("Queue"),
                strcmp(q->queue, "customer_care") == 0 ? T("Customer Care")
                                                       : T("Corporate Account Services"));
    html_render(b, "<dt>%s</dt><dd>%s &lt;%s&gt;</dd>", T("From"), q->requester_name,
                q->requester_email);
    if (q->account_id)
        html_render(b, "<dt>%s</dt><dd><a href=\"/staff/accounts/%L\">%s</a></dd>", T("Account"),
                    q->account_id, q->account_name);
    if (*q->company) html_render(b, "<dt>%s</dt><dd>%s</dd>", T("Company"), q->company);
    if (*q->account_text)
        html_render(b, "<dt>%s</dt><dd>%s</dd>", T("Account (as typed)"), q->account_text);
    html_render(b, "<dt>%s</dt><dd>%s</dd><dt>%s</dt><dd>%s</dd><dt>%s</dt><dd>%s</dd></dl>",
                T("Sent on"), request_day(r, q->account_country, q->created_at),
                T("First answer due"), request_day(r, q->account_country, v->due), T("Assigned to"),
                *q->assigned_name ? q->assigned_name : "—");
    if (work && q->assigned_to != ctx->staff_id) {
        form_open(r, arena_printf(r->arena, "/staff/requests/%s/assign", q->number),
                  "class=\"inline\"");
        html_render(b, "<button type=\"submit\" class=\"secondary\">%s</button></form>",
                    T("Assign to me"));
    }
    request_conversation(r, v, true);
    if (work) {
        html_render(b,
                    "<section class=\"card\" aria-labelledby=\"answer-h\"><h2 id=\"answer-h\">"
                    "%s</h2>",
                    T("Answer"));
        form_open(r, arena_printf(r->arena, "/staff/requests/%s/message", q->number), "novalidate");
        request_textarea(r, "message", T("Message"), message, message_error, true);
        html_render(b, "<p class=\"help\">%s</p><div class=\"actions\">",
                    T("A reply is emailed to the customer and shown to them. An internal note is "
                      "for staff only: never shown to the customer, never emailed."));
        if (request_is_open(q->state))
            html_render(b,
                        "<button type=\"submit\" name=\"internal\" value=\"0\" "
                        "class=\"primary\">%s</button>",
                        T("Reply to the customer"));
        html_render(b,
                    "<button type=\"submit\" name=\"internal\" value=\"1\" class=\"secondary\">"
                    "%s</button></div></form></section>",
                    T("Add internal note"));
        if (request_is_open(q->state)) {
            html_render(b,
                        "<section class=\"card\" aria-labelledby=\"state-h\"><h2 "
                        "id=\"state-h\">%s</h2>",
                        T("Status"));
            form_open(r, arena_printf(r->arena, "/staff/requests/%s/state", q->number),
                      "class=\"inline-form\"");
            html_render(b,
                        "<div class=\"field\"><label for=\"new-state\">%s</label><select "
                        "id=\"new-state\" name=\"state\">",
                        T("New status"));
            static const char *const states[] = {"in_review", "waiting_on_customer", "completed",
                                                 "declined"};
            for (size_t i = 0; i < sizeof states / sizeof states[0]; i++)
                option(r, states[i], request_state_text(r, states[i]), q->state);
            html_render(b,
                        "</select></div><button type=\"submit\" class=\"secondary\">%s"
                        "</button></form></section>",
                        T("Change status"));
            if (q->account_id && strcmp(q->queue, "account_services") == 0) actions_section(r, v);
        }
    }
    html_render(b, "<p><a href=\"/staff/requests\">%s</a></p>", T("Back to requests"));
    layout_end(r);
}

static const char *number_param(req_t *r)
{
    return r->n_params > 0 && r->params[0] ? r->params[0] : "";
}

void page_staff_request(req_t *r)
{
    request_staff_t ctx = staff_ctx(r);
    request_view_t v;
    if (answer_status(r, request_staff_view(r->svc, r->arena, &ctx, number_param(r), &v))) return;
    render_request(r, &ctx, &v, "", FIELD_OK, NULL);
}

/* POST /staff/requests/NUMBER/ACTION: assign, message, state, frequency, cancel, reactivate,
 * invoice-copy. */
void page_staff_request_post(req_t *r)
{
    request_staff_t ctx = staff_ctx(r);
    const char *number = number_param(r);
    const char *slash = strrchr(r->path, '/');
    const char *what = slash ? slash + 1 : "";
    field_error_t e = FIELD_OK;
    status_t st;
    const char *done = "action";
    const char *message = req_field(r, "message");
    bool internal = strcmp(req_field(r, "internal"), "1") == 0;
    if (strcmp(what, "assign") == 0) {
        st = request_staff_assign(r->svc, r->arena, &ctx, number);
        done = "assigned";
    } else if (strcmp(what, "message") == 0) {
        st = request_staff_message(r->svc, r->arena, &ctx, number, message, internal, &e);
        done = internal ? "noted" : "replied";
    } else if (strcmp(what, "state") == 0) {
        st = request_staff_set_state(r->svc, r->arena, &ctx, number, req_field(r, "state"));
        done = "state";
    } else if (strcmp(what, "frequency") == 0) {
        st = request_action_frequency(r->svc, r->arena, &ctx, number, req_field(r, "frequency"));
    } else if (strcmp(what, "cancel") == 0) {
        st = request_action_cancel(r->svc, r->arena, &ctx, number,
                                   strtoll(req_field(r, "subscription"), NULL, 10));
    } else if (strcmp(what, "reactivate") == 0) {
        st = request_action_reactivate(r->svc, r->arena, &ctx, number,
                                       strtoll(req_field(r, "subscription"), NULL, 10));
    } else if (strcmp(what, "invoice-copy") == 0) {
        st = request_action_invoice_copy(r->svc, r->arena, &ctx, number,
                                         strtoll(req_field(r, "invoice"), NULL, 10));
    } else {
        st = STATUS_NOT_FOUND;
    }
    if (st == STATUS_OK) {
        req_mail_queued(r);
        resp_redirect(r, arena_printf(r->arena, "/staff/requests/%s?done=%s", number, done));
        return;
    }
    if (st == STATUS_INVALID || st == STATUS_CONFLICT) {
        request_view_t v;
        if (answer_status(r, request_staff_view(r->svc, r->arena, &ctx, number, &v))) return;
        r->resp.status = st == STATUS_INVALID ? 400 : 409;
        const char *problem =
            st == STATUS_CONFLICT
                ? T("This request is closed: it takes no more replies, changes or actions.")
            : e ? T("Nothing was sent. Check the field marked below.")
                : T("That choice cannot be used for this request. Nothing was changed.");
        render_request(r, &ctx, &v, e ? message : "", e, problem);
        return;
    }
    answer_status(r, st);
}

void staff_home_requests(req_t *r)
{
    request_staff_t ctx = staff_ctx(r);
    buf_t *b = &r->resp.body;
    if (strcmp(ctx.role, "sales_rep") == 0) {
        request_list_t list;
        if (request_rep_list(r->svc, r->arena, &ctx, 0, &list) != STATUS_OK) return;
        html_render(b,
                    "<section class=\"card\" aria-labelledby=\"rep-requests\"><h2 "
                    "id=\"rep-requests\">%s</h2>",
                    T("Your accounts' requests"));
        requests_table(r, &list,
                       T("Open requests to add or remove seats or products, to cancel "
                         "or to reactivate"));
        html_render(b, "</section>");
        return;
    }
    const char *queue = request_staff_queue(&ctx);
    if (!queue) return;
    html_render(b,
                "<section class=\"card\" aria-labelledby=\"queue-h\"><h2 id=\"queue-h\">%s"
                "</h2><p><a href=\"/staff/requests?state=open\">%s</a></p>"
                "<p><a href=\"/staff/requests?state=overdue\">%s</a></p></section>",
                T("Requests"), T("Open requests"), T("Overdue requests"));
}
