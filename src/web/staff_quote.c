/* Staff console: one quote at /staff/quotes/NUMBER. A draft is the builder (header, lines, and
 * "Save and preview" showing what sending would store); any other state reads only, with its
 * totals, its decision, its revisions and the actions that state allows (send, withdraw,
 * revise, record an acceptance on the customer's behalf), each a POST to NUMBER/ACTION. */
#include "billing/money.h"
#include "http/session.h"
#include "i18n/format.h"
#include "pages.h"
#include "billing/tax.h"
#include "render/invoice_pdf.h"
#include "services/quotes.h"
#include "services/session_views.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { EMPTY_ROWS = 3 }; /* rows for new lines below a draft's lines */

quote_staff_ctx_t staff_quote_ctx(req_t *r)
{
    const principal_view_t *p = session_principal(r, NULL);
    return (quote_staff_ctx_t){.staff_id = r->principal_id,
                               .role = p && p->role ? p->role : "",
                               .ip = r->ip,
                               .now = r->now,
                               .base_url = r->app && r->app->cfg ? r->app->cfg->base_url : ""};
}

const char *staff_quote_state_label(req_t *r, const char *state)
{
    if (strcmp(state, "draft") == 0) return T("Draft");
    if (strcmp(state, "sent") == 0) return T("Sent");
    if (strcmp(state, "accepted") == 0) return T("Accepted");
    if (strcmp(state, "rejected") == 0) return T("Rejected");
    if (strcmp(state, "withdrawn") == 0) return T("Withdrawn");
    if (strcmp(state, "expired") == 0) return T("Expired");
    if (strcmp(state, "superseded") == 0) return T("Superseded");
    return state;
}

const char *staff_quote_money(req_t *r, const char *country, const char *currency, int64_t minor)
{
    char *out = arena_alloc_raw(r->arena, 64);
    format_money(r->lang, country ? country : "", currency, minor, out, 64);
    return out;
}

const char *staff_quote_day(req_t *r, const char *country, const char *iso)
{
    if (!iso || !*iso) return "";
    char *out = arena_alloc_raw(r->arena, 64);
    format_date(r->lang, country ? country : "", iso, out, 64);
    return out;
}

/* ---- what the builder shows in its fields ------------------------------------------------ */

static char decimal_mark_of(const req_t *r)
{
    return r->lang == LANG_EN ? '.' : ',';
}

/* An amount in minor units as the reader types it ("1250.00", "1250,00"). */
static const char *amount_typed(req_t *r, const char *currency, int64_t minor)
{
    char text[MONEY_TEXT_MAX] = "";
    int exponent = currency_exponent(currency);
    if (exponent < 0) exponent = 2;
    money_decimal(minor, exponent, text);
    char *point = strchr(text, '.');
    if (point) *point = decimal_mark_of(r);
    return arena_strdup(r->arena, text);
}

/* A percent in parts per million as typed: 100000 → "10", 125000 → "12.5" ("12,5"). */
static const char *percent_typed(req_t *r, int64_t ppm)
{
    int64_t whole = ppm / 10000, frac = ppm % 10000;
    if (frac == 0) return arena_printf(r->arena, "%lld", (long long)whole);
    char digits[8];
    snprintf(digits, sizeof digits, "%04lld", (long long)frac);
    for (size_t n = strlen(digits); n > 0 && digits[n - 1] == '0'; n--)
        digits[n - 1] = '\0';
    return arena_printf(r->arena, "%lld%c%s", (long long)whole, decimal_mark_of(r), digits);
}

static const char *id_text(req_t *r, int64_t id)
{
    return id > 0 ? arena_printf(r->arena, "%lld", (long long)id) : "";
}

/* The subscription a stored line changes. Seats added to a product are stored without one (they
 * become a subscription of their own when accepted): the row shows the account's subscription
 * of that plan, so that saving the draft again keeps the line. */
static int64_t line_subscription(const quote_builder_t *v, const quote_line_t *l)
{
    if (l->subscription_id || strcmp(l->kind, "add_seats") != 0) return l->subscription_id;
    for (size_t k = 0; k < v->n_subscriptions; k++)
        if (v->subscriptions[k].plan_id == l->plan_id) return v->subscriptions[k].id;
    return 0;
}

/* The form as the stored draft fills it. */
static void form_of_quote(req_t *r, const quote_builder_t *v, quote_form_t *f)
{
    const quote_t *q = &v->quote;
    *f = (quote_form_t){.effective_date = q->effective_date,
                        .valid_until = q->valid_until,
                        .payment_terms =
                            arena_printf(r->arena, "%lld", (long long)q->payment_terms_days),
                        .customer_note = q->customer_note,
                        .internal_note = q->internal_note,
                        .decimal_mark = decimal_mark_of(r)};
    for (size_t i = 0; i < q->n_lines && i < QUOTE_LINES_MAX; i++) {
        const quote_line_t *l = &q->lines[i];
        quote_line_form_t *lf = &f->lines[f->n_lines++];
        bool percent = l->discount_kind && strcmp(l->discount_kind, "percent") == 0;
        bool amount = l->discount_kind && strcmp(l->discount_kind, "amount") == 0;
        bool removes = strcmp(l->kind, "remove_seats") == 0;
        *lf = (quote_line_form_t){
            .kind = l->kind,
            .plan_id = strcmp(l->kind, "add_product") == 0 ? id_text(r, l->plan_id) : "",
            .subscription_id = id_text(r, line_subscription(v, l)),
            .seats = arena_printf(r->arena, "%lld", (long long)l->seats),
            .unit_price =
                removes || l->unit_amount < 0 ? "" : amount_typed(r, q->currency, l->unit_amount),
            .discount_kind = percent  ? "percent"
                             : amount ? "amount"
                                      : "",
            .discount = percent  ? percent_typed(r, l->discount_value)
                        : amount ? amount_typed(r, q->currency, l->discount_value)
                                 : ""};
    }
}

/* The form as typed: the header and every row the page sent (l1_... to l20_...), in order, so
 * that the errors of row i come back beside row i. */
