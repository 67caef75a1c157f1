/* The Payment Method tab: how a corporate account pays its invoices (wire transfer, check, direct
 * debit, card), with what each choice needs. Saved bank numbers are only ever shown masked. */
#include "pages.h"
#include "services/actions.h"
#include "services/corporate_views.h"
#include "services/invoices.h"
#include "services/payment_cards.h"

#include <stdlib.h>
#include <string.h>

static const char *const methods[] = {"wire", "check", "direct_debit", "card"};

/* The vendor's payment details; none set when they cannot be read (the page still works). */
static vendor_payment_t vendor_details(req_t *r)
{
    vendor_payment_t v;
    if (corporate_payment_details_view(r->svc, r->arena, &v) != STATUS_OK)
        v = (vendor_payment_t){"", "", "", "", "", "", ""};
    return v;
}

/* What the form shows: the choice and the typed bank details (never the stored numbers). */
typedef struct {
    const char *method, *holder, *routing, *account, *iban;
    bool mandate;
} shown_t;

/* Opens one choice: its radio button and label, then the box explaining it, which the radio
 * button names as its description (both closed by choice_close). */
static void choice_open(req_t *r, const char *method, const shown_t *v)
{
    bool checked = strcmp(v->method, method) == 0;
    /* The label holds its radio button: one line, all of it clickable. */
    html_render(&r->resp.body,
                "<div class=\"card field choice%R\"><label for=\"method-%s\"><input "
                "type=\"radio\" id=\"method-%s\" name=\"method\" value=\"%s\" "
                "aria-describedby=\"method-%s-about\"%R> %s</label><div class=\"about\" "
                "id=\"method-%s-about\">",
                checked ? " checked" : "", method, method, method, method,
                checked ? " checked" : "", payment_method_label(r, method), method);
}

static void choice_close(req_t *r)
{
    html_render(&r->resp.body, "</div></div>");
}

/* Lines of a multi-line setting, each followed by <br> but the last. */
static void lines(req_t *r, const char *text)
{
    for (const char *p = text; *p;) {
        size_t len = strcspn(p, "\n");
        html_render(&r->resp.body, "%s", str_trim(arena_strndup(r->arena, p, len)));
        p += len;
        if (*p == '\n' && *++p) html_render(&r->resp.body, "<br>");
    }
}

static void wire_details(req_t *r, const vendor_payment_t *vendor)
{
    buf_t *b = &r->resp.body;
    /* The same details, in the same order, as an invoice's "How to pay". */
    bank_detail_t rows[BANK_DETAILS_MAX];
    size_t n = vendor_bank_details(r->arena, vendor, rows);
    if (n) {
        html_render(b, "<p>%s</p><dl class=\"bank\">", T("Send each payment to our bank account:"));
        for (size_t i = 0; i < n; i++)
            html_render(b, "<dt>%s</dt><dd>%s</dd>", T(rows[i].label), rows[i].value);
        html_render(b, "</dl>");
    } else
        html_render(b, "<p>%s</p>", T("Customer Care will give you our bank details."));
    html_render(b, "<p><strong>%s</strong></p>", T("Quote the invoice number with every payment."));
}

static void check_details(req_t *r, const vendor_payment_t *vendor)
{
    buf_t *b = &r->resp.body;
    const char *address = str_trim(arena_strdup(r->arena, vendor->check_address));
    if (!*address) {
        html_render(b, "<p>%s</p>", T("Customer Care will give you our mailing address."));
    } else {
        html_render(b, "<p>");
        html_text(b, T("Make the check payable to %s and mail it to:"), r->app->vendor_name);
        html_render(b, "</p><address>");
        lines(r, address);
        html_render(b, "</address>");
    }
    html_render(b, "<p><strong>%s</strong></p>", T("Write the invoice number on the check."));
}

/* The mandate the contact accepts for direct debit, in the words of the account's scheme. */
static void mandate_text(req_t *r, bool by_iban)
{
    buf_t *b = &r->resp.body;
    html_render(b, "<div class=\"mandate\" id=\"mandate-text\"><p>");
    if (by_iban)
        html_text(b,
                  T("By accepting this mandate, you authorize %s to send instructions to your bank "
                    "to debit your account, and your bank to debit your account in accordance with "
                    "those instructions, for the amount of each invoice on its due date. You are "
                    "entitled to a refund from your bank under the terms of your agreement with "
                    "it; a refund must be claimed within 8 weeks of the date your account was "
                    "debited."),
                  r->app->vendor_name);
    else
        html_text(b,
                  T("By accepting this mandate, you authorize %s to debit your bank account "
                    "through the ACH network for the amount of each invoice on its due date, "
                    "until you choose another payment method."),
                  r->app->vendor_name);
    html_render(b, "</p><p>%s</p></div>",
                T("You can end this mandate at any time by choosing another payment method "
                  "here."));
}

