/* Loading an issued invoice for display: the stored snapshot plus the vendor's own details. */
#include "invoices.h"
#include "store/store.h"
#include "render/invoice_pdf.h"
#include "services/vendor_settings.h"
#include "util/form.h"

#include <stdio.h>
#include <string.h>

static char *setting(store_t *s, arena_t *a, const char *key, const char *fallback)
{
    char *v = NULL;
    return store_setting(s, a, key, &v) == STORE_OK ? v : arena_strdup(a, fallback);
}

size_t vendor_bank_details(arena_t *a, const vendor_payment_t *v,
                           bank_detail_t out[BANK_DETAILS_MAX])
{
    const bank_detail_t rows[BANK_DETAILS_MAX] = {
        {N_("Bank"), v->bank_name},
        {N_("Account name"), v->account_name},
        {N_("IBAN"), v->iban},
        {N_("BIC / SWIFT"), v->bic},
        {N_("Routing number (ABA)"), v->routing},
        {N_("Account number"), v->account},
    };
    size_t n = 0;
    for (size_t i = 0; i < BANK_DETAILS_MAX; i++) {
        /* A setting written by hand may carry blanks: a blank one is not set. */
        char *value = str_trim(arena_strdup(a, rows[i].value ? rows[i].value : ""));
        if (*value) out[n++] = (bank_detail_t){rows[i].label, value};
    }
    return n;
}

/* The bank lines of a wire transfer, "Label\tvalue" each (invoice_doc.h); "" with none set. */
static const char *bank_lines(arena_t *a, const vendor_payment_t *v)
{
    bank_detail_t rows[BANK_DETAILS_MAX];
    size_t n = vendor_bank_details(a, v, rows);
    char *out = "";
    for (size_t i = 0; i < n; i++)
        out = arena_printf(a, "%s%s%s\t%s", out, *out ? "\n" : "", rows[i].label, rows[i].value);
    return out;
}

size_t invoice_payment_instructions(arena_t *a, const char *method, const char *account_kind,
                                    const vendor_payment_t *v, invoice_payment_t **out)
{
    invoice_payment_t *list = arena_alloc(a, 4 * sizeof *list);
    size_t n = 0;
    const char *bank = bank_lines(a, v);
    if (method && *method) {
        /* The account's choice when the invoice was issued: that one only. */
        list[n++] = (invoice_payment_t){
            .method = method,
            .remit_to = strcmp(method, "wire") == 0    ? bank
                        : strcmp(method, "check") == 0 ? v->check_address
                                                       : "",
        };
    } else {
        /* No choice yet: every way the vendor takes payments, so the invoice can be paid. A
         * wire or a check needs somewhere to send it; a card is taken by Customer Care; a direct
         * debit needs a mandate, which only the corporate portal's Payment Method tab takes. */
        if (*bank) list[n++] = (invoice_payment_t){.method = "wire", .remit_to = bank};
        if (*v->check_address)
            list[n++] = (invoice_payment_t){.method = "check", .remit_to = v->check_address};
        list[n++] = (invoice_payment_t){.method = "card", .remit_to = ""};
        if (account_kind && strcmp(account_kind, "corporate") == 0)
            list[n++] = (invoice_payment_t){.method = "direct_debit_offer", .remit_to = ""};
    }
    *out = list;
    return n;
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
    vendor_payment_t v;
    r = vendor_payment_load(s, a, &v);
    if (r != STORE_OK) return r;
    invoice_payment_t *pay = NULL;
    out->n_payments =
        invoice_payment_instructions(a, out->payment_method, out->account_kind, &v, &pay);
    out->payments = pay;
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
