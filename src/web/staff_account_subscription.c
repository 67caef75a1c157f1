/* Staff console: GET /staff/accounts/ID/subscription and GET/POST .../subscription/change,
 * Customer Care (and admins) see an online account's subscription and make the Billing Center's
 * changes on the account's behalf: the same previews and rules, charged to the account's card on
 * file, each audited under the staff member's name. */
#include "http/session.h"
#include "pages.h"
#include "services/session_views.h"
#include "services/subscriptions.h"

#include <string.h>

static bool is_care(req_t *r)
{
    const principal_view_t *p = session_principal(r, NULL);
    return p && p->role && (strcmp(p->role, "customer_care") == 0 || strcmp(p->role, "admin") == 0);
}

/* Customer Care and admins act for online accounts; other roles do not see these pages. */
static bool may_act(req_t *r)
{
    if (is_care(r)) return true;
    page_error(r, 404);
    return false;
}

void staff_account_subscription_link(req_t *r, const account_t *acc)
{
    if (strcmp(acc->kind, "online") != 0 || !is_care(r)) return;
    html_render(&r->resp.body,
                "<section class=\"card\" aria-labelledby=\"subscription\"><h2 id=\"subscription\">"
                "%s</h2><p>%s</p><p><a class=\"button\" href=\"/staff/accounts/%L/subscription\">"
                "%s</a></p></section>",
                T("Subscription"),
                T("Its products, seats and renewals, and the changes its billing administrator "
                  "can make, made here on the account's behalf."),
                acc->id, T("Open the subscription"));
}

static const char *base_of(req_t *r, int64_t account_id)
{
    return arena_printf(r->arena, "/staff/accounts/%lld/subscription", (long long)account_id);
}

void page_staff_account_subscription(req_t *r)
{
    int64_t account_id = settings_path_id(r);
    if (!may_act(r)) return;
    subscription_page_t v;
    if (answer_status(r, subscription_page(r->svc, r->arena, account_id, &v))) return;
    subscription_page_render(r, SECTION_STAFF, base_of(r, account_id), &v, "/staff/invoices", NULL);
}

void page_staff_account_subscription_change(req_t *r)
{
    int64_t account_id = settings_path_id(r);
    if (!may_act(r)) return;
    subscriber_t who = {.account_id = account_id,
                        .actor_kind = "staff",
                        .actor_id = r->principal_id,
                        .ip = r->ip,
                        .now = r->now,
                        .base_url = r->app->cfg->base_url};
    subscription_change_page(r, SECTION_STAFF, base_of(r, account_id), NULL, &who);
}
