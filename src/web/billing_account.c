/* Billing Center account page: the billing administrator's account view, or, for every other
 * user, who the billing administrator is and a way to email them. */
#include "pages.h"
#include "util/form.h"
#include "services/actions.h"
#include "services/billing_views.h"
#include "util/log.h"

static void render_admin_view(req_t *r, const account_user_t *me, const account_t *acc,
                              size_t n_recipients)
{
    buf_t *b = &r->resp.body;
    layout_begin(r, SECTION_BILLING, acc->name);
    html_render(b, "<h1>%s</h1>", acc->name);
    if (req_param(r, "saved")) notice_info(r, T("Your changes have been saved."));
    html_render(b,
                "<div class=\"columns\"><section class=\"card\" "
                "aria-labelledby=\"admin\"><h2 id=\"admin\">%s</h2><dl class=\"facts\">",
                T("Billing administrator"));
    html_render(b, "<dt>%s</dt><dd>%s</dd>", T("Name"), me->name);
    html_render(b, "<dt>%s</dt><dd>%s</dd>", T("Email"), me->email);
    html_render(b, "<dt>%s</dt><dd>%s</dd></dl></section>", T("Currency"), acc->currency);
    bill_to_block(r, acc, "/billing/bill-to");
    balances_card(r, acc);
    recipients_card(r, n_recipients, "/billing/recipients");
    html_render(b, "</div>");
    layout_end(r);
}

/* What every user but the billing administrator sees. */
static void render_member_view(req_t *r, const account_t *acc, const account_user_t *admin,
                               const char *typed, const char *error, const char *info)
{
    buf_t *b = &r->resp.body;
    layout_begin(r, SECTION_BILLING, acc->name);
    html_render(b, "<h1>%s</h1><div class=\"panel\"><h2>%s</h2>", acc->name,
                T("Your billing administrator"));
    if (error) notice_error(r, error);
    if (info) notice_info(r, info);
    html_render(b, "<p>");
    html_text(b,
              T("Contact your billing administrator (%s, %s) to make changes to products or "
                "licenses on this account."),
              admin->name, admin->email);
    html_render(b, "</p>");
    form_open(r, "/billing/contact-admin", NULL);
    html_render(b,
                "<div class=\"field\"><label for=\"message\">%s</label>"
                "<textarea id=\"message\" name=\"message\" rows=\"4\" maxlength=\"%d\">%s"
                "</textarea></div><button type=\"submit\" class=\"primary\">%s</button></form>"
                "</div>",
                T("Message (optional)"), ADMIN_MESSAGE_MAX,
                typed ? controls_visible(r->arena, typed, true) : "",
                T("Email billing administrator"));
    layout_end(r);
}

/* Loads the signed-in user, the account and its administrator; false after answering. */
static bool load(req_t *r, account_user_t *me, account_t *acc, account_user_t *admin,
                 size_t *n_recipients)
{
    billing_account_view_t v;
    if (answer_status(r, billing_account_view(r->svc, r->arena, r->principal_id, &v))) return false;
    *me = v.me, *acc = v.account, *admin = v.admin;
    if (n_recipients) *n_recipients = v.n_recipients;
    return true;
}

void page_billing_account(req_t *r)
{
    account_user_t me, admin;
    account_t acc;
    size_t n_recipients = 0;
    if (!load(r, &me, &acc, &admin, &n_recipients)) return;
    if (me.id == admin.id) {
        render_admin_view(r, &me, &acc, n_recipients);
        return;
    }
    const char *sent = req_param(r, "sent");
    render_member_view(r, &acc, &admin, "", NULL,
                       sent ? arena_printf(r->arena, T("Your email was sent to %s."), admin.name)
                            : NULL);
}

void page_billing_contact_admin(req_t *r)
{
    account_user_t me, admin;
    account_t acc;
    if (!load(r, &me, &acc, &admin, NULL)) return;
    char *message = str_trim(arena_strdup(r->arena, req_field(r, "message")));
    if (check_lines(message, false, ADMIN_MESSAGE_MAX) == FIELD_BAD_CHARS) {
        r->resp.status = 400;
        render_member_view(r, &acc, &admin, message,
                           T("Only line breaks are allowed here: remove the tabs and other "
                             "control characters (shown as symbols such as \xE2\x90\x89)."),
                           NULL);
        return;
    }
    if (utf8_length(message) > ADMIN_MESSAGE_MAX) {
        r->resp.status = 400;
        render_member_view(r, &acc, &admin, message, T("The message is too long."), NULL);
        return;
    }
    auth_ctx_t ctx = {.ip = r->ip, .now = r->now};
    switch (svc_auth_email_billing_admin(r->svc, r->arena, &ctx, me.id, message, &admin)) {
    case AUTH_OK:
        req_mail_queued(r);
        /* Post/Redirect/Get: reloading the confirmation must not send the email again. */
        resp_redirect(r, "/billing/account?sent=1");
        return;
    case AUTH_LIMITED:
        r->resp.status = 429;
        render_member_view(r, &acc, &admin, message,
                           T("You have already sent 3 emails to your billing administrator "
                             "today. Please try again tomorrow."),
                           NULL);
        return;
    case AUTH_REFUSED:
        answer_status(r, STATUS_REFUSED);
        return;
    default:
        log_error("billing admin email failed for lack of the database");
        answer_status(r, STATUS_BUSY);
        return;
    }
}
