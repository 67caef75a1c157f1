/* Billing Center "Subscription" (billing administrator only): GET /billing/subscription lists each
 * product with its plan, seats, billing frequency and next renewal; GET/POST
 * /billing/subscription/change adds a product, changes seats or billing frequency, cancels,
 * keeps or reactivates one, each previewed to the cent before it is confirmed. */
#include "http/session.h"
#include "pages.h"
#include "services/session_views.h"
#include "services/subscriptions.h"

static const char BASE[] = "/billing/subscription";

void page_billing_subscription(req_t *r)
{
    int64_t account_id = 0;
    if (!current_account(r, &account_id, NULL)) return;
    subscription_page_t v;
    if (answer_status(r, subscription_page(r->svc, r->arena, account_id, &v))) return;
    subscription_page_render(r, SECTION_BILLING, BASE, &v, "/billing/invoices",
                             "/billing/payment-method");
}

void page_billing_subscription_change(req_t *r)
{
    int64_t account_id = 0;
    if (!current_account(r, &account_id, NULL)) return;
    subscriber_t who = {.account_id = account_id,
                        .actor_kind = "billing",
                        .actor_id = r->principal_id,
                        .ip = r->ip,
                        .now = r->now,
                        .base_url = r->app->cfg->base_url};
    subscription_change_page(r, SECTION_BILLING, BASE, "/billing/payment-method", &who);
}
