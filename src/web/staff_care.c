/* Staff console: Customer Care changes an online account's billing administrator.
 * GET /staff/accounts/ID/billing-admin: the caller's verification form (or why it is locked);
 * POST .../billing-admin/verify: "verified" or "not verified" for each condition, and when both
 * hold the choice of the new administrator; POST .../billing-admin/change: the change.
 * POST /staff/flags/ID/clear: an admin clears an account's flag. Care and admins only: other roles
 * and corporate accounts get 404. The card and the cardholder's name on file are never shown. */
#include "http/session.h"
#include "pages.h"
#include "services/care.h"
#include "services/session_views.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static bool role_is(req_t *r, const char *role)
{
    const principal_view_t *p = session_principal(r, NULL);
    return p && p->role && strcmp(p->role, role) == 0;
}

static bool is_care(req_t *r)
{
    return role_is(r, "customer_care") || role_is(r, "admin");
}

static const char *base_of(req_t *r, int64_t account_id)
{
    return arena_printf(r->arena, "/staff/accounts/%lld/billing-admin", (long long)account_id);
}

static const char *utc_text(req_t *r, int64_t at)
{
    char out[32] = "";
    time_t t = (time_t)at;
    struct tm tm;
    if (gmtime_r(&t, &tm)) strftime(out, sizeof out, "%Y-%m-%d %H:%M", &tm);
    return arena_strdup(r->arena, out);
}

/* The open flags of one account (or every account's when acc is NULL), with Clear for admins. */
static void flags_list(req_t *r, const account_flag_row_t *flags, size_t n, bool with_account)
{
    buf_t *b = &r->resp.body;
    bool admin = role_is(r, "admin");
    html_render(b, "<ul class=\"flags\">");
    for (size_t i = 0; i < n; i++) {
        const account_flag_row_t *f = &flags[i];
        html_render(b, "<li>");
        if (with_account)
            html_render(b, "<a href=\"/staff/accounts/%L\">%s</a>: ", f->account_id,
                        f->account_name);
        html_text(b,
                  T("Three failed verifications of callers asking to change the billing "
                    "administrator (since %s UTC). The change is locked until an "
                    "administrator clears this flag."),
                  utc_text(r, f->created_at));
        if (admin) {
            form_open(r, arena_printf(r->arena, "/staff/flags/%lld/clear", (long long)f->id),
                      "class=\"inline\"");
            html_render(b, "<button type=\"submit\">%s</button></form>", T("Clear the flag"));
        }
        html_render(b, "</li>");
    }
    html_render(b, "</ul>");
}

void staff_account_care_section(req_t *r, const account_t *acc)
{
    if (!is_care(r)) return;
    buf_t *b = &r->resp.body;
    account_flag_row_t *flags = NULL;
    size_t n = 0;
    if (care_flags_open(r->svc, r->arena, acc->id, &flags, &n) != STATUS_OK) n = 0;
    if (strcmp(acc->kind, "online") != 0 && n == 0) return;
    html_render(b,
                "<section class=\"card\" aria-labelledby=\"billing-admin\"><h2 "
                "id=\"billing-admin\">%s</h2>",
                T("Billing administrator"));
    if (req_param(r, "admin_changed"))
        notice_info(r, T("The billing administrator has been changed. Both the former and the "
                         "new administrator have been emailed."));
    if (req_param(r, "flag_cleared")) notice_info(r, T("The flag has been cleared."));
    if (n) flags_list(r, flags, n, false);
    if (strcmp(acc->kind, "online") == 0)
        html_render(b, "<p>%s</p><p><a class=\"button\" href=\"%s\">%s</a></p>",
                    T("When a caller asks to change who the billing administrator is, verify "
                      "them first."),
                    base_of(r, acc->id), T("Change billing administrator"));
    html_render(b, "</section>");
}

void staff_home_flags_section(req_t *r)
{
    if (!role_is(r, "admin")) return;
    account_flag_row_t *flags = NULL;
    size_t n = 0;
    if (care_flags_open(r->svc, r->arena, 0, &flags, &n) != STATUS_OK) return;
    buf_t *b = &r->resp.body;
    html_render(b, "<section class=\"card\" aria-labelledby=\"flags\"><h2 id=\"flags\">%s</h2>",
                T("Accounts to look at"));
    if (n == 0)
        html_render(b, "<p>%s</p>", T("No account is flagged."));
    else
        flags_list(r, flags, n, true);
    html_render(b, "</section>");
}

/* ---- the pages ------------------------------------------------------------------------- */

typedef struct {
    care_caller_t caller;
    care_caller_errors_t caller_errors;
    const care_result_t *result; /* after a verification */
    care_change_t change;
    care_change_errors_t change_errors;
    const char *alert; /* a refusal shown on top */
} care_page_form_t;

