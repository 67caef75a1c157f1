/* Staff console: one account, its Bill To, its invoices and its audit log. */
#include "pages.h"

#include <stdlib.h>

enum { AUDIT_ROWS = 50 };

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
    audit_row_t *audit = NULL;
    size_t n_audit = 0;
    int64_t before = audit_before_param(r);
    if (before < 0) {
        page_error(r, 400);
        return;
    }
    if (st == STORE_OK) st = store_invoices_recent(r->store, r->arena, acc.id, 100, &rows, &n);
    /* One entry more than a page tells whether there are older ones. */
    audit_query_t q = {.account_id = acc.id, .before_id = before, .limit = AUDIT_ROWS + 1};
    if (st == STORE_OK) st = store_audit_page(r->store, r->arena, &q, &audit, &n_audit);
    if (st != STORE_OK) {
        page_error(r, st == STORE_NOT_FOUND ? 404 : 503);
        return;
    }
    buf_t *b = &r->resp.body;
    layout_begin(r, SECTION_STAFF, acc.name);
    /* Bill To first and the invoices below it at full width: the invoice table has six columns
     * and must not be squeezed beside the address. */
    html_render(b, "<h1>%s</h1>", acc.name);
    bill_to_block(r, &acc);
    html_render(b, "<section class=\"card\" aria-labelledby=\"inv\"><h2 id=\"inv\">%s</h2>",
                T("Invoices"));
    invoice_history_table(r, rows, n, acc.country, "/staff/invoices");
    html_render(b, "</section>");
    audit_table(r, audit, n_audit, AUDIT_ROWS,
                arena_printf(r->arena, "/staff/accounts/%lld", (long long)acc.id), before > 0);
    layout_end(r);
}
