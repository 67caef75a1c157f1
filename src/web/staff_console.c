/* Staff console: creating a corporate account (GET/POST /staff/accounts/new), searching accounts
 * (GET /staff/accounts?q=), adding a subscription (GET/POST /staff/accounts/ID/subscriptions/new)
 * and the account page's actions for the customer (resend an invoice email, send a
 * password-reset link, lift a sign-in lockout). Who may do what: services/staff_console.h. */
#include "http/session.h"
#include "billing/calendar.h"
#include "i18n/format.h"
#include "pages.h"
#include "services/session_views.h"
#include "services/staff_console.h"

#include <stdlib.h>
#include <string.h>

console_ctx_t staff_console_ctx(req_t *r)
{
    const principal_view_t *p = session_principal(r, NULL);
    return (console_ctx_t){.staff_id = r->principal_id,
                           .role = p && p->role ? p->role : "",
                           .ip = r->ip,
                           .now = r->now,
                           .base_url = r->app && r->app->cfg ? r->app->cfg->base_url : ""};
}

const char *console_error_text(req_t *r, int e)
{
    switch (e) {
    case CONSOLE_NAME_TAKEN:
        return T("An account with this name already exists: search for it, or choose another "
                 "name.");
    case CONSOLE_USER_ID_TAKEN:
        return T("This User ID is already taken: choose another one.");
    case CONSOLE_BAD_USER_ID:
        return T("Enter a username of 3 to 64 letters, digits, dots, hyphens or underscores, or "
                 "an email address.");
    case CONSOLE_BAD_COUNTRY:
        return T("Enter the country's two-letter code, such as US, IT or FR.");
    case CONSOLE_NOT_ANNUAL:
        return T("Corporate accounts renew annually: choose an annual plan.");
    case CONSOLE_SEATS_RANGE:
        return T("The price list does not sell this number of seats of this product.");
    case CONSOLE_NO_TAX_RATE:
        return T("No tax rate is known for this account's address, so no invoice can be issued: "
                 "correct the region of its Bill To first.");
    default:
        return field_error_text(r, (field_error_t)e);
    }
}

/* The account id of the path's first segment; 0 when it is not a number. */
static int64_t path_account(const req_t *r)
{
    char *end = NULL;
    long long id = r->n_params ? strtoll(r->params[0], &end, 10) : 0;
    return end && *end == '\0' && id > 0 ? id : 0;
}

typedef struct {
    const char *value, *label;
} option_t;

static void select_field(req_t *r, const char *id, const char *label, const option_t *opts,
                         size_t n, const char *chosen, const char *error, const char *hint)
{
    buf_t *b = &r->resp.body;
    html_render(b, "<div class=\"field\"><label for=\"%s\">%s</label>", id, label);
    if (hint) html_render(b, "<div class=\"help\" id=\"%s-hint\">%s</div>", id, hint);
    if (error) html_render(b, "<p class=\"field-error\" id=\"%s-error\">%s</p>", id, error);
    html_render(b, "<select id=\"%s\" name=\"%s\"", id, id);
    if (error) html_render(b, " aria-invalid=\"true\"");
    if (hint || error)
        html_render(b, " aria-describedby=\"%R%R%R\"",
                    hint ? arena_printf(r->arena, "%s-hint", id) : "", hint && error ? " " : "",
                    error ? arena_printf(r->arena, "%s-error", id) : "");
    html_render(b, ">");
    for (size_t i = 0; i < n; i++)
        html_render(b, "<option value=\"%s\"%R>%s</option>", opts[i].value,
                    chosen && strcmp(chosen, opts[i].value) == 0 ? " selected" : "", opts[i].label);
    html_render(b, "</select></div>");
}

static void input(req_t *r, const char *id, const char *label, const char *value,
                  const char *autocomplete, int e, bool required)
{
    form_input(r, id, label, "text", value, autocomplete, e ? console_error_text(r, e) : NULL,
               required);
}

/* ---- a new corporate account ---------------------------------------------------------------- */