static const char *caller_error(req_t *r, const char *field, field_error_t e)
{
    if (e == FIELD_OK) return NULL;
    if (strcmp(field, "last4") == 0) return T("Type the last four digits of the card.");
    if (strcmp(field, "exp_month") == 0) return T("Type the month as a number from 1 to 12.");
    if (strcmp(field, "exp_year") == 0) return T("Type the year with four digits, such as 2030.");
    if (strcmp(field, "basis") == 0) return T("Choose who the caller is.");
    if (strcmp(field, "admin_user") == 0) return T("Choose the registered administrator.");
    if (strcmp(field, "new_user") == 0)
        return e == FIELD_UNCHANGED ? T("This user is already the billing administrator.")
                                    : T("Choose the new billing administrator.");
    if (strcmp(field, "invite_email") == 0 && e == FIELD_DUPLICATE)
        return T("This email address already signs in to the Billing Center. Type another one, "
                 "or choose the user in the list if they belong to this account.");
    return field_error_text(r, e);
}

static void input(req_t *r, const char *id, const char *label, const char *value, const char *extra,
                  const char *error)
{
    buf_t *b = &r->resp.body;
    html_render(b, "<div class=\"field\"><label for=\"%s\">%s</label>", id, label);
    if (error) html_render(b, "<p class=\"field-error\" id=\"%s-error\">%s</p>", id, error);
    html_render(b, "<input id=\"%s\" name=\"%s\" type=\"text\" value=\"%s\" autocomplete=\"off\"%R",
                id, id, value ? value : "", extra ? extra : "");
    if (error) html_render(b, " aria-invalid=\"true\" aria-describedby=\"%s-error\"", id);
    html_render(b, "></div>");
}

static void verify_form(req_t *r, const care_view_t *v, const care_page_form_t *f)
{
    buf_t *b = &r->resp.body;
    const care_caller_t *c = &f->caller;
    const care_caller_errors_t *e = &f->caller_errors;
    html_render(b, "<section class=\"card\" aria-labelledby=\"verify\"><h2 id=\"verify\">%s</h2>",
                T("Verify the caller"));
    html_render(b, "<p>%s</p>",
                T("Both must hold: the caller gives the card on file's last four digits and "
                  "expiry date, and is its cardholder or a registered administrator of the "
                  "account. You are told only whether each one is verified."));
    if (!v->has_card)
        notice_warning(r, T("The account has no card on file: the caller cannot be verified."));
    form_open(r, arena_printf(r->arena, "%s/verify", base_of(r, v->account.id)), NULL);
    html_render(b, "<fieldset class=\"field\"><legend>%s</legend>", T("The card on file"));
    input(r, "last4", T("Last four digits"), c->last4,
          " inputmode=\"numeric\" maxlength=\"4\" required", caller_error(r, "last4", e->last4));
    input(r, "exp_month", T("Expiry month"), c->exp_month,
          " inputmode=\"numeric\" maxlength=\"2\" required",
          caller_error(r, "exp_month", e->exp_month));
    input(r, "exp_year", T("Expiry year"), c->exp_year,
          " inputmode=\"numeric\" maxlength=\"4\" required",
          caller_error(r, "exp_year", e->exp_year));
    html_render(b, "</fieldset>");
    const char *basis = c->basis ? c->basis : "";
    const char *basis_error = caller_error(r, "basis", e->basis);
    html_render(b, "<fieldset class=\"field\"><legend>%s</legend>", T("The caller is"));
    if (basis_error)
        html_render(b, "<p class=\"field-error\" id=\"basis-error\">%s</p>", basis_error);
    html_render(b,
                "<div class=\"field check\"><label for=\"basis-cardholder\"><input type=\"radio\" "
                "id=\"basis-cardholder\" name=\"basis\" value=\"cardholder\"%R> %s</label></div>",
                strcmp(basis, "cardholder") == 0 ? " checked" : "", T("The cardholder"));
    input(r, "holder_name", T("Cardholder's name, as the caller gives it"), c->holder_name,
          " maxlength=\"200\"", caller_error(r, "holder_name", e->holder_name));
    html_render(b,
                "<div class=\"field check\"><label for=\"basis-admin\"><input type=\"radio\" "
                "id=\"basis-admin\" name=\"basis\" value=\"registered_admin\"%R> %s</label></div>",
                strcmp(basis, "registered_admin") == 0 ? " checked" : "",
                T("A registered administrator of the account"));
    const char *admin_error = caller_error(r, "admin_user", e->admin_user);
    html_render(b, "<div class=\"field\"><label for=\"admin_user\">%s</label>",
                T("Registered administrator"));
    if (admin_error)
        html_render(b, "<p class=\"field-error\" id=\"admin_user-error\">%s</p>", admin_error);
    html_render(b, "<select id=\"admin_user\" name=\"admin_user\"%R><option value=\"\">%s</option>",
                admin_error ? " aria-invalid=\"true\" aria-describedby=\"admin_user-error\"" : "",
                T("Choose…"));
    for (size_t i = 0; i < v->n_users; i++) {
        const care_user_row_t *u = &v->users[i];
        if (!u->registered_admin) continue;
        const char *id = arena_printf(r->arena, "%lld", (long long)u->id);
        html_render(b, "<option value=\"%s\"%R>%s (%s)</option>", id,
                    c->admin_user && strcmp(c->admin_user, id) == 0 ? " selected" : "", u->name,
                    u->email);
    }
    html_render(b, "</select></div></fieldset>");
    html_render(b, "<p><button type=\"submit\">%s</button></p></form></section>", T("Verify"));
}

