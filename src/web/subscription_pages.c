/* The Subscription page and its change pages, shared by the Billing Center (the billing
 * administrator, /billing/subscription) and the staff console (Customer Care acting for an online
 * account, /staff/accounts/ID/subscription): the same figures, forms and rules for both. */
#include "billing/calendar.h"
#include "billing/money.h"
#include "i18n/format.h"
#include "pages.h"
#include "render/invoice_text.h"
#include "services/subscriptions.h"

#include <stdlib.h>
#include <string.h>

static const char *money_of(req_t *r, const char *country, const char *currency, int64_t minor)
{
    char *out = arena_alloc(r->arena, 64);
    format_money(r->lang, country, currency, minor, out, 64);
    return out;
}

static const char *day_of(req_t *r, const char *country, const char *iso)
{
    char *out = arena_alloc(r->arena, 64);
    if (!iso || !*iso || !format_date(r->lang, country, iso, out, 64)) return iso ? iso : "";
    return out;
}

/* The last day a period [start, end) covers, as people write a period: the day before end. */
static const char *last_day_of(req_t *r, const char *country, const char *end)
{
    date_t d;
    if (!date_parse(end, &d)) return end;
    char iso[11];
    date_format(date_add_days(d, -1), iso);
    return day_of(r, country, arena_strdup(r->arena, iso));
}

/* "1 seat", "8 seats", in the reader's language. */
static const char *seats_text(req_t *r, int64_t n)
{
    return arena_printf(r->arena, TN("%lld seat", "%lld seats", n), (long long)n);
}

static const char *frequency_label(req_t *r, const char *period)
{
    return strcmp(period, "annual") == 0 ? T("Annual") : T("Monthly");
}

static const char *per_period(req_t *r, const char *period)
{
    return strcmp(period, "annual") == 0 ? T("a year") : T("a month");
}

/* ---- the Subscription page -------------------------------------------------------------- */

static const char *status_text(req_t *r, const subscription_row_t *s, const char *country)
{
    if (strcmp(s->status, "active") == 0 && s->cancel_at_period_end)
        return arena_printf(r->arena, T("Cancelled: ends on %s"),
                            last_day_of(r, country, s->period_end));
    if (strcmp(s->status, "active") == 0) return T("Active");
    return arena_printf(r->arena, T("Ended on %s"), last_day_of(r, country, s->period_end));
}

/* What changes at the next renewal, in a sentence; NULL when nothing does. */
static const char *pending_text(req_t *r, const subscription_row_t *s, const char *country)
{
    if (strcmp(s->status, "active") != 0 || s->cancel_at_period_end) return NULL;
    const char *day = day_of(r, country, s->period_end);
    if (s->next_plan_id && s->next_seats > 0)
        return arena_printf(r->arena, T("From %s: monthly billing, %s."), day,
                            seats_text(r, s->next_seats));
    if (s->next_plan_id) return arena_printf(r->arena, T("From %s: monthly billing."), day);
    if (s->next_seats > 0)
        return arena_printf(r->arena, T("From %s: %s."), day, seats_text(r, s->next_seats));
    return NULL;
}

static void action_link(req_t *r, const char *base, const char *what, int64_t id, const char *label,
                        const char *product)
{
    /* The product's name is in the link's accessible name: "Change seats" alone, repeated for
     * each product, would not say which. */
    html_render(&r->resp.body,
                "<li><a href=\"%s/change?do=%s&amp;sub=%L\">%s<span class=\"sr-only\"> "
                "(%s)</span></a></li>",
                base, what, id, label, product);
}

