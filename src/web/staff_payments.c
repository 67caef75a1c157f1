/* Staff console: GET /staff/payments?state=unknown, every payment whose outcome nobody knows yet
 * (the gateway did not answer, or reported something else than was asked), newest first, with
 * when it is asked about next. Reconciliation settles them; staff look at those it cannot. */
#include "pages.h"
#include "services/payments_offline.h"

#include <string.h>
#include <time.h>

static const char *when(req_t *r, int64_t at)
{
    char *out = arena_alloc(r->arena, 32);
    time_t t = (time_t)at;
    struct tm tm;
    out[0] = '\0';
    if (at > 0 && gmtime_r(&t, &tm)) strftime(out, 32, "%Y-%m-%d %H:%M", &tm);
    return out;
}

void page_staff_payments(req_t *r)
{
    const char *state = req_param(r, "state");
    if (state && *state && strcmp(state, "unknown") != 0) {
        page_error(r, 404); /* only the unknown ones are listed here */
        return;
    }
    pay_staff_t who = staff_pay_ctx(r);
    payment_line_t *rows = NULL;
    size_t n = 0;
    if (answer_status(r, payments_unknown_view(r->svc, r->arena, &who, &rows, &n))) return;
    buf_t *b = &r->resp.body;
    layout_begin(r, SECTION_STAFF, T("Payments with an unknown outcome"));
    html_render(b, "<h1>%s</h1><p class=\"help\">%s</p>", T("Payments with an unknown outcome"),
                T("The payment service did not say whether these payments went through. cobro "
                  "asks it again after 5 minutes, after an hour, then daily for a week, and never "
                  "charges again to find out. What a payment holds stays reserved on its "
                  "invoice until then."));
    if (n == 0) {
        html_render(b, "<p>%s</p>", T("No payment has an unknown outcome."));
        layout_end(r);
        return;
    }
    const char *pay = T("Payment"), *account = T("Account"), *invoice = T("Invoice"),
               *method = T("Method"), *amount = T("Amount"), *started = T("Started (UTC)"),
               *next = T("Next check (UTC)");
    html_render(b,
                "<div class=\"table-wrap\"><table class=\"stack unknown-payments\"><caption "
                "class=\"sr-only\">%s</caption><thead><tr><th scope=\"col\">%s</th>"
                "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                "<th scope=\"col\" class=\"num\">%s</th><th scope=\"col\">%s</th>"
                "<th scope=\"col\">%s</th></tr></thead><tbody>",
                T("Payments with an unknown outcome, newest first"), pay, account, invoice, method,
                amount, started, next);
    for (size_t i = 0; i < n; i++) {
        const payment_line_t *p = &rows[i];
        html_render(b,
                    "<tr><th scope=\"row\" data-label=\"%s\"><a href=\"/staff/payments/%L\">%L</a>"
                    "</th><td data-label=\"%s\"><a href=\"/staff/accounts/%L\">%s</a></td>"
                    "<td data-label=\"%s\">",
                    pay, p->id, p->id, account, p->account_id, p->account_name, invoice);
        if (*p->invoice_number)
            html_render(b, "<a href=\"/staff/invoices/%s\">%s</a>", p->invoice_number,
                        p->invoice_number);
        html_render(b,
                    "</td><td data-label=\"%s\">%s</td><td class=\"num\" data-label=\"%s\">%s</td>"
                    "<td class=\"nowrap\" data-label=\"%s\">%s</td><td class=\"nowrap\" "
                    "data-label=\"%s\">%s</td></tr>",
                    method, staff_payment_method_label(r, p->method), amount,
                    staff_quote_money(r, NULL, p->currency, p->amount), started,
                    when(r, p->created_at), next,
                    p->next_check_at ? when(r, p->next_check_at) : T("None: staff must look"));
    }
    html_render(b, "</tbody></table></div>");
    layout_end(r);
}
