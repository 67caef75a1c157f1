/* The Billing Center's Payment Method page (billing administrator only): the online account's
 * card on file, which its renewals and changes are charged to, saved, replaced and removed on
 * the gateway's hosted set-up page. Its address is stable: the Subscription page and the dunning
 * emails link here to replace the card. No autopay choice: online renewals are always charged. */
#include "pages.h"
#include "services/payment_cards.h"

static const card_portal_t card_portal = {.page_path = "/billing/payment-method",
                                          .action_path = "/billing/payment-method",
                                          .autopay = false};

/* error: what a card action was refused with, or NULL. */
static void render(req_t *r, int64_t account_id, const char *error)
{
    const char *setup_state = NULL;
    long long setup_id = 0;
    if (!card_returned_setup(r, account_id, &setup_state, &setup_id)) {
        answer_status(r, STATUS_NOT_FOUND);
        return;
    }
    card_view_t cv;
    if (card_on_file_view(r->svc, r->arena, account_id, &cv) != STATUS_OK)
        cv = (card_view_t){.payments_on = false};
    buf_t *b = &r->resp.body;
    layout_begin(r, SECTION_BILLING, T("Payment Method"));
    html_render(b, "<h1>%s</h1>", T("Payment Method"));
    if (error) notice_error(r, error);
    card_notice(r, &card_portal, setup_state, setup_id);
    html_render(b, "<p>%s</p>",
                T("The renewals of your subscriptions, and the changes you make to them, are "
                  "charged to the card on file."));
    if (cv.payments_on) {
        card_on_file_section(r, &card_portal, &cv);
    } else {
        html_render(b, "<p>");
        card_payments_off_text(r);
        html_render(b, "</p>");
    }
    layout_end(r);
}

/* GET shows the page; POST does a card action: "setup" (add or replace: to the gateway's hosted
 * set-up page) or "remove". */
void page_billing_payment(req_t *r)
{
    int64_t account_id = 0;
    if (!current_account(r, &account_id, NULL)) return;
    if (r->method != METHOD_POST) {
        render(r, account_id, NULL);
        return;
    }
    payer_t who = card_payer(r, account_id);
    const char *error = NULL;
    if (card_post(r, &card_portal, &who, &error)) return;
    render(r, account_id, error);
}
