/* Staff console: one account, whole — its billing contact and User ID, Bill To, subscriptions,
 * payment method, purchase orders, invoice recipients, sales rep, invoices with balances,
 * quotes, payments and requests — with the actions for the customer (resend an invoice email,
 * send a password-reset link, lift a sign-in lockout), the emails sent, the sign-ins and the
 * audit log in words. */
#include "i18n/format.h"
#include "pages.h"
#include "services/dunning.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { AUDIT_ROWS = 50, INVOICES_SHOWN = 100, RESEND_CHOICES = 24 };

static const char *utc(req_t *r, int64_t at)
{
    char when[32] = "";
    time_t t = (time_t)at;
    struct tm tm;
    if (gmtime_r(&t, &tm)) strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
    return arena_strdup(r->arena, when);
}

static const char *day(req_t *r, const account_t *acc, const char *iso)
{
    char out[64];
    format_date(r->lang, acc->country, iso, out, sizeof out);
    return arena_strdup(r->arena, out);
}

static void done_notice(req_t *r)
{
    const char *done = req_param(r, "done"), *refused = req_param(r, "refused");
    if (done) {
        if (strcmp(done, "created") == 0)
            notice_info(r, T("The account has been created. The billing contact has been emailed "
                             "their User ID and a link to set their password."));
        else if (strcmp(done, "subscription") == 0)
            notice_info(r, T("The subscription has been added. The invoice for its first period "
                             "has been issued and emailed to the billing contact."));
        else if (strcmp(done, "resent") == 0)
            notice_info(r, T("The invoice email is on its way to the billing contact."));
        else if (strcmp(done, "reset_link") == 0)
            notice_info(r, T("A password-reset link is on its way: the billing contact's (a "
                             "corporate account) or the billing administrator's (an online "
                             "account)."));
        else if (strcmp(done, "lifted") == 0)
            notice_info(r, T("The sign-in lockout has been lifted."));
    }
    if (refused) {
        if (strcmp(refused, "limited") == 0)
            notice_error(r, T("Three password-reset links were sent in the last hour: wait before "
                              "sending another."));
        else if (strcmp(refused, "not_locked") == 0)
            notice_error(r, T("This sign-in is not locked."));
        else if (strcmp(refused, "no_user_id") == 0)
            notice_error(r, T("This account has no portal User ID."));
        else if (strcmp(refused, "no_contact") == 0)
            notice_error(r, T("This account has no billing contact to email."));
    }
}

static void contact_card(req_t *r, const console_account_t *v)
{
    buf_t *b = &r->resp.body;
    const account_t *acc = &v->account;
    html_render(b,
                "<section class=\"card\" aria-labelledby=\"contact\"><h2 id=\"contact\">%s</h2>"
                "<dl class=\"facts\">",
                T("Billing contact"));
    if (v->has_credential) {
        html_render(b, "<dt>%s</dt><dd>%s</dd>", T("Name"), v->credential.contact_name);
        html_render(b, "<dt>%s</dt><dd>%s</dd>", T("Email"), v->credential.contact_email);
        html_render(b, "<dt>%s</dt><dd data-user-id>%s</dd>", T("User ID"), v->credential.user_id);
    } else if (strcmp(acc->kind, "corporate") == 0) {
        html_render(b, "<dt>%s</dt><dd>%s</dd>", T("User ID"), T("None yet"));
    }
    for (size_t i = 0; i < v->n_users; i++)
        html_render(b, "<dt>%s</dt><dd>%s &lt;%s&gt;</dd>",
                    strcmp(v->users[i].role, "billing_admin") == 0 ? T("Billing administrator")
                                                                   : T("User"),
                    v->users[i].name, v->users[i].email);
    html_render(b, "<dt>%s</dt><dd>%s</dd>", T("Sales rep"),
                *acc->sales_rep_name ? acc->sales_rep_name : T("None"));
    html_render(b, "<dt>%s</dt><dd>%s</dd>", T("Kind"),
                strcmp(acc->kind, "corporate") == 0 ? T("Corporate") : T("Online"));
    html_render(b, "<dt>%s</dt><dd>%s</dd>", T("Currency"), acc->currency);
    html_render(b, "<dt>%s</dt><dd>%s</dd></dl></section>", T("Payment method"),
                payment_method_label(r, acc->payment_method));
}

