/* Corporate Billing Portal "Invoice History": the last 20 invoices, each viewable and as PDF. */
#include "pages.h"

void page_corporate_invoices(req_t *r)
{
    invoice_history_page(
        r, SECTION_CORPORATE, "/corporate/invoices",
        T("Select an Invoice Number to view and print the invoice, or PDF to download it."));
}

void page_corporate_invoice(req_t *r)
{
    invoice_view_page(r, SECTION_CORPORATE, "/corporate/invoices");
}

void page_corporate_invoice_pdf(req_t *r)
{
    invoice_pdf_page(r);
}