static void form_typed(req_t *r, quote_form_t *f)
{
    *f = (quote_form_t){.effective_date = req_field(r, "effective_date"),
                        .valid_until = req_field(r, "valid_until"),
                        .payment_terms = req_field(r, "payment_terms"),
                        .customer_note = req_field(r, "customer_note"),
                        .internal_note = req_field(r, "internal_note"),
                        .decimal_mark = decimal_mark_of(r)};
    for (int i = 1; i <= QUOTE_LINES_MAX; i++) {
        const char *kind_name = arena_printf(r->arena, "l%d_kind", i);
        bool present = false;
        for (size_t k = 0; k < r->form.n && !present; k++)
            present = strcmp(r->form.items[k].name, kind_name) == 0;
        if (!present) break;
        f->lines[f->n_lines++] = (quote_line_form_t){
            .kind = req_field(r, kind_name),
            .plan_id = req_field(r, arena_printf(r->arena, "l%d_plan", i)),
            .subscription_id = req_field(r, arena_printf(r->arena, "l%d_subscription", i)),
            .seats = req_field(r, arena_printf(r->arena, "l%d_seats", i)),
            .unit_price = req_field(r, arena_printf(r->arena, "l%d_price", i)),
            .discount_kind = req_field(r, arena_printf(r->arena, "l%d_discount_kind", i)),
            .discount = req_field(r, arena_printf(r->arena, "l%d_discount", i))};
    }
}

/* ---- fields ------------------------------------------------------------------------------ */

typedef struct {
    const char *value, *label;
} option_t;

/* A labelled select; error and hint tied with aria-describedby. */
static void select_field(req_t *r, const char *id, const char *label, const option_t *opts,
                         size_t n, const char *value, const char *hint, field_error_t e)
{
    buf_t *b = &r->resp.body;
    const char *error = field_error_text(r, e);
    html_render(b, "<div class=\"field\"><label for=\"%s\">%s</label>", id, label);
    if (hint) html_render(b, "<div class=\"help\" id=\"%s-hint\">%s</div>", id, hint);
    if (error) html_render(b, "<p class=\"field-error\" id=\"%s-error\">%s</p>", id, error);
    html_render(b, "<select id=\"%s\" name=\"%s\"", id, id);
    if (error) html_render(b, " aria-invalid=\"true\"");
    if (hint && error)
        html_render(b, " aria-describedby=\"%s-hint %s-error\"", id, id);
    else if (hint || error)
        html_render(b, " aria-describedby=\"%s-%R\"", id, hint ? "hint" : "error");
    html_render(b, ">");
    for (size_t i = 0; i < n; i++)
        html_render(b, "<option value=\"%s\"%R>%s</option>", opts[i].value,
                    value && strcmp(value, opts[i].value) == 0 ? " selected" : "", opts[i].label);
    html_render(b, "</select></div>");
}

/* A labelled textarea (a note), with a hint and its error. */
static void note_field(req_t *r, const char *id, const char *label, const char *value,
                       const char *hint, field_error_t e)
{
    buf_t *b = &r->resp.body;
    const char *error = field_error_text(r, e);
    html_render(b, "<div class=\"field\"><label for=\"%s\">%s</label>", id, label);
    if (hint) html_render(b, "<div class=\"help\" id=\"%s-hint\">%s</div>", id, hint);
    if (error) html_render(b, "<p class=\"field-error\" id=\"%s-error\">%s</p>", id, error);
    html_render(b, "<textarea id=\"%s\" name=\"%s\" rows=\"3\" maxlength=\"%d\"%R", id, id,
                (int)QUOTE_NOTE_MAX, error ? " aria-invalid=\"true\"" : "");
    if (hint && error)
        html_render(b, " aria-describedby=\"%s-hint %s-error\"", id, id);
    else if (hint || error)
        html_render(b, " aria-describedby=\"%s-%R\"", id, hint ? "hint" : "error");
    html_render(b, ">%s</textarea></div>", controls_visible(r->arena, value ? value : "", true));
}

static const char *kind_label(req_t *r, const char *kind)
{
    if (strcmp(kind, "add_product") == 0) return T("Add a product");
    if (strcmp(kind, "add_seats") == 0) return T("Add seats");
    if (strcmp(kind, "remove_seats") == 0) return T("Remove seats from the next renewal");
    if (strcmp(kind, "set_renewal") == 0) return T("Set seats and price from the next renewal");
    return kind;
}

