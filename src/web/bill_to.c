/* Bill To → Edit, in both portals: the Billing Address and the phone of the signed-in account,
 * and in the corporate portal its billing contact too (whose name and email hand the role to
 * someone else); the country only shows. The Billing Center's billing administrator is a
 * product login, changed elsewhere, so its form has no contact. */
#include "i18n/format.h"
#include "pages.h"
#include "services/actions.h"
#include "services/billing_views.h"
#include "util/form.h"

#include <string.h>

/* What differs between the two portals' Bill To pages. */
typedef struct {
    section_t section;
    const char *path;    /* the form's own address */
    const char *back;    /* the account page (Cancel) */
    const char *done;    /* where a save leads */
    bool contact;        /* the form holds the billing contact */
    const char *help;    /* msgid: what the form changes */
    const char *who_for; /* msgid: whom to ask to change the country */
} bill_to_portal_t;

static const bill_to_portal_t corporate = {
    .section = SECTION_CORPORATE,
    .path = "/corporate/bill-to",
    .back = "/corporate/account",
    .done = "/corporate/account?saved=1",
    .contact = true,
    .help = N_("Change the billing contact, the Billing Address or the phone number, then select "
               "Save. Every field is saved together, or none is."),
    .who_for = N_("The country cannot be changed here. To change it, contact Corporate Account "
                  "Services."),
};

static const bill_to_portal_t billing = {
    .section = SECTION_BILLING,
    .path = "/billing/bill-to",
    .back = "/billing/account",
    .done = "/billing/account?saved=1",
    .contact = false,
    .help = N_("Change the Billing Address or the phone number, then select Save. Every field is "
               "saved together, or none is."),
    .who_for = N_("The country cannot be changed here. To change it, contact Customer Care."),
};

/* form_input with a hint under the label; the input is described by the hint and the error. */
static void input_with_hint(req_t *r, const char *id, const char *label, const char *type,
                            const char *value, const char *autocomplete, const char *hint,
                            const char *error)
{
    buf_t *b = &r->resp.body;
    html_render(b,
                "<div class=\"field\"><label for=\"%s\">%s</label>"
                "<p class=\"help\" id=\"%s-hint\">%s</p>",
                id, label, id, hint);
    if (error) html_render(b, "<p class=\"field-error\" id=\"%s-error\">%s</p>", id, error);
    html_render(b,
                "<input id=\"%s\" name=\"%s\" type=\"%s\" value=\"%s\" autocomplete=\"%s\" "
                "required aria-describedby=\"%s-hint%R%s%R\"%R></div>",
                id, id, type, controls_visible(r->arena, value, false), autocomplete, id,
                error ? " " : "", error ? id : "", error ? "-error" : "",
                error ? " aria-invalid=\"true\"" : "");
}

/* The state or province as a list where the tax depends on it (values the codes, the names
 * shown); a value that is not in the list (an old address, what was sent) stays as the first
 * option, selected, beside the error that asks to choose. */
static void region_select(req_t *r, const char *label, const char *value, const region_t *choices,
                          size_t n, const char *error)
{
    buf_t *b = &r->resp.body;
    html_render(b, "<div class=\"field\"><label for=\"region\">%s</label>", label);
    if (error) html_render(b, "<p class=\"field-error\" id=\"region-error\">%s</p>", error);
    html_render(b,
                "<select id=\"region\" name=\"region\" autocomplete=\"address-level1\" "
                "required%R%R>",
                error ? " aria-invalid=\"true\"" : "",
                error ? " aria-describedby=\"region-error\"" : "");
    bool known = false;
    for (size_t i = 0; i < n; i++)
        known |= strcmp(choices[i].code, value) == 0;
    if (!*value)
        html_render(b, "<option value=\"\" selected>%s</option>", T("Choose…"));
    else if (!known)
        html_render(b, "<option value=\"%s\" selected>%s</option>", value, value);
    for (size_t i = 0; i < n; i++)
        html_render(b, "<option value=\"%s\"%R>%s</option>", choices[i].code,
                    strcmp(choices[i].code, value) == 0 ? " selected" : "", choices[i].name);
    html_render(b, "</select></div>");
}