static void direct_debit_details(req_t *r, const account_t *acc, const shown_t *v,
                                 const payment_errors_t *e)
{
    buf_t *b = &r->resp.body;
    /* As the settings service decides: US dollars through ACH, every other currency by IBAN. */
    bool by_iban = strcmp(acc->currency, "USD") != 0;
    html_render(b, "<p>%s</p></div>",
                T("We collect each invoice from your bank account on its due date."));
    /* The fields sit after the radio button's description, which stays short to listen to;
     * the choice ends with them. */
    html_render(b, "<fieldset class=\"debit\"><legend>%s</legend>", T("Bank account to debit"));
    if (strcmp(acc->payment_method, "direct_debit") == 0) {
        html_render(b, "<p class=\"help\">");
        if (*acc->debit_iban)
            html_text(b, T("Saved: %s, IBAN %s. To change it, type the new details."),
                      acc->debit_holder, acc->debit_number_hint);
        else
            html_text(b, T("Saved: %s, account number %s. To change it, type the new details."),
                      acc->debit_holder, acc->debit_number_hint);
        html_render(b, "</p>");
    }
    settings_field(r, "holder", T("Account holder"), v->holder, NULL, e->holder,
                   "maxlength=\"100\" autocomplete=\"off\"");
    if (by_iban) {
        settings_field(r, "iban", T("IBAN"), v->iban,
                       T("Up to 34 letters and digits, with or without spaces."), e->iban,
                       "maxlength=\"42\" autocomplete=\"off\" spellcheck=\"false\"");
    } else {
        settings_field(r, "routing", T("Routing number (ABA)"), v->routing, T("Nine digits."),
                       e->routing, "maxlength=\"9\" inputmode=\"numeric\" autocomplete=\"off\"");
        settings_field(r, "account", T("Account number"), v->account, T("4 to 17 digits."),
                       e->account, "maxlength=\"17\" inputmode=\"numeric\" autocomplete=\"off\"");
    }
    html_render(b, "<h3 class=\"mandate-title\">%s</h3>", T("Direct debit mandate"));
    mandate_text(r, by_iban);
    const char *error = field_error_text(r, e->mandate);
    html_render(b, "<div class=\"field check\">");
    if (error) html_render(b, "<p class=\"field-error\" id=\"mandate-error\">%s</p>", error);
    html_render(b,
                "<label for=\"mandate\"><input type=\"checkbox\" id=\"mandate\" name=\"mandate\" "
                "value=\"yes\"%R%R aria-describedby=\"mandate-text%R\"> %s</label></div>"
                "</fieldset></div>",
                v->mandate ? " checked" : "", error ? " aria-invalid=\"true\"" : "",
                error ? " mandate-error" : "", T("I accept the direct debit mandate"));
}

static const card_portal_t card_portal = {.page_path = "/corporate/payment-method",
                                          .action_path = "/corporate/payment-method/card",
                                          .autopay = true};

static void card_details(req_t *r, const card_view_t *cv)
{
    buf_t *b = &r->resp.body;
    html_render(b, "<p>");
    if (cv->payments_on)
        html_text(b, "%s",
                  T("Pay each invoice by card from its page in this portal, or save a card and "
                    "have each invoice charged to it automatically on its due date."));
    else
        card_payments_off_text(r);
    html_render(b, "</p>");
}

/* What is saved now, in a sentence or two; bank numbers masked. */
static void current_summary(req_t *r, const account_t *acc)
{
    buf_t *b = &r->resp.body;
    html_render(b,
                "<section class=\"card current\" aria-labelledby=\"current\"><h2 id=\"current\">"
                "%s</h2><p><strong>%s</strong></p>",
                T("Current payment method"), payment_method_label(r, acc->payment_method));
    if (strcmp(acc->payment_method, "direct_debit") == 0) {
        html_render(b, "<dl class=\"facts\"><dt>%s</dt><dd>%s</dd>", T("Account holder"),
                    acc->debit_holder);
        if (*acc->debit_iban) {
            html_render(b, "<dt>%s</dt><dd class=\"nowrap\">%s</dd>", T("IBAN"),
                        acc->debit_number_hint);
        } else {
            html_render(b, "<dt>%s</dt><dd class=\"nowrap\">%s</dd>", T("Routing number (ABA)"),
                        acc->debit_routing_hint);
            html_render(b, "<dt>%s</dt><dd class=\"nowrap\">%s</dd>", T("Account number"),
                        acc->debit_number_hint);
        }
        html_render(b, "</dl>");
    }
    html_render(b, "</section>");
}