/* One row of the builder: a fieldset "Line N" with its labelled fields. */
static void line_row(req_t *r, const quote_builder_t *v, int n, const quote_line_form_t *lf,
                     const quote_errors_t *e, size_t i)
{
    buf_t *b = &r->resp.body;
    const char *country = v->account.country;
    html_render(b, "<fieldset class=\"quote-line\"><legend>");
    html_text(b, T("Line %d"), n);
    html_render(b, "</legend><div class=\"line-grid\">");

    option_t kinds[QUOTE_LINE_KINDS];
    for (int k = 0; k < QUOTE_LINE_KINDS; k++) {
        const char *name = quote_line_kind_name((quote_line_kind_t)k);
        kinds[k] = (option_t){name, kind_label(r, name)};
    }
    const char *kind = lf && *lf->kind ? lf->kind : "add_product";
    bool adds_product = strcmp(kind, "add_product") == 0;
    select_field(r, arena_printf(r->arena, "l%d_kind", n), T("What the line does"), kinds,
                 QUOTE_LINE_KINDS, kind, NULL, e ? e->kind[i] : FIELD_OK);

    option_t *plans = arena_alloc(r->arena, (v->n_plans + 1) * sizeof *plans);
    plans[0] = (option_t){"", T("(for \"Add a product\")")};
    for (size_t k = 0; k < v->n_plans; k++) {
        const plan_price_t *p = &v->plans[k];
        plans[k + 1] = (option_t){
            id_text(r, p->plan_id),
            arena_printf(r->arena, T("%s, %s a seat a year"), p->product_name,
                         staff_quote_money(r, country, v->account.currency, p->unit_amount))};
    }
    select_field(r, arena_printf(r->arena, "l%d_plan", n), T("Product"), plans, v->n_plans + 1,
                 lf ? lf->plan_id : "", NULL, e && adds_product ? e->product[i] : FIELD_OK);

    option_t *subs = arena_alloc(r->arena, (v->n_subscriptions + 1) * sizeof *subs);
    subs[0] = (option_t){"", T("(for the other kinds)")};
    for (size_t k = 0; k < v->n_subscriptions; k++) {
        const account_subscription_t *s = &v->subscriptions[k];
        subs[k + 1] = (option_t){
            id_text(r, s->id),
            arena_printf(
                r->arena, TN("%s, %lld seat, renews %s", "%s, %lld seats, renews %s", s->seats),
                s->product_name, (long long)s->seats, staff_quote_day(r, country, s->period_end))};
    }
    select_field(r, arena_printf(r->arena, "l%d_subscription", n), T("Subscription"), subs,
                 v->n_subscriptions + 1, lf ? lf->subscription_id : "", NULL,
                 e && !adds_product ? e->product[i] : FIELD_OK);

    settings_input(r, arena_printf(r->arena, "l%d_seats", n), T("Seats"), "text",
                   lf ? lf->seats : "", NULL, e ? e->seats[i] : FIELD_OK, false,
                   "inputmode=\"numeric\" autocomplete=\"off\" class=\"short\"");
    settings_input(r, arena_printf(r->arena, "l%d_price", n),
                   arena_printf(r->arena, T("Unit price a year (%s)"), v->account.currency), "text",
                   lf ? lf->unit_price : "", T("Empty: the list price."),
                   e ? e->unit_price[i] : FIELD_OK, false,
                   "inputmode=\"decimal\" autocomplete=\"off\" class=\"short\"");
    option_t discounts[] = {
        {"", T("No discount")},
        {"percent", T("Percent")},
        {"amount", arena_printf(r->arena, T("Amount (%s)"), v->account.currency)}};
    select_field(r, arena_printf(r->arena, "l%d_discount_kind", n), T("Discount"), discounts, 3,
                 lf ? lf->discount_kind : "", NULL, FIELD_OK);
    settings_input(r, arena_printf(r->arena, "l%d_discount", n), T("Discount value"), "text",
                   lf ? lf->discount : "", NULL, e ? e->discount[i] : FIELD_OK, false,
                   "inputmode=\"decimal\" autocomplete=\"off\" class=\"short\"");
    html_render(b, "</div></fieldset>");
}

/* ---- amounts ----------------------------------------------------------------------------- */

static const char *line_what(req_t *r, const quote_line_t *l)
{
    return arena_printf(r->arena, "%s: %s", kind_label(r, l->kind), l->product_name);
}

/* The lines with their amounts and the totals (stored when sent; a draft's priced as a
 * preview). */
static void amounts_table(req_t *r, const quote_t *q, const account_t *acc, const char *caption)
{
    buf_t *b = &r->resp.body;
    const char *country = acc->country;
    const char *cur = q->currency;
    const char *what = T("Line"), *seats = T("Seats"), *unit = T("Unit price a year"),
               *discount = T("Discount"), *term = T("Amount for a full year"), *now = T("Due now");
    html_render(b,
                "<div class=\"table-wrap\"><table class=\"quote-lines stack\"><caption>%s"
                "</caption><thead><tr><th scope=\"col\">%s</th><th scope=\"col\" class=\"num\">"
                "%s</th><th scope=\"col\" class=\"num\">%s</th><th scope=\"col\" class=\"num\">"
                "%s</th><th scope=\"col\" class=\"num\">%s</th><th scope=\"col\" class=\"num\">"
                "%s</th></tr></thead><tbody>",
                caption, what, seats, unit, discount, term, now);
    for (size_t i = 0; i < q->n_lines; i++) {
        const quote_line_t *l = &q->lines[i];
        bool removes = strcmp(l->kind, "remove_seats") == 0;
        const char *days = "";
        if (l->term_days > 0)
            days = arena_printf(r->arena, TN("(%lld day of %lld)", "(%lld days of %lld)", l->days),
                                (long long)l->days, (long long)l->term_days);
        html_render(b,
                    "<tr><th scope=\"row\" data-label=\"%s\">%s</th><td class=\"num\" "
                    "data-label=\"%s\">%L</td><td class=\"num\" data-label=\"%s\">%s</td>"
                    "<td class=\"num\" data-label=\"%s\">%s</td><td class=\"num\" "
                    "data-label=\"%s\">%s</td><td class=\"num\" data-label=\"%s\">%s"
                    "<span class=\"muted\"> %s</span></td></tr>",
                    what, line_what(r, l), seats, l->seats, unit,
                    removes ? "—" : staff_quote_money(r, country, cur, l->unit_amount), discount,
                    l->discount ? staff_quote_money(r, country, cur, l->discount) : "—", term,
                    removes ? "—" : staff_quote_money(r, country, cur, l->term_net), now,
                    staff_quote_money(r, country, cur, l->due_now), days);
    }
    html_render(b, "</tbody></table></div>");

    /* Named as invoices name it ("Illinois sales tax 6.25%", "IVA 22 %"): one rule for both. A
     * draft has no stored name yet: the country's. */
    invoice_tax_t t = {.name = *q->tax_name ? q->tax_name : (char *)tax_scheme_name(country),
                       .rate_ppm = q->tax_rate_ppm};
    char *tax = arena_alloc(r->arena, 96);
    invoice_tax_label(r->lang, country, acc->region, &t, tax, 96);
    html_render(b,
                "<dl class=\"facts totals\"><dt>%s</dt><dd class=\"num\">%s</dd><dt>%s</dt>"
                "<dd class=\"num\">%s</dd><dt>%s</dt><dd class=\"num\"><strong>%s</strong></dd>"
                "<dt>%s</dt><dd class=\"num\"><strong>%s</strong> <span class=\"muted\">",
                T("Due now, before tax"), staff_quote_money(r, country, cur, q->due_subtotal), tax,
                staff_quote_money(r, country, cur, q->due_tax), T("Due now, with tax"),
                staff_quote_money(r, country, cur, q->due_total),
                T("New annual amount from the next renewal"),
                staff_quote_money(r, country, cur, q->renewal_total));
    html_text(b, T("(%s before tax)"), staff_quote_money(r, country, cur, q->renewal_subtotal));
    html_render(b, "</span></dd></dl>");
}

