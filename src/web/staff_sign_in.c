/* Staff console sign-in: the vendor's people (sales reps, account services, care, admins). */
#include "sign_in.h"

static const sign_in_kind_t staff = {
    .audience = AUDIENCE_STAFF,
    .section = SECTION_STAFF,
    .heading = N_("Sign in to the staff console"),
    .intro = N_("For the vendor's sales representatives, Corporate Account Services, Customer "
                "Care and administrators."),
    .login_field = "email",
    .login_label = N_("Email"),
    .login_type = "email",
    .autocomplete = "email",
    .invalid = N_("Invalid email/password"),
    .page_path = "/staff",
    .post_path = "/staff/sign-in",
    .home_path = "/staff/home",
};

void page_staff_sign_in(req_t *r)
{
    sign_in_get(r, &staff);
}

void page_staff_sign_in_post(req_t *r)
{
    sign_in_post(r, &staff);
}
