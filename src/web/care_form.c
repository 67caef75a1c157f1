/* The Care Billing Form: a public page where anyone asks Customer Care about billing (name,
 * email, company, account, topic, details). It files a request in Customer Care's queue and
 * confirms by email; a few an hour per client address and per email. */
#include "pages.h"
#include "services/requests.h"

#include <string.h>

static void topic_select(req_t *r, const char *chosen, field_error_t e)
{
    buf_t *b = &r->resp.body;
    const char *error = field_error_text(r, e);
    html_render(b, "<div class=\"field\"><label for=\"topic\">%s</label>", T("Topic"));
    if (error) html_render(b, "<p class=\"field-error\" id=\"topic-error\">%s</p>", error);
    html_render(b, "<select id=\"topic\" name=\"topic\" required%R><option value=\"\">%s</option>",
                error ? " aria-invalid=\"true\" aria-describedby=\"topic-error\"" : "",
                T("Choose a topic"));
    for (const request_kind_t *k = care_topics; k->category; k++)
        html_render(b, "<option value=\"%s\"%R>%s</option>", k->subcategory,
                    chosen && strcmp(chosen, k->subcategory) == 0 ? " selected" : "", T(k->label));
    html_render(b, "</select></div>");
}

static void render(req_t *r, const care_form_t *v, const care_errors_t *e, const char *problem,
                   bool limited)
{
    buf_t *b = &r->resp.body;
    layout_begin(r, SECTION_HOME, T("Care Billing Form"));
    html_render(b, "<div class=\"panel\"><h1>%s</h1>", T("Care Billing Form"));
    if (limited)
        notice_error(r, T("You have sent several requests in the last hour. Please wait an hour "
                          "before sending another one, or call Customer Care."));
    else if (problem)
        notice_error(r, problem);
    const char *sent = req_param(r, "sent");
    if (!problem && !limited && sent && strncmp(sent, "REQ-", 4) == 0 && strlen(sent) < 32) {
        html_render(b, "<div class=\"notice info\" role=\"status\">");
        html_text(b,
                  T("Thank you. Your request %s has been sent to Customer Care. We have emailed "
                    "you a confirmation and will answer you by email within one business day."),
                  sent);
        html_render(b, "</div>");
    }
    html_render(b, "<p class=\"help\">%s</p>",
                T("Ask Customer Care about billing: the billing contact, paying, copies of "
                  "invoices, cancelling or reactivating. Billing contacts of corporate accounts "
                  "can also use the Requests tab of the Corporate Billing Portal."));
    form_open(r, "/care", "novalidate");
    settings_input(r, "name", T("Your name"), "text", v->name, NULL, e->name, true,
                   "autocomplete=\"name\" maxlength=\"200\"");
    settings_input(r, "email", T("Email"), "email", v->email, NULL, e->email, true,
                   "autocomplete=\"email\" maxlength=\"254\"");
    settings_input(r, "company", T("Company (optional)"), "text", v->company, NULL, e->company,
                   false, "autocomplete=\"organization\" maxlength=\"200\"");
    settings_input(r, "account", T("Account (optional)"), "text", v->account,
                   T("The account's name or User ID, as it appears on your invoices."), e->account,
                   false, "maxlength=\"200\"");
    topic_select(r, v->topic, e->topic);
    request_textarea(r, "details", T("Details"), v->details, e->details, true);
    html_render(b, "<button type=\"submit\" class=\"primary\">%s</button></form></div>",
                T("Submit"));
    layout_end(r);
}

void page_care_form(req_t *r)
{
    care_errors_t e = {0};
    if (r->method != METHOD_POST) {
        care_form_t empty = {"", "", "", "", "", ""};
        render(r, &empty, &e, NULL, false);
        return;
    }
    care_form_t v = {.name = req_field(r, "name"),
                     .email = req_field(r, "email"),
                     .company = req_field(r, "company"),
                     .account = req_field(r, "account"),
                     .topic = req_field(r, "topic"),
                     .details = req_field(r, "details")};
    char *number = NULL;
    status_t st = care_submit(r->svc, r->arena, r->ip, r->lang, r->now, &v, &e, &number);
    if (st == STATUS_OK) {
        req_mail_queued(r);
        resp_redirect(r, arena_printf(r->arena, "/care?sent=%s", number));
        return;
    }
    if (st == STATUS_INVALID) {
        r->resp.status = 400;
        render(r, &v, &e, T("The request was not sent. Check the fields marked below."), false);
        return;
    }
    if (st == STATUS_LIMITED) {
        r->resp.status = 429;
        resp_header(r, "Retry-After", "3600");
        render(r, &v, &e, NULL, true);
        return;
    }
    answer_status(r, st);
}
