/* The sign-in page shared by the three audiences. */
#include "sign_in.h"
#include "http/session.h"
#include "services/auth.h"
#include "util/log.h"

#include <string.h>

static void render(req_t *r, const sign_in_kind_t *k, const char *typed, const char *error,
                   const char *info)
{
    buf_t *b = &r->resp.body;
    layout_begin(r, k->section, T("Sign in"));
    html_render(b, "<div class=\"panel\"><h1>%s</h1>", T(k->heading));
    if (error) notice_error(r, error);
    if (info) notice_info(r, info);
    html_render(b, "<p class=\"help\">%s</p>", T(k->intro));
    form_open(r, k->post_path, NULL);
    form_input(r, k->login_field, T(k->login_label), k->login_type, typed, k->autocomplete, NULL,
               true);
    form_input(r, "password", T("Password"), "password", "", "current-password", NULL, true);
    html_render(b, "<button type=\"submit\" class=\"primary\">%s</button></form>", T("Sign in"));
    if (k->forgot_link)
        html_render(b, "<p><a href=\"/corporate/forgot\">%s</a></p>", T("Forgot your password?"));
    html_render(b, "</div>");
    layout_end(r);
}

void sign_in_get(req_t *r, const sign_in_kind_t *k)
{
    if (r->signed_in && r->audience == k->audience) {
        resp_redirect(r, k->home_path);
        return;
    }
    const char *expired = req_param(r, "expired");
    const char *info = NULL;
    if (expired && strcmp(expired, "1") == 0)
        info = T("Your session has expired. Please sign in again.");
    else if (req_param(r, "signed_out"))
        info = T("You have signed out.");
    render(r, k, "", NULL, info);
}

void sign_in_post(req_t *r, const sign_in_kind_t *k)
{
    const char *typed = req_field(r, k->login_field);
    const char *password = req_field(r, "password");
    auth_ctx_t ctx = {.ip = r->ip, .now = r->now};
    sign_in_result_t res;
    auth_status_t st = auth_sign_in(r->store, r->arena, &ctx, k->audience, typed, password,
                                    r->signed_in ? r->session_digest : NULL, &res);
    switch (st) {
    case AUTH_OK:
        req_adopt_session(r, res.token, k->audience, res.principal_id);
        resp_redirect(r, k->home_path);
        return;
    case AUTH_LOCKED:
        r->resp.status = 429;
        render(r, k, typed,
               T("Too many failed sign-in attempts. For your security, sign-in for this account "
                 "is paused for 15 minutes."),
               NULL);
        return;
    case AUTH_INVALID:
        r->resp.status = 401;
        render(r, k, typed, T(k->invalid), NULL);
        return;
    default:
        log_error("sign-in failed for lack of the database");
        page_error(r, 503);
        return;
    }
}
