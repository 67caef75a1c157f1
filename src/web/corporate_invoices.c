/* Corporate Billing Portal "Invoice History": the last 20 invoices, each viewable and as PDF;
 * an invoice's page also says how a card payment just made on it went (?payment=ID, where the
 * payment page returns). */
#include "pages.h"
#include "services/payments.h"

#include <stdlib.h>
#include <string.h>

void page_corporate_invoices(req_t *r)
{
    invoice_history_page(
        r, SECTION_CORPORATE, "/corporate/invoices",
        T("Select an Invoice Number to view and print the invoice, or PDF to download it."));
}

const char *card_decline_reason(req_t *r, const char *code)
{
    if (strcmp(code, "insufficient_funds") == 0) return T("the card has insufficient funds");
    if (strcmp(code, "authentication_failed") == 0)
        return T("the bank's extra authentication step was not completed");
    if (strcmp(code, "gateway_unavailable") == 0)
        return T("the payment service could not be reached");
    if (strcmp(code, "expired_card") == 0) return T("the card has expired");
    return T("the card was declined");
}

/* The outcome of the payment named by ?payment=ID, when it is one of this invoice's. */
static void payment_notice(req_t *r, int64_t account_id, const char *number)
{
    const char *id = req_param(r, "payment");
    if (!id || !*id || strspn(id, "0123456789") != strlen(id) || strlen(id) > 18) return;
    payment_t p;
    if (payment_of_invoice(r->svc, r->arena, account_id, number, atoll(id), &p) != STATUS_OK)
        return;
    if (strcmp(p.state, "succeeded") == 0)
        notice_info(r, T("Payment received: thank you. A receipt is on its way to you by email."));
    else if (strcmp(p.state, "failed") == 0)
        notice_error(r, arena_printf(r->arena,
                                     T("The payment did not go through: %s. Nothing was charged. "
                                       "You can try again, with another card if you like."),
                                     card_decline_reason(r, p.decline_code)));
    else if (strcmp(p.state, "expired") == 0)
        notice_info(r, T("The payment page closed before a payment was made. Nothing was "
                         "charged."));
    else
        html_render(&r->resp.body,
                    "<div class=\"notice info\" role=\"status\">%s <a href=\"?payment=%s\">%s</a>"
                    "</div>",
                    T("Your payment is being processed: the invoice shows it as soon as the "
                      "payment service confirms it."),
                    id, T("Refresh"));
}

void page_corporate_invoice(req_t *r)
{
    int64_t account_id = 0;
    invoice_doc_t inv;
    if (!current_account(r, &account_id, NULL) || !load_invoice_for(r, account_id, &inv)) return;
    layout_begin(r, SECTION_CORPORATE, arena_printf(r->arena, "%s %s", T("Invoice"), inv.number));
    payment_notice(r, account_id, inv.number);
    invoice_document_pay(r, &inv, arena_printf(r->arena, "/corporate/invoices/%s/pdf", inv.number),
                         invoice_pay_href(r, &inv));
    layout_end(r);
}

void page_corporate_invoice_pdf(req_t *r)
{
    invoice_pdf_page(r);
}