static void subscription_rows(req_t *r, const subscription_page_t *v, const char *base)
{
    buf_t *b = &r->resp.body;
    const char *country = v->account.country;
    html_render(b,
                "<div class=\"table-wrap\"><table class=\"stack subscriptions\"><caption "
                "class=\"sr-only\">%s</caption><thead><tr><th scope=\"col\">%s</th>"
                "<th scope=\"col\">%s</th><th scope=\"col\" class=\"num\">%s</th>"
                "<th scope=\"col\" class=\"num\">%s</th><th scope=\"col\">%s</th>"
                "<th scope=\"col\" class=\"num\">%s</th><th scope=\"col\">%s</th>"
                "<th scope=\"col\">%s</th></tr></thead><tbody>",
                T("Products on this account"), T("Product"), T("Billing frequency"), T("Seats"),
                T("Price per seat"), T("Next renewal"), T("Next renewal amount"), T("Status"),
                T("Actions"));
    for (size_t i = 0; i < v->n_subs; i++) {
        const subscription_row_t *s = &v->subs[i];
        bool renews = v->renewal_amounts[i] >= 0;
        html_render(b, "<tr><th scope=\"row\" data-label=\"%s\">%s</th>", T("Product"),
                    s->product_name);
        html_render(b, "<td data-label=\"%s\">%s</td>", T("Billing frequency"),
                    frequency_label(r, s->billing_period));
        html_render(b, "<td class=\"num\" data-label=\"%s\">%L</td>", T("Seats"), s->seats);
        html_render(b, "<td class=\"num\" data-label=\"%s\">%s</td>", T("Price per seat"),
                    money_of(r, country, s->currency, s->unit_amount));
        html_render(b, "<td data-label=\"%s\">%s</td>", T("Next renewal"),
                    renews ? day_of(r, country, s->period_end) : "\xE2\x80\x94");
        html_render(b, "<td class=\"num\" data-label=\"%s\">%s</td>", T("Next renewal amount"),
                    renews ? money_of(r, country, s->currency, v->renewal_amounts[i])
                           : "\xE2\x80\x94");
        html_render(b, "<td data-label=\"%s\">%s", T("Status"), status_text(r, s, country));
        const char *pending = pending_text(r, s, country);
        if (pending) html_render(b, "<br><span class=\"hint\">%s</span>", pending);
        if (s->cancel_at_period_end && *s->cancel_reason)
            html_render(b, "<br><span class=\"hint\">%s %s</span>", T("Reason given:"),
                        s->cancel_reason);
        /* The links name what they do: on a phone they need no "Actions" label beside them. */
        html_render(b, "</td><td><ul class=\"row-actions\">");
        if (v->can_seats[i])
            action_link(r, base, "seats", s->id, T("Change seats"), s->product_name);
        if (v->can_frequency[i])
            action_link(r, base, "frequency", s->id, T("Change billing frequency"),
                        s->product_name);
        if (v->can_cancel[i]) action_link(r, base, "cancel", s->id, T("Cancel"), s->product_name);
        if (v->can_undo_cancel[i])
            action_link(r, base, "undo-cancel", s->id, T("Keep the subscription"), s->product_name);
        if (v->can_reactivate[i])
            action_link(r, base, "reactivate", s->id, T("Reactivate"), s->product_name);
        html_render(b, "</ul></td></tr>");
    }
    html_render(b, "</tbody></table></div>");
}

static const char *change_summary(req_t *r, const subscription_change_t *c)
{
    const char *k = c->kind;
    if (strcmp(k, "add_product") == 0)
        return arena_printf(r->arena, T("%s added, %s"), c->product_name, seats_text(r, c->seats));
    if (strcmp(k, "add_seats") == 0 || strcmp(k, "remove_seats") == 0)
        return arena_printf(r->arena, T("%s: %lld \xE2\x86\x92 %lld seats"), c->product_name,
                            (long long)c->from_seats, (long long)c->seats);
    if (strcmp(k, "to_annual") == 0)
        return arena_printf(r->arena, T("%s: annual billing"), c->product_name);
    if (strcmp(k, "to_monthly") == 0)
        return arena_printf(r->arena, T("%s: monthly billing"), c->product_name);
    if (strcmp(k, "cancel") == 0) return arena_printf(r->arena, T("%s cancelled"), c->product_name);
    if (strcmp(k, "undo_cancel") == 0)
        return arena_printf(r->arena, T("%s kept (cancellation undone)"), c->product_name);
    return arena_printf(r->arena, T("%s reactivated, %s"), c->product_name,
                        seats_text(r, c->seats));
}

static const char *change_state(req_t *r, const subscription_change_t *c)
{
    if (strcmp(c->state, "applied") == 0) return T("Done");
    if (strcmp(c->state, "charging") == 0) return T("Waiting for the payment");
    if (strcmp(c->state, "declined") == 0) return T("Not made: the payment failed");
    return T("Not made: the subscription changed meanwhile (the payment was kept as credit)");
}

static void changes_table(req_t *r, const subscription_page_t *v, const char *invoice_base)
{
    if (!v->n_changes) return;
    buf_t *b = &r->resp.body;
    html_render(
        b,
        "<section class=\"card\" aria-labelledby=\"changes\"><h2 id=\"changes\">%s</h2>"
        "<div class=\"table-wrap\"><table class=\"stack changes\"><caption "
        "class=\"sr-only\">%s</caption><thead><tr><th scope=\"col\">%s</th><th "
        "scope=\"col\">%s</th>"
        "<th scope=\"col\" class=\"num\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
        "<th scope=\"col\">%s</th></tr></thead><tbody>",
        T("Recent changes"), T("Recent changes"), T("Date"), T("Change"), T("Charged"),
        T("Invoice"), T("Result"), T("Made by"));
    for (size_t i = 0; i < v->n_changes; i++) {
        const subscription_change_t *c = &v->changes[i];
        char iso[11];
        date_format(date_from_unix(c->created_at), iso);
        html_render(b, "<tr><td class=\"nowrap\" data-label=\"%s\">%s</td>", T("Date"),
                    day_of(r, v->account.country, iso));
        html_render(b, "<td data-label=\"%s\">%s</td><td class=\"num\" data-label=\"%s\">%s</td>",
                    T("Change"), change_summary(r, c), T("Charged"),
                    c->total ? money_of(r, v->account.country, c->currency, c->total)
                             : "\xE2\x80\x94");
        if (*c->invoice_number && invoice_base)
            html_render(b, "<td class=\"nowrap\" data-label=\"%s\"><a href=\"%s/%s\">%s</a></td>",
                        T("Invoice"), invoice_base, c->invoice_number, c->invoice_number);
        else
            html_render(b, "<td data-label=\"%s\">%s</td>", T("Invoice"),
                        *c->invoice_number ? c->invoice_number : "\xE2\x80\x94");
        html_render(b, "<td data-label=\"%s\">%s</td><td data-label=\"%s\">%s</td></tr>",
                    T("Result"), change_state(r, c), T("Made by"),
                    strcmp(c->actor_kind, "staff") == 0 ? T("Customer Care")
                                                        : T("Billing administrator"));
    }
    html_render(b, "</tbody></table></div></section>");
}

