/* The emailed reset link: choose a new portal password (single use, valid 60 minutes). */
#include "pages.h"
#include "services/actions.h"

#include <string.h>

static const char *rule_message(req_t *r, password_rule_t rule)
{
    switch (rule) {
    case PASSWORD_TOO_SHORT:
        return T("Use at least 10 characters.");
    case PASSWORD_TOO_LONG:
        return T("Use at most 1024 characters.");
    case PASSWORD_SAME_AS_LOGIN:
        return T("The password must not be the same as your User ID.");
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
static void render_dead_link(req_t *r, reset_state_t state)
{
    const char *msg = state == RESET_USED      ? T("This link has already been used.")
                      : state == RESET_EXPIRED ? T("This link has expired.")
                                               : T("This link is not valid.");
    r->resp.status = state == RESET_UNKNOWN ? 404 : 410;
    layout_begin(r, SECTION_CORPORATE, T("Set a new password"));
    html_render(&r->resp.body, "<div class=\"panel\"><h1>%s</h1>", T("Set a new password"));
    notice_error(r, msg);
    html_render(&r->resp.body, "<p><a href=\"/corporate/forgot\">%s</a></p></div>",
                T("Ask for a new link"));
    layout_end(r);
}

static void render_form(req_t *r, const char *token, const credential_t *c, const char *error)
{
    buf_t *b = &r->resp.body;
    layout_begin(r, SECTION_CORPORATE, T("Set a new password"));
    html_render(b, "<div class=\"panel\"><h1>%s</h1>", T("Set a new password"));
    html_text(b, T("User ID: %s"), c->user_id);
    html_render(b, "<p class=\"help\">%s</p>",
                T("Choose a password of at least 10 characters that is not your User ID."));
    form_open(r, "/corporate/reset", NULL);
    html_render(b, "<input type=\"hidden\" name=\"token\" value=\"%s\">", token);
    /* A hidden username lets password managers store the new password under the right ID. */
    html_render(b,
                "<input type=\"hidden\" name=\"username\" autocomplete=\"username\" value=\"%s\">",
                c->user_id);
    form_input(r, "password", T("New password"), "password", "", "new-password", error, true);
    form_input(r, "password_confirm", T("Repeat the new password"), "password", "", "new-password",
               NULL, true);
    html_render(b, "<button type=\"submit\" class=\"primary\">%s</button></form></div>", T("Save"));
    layout_end(r);
}

static void render_done(req_t *r)
{
    layout_begin(r, SECTION_CORPORATE, T("Password changed"));
    html_render(&r->resp.body, "<div class=\"panel\"><h1>%s</h1>", T("Password changed"));
    notice_info(r, T("Your password has been changed."));
    html_render(&r->resp.body, "<p><a href=\"/corporate\">%s</a></p></div>", T("Sign in"));
    layout_end(r);
}

void page_corporate_reset(req_t *r)
{
    const char *token = r->method == METHOD_POST ? req_field(r, "token") : req_param(r, "token");
    credential_t c;
    reset_state_t state = svc_auth_reset_state(r->svc, r->arena, token, r->now, &c);
    if (state == RESET_STORE_ERROR) {
        answer_status(r, STATUS_BUSY);
        return;
    }
    if (state != RESET_VALID) {
        render_dead_link(r, state);
        return;
    }
    if (r->method != METHOD_POST) {
        render_form(r, token, &c, rule_message(r, rule_named(req_param(r, "refused"))));
        return;
    }
    auth_ctx_t ctx = {.ip = r->ip, .now = r->now};
    password_rule_t rule;
    state = svc_auth_reset_password(r->svc, r->arena, &ctx, token, req_field(r, "password"),
                                    req_field(r, "password_confirm"), &rule);
    if (state == RESET_STORE_ERROR) {
        answer_status(r, STATUS_BUSY);
    } else if (state != RESET_VALID) {
        render_dead_link(r, state);
    } else if (rule != PASSWORD_OK) {
        r->resp.status = 400;
        const char *name = rule_name(rule);
        if (name) r->back_state = arena_printf(r->arena, "refused=%s", name);
        render_form(r, token, &c, rule_message(r, rule));
    } else {
        render_done(r);
    }
}
