/* The corporate billing contact's account page: the account, its Bill To and billing contact. */
#include "pages.h"

void page_corporate_account(req_t *r)
{
    credential_t c;
    account_t acc;
    store_status_t st = store_credential_by_id(r->store, r->arena, r->principal_id, &c);
    if (st == STORE_OK) st = store_account_by_id(r->store, r->arena, c.account_id, &acc);
    if (st != STORE_OK) {
        page_error(r, st == STORE_NOT_FOUND ? 404 : 503);
        return;
    }
    buf_t *b = &r->resp.body;
    layout_begin(r, SECTION_CORPORATE, acc.name);
    html_render(b, "<h1>%s</h1><div class=\"columns\"><section class=\"card\" "
                   "aria-labelledby=\"contact\"><h2 id=\"contact\">%s</h2><dl class=\"facts\">",
                acc.name, T("Billing contact"));
    html_render(b, "<dt>%s</dt><dd>%s</dd>", T("Name"), c.contact_name);
    html_render(b, "<dt>%s</dt><dd>%s</dd>", T("Email"), c.contact_email);
    html_render(b, "<dt>%s</dt><dd>%s</dd>", T("User ID"), c.user_id);
    html_render(b, "<dt>%s</dt><dd>%s</dd>", T("Currency"), acc.currency);
    if (*acc.sales_rep_name)
        html_render(b, "<dt>%s</dt><dd>%s (<a href=\"mailto:%s\">%s</a>)</dd>",
                    T("Your sales representative"), acc.sales_rep_name, acc.sales_rep_email,
                    acc.sales_rep_email);
    html_render(b, "</dl></section>");
    bill_to_block(r, &acc);
    html_render(b, "</div>");
    layout_end(r);
}
