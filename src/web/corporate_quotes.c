/* Corporate Billing Portal "Quotes": the quotes the sales rep sent, pending ones first, then the
 * history (accepted, rejected, expired, withdrawn, superseded), newest first within each. */
#include "i18n/format.h"
#include "pages.h"
#include "render/quote_doc.h"

#include <string.h>

static bool pending(const quote_t *q, const char *today)
{
    return strcmp(quote_shown_state(q, today), "sent") == 0;
}

static void quote_row(req_t *r, format_ctx_t *fc, const quote_t *q, const char *today)
{
    buf_t *b = &r->resp.body;
    const char *number = T("Quote number"), *date = T("Date"), *valid = T("Valid until"),
               *due = T("Due on acceptance"), *annual = T("Annual amount"), *state = T("Status");
    char issued[11];
    quote_issue_date(q, issued);
    html_render(b,
                "<tr><th scope=\"row\" class=\"nowrap\" data-label=\"%s\"><a "
                "href=\"/corporate/quotes/%s\">%s</a></th><td class=\"nowrap\" data-label=\"%s\">",
                number, q->number, q->number, date);
    format_date_html(b, fc, issued);
    html_render(b, "</td><td class=\"nowrap\" data-label=\"%s\">", valid);
    format_date_html(b, fc, q->valid_until);
    html_render(b, "</td><td class=\"num\" data-label=\"%s\">", due);
    if (q->due_total > 0 || strcmp(q->state, "accepted") == 0)
        format_money_html(b, fc, q->currency, q->due_total);
    else
        buf_lit(b, "—");
    html_render(b, "</td><td class=\"num\" data-label=\"%s\">", annual);
    format_money_html(b, fc, q->currency, q->renewal_total);
    const char *shown = quote_shown_state(q, today);
    bool open = strcmp(shown, "sent") == 0;
    html_render(b,
                "</td><td data-label=\"%s\">%R%s%R</td><td data-label=\"%s\"><a "
                "href=\"/corporate/quotes/%s/pdf\" aria-label=\"%s\">PDF</a></td></tr>",
                state, open ? "<strong>" : "", quote_state_text(r->lang, shown),
                open ? "</strong>" : "", T("Download"), q->number,
                arena_printf(r->arena, T("PDF of quote %s"), q->number));
}

static void quote_table(req_t *r, const quote_t *rows, size_t n, bool want_pending,
                        const char *today, const char *country, const char *caption)
{
    buf_t *b = &r->resp.body;
    format_ctx_t fc;
    format_ctx_init(&fc, r->lang, country);
    html_render(b,
                "<div class=\"table-wrap\"><table class=\"quotes stack\"><caption>%s</caption>"
                "<thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                "<th scope=\"col\">%s</th><th scope=\"col\" class=\"num\">%s</th>"
                "<th scope=\"col\" class=\"num\">%s</th><th scope=\"col\">%s</th>"
                "<th scope=\"col\"><span class=\"sr-only\">%s</span></th></tr></thead><tbody>",
                caption, T("Quote number"), T("Date"), T("Valid until"), T("Due on acceptance"),
                T("Annual amount"), T("Status"), T("Download"));
    for (size_t i = 0; i < n; i++)
        if (pending(&rows[i], today) == want_pending) quote_row(r, &fc, &rows[i], today);
    html_render(b, "</tbody></table></div>");
}

void page_corporate_quotes(req_t *r)
{
    int64_t account_id = 0;
    const char *country = NULL;
    if (!current_account(r, &account_id, &country)) return;
    quote_t *rows = NULL;
    size_t n = 0;
    char today[11] = "";
    if (answer_status(
            r, quotes_of_account_view(r->svc, r->arena, account_id, r->now, &rows, &n, today)))
        return;
    size_t n_pending = 0;
    for (size_t i = 0; i < n; i++)
        n_pending += pending(&rows[i], today);
    buf_t *b = &r->resp.body;
    layout_begin(r, SECTION_CORPORATE, T("Quotes"));
    html_render(b, "<h1>%s</h1><p class=\"help\">%s</p>", T("Quotes"),
                T("Your sales representative prepares quotes for seats and products. Select a "
                  "quote number to view it, then accept or reject it."));
    html_render(b, "<section aria-labelledby=\"pending-quotes\"><h2 id=\"pending-quotes\">%s</h2>",
                T("Pending quotes"));
    if (n_pending == 0)
        html_render(b, "<p>%s</p>", T("There are no pending quotes."));
    else
        quote_table(r, rows, n, true, today, country, T("Quotes waiting for your decision"));
    html_render(b, "</section>");
    if (n > n_pending) {
        html_render(b,
                    "<section aria-labelledby=\"quote-history\"><h2 id=\"quote-history\">%s</h2>",
                    T("Quote history"));
        quote_table(r, rows, n, false, today, country,
                    T("Quotes accepted, rejected, expired, withdrawn or replaced, newest first"));
        html_render(b, "</section>");
    }
    layout_end(r);
}
