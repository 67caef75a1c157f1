/* Staff console: every open (sent) quote, soonest to expire first; a sales rep sees their own. */
#include "pages.h"
#include "services/quotes.h"

void page_staff_quotes(req_t *r)
{
    quote_staff_ctx_t ctx = staff_quote_ctx(r);
    quote_t *rows = NULL;
    size_t n = 0;
    if (answer_status(r, quotes_open_view(r->svc, r->arena, &ctx, &rows, &n))) return;
    buf_t *b = &r->resp.body;
    layout_begin(r, SECTION_STAFF, T("Open quotes"));
    html_render(b, "<h1>%s</h1><p class=\"help\">%s</p>", T("Open quotes"),
                T("Quotes sent and waiting for the customer's answer, the soonest to expire "
                  "first. New quotes are made from the account's page."));
    if (n == 0) {
        html_render(b, "<p>%s</p>", T("No quote is waiting for an answer."));
        layout_end(r);
        return;
    }
    const char *number = T("Quote"), *account = T("Account"), *until = T("Valid until"),
               *now = T("Due now, with tax"), *annual = T("New annual amount"),
               *rep = T("Sales rep");
    html_render(b,
                "<div class=\"table-wrap\"><table class=\"stack open-quotes\"><thead><tr>"
                "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                "<th scope=\"col\" class=\"num\">%s</th><th scope=\"col\" class=\"num\">%s</th>"
                "<th scope=\"col\">%s</th></tr></thead><tbody>",
                number, account, until, now, annual, rep);
    for (size_t i = 0; i < n; i++) {
        const quote_t *q = &rows[i];
        html_render(b,
                    "<tr><th scope=\"row\" data-label=\"%s\"><a href=\"/staff/quotes/%s\">%s</a>"
                    "</th><td data-label=\"%s\"><a href=\"/staff/accounts/%L\">%s</a></td>"
                    "<td data-label=\"%s\" class=\"nowrap\">%s</td><td class=\"num\" "
                    "data-label=\"%s\">%s</td><td class=\"num\" data-label=\"%s\">%s</td>"
                    "<td data-label=\"%s\">%s</td></tr>",
                    number, q->number, q->number, account, q->account_id,
                    q->account_name ? q->account_name : "", until,
                    staff_quote_day(r, NULL, q->valid_until), now,
                    staff_quote_money(r, NULL, q->currency, q->due_total), annual,
                    staff_quote_money(r, NULL, q->currency, q->renewal_total), rep,
                    q->sales_rep_name ? q->sales_rep_name : "");
    }
    html_render(b, "</tbody></table></div>");
    layout_end(r);
}
