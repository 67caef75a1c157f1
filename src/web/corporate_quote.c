/* Corporate Billing Portal: one quote (GET /corporate/quotes/NUMBER). While it can be decided
 * the page ends with the "Accept" and "Reject" forms; once it cannot (decided, expired,
 * withdrawn, superseded), it says why and offers no button. The accept and reject POSTs show
 * this page again when they are refused. */
#include "billing/calendar.h"
#include "i18n/format.h"
#include "pages.h"
#include "render/quote_doc.h"
#include "services/corporate_views.h"

#include <string.h>

static const char *day(req_t *r, const account_t *acc, const char *iso)
{
    char *out = arena_alloc_raw(r->arena, 64);
    if (!format_date(r->lang, acc->country, iso, out, 64)) return iso ? iso : "";
    return out;
}

static const char *money(req_t *r, const account_t *acc, const char *currency, int64_t minor)
{
    char *out = arena_alloc_raw(r->arena, 64);
    format_money(r->lang, acc->country, currency, minor, out, 64);
    return out;
}

static const char *unix_day(req_t *r, const account_t *acc, int64_t t)
{
    char iso[11];
    date_format(date_from_unix(t), iso);
    return day(r, acc, arena_strdup(r->arena, iso));
}

/* Why the quote can no longer be accepted or rejected, in words (with a link where there is
 * somewhere to go: the invoice its acceptance issued, the revision that replaced it). */
static void block_reason(req_t *r, const quote_t *q, const account_t *acc, quote_block_t block,
                         const char *live, bool alert)
{
    buf_t *b = &r->resp.body;
    /* Not the reader's mistake, but something they cannot do: a warning, an alert after a POST. */
    html_render(b, "<div class=\"notice warning\" role=\"%R\">", alert ? "alert" : "status");
    switch (block) {
    case QUOTE_IS_ACCEPTED:
        if (q->on_behalf_staff_id)
            html_text(b,
                      T("This quote was accepted on %s: your sales representative recorded the "
                        "acceptance on your behalf."),
                      unix_day(r, acc, q->decided_at));
        else
            html_text(b, T("This quote was accepted on %s by %s."), unix_day(r, acc, q->decided_at),
                      q->decided_name);
        if (q->invoice_number && *q->invoice_number) {
            html_render(b, " ");
            html_text(b, T("Invoice %s was issued for the amount due."), q->invoice_number);
            html_render(b, " <a href=\"/corporate/invoices/%s\">%s</a>", q->invoice_number,
                        T("View the invoice"));
        }
        break;
    case QUOTE_IS_REJECTED:
        html_text(b, T("This quote was rejected on %s."), unix_day(r, acc, q->decided_at));
        html_render(b, " %s %s", arena_printf(r->arena, T("%s:"), T("Reason")),
                    T(reject_reason_label(q->reject_reason)));
        if (q->reject_comment && *q->reject_comment) html_render(b, " (%s)", q->reject_comment);
        break;
    case QUOTE_IS_WITHDRAWN:
        html_render(b, "%s",
                    T("Your sales representative withdrew this quote: it can no longer be "
                      "accepted."));
        break;
    case QUOTE_IS_EXPIRED:
        html_text(b,
                  T("This quote was valid until %s and can no longer be accepted. Ask your "
                    "sales representative for a new one."),
                  day(r, acc, q->valid_until));
        break;
    case QUOTE_IS_SUPERSEDED:
        html_render(b, "%s",
                    T("This quote was replaced by a newer revision and can no longer be "
                      "accepted."));
        if (live && *live)
            html_render(b, " <a href=\"/corporate/quotes/%s\">%s</a>", live,
                        arena_printf(r->arena, T("View quote %s"), live));
        break;
    case QUOTE_ACCOUNT_CHANGED:
        html_render(b, "%s",
                    T("Your subscriptions have changed since this quote was sent, so it can no "
                      "longer be accepted. Ask your sales representative for a revised quote."));
        break;
    default: /* a draft never reaches the customer */
        html_render(b, "%s", T("This quote cannot be accepted."));
        break;
    }
    html_render(b, "</div>");
}

/* A labelled input of the accept form, its error tied with aria-describedby. */
static void text_field(req_t *r, const char *id, const char *label, const char *value,
                       field_error_t e, bool required, int max, const char *autocomplete)
{
    settings_input(
        r, id, label, "text", value, NULL, e, required,
        arena_printf(r->arena, "maxlength=\"%d\" autocomplete=\"%s\"", max, autocomplete));
}