static void render_new(req_t *r, const account_choices_t *ch, const account_form_t *f,
                       const account_errors_t *e, bool refused)
{
    buf_t *b = &r->resp.body;
    const console_ctx_t ctx = staff_console_ctx(r);
    layout_begin(r, SECTION_STAFF, T("New corporate account"));
    html_render(b, "<div class=\"panel\"><h1>%s</h1>", T("New corporate account"));
    if (refused) notice_error(r, T("Nothing was saved. Check the fields marked below."));
    html_render(b, "<p class=\"help\">%s</p>",
                T("The billing contact gets an email with their User ID and a link to choose "
                  "their password."));
    form_open(r, "/staff/accounts/new", "novalidate");
    html_render(b, "<fieldset class=\"card field\"><legend>%s</legend>", T("Account"));
    input(r, "name", T("Name of the account"), f->name, "off", e->name, true);
    form_input(r, "country", T("Country (two-letter code)"), "text", f->country, "country",
               e->country ? console_error_text(r, e->country) : NULL, true);
    option_t *cur = arena_alloc(r->arena, (ch->n_currencies + 1) * sizeof *cur);
    for (size_t i = 0; i < ch->n_currencies; i++)
        cur[i] = (option_t){ch->currencies[i], ch->currencies[i]};
    select_field(r, "currency", T("Currency"), cur, ch->n_currencies, f->currency,
                 e->currency ? console_error_text(r, e->currency) : NULL, NULL);
    const option_t langs[] = {
        {"en", "English"}, {"es", "Español"}, {"fr", "Français"}, {"it", "Italiano"}};
    select_field(r, "lang", T("Language of invoices and emails"), langs, 4, f->lang,
                 e->lang ? console_error_text(r, e->lang) : NULL, NULL);
    if (strcmp(ctx.role, "sales_rep") == 0) {
        html_render(b, "<p>%s <strong>%s</strong></p>", T("Sales rep:"),
                    ch->n_reps ? ch->reps[0].name : "");
    } else {
        option_t *reps = arena_alloc(r->arena, (ch->n_reps + 2) * sizeof *reps);
        reps[0] = (option_t){"", T("No sales rep")};
        for (size_t i = 0; i < ch->n_reps; i++)
            reps[i + 1] = (option_t){arena_printf(r->arena, "%lld", (long long)ch->reps[i].id),
                                     ch->reps[i].name};
        select_field(r, "sales_rep_id", T("Sales rep"), reps, ch->n_reps + 1, f->sales_rep_id,
                     e->sales_rep_id ? console_error_text(r, e->sales_rep_id) : NULL, NULL);
    }
    html_render(b, "</fieldset><fieldset class=\"card field\"><legend>%s</legend>",
                T("Billing contact"));
    input(r, "contact_name", T("Name"), f->contact_name, "off", e->contact_name, true);
    form_input(r, "contact_email", T("Email"), "email", f->contact_email, "off",
               e->contact_email ? console_error_text(r, e->contact_email) : NULL, true);
    input(r, "user_id", T("User ID (a username or an email address)"), f->user_id, "off",
          e->user_id, true);
    html_render(b, "</fieldset><fieldset class=\"card field\"><legend>%s</legend>", T("Bill To"));
    input(r, "bill_to_name", T("Company name"), f->bill_to_name, "off", e->bill_to_name, true);
    input(r, "address_line1", T("Address line 1"), f->address_line1, "off", e->address_line1, true);
    input(r, "address_line2", T("Address line 2"), f->address_line2, "off", e->address_line2,
          false);
    input(r, "city", T("City"), f->city, "off", e->city, true);
    input(r, "region", T("Region or state"), f->region, "off", e->region, false);
    input(r, "postal_code", T("Postal code"), f->postal_code, "off", e->postal_code, false);
    input(r, "phone", T("Phone"), f->phone, "off", e->phone, false);
    html_render(b,
                "</fieldset><div class=\"actions\"><button type=\"submit\" class=\"primary\">%s"
                "</button><a href=\"/staff/accounts\">%s</a></div></form></div>",
                T("Create the account"), T("Cancel"));
    layout_end(r);
}

void page_staff_account_new(req_t *r)
{
    console_ctx_t ctx = staff_console_ctx(r);
    account_choices_t ch;
    if (answer_status(r, console_account_choices(r->svc, r->arena, &ctx, &ch))) return;
    account_errors_t e = {0};
    if (r->method != METHOD_POST) {
        account_form_t blank = {.lang = "en", .currency = "USD"};
        render_new(r, &ch, &blank, &e, false);
        return;
    }
    account_form_t f = {.name = req_field(r, "name"),
                        .country = req_field(r, "country"),
                        .currency = req_field(r, "currency"),
                        .lang = req_field(r, "lang"),
                        .sales_rep_id = req_field(r, "sales_rep_id"),
                        .bill_to_name = req_field(r, "bill_to_name"),
                        .address_line1 = req_field(r, "address_line1"),
                        .address_line2 = req_field(r, "address_line2"),
                        .city = req_field(r, "city"),
                        .region = req_field(r, "region"),
                        .postal_code = req_field(r, "postal_code"),
                        .phone = req_field(r, "phone"),
                        .contact_name = req_field(r, "contact_name"),
                        .contact_email = req_field(r, "contact_email"),
                        .user_id = req_field(r, "user_id")};
    int64_t id = 0;
    status_t st = console_account_create(r->svc, r->arena, &ctx, &f, &e, &id);
    if (st == STATUS_INVALID) {
        r->resp.status = 400;
        render_new(r, &ch, &f, &e, true);
        return;
    }
    if (answer_status(r, st)) return;
    req_mail_queued(r);
    resp_redirect(r, arena_printf(r->arena, "/staff/accounts/%lld?done=created", (long long)id));
}