/* ---- the builder ------------------------------------------------------------------------- */

typedef struct {
    const quote_form_t *form;
    const quote_errors_t *errors; /* NULL: nothing refused */
    const char *error;            /* a sentence at the top, or NULL */
} builder_state_t;

static void quote_heading(req_t *r, const quote_builder_t *v, const char *state)
{
    buf_t *b = &r->resp.body;
    const quote_t *q = &v->quote;
    html_render(b, "<h1>");
    html_text(b, T("Quote %s"), q->number);
    html_render(b,
                "</h1><dl class=\"facts\"><dt>%s</dt><dd><a href=\"/staff/accounts/%L\">%s</a>"
                "</dd><dt>%s</dt><dd data-state=\"%s\"><strong>%s</strong></dd><dt>%s</dt><dd>%s"
                "</dd></dl>",
                T("Account"), v->account.id, v->account.name, T("State"), state,
                staff_quote_state_label(r, state), T("Sales rep"),
                q->sales_rep_name ? q->sales_rep_name : "");
}

static void notice_of_query(req_t *r)
{
    const char *done = req_param(r, "done");
    if (!done) return;
    if (strcmp(done, "saved") == 0) notice_info(r, T("The draft has been saved."));
    if (strcmp(done, "created") == 0) notice_info(r, T("A new draft quote has been created."));
    if (strcmp(done, "sent") == 0)
        notice_info(r, T("The quote has been sent to the billing contact."));
    if (strcmp(done, "withdrawn") == 0) notice_info(r, T("The quote has been withdrawn."));
    if (strcmp(done, "revised") == 0)
        notice_info(r, T("A new revision has been created as a draft. The sent quote stays "
                         "valid until this revision is sent."));
    if (strcmp(done, "accepted") == 0)
        notice_info(r, T("The acceptance has been recorded on the customer's behalf."));
}

/* An action's button in a form of its own. */
static void action_button(req_t *r, const quote_t *q, const char *action, const char *label,
                          const char *cls)
{
    form_open(r, arena_printf(r->arena, "/staff/quotes/%s/%s", q->number, action),
              "class=\"inline\"");
    html_render(&r->resp.body, "<button type=\"submit\" class=\"%s\">%s</button></form>", cls,
                label);
}

/* ---- the preview ------------------------------------------------------------------------- */

/* What the preview section shows: the page's (the stored draft; after a refused save, a word
 * that the fields above need correcting) or the live preview's (the form as typed, answered to
 * NUMBER/preview, whose errors are listed in it since the form above is not redrawn). */
typedef struct {
    const quote_form_t *form;
    const quote_errors_t *errors; /* NULL: nothing refused */
    bool live;
    const char *refusal; /* the live preview of a quote no longer a draft: why */
} preview_t;

/* One refused field in the live preview: a link to the field, and why. */
static void preview_error(req_t *r, const char *id, const char *label, field_error_t e)
{
    if (e == FIELD_OK) return;
    html_render(&r->resp.body, "<li><a href=\"#%s\">%s</a>: %s</li>", id, label,
                field_error_text(r, e));
}

static void preview_errors(req_t *r, const quote_builder_t *v, const quote_form_t *f,
                           const quote_errors_t *e)
{
    buf_t *b = &r->resp.body;
    html_render(b, "<p>%s</p><ul class=\"preview-errors\">",
                T("The totals will show once these fields are corrected:"));
    preview_error(r, "effective_date", T("Effective date"), e->effective_date);
    preview_error(r, "valid_until", T("Valid until"), e->valid_until);
    preview_error(r, "payment_terms", T("Payment terms (days)"), e->payment_terms);
    preview_error(r, "customer_note", T("Note to the customer"), e->customer_note);
    preview_error(r, "internal_note", T("Internal note"), e->internal_note);
    for (size_t i = 0; i < f->n_lines && i < QUOTE_LINES_MAX; i++) {
        int n = (int)i + 1;
        const char *line = arena_printf(r->arena, T("Line %d"), n);
        const char *kind = f->lines[i].kind ? f->lines[i].kind : "";
        bool adds_product = !*kind || strcmp(kind, "add_product") == 0;
        const char *id = arena_printf(r->arena, "l%d_", n);
        preview_error(r, arena_printf(r->arena, "%skind", id),
                      arena_printf(r->arena, "%s, %s", line, T("What the line does")), e->kind[i]);
        preview_error(
            r, arena_printf(r->arena, "%s%s", id, adds_product ? "plan" : "subscription"),
            arena_printf(r->arena, "%s, %s", line, adds_product ? T("Product") : T("Subscription")),
            e->product[i]);
        preview_error(r, arena_printf(r->arena, "%sseats", id),
                      arena_printf(r->arena, "%s, %s", line, T("Seats")), e->seats[i]);
        preview_error(
            r, arena_printf(r->arena, "%sprice", id),
            arena_printf(r->arena, "%s, %s", line,
                         arena_printf(r->arena, T("Unit price a year (%s)"), v->account.currency)),
            e->unit_price[i]);
        preview_error(r, arena_printf(r->arena, "%sdiscount", id),
                      arena_printf(r->arena, "%s, %s", line, T("Discount value")), e->discount[i]);
    }
    html_render(b, "</ul>");
}

/* The preview section. Its body is a polite live region: quote-preview.js swaps the body's
 * content for the live preview's, so a screen reader hears the new totals. */
static void preview_section(req_t *r, const quote_builder_t *v, const preview_t *p)
{
    buf_t *b = &r->resp.body;
    const quote_t *q = &v->quote;
    html_render(b,
                "<section class=\"card\" id=\"quote-preview\" aria-labelledby=\"preview\">"
                "<h2 id=\"preview\">%s</h2><div id=\"quote-preview-body\" aria-live=\"polite\">",
                T("Preview"));
    if (p->refusal)
        html_render(b, "<p class=\"notice error\">%s</p>", p->refusal);
    else if (p->errors && p->live)
        preview_errors(r, v, p->form, p->errors);
    else if (p->errors)
        html_render(b, "<p>%s</p>", T("Correct the fields marked above to see the totals."));
    else if (q->n_lines == 0)
        html_render(b, "<p>%s</p>",
                    p->live ? T("Add a line to see the totals.")
                            : T("Add a line and save to see the totals."));
    else
        amounts_table(r, q, &v->account, T("What this quote would charge if it were sent today"));
    if (p->live && !p->refusal)
        html_render(b, "<p class=\"help\">%s</p>",
                    arena_printf(r->arena,
                                 T("Priced as typed: nothing is saved until you press \"%s\"."),
                                 T("Save and preview")));
    html_render(b, "</div></section>");
}

