/* "Forgot your password?": asks for the User ID and always answers the same way, so the page
 * tells nobody which User IDs exist; the reset link goes to the billing contact's email. */
#include "pages.h"
#include "services/actions.h"

#include <string.h>

static void render_form(req_t *r, const char *typed)
{
    buf_t *b = &r->resp.body;
    layout_begin(r, SECTION_CORPORATE, T("Forgot your password?"));
    html_render(b, "<div class=\"panel\"><h1>%s</h1><p class=\"help\">%s</p>",
                T("Forgot your password?"),
                T("Enter the User ID of your account's billing contact. We will email a link to "
                  "set a new password to the billing contact's email address."));
    form_open(r, "/corporate/forgot", NULL);
    form_input(r, "user_id", T("User ID"), "text", typed, "username", NULL, true);
    html_render(b,
                "<button type=\"submit\" class=\"primary\">%s</button></form>"
                "<p><a href=\"/corporate\">%s</a></p></div>",
                T("Submit"), T("Back to sign in"));
    layout_end(r);
}

static void render_sent(req_t *r)
{
    buf_t *b = &r->resp.body;
    r->back_state = "sent=1"; /* the language switcher shows this confirmation again */
    layout_begin(r, SECTION_CORPORATE, T("Check your email"));
    html_render(b, "<div class=\"panel\"><h1>%s</h1>", T("Check your email"));
    notice_info(r, T("If this User ID belongs to a billing contact, we have sent a link to set a "
                     "new password to the billing contact's email address. The link is valid for "
                     "60 minutes."));
    html_render(b, "<p>%s</p><p><a href=\"/corporate\">%s</a></p></div>",
                T("No email after a few minutes? Check your spam folder, or contact Corporate "
                  "Account Services."),
                T("Back to sign in"));
    layout_end(r);
}

void page_corporate_forgot(req_t *r)
{
    if (r->method != METHOD_POST) {
        const char *sent = req_param(r, "sent");
        if (sent && strcmp(sent, "1") == 0)
            render_sent(r);
        else
            render_form(r, req_param(r, "user_id"));
        return;
    }
    auth_ctx_t ctx = {.ip = r->ip, .now = r->now};
    bool queued = false;
    auth_status_t st = svc_auth_request_reset(r->svc, r->arena, &ctx, r->app->cfg->base_url,
                                              req_field(r, "user_id"), &queued);
    if (answer_status(r, st)) return;
    if (queued) req_mail_queued(r);
    render_sent(r);
}