/* The notice of ?done=ID, ?pending=ID or ?conflict=ID (where a confirmation lands). */
static void outcome_notice(req_t *r, const subscription_page_t *v)
{
    const char *keys[] = {"done", "pending", "conflict"};
    for (size_t k = 0; k < 3; k++) {
        const char *id = req_param(r, keys[k]);
        if (!id || !*id || strspn(id, "0123456789") != strlen(id) || strlen(id) > 18) continue;
        const subscription_change_t *c = NULL;
        for (size_t i = 0; i < v->n_changes && !c; i++)
            if (v->changes[i].id == atoll(id)) c = &v->changes[i];
        if (!c) return;
        if (strcmp(c->state, "applied") == 0 && *c->invoice_number)
            notice_info(r, arena_printf(r->arena,
                                        T("Done: %s. Invoice %s was charged to the card on file; "
                                          "it is on its way to you by email."),
                                        change_summary(r, c), c->invoice_number));
        else if (strcmp(c->state, "applied") == 0)
            notice_info(r, arena_printf(r->arena, T("Done: %s."), change_summary(r, c)));
        else if (strcmp(c->state, "charging") == 0)
            notice_info(r, T("The payment service has not confirmed the charge yet. The change is "
                             "made as soon as it does; this page shows it then."));
        else if (strcmp(c->state, "conflict") == 0)
            notice_warning(r, T("The subscription changed while the payment was being made, so "
                                "this change was not made. The amount charged is kept as credit "
                                "for your next invoices."));
        return;
    }
}

/* A renewal charge that failed and what follows (docs/dunning.md): what happened, what comes
 * next, and the two ways out (pay the invoice, replace the card). */
static void dunning_notice(req_t *r, const subscription_page_t *v, const char *invoice_base,
                           const char *card_href)
{
    const dunning_view_t *d = &v->dunning;
    const char *country = v->account.country;
    const char *why = dunning_decline_words(r->lang, d->last_decline_code);
    const char *text = NULL;
    if (strcmp(d->state, "retrying") == 0 && !d->no_retry && *d->next_retry_date)
        text = arena_printf(r->arena,
                            T("The renewal charge for invoice %s was declined (%s). We will try "
                              "the card again on %s; you can pay the invoice or replace the card "
                              "before then."),
                            d->invoice_number, why, day_of(r, country, d->next_retry_date));
    else if (strcmp(d->state, "retrying") == 0 || strcmp(d->state, "past_due") == 0)
        text = arena_printf(r->arena,
                            T("The renewal charge for invoice %s was declined (%s) and will not "
                              "be tried again: the subscription is past due. Pay the invoice or "
                              "replace the card to keep it."),
                            d->invoice_number, why);
    else if (strcmp(d->state, "suspended") == 0)
        text = arena_printf(r->arena,
                            T("The subscription is suspended since %s because invoice %s is "
                              "unpaid. Paying the balance reactivates it at once."),
                            day_of(r, country, d->suspended_on), d->invoice_number);
    if (!text) return;
    notice_warning(r, text);
    buf_t *b = &r->resp.body;
    html_render(b, "<p class=\"actions\">");
    if (invoice_base)
        html_render(b, "<a class=\"button\" href=\"%s/%s\">%s</a> ", invoice_base,
                    d->invoice_number, arena_printf(r->arena, T("Invoice %s"), d->invoice_number));
    if (card_href) html_render(b, "<a href=\"%s\">%s</a>", card_href, T("Replace the card"));
    html_render(b, "</p>");
}

