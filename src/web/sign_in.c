/* The sign-in page shared by the three audiences. */
#include "sign_in.h"
#include "http/session.h"
#include "services/actions.h"
#include "util/log.h"

#include <string.h>

/* What the page says above the form, and in which box. */
typedef enum { NOTE_NONE, NOTE_ERROR, NOTE_WARNING, NOTE_INFO } note_kind_t;

static void render(req_t *r, const sign_in_kind_t *k, const char *typed, note_kind_t kind,
                   const char *note)
{
    buf_t *b = &r->resp.body;
    layout_begin(r, k->section, T("Sign in"));
    html_render(b, "<div class=\"panel\"><h1>%s</h1>", T(k->heading));
    if (kind == NOTE_ERROR) notice_error(r, note);
    if (kind == NOTE_WARNING) notice_warning(r, note);
    if (kind == NOTE_INFO) notice_info(r, note);
    html_render(b, "<p class=\"help\">%s</p>", T(k->intro));
    form_open(r, k->post_path, NULL);
    form_input(r, k->login_field, T(k->login_label), k->login_type, typed, k->autocomplete, NULL,
               true);
    form_input(r, "password", T("Password"), "password", "", "current-password", NULL, true);
    html_render(b, "<button type=\"submit\" class=\"primary\">%s</button></form>", T("Sign in"));
    if (k->reset)
        html_render(b, "<p><a href=\"%s\">%s</a></p>", k->reset->forgot_path,
                    T("Forgot your password?"));
    if (k->help_path)
        html_render(b, "<p><a href=\"%s\">%s</a></p>", k->help_path, T("Help with signing in"));
    /* The customers' portals lead to the Care Billing Form; the staff console does not. */
    if (k->section != SECTION_STAFF)
        html_render(b, "<p><a href=\"/care\">%s</a></p>", T("Contact Customer Care"));
    html_render(b, "</div>");
    layout_end(r);
}

static const char locked_message[] = N_("Too many failed sign-in attempts. For your security, "
                                        "sign-in for this account is paused for 15 minutes.");

enum { TYPED_LOGIN_MAX = 254 }; /* the longest email address */

static bool flag(const req_t *r, const char *name)
{
    const char *v = req_param(r, name);
    return v && strcmp(v, "1") == 0;
}

/* The login the address carries (what was typed before a refused sign-in), when it is one
 * line of reasonable length; else nothing. */
static const char *typed_login(const req_t *r, const sign_in_kind_t *k)
{
    const char *v = req_param(r, k->login_field);
    if (!v || strlen(v) > TYPED_LOGIN_MAX || strpbrk(v, "\t\r\n")) return "";
    return v;
}

void sign_in_get(req_t *r, const sign_in_kind_t *k)
{
    if (r->signed_in && r->audience == k->audience) {
        resp_redirect(r, k->home_path);
        return;
    }
    /* The states below come back through the address, so that the language switcher shows
     * the same page again in another language (see sign_in_post). */
    note_kind_t kind = NOTE_NONE;
    const char *note = NULL;
    if (flag(r, "locked"))
        kind = NOTE_ERROR, note = T(locked_message);
    else if (flag(r, "failed"))
        kind = NOTE_ERROR, note = T(k->invalid);
    else if (flag(r, "expired"))
        kind = NOTE_WARNING, note = T("Your session has expired. Please sign in again.");
    else if (req_param(r, "signed_out"))
        kind = NOTE_INFO, note = T("You have signed out.");
    render(r, k, typed_login(r, k), kind, note);
}

void sign_in_post(req_t *r, const sign_in_kind_t *k)
{
    const char *typed = req_field(r, k->login_field);
    const char *password = req_field(r, "password");
    auth_ctx_t ctx = {.ip = r->ip, .now = r->now};
    sign_in_result_t res;
    auth_status_t st = svc_auth_sign_in(r->svc, r->arena, &ctx, k->audience, typed, password,
                                        r->signed_in ? r->session_digest : NULL, &res);
    switch (st) {
    case AUTH_OK:
        req_adopt_session(r, res.token, k->audience, res.principal_id);
        resp_redirect(r, k->home_path);
        return;
    case AUTH_LOCKED:
        r->resp.status = 429;
        r->back_state = "locked=1";
        render(r, k, typed, NOTE_ERROR, T(locked_message));
        return;
    case AUTH_INVALID:
        r->resp.status = 401;
        r->back_state = "failed=1";
        render(r, k, typed, NOTE_ERROR, T(k->invalid));
        return;
    default:
        log_error("sign-in failed for lack of the database");
        answer_status(r, st);
        return;
    }
}
