/* The start page: the two customer portals. The staff console (/staff) is not advertised here. */
#include "pages.h"

void page_home(req_t *r)
{
    buf_t *b = &r->resp.body;
    layout_begin(r, SECTION_HOME, T("Billing and accounts"));
    html_render(b, "<h1>%s</h1><ul class=\"cards\">", T("Billing and accounts"));
    html_render(b, "<li><h2><a href=\"/corporate\">%s</a></h2><p>%s</p></li>",
                T("Corporate Billing Portal"),
                T("For the billing contact of a corporate account: sign in with the User ID "
                  "printed on your invoices."));
    html_render(b, "<li><h2><a href=\"/billing\">%s</a></h2><p>%s</p></li></ul>",
                T("Billing Center"),
                T("For accounts bought online: sign in with your product login."));
    layout_end(r);
}
