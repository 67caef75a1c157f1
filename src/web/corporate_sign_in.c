/* Corporate Billing Portal sign-in: portal User ID (username or email format) and password. */
#include "sign_in.h"

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
    .post_path = "/corporate/sign-in",
    .home_path = "/corporate/account",
    .help_path = "/help/sign-in-corporate",
    .forgot_link = true,
};

void page_corporate_sign_in(req_t *r)
{
    sign_in_get(r, &corporate);
}

void page_corporate_sign_in_post(req_t *r)
{
    sign_in_post(r, &corporate);
}