void subscription_page_render(req_t *r, section_t section, const char *base,
                              const subscription_page_t *v, const char *invoice_base,
                              const char *card_href)
{
    buf_t *b = &r->resp.body;
    const char *title = section == SECTION_STAFF
                            ? arena_printf(r->arena, T("Subscription of %s"), v->account.name)
                            : T("Subscription");
    layout_begin(r, section, title);
    html_render(b, "<h1>%s</h1>", title);
    outcome_notice(r, v);
    dunning_notice(r, v, invoice_base, card_href);
    html_render(b, "<p>%s</p>",
                T("Each product on the account, what it renews at, and the changes you can make. "
                  "More seats, a new product or annual billing start at once and are charged now "
                  "for the rest of the period; fewer seats and monthly billing start at the next "
                  "renewal."));
    if (v->n_subs)
        subscription_rows(r, v, base);
    else
        notice_info(r, T("This account has no subscriptions yet."));
    if (v->can_add)
        html_render(b, "<p><a class=\"button\" href=\"%s/change?do=add\">%s</a></p>", base,
                    T("Add a product"));
    html_render(b,
                "<section class=\"card\" aria-labelledby=\"card-on-file\"><h2 id=\"card-on-file\">"
                "%s</h2>",
                T("Card on file"));
    if (v->has_card)
        html_render(b, "<p>%s</p>",
                    arena_printf(r->arena,
                                 T("Changes and renewals are charged to the %s card "
                                   "ending in %s (expires %02lld/%lld)."),
                                 card_brand_name(v->card.brand), v->card.last4,
                                 (long long)v->card.exp_month, (long long)v->card.exp_year));
    else
        html_render(b, "<p>%s</p>",
                    T("There is no card on file: add one before making a change that is charged "
                      "now."));
    if (card_href)
        html_render(b, "<p><a href=\"%s\">%s</a></p>", card_href,
                    v->has_card ? T("Replace the card") : T("Add a card"));
    html_render(b, "</section>");
    changes_table(r, v, invoice_base);
    layout_end(r);
}

/* ---- a change: its form, its preview, its confirmation ---------------------------------- */

typedef struct {
    section_t section;
    const char *base;      /* /billing/subscription or /staff/accounts/ID/subscription */
    const char *card_href; /* where the card is added or replaced; NULL: not from here */
    subscriber_t who;
} change_ctx_t;

static const char *heading_of(req_t *r, subchg_do_t what)
{
    switch (what) {
    case SUBCHG_ADD:
        return T("Add a product");
    case SUBCHG_SEATS:
        return T("Change seats");
    case SUBCHG_FREQUENCY:
        return T("Change billing frequency");
    case SUBCHG_CANCEL:
        return T("Cancel a subscription");
    case SUBCHG_UNDO_CANCEL:
        return T("Keep a cancelled subscription");
    case SUBCHG_REACTIVATE:
        return T("Reactivate a subscription");
    }
    return "";
}

static subchg_form_t form_of(req_t *r, bool posted)
{
    const char *(*get)(const req_t *, const char *) = posted ? req_field : req_param;
    subchg_form_t f = {.what = SUBCHG_SEATS};
    subchg_do_parse(get(r, "do"), &f.what);
    const char *sub = get(r, "sub");
    f.subscription_id = sub && *sub && strspn(sub, "0123456789") == strlen(sub) && strlen(sub) < 19
                            ? atoll(sub)
                            : 0;
    f.product = get(r, "product");
    f.seats = get(r, "seats");
    f.frequency = get(r, "frequency");
    f.reason = get(r, "reason");
    return f;
}

static const char *seats_error(req_t *r, const subchg_errors_t *e)
{
    if (e->seats == FIELD_SEATS_RANGE)
        return arena_printf(r->arena, T("Choose from %lld to %lld seats for this product."),
                            (long long)e->min_seats, (long long)e->max_seats);
    if (e->seats == FIELD_UNCHANGED)
        return T("That is the number of seats the subscription already has.");
    return field_error_text(r, e->seats);
}

static void hidden(req_t *r, const char *name, const char *value)
{
    html_render(&r->resp.body, "<input type=\"hidden\" name=\"%s\" value=\"%s\">", name,
                value ? value : "");
}

static void current_facts(req_t *r, const subchg_preview_t *p, const char *country)
{
    const subscription_row_t *s = &p->sub;
    html_render(&r->resp.body,
                "<section class=\"card\" aria-labelledby=\"now\"><h2 id=\"now\">%s</h2><dl "
                "class=\"facts\"><dt>%s</dt><dd>%s</dd><dt>%s</dt><dd>%s</dd><dt>%s</dt><dd>%L</dd>"
                "<dt>%s</dt><dd>%s</dd><dt>%s</dt><dd>%s</dd></dl></section>",
                s->product_name, T("Status"), status_text(r, s, country), T("Billing frequency"),
                frequency_label(r, s->billing_period), T("Seats"), s->seats, T("Price per seat"),
                money_of(r, country, s->currency, s->unit_amount), T("Current period"),
                arena_printf(r->arena, "%s \xE2\x80\x93 %s", day_of(r, country, s->period_start),
                             last_day_of(r, country, s->period_end)));
}

