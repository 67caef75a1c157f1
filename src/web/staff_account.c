/* Staff console: one account, its Bill To and its invoices. */
#include "pages.h"

#include <stdlib.h>

void page_staff_account(req_t *r)
{
    char *end = NULL;
    long long id = r->n_params ? strtoll(r->params[0], &end, 10) : 0;
    account_t acc;
    store_status_t st = id > 0 && end && *end == '\0'
                            ? store_account_by_id(r->store, r->arena, id, &acc)
                            : STORE_NOT_FOUND;
    invoice_summary_t *rows = NULL;
    size_t n = 0;
    if (st == STORE_OK) st = store_invoices_recent(r->store, r->arena, acc.id, 100, &rows, &n);
    if (st != STORE_OK) {
        page_error(r, st == STORE_NOT_FOUND ? 404 : 503);
        return;
    }
    buf_t *b = &r->resp.body;
    layout_begin(r, SECTION_STAFF, acc.name);
    html_render(b, "<h1>%s</h1><div class=\"columns\"><section class=\"card\" aria-labelledby=\"inv\">"
                   "<h2 id=\"inv\">%s</h2>",
                acc.name, T("Invoices"));
    invoice_history_table(r, rows, n, acc.country, "/staff/invoices");
    html_render(b, "</section>");
    bill_to_block(r, &acc);
    html_render(b, "</div>");
    layout_end(r);
}