static void render_builder(req_t *r, const quote_builder_t *v, const builder_state_t *s)
{
    buf_t *b = &r->resp.body;
    const quote_t *q = &v->quote;
    const quote_form_t *f = s->form;
    const quote_errors_t *e = s->errors;
    static const quote_errors_t none = {0};
    const quote_errors_t *fe = e ? e : &none;
    layout_begin(r, SECTION_STAFF, arena_printf(r->arena, T("Quote %s"), q->number));
    quote_heading(r, v, "draft");
    if (s->error) notice_error(r, s->error);
    if (!s->error) notice_of_query(r);
    if (v->tax_rate_ppm < 0 || fe->no_tax_rate)
        notice_warning(r, T("The tax table has no rate for this account's address: check its "
                            "state or province before sending the quote."));

    form_open(
        r, arena_printf(r->arena, "/staff/quotes/%s", q->number),
        arena_printf(r->arena, "novalidate data-preview=\"/staff/quotes/%s/preview\"", q->number));
    html_render(b, "<fieldset class=\"quote-head\"><legend>%s</legend><div class=\"line-grid\">",
                T("Terms"));
    settings_input(r, "effective_date", T("Effective date"), "date", f->effective_date,
                   T("Added seats are charged from this day to the renewal."), fe->effective_date,
                   true, NULL);
    settings_input(r, "valid_until", T("Valid until"), "date", f->valid_until,
                   T("The customer can accept it through the end of this day."), fe->valid_until,
                   true, NULL);
    settings_input(r, "payment_terms", T("Payment terms (days)"), "text", f->payment_terms,
                   T("Net 30 unless you agreed other terms."), fe->payment_terms, true,
                   "inputmode=\"numeric\" autocomplete=\"off\" class=\"short\"");
    html_render(b, "</div>");
    note_field(r, "customer_note", T("Note to the customer"), f->customer_note,
               T("Printed on the quote."), fe->customer_note);
    note_field(r, "internal_note", T("Internal note"), f->internal_note,
               T("For staff only: the customer never sees it."), fe->internal_note);
    html_render(b, "</fieldset><h2 id=\"lines\">%s</h2><p class=\"help\">%s</p>", T("Lines"),
                T("Seats added are charged now for the days left until the account's renewal and "
                  "renew with it. Removals and new renewal terms start at the next renewal. A "
                  "row without seats is left out."));
    if (fe->no_lines) notice_error(r, T("Add at least one line before sending the quote."));
    size_t rows = f->n_lines;
    /* A refused form comes back with its rows as sent; a stored draft gets empty rows for new
     * lines. */
    if (!e) rows = f->n_lines + EMPTY_ROWS;
    if (rows > QUOTE_LINES_MAX) rows = QUOTE_LINES_MAX;
    for (size_t i = 0; i < rows; i++)
        line_row(r, v, (int)i + 1, i < f->n_lines ? &f->lines[i] : NULL, e, i);
    html_render(b,
                "<div class=\"actions\"><button type=\"submit\" class=\"primary\">%s</button>"
                "</div></form>",
                T("Save and preview"));

    /* The preview: the stored draft priced as sending it now would store it. A refused form
     * was not saved, so the preview would not be of what is on the screen. */
    preview_section(r, v, &(preview_t){.form = f, .errors = e});
    html_render(b, "<div class=\"actions quote-actions\">");
    action_button(r, q, "send", T("Send to the billing contact"), "primary");
    action_button(r, q, "withdraw", T("Withdraw"), "secondary");
    html_render(b, "</div><script src=\"/static/quote-preview.js\" defer></script>");
    layout_end(r);
}

/* ---- a quote that is not a draft ---------------------------------------------------------- */

typedef struct {
    const quote_accept_form_t *form;
    const quote_accept_errors_t *errors;
    const char *error;
} decided_state_t;

static const char *utc_time(req_t *r, int64_t at)
{
    char *out = arena_alloc_raw(r->arena, 32);
    struct tm tm;
    time_t t = (time_t)at;
    out[0] = '\0';
    if (gmtime_r(&t, &tm)) strftime(out, 32, "%Y-%m-%d %H:%M UTC", &tm);
    return out;
}

static void fact(req_t *r, const char *label, const char *value)
{
    if (value && *value) html_render(&r->resp.body, "<dt>%s</dt><dd>%s</dd>", label, value);
}

static void decision_section(req_t *r, const quote_t *q)
{
    buf_t *b = &r->resp.body;
    bool accepted = strcmp(q->state, "accepted") == 0, rejected = strcmp(q->state, "rejected") == 0;
    if (!accepted && !rejected) return;
    html_render(b,
                "<section class=\"card\" aria-labelledby=\"decision\"><h2 id=\"decision\">%s</h2>",
                accepted ? T("Acceptance") : T("Rejection"));
    if (q->on_behalf_staff_id)
        html_render(b, "<p class=\"notice warning on-behalf\">%s</p>",
                    T("Recorded by staff on the customer's behalf."));
    html_render(b, "<dl class=\"facts\">");
    fact(r, accepted ? T("Accepted by") : T("Rejected by"), q->decided_name);
    fact(r, T("Job title"), q->decided_title);
    fact(r, T("When"), q->decided_at ? utc_time(r, q->decided_at) : "");
    fact(r, T("From the address"), q->decided_ip);
    fact(r, T("Purchase order"), q->po_number);
    fact(r, T("Reason for recording it on the customer's behalf"), q->on_behalf_reason);
    if (rejected) {
        fact(r, T("Reason"), T(reject_reason_label(q->reject_reason)));
        fact(r, T("Comment"), q->reject_comment);
    }
    if (q->invoice_number && *q->invoice_number)
        html_render(b, "<dt>%s</dt><dd><a href=\"/staff/invoices/%s\">%s</a></dd>", T("Invoice"),
                    q->invoice_number, q->invoice_number);
    html_render(b, "</dl></section>");
}