/* The form asking what the change needs (seats, a product, a reason), with what was typed. */
static void render_form(req_t *r, const change_ctx_t *x, const subchg_form_t *f,
                        const subchg_errors_t *e, const subscription_page_t *v)
{
    buf_t *b = &r->resp.body;
    const char *country = v->account.country;
    const subscription_row_t *sub = NULL;
    for (size_t i = 0; i < v->n_subs; i++)
        if (v->subs[i].id == f->subscription_id) sub = &v->subs[i];
    layout_begin(r, x->section, heading_of(r, f->what));
    html_render(b, "<h1>%s</h1>", heading_of(r, f->what));
    if (e && (e->seats || e->product || e->frequency || e->reason))
        notice_error(r, T("Please correct the fields marked below."));
    if (sub) {
        subchg_preview_t p = {.sub = *sub};
        current_facts(r, &p, country);
    }
    form_open(r, arena_printf(r->arena, "%s/change", x->base), "novalidate");
    hidden(r, "do", subchg_do_name(f->what));
    hidden(r, "sub", arena_printf(r->arena, "%lld", (long long)f->subscription_id));
    hidden(r, "step", "preview");
    if (f->what == SUBCHG_ADD) {
        const char *err = e ? field_error_text(r, e->product) : NULL;
        if (e && e->product == FIELD_DUPLICATE)
            err = T("The account already has this product: change its seats instead.");
        html_render(b, "<div class=\"field\"><label for=\"product\">%s</label>", T("Product"));
        if (err) html_render(b, "<p class=\"field-error\" id=\"product-error\">%s</p>", err);
        html_render(b, "<select id=\"product\" name=\"product\"%R>",
                    err ? " aria-invalid=\"true\" aria-describedby=\"product-error\"" : "");
        int64_t last = -1;
        for (size_t i = 0; i < v->n_catalog; i++) {
            const plan_price_t *c = &v->catalog[i];
            if (c->product_id == last) continue;
            last = c->product_id;
            html_render(b, "<option value=\"%s\"%R>%s</option>", c->product_code,
                        f->product && strcmp(f->product, c->product_code) == 0 ? " selected" : "",
                        c->product_name);
        }
        html_render(b, "</select></div>");
        const char *ferr = e ? field_error_text(r, e->frequency) : NULL;
        html_render(b, "<fieldset class=\"field\"><legend>%s</legend>", T("Billing frequency"));
        if (ferr) html_render(b, "<p class=\"field-error\" id=\"frequency-error\">%s</p>", ferr);
        const char *periods[] = {"monthly", "annual"};
        for (size_t i = 0; i < 2; i++) {
            bool on = f->frequency ? strcmp(f->frequency, periods[i]) == 0 : i == 0;
            html_render(b,
                        "<div class=\"choice\"><input type=\"radio\" id=\"frequency-%s\" "
                        "name=\"frequency\" value=\"%s\"%R><label for=\"frequency-%s\">%s</label>"
                        "</div>",
                        periods[i], periods[i], on ? " checked" : "", periods[i],
                        frequency_label(r, periods[i]));
        }
        html_render(b, "</fieldset>");
        /* The price list, so that the reader can choose knowing the prices. */
        html_render(b, "<p class=\"hint\">%s</p><ul>", T("Prices per seat:"));
        for (size_t i = 0; i < v->n_catalog; i++)
            html_render(b, "<li>%s, %s: %s %s</li>", v->catalog[i].product_name,
                        frequency_label(r, v->catalog[i].billing_period),
                        money_of(r, country, v->account.currency, v->catalog[i].unit_amount),
                        per_period(r, v->catalog[i].billing_period));
        html_render(b, "</ul>");
    }
    if (f->what == SUBCHG_ADD || f->what == SUBCHG_SEATS || f->what == SUBCHG_REACTIVATE) {
        const char *typed = f->seats;
        if (!typed && sub)
            typed = arena_printf(r->arena, "%lld",
                                 (long long)(sub->next_seats > 0 ? sub->next_seats : sub->seats));
        const char *err = e ? seats_error(r, e) : NULL;
        html_render(b, "<div class=\"field\"><label for=\"seats\">%s</label>", T("Seats"));
        if (sub)
            html_render(b, "<p class=\"hint\" id=\"seats-hint\">%s</p>",
                        arena_printf(r->arena, T("From %lld to %lld seats."),
                                     (long long)sub->min_seats, (long long)sub->max_seats));
        if (err) html_render(b, "<p class=\"field-error\" id=\"seats-error\">%s</p>", err);
        html_render(b,
                    "<input id=\"seats\" name=\"seats\" type=\"text\" class=\"short\" "
                    "inputmode=\"numeric\" "
                    "autocomplete=\"off\" required value=\"%s\"",
                    typed ? controls_visible(r->arena, typed, false) : "");
        if (err)
            html_render(b, " aria-invalid=\"true\" aria-describedby=\"%Rseats-error\"></div>",
                        sub ? "seats-hint " : "");
        else
            html_render(b, "%R></div>", sub ? " aria-describedby=\"seats-hint\"" : "");
    }
    if (f->what == SUBCHG_CANCEL) {
        const char *err = e ? field_error_text(r, e->reason) : NULL;
        html_render(b, "<div class=\"field\"><label for=\"reason\">%s</label>",
                    T("Why are you cancelling? (optional)"));
        if (err) html_render(b, "<p class=\"field-error\" id=\"reason-error\">%s</p>", err);
        html_render(b,
                    "<textarea id=\"reason\" name=\"reason\" rows=\"3\" maxlength=\"%d\"%R>%s"
                    "</textarea></div>",
                    SUBCHG_REASON_MAX,
                    err ? " aria-invalid=\"true\" aria-describedby=\"reason-error\"" : "",
                    f->reason ? controls_visible(r->arena, f->reason, true) : "");
    }
    html_render(b, "<button type=\"submit\" class=\"primary\">%s</button></form>",
                T("Review the change"));
    html_render(b, "<p><a href=\"%s\">%s</a></p>", x->base, T("Back to the subscription"));
    layout_end(r);
}

