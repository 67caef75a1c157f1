/* The account page's Requests section: the account's requests from the requests work
 * (services/requests.h), as the reader's queue shows them (a sales rep: the seats, products,
 * cancellation and reactivation requests of their own accounts), with a link to the queue
 * filtered on the account. Nothing when the reader has no queue of this account. */
#include "http/session.h"
#include "pages.h"
#include "services/session_views.h"

#include <string.h>

void staff_account_requests_section(req_t *r, const account_t *acc)
{
    const principal_view_t *p = session_principal(r, NULL);
    request_staff_t ctx = {.staff_id = r->principal_id,
                           .role = p && p->role ? p->role : "",
                           .ip = r->ip,
                           .now = r->now,
                           .base_url = r->app && r->app->cfg ? r->app->cfg->base_url : ""};
    const char *queue = request_staff_queue(&ctx);
    request_list_t list = {0};
    status_t st;
    if (!queue) {
        if (acc->sales_rep_id != r->principal_id) return;
        st = request_rep_list(r->svc, r->arena, &ctx, acc->id, &list);
    } else {
        request_queue_filter_t f = {.queue = "", .state = "", .kind = "", .account_id = acc->id};
        st = request_queue(r->svc, r->arena, &ctx, &f, &list);
    }
    if (st != STATUS_OK) return; /* the page is worth having without it */
    buf_t *b = &r->resp.body;
    html_render(b,
                "<section class=\"card\" aria-labelledby=\"acc-requests\"><h2 "
                "id=\"acc-requests\">%s</h2>",
                T("Requests"));
    if (list.n == 0) {
        html_render(b, "<p>%s</p>", T("This account has no requests."));
    } else {
        html_render(b, "<ul class=\"account-requests\">");
        for (size_t i = 0; i < list.n; i++) {
            const request_t *q = &list.rows[i];
            html_render(b, "<li><a href=\"/staff/requests/%s\">%s</a> — %s — %s</li>", q->number,
                        q->number, request_kind_text(r, q), request_state_text(r, q->state));
        }
        html_render(b, "</ul>");
    }
    if (queue)
        html_render(b, "<p><a href=\"/staff/requests?account=%L\">%s</a></p>", acc->id,
                    T("This account's requests in the queue"));
    html_render(b, "</section>");
}