static void revisions_section(req_t *r, const quote_builder_t *v)
{
    if (v->n_revisions < 2) return;
    buf_t *b = &r->resp.body;
    html_render(b,
                "<section class=\"card\" aria-labelledby=\"revisions\"><h2 id=\"revisions\">%s"
                "</h2><ul>",
                T("Revisions"));
    for (size_t i = 0; i < v->n_revisions; i++) {
        const quote_t *q = &v->revisions[i];
        const char *state = quote_shown_state(q, v->today);
        if (strcmp(q->number, v->quote.number) == 0)
            html_render(b, "<li><strong aria-current=\"page\">%s</strong> — %s</li>", q->number,
                        staff_quote_state_label(r, state));
        else
            html_render(b, "<li><a href=\"/staff/quotes/%s\">%s</a> — %s</li>", q->number,
                        q->number, staff_quote_state_label(r, state));
    }
    html_render(b, "</ul></section>");
}

static void accept_form(req_t *r, const quote_t *q, const decided_state_t *s)
{
    buf_t *b = &r->resp.body;
    static const quote_accept_form_t empty = {
        .name = "", .title = "", .po_number = "", .reason = ""};
    static const quote_accept_errors_t none = {0};
    const quote_accept_form_t *f = s->form ? s->form : &empty;
    const quote_accept_errors_t *e = s->errors ? s->errors : &none;
    html_render(b,
                "<section class=\"card\" aria-labelledby=\"on-behalf\"><h2 id=\"on-behalf\">%s"
                "</h2><p class=\"help\">%s</p>",
                T("Record acceptance on the customer's behalf"),
                T("When the customer accepted in writing (a signed purchase order arrived by "
                  "email), record it here. The quote and the invoice show that staff recorded "
                  "it."));
    form_open(r, arena_printf(r->arena, "/staff/quotes/%s/accept", q->number), "novalidate");
    html_render(b, "<div class=\"line-grid\">");
    settings_input(r, "name", T("Name of the person who accepted"), "text", f->name, NULL, e->name,
                   true, "maxlength=\"100\" autocomplete=\"off\"");
    settings_input(r, "title", T("Job title"), "text", f->title, NULL, e->title, true,
                   "maxlength=\"100\" autocomplete=\"off\"");
    settings_input(r, "po_number", T("Purchase order number (optional)"), "text", f->po_number,
                   T("Printed on the invoice."), e->po_number, false,
                   "maxlength=\"40\" autocomplete=\"off\"");
    html_render(b, "</div>");
    note_field(r, "reason", T("Reason"), f->reason,
               T("Required: how the customer accepted, e.g. \"Signed PO received by "
                 "email on 2 March\"."),
               e->reason);
    html_render(b, "<button type=\"submit\" class=\"primary\">%s</button></form></section>",
                T("Record acceptance"));
}

static void render_decided(req_t *r, const quote_builder_t *v, const decided_state_t *s)
{
    buf_t *b = &r->resp.body;
    const quote_t *q = &v->quote;
    const char *state = quote_shown_state(q, v->today);
    const char *country = v->account.country;
    layout_begin(r, SECTION_STAFF, arena_printf(r->arena, T("Quote %s"), q->number));
    quote_heading(r, v, state);
    if (s->error) notice_error(r, s->error);
    if (!s->error) notice_of_query(r);
    html_render(b,
                "<section class=\"card\" aria-labelledby=\"terms\"><h2 id=\"terms\">%s</h2>"
                "<dl class=\"facts\">",
                T("Terms"));
    fact(r, T("Effective date"), staff_quote_day(r, country, q->effective_date));
    fact(r, T("Valid until"), staff_quote_day(r, country, q->valid_until));
    fact(r, T("Payment terms"),
         arena_printf(r->arena, T("Net %lld"), (long long)q->payment_terms_days));
    fact(r, T("Sent"), q->sent_at ? utc_time(r, q->sent_at) : "");
    fact(r, T("Note to the customer"), q->customer_note);
    fact(r, T("Internal note"), q->internal_note);
    html_render(b,
                "</dl></section><section class=\"card\" aria-labelledby=\"amounts\">"
                "<h2 id=\"amounts\">%s</h2>",
                T("Lines and totals"));
    amounts_table(r, q, &v->account, T("What the quote charges, as sent"));
    html_render(b, "<p><a href=\"/staff/quotes/%s/pdf\">%s</a></p></section>", q->number,
                T("PDF of the quote, as the customer has it"));
    decision_section(r, q);
    revisions_section(r, v);

    bool sent = strcmp(state, "sent") == 0;
    bool revisable = sent || strcmp(state, "expired") == 0 || strcmp(state, "rejected") == 0 ||
                     strcmp(state, "withdrawn") == 0;
    html_render(b, "<div class=\"actions quote-actions\">");
    if (revisable) action_button(r, q, "revise", T("Revise"), "primary");
    if (sent) action_button(r, q, "withdraw", T("Withdraw"), "secondary");
    html_render(b, "</div>");
    if (sent) accept_form(r, q, s);
    layout_end(r);
}

/* ---- handlers ---------------------------------------------------------------------------- */

static const char *quote_number_param(const req_t *r)
{
    return r->n_params ? r->params[0] : "";
}

/* The page for the quote as stored; false when it answered with an error page instead. */
static bool load(req_t *r, quote_builder_t *v)
{
    quote_staff_ctx_t ctx = staff_quote_ctx(r);
    return !answer_status(r, quote_builder_view(r->svc, r->arena, &ctx, quote_number_param(r), v));
}

/* The page as stored, with a refusal at the top and an HTTP status. */
static void render_stored(req_t *r, const quote_builder_t *v, int http_status, const char *error)
{
    if (strcmp(v->quote.state, "draft") == 0) {
        quote_form_t f;
        form_of_quote(r, v, &f);
        render_builder(r, v, &(builder_state_t){.form = &f, .error = error});
    } else {
        render_decided(r, v, &(decided_state_t){.error = error});
    }
    r->resp.status = http_status;
}