/* What the change does, in a sentence. */
static const char *effect_text(req_t *r, const subchg_preview_t *p, const char *country)
{
    const subscription_row_t *a = &p->after, *s = &p->sub;
    const char *day = day_of(r, country, p->effective);
    const char *k = p->kind;
    if (strcmp(k, "add_product") == 0)
        return arena_printf(r->arena, T("%s with %s, billed %s, from today."), a->product_name,
                            seats_text(r, a->seats),
                            strcmp(a->billing_period, "annual") == 0 ? T("annually")
                                                                     : T("monthly"));
    if (strcmp(k, "add_seats") == 0)
        return arena_printf(r->arena, T("From today, %s instead of %lld."), seats_text(r, a->seats),
                            (long long)s->seats);
    if (strcmp(k, "remove_seats") == 0 && a->next_seats < 0)
        return arena_printf(r->arena,
                            T("The subscription keeps its %s at the next renewal, on %s."),
                            seats_text(r, a->seats), day);
    if (strcmp(k, "remove_seats") == 0)
        return arena_printf(r->arena,
                            T("From the next renewal, on %s, %s instead of %lld. Until then you "
                              "keep all %lld."),
                            day, seats_text(r, a->next_seats), (long long)s->seats,
                            (long long)s->seats);
    if (strcmp(k, "to_annual") == 0 && s->next_plan_id)
        return arena_printf(r->arena,
                            T("Billing stays annual: the move to monthly billing on %s "
                              "is called off."),
                            day);
    if (strcmp(k, "to_annual") == 0 && s->next_seats > 0)
        return arena_printf(r->arena,
                            T("From today, annual billing: a year from %s for the %lld seats the "
                              "subscription has now, with a credit for the unused part of the "
                              "current month. The change to %lld seats waiting for the renewal is "
                              "called off: lower the seats again whenever you like, for the next "
                              "renewal."),
                            day, (long long)s->seats, (long long)s->next_seats);
    if (strcmp(k, "to_annual") == 0)
        return arena_printf(r->arena,
                            T("From today, annual billing: a year from %s, with a credit for the "
                              "unused part of the current month."),
                            day);
    if (strcmp(k, "to_monthly") == 0)
        return arena_printf(r->arena,
                            T("From the next renewal, on %s, monthly billing. Until then the "
                              "annual period you paid for continues."),
                            day);
    if (strcmp(k, "cancel") == 0)
        return arena_printf(r->arena,
                            T("The subscription ends at the end of its period: you keep it until "
                              "%s and it does not renew on %s. You can undo this until then."),
                            last_day_of(r, country, s->period_end), day);
    if (strcmp(k, "undo_cancel") == 0)
        return arena_printf(r->arena, T("The subscription renews again on %s."),
                            day_of(r, country, s->period_end));
    return arena_printf(r->arena, T("%s starts again today with %s at the current price."),
                        a->product_name, seats_text(r, a->seats));
}

