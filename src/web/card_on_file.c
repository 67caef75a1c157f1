/* The card on file on a portal's Payment Method page (docs/cards.md), shared by the corporate
 * portal and the Billing Center: the card shown masked, its Add/Replace/Remove buttons (and the
 * corporate autopay choice), what the gateway's set-up page came back with, and the POST that
 * does each card action. */
#include "pages.h"
#include "services/payment_cards.h"

#include <stdlib.h>
#include <string.h>

/* A card brand as printed on the card ("visa" -> "Visa"); unknown brands as the gateway
 * names them. */
const char *card_brand_name(const char *brand)
{
    static const struct {
        const char *code, *name;
    } brands[] = {{"visa", "Visa"},
                  {"mastercard", "Mastercard"},
                  {"amex", "American Express"},
                  {"discover", "Discover"},
                  {"diners", "Diners Club"},
                  {"jcb", "JCB"},
                  {"unionpay", "UnionPay"},
                  {"card", ""}};
    for (size_t i = 0; i < sizeof brands / sizeof brands[0]; i++)
        if (strcmp(brand, brands[i].code) == 0) return brands[i].name;
    return brand;
}

/* One POST button to the portal's card action doing action. */
static void card_button(req_t *r, const card_portal_t *p, const char *action, const char *label,
                        bool primary)
{
    form_open(r, p->action_path, "class=\"inline\"");
    html_render(&r->resp.body,
                "<input type=\"hidden\" name=\"action\" value=\"%s\"><button type=\"submit\" "
                "class=\"%R\">%s</button></form>",
                action, primary ? "primary" : "secondary", label);
}

void card_payments_off_text(req_t *r)
{
    buf_t *b = &r->resp.body;
    if (r->app->care_phone && *r->app->care_phone)
        html_text(b,
                  T("Card payments in this portal come with online payments. Until then, Customer "
                    "Care takes card payments by phone (%s) or by email (%s)."),
                  r->app->care_phone, r->app->care_email);
    else
        html_text(b,
                  T("Card payments in this portal come with online payments. Until then, Customer "
                    "Care takes card payments by email (%s)."),
                  r->app->care_email);
}

void card_on_file_section(req_t *r, const card_portal_t *p, const card_view_t *cv)
{
    buf_t *b = &r->resp.body;
    html_render(b,
                "<section class=\"card card-on-file\" aria-labelledby=\"card-on-file\"><h2 "
                "id=\"card-on-file\">%s</h2>",
                T("Card on file"));
    if (!cv->has_card) {
        html_render(b, "<p>%s</p>", T("No card is saved yet."));
        card_button(r, p, "setup", T("Add a card"), true);
    } else {
        const payment_card_t *c = &cv->card;
        const char *brand = card_brand_name(c->brand);
        html_render(b,
                    "<dl class=\"facts\"><dt>%s</dt><dd class=\"nowrap\">%s%s"
                    "\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2 %s</dd>",
                    T("Card"), brand, *brand ? " " : "", c->last4);
        html_render(b, "<dt>%s</dt><dd>%s</dd>", T("Expires"),
                    arena_printf(r->arena, "%02lld/%04lld", (long long)c->exp_month,
                                 (long long)c->exp_year));
        if (*c->holder_name)
            html_render(b, "<dt>%s</dt><dd>%s</dd>", T("Cardholder name"), c->holder_name);
        html_render(b, "</dl><div class=\"actions\">");
        card_button(r, p, "setup", T("Replace card"), false);
        card_button(r, p, "remove", T("Remove card"), false);
        html_render(b, "</div>");
        if (p->autopay) {
            form_open(r, p->action_path, "class=\"autopay\"");
            html_render(b,
                        "<input type=\"hidden\" name=\"action\" value=\"autopay\"><div "
                        "class=\"field check\"><label for=\"autopay\"><input type=\"checkbox\" "
                        "id=\"autopay\" name=\"autopay\" value=\"on\"%R "
                        "aria-describedby=\"autopay-help\"> %s</label><p class=\"help\" "
                        "id=\"autopay-help\">%s</p></div><button type=\"submit\" "
                        "class=\"secondary\">%s</button></form>",
                        c->autopay ? " checked" : "",
                        T("Charge each invoice to this card automatically on its due date"),
                        T("If a charge fails, we email you a link to pay the invoice."),
                        T("Save automatic payment"));
        }
    }
    html_render(b, "<p class=\"help\">%s</p></section>",
                T("You enter your card on the payment service's secure page. We keep only the "
                  "card's brand, last four digits, expiry date and cardholder name, never its "
                  "number or security code."));
}