static void accept_form(req_t *r, const quote_t *q, const account_t *acc,
                        const credential_t *contact, const quote_forms_t *f)
{
    buf_t *b = &r->resp.body;
    quote_accept_form_t typed = f->accept;
    /* The signed-in contact is usually the one who accepts: their name to start with. */
    if (!f->accept_refused && (!typed.name || !*typed.name)) typed.name = contact->contact_name;
    const quote_accept_form_t *v = &typed;
    const quote_accept_errors_t *e = &f->accept_errors;
    html_render(b,
                "<section class=\"card decide no-print\" aria-labelledby=\"accept-title\"><h2 "
                "id=\"accept-title\">%s</h2>",
                T("Accept this quote"));
    if (f->accept_refused)
        notice_error(r, T("The quote was not accepted. Check the fields marked below."));
    html_render(b, "<p>");
    if (quote_has_due_now(q))
        html_text(b,
                  T("Accepting changes your subscriptions as the quote says and issues an "
                    "invoice for %s at once."),
                  money(r, acc, q->currency, q->due_total));
    else
        html_render(b, "%s",
                    T("Accepting changes your subscriptions from the next renewal as the quote "
                      "says."));
    html_render(b, "</p>");
    form_open(r, arena_printf(r->arena, "/corporate/quotes/%s/accept", q->number),
              "class=\"accept-form\" novalidate");
    text_field(r, "name", T("Your name"), v->name, e->name, true, QUOTE_DECIDER_MAX, "name");
    text_field(r, "title", T("Job title"), v->title, e->title, true, QUOTE_DECIDER_MAX,
               "organization-title");
    settings_input(r, "po_number", T("Purchase order number (optional)"), "text", v->po_number,
                   T("Printed on the invoice this acceptance issues."), e->po_number, false,
                   arena_printf(r->arena, "maxlength=\"%d\" autocomplete=\"off\"", QUOTE_PO_MAX));
    /* The box is the customer's signature: its own message when it was left unticked. */
    bool ticked = v->accept_terms && strcmp(v->accept_terms, "yes") == 0;
    html_render(b, "<div class=\"field check\">");
    if (e->accept_terms != FIELD_OK)
        html_render(b, "<p class=\"field-error\" id=\"accept_terms-error\">%s</p>",
                    T("Tick the box to accept the terms of this quote."));
    html_render(b,
                "<label><input type=\"checkbox\" id=\"accept_terms\" name=\"accept_terms\" "
                "value=\"yes\"%R%R> %s</label></div>",
                ticked ? " checked" : "",
                e->accept_terms != FIELD_OK
                    ? " aria-invalid=\"true\" aria-describedby=\"accept_terms-error\""
                    : "",
                T("I accept the terms of this quote"));
    html_render(b, "<button type=\"submit\" class=\"primary\">%s</button></form></section>",
                T("Confirm acceptance"));
}

/* The reasons a customer can give, as quotes.h names them: the msgids of reject_reason_label,
 * written out here so that they are extracted for translation. */
static const char *reason_label(req_t *r, reject_reason_t k)
{
    switch (k) {
    case REJECT_PRICE:
        return T("The price");
    case REJECT_TIMING:
        return T("The timing");
    case REJECT_SEATS:
        return T("The number of seats");
    default:
        return T("Another reason");
    }
}

static void reject_form(req_t *r, const quote_t *q, const quote_forms_t *f)
{
    buf_t *b = &r->resp.body;
    html_render(b,
                "<section class=\"card decide no-print\" aria-labelledby=\"reject-title\"><h2 "
                "id=\"reject-title\">%s</h2>",
                T("Reject this quote"));
    if (f->reject_refused)
        notice_error(r, T("The quote was not rejected. Check the fields marked below."));
    form_open(r, arena_printf(r->arena, "/corporate/quotes/%s/reject", q->number),
              "class=\"reject-form\" novalidate");
    const char *reason_error = field_error_text(r, f->reason_error);
    if (f->reason_error == FIELD_REQUIRED || f->reason_error == FIELD_BAD_CHOICE)
        reason_error = T("Choose a reason.");
    html_render(b, "<div class=\"field\"><label for=\"reason\">%s</label>", T("Reason"));
    if (reason_error)
        html_render(b, "<p class=\"field-error\" id=\"reason-error\">%s</p>", reason_error);
    html_render(b,
                "<select id=\"reason\" name=\"reason\" required%R><option value=\"\">%s</option>",
                reason_error ? " aria-invalid=\"true\" aria-describedby=\"reason-error\"" : "",
                T("Choose a reason"));
    for (int k = 0; k < REJECT_REASONS; k++) {
        const char *name = reject_reason_name((reject_reason_t)k);
        bool chosen = f->reason && strcmp(f->reason, name) == 0;
        html_render(b, "<option value=\"%s\"%R>%s</option>", name, chosen ? " selected" : "",
                    reason_label(r, (reject_reason_t)k));
    }
    html_render(b, "</select></div>");
    const char *comment_error = field_error_text(r, f->comment_error);
    html_render(b, "<div class=\"field\"><label for=\"comment\">%s</label>",
                T("Comment (optional)"));
    if (comment_error)
        html_render(b, "<p class=\"field-error\" id=\"comment-error\">%s</p>", comment_error);
    html_render(b,
                "<textarea id=\"comment\" name=\"comment\" rows=\"3\" maxlength=\"%d\"%R>%s"
                "</textarea></div>",
                QUOTE_REASON_MAX,
                comment_error ? " aria-invalid=\"true\" aria-describedby=\"comment-error\"" : "",
                f->comment ? f->comment : "");
    html_render(b, "<button type=\"submit\" class=\"secondary\">%s</button></form></section>",
                T("Reject quote"));
}

