/* What the settings pages share (the corporate portal's, and the Billing Center's Bill To and
 * recipients): the signed-in contact, the id in the path, the answer
 * to a save, and the sentence for each reason a form field was refused. */
#include "pages.h"
#include "services/actions.h"
#include "services/corporate_views.h"
#include "util/form.h"

#include <stdlib.h>
#include <string.h>

bool settings_load_contact(req_t *r, credential_t *c, account_t *acc)
{
    return !answer_status(r, corporate_contact_view(r->svc, r->arena, r->principal_id, c, acc));
}

settings_ctx_t settings_ctx_of(const req_t *r, int64_t account_id)
{
    return (settings_ctx_t){.credential_id = r->principal_id,
                            .account_id = account_id,
                            .billing_center = r->audience == AUDIENCE_BILLING,
                            .ip = r->ip,
                            .now = r->now,
                            .data_key = r->app ? r->app->data_key : NULL,
                            .decimal_mark = r->lang == LANG_EN ? '.' : ','};
}

int64_t settings_path_id(const req_t *r)
{
    if (r->n_params < 1) return 0;
    const char *s = r->params[0];
    if (*s < '1' || *s > '9') return 0;
    for (const char *p = s; *p; p++)
        if (*p < '0' || *p > '9' || p - s >= 18) return 0;
    return strtoll(s, NULL, 10);
}

bool settings_answered(req_t *r, settings_status_t status, const char *done_url)
{
    switch (status) {
    case SETTINGS_OK:
        /* Post/Redirect/Get: reloading the next page must not post the form again. */
        resp_redirect(r, done_url);
        return true;
    case SETTINGS_INVALID:
        r->resp.status = 400;
        return false;
    default:
        return answer_status(r, status);
    }
}

void settings_input(req_t *r, const char *id, const char *label, const char *type,
                    const char *value, const char *hint, field_error_t e, bool required,
                    const char *extra_attrs)
{
    buf_t *b = &r->resp.body;
    const char *error = field_error_text(r, e);
    html_render(b, "<div class=\"field\"><label for=\"%s\">%s</label>", id, label);
    if (hint) html_render(b, "<div class=\"help\" id=\"%s-hint\">%s</div>", id, hint);
    if (error) html_render(b, "<p class=\"field-error\" id=\"%s-error\">%s</p>", id, error);
    html_render(b, "<input id=\"%s\" name=\"%s\" type=\"%s\" value=\"%s\"%R%R", id, id, type,
                value ? controls_visible(r->arena, value, false) : "", extra_attrs ? " " : "",
                extra_attrs ? extra_attrs : "");
    if (required) html_render(b, " required");
    if (error) html_render(b, " aria-invalid=\"true\"");
    if (hint && error)
        html_render(b, " aria-describedby=\"%s-hint %s-error\"", id, id);
    else if (hint || error)
        html_render(b, " aria-describedby=\"%s-%R\"", id, hint ? "hint" : "error");
    html_render(b, "></div>");
}

void settings_field(req_t *r, const char *id, const char *label, const char *value,
                    const char *hint, field_error_t e, const char *extra_attrs)
{
    settings_input(r, id, label, "text", value, hint, e, false, extra_attrs);
}

const char *payment_method_label(req_t *r, const char *method)
{
    if (strcmp(method, "wire") == 0) return T("Electronic payment / wire transfer");
    if (strcmp(method, "check") == 0) return T("Check by mail");
    if (strcmp(method, "direct_debit") == 0) return T("Direct debit / ACH / recurring bank debit");
    if (strcmp(method, "card") == 0) return T("Credit or debit card");
    return T("Not chosen yet");
}

const char *field_error_text(req_t *r, field_error_t e)
{
    switch (e) {
    case FIELD_OK:
        return NULL;
    case FIELD_REQUIRED:
        return T("This field is required.");
    case FIELD_TOO_LONG:
        return T("This is too long.");
    case FIELD_BAD_EMAIL:
        return T("Enter an email address such as name@example.com.");
    case FIELD_BAD_PHONE:
        return T("Enter a phone number of 7 to 20 digits; spaces, +, - and parentheses are "
                 "allowed.");
    case FIELD_BAD_POSTAL:
        return T("Enter a postal code in this country's format.");
    case FIELD_BAD_ROUTING:
        return T("This is not a valid routing number (ABA): check its nine digits with your "
                 "bank.");
    case FIELD_BAD_ACCOUNT:
        return T("Enter an account number of 4 to 17 digits.");
    case FIELD_BAD_IBAN:
        return T("Enter a valid IBAN, such as DE89 3704 0044 0532 0130 00.");
    case FIELD_BAD_DATE:
        return T("Enter a date as YYYY-MM-DD.");
    case FIELD_DATES_ORDER:
        return T("The expiration date cannot be before the start date.");
    case FIELD_BAD_AMOUNT:
        return T("Enter an amount such as 1250.00, or leave it empty.");
    case FIELD_OVERLAP:
        return T("These dates overlap another purchase order: only one can be in force on any "
                 "day.");
    case FIELD_DUPLICATE:
        return T("This address already receives the invoices.");
    case FIELD_LIMIT:
        return T("An account can have at most 20 invoice recipients.");
    case FIELD_MANDATE:
        return T("Accept the direct debit mandate to use this payment method.");
    case FIELD_BAD_BIC:
        return T("Enter a BIC of 8 or 11 letters and digits, such as COBADEFFXXX.");
    case FIELD_TOO_OFTEN:
        return T("The billing contact's email has changed too many times today. Try again "
                 "tomorrow, or ask Corporate Account Services.");
    case FIELD_BAD_CHOICE:
        return T("Choose one of the options.");
    case FIELD_BAD_REGION:
        return T("Choose the state or province from the list: the tax on your invoices depends "
                 "on it.");
    case FIELD_NOT_ONE_LINE:
        return T("Type this on one line: line breaks, tabs and other control characters are not "
                 "allowed (shown here as symbols such as \xE2\x90\x8A).");
    case FIELD_BAD_CHARS:
        return T("Only line breaks are allowed here: remove the tabs and other control "
                 "characters (shown as symbols such as \xE2\x90\x89).");
    case FIELD_BAD_NUMBER:
        return T("Enter a whole number, such as 15.");
    case FIELD_SEATS_RANGE: /* the page words it with the product's limits */
        return T("This product is sold with a number of seats outside that range.");
    case FIELD_UNCHANGED:
        return T("That is what you already have: nothing would change.");
    case FIELD_BAD_PERCENT:
        return T("Enter a percentage from 0 to 100, such as 10 or 12.5.");
    case FIELD_DISCOUNT_TOO_BIG:
        return T("The discount cannot be more than the line's amount, and an amount off only "
                 "applies to seats added now.");
    case FIELD_PAST_DATE:
        return T("Choose today or a later date.");
    case FIELD_OUTSIDE_TERM:
        return T("Choose a date before the account's next renewal.");
    case FIELD_TOO_MANY_SEATS:
        return T("At least one seat must stay: to cancel a product, send a request to Corporate "
                 "Account Services.");
    case FIELD_NOT_ACCEPTED:
        return T("Tick the box to accept the terms of the quote.");
    }
    return T("This field is required.");
}