bool card_returned_setup(req_t *r, int64_t account_id, const char **state, long long *id)
{
    *state = NULL;
    const char *setup = req_param(r, "setup");
    if (!setup) return true;
    char *end = NULL;
    *id = strtoll(setup, &end, 10);
    card_setup_t st;
    if (!*setup || *end || *id <= 0 ||
        card_setup_view(r->svc, r->arena, account_id, (int64_t)*id, &st) != STATUS_OK)
        return false;
    *state = st.state;
    return true;
}

void card_notice(req_t *r, const card_portal_t *p, const char *setup_state, long long setup_id)
{
    if (setup_state && strcmp(setup_state, "succeeded") == 0)
        notice_info(r, T("Your card has been saved."));
    else if (setup_state && strcmp(setup_state, "pending") == 0)
        html_render(&r->resp.body,
                    "<div class=\"notice info\" role=\"status\">%s <a href=\"%s?setup=%L\">%s</a>"
                    "</div>",
                    T("Your card is being saved: this takes a few seconds."), p->page_path,
                    (int64_t)setup_id, T("Refresh this page"));
    else if (setup_state)
        notice_error(r, T("Your card was not saved. Nothing was charged: you can try again."));
    const char *card = req_param(r, "card");
    if (card && strcmp(card, "removed") == 0) notice_info(r, T("The card has been removed."));
    if (!p->autopay) return;
    if (card && strcmp(card, "autopay-on") == 0)
        notice_info(r, T("Automatic payment is on: each invoice will be charged to your card on "
                         "its due date."));
    if (card && strcmp(card, "autopay-off") == 0)
        notice_info(r, T("Automatic payment is off: pay each invoice from its page."));
}

payer_t card_payer(const req_t *r, int64_t account_id)
{
    return (payer_t){.account_id = account_id,
                     .credential_id = r->principal_id,
                     .billing_center = r->audience == AUDIENCE_BILLING,
                     .lang = r->lang,
                     .ip = r->ip,
                     .now = r->now,
                     .base_url = r->app->cfg->base_url};
}

bool card_post(req_t *r, const card_portal_t *p, const payer_t *who, const char **error)
{
    const char *action = req_field(r, "action");
    const char *autopay = req_field(r, "autopay");
    status_t st;
    const char *done = NULL;
    *error = NULL;
    if (strcmp(action, "setup") == 0) {
        char *redirect = NULL;
        st = card_setup_start(r->svc, r->arena, who, &redirect);
        if (st == STATUS_OK) {
            resp_redirect(r, redirect);
            return true;
        }
        if (st == STATUS_ERROR) {
            r->resp.status = 503;
            *error = T("The payment service could not be reached. No card was saved: please try "
                       "again in a few minutes.");
            return false;
        }
    } else if (strcmp(action, "remove") == 0) {
        st = card_remove(r->svc, r->arena, who);
        done = arena_printf(r->arena, "%s?card=removed", p->page_path);
    } else if (p->autopay && strcmp(action, "autopay") == 0 &&
               (!*autopay || strcmp(autopay, "on") == 0)) {
        bool on = *autopay != '\0';
        st = card_set_autopay(r->svc, r->arena, who, on);
        done =
            arena_printf(r->arena, "%s?card=%s", p->page_path, on ? "autopay-on" : "autopay-off");
    } else {
        r->resp.status = 400;
        *error = T("Nothing was changed: use the buttons on this page.");
        return false;
    }
    if (st == STATUS_OK && done) {
        resp_redirect(r, done); /* Post/Redirect/Get */
        return true;
    }
    answer_status(r, st);
    return true;
}
