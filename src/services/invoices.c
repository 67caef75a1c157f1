/* Loading an issued invoice for display: the stored snapshot plus the vendor's own details. */
#include "invoices.h"
#include "render/invoice_pdf.h"

#include <stdio.h>

static char *setting(store_t *s, arena_t *a, const char *key, const char *fallback)
{
    char *v = NULL;
    return store_setting(s, a, key, &v) == STORE_OK ? v : arena_strdup(a, fallback);
}

store_status_t invoice_load(store_t *s, arena_t *a, const char *number, int64_t id,
                            invoice_doc_t *out)
{
    store_status_t r = number ? store_invoice_by_number(s, a, number, out)
                              : store_invoice_by_id(s, a, id, out);
    if (r != STORE_OK) return r;
    out->vendor_name = setting(s, a, "vendor_name", "Vendor, Inc.");
    out->vendor_address = setting(s, a, "vendor_address", "");
    out->vendor_email = setting(s, a, "vendor_email", "");
    out->vendor_tax_id = setting(s, a, "vendor_tax_id", "");
    return STORE_OK;
}

bool invoice_pdf_for(store_t *s, arena_t *a, int64_t invoice_id, buf_t *pdf, const char **filename,
                     char *err, size_t err_size)
{
    invoice_doc_t inv;
    store_status_t r = invoice_load(s, a, NULL, invoice_id, &inv);
    if (r != STORE_OK) {
        snprintf(err, err_size, "invoice %lld cannot be read (store status %d)",
                 (long long)invoice_id, (int)r);
        return false;
    }
    *filename = invoice_pdf_filename(&inv, a);
    return invoice_pdf_render(&inv, pdf, err, err_size);
}