/* ---- search --------------------------------------------------------------------------------- */

void page_staff_accounts(req_t *r)
{
    console_ctx_t ctx = staff_console_ctx(r);
    const char *q = req_param(r, "q");
    account_hit_t *rows = NULL;
    size_t n = 0;
    if (answer_status(r, console_search(r->svc, r->arena, &ctx, q ? q : "", &rows, &n))) return;
    buf_t *b = &r->resp.body;
    bool searched = q && *q;
    layout_begin(r, SECTION_STAFF, T("Accounts"));
    html_render(b, "<div class=\"card-head\"><h1>%s</h1>", T("Accounts"));
    if (console_may_create(&ctx))
        html_render(b, "<a class=\"button secondary\" href=\"/staff/accounts/new\">%s</a>",
                    T("New corporate account"));
    html_render(b,
                "</div><form method=\"get\" action=\"/staff/accounts\" role=\"search\" "
                "class=\"search\"><div class=\"field\"><label for=\"q\">%s</label>"
                "<div class=\"help\" id=\"q-hint\">%s</div><input id=\"q\" name=\"q\" "
                "type=\"search\" value=\"%s\" aria-describedby=\"q-hint\"></div>"
                "<button type=\"submit\" class=\"secondary\">%s</button></form>",
                T("Find an account"),
                T("Part of its name, or the billing contact's email, the User ID or an invoice "
                  "number."),
                q ? q : "", T("Search"));
    if (n == 0) {
        html_render(b, "<p data-results=\"0\">%s</p>",
                    searched ? T("No account matches this search.") : T("No accounts yet."));
        layout_end(r);
        return;
    }
    if (searched) {
        html_render(b, "<p role=\"status\">");
        html_text(b, TN("%d account found.", "%d accounts found.", n), (int)n);
        html_render(b, "</p>");
    }
    html_render(b,
                "<div class=\"table-wrap\"><table class=\"accounts stack\"><thead><tr><th "
                "scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th><th "
                "scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                "<th scope=\"col\" class=\"num\">%s</th></tr></thead><tbody>",
                T("Account"), T("Kind"), T("Billing contact"), T("User ID"), T("Country"),
                T("Currency"), T("Invoices"));
    for (size_t i = 0; i < n; i++)
        html_render(b,
                    "<tr><th scope=\"row\" data-label=\"%s\"><a href=\"/staff/accounts/%L\">%s"
                    "</a></th><td data-label=\"%s\">%s</td><td data-label=\"%s\">%s</td>"
                    "<td data-label=\"%s\">%s</td><td data-label=\"%s\">%s</td>"
                    "<td data-label=\"%s\">%s</td><td class=\"num\" data-label=\"%s\">%L</td></tr>",
                    T("Account"), rows[i].id, rows[i].name, T("Kind"),
                    rows[i].kind[0] == 'c' ? T("Corporate") : T("Online"), T("Billing contact"),
                    *rows[i].contact_email ? rows[i].contact_email : "—", T("User ID"),
                    *rows[i].user_id ? rows[i].user_id : "—", T("Country"), rows[i].country,
                    T("Currency"), rows[i].currency, T("Invoices"), rows[i].invoices);
    html_render(b, "</tbody></table></div>");
    layout_end(r);
}

/* ---- a new subscription --------------------------------------------------------------------- */