static void result_list(req_t *r, const care_result_t *res)
{
    buf_t *b = &r->resp.body;
    const char *yes = T("verified"), *no = T("not verified");
    html_render(b,
                "<dl class=\"facts\" id=\"verification\"><dt>%s</dt><dd data-ok=\"%d\">%s</dd>"
                "<dt>%s</dt><dd data-ok=\"%d\">%s</dd></dl>",
                T("The card on file"), res->card_ok ? 1 : 0, res->card_ok ? yes : no,
                T("Cardholder or registered administrator"), res->person_ok ? 1 : 0,
                res->person_ok ? yes : no);
}

static void change_form(req_t *r, const care_view_t *v, const care_page_form_t *f)
{
    buf_t *b = &r->resp.body;
    const care_change_t *c = &f->change;
    const care_change_errors_t *e = &f->change_errors;
    html_render(b, "<section class=\"card\" aria-labelledby=\"choose\"><h2 id=\"choose\">%s</h2>",
                T("Choose the new billing administrator"));
    form_open(r, arena_printf(r->arena, "%s/change", base_of(r, v->account.id)), NULL);
    html_render(b, "<input type=\"hidden\" name=\"verification\" value=\"%L\">",
                c->verification_id);
    const char *chosen = c->new_user ? c->new_user : "";
    const char *user_error = caller_error(r, "new_user", e->new_user);
    html_render(b, "<fieldset class=\"field\"><legend>%s</legend>", T("New billing administrator"));
    if (user_error)
        html_render(b, "<p class=\"field-error\" id=\"new_user-error\">%s</p>", user_error);
    for (size_t i = 0; i < v->n_users; i++) {
        const care_user_row_t *u = &v->users[i];
        bool admin = strcmp(u->role, "billing_admin") == 0;
        const char *id = arena_printf(r->arena, "%lld", (long long)u->id);
        html_render(b,
                    "<div class=\"field check\"><label for=\"user-%s\"><input type=\"radio\" "
                    "id=\"user-%s\" name=\"new_user\" value=\"%s\"%R%R> %s (%s)%s</label></div>",
                    id, id, id, strcmp(chosen, id) == 0 ? " checked" : "", admin ? " disabled" : "",
                    u->name, u->email,
                    admin ? arena_printf(r->arena, " — %s", T("the billing administrator now"))
                          : "");
    }
    html_render(b,
                "<div class=\"field check\"><label for=\"user-invite\"><input type=\"radio\" "
                "id=\"user-invite\" name=\"new_user\" value=\"invite\"%R> %s</label></div>",
                strcmp(chosen, "invite") == 0 ? " checked" : "", T("Invite a new user by email"));
    input(r, "invite_name", T("New user's name"), c->invite_name, " maxlength=\"200\"",
          caller_error(r, "invite_name", e->invite_name));
    input(r, "invite_email", T("New user's email"), c->invite_email,
          " maxlength=\"254\" inputmode=\"email\"",
          caller_error(r, "invite_email", e->invite_email));
    html_render(b, "</fieldset><p><button type=\"submit\">%s</button></p></form></section>",
                T("Change billing administrator"));
}

