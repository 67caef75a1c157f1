/* The seller on a quote's document, and a quote's PDF for the mailer. */
#include "services/quote_docs.h"
#include "services/services_internal.h"
#include "store/store.h"

#include <stdio.h>

static const char *setting(store_t *s, arena_t *a, const char *key, const char *fallback)
{
    char *v = NULL;
    return store_setting(s, a, key, &v) == STORE_OK ? v : arena_strdup(a, fallback);
}

static void vendor_load(store_t *s, arena_t *a, quote_vendor_t *out)
{
    /* The same settings and defaults as an invoice's seller (invoices.c, invoice_load). */
    out->name = setting(s, a, "vendor_name", "Vendor, Inc.");
    out->address = setting(s, a, "vendor_address", "");
    out->country = setting(s, a, "vendor_country", "");
    out->email = setting(s, a, "vendor_email", "");
    out->tax_id = setting(s, a, "vendor_tax_id", "");
}

status_t quote_vendor_view(services_t *svc, arena_t *a, quote_vendor_t *out)
{
    vendor_load(services_store(svc), a, out);
    return STATUS_OK;
}

bool quote_pdf_for(store_t *s, arena_t *a, int64_t quote_id, buf_t *pdf, const char **filename,
                   char *err, size_t err_size)
{
    quote_t *q = arena_alloc(a, sizeof *q);
    account_t *acc = arena_alloc(a, sizeof *acc);
    store_status_t r = store_quote_by_id(s, a, quote_id, q);
    if (r == STORE_OK) r = store_account_by_id(s, a, q->account_id, acc);
    if (r != STORE_OK) {
        snprintf(err, err_size, "quote %lld cannot be read (store status %d)", (long long)quote_id,
                 (int)r);
        return false;
    }
    quote_doc_t d = {.quote = q, .account = acc};
    vendor_load(s, a, &d.vendor);
    *filename = quote_pdf_filename(q, a);
    return quote_pdf_render(&d, pdf, err, err_size);
}