static void render_subscription(req_t *r, int64_t account_id, const account_t *acc,
                                const plan_price_t *plans, size_t n, const subscription_form_t *f,
                                const subscription_errors_t *e, bool refused)
{
    buf_t *b = &r->resp.body;
    const char *title = T("Add a subscription");
    layout_begin(r, SECTION_STAFF, title);
    html_render(b,
                "<div class=\"panel\"><h1>%s</h1><p>%s <a href=\"/staff/accounts/%L\">%s</a></p>",
                title, T("Account:"), account_id, acc->name);
    if (refused) notice_error(r, T("Nothing was saved. Check the fields marked below."));
    if (strcmp(acc->kind, "corporate") == 0)
        html_render(b, "<p class=\"help\">%s</p>",
                    T("Corporate accounts renew annually: only annual plans are offered."));
    html_render(
        b, "<p class=\"help\">%s</p>",
        T("Its first period is invoiced at once at the list price and emailed to the billing "
          "contact; the bill run invoices each renewal. For another price, send a quote."));
    form_open(
        r, arena_printf(r->arena, "/staff/accounts/%lld/subscriptions/new", (long long)account_id),
        "novalidate");
    option_t *opts = arena_alloc(r->arena, (n + 2) * sizeof *opts);
    opts[0] = (option_t){"", T("Choose a plan")};
    for (size_t i = 0; i < n; i++) {
        char price[64];
        format_money(r->lang, acc->country, acc->currency, plans[i].unit_amount, price,
                     sizeof price);
        opts[i + 1] =
            (option_t){arena_printf(r->arena, "%lld", (long long)plans[i].plan_id),
                       arena_printf(r->arena, "%s — %s, %s", plans[i].product_name,
                                    strcmp(plans[i].billing_period, "annual") == 0 ? T("annual")
                                                                                   : T("monthly"),
                                    arena_printf(r->arena, T("%s per seat"), price))};
    }
    select_field(r, "plan_id", T("Plan"), opts, n + 1, f->plan_id,
                 e->plan_id ? console_error_text(r, e->plan_id) : NULL, NULL);
    form_input(r, "seats", T("Seats"), "number", f->seats, "off",
               e->seats ? console_error_text(r, e->seats) : NULL, true);
    form_input(r, "start_date", T("Start date (YYYY-MM-DD)"), "date", f->start_date, "off",
               e->start_date ? console_error_text(r, e->start_date) : NULL, true);
    html_render(b,
                "<div class=\"actions\"><button type=\"submit\" class=\"primary\">%s</button>"
                "<a href=\"/staff/accounts/%L\">%s</a></div></form></div>",
                T("Add the subscription"), account_id, T("Cancel"));
    layout_end(r);
}

void page_staff_account_subscription_new(req_t *r)
{
    console_ctx_t ctx = staff_console_ctx(r);
    int64_t id = path_account(r);
    account_t acc;
    plan_price_t *plans = NULL;
    size_t n = 0;
    if (answer_status(r, console_plan_choices(r->svc, r->arena, &ctx, id, &acc, &plans, &n)))
        return;
    subscription_errors_t e = {0};
    if (r->method != METHOD_POST) {
        char today[11];
        date_format(date_from_unix(r->now), today);
        subscription_form_t blank = {.seats = "1", .start_date = arena_strdup(r->arena, today)};
        render_subscription(r, id, &acc, plans, n, &blank, &e, false);
        return;
    }
    subscription_form_t f = {.plan_id = req_field(r, "plan_id"),
                             .seats = req_field(r, "seats"),
                             .start_date = req_field(r, "start_date")};
    status_t st = console_subscription_add(r->svc, r->arena, &ctx, id, &f, &e);
    if (st == STATUS_INVALID) {
        r->resp.status = 400;
        render_subscription(r, id, &acc, plans, n, &f, &e, true);
        return;
    }
    if (answer_status(r, st)) return;
    resp_redirect(r, arena_printf(r->arena, "/staff/accounts/%lld?done=subscription#subscriptions",
                                  (long long)id));
}

/* ---- actions for the customer --------------------------------------------------------------- */

/* Back to the account page with what happened (done) or why not (refused). */
static void back(req_t *r, int64_t id, const char *query, const char *anchor)
{
    resp_redirect(
        r, arena_printf(r->arena, "/staff/accounts/%lld?%s#%s", (long long)id, query, anchor));
}

void page_staff_account_resend(req_t *r)
{
    console_ctx_t ctx = staff_console_ctx(r);
    int64_t id = path_account(r);
    const char *to = NULL;
    status_t st = console_resend_invoice(r->svc, r->arena, &ctx, id, req_field(r, "number"), &to);
    if (st == STATUS_CONFLICT) {
        back(r, id, "refused=no_contact", "actions");
        return;
    }
    if (answer_status(r, st)) return;
    req_mail_queued(r);
    back(r, id, "done=resent", "emails");
}

void page_staff_account_reset_link(req_t *r)
{
    console_ctx_t ctx = staff_console_ctx(r);
    int64_t id = path_account(r);
    const char *to = NULL;
    status_t st = console_send_reset_link(r->svc, r->arena, &ctx, id, &to);
    if (st == STATUS_LIMITED) {
        back(r, id, "refused=limited", "actions");
        return;
    }
    if (st == STATUS_CONFLICT) {
        back(r, id, "refused=no_user_id", "actions");
        return;
    }
    if (answer_status(r, st)) return;
    req_mail_queued(r);
    back(r, id, "done=reset_link", "actions");
}

void page_staff_account_lift(req_t *r)
{
    console_ctx_t ctx = staff_console_ctx(r);
    int64_t id = path_account(r);
    status_t st = console_lift_lockout(r->svc, r->arena, &ctx, id, req_field(r, "login"));
    if (st == STATUS_CONFLICT) {
        back(r, id, "refused=not_locked", "sign-ins");
        return;
    }
    if (answer_status(r, st)) return;
    back(r, id, "done=lifted", "sign-ins");
}
