/* "Forgot your password?" and the emailed reset link, for every portal whose users may reset
 * their own password (the corporate portal and the Billing Center): the forgot page always
 * answers the same way, so it tells nobody which logins exist; the link (single use, valid 60
 * minutes) sets a new password. What differs between portals is in sign_in_kind_t. */
#include "sign_in.h"
#include "services/actions.h"

#include <string.h>

static void render_forgot_form(req_t *r, const sign_in_kind_t *k, const char *typed)
{
    buf_t *b = &r->resp.body;
    layout_begin(r, k->section, T("Forgot your password?"));
    html_render(b, "<div class=\"panel\"><h1>%s</h1><p class=\"help\">%s</p>",
                T("Forgot your password?"), T(k->reset->forgot_help));
    form_open(r, k->reset->forgot_path, NULL);
    form_input(r, k->login_field, T(k->login_label), k->login_type, typed, k->autocomplete, NULL,
               true);
    html_render(b,
                "<button type=\"submit\" class=\"primary\">%s</button></form>"
                "<p><a href=\"%s\">%s</a></p></div>",
                T("Submit"), k->page_path, T("Back to sign in"));
    layout_end(r);
}

static void render_sent(req_t *r, const sign_in_kind_t *k)
{
    buf_t *b = &r->resp.body;
    r->back_state = "sent=1"; /* the language switcher shows this confirmation again */
    layout_begin(r, k->section, T("Check your email"));
    html_render(b, "<div class=\"panel\"><h1>%s</h1>", T("Check your email"));
    notice_info(r, T(k->reset->sent));
    html_render(b, "<p>%s</p><p><a href=\"%s\">%s</a></p></div>", T(k->reset->no_email),
                k->page_path, T("Back to sign in"));
    layout_end(r);
}

void forgot_page(req_t *r, const sign_in_kind_t *k)
{
    if (r->method != METHOD_POST) {
        const char *sent = req_param(r, "sent");
        if (sent && strcmp(sent, "1") == 0)
            render_sent(r, k);
        else
            render_forgot_form(r, k, req_param(r, k->login_field));
        return;
    }
    auth_ctx_t ctx = {.ip = r->ip, .now = r->now};
    bool queued = false;
    auth_status_t st =
        svc_auth_request_reset(r->svc, r->arena, &ctx, k->audience, r->app->cfg->base_url,
                               req_field(r, k->login_field), &queued);
    if (answer_status(r, st)) return;
    if (queued) req_mail_queued(r);
    render_sent(r, k);
}

static const char *rule_message(req_t *r, const sign_in_kind_t *k, password_rule_t rule)
{
    switch (rule) {
    case PASSWORD_TOO_SHORT:
        return T("Use at least 10 characters.");
    case PASSWORD_TOO_LONG:
        return T("Use at most 1024 characters.");
    case PASSWORD_SAME_AS_LOGIN:
        return T(k->reset->same_as_login);
    case PASSWORD_MISMATCH:
        return T("The two passwords are not the same.");
    case PASSWORD_CONTROL_CHARS:
        return T("A password cannot hold line breaks, tabs or other control characters.");
    default:
        return NULL;
    }
}

/* The names under which a refused password comes back through the address (?refused=...), so
 * that the language switcher shows the same refusal again in another language. */
static const struct {
    password_rule_t rule;
    const char *name;
} rule_names[] = {{PASSWORD_TOO_SHORT, "too_short"},
                  {PASSWORD_TOO_LONG, "too_long"},
                  {PASSWORD_SAME_AS_LOGIN, "same_as_login"},
                  {PASSWORD_MISMATCH, "mismatch"}};

static const char *rule_name(password_rule_t rule)
{
    for (size_t i = 0; i < sizeof rule_names / sizeof rule_names[0]; i++)
        if (rule_names[i].rule == rule) return rule_names[i].name;
    return NULL;
}

static password_rule_t rule_named(const char *name)
{
    for (size_t i = 0; name && i < sizeof rule_names / sizeof rule_names[0]; i++)
        if (strcmp(rule_names[i].name, name) == 0) return rule_names[i].rule;
    return PASSWORD_OK;
}

