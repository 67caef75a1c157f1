/* Staff console: POST /staff/accounts/ID/quotes makes a new draft quote for the account and
 * leads to its builder; the account's page lists its quotes (staff_account_quotes_section). */
#include "pages.h"
#include "services/quotes.h"

#include <string.h>

void page_staff_account_quotes(req_t *r)
{
    quote_staff_ctx_t ctx = staff_quote_ctx(r);
    char *number = NULL;
    if (answer_status(r, quote_create(r->svc, r->arena, &ctx, settings_path_id(r), &number)))
        return;
    buf_t u;
    buf_init_cap(&u, r->arena, 96);
    buf_lit(&u, "/staff/quotes/");
    url_encode(&u, number);
    buf_lit(&u, "?done=created");
    resp_redirect(r, u.data);
}

void staff_account_quotes_section(req_t *r, const account_t *acc)
{
    if (strcmp(acc->kind, "corporate") != 0) return; /* online accounts buy on their own */
    buf_t *b = &r->resp.body;
    quote_staff_ctx_t ctx = staff_quote_ctx(r);
    bool manage = quote_staff_may_manage(&ctx, acc);
    quote_t *rows = NULL;
    size_t n = 0;
    status_t st = quotes_of_account_staff_view(r->svc, r->arena, acc->id, r->now, &rows, &n);
    if (st != STATUS_OK && !manage) return; /* nothing to show nor to do */
    html_render(b,
                "<section class=\"card\" aria-labelledby=\"quotes\"><div class=\"card-head\">"
                "<h2 id=\"quotes\">%s</h2>",
                T("Quotes"));
    if (manage) {
        form_open(r, arena_printf(r->arena, "/staff/accounts/%lld/quotes", (long long)acc->id),
                  "class=\"inline\"");
        html_render(b, "<button type=\"submit\" class=\"secondary\">%s</button></form>",
                    T("New quote"));
    }
    html_render(b, "</div>");
    if (st != STATUS_OK) {
        html_render(b, "<p>%s</p></section>", T("The quotes could not be read. Try again later."));
        return;
    }
    if (n == 0) {
        html_render(b, "<p>%s</p></section>", T("This account has no quotes yet."));
        return;
    }
    const char *number = T("Quote"), *state = T("State"), *until = T("Valid until"),
               *now = T("Due now, with tax"), *rep = T("Sales rep");
    html_render(b,
                "<div class=\"table-wrap\"><table class=\"stack account-quotes\"><thead><tr>"
                "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                "<th scope=\"col\" class=\"num\">%s</th><th scope=\"col\">%s</th></tr></thead>"
                "<tbody>",
                number, state, until, now, rep);
    for (size_t i = 0; i < n; i++) {
        const quote_t *q = &rows[i];
        bool draft = strcmp(q->state, "draft") == 0;
        /* Only those who manage the account's quotes open them (anyone else would get 404). */
        if (manage)
            html_render(b,
                        "<tr><th scope=\"row\" data-label=\"%s\"><a href=\"/staff/quotes/%s\">"
                        "%s</a></th>",
                        number, q->number, q->number);
        else
            html_render(b, "<tr><th scope=\"row\" data-label=\"%s\">%s</th>", number, q->number);
        html_render(b,
                    "<td data-label=\"%s\" data-state=\"%s\">%s</td><td data-label=\"%s\" "
                    "class=\"nowrap\">%s</td><td class=\"num\" data-label=\"%s\">%s</td>"
                    "<td data-label=\"%s\">%s</td></tr>",
                    state, q->state, staff_quote_state_label(r, q->state), until,
                    staff_quote_day(r, acc->country, q->valid_until), now,
                    draft ? "—" : staff_quote_money(r, acc->country, q->currency, q->due_total),
                    rep, q->sales_rep_name ? q->sales_rep_name : "");
    }
    html_render(b, "</tbody></table></div></section>");
}
