/* What the quote pages share (the customer's and the staff's): the printable quote document and
 * its PDF. The sentences come from render/quote_text.c, so the page and the PDF say the same. */
#include "billing/calendar.h"
#include "i18n/format.h"
#include "pages.h"
#include "render/quote_doc.h"
#include "services/quote_docs.h"

#include <string.h>

static const char *money(req_t *r, const account_t *acc, const char *currency, int64_t minor)
{
    char *out = arena_alloc_raw(r->arena, 64);
    format_money(r->lang, acc ? acc->country : "", currency, minor, out, 64);
    return out;
}

static const char *day(req_t *r, const account_t *acc, const char *iso)
{
    char *out = arena_alloc_raw(r->arena, 64);
    if (!format_date(r->lang, acc ? acc->country : "", iso, out, 64))
        return arena_strdup(r->arena, iso ? iso : "");
    return out;
}

static void document_header(req_t *r, const quote_t *q, const account_t *acc,
                            const quote_vendor_t *v, const char *pdf_href)
{
    buf_t *b = &r->resp.body;
    html_render(b,
                "<div class=\"actions no-print\"><button type=\"button\" class=\"primary\" "
                "data-print hidden>%s</button> <a class=\"button\" href=\"%s\">%s</a></div>",
                T("Print"), pdf_href, T("Download PDF"));
    html_render(b,
                "<article class=\"invoice quote\" aria-labelledby=\"quote-title\"><header "
                "class=\"invoice-head\"><div class=\"seller\"><strong>%s</strong><br>",
                v->name);
    for (const char *p = v->address ? v->address : ""; *p;) {
        size_t len = strcspn(p, "\n");
        html_render(b, "%s<br>", arena_strndup(r->arena, p, len));
        p += len + (p[len] == '\n');
    }
    if (v->country && *v->country) {
        char country[96];
        format_country(r->lang, v->country, country, sizeof country);
        html_render(b, "%s<br>", country);
    }
    if (v->email && *v->email) html_render(b, "%s<br>", v->email);
    if (v->tax_id && *v->tax_id) html_text(b, T("Tax ID: %s"), v->tax_id);
    html_render(b,
                "</div><div class=\"meta\"><h1 id=\"quote-title\">%s <span class=\"nowrap\">%s"
                "</span></h1><dl class=\"facts\">",
                T("Quote"), q->number);
    char issued[11], terms[QUOTE_TEXT_MAX];
    quote_issue_date(q, issued);
    quote_terms_text(r->lang, q->payment_terms_days, terms);
    html_render(b, "<dt>%s</dt><dd>%s</dd>", T("Quote number"), q->number);
    html_render(b, "<dt>%s</dt><dd>%s</dd>", T("Date"), day(r, acc, issued));
    html_render(b, "<dt>%s</dt><dd>%s</dd>", T("Valid until"), day(r, acc, q->valid_until));
    html_render(b, "<dt>%s</dt><dd>%s</dd>", T("Payment terms"), terms);
    html_render(b, "<dt>%s</dt><dd>%s", T("Status"), quote_state_text(r->lang, q->state));
    /* An acceptance a rep recorded (a signed PO by email) says so wherever the quote is shown. */
    if (strcmp(q->state, "accepted") == 0 && q->on_behalf_staff_id)
        html_render(b, " <span class=\"muted\">%s</span>",
                    T("(recorded by your sales representative on your behalf)"));
    html_render(b, "</dd>");
    if (q->po_number && *q->po_number)
        html_render(b, "<dt>%s</dt><dd>%s</dd>", T("Purchase order"), q->po_number);
    html_render(b, "</dl></div></header>");
}

static void document_parties(req_t *r, const quote_t *q, const account_t *acc)
{
    buf_t *b = &r->resp.body;
    html_render(b,
                "<div class=\"parties\"><section aria-labelledby=\"quote-bill-to\"><h2 "
                "id=\"quote-bill-to\">%s</h2><address>",
                T("Bill To"));
    if (acc) {
        html_render(b, "%s<br>", *acc->bill_to_name ? acc->bill_to_name : acc->name);
        address_lines(r, acc->address_line1, acc->address_line2, acc->city, acc->region,
                      acc->postal_code, acc->country);
        if (acc->phone && *acc->phone) html_render(b, "<br>%s", acc->phone);
    } else {
        html_render(b, "%s", q->account_name);
    }
    html_render(b,
                "</address></section><section aria-labelledby=\"quote-rep\"><h2 "
                "id=\"quote-rep\">%s</h2><address>%s",
                T("Your sales representative"),
                q->sales_rep_name && *q->sales_rep_name ? q->sales_rep_name : "—");
    if (q->sales_rep_email && *q->sales_rep_email)
        html_render(b, "<br><a href=\"mailto:%s\">%s</a>", q->sales_rep_email, q->sales_rep_email);
    html_render(b, "</address></section></div>");
}

/* One group of totals rows: subtotal, the tax named as the country names it, a total. */
static void totals_rows(req_t *r, const quote_doc_t *d, const char *subtotal_label,
                        int64_t subtotal, int64_t tax, int64_t total, const char *total_label)
{
    buf_t *b = &r->resp.body;
    const quote_t *q = d->quote;
    char tax_label[QUOTE_TEXT_MAX];
    quote_tax_label(r->lang, d, tax_label);
    html_render(b, "<tr><th scope=\"row\" colspan=\"5\">%s</th><td class=\"num\">%s</td></tr>",
                subtotal_label, money(r, d->account, q->currency, subtotal));
    html_render(b, "<tr><th scope=\"row\" colspan=\"5\">%s</th><td class=\"num\">%s</td></tr>",
                tax_label, money(r, d->account, q->currency, tax));
    html_render(b,
                "<tr class=\"total\"><th scope=\"row\" colspan=\"5\">%s</th><td class=\"num\">%s"
                "</td></tr>",
                total_label, money(r, d->account, q->currency, total));
}

