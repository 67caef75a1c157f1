/* Billing Center invoice history (billing administrator only): the invoice of each renewal. */
#include "pages.h"

void page_billing_invoices(req_t *r)
{
    invoice_history_page(
        r, SECTION_BILLING, "/billing/invoices",
        T("The invoice of each renewal. Select an Invoice Number to view and print it."));
}

void page_billing_invoice(req_t *r)
{
    invoice_view_page(r, SECTION_BILLING, "/billing/invoices");
}

void page_billing_invoice_pdf(req_t *r)
{
    invoice_pdf_page(r);
}
