/* Billing Center sign-in: the account user's product login (email and password); and its
 * "Forgot your password?", open to members and billing administrators alike (it is their
 * product login), whose link goes to the user's own email. */
#include "sign_in.h"

static const reset_kind_t billing_reset = {
    .forgot_path = "/billing/forgot",
    .reset_path = "/billing/reset",
    .forgot_help = N_("Enter the email address you sign in with. We will email a link to set a "
                      "new password to that address."),
    .sent = N_("If this email address belongs to a Billing Center user, we have sent a link to "
               "set a new password to it. The link is valid for 60 minutes."),
    .no_email = N_("No email after a few minutes? Check your spam folder, or contact Customer "
                   "Care."),
    .login_shown = N_("Email: %s"),
    .password_help = N_("Choose a password of at least 10 characters that is not your email "
                        "address. It is also the password of your product login."),
    .same_as_login = N_("The password must not be the same as your email address."),
};

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
    .page_path = "/billing",
    .post_path = "/billing/sign-in",
    .home_path = "/billing/account",
    .help_path = "/help/sign-in-billing-center",
    .reset = &billing_reset,
};

void page_billing_sign_in(req_t *r)
{
    sign_in_get(r, &billing);
}

void page_billing_sign_in_post(req_t *r)
{
    sign_in_post(r, &billing);
}

void page_billing_forgot(req_t *r)
{
    forgot_page(r, &billing);
}

void page_billing_reset(req_t *r)
{
    reset_page(r, &billing);
}