static void document_lines(req_t *r, const quote_doc_t *d)
{
    buf_t *b = &r->resp.body;
    const quote_t *q = d->quote;
    const account_t *acc = d->account;
    const char *country = acc ? acc->country : "";
    const char *what = T("Description"), *seats = T("Seats"), *unit = T("Unit price"),
               *discount = T("Discount"), *now = T("Due on acceptance"),
               *annual = T("Annual amount");
    html_render(b,
                "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"%s\">"
                "<table class=\"lines stack\"><caption class=\"sr-only\">%s</caption><thead><tr>"
                "<th scope=\"col\">%s</th><th scope=\"col\" class=\"num\">%s</th>"
                "<th scope=\"col\" class=\"num\">%s</th><th scope=\"col\" class=\"num\">%s</th>"
                "<th scope=\"col\" class=\"num\">%s</th><th scope=\"col\" class=\"num\">%s</th>"
                "</tr></thead><tbody>",
                T("Quote lines"), T("Quote lines"), what, seats, unit, discount, now, annual);
    for (size_t i = 0; i < q->n_lines; i++) {
        const quote_line_t *l = &q->lines[i];
        char text[QUOTE_TEXT_MAX], when[QUOTE_TEXT_MAX], disc[QUOTE_TEXT_MAX];
        quote_line_text(r->lang, country, q, l, text, when);
        quote_discount_text(r->lang, country, q->currency, l, disc);
        int64_t year = quote_line_annual(l);
        html_render(b, "<tr><td data-label=\"%s\">%s", what, text);
        if (*when) html_render(b, "<br><span class=\"muted\">%s</span>", when);
        html_render(b,
                    "</td><td class=\"num\" data-label=\"%s\">%L</td>"
                    "<td class=\"num\" data-label=\"%s\">%s</td>"
                    "<td class=\"num\" data-label=\"%s\">%s</td>"
                    "<td class=\"num\" data-label=\"%s\">%s</td>"
                    "<td class=\"num\" data-label=\"%s\">%s</td></tr>",
                    seats, l->seats, unit,
                    year < 0 ? "—" : money(r, acc, q->currency, l->unit_amount), discount,
                    *disc ? disc : "—", now,
                    quote_line_due_now(l) ? money(r, acc, q->currency, l->due_now) : "—", annual,
                    year < 0 ? "—" : money(r, acc, q->currency, year));
    }
    html_render(b, "</tbody><tfoot>");
    if (quote_has_due_now(q))
        totals_rows(r, d, T("Subtotal"), q->due_subtotal, q->due_tax, q->due_total,
                    T("Total due on acceptance"));
    totals_rows(r, d, T("Annual subtotal"), q->renewal_subtotal, q->renewal_tax, q->renewal_total,
                arena_printf(r->arena, T("Annual amount from the next renewal on %s"),
                             day(r, acc, q->term_end)));
    /* The renewal totals are the account's (docs/quotes.md), not the sum of the lines above. */
    html_render(b, "</tfoot></table></div><p class=\"help\">%s</p>",
                T("Annual amount: all of the account's subscriptions, with this quote's changes."));
}

void quote_document(req_t *r, const quote_t *q, const account_t *acc, const char *pdf_href)
{
    quote_doc_t d = {.quote = q, .account = acc};
    (void)quote_vendor_view(r->svc, r->arena, &d.vendor);
    buf_t *b = &r->resp.body;
    document_header(r, q, acc, &d.vendor, pdf_href);
    document_parties(r, q, acc);
    document_lines(r, &d);
    if (q->tax_mode && strcmp(q->tax_mode, "inclusive") == 0)
        html_render(b, "<p class=\"help\">%s</p>", T("Unit prices include tax."));
    if (quote_has_due_now(q)) {
        char terms[QUOTE_TEXT_MAX];
        quote_terms_text(r->lang, q->payment_terms_days, terms);
        html_render(b, "<p>");
        html_text(b,
                  T("On acceptance, an invoice for the amount due is issued at once. Payment "
                    "terms: %s."),
                  terms);
        html_render(b, "</p>");
    }
    /* The note to the customer only: the internal note is the vendor's and never shown here. */
    if (q->customer_note && *q->customer_note)
        html_render(b,
                    "<section class=\"how-to-pay\" aria-labelledby=\"quote-note\"><h2 "
                    "id=\"quote-note\">%s</h2><p class=\"note\">%s</p></section>",
                    T("Note"), q->customer_note);
    html_render(b, "</article><script src=\"/static/print.js\" defer></script>");
}

void send_quote_pdf(req_t *r, const quote_t *q, const account_t *acc)
{
    char err[256];
    quote_doc_t d = {.quote = q, .account = acc};
    (void)quote_vendor_view(r->svc, r->arena, &d.vendor);
    buf_t pdf;
    buf_init(&pdf, r->arena);
    if (!quote_pdf_render(&d, &pdf, err, sizeof err)) {
        page_error(r, 503);
        return;
    }
    r->resp.body = pdf;
    r->resp.content_type = "application/pdf";
    resp_header(
        r, "Content-Disposition",
        arena_printf(r->arena, "attachment; filename=\"%s\"", quote_pdf_filename(q, r->arena)));
}