static void subscriptions_card(req_t *r, const console_account_t *v)
{
    buf_t *b = &r->resp.body;
    const account_t *acc = &v->account;
    html_render(
        b,
        "<section class=\"card\" aria-labelledby=\"subscriptions\"><div class=\"card-head\">"
        "<h2 id=\"subscriptions\">%s</h2>",
        T("Subscriptions"));
    if (v->may_sell)
        html_render(b,
                    "<a class=\"button secondary\" href=\"/staff/accounts/%L/subscriptions/new\">%s"
                    "</a>",
                    acc->id, T("Add a subscription"));
    html_render(b, "</div>");
    if (v->n_subscriptions == 0) {
        html_render(b, "<p>%s</p></section>", T("No active subscriptions."));
        return;
    }
    const char *product = T("Product"), *period = T("Billing frequency"), *seats = T("Seats"),
               *price = T("Price per seat"), *renews = T("Renews on");
    html_render(b,
                "<div class=\"table-wrap\"><table class=\"subscriptions stack\"><thead><tr>"
                "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\" "
                "class=\"num\">%s</th><th scope=\"col\" class=\"num\">%s</th><th scope=\"col\">%s"
                "</th></tr></thead><tbody>",
                product, period, seats, price, renews);
    for (size_t i = 0; i < v->n_subscriptions; i++) {
        const account_subscription_t *s = &v->subscriptions[i];
        char money[64];
        format_money(r->lang, acc->country, acc->currency, s->unit_amount, money, sizeof money);
        html_render(b,
                    "<tr><th scope=\"row\" data-label=\"%s\">%s</th><td data-label=\"%s\">%s</td>"
                    "<td class=\"num\" data-label=\"%s\">%L</td><td class=\"num\" "
                    "data-label=\"%s\">%s</td><td data-label=\"%s\" class=\"nowrap\">%s</td></tr>",
                    product, s->product_name, period,
                    strcmp(s->billing_period, "annual") == 0 ? T("Annual") : T("Monthly"), seats,
                    s->seats, price, money, renews, day(r, acc, s->period_end));
    }
    html_render(b, "</tbody></table></div></section>");
}

static void settings_card(req_t *r, const console_account_t *v)
{
    buf_t *b = &r->resp.body;
    html_render(b, "<section class=\"card\" aria-labelledby=\"pos\"><h2 id=\"pos\">%s</h2>",
                T("Purchase orders"));
    if (v->n_pos == 0)
        html_render(b, "<p>%s</p>", T("No purchase orders."));
    else {
        html_render(b, "<ul>");
        for (size_t i = 0; i < v->n_pos; i++)
            html_render(b, "<li>%s (%s – %s)</li>", v->pos[i].number,
                        day(r, &v->account, v->pos[i].start_date),
                        day(r, &v->account, v->pos[i].end_date));
        html_render(b, "</ul>");
    }
    html_render(b,
                "</section><section class=\"card\" aria-labelledby=\"recipients\"><h2 "
                "id=\"recipients\">%s</h2>",
                T("Invoice recipients"));
    if (v->n_recipients == 0)
        html_render(b, "<p>%s</p>", T("No other invoice recipients."));
    else {
        html_render(b, "<ul>");
        for (size_t i = 0; i < v->n_recipients; i++)
            html_render(b, "<li>%s &lt;%s&gt;</li>", v->recipients[i].name, v->recipients[i].email);
        html_render(b, "</ul>");
    }
    html_render(b, "</section>");
}

static void actions_card(req_t *r, const console_account_t *v)
{
    if (!v->may_act) return;
    buf_t *b = &r->resp.body;
    const account_t *acc = &v->account;
    html_render(b, "<section class=\"card\" aria-labelledby=\"actions\"><h2 id=\"actions\">%s</h2>",
                T("For the customer"));
    if (v->n_invoices) {
        form_open(r,
                  arena_printf(r->arena, "/staff/accounts/%lld/resend-invoice", (long long)acc->id),
                  "class=\"inline\"");
        html_render(b,
                    "<div class=\"field\"><label for=\"resend-number\">%s</label>"
                    "<select id=\"resend-number\" name=\"number\">",
                    T("Invoice to email again to the billing contact"));
        for (size_t i = 0; i < v->n_invoices && i < RESEND_CHOICES; i++)
            html_render(b, "<option value=\"%s\">%s</option>", v->invoices[i].number,
                        v->invoices[i].number);
        html_render(b,
                    "</select></div><button type=\"submit\" class=\"secondary\">%s</button>"
                    "</form>",
                    T("Resend the invoice email"));
    }
    bool online = strcmp(acc->kind, "online") == 0;
    if (v->has_credential || online) {
        form_open(r, arena_printf(r->arena, "/staff/accounts/%lld/reset-link", (long long)acc->id),
                  "class=\"inline\"");
        html_render(b, "<button type=\"submit\" class=\"secondary\">%s</button></form>",
                    online ? T("Email a password-reset link to the billing administrator")
                           : T("Email a password-reset link to the billing contact"));
    }
    html_render(b, "</section>");
}