/* card_error: what a card action was refused with ("" for none). */
static void render(req_t *r, const account_t *acc, const shown_t *v, const payment_errors_t *e,
                   bool refused, const char *card_error)
{
    buf_t *b = &r->resp.body;
    const vendor_payment_t vendor = vendor_details(r);
    const char *setup_state = NULL;
    long long setup_id = 0;
    if (!card_returned_setup(r, acc->id, &setup_state, &setup_id)) {
        answer_status(r, STATUS_NOT_FOUND);
        return;
    }
    card_view_t cv;
    if (card_on_file_view(r->svc, r->arena, acc->id, &cv) != STATUS_OK)
        cv = (card_view_t){.payments_on = false};
    layout_begin(r, SECTION_CORPORATE, T("Payment Method"));
    html_render(b, "<h1>%s</h1>", T("Payment Method"));
    if (refused)
        notice_error(r, T("Your payment method was not saved. Check the fields marked below."));
    else if (req_param(r, "saved"))
        notice_info(r, T("Your payment method has been saved."));
    if (*card_error) notice_error(r, card_error);
    card_notice(r, &card_portal, setup_state, setup_id);
    current_summary(r, acc);
    html_render(b, "<p class=\"help\">%s</p>",
                T("The payment method you choose is printed on your new invoices, with how to "
                  "pay them."));
    form_open(r, "/corporate/payment-method", "class=\"payment-form\" novalidate");
    const char *method_error = field_error_text(r, e->method);
    html_render(b, "<fieldset class=\"choices\"%R><legend>%s</legend>",
                method_error ? " aria-describedby=\"method-error\"" : "",
                T("How do you want to pay?"));
    if (method_error)
        html_render(b, "<p class=\"field-error\" id=\"method-error\">%s</p>", method_error);
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        choice_open(r, methods[i], v);
        if (strcmp(methods[i], "wire") == 0) wire_details(r, &vendor);
        if (strcmp(methods[i], "check") == 0) check_details(r, &vendor);
        if (strcmp(methods[i], "card") == 0) card_details(r, &cv);
        if (strcmp(methods[i], "direct_debit") == 0)
            direct_debit_details(r, acc, v, e); /* closes the choice itself */
        else
            choice_close(r);
    }
    html_render(b, "</fieldset><button type=\"submit\" class=\"primary\">%s</button></form>",
                T("Save"));
    /* Its own forms, after the method's (forms do not nest); once card is the saved choice. */
    if (cv.payments_on && strcmp(acc->payment_method, "card") == 0)
        card_on_file_section(r, &card_portal, &cv);
    layout_end(r);
}

void page_corporate_payment(req_t *r)
{
    credential_t c;
    account_t acc;
    if (!settings_load_contact(r, &c, &acc)) return;
    payment_errors_t e = {0};
    if (r->method != METHOD_POST) {
        /* The saved numbers are never put back in the inputs: the page shows them masked. */
        shown_t v = {.method = acc.payment_method,
                     .holder = acc.debit_holder,
                     .routing = "",
                     .account = "",
                     .iban = "",
                     .mandate = false};
        render(r, &acc, &v, &e, false, "");
        return;
    }
    payment_form_t form = {.method = req_field(r, "method"),
                           .holder = req_field(r, "holder"),
                           .routing = req_field(r, "routing"),
                           .account = req_field(r, "account"),
                           .iban = req_field(r, "iban"),
                           .mandate = req_field(r, "mandate")};
    settings_ctx_t ctx = settings_ctx_of(r, acc.id);
    if (settings_answered(r, svc_settings_save_payment(r->svc, r->arena, &ctx, &form, &e),
                          "/corporate/payment-method?saved=1"))
        return;
    /* What this user just typed comes back as typed, bank numbers included. */
    shown_t v = {.method = form.method,
                 .holder = form.holder,
                 .routing = form.routing,
                 .account = form.account,
                 .iban = form.iban,
                 .mandate = strcmp(form.mandate, "yes") == 0};
    render(r, &acc, &v, &e, true, "");
}

/* POST /corporate/payment-method/card: action "setup" (add or replace: to the gateway's hosted
 * set-up page), "remove", or "autopay" (the checkbox autopay=on, absent for off). */
void page_corporate_payment_card(req_t *r)
{
    credential_t c;
    account_t acc;
    if (!settings_load_contact(r, &c, &acc)) return;
    payer_t who = card_payer(r, acc.id);
    const char *error = NULL;
    if (card_post(r, &card_portal, &who, &error)) return;
    shown_t v = {.method = acc.payment_method,
                 .holder = acc.debit_holder,
                 .routing = "",
                 .account = "",
                 .iban = "",
                 .mandate = false};
    payment_errors_t e = {0};
    render(r, &acc, &v, &e, false, error);
}
