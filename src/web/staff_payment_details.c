/* Staff console, administrators only: the vendor's payment details that customers see under
 * "How to pay" (remit-to bank account for wire transfers, mailing address for checks). */
#include "pages.h"
#include "util/form.h"
#include "services/actions.h"
#include "services/staff_views.h"

static void address_field(req_t *r, const char *value, field_error_t e)
{
    buf_t *b = &r->resp.body;
    const char *error = field_error_text(r, e);
    html_render(b,
                "<div class=\"field\"><label for=\"check_address\">%s</label>"
                "<div class=\"help\" id=\"check_address-hint\">%s</div>",
                T("Mailing address for checks"),
                T("One line per line of the envelope. Leave it empty to have customers ask "
                  "Customer Care."));
    if (error) html_render(b, "<p class=\"field-error\" id=\"check_address-error\">%s</p>", error);
    html_render(b,
                "<textarea id=\"check_address\" name=\"check_address\" rows=\"5\" "
                "maxlength=\"400\" aria-describedby=\"check_address-hint%R\"%R>%s</textarea></div>",
                error ? " check_address-error" : "", error ? " aria-invalid=\"true\"" : "",
                controls_visible(r->arena, value, true));
}

enum { AUDIT_ROWS = 50 };

/* Who changed the payment details, when, and from what to what. */
static status_t changes_section(req_t *r)
{
    int64_t before = audit_before_param(r);
    if (before < 0) return STATUS_INVALID;
    audit_row_t *rows = NULL;
    size_t n = 0;
    status_t st = staff_settings_audit_view(r->svc, r->arena, "vendor_setting_changed", before,
                                            AUDIT_ROWS + 1, &rows, &n);
    if (st == STATUS_OK) audit_table(r, rows, n, AUDIT_ROWS, "/staff/payment-details", before > 0);
    return st;
}

static void render(req_t *r, const vendor_payment_t *v, const vendor_payment_errors_t *e,
                   bool refused)
{
    buf_t *b = &r->resp.body;
    layout_begin(r, SECTION_STAFF, T("Payment details"));
    html_render(b, "<div class=\"panel\"><h1>%s</h1>", T("Payment details"));
    if (refused) notice_error(r, T("Nothing was saved. Check the fields marked below."));
    if (req_param(r, "saved")) notice_info(r, T("The payment details have been saved."));
    html_render(b, "<p class=\"help\">%s</p>",
                T("Customers see these details on the Payment Method tab and under \"How to pay\" "
                  "on their invoices. Empty fields are left out."));
    form_open(r, "/staff/payment-details", "novalidate");
    html_render(b, "<fieldset class=\"card field\"><legend>%s</legend>",
                T("Bank account for wire transfers"));
    settings_field(r, "bank_name", T("Bank"), v->bank_name, NULL, e->bank_name,
                   "maxlength=\"100\"");
    settings_field(r, "account_name", T("Account name"), v->account_name, NULL, e->account_name,
                   "maxlength=\"100\"");
    settings_field(r, "iban", T("IBAN"), v->iban, NULL, e->iban,
                   "maxlength=\"42\" spellcheck=\"false\"");
    settings_field(r, "bic", T("BIC / SWIFT"), v->bic, NULL, e->bic,
                   "maxlength=\"11\" spellcheck=\"false\"");
    settings_field(r, "routing", T("Routing number (ABA)"), v->routing,
                   T("For payments in US dollars: nine digits, with the account number."),
                   e->routing, "maxlength=\"9\" inputmode=\"numeric\"");
    settings_field(r, "account", T("Account number"), v->account, T("4 to 17 digits."), e->account,
                   "maxlength=\"17\" inputmode=\"numeric\"");
    html_render(b, "</fieldset><fieldset class=\"card field\"><legend>%s</legend>", T("Checks"));
    address_field(r, v->check_address, e->check_address);
    html_render(b, "</fieldset><button type=\"submit\" class=\"primary\">%s</button></form></div>",
                T("Save"));
    /* The changes below the form, at full width: the table has six columns. */
    if (answer_status(r, changes_section(r))) return;
    layout_end(r);
}

void page_staff_payment_details(req_t *r)
{
    vendor_payment_errors_t e = {0};
    if (r->method != METHOD_POST) {
        vendor_payment_t v;
        if (answer_status(r, svc_vendor_payment_load(r->svc, r->arena, &v))) return;
        render(r, &v, &e, false);
        return;
    }
    vendor_payment_t typed = {.bank_name = req_field(r, "bank_name"),
                              .account_name = req_field(r, "account_name"),
                              .routing = req_field(r, "routing"),
                              .account = req_field(r, "account"),
                              .iban = req_field(r, "iban"),
                              .bic = req_field(r, "bic"),
                              .check_address = req_field(r, "check_address")};
    settings_status_t st =
        svc_vendor_payment_save(r->svc, r->arena, r->principal_id, r->ip, r->now, &typed, &e);
    if (!settings_answered(r, st, "/staff/payment-details?saved=1")) render(r, &typed, &e, true);
}
