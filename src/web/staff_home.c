/* The staff console's first page: who is signed in and with which role. */
#include "pages.h"
#include "services/staff_views.h"

#include <string.h>

static const char *role_label(req_t *r, const char *role)
{
    if (strcmp(role, "sales_rep") == 0) return T("Sales representative");
    if (strcmp(role, "account_services") == 0) return T("Corporate Account Services");
    if (strcmp(role, "customer_care") == 0) return T("Customer Care");
    if (strcmp(role, "admin") == 0) return T("Administrator");
    return role;
}

void page_staff_home(req_t *r)
{
    staff_user_t me;
    if (answer_status(r, staff_home_view(r->svc, r->arena, r->principal_id, &me))) return;
    buf_t *b = &r->resp.body;
    layout_begin(r, SECTION_STAFF, T("Staff console"));
    html_render(b,
                "<h1>%s</h1><section class=\"card\" aria-labelledby=\"me\"><h2 id=\"me\">%s</h2>"
                "<dl class=\"facts\">",
                T("Staff console"), T("Signed in"));
    html_render(b, "<dt>%s</dt><dd>%s</dd>", T("Name"), me.name);
    html_render(b, "<dt>%s</dt><dd>%s</dd>", T("Email"), me.email);
    html_render(b, "<dt>%s</dt><dd data-role=\"%s\">%s</dd></dl></section>", T("Role"), me.role,
                role_label(r, me.role));
    if (strcmp(me.role, "admin") == 0)
        html_render(b,
                    "<section class=\"card\" aria-labelledby=\"settings\"><h2 id=\"settings\">"
                    "%s</h2><p><a href=\"/staff/payment-details\">%s</a></p></section>",
                    T("Settings"), T("Payment details shown to customers"));
    if (strcmp(me.role, "admin") == 0)
        html_render(b,
                    "<section class=\"card\" aria-labelledby=\"w9-card\"><h2 id=\"w9-card\">"
                    "%s</h2><p><a href=\"/staff/w9\">%s</a></p></section>",
                    T("W-9"), T("Upload the W-9 and see its versions"));
    staff_home_flags_section(r);
    if (strcmp(me.role, "admin") == 0 || strcmp(me.role, "account_services") == 0)
        html_render(b,
                    "<section class=\"card\" aria-labelledby=\"payments\"><h2 id=\"payments\">"
                    "%s</h2><p><a href=\"/staff/payments?state=unknown\">%s</a></p></section>",
                    T("Payments"), T("Payments with an unknown outcome"));
    staff_home_requests(r);
    layout_end(r);
}