static void emails_card(req_t *r, const console_account_t *v)
{
    buf_t *b = &r->resp.body;
    html_render(b, "<section class=\"card\" aria-labelledby=\"emails\"><h2 id=\"emails\">%s</h2>",
                T("Emails"));
    if (v->n_emails == 0) {
        html_render(b, "<p>%s</p></section>", T("No emails have been sent to this account."));
        return;
    }
    const char *when = T("Queued (UTC)"), *to = T("To"), *subject = T("Subject"),
               *state = T("State");
    html_render(b,
                "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"%s\">"
                "<table class=\"emails stack\"><thead><tr><th scope=\"col\">%s</th>"
                "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                "</tr></thead><tbody>",
                T("Emails"), when, to, subject, state);
    for (size_t i = 0; i < v->n_emails; i++) {
        const outbox_entry_t *e = &v->emails[i];
        const char *st = e->sent_at ? arena_printf(r->arena, T("Sent %s UTC"), utc(r, e->sent_at))
                         : e->failed_at ? T("Failed: the mail server refused it")
                                        : T("Waiting to be sent");
        html_render(b,
                    "<tr data-kind=\"%s\"><td class=\"nowrap\" data-label=\"%s\">%s</td>"
                    "<td data-label=\"%s\">%s</td><td data-label=\"%s\">%s</td>"
                    "<td data-label=\"%s\" data-sent=\"%s\">%s</td></tr>",
                    e->kind, when, utc(r, e->created_at), to, e->to_addr, subject, e->subject,
                    state, e->sent_at ? "1" : "0", st);
    }
    html_render(b, "</tbody></table></div></section>");
}

static void sign_ins_card(req_t *r, const console_account_t *v)
{
    buf_t *b = &r->resp.body;
    const account_t *acc = &v->account;
    html_render(b,
                "<section class=\"card\" aria-labelledby=\"sign-ins\"><h2 id=\"sign-ins\">%s</h2>",
                T("Sign-ins"));
    for (size_t i = 0; i < v->n_logins; i++) {
        const login_state_t *l = &v->logins[i];
        html_render(b, "<h3>%s (%s)</h3>", l->login, l->who);
        if (l->locked_until) {
            html_render(b, "<p data-locked=\"1\">");
            html_text(b, T("Locked after too many failed attempts, until %s UTC."),
                      utc(r, l->locked_until));
            html_render(b, "</p>");
            if (v->may_act) {
                form_open(
                    r,
                    arena_printf(r->arena, "/staff/accounts/%lld/lift-lockout", (long long)acc->id),
                    "class=\"inline\"");
                html_render(b,
                            "<input type=\"hidden\" name=\"login\" value=\"%s\"><button "
                            "type=\"submit\" class=\"secondary\">%s</button></form>",
                            l->login, T("Lift the lockout"));
            }
        } else {
            html_render(b, "<p data-locked=\"0\">%s</p>", T("Not locked."));
        }
        if (l->n_attempts) {
            html_render(b, "<ul class=\"attempts\">");
            for (size_t k = 0; k < l->n_attempts; k++) {
                const attempt_row_t *t = &l->attempts[k];
                const char *what = t->pending     ? T("being checked")
                                   : t->succeeded ? (*t->ip ? T("succeeded") : T("lockout lifted"))
                                                  : T("failed");
                html_render(b, "<li>%s UTC — %s%R%s</li>", utc(r, t->at), what, *t->ip ? " — " : "",
                            t->ip);
            }
            html_render(b, "</ul>");
        }
    }
    if (v->n_logins == 0) html_render(b, "<p>%s</p>", T("This account has no sign-in yet."));
    sign_ins_table(r, v->sign_ins, v->n_sign_ins);
    html_render(b, "</section>");
}

/* A dunning state in words. */
static const char *dunning_state_label(req_t *r, const char *state)
{
    if (strcmp(state, "retrying") == 0) return T("Retrying the card");
    if (strcmp(state, "past_due") == 0) return T("Past due");
    if (strcmp(state, "suspended") == 0) return T("Suspended");
    return T("Resolved");
}