/* Why the quote's state refuses an action, in words. */
static const char *state_sentence(req_t *r, const char *state)
{
    if (strcmp(state, "draft") == 0) return T("This quote has not been sent yet.");
    if (strcmp(state, "sent") == 0) return T("This quote has already been sent.");
    if (strcmp(state, "accepted") == 0) return T("This quote has already been accepted.");
    if (strcmp(state, "rejected") == 0) return T("The customer has rejected this quote.");
    if (strcmp(state, "withdrawn") == 0) return T("This quote has been withdrawn.");
    if (strcmp(state, "expired") == 0) return T("This quote has expired.");
    if (strcmp(state, "superseded") == 0) return T("A newer revision has replaced this quote.");
    return T("This quote cannot take this action in its present state.");
}

static const char *block_sentence(req_t *r, quote_block_t block)
{
    switch (block) {
    case QUOTE_ACTIONABLE:
        break;
    case QUOTE_IS_DRAFT:
        return state_sentence(r, "draft");
    case QUOTE_IS_ACCEPTED:
        return state_sentence(r, "accepted");
    case QUOTE_IS_REJECTED:
        return state_sentence(r, "rejected");
    case QUOTE_IS_WITHDRAWN:
        return state_sentence(r, "withdrawn");
    case QUOTE_IS_EXPIRED:
        return state_sentence(r, "expired");
    case QUOTE_IS_SUPERSEDED:
        return state_sentence(r, "superseded");
    case QUOTE_ACCOUNT_CHANGED:
        return T("The account's subscriptions have changed since the quote was sent: revise "
                 "it.");
    }
    return T("This quote cannot take this action in its present state.");
}

/* A refused action (STATUS_CONFLICT): the page as it now is, with what was refused and why. */
static void refuse_action(req_t *r, const char *what)
{
    quote_builder_t v;
    if (!load(r, &v)) return;
    const char *state = quote_shown_state(&v.quote, v.today);
    const char *why = state_sentence(r, state);
    if (strcmp(what, "revise") == 0 && strcmp(state, "accepted") != 0)
        for (size_t i = 0; i < v.n_revisions; i++)
            if (strcmp(v.revisions[i].state, "draft") == 0)
                why = T("A draft revision of this quote already exists: open it from the "
                        "revisions listed below.");
    const char *sentence = strcmp(what, "save") == 0       ? T("Nothing was saved.")
                           : strcmp(what, "send") == 0     ? T("The quote was not sent.")
                           : strcmp(what, "withdraw") == 0 ? T("The quote was not withdrawn.")
                                                           : T("No revision was created.");
    render_stored(r, &v, 409, arena_printf(r->arena, "%s %s", sentence, why));
}

static const char *done_url(req_t *r, const char *number, const char *done)
{
    buf_t u;
    buf_init_cap(&u, r->arena, 96);
    buf_lit(&u, "/staff/quotes/");
    url_encode(&u, number);
    buf_lit(&u, "?done=");
    buf_puts(&u, done);
    return u.data;
}

/* GET: the quote; POST: saves the draft (its header and lines). */
void page_staff_quote(req_t *r)
{
    quote_builder_t v;
    if (!load(r, &v)) return;
    bool draft = strcmp(v.quote.state, "draft") == 0;
    if (r->method != METHOD_POST) {
        if (draft) {
            quote_form_t f;
            form_of_quote(r, &v, &f);
            render_builder(r, &v, &(builder_state_t){.form = &f});
        } else {
            render_decided(r, &v, &(decided_state_t){0});
        }
        return;
    }
    quote_form_t typed;
    form_typed(r, &typed);
    quote_errors_t e = {0};
    quote_staff_ctx_t ctx = staff_quote_ctx(r);
    status_t st = quote_save_draft(r->svc, r->arena, &ctx, v.quote.number, &typed, &e);
    if (st == STATUS_OK) {
        resp_redirect(r, done_url(r, v.quote.number, "saved"));
    } else if (st == STATUS_INVALID) {
        render_builder(
            r, &v,
            &(builder_state_t){.form = &typed,
                               .errors = &e,
                               .error = T("Nothing was saved. Check the fields marked below.")});
        r->resp.status = 400;
    } else if (st == STATUS_CONFLICT) {
        refuse_action(r, "save"); /* sent or withdrawn meanwhile: the page says so */
    } else {
        answer_status(r, st);
    }
}

void page_staff_quote_send(req_t *r)
{
    quote_staff_ctx_t ctx = staff_quote_ctx(r);
    quote_errors_t e = {0};
    const char *number = quote_number_param(r);
    status_t st = quote_send(r->svc, r->arena, &ctx, number, &e);
    if (st == STATUS_OK) {
        req_mail_queued(r);
        resp_redirect(r, done_url(r, number, "sent"));
        return;
    }
    if (st == STATUS_CONFLICT) {
        refuse_action(r, "send");
        return;
    }
    if (st != STATUS_INVALID) {
        answer_status(r, st);
        return;
    }
    /* Not sendable as it stands: the builder with what to fix, fields marked. */
    quote_builder_t v;
    if (!load(r, &v)) return;
    quote_form_t f;
    form_of_quote(r, &v, &f);
    render_builder(r, &v,
                   &(builder_state_t){.form = &f,
                                      .errors = &e,
                                      .error = T("The quote was not sent. Check the fields "
                                                 "marked below.")});
    r->resp.status = 400;
}

void page_staff_quote_withdraw(req_t *r)
{
    quote_staff_ctx_t ctx = staff_quote_ctx(r);
    const char *number = quote_number_param(r);
    status_t st = quote_withdraw(r->svc, r->arena, &ctx, number);
    if (st == STATUS_OK)
        resp_redirect(r, done_url(r, number, "withdrawn"));
    else if (st == STATUS_CONFLICT)
        refuse_action(r, "withdraw");
    else
        answer_status(r, st);
}

