/* Corporate Billing Portal sign-in: portal User ID (username or email format) and password; and
 * its "Forgot your password?", whose link goes to the billing contact. */
#include "sign_in.h"

static const reset_kind_t corporate_reset = {
    .forgot_path = "/corporate/forgot",
    .reset_path = "/corporate/reset",
    .forgot_help = N_("Enter the User ID of your account's billing contact. We will email a link "
                      "to set a new password to the billing contact's email address."),
    .sent = N_("If this User ID belongs to a billing contact, we have sent a link to set a new "
               "password to the billing contact's email address. The link is valid for 60 "
               "minutes."),
    .no_email = N_("No email after a few minutes? Check your spam folder, or contact Corporate "
                   "Account Services."),
    .login_shown = N_("User ID: %s"),
    .password_help = N_("Choose a password of at least 10 characters that is not your User ID."),
    .same_as_login = N_("The password must not be the same as your User ID."),
};

static const sign_in_kind_t corporate = {
    .audience = AUDIENCE_CORPORATE,
    .section = SECTION_CORPORATE,
    .heading = N_("Sign in to the Corporate Billing Portal"),
    .intro = N_("Use the User ID and password of your account's billing contact. The User ID is "
                "a username or an email address; you will find it on every invoice we email "
                "you."),
    .login_field = "user_id",
    .login_label = N_("User ID"),
    .login_type = "text",
    .autocomplete = "username",
    .invalid = N_("Invalid User ID/password"),
    .page_path = "/corporate",
    .post_path = "/corporate/sign-in",
    .home_path = "/corporate/account",
    .help_path = "/help/sign-in-corporate",
    .reset = &corporate_reset,
};

void page_corporate_sign_in(req_t *r)
{
    sign_in_get(r, &corporate);
}

void page_corporate_sign_in_post(req_t *r)
{
    sign_in_post(r, &corporate);
}

void page_corporate_forgot(req_t *r)
{
    forgot_page(r, &corporate);
}

void page_corporate_reset(req_t *r)
{
    reset_page(r, &corporate);
}