/* The account's dunning (docs/dunning.md): nothing when it was never in it. */
static void dunning_section(req_t *r, const account_t *acc)
{
    dunning_view_t v;
    if (dunning_view(r->svc, r->arena, acc->id, &v) != STATUS_OK || strcmp(v.state, "none") == 0)
        return;
    buf_t *b = &r->resp.body;
    html_render(b,
                "<section class=\"card\" aria-labelledby=\"dunning\"><h2 id=\"dunning\">%s</h2>"
                "<dl class=\"facts\"><dt>%s</dt><dd data-dunning=\"state\">",
                T("Failed renewal charges"), T("State"));
    /* A suspension stands out in words and weight, not by colour alone. */
    if (v.suspended)
        html_render(b, "<strong class=\"overdue\">%s</strong>", dunning_state_label(r, v.state));
    else
        html_render(b, "%s", dunning_state_label(r, v.state));
    html_render(b, "</dd><dt>%s</dt><dd><a href=\"/staff/invoices/%s\">%s</a></dd>", T("Invoice"),
                v.invoice_number, v.invoice_number);
    html_render(b, "<dt>%s</dt><dd data-dunning=\"failures\">%s</dd>", T("Failed attempts"),
                arena_printf(r->arena, "%lld", (long long)v.failures));
    if (*v.last_decline_code)
        html_render(b, "<dt>%s</dt><dd data-dunning=\"decline\">%s</dd>", T("Last decline"),
                    dunning_decline_words(r->lang, v.last_decline_code));
    if (*v.next_retry_date)
        html_render(b, "<dt>%s</dt><dd data-dunning=\"next-retry\">%s</dd>", T("Next retry"),
                    staff_quote_day(r, acc->country, v.next_retry_date));
    else if (strcmp(v.state, "resolved") != 0)
        html_render(b, "<dt>%s</dt><dd data-dunning=\"next-retry\">%s</dd>", T("Next retry"),
                    v.no_retry ? T("None: the card must be replaced") : T("None planned"));
    if (*v.suspended_on)
        html_render(b, "<dt>%s</dt><dd data-dunning=\"suspended-on\">%s</dd>", T("Suspended on"),
                    staff_quote_day(r, acc->country, v.suspended_on));
    html_render(b, "</dl></section>");
}

void page_staff_account(req_t *r)
{
    int64_t before = audit_before_param(r);
    if (before < 0) {
        answer_status(r, STATUS_INVALID);
        return;
    }
    char *end = NULL;
    long long id = r->n_params ? strtoll(r->params[0], &end, 10) : 0;
    if (!(end && *end == '\0')) id = 0; /* not a number: no such account */
    console_ctx_t ctx = staff_console_ctx(r);
    /* One audit entry more than a page tells whether there are older ones. */
    console_account_t v;
    if (answer_status(r, console_account_view(r->svc, r->arena, &ctx, id, INVOICES_SHOWN, before,
                                              AUDIT_ROWS + 1, &v)))
        return;
    const account_t acc = v.account;
    buf_t *b = &r->resp.body;
    layout_begin(r, SECTION_STAFF, acc.name);
    html_render(b, "<h1>%s</h1>", acc.name);
    done_notice(r);
    contact_card(r, &v);
    /* Bill To first and the invoices below it at full width: the invoice table has six columns
     * and must not be squeezed beside the address. */
    bill_to_block(r, &acc, NULL);
    subscriptions_card(r, &v);
    settings_card(r, &v);
    actions_card(r, &v);
    staff_account_requests_section(r, &acc);
    staff_account_quotes_section(r, &acc);
    staff_account_subscription_link(r, &acc);
    staff_account_care_section(r, &acc);
    staff_account_payments_link(r, acc.id);
    html_render(b, "<section class=\"card\" aria-labelledby=\"inv\"><h2 id=\"inv\">%s</h2>",
                T("Invoices"));
    invoice_history_table(r, v.invoices, v.n_invoices, acc.country, "/staff/invoices");
    html_render(b, "</section>");
    balances_card(r, &acc);
    dunning_section(r, &acc);
    payments_section(r, &acc);
    refund_t *refunds = NULL;
    allocation_row_t *credit = NULL;
    size_t n_refunds = 0, n_credit = 0;
    if (account_refunds_and_credit(r->svc, r->arena, acc.id, &refunds, &n_refunds, &credit,
                                   &n_credit) == STATUS_OK) {
        staff_refunds_table(r, acc.country, refunds, n_refunds);
        staff_credit_table(r, &acc, credit, n_credit);
    }
    emails_card(r, &v);
    sign_ins_card(r, &v);
    audit_table(r, v.audit, v.n_audit, AUDIT_ROWS,
                arena_printf(r->arena, "/staff/accounts/%lld", (long long)acc.id), before > 0);
    layout_end(r);
}
