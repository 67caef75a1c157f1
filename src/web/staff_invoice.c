/* Staff console: any account's invoice, as a page and as PDF. */
#include "pages.h"

void page_staff_invoice(req_t *r)
{
    invoice_doc_t inv;
    if (!load_invoice_for(r, 0, &inv)) return;
    layout_begin(r, SECTION_STAFF, arena_printf(r->arena, "%s %s", T("Invoice"), inv.number));
    invoice_document(r, &inv, arena_printf(r->arena, "/staff/invoices/%s/pdf", inv.number));
    layout_end(r);
}

void page_staff_invoice_pdf(req_t *r)
{
    invoice_doc_t inv;
    if (load_invoice_for(r, 0, &inv)) send_invoice_pdf(r, &inv);
}