/* The page for a link that cannot be used (unknown, used or expired). */
static void render_dead_link(req_t *r, const sign_in_kind_t *k, reset_state_t state)
{
    const char *msg = state == RESET_USED      ? T("This link has already been used.")
                      : state == RESET_EXPIRED ? T("This link has expired.")
                                               : T("This link is not valid.");
    r->resp.status = state == RESET_UNKNOWN ? 404 : 410;
    layout_begin(r, k->section, T("Set a new password"));
    html_render(&r->resp.body, "<div class=\"panel\"><h1>%s</h1>", T("Set a new password"));
    notice_error(r, msg);
    html_render(&r->resp.body, "<p><a href=\"%s\">%s</a></p></div>", k->reset->forgot_path,
                T("Ask for a new link"));
    layout_end(r);
}

static void render_reset_form(req_t *r, const sign_in_kind_t *k, const char *token,
                              const reset_user_t *u, const char *error)
{
    buf_t *b = &r->resp.body;
    layout_begin(r, k->section, T("Set a new password"));
    html_render(b, "<div class=\"panel\"><h1>%s</h1>", T("Set a new password"));
    html_text(b, T(k->reset->login_shown), u->login);
    html_render(b, "<p class=\"help\">%s</p>", T(k->reset->password_help));
    form_open(r, k->reset->reset_path, NULL);
    html_render(b, "<input type=\"hidden\" name=\"token\" value=\"%s\">", token);
    /* A hidden username lets password managers store the new password under the right login. */
    html_render(b,
                "<input type=\"hidden\" name=\"username\" autocomplete=\"username\" value=\"%s\">",
                u->login);
    form_input(r, "password", T("New password"), "password", "", "new-password", error, true);
    form_input(r, "password_confirm", T("Repeat the new password"), "password", "", "new-password",
               NULL, true);
    html_render(b, "<button type=\"submit\" class=\"primary\">%s</button></form></div>", T("Save"));
    layout_end(r);
}

static void render_done(req_t *r, const sign_in_kind_t *k)
{
    layout_begin(r, k->section, T("Password changed"));
    html_render(&r->resp.body, "<div class=\"panel\"><h1>%s</h1>", T("Password changed"));
    notice_info(r, T("Your password has been changed."));
    html_render(&r->resp.body, "<p><a href=\"%s\">%s</a></p></div>", k->page_path, T("Sign in"));
    layout_end(r);
}

void reset_page(req_t *r, const sign_in_kind_t *k)
{
    const char *token = r->method == METHOD_POST ? req_field(r, "token") : req_param(r, "token");
    reset_user_t u;
    reset_state_t state = svc_auth_reset_state(r->svc, r->arena, k->audience, token, r->now, &u);
    if (state == RESET_STORE_ERROR) {
        answer_status(r, STATUS_BUSY);
        return;
    }
    if (state != RESET_VALID) {
        render_dead_link(r, k, state);
        return;
    }
    if (r->method != METHOD_POST) {
        render_reset_form(r, k, token, &u, rule_message(r, k, rule_named(req_param(r, "refused"))));
        return;
    }
    auth_ctx_t ctx = {.ip = r->ip, .now = r->now};
    password_rule_t rule;
    state =
        svc_auth_reset_password(r->svc, r->arena, &ctx, k->audience, token,
                                req_field(r, "password"), req_field(r, "password_confirm"), &rule);
    if (state == RESET_STORE_ERROR) {
        answer_status(r, STATUS_BUSY);
    } else if (state != RESET_VALID) {
        render_dead_link(r, k, state);
    } else if (rule != PASSWORD_OK) {
        r->resp.status = 400;
        const char *name = rule_name(rule);
        if (name) r->back_state = arena_printf(r->arena, "refused=%s", name);
        render_reset_form(r, k, token, &u, rule_message(r, k, rule));
    } else {
        render_done(r, k);
    }
}