/* The edit form: values as given (prefilled or as typed), errors NULL on a first showing. */
static void render_form(req_t *r, const bill_to_portal_t *p, const bill_to_form_t *v,
                        const char *country, const bill_to_errors_t *e)
{
    static const bill_to_errors_t none = {0};
    if (!e) e = &none;
    bool us = strcmp(country, "US") == 0;
    char country_name[96];
    format_country(r->lang, country, country_name, sizeof country_name);

    buf_t *b = &r->resp.body;
    layout_begin(r, p->section, T("Bill To"));
    html_render(b, "<div class=\"panel\"><h1>%s</h1>", T("Bill To"));
    if (e != &none) notice_error(r, T("Please correct the fields marked below."));
    html_render(b, "<p class=\"help\">%s</p>", T(p->help));
    /* novalidate: the server's messages, in the user's language, are the ones that count. */
    form_open(r, p->path, "novalidate");

    if (p->contact) {
        html_render(b, "<fieldset class=\"card field\"><legend>%s</legend>", T("Billing contact"));
        form_input(r, "contact_name", T("Name"), "text", v->contact_name, "name",
                   field_error_text(r, e->contact_name), true);
        input_with_hint(r, "contact_email", T("Email"), "email", v->contact_email, "email",
                        T("Invoices go to this address. To hand the role to someone else, enter "
                          "their name and email: the User ID stays the same, and both addresses "
                          "get a notice."),
                        field_error_text(r, e->contact_email));
        html_render(b, "</fieldset>");
    }

    html_render(b, "<fieldset class=\"card field\"><legend>%s</legend>", T("Billing Address"));
    form_input(r, "bill_to_name", T("Company name"), "text", v->bill_to_name, "organization",
               field_error_text(r, e->bill_to_name), true);
    form_input(r, "address_line1", T("Address line 1"), "text", v->address_line1, "address-line1",
               field_error_text(r, e->address_line1), true);
    form_input(r, "address_line2", T("Address line 2 (optional)"), "text", v->address_line2,
               "address-line2", field_error_text(r, e->address_line2), false);
    form_input(r, "city", T("City"), "text", v->city, "address-level2",
               field_error_text(r, e->city), true);
    region_t *regions = NULL;
    size_t n_regions = 0;
    if (svc_settings_region_choices(r->svc, r->arena, country, &regions, &n_regions) != STATUS_OK)
        n_regions = 0; /* shown as free text; the save checks against the table all the same */
    if (n_regions)
        region_select(r, us ? T("State") : T("Region or province"), v->region ? v->region : "",
                      regions, n_regions, field_error_text(r, e->region));
    else
        form_input(r, "region", T("Region or province (optional)"), "text", v->region,
                   "address-level1", field_error_text(r, e->region), false);
    form_input(r, "postal_code", us ? T("ZIP code") : T("Postal code"), "text", v->postal_code,
               "postal-code", field_error_text(r, e->postal_code), true);
    /* The country is not a field: it cannot change here. */
    html_render(b, "<dl class=\"facts field\"><dt>%s</dt><dd>%s</dd></dl><p class=\"help\">%s</p>",
                T("Country"), country_name, T(p->who_for));
    form_input(r, "phone", T("Phone"), "text", v->phone, "tel", field_error_text(r, e->phone),
               true);
    html_render(b, "</fieldset>");

    html_render(b,
                "<div class=\"actions\"><button type=\"submit\" class=\"primary\">%s</button>"
                "<a href=\"%s\">%s</a></div></form></div>",
                T("Save"), p->back, T("Cancel"));
    layout_end(r);
}

/* The form prefilled with the account's Bill To (and the corporate contact). */
static void show_current(req_t *r, const bill_to_portal_t *p)
{
    credential_t c = {.contact_name = "", .contact_email = ""};
    account_t acc;
    if (p->contact) {
        if (!settings_load_contact(r, &c, &acc)) return;
    } else {
        billing_account_view_t v;
        if (answer_status(r, billing_account_view(r->svc, r->arena, r->principal_id, &v))) return;
        acc = v.account;
    }
    bill_to_form_t v = {.contact_name = c.contact_name,
                        .contact_email = c.contact_email,
                        .bill_to_name = acc.bill_to_name,
                        .address_line1 = acc.address_line1,
                        .address_line2 = acc.address_line2,
                        .city = acc.city,
                        .region = acc.region,
                        .postal_code = acc.postal_code,
                        .phone = acc.phone};
    render_form(r, p, &v, acc.country, NULL);
}

/* GET shows the form, POST saves it (or shows it again, as typed, with each field's error). */
static void bill_to_page(req_t *r, const bill_to_portal_t *p)
{
    if (r->method != METHOD_POST) {
        show_current(r, p);
        return;
    }
    int64_t account_id = 0;
    const char *country = NULL;
    if (!current_account(r, &account_id, &country)) return;
    bill_to_form_t form = {
        .contact_name = p->contact ? req_field(r, "contact_name") : "",
        .contact_email = p->contact ? req_field(r, "contact_email") : "",
        .bill_to_name = req_field(r, "bill_to_name"),
        .address_line1 = req_field(r, "address_line1"),
        .address_line2 = req_field(r, "address_line2"),
        .city = req_field(r, "city"),
        .region = req_field(r, "region"),
        .postal_code = req_field(r, "postal_code"),
        .phone = req_field(r, "phone"),
    };
    settings_ctx_t ctx = settings_ctx_of(r, account_id);
    bill_to_errors_t errors;
    bool mail_queued = false;
    settings_status_t st =
        svc_settings_save_bill_to(r->svc, r->arena, &ctx, &form, &errors, &mail_queued);
    if (mail_queued) req_mail_queued(r);
    if (!settings_answered(r, st, p->done))
        render_form(r, p, &form, country ? country : "", &errors);
}

void page_corporate_bill_to(req_t *r)
{
    bill_to_page(r, &corporate);
}

void page_billing_bill_to(req_t *r)
{
    bill_to_page(r, &billing);
}