static void render(req_t *r, int64_t account_id, const care_page_form_t *f)
{
    care_view_t v;
    if (answer_status(r, care_view(r->svc, r->arena, account_id, r->now, &v))) return;
    buf_t *b = &r->resp.body;
    layout_begin(r, SECTION_STAFF, T("Change billing administrator"));
    html_render(b, "<h1>%s</h1><p><a href=\"/staff/accounts/%L\">%s</a></p>",
                T("Change billing administrator"), v.account.id, v.account.name);
    if (f->alert) notice_error(r, f->alert);
    for (size_t i = 0; i < v.n_users; i++)
        if (strcmp(v.users[i].role, "billing_admin") == 0) {
            html_render(b, "<p>");
            html_text(b, T("Billing administrator now: %s (%s)"), v.users[i].name,
                      v.users[i].email);
            html_render(b, "</p>");
        }
    if (f->result) {
        html_render(b,
                    "<section class=\"card\" aria-labelledby=\"outcome\"><h2 id=\"outcome\">%s"
                    "</h2>",
                    T("Verification"));
        result_list(r, f->result);
        if (f->result->card_ok && f->result->person_ok)
            notice_info(r, T("The caller is verified. Choose the new billing administrator."));
        else
            notice_warning(r, T("The caller is not verified: the billing administrator cannot "
                                "be changed. Do not tell the caller which detail did not "
                                "match."));
        html_render(b, "</section>");
    }
    /* After the failure that locked it too: its outcome above, then why nothing more is asked. */
    if (v.locked) {
        notice_warning(r, T("The change is locked for this account after three failed "
                            "verifications. An administrator must look at the account and clear "
                            "its flag first."));
        if (v.n_flags) flags_list(r, v.flags, v.n_flags, false);
        layout_end(r);
        return;
    }
    if (f->result && f->result->card_ok && f->result->person_ok)
        change_form(r, &v, f);
    else
        verify_form(r, &v, f);
    layout_end(r);
}

void page_staff_care(req_t *r)
{
    int64_t account_id = settings_path_id(r);
    if (!is_care(r)) {
        page_error(r, 404);
        return;
    }
    care_page_form_t f = {0};
    render(r, account_id, &f);
}

static care_ctx_t ctx_of(req_t *r, int64_t account_id)
{
    return (care_ctx_t){.staff_id = r->principal_id,
                        .account_id = account_id,
                        .now = r->now,
                        .ip = r->ip,
                        .base_url = r->app->cfg->base_url};
}

void page_staff_care_verify(req_t *r)
{
    int64_t account_id = settings_path_id(r);
    if (!is_care(r)) {
        page_error(r, 404);
        return;
    }
    care_page_form_t f = {.caller = {.last4 = req_field(r, "last4"),
                                     .exp_month = req_field(r, "exp_month"),
                                     .exp_year = req_field(r, "exp_year"),
                                     .basis = req_field(r, "basis"),
                                     .holder_name = req_field(r, "holder_name"),
                                     .admin_user = req_field(r, "admin_user")}};
    care_result_t res;
    care_ctx_t ctx = ctx_of(r, account_id);
    status_t st = care_verify(r->svc, r->arena, &ctx, &f.caller, &f.caller_errors, &res);
    if (st == STATUS_INVALID) {
        r->resp.status = 400;
        render(r, account_id, &f);
        return;
    }
    if (st == STATUS_LOCKED) {
        r->resp.status = 429;
        render(r, account_id, &f);
        return;
    }
    if (answer_status(r, st)) return;
    f.result = &res;
    /* Nothing typed is shown again: a second try starts from empty fields. */
    f.caller = (care_caller_t){0};
    f.change.verification_id = res.verification_id;
    if (!(res.card_ok && res.person_ok)) r->resp.status = 200;
    render(r, account_id, &f);
}

void page_staff_care_change(req_t *r)
{
    int64_t account_id = settings_path_id(r);
    if (!is_care(r)) {
        page_error(r, 404);
        return;
    }
    care_page_form_t f = {
        .change = {.verification_id = strtoll(req_field(r, "verification"), NULL, 10),
                   .new_user = req_field(r, "new_user"),
                   .invite_name = req_field(r, "invite_name"),
                   .invite_email = req_field(r, "invite_email")}};
    care_change_result_t out;
    care_ctx_t ctx = ctx_of(r, account_id);
    status_t st = care_change_admin(r->svc, r->arena, &ctx, &f.change, &f.change_errors, &out);
    if (st == STATUS_INVALID) {
        /* The verification still holds: the choice is shown again with its error. */
        static const care_result_t verified = {.card_ok = true, .person_ok = true};
        f.result = &verified;
        r->resp.status = 400;
        render(r, account_id, &f);
        return;
    }
    if (st == STATUS_CONFLICT || st == STATUS_LOCKED) {
        f.alert = st == STATUS_LOCKED
                      ? T("The change is locked for this account.")
                      : T("This verification can no longer be used (it was used already, or "
                          "is more than 30 minutes old). Verify the caller again.");
        r->resp.status = 409;
        render(r, account_id, &f);
        return;
    }
    if (answer_status(r, st)) return;
    req_mail_queued(r);
    resp_redirect(
        r, arena_printf(r->arena, "/staff/accounts/%lld?admin_changed=1", (long long)account_id));
}

void page_staff_flag_clear(req_t *r)
{
    int64_t flag_id = settings_path_id(r), account_id = 0;
    if (answer_status(
            r, care_flag_clear(r->svc, flag_id, r->principal_id, r->ip, r->now, &account_id)))
        return;
    resp_redirect(
        r, arena_printf(r->arena, "/staff/accounts/%lld?flag_cleared=1", (long long)account_id));
}
