/* GET/POST /corporate/invoices/NUMBER/pay: the billing contact pays an invoice of their account
 * by card, in full (the amount comes filled with what may be paid) or in part, on the gateway's
 * secure page. The amount is checked and reserved before the browser goes there. */
#include "billing/money.h"
#include "i18n/format.h"
#include "pages.h"
#include "services/payments.h"

#include <string.h>

static payer_t payer_of(req_t *r, int64_t account_id)
{
    return (payer_t){.account_id = account_id,
                     .credential_id = r->principal_id,
                     .lang = r->lang,
                     .ip = r->ip,
                     .now = r->now,
                     .base_url = r->app->cfg->base_url};
}

static const char *money(req_t *r, const pay_view_t *v, int64_t minor)
{
    char *out = arena_alloc(r->arena, 64);
    format_money(r->lang, v->country, v->invoice.currency, minor, out, 64);
    return out;
}

/* The amount as the form shows it: plain decimals with the reader's decimal mark. */
static const char *amount_field(req_t *r, const pay_view_t *v, int64_t minor)
{
    char *out = arena_alloc(r->arena, MONEY_TEXT_MAX);
    money_decimal(minor, currency_exponent(v->invoice.currency), out);
    if (r->lang != LANG_EN)
        for (char *p = out; *p; p++)
            if (*p == '.') *p = ',';
    return out;
}

static const char *amount_error(req_t *r, const pay_view_t *v, pay_amount_error_t e)
{
    switch (e) {
    case PAY_AMOUNT_BAD:
        return T("Enter the amount as a number, such as 1250.00.");
    case PAY_AMOUNT_TOO_SMALL:
        return arena_printf(r->arena, T("The smallest card payment is %s."),
                            money(r, v, v->minimum));
    case PAY_AMOUNT_TOO_LARGE:
        return arena_printf(r->arena, T("The most you can pay now is %s."),
                            money(r, v, v->payable));
    default:
        return NULL;
    }
}

static void render(req_t *r, const pay_view_t *v, const char *typed, pay_amount_error_t error,
                   bool gateway_unavailable)
{
    buf_t *b = &r->resp.body;
    const char *number = v->invoice.number;
    layout_begin(r, SECTION_CORPORATE, arena_printf(r->arena, T("Pay invoice %s"), number));
    html_render(b, "<h1>%s</h1>", arena_printf(r->arena, T("Pay invoice %s"), number));
    if (gateway_unavailable)
        notice_error(r, T("The payment service could not be reached. Nothing was charged: "
                          "please try again in a few minutes."));
    const char *left = req_param(r, "left");
    if (left && *left && !typed)
        notice_info(r, T("You left the payment page before paying. Nothing was charged."));
    html_render(b,
                "<section class=\"card\" aria-labelledby=\"owed\"><h2 id=\"owed\">%s</h2><dl "
                "class=\"facts\">",
                T("What is owed"));
    html_render(b, "<dt>%s</dt><dd>%s</dd>", T("Invoice total"), money(r, v, v->invoice.total));
    html_render(b, "<dt>%s</dt><dd>%s</dd>", T("Paid so far"), money(r, v, v->invoice.amount_paid));
    html_render(b, "<dt>%s</dt><dd>%s</dd>", T("Balance due"), money(r, v, v->balance));
    if (v->invoice.reserved > 0)
        html_render(b, "<dt>%s</dt><dd>%s</dd>", T("Payments in progress"),
                    money(r, v, v->invoice.reserved));
    html_render(b, "</dl></section>");

    if (v->payable <= 0) {
        notice_info(r, v->balance <= 0
                           ? T("This invoice is paid in full.")
                           : T("Payments already in progress cover the balance. A payment "
                               "whose page was left unpaid is released within 35 minutes."));
        html_render(b, "<p><a href=\"/corporate/invoices/%s\">%s</a></p>", number,
                    T("Back to the invoice"));
        layout_end(r);
        return;
    }
    html_render(b, "<section class=\"card\" aria-labelledby=\"pay\"><h2 id=\"pay\">%s</h2>",
                T("Pay by credit or debit card"));
    form_open(r, arena_printf(r->arena, "/corporate/invoices/%s/pay", number), "novalidate");
    const char *label = arena_printf(r->arena, T("Amount to pay (%s)"), v->invoice.currency);
    const char *err = amount_error(r, v, error);
    html_render(b, "<div class=\"field\"><label for=\"amount\">%s</label>", label);
    html_render(b, "<p class=\"hint\" id=\"amount-hint\">%s</p>",
                arena_printf(r->arena,
                             T("Pay the balance, or lower the amount to pay part of it: at least "
                               "%s, at most %s."),
                             money(r, v, v->minimum), money(r, v, v->payable)));
    if (err) html_render(b, "<p class=\"field-error\" id=\"amount-error\">%s</p>", err);
    html_render(b,
                "<input id=\"amount\" name=\"amount\" type=\"text\" inputmode=\"decimal\" "
                "autocomplete=\"off\" required value=\"%s\"",
                typed ? typed : amount_field(r, v, v->payable));
    if (err)
        html_render(b,
                    " aria-invalid=\"true\" aria-describedby=\"amount-hint amount-error\"></div>");
    else
        html_render(b, " aria-describedby=\"amount-hint\"></div>");
    html_render(b, "<p>%s</p>",
                T("Your card details are entered on the payment service's secure page, never "
                  "here. You come back to the invoice when you have paid."));
    html_render(b, "<button type=\"submit\" class=\"primary\">%s</button></form>",
                T("Continue to secure payment"));
    html_render(b, "<p><a href=\"/corporate/invoices/%s\">%s</a></p></section>", number,
                T("Back to the invoice"));
    layout_end(r);
}

void page_corporate_invoice_pay(req_t *r)
{
    int64_t account_id = 0;
    if (!current_account(r, &account_id, NULL)) return;
    const char *number = r->n_params > 0 ? r->params[0] : NULL;
    payer_t who = payer_of(r, account_id);
    if (!payments_gateway()) {
        page_error(r, 404);
        return;
    }
    if (r->method != METHOD_POST) {
        pay_view_t v;
        if (answer_status(r, pay_view(r->svc, r->arena, &who, number, &v))) return;
        render(r, &v, NULL, PAY_AMOUNT_OK, false);
        return;
    }
    const char *typed = req_field(r, "amount");
    pay_start_t out;
    status_t st =
        pay_start(r->svc, r->arena, &who, number, typed, r->lang == LANG_EN ? '.' : ',', &out);
    if (st == STATUS_OK) {
        resp_redirect(r, out.redirect);
        return;
    }
    if (st == STATUS_INVALID || (st == STATUS_ERROR && out.gateway_unavailable)) {
        r->resp.status = st == STATUS_INVALID ? 400 : 503;
        render(r, &out.view, typed ? typed : "", out.amount_error, out.gateway_unavailable);
        return;
    }
    answer_status(r, st);
}
