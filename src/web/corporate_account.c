/* The corporate billing contact's account page: the account, its billing contact, Bill To,
 * invoice recipients, and how it pays (payment method, purchase order in force today). */
#include "billing/calendar.h"
#include "i18n/format.h"
#include "pages.h"
#include "services/corporate_views.h"

/* The payment method and the purchase order in force today, each with the link that changes it. */
static void payment_card(req_t *r, const account_t *acc, const po_in_force_t *po)
{
    buf_t *b = &r->resp.body;
    html_render(b,
                "<section class=\"card\" aria-labelledby=\"paying\"><h2 id=\"paying\">%s</h2>"
                "<dl class=\"facts\"><dt>%s</dt><dd>%s <a href=\"/corporate/payment-method\">%s</a>"
                "</dd><dt>%s</dt><dd>",
                T("How you pay"), T("Payment Method"), payment_method_label(r, acc->payment_method),
                T("Change"), T("Purchase order in force"));
    if (!po->in_force) {
        html_render(b, "%s", T("None"));
    } else {
        char end[64];
        format_date(r->lang, acc->country, po->end_date, end, sizeof end);
        html_render(b, "<span class=\"nowrap\">%s</span> ", po->number);
        html_text(b, T("(until %s)"), end);
    }
    html_render(b, " <a href=\"/corporate/purchase-orders\">%s</a></dd></dl></section>",
                T("Manage purchase orders"));
}

void page_corporate_account(req_t *r)
{
    char today[11];
    date_format(date_from_unix(r->now), today);
    corporate_account_view_t v;
    if (answer_status(r, corporate_account_view(r->svc, r->arena, r->principal_id, today, &v)))
        return;
    const credential_t c = v.contact;
    const account_t acc = v.account;
    size_t n_recipients = v.n_recipients;
    buf_t *b = &r->resp.body;
    layout_begin(r, SECTION_CORPORATE, acc.name);
    html_render(b, "<h1>%s</h1>", acc.name);
    if (req_param(r, "saved")) notice_info(r, T("Your changes have been saved."));
    html_render(b,
                "<div class=\"columns\"><section class=\"card\" "
                "aria-labelledby=\"contact\"><h2 id=\"contact\">%s</h2><dl class=\"facts\">",
                T("Billing contact"));
    html_render(b, "<dt>%s</dt><dd>%s</dd>", T("Name"), c.contact_name);
    html_render(b, "<dt>%s</dt><dd>%s</dd>", T("Email"), c.contact_email);
    html_render(b, "<dt>%s</dt><dd>%s</dd>", T("User ID"), c.user_id);
    html_render(b, "<dt>%s</dt><dd>%s</dd>", T("Currency"), acc.currency);
    if (*acc.sales_rep_name)
        html_render(b, "<dt>%s</dt><dd>%s (<a href=\"mailto:%s\">%s</a>)</dd>",
                    T("Your sales representative"), acc.sales_rep_name, acc.sales_rep_email,
                    acc.sales_rep_email);
    html_render(b, "</dl></section>");
    bill_to_block(r, &acc, "/corporate/bill-to");
    /* The wide column takes how the account pays (two facts with links), the narrow one the
     * short recipients card. */
    payment_card(r, &acc, &v.po);
    balances_card(r, &acc);
    recipients_card(r, n_recipients, "/corporate/recipients");
    corporate_w9_card(r, acc.id);
    html_render(b, "</div>");
    layout_end(r);
}
