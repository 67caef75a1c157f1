/* Staff console: every account, with its kind, country and number of invoices. */
#include "pages.h"
#include "services/staff_views.h"

enum { ACCOUNTS_PER_PAGE = 100 };

void page_staff_accounts(req_t *r)
{
    account_row_t *rows = NULL;
    size_t n = 0;
    if (answer_status(r, staff_accounts_view(r->svc, r->arena, ACCOUNTS_PER_PAGE, &rows, &n)))
        return;
    buf_t *b = &r->resp.body;
    layout_begin(r, SECTION_STAFF, T("Accounts"));
    html_render(b,
                "<h1>%s</h1><div class=\"table-wrap\"><table><thead><tr><th scope=\"col\">%s</th>"
                "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                "<th scope=\"col\" class=\"num\">%s</th></tr></thead><tbody>",
                T("Accounts"), T("Account"), T("Kind"), T("Country"), T("Currency"), T("Invoices"));
    for (size_t i = 0; i < n; i++)
        html_render(b,
                    "<tr><th scope=\"row\"><a href=\"/staff/accounts/%L\">%s</a></th><td>%s</td>"
                    "<td>%s</td><td>%s</td><td class=\"num\">%L</td></tr>",
                    rows[i].id, rows[i].name, rows[i].kind[0] == 'c' ? T("Corporate") : T("Online"),
                    rows[i].country, rows[i].currency, rows[i].invoices);
    html_render(b, "</tbody></table></div>");
    layout_end(r);
}