void page_staff_quote_revise(req_t *r)
{
    quote_staff_ctx_t ctx = staff_quote_ctx(r);
    char *new_number = NULL;
    status_t st = quote_revise(r->svc, r->arena, &ctx, quote_number_param(r), &new_number);
    if (st == STATUS_OK)
        resp_redirect(r, done_url(r, new_number, "revised"));
    else if (st == STATUS_CONFLICT)
        refuse_action(r, "revise");
    else
        answer_status(r, st);
}

void page_staff_quote_accept(req_t *r)
{
    quote_builder_t v;
    if (!load(r, &v)) return; /* 404 for a quote this staff member may not manage */
    const principal_view_t *p = session_principal(r, NULL);
    quote_decider_t who = {.account_id = v.quote.account_id,
                           .staff_id = r->principal_id,
                           .staff_role = p && p->role ? p->role : "",
                           .ip = r->ip,
                           .now = r->now,
                           .base_url = r->app && r->app->cfg ? r->app->cfg->base_url : ""};
    /* The customer's written acceptance (the signed PO) stands for ticking the terms. */
    quote_accept_form_t form = {.name = req_field(r, "name"),
                                .title = req_field(r, "title"),
                                .po_number = req_field(r, "po_number"),
                                .accept_terms = "yes",
                                .reason = req_field(r, "reason")};
    quote_accept_errors_t e = {0};
    quote_decision_t out = {0};
    status_t st = quote_accept(r->svc, r->arena, &who, v.quote.number, &form, &e, &out);
    if (st == STATUS_OK) {
        if (out.mail_queued) req_mail_queued(r);
        resp_redirect(r, done_url(r, v.quote.number, "accepted"));
        return;
    }
    if (st == STATUS_INVALID) {
        if (!load(r, &v)) return;
        render_decided(r, &v,
                       &(decided_state_t){.form = &form,
                                          .errors = &e,
                                          .error = T("The acceptance was not recorded. Check "
                                                     "the fields marked below.")});
        r->resp.status = 400;
        return;
    }
    if (st == STATUS_NOT_FOUND && strcmp(v.quote.state, "draft") == 0) {
        /* The customer never sees a draft, so the service knows no such quote to accept; this
         * staff member does see it, and is told why instead. */
        render_stored(r, &v, 409,
                      arena_printf(r->arena, "%s %s", T("The acceptance was not recorded."),
                                   state_sentence(r, "draft")));
        return;
    }
    if (st == STATUS_CONFLICT) {
        if (!load(r, &v)) return;
        render_stored(r, &v, 409,
                      arena_printf(r->arena, "%s %s", T("The acceptance was not recorded."),
                                   block_sentence(r, out.block)));
        return;
    }
    answer_status(r, st);
}

/* POST NUMBER/preview: the builder's form priced as typed, nothing saved; answers the preview
 * section alone (an HTML fragment for quote-preview.js): 200 priced, or with the refused fields
 * listed; 409 when the quote is no longer a draft; 404 as the builder. */
void page_staff_quote_preview(req_t *r)
{
    quote_form_t typed;
    form_typed(r, &typed);
    quote_errors_t e = {0};
    quote_builder_t v;
    quote_staff_ctx_t ctx = staff_quote_ctx(r);
    status_t st = quote_preview_form(r->svc, r->arena, &ctx, quote_number_param(r), &typed, &v, &e);
    if (st == STATUS_OK) {
        preview_section(r, &v, &(preview_t){.form = &typed, .live = true});
    } else if (st == STATUS_INVALID) {
        /* A form being typed is often incomplete (a seat count half typed): its preview says
         * what to correct, and the request itself was fine. */
        preview_section(r, &v, &(preview_t){.form = &typed, .errors = &e, .live = true});
    } else if (st == STATUS_CONFLICT) {
        const char *why = state_sentence(r, quote_shown_state(&v.quote, v.today));
        preview_section(r, &v, &(preview_t){.live = true, .refusal = why});
        r->resp.status = 409;
    } else {
        answer_status(r, st);
    }
}

/* The builder's live preview: typing in the form posts it (debounced) to NUMBER/preview and
 * shows the answer in the preview's live region. Without it, "Save and preview" does the same by
 * saving. Stale answers (an older request finishing last) and failures leave the shown preview. */
static const char preview_script[] =
    "(function () {\n"
    "  var form = document.querySelector('form[data-preview]');\n"
    "  var region = document.getElementById('quote-preview-body');\n"
    "  if (!form || !region || !window.fetch || !window.FormData || !window.DOMParser) return;\n"
    "  var url = form.getAttribute('data-preview');\n"
    "  var timer = 0, sent = 0;\n"
    "  function refresh() {\n"
    "    var seq = ++sent;\n"
    "    fetch(url, {method: 'POST', credentials: 'same-origin',\n"
    "                body: new URLSearchParams(new FormData(form))})\n"
    "      .then(function (resp) {\n"
    "        /* 409: no longer a draft, said in the section. Others (an expired session, a\n"
    "         * server error) leave the preview as it was. */\n"
    "        if (resp.status !== 200 && resp.status !== 409) return null;\n"
    "        return resp.text();\n"
    "      })\n"
    "      .then(function (html) {\n"
    "        if (html === null || seq !== sent) return;\n"
    "        var doc = new DOMParser().parseFromString(html, 'text/html');\n"
    "        var body = doc.getElementById('quote-preview-body');\n"
    "        if (!body) return;\n"
    "        region.replaceChildren.apply(region, Array.prototype.slice.call(body.childNodes));\n"
    "      })\n"
    "      .catch(function () {});\n"
    "  }\n"
    "  function later() {\n"
    "    clearTimeout(timer);\n"
    "    timer = setTimeout(refresh, 300);\n"
    "  }\n"
    "  form.addEventListener('input', later);\n"
    "  form.addEventListener('change', later);\n"
    "  /* Saving reloads the page: an answer still on its way is of no use. */\n"
    "  form.addEventListener('submit', function () { clearTimeout(timer); sent++; });\n"
    "})();\n";

void page_quote_preview_script(req_t *r)
{
    r->resp.content_type = "text/javascript; charset=utf-8";
    resp_header(r, "Cache-Control", "public, max-age=3600");
    buf_append(&r->resp.body, preview_script, sizeof preview_script - 1);
}
