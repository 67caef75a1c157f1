/* Billing Center sign-in: the account user's product login (email and password). */
#include "sign_in.h"

static const sign_in_kind_t billing = {
    .audience = AUDIENCE_BILLING,
    .section = SECTION_BILLING,
    .heading = N_("Sign in to the Billing Center"),
    .intro = N_("Use the email address and password you sign in to your product with."),
    .login_field = "email",
    .login_label = N_("Email"),
    .login_type = "email",
    .autocomplete = "email",
    .invalid = N_("Invalid email/password"),
    .post_path = "/billing/sign-in",
    .home_path = "/billing/account",
    .help_path = "/help/sign-in-billing-center",
    .forgot_link = false,
};

void page_billing_sign_in(req_t *r)
{
    sign_in_get(r, &billing);
}

void page_billing_sign_in_post(req_t *r)
{
    sign_in_post(r, &billing);
}