void corporate_quote_render(req_t *r, const quote_forms_t *forms)
{
    credential_t c;
    account_t acc;
    if (!settings_load_contact(r, &c, &acc)) return;
    quote_t q;
    char *live = NULL;
    char today[11] = "";
    if (answer_status(r, quote_customer_view(r->svc, r->arena, acc.id,
                                             r->n_params > 0 ? r->params[0] : NULL, r->now, &q,
                                             &live, today)))
        return;
    buf_t *b = &r->resp.body;
    layout_begin(r, SECTION_CORPORATE, arena_printf(r->arena, "%s %s", T("Quote"), q.number));
    html_render(b, "<p class=\"no-print\"><a href=\"/corporate/quotes\">%s</a></p>",
                T("Back to quotes"));
    quote_block_t block = quote_decision_block(&q, today);
    if (forms->conflict)
        notice_error(r, T("Your decision was not recorded: this quote can no longer be accepted "
                          "or rejected."));
    else if (req_param(r, "accepted") && block == QUOTE_IS_ACCEPTED)
        notice_info(r, q.invoice_number && *q.invoice_number
                           ? arena_printf(r->arena,
                                          T("Thank you: the quote has been accepted and invoice "
                                            "%s has been issued for the amount due."),
                                          q.invoice_number)
                           : T("Thank you: the quote has been accepted."));
    else if (req_param(r, "rejected") && block == QUOTE_IS_REJECTED)
        notice_info(r, T("The quote has been rejected. Your sales representative has been told."));
    if (block != QUOTE_ACTIONABLE) block_reason(r, &q, &acc, block, live, forms->conflict);
    quote_document(r, &q, &acc, arena_printf(r->arena, "/corporate/quotes/%s/pdf", q.number));
    if (block == QUOTE_ACTIONABLE) {
        html_render(b, "<div class=\"decisions\">");
        accept_form(r, &q, &acc, &c, forms);
        reject_form(r, &q, forms);
        html_render(b, "</div>");
    }
    layout_end(r);
}

void page_corporate_quote(req_t *r)
{
    quote_forms_t forms = {.accept = {.name = "", .title = "", .po_number = "", .accept_terms = ""},
                           .reason = "",
                           .comment = ""};
    corporate_quote_render(r, &forms);
}

quote_decider_t corporate_quote_decider(const req_t *r, int64_t account_id)
{
    return (quote_decider_t){.account_id = account_id,
                             .credential_id = r->principal_id,
                             .ip = r->ip,
                             .now = r->now,
                             .base_url = r->app && r->app->cfg ? r->app->cfg->base_url : ""};
}

void corporate_quote_answer(req_t *r, quote_forms_t *forms, status_t st,
                            const quote_decision_t *out, const char *done_query, bool *refused)
{
    if (out->mail_queued) req_mail_queued(r);
    switch (st) {
    case STATUS_OK:
        resp_redirect(r,
                      arena_printf(r->arena, "/corporate/quotes/%s?%s", r->params[0], done_query));
        return;
    case STATUS_INVALID:
        r->resp.status = 400;
        *refused = true;
        corporate_quote_render(r, forms);
        return;
    case STATUS_CONFLICT:
        r->resp.status = 409;
        forms->conflict = true;
        corporate_quote_render(r, forms);
        return;
    default:
        answer_status(r, st);
        return;
    }
}