/* The line charged now, as the invoice will show it, and the totals. */
static void charge_table(req_t *r, const subchg_preview_t *p, const char *country)
{
    buf_t *b = &r->resp.body;
    const invoice_doc_t *inv = &p->charge;
    const invoice_line_t *l = &inv->lines[0];
    const char *cur = inv->currency;
    const char *period =
        arena_printf(r->arena, "%s \xE2\x80\x93 %s", day_of(r, country, l->period_start),
                     last_day_of(r, country, l->period_end));
    html_render(b,
                "<section class=\"card\" aria-labelledby=\"due\"><h2 id=\"due\">%s</h2>"
                "<div class=\"table-wrap\"><table class=\"stack changes\"><caption "
                "class=\"sr-only\">%s</caption><thead><tr><th scope=\"col\">%s</th>"
                "<th scope=\"col\" class=\"num\">%s</th></tr></thead><tbody>",
                T("Charged now"), T("Charged now"), T("Description"), T("Amount"));
    const char *what =
        l->term_days ? arena_printf(r->arena, T("%s, %s \xC3\x97 %s for %lld of %lld days, %s"),
                                    l->product_name, seats_text(r, l->seats),
                                    money_of(r, country, cur, l->unit_amount), (long long)l->days,
                                    (long long)l->term_days, period)
                     : arena_printf(r->arena, T("%s, %s \xC3\x97 %s, %s"), l->product_name,
                                    seats_text(r, l->seats),
                                    money_of(r, country, cur, l->unit_amount), period);
    /* The amounts as the invoice will show them (before tax, the two rows adding up to the
     * line's net): one rule for the preview and the invoice. */
    int64_t charge = l->net, credit = 0;
    if (l->is_change) invoice_change_amounts(l, inv->tax_mode, &charge, &credit);
    html_render(b,
                "<tr><td data-label=\"%s\">%s</td><td class=\"num\" data-label=\"%s\">%s</td></tr>",
                T("Description"), what, T("Amount"), money_of(r, country, cur, charge));
    if (credit)
        html_render(b,
                    "<tr class=\"credit\"><td data-label=\"%s\">%s</td><td class=\"num\" "
                    "data-label=\"%s\">%s</td></tr>",
                    T("Description"), T("Less the unused part of what this period was charged"),
                    T("Amount"), money_of(r, country, cur, -credit));
    html_render(b, "</tbody><tfoot><tr><th scope=\"row\">%s</th><td class=\"num\">%s</td></tr>",
                T("Subtotal"), money_of(r, country, cur, inv->subtotal));
    html_render(b, "<tr><th scope=\"row\">%s</th><td class=\"num\">%s</td></tr>", T("Tax"),
                money_of(r, country, cur, inv->tax_total));
    html_render(b,
                "<tr><th scope=\"row\">%s</th><td class=\"num\"><strong>%s</strong></td></tr>"
                "</tfoot></table></div>",
                T("Total charged now"), money_of(r, country, cur, inv->total));
    html_render(b, "</section>");
}

static void render_preview(req_t *r, const change_ctx_t *x, const subchg_form_t *f,
                           const subchg_preview_t *p, const char *error, const char *info)
{
    buf_t *b = &r->resp.body;
    const char *country = p->country;
    layout_begin(r, x->section, heading_of(r, f->what));
    html_render(b, "<h1>%s</h1>", heading_of(r, f->what));
    if (error) notice_error(r, error);
    if (error && x->card_href && p->has_card)
        html_render(b, "<p><a class=\"button\" href=\"%s\">%s</a></p>", x->card_href,
                    T("Replace the card"));
    if (info) notice_warning(r, info);
    if (f->what != SUBCHG_ADD) current_facts(r, p, country);
    html_render(b,
                "<section class=\"card\" aria-labelledby=\"what\"><h2 id=\"what\">%s</h2>"
                "<p>%s</p></section>",
                T("What changes"), effect_text(r, p, country));
    bool charges = p->now && p->charge.n_lines && p->charge.total > 0;
    if (charges) charge_table(r, p, country);
    const char *cur = p->sub.currency && *p->sub.currency ? p->sub.currency : p->after.currency;
    html_render(b, "<section class=\"card\" aria-labelledby=\"after\"><h2 id=\"after\">%s</h2><p>",
                T("Afterwards"));
    if (p->renews)
        html_text(b, T("Each renewal: %s (tax included), %s; the next one on %s."),
                  money_of(r, country, cur, p->renewal_total),
                  strcmp(p->after.next_billing_period, "monthly") == 0 ||
                          strcmp(p->after.billing_period, "monthly") == 0
                      ? T("every month")
                      : T("every year"),
                  day_of(r, country, p->renewal_date));
    else
        html_text(b, T("Nothing more is charged: the subscription does not renew."));
    html_render(b, "</p></section>");
    if (charges && !p->has_card) {
        notice_warning(r, T("There is no card on file to charge: add a card, then come back to "
                            "confirm."));
        if (x->card_href)
            html_render(b, "<p><a href=\"%s\">%s</a></p>", x->card_href, T("Add a card"));
    } else {
        form_open(r, arena_printf(r->arena, "%s/change", x->base), NULL);
        hidden(r, "do", subchg_do_name(f->what));
        hidden(r, "sub", arena_printf(r->arena, "%lld", (long long)f->subscription_id));
        hidden(r, "product", f->product);
        hidden(r, "seats", f->seats);
        hidden(r, "frequency", f->frequency);
        hidden(r, "reason", f->reason);
        hidden(r, "expected_total", arena_printf(r->arena, "%lld", (long long)p->charge.total));
        hidden(r, "expected_renewal", arena_printf(r->arena, "%lld", (long long)p->renewal_total));
        hidden(r, "step", "confirm");
        if (charges)
            html_render(b, "<p>%s</p>",
                        arena_printf(r->arena, T("%s will be charged to the %s card ending in %s."),
                                     money_of(r, country, cur, p->charge.total),
                                     card_brand_name(p->card.brand), p->card.last4));
        html_render(b, "<button type=\"submit\" class=\"primary\">%s</button></form>",
                    charges ? arena_printf(r->arena, T("Confirm and pay %s"),
                                           money_of(r, country, cur, p->charge.total))
                            : T("Confirm the change"));
    }
    html_render(b, "<p><a href=\"%s\">%s</a></p>", x->base,
                T("Back to the subscription, changing nothing"));
    layout_end(r);
}

