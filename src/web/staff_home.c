/* The staff console's first page: who is signed in and with which role, and what the role works
 * on: a rep their accounts and open quotes, Account Services the payments whose outcome is
 * unknown, Customer Care a search, admins everything; requests in their slot. */
#include "pages.h"

#include <string.h>

static const char *role_label(req_t *r, const char *role)
{
    if (strcmp(role, "sales_rep") == 0) return T("Sales representative");
    if (strcmp(role, "account_services") == 0) return T("Corporate Account Services");
    if (strcmp(role, "customer_care") == 0) return T("Customer Care");
    if (strcmp(role, "admin") == 0) return T("Administrator");
    return role;
}

static void accounts_card(req_t *r, const console_home_t *v, bool rep)
{
    buf_t *b = &r->resp.body;
    html_render(b,
                "<section class=\"card\" aria-labelledby=\"my-accounts\"><div class=\"card-head\">"
                "<h2 id=\"my-accounts\">%s</h2><a class=\"button secondary\" "
                "href=\"/staff/accounts/new\">%s</a></div>",
                rep ? T("Your accounts") : T("Accounts"), T("New corporate account"));
    if (v->n_accounts == 0) {
        html_render(b, "<p>%s</p></section>",
                    rep ? T("You have no accounts yet.") : T("No accounts yet."));
        return;
    }
    html_render(b, "<ul class=\"my-accounts\">");
    for (size_t i = 0; i < v->n_accounts; i++)
        html_render(b, "<li><a href=\"/staff/accounts/%L\">%s</a>%R%s</li>", v->accounts[i].id,
                    v->accounts[i].name, rep || !*v->accounts[i].sales_rep_name ? "" : " — ",
                    rep ? "" : v->accounts[i].sales_rep_name);
    html_render(b, "</ul></section>");
}

static void quotes_card(req_t *r, const console_home_t *v, bool rep)
{
    buf_t *b = &r->resp.body;
    html_render(b,
                "<section class=\"card\" aria-labelledby=\"open-quotes\"><h2 id=\"open-quotes\">"
                "%s</h2>",
                rep ? T("Your open quotes") : T("Open quotes"));
    if (v->n_quotes == 0) {
        html_render(b, "<p>%s</p></section>", T("No quotes are waiting for the customer."));
        return;
    }
    html_render(b, "<ul class=\"home-quotes\">");
    for (size_t i = 0; i < v->n_quotes; i++) {
        const quote_t *q = &v->quotes[i];
        html_render(b, "<li><a href=\"/staff/quotes/%s\">%s</a> — %s — ", q->number, q->number,
                    q->account_name ? q->account_name : "");
        html_text(b, T("valid until %s"), q->valid_until);
        html_render(b, "</li>");
    }
    html_render(b, "</ul></section>");
}

/* Online accounts whose renewal charge failed (docs/dunning.md), for Customer Care's calls. */
static void dunning_card(req_t *r, const console_home_t *v)
{
    buf_t *b = &r->resp.body;
    html_render(b,
                "<section class=\"card\" aria-labelledby=\"in-dunning\"><h2 id=\"in-dunning\">"
                "%s</h2>",
                T("Accounts with failed renewal charges"));
    if (v->n_dunning == 0) {
        html_render(b, "<p>%s</p></section>", T("No account has a failed renewal charge."));
        return;
    }
    html_render(b, "<ul class=\"in-dunning\">");
    for (size_t i = 0; i < v->n_dunning; i++) {
        const dunning_hit_t *d = &v->dunning[i];
        const char *state = strcmp(d->state, "suspended") == 0  ? T("Suspended")
                            : strcmp(d->state, "past_due") == 0 ? T("Past due")
                                                                : T("Retrying the card");
        html_render(b, "<li><a href=\"/staff/accounts/%L\">%s</a> — %s — %s</li>", d->account_id,
                    d->name, d->invoice_number, state);
    }
    html_render(b, "</ul></section>");
}

void page_staff_home(req_t *r)
{
    console_ctx_t ctx = staff_console_ctx(r);
    console_home_t v;
    if (answer_status(r, console_home_view(r->svc, r->arena, &ctx, &v))) return;
    const staff_user_t me = v.me;
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
    bool admin = strcmp(me.role, "admin") == 0, rep = strcmp(me.role, "sales_rep") == 0;
    /* What each role works on first; the requests (issue 14) come in their slot. */
    staff_home_requests(r);
    if (rep || admin) {
        accounts_card(r, &v, rep);
        quotes_card(r, &v, rep);
    }
    if (!rep && !admin)
        html_render(b,
                    "<section class=\"card\" aria-labelledby=\"find\"><h2 id=\"find\">%s</h2>"
                    "<form method=\"get\" action=\"/staff/accounts\" role=\"search\">"
                    "<div class=\"field\"><label for=\"home-q\">%s</label><input id=\"home-q\" "
                    "name=\"q\" type=\"search\"></div><button type=\"submit\" "
                    "class=\"secondary\">%s</button></form></section>",
                    T("Find an account"),
                    T("Account name, billing contact's email, User ID or invoice number"),
                    T("Search"));
    if (admin || strcmp(me.role, "customer_care") == 0) dunning_card(r, &v);
    if (admin)
        html_render(b,
                    "<section class=\"card\" aria-labelledby=\"settings\"><h2 id=\"settings\">"
                    "%s</h2><p><a href=\"/staff/payment-details\">%s</a></p></section>",
                    T("Settings"), T("Payment details shown to customers"));
    if (admin)
        html_render(b,
                    "<section class=\"card\" aria-labelledby=\"w9-card\"><h2 id=\"w9-card\">"
                    "%s</h2><p><a href=\"/staff/w9\">%s</a></p></section>",
                    T("W-9"), T("Upload the W-9 and see its versions"));
    staff_home_flags_section(r);
    if (admin || strcmp(me.role, "account_services") == 0) {
        html_render(b,
                    "<section class=\"card\" aria-labelledby=\"payments\"><h2 id=\"payments\">"
                    "%s</h2><p><a href=\"/staff/payments?state=unknown\">%s</a></p><p "
                    "data-unknown=\"%L\">",
                    T("Payments"), T("Payments with an unknown outcome"), v.unknown_payments);
        html_text(b,
                  TN("%d payment with an unknown outcome.", "%d payments with an unknown outcome.",
                     v.unknown_payments),
                  (int)v.unknown_payments);
        html_render(b, "</p></section>");
    }
    layout_end(r);
}
