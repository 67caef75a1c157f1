/* Loading an issued invoice for display: the stored snapshot plus the vendor's own details. */
#include "invoices.h"
#include "render/invoice_pdf.h"
#include "services/vendor_settings.h"

#include <stdio.h>
#include <string.h>

static char *setting(store_t *s, arena_t *a, const char *key, const char *fallback)
{
    char *v = NULL;
    return store_setting(s, a, key, &v) == STORE_OK ? v : arena_strdup(a, fallback);
}

/* The invoice's remit_to (invoice_doc.h) for its payment method; "" when there is none. */
static char *remit_to(store_t *s, arena_t *a, const char *method)
{
    bool wire = strcmp(method, "wire") == 0, check = strcmp(method, "check") == 0;
    vendor_payment_t v;
    if ((!wire && !check) || vendor_payment_load(s, a, &v) != STORE_OK) return "";
    if (check) return (char *)v.check_address;
    const struct {
        const char *label, *value;
    } rows[] = {
        {N_("Bank"), v.bank_name},
        {N_("Account name"), v.account_name},
        {N_("IBAN"), v.iban},
        {N_("BIC / SWIFT"), v.bic},
        {N_("Routing number (ABA)"), v.routing},
        {N_("Account number"), v.account},
    };
    char *out = "";
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (*rows[i].value)
            out =
                arena_printf(a, "%s%s%s\t%s", out, *out ? "\n" : "", rows[i].label, rows[i].value);
    return out;
}

store_status_t invoice_load(store_t *s, arena_t *a, const char *number, int64_t id,
                            invoice_doc_t *out)
{
    store_status_t r =
        number ? store_invoice_by_number(s, a, number, out) : store_invoice_by_id(s, a, id, out);
    if (r != STORE_OK) return r;
    out->vendor_name = setting(s, a, "vendor_name", "Vendor, Inc.");
    out->vendor_address = setting(s, a, "vendor_address", "");
    out->vendor_country = setting(s, a, "vendor_country", "");
    out->vendor_email = setting(s, a, "vendor_email", "");
    out->vendor_tax_id = setting(s, a, "vendor_tax_id", "");
    out->remit_to = remit_to(s, a, out->payment_method);
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