static const char *decline_words(req_t *r, const char *code)
{
    return arena_printf(r->arena,
                        T("The card was declined (%s). Nothing was charged and nothing changed: "
                          "you can replace the card and try again."),
                        card_decline_reason(r, code));
}

/* The form's figures, as the preview showed them. */
static bool expected_of(req_t *r, int64_t *total, int64_t *renewal)
{
    const char *t = req_field(r, "expected_total"), *n = req_field(r, "expected_renewal");
    if (!t || !n || !*t || !*n || strspn(t, "0123456789") != strlen(t) ||
        strspn(n, "0123456789") != strlen(n) || strlen(t) > 18 || strlen(n) > 18)
        return false;
    *total = atoll(t);
    *renewal = atoll(n);
    return true;
}

static void confirm(req_t *r, const change_ctx_t *x, const subchg_form_t *f)
{
    int64_t total = 0, renewal = 0;
    subchg_errors_t e;
    subchg_result_t out;
    if (!expected_of(r, &total, &renewal)) {
        page_error(r, 400);
        return;
    }
    status_t st =
        subscription_change_confirm(r->svc, r->arena, &x->who, f, total, renewal, &out, &e);
    if (st == STATUS_INVALID) {
        subscription_page_t v;
        if (answer_status(r, subscription_page(r->svc, r->arena, x->who.account_id, &v))) return;
        r->resp.status = 400;
        render_form(r, x, f, &e, &v);
        return;
    }
    if (answer_status(r, st)) return;
    switch (out.outcome) {
    case SUBCHG_DONE:
        resp_redirect(r, arena_printf(r->arena, "%s?done=%lld", x->base, (long long)out.change_id));
        return;
    case SUBCHG_PENDING:
        resp_redirect(r,
                      arena_printf(r->arena, "%s?pending=%lld", x->base, (long long)out.change_id));
        return;
    case SUBCHG_CONFLICT:
        resp_redirect(
            r, arena_printf(r->arena, "%s?conflict=%lld", x->base, (long long)out.change_id));
        return;
    case SUBCHG_DIFFERENT:
        r->resp.status = 409;
        render_preview(r, x, f, &out.preview, NULL,
                       T("The amounts have changed since you looked at them (the day changed, or "
                         "the subscription did). Here they are again: nothing was charged."));
        return;
    case SUBCHG_NO_CARD:
        r->resp.status = 409;
        render_preview(r, x, f, &out.preview, NULL, NULL);
        return;
    case SUBCHG_BUSY:
        r->resp.status = 409;
        render_preview(r, x, f, &out.preview,
                       T("Another change to this account is being charged right now. Wait a "
                         "moment, then confirm again."),
                       NULL);
        return;
    case SUBCHG_DECLINED:
        r->resp.status = 402;
        render_preview(r, x, f, &out.preview, decline_words(r, out.decline_code), NULL);
        return;
    case SUBCHG_GATEWAY_DOWN:
        r->resp.status = 503;
        render_preview(r, x, f, &out.preview,
                       T("The payment service could not be reached. Nothing was charged and "
                         "nothing changed: please try again in a few minutes."),
                       NULL);
        return;
    }
}

void subscription_change_page(req_t *r, section_t section, const char *base, const char *card_href,
                              const subscriber_t *who)
{
    change_ctx_t x = {.section = section, .base = base, .card_href = card_href, .who = *who};
    bool posted = r->method == METHOD_POST;
    subchg_form_t f = form_of(r, posted);
    const char *step = posted ? req_field(r, "step") : NULL;
    /* What has no field to fill (the billing frequency, keeping a cancelled subscription) goes
     * straight to its preview. */
    bool no_fields = f.what == SUBCHG_FREQUENCY || f.what == SUBCHG_UNDO_CANCEL;
    if (posted && step && strcmp(step, "confirm") == 0) {
        confirm(r, &x, &f);
        return;
    }
    if (!posted && !no_fields) {
        subscription_page_t v;
        if (answer_status(r, subscription_page(r->svc, r->arena, who->account_id, &v))) return;
        bool known = f.what == SUBCHG_ADD ? v.can_add : false;
        for (size_t i = 0; i < v.n_subs && !known; i++)
            known = v.subs[i].id == f.subscription_id;
        if (!known) {
            page_error(r, 404);
            return;
        }
        render_form(r, &x, &f, NULL, &v);
        return;
    }
    subchg_preview_t p;
    subchg_errors_t e;
    status_t st = subscription_change_preview(r->svc, r->arena, who, &f, &p, &e);
    if (st == STATUS_INVALID) {
        subscription_page_t v;
        if (answer_status(r, subscription_page(r->svc, r->arena, who->account_id, &v))) return;
        r->resp.status = 400;
        render_form(r, &x, &f, &e, &v);
        return;
    }
    if (answer_status(r, st)) return;
    render_preview(r, &x, &f, &p, NULL, NULL);
}
