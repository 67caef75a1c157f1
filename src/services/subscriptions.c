/* The Subscription page's view and the working out of a change (docs/subscriptions.md): a change
 * is first written as a subscription_changes row (what it is, its days, its charge and credit),
 * and both its preview and its application derive the subscription it leaves and the line it
 * charges from that row alone, so that what is confirmed is exactly what was previewed. */
#include "services/subscriptions.h"

#include "billing/calendar.h"
#include "billing/money.h"
#include "billing/proration.h"
#include "billing/tax.h"
#include "services/billing.h"
#include "services/invoice_issue.h"
#include "services/payments.h"
#include "services/service_tx.h"
#include "services/services_internal.h"
#include "services/subscriptions_internal.h"
#include "util/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const do_names[] = {"add",    "seats",       "frequency",
                                       "cancel", "undo-cancel", "reactivate"};

bool subchg_do_parse(const char *s, subchg_do_t *out)
{
    for (size_t i = 0; s && i < sizeof do_names / sizeof do_names[0]; i++)
        if (strcmp(s, do_names[i]) == 0) {
            *out = (subchg_do_t)i;
            return true;
        }
    return false;
}

const char *subchg_do_name(subchg_do_t d)
{
    return (size_t)d < sizeof do_names / sizeof do_names[0] ? do_names[d] : "";
}

/* ---- what each subscription offers ------------------------------------------------------ */

static const plan_price_t *catalog_plan(const plan_price_t *cat, size_t n, int64_t product_id,
                                        const char *billing_period)
{
    for (size_t i = 0; i < n; i++)
        if (cat[i].product_id == product_id && strcmp(cat[i].billing_period, billing_period) == 0)
            return &cat[i];
    return NULL;
}

static bool has_active_product(const subscription_row_t *subs, size_t n, int64_t product_id)
{
    for (size_t i = 0; i < n; i++)
        if (subs[i].product_id == product_id && strcmp(subs[i].status, "active") == 0) return true;
    return false;
}

static const char *other_period(const char *p)
{
    return strcmp(p, "annual") == 0 ? "monthly" : "annual";
}

static bool offers(const subscription_row_t *sub, const subscription_row_t *all, size_t n,
                   const plan_price_t *cat, size_t n_cat, subchg_do_t what)
{
    bool active = strcmp(sub->status, "active") == 0;
    switch (what) {
    case SUBCHG_SEATS:
        return active && !sub->cancel_at_period_end;
    case SUBCHG_FREQUENCY:
        return active && !sub->cancel_at_period_end &&
               catalog_plan(cat, n_cat, sub->product_id, other_period(sub->billing_period));
    case SUBCHG_CANCEL:
        return active && !sub->cancel_at_period_end;
    case SUBCHG_UNDO_CANCEL:
        return active && sub->cancel_at_period_end;
    case SUBCHG_REACTIVATE:
        return !active && !has_active_product(all, n, sub->product_id) &&
               catalog_plan(cat, n_cat, sub->product_id, sub->billing_period);
    case SUBCHG_ADD:
        break;
    }
    return false;
}

/* The price of the next renewal as things stand (before tax); -1 when it will not renew. */
static int64_t renewal_amount(const subscription_row_t *sub)
{
    if (strcmp(sub->status, "active") != 0 || sub->cancel_at_period_end) return -1;
    int64_t seats = sub->next_seats > 0 ? sub->next_seats : sub->seats;
    int64_t unit = sub->next_unit_amount >= 0 ? sub->next_unit_amount : sub->unit_amount;
    int64_t amount = 0;
    return money_mul(seats, unit, &amount) ? amount : -1;
}

static status_t read_page(store_t *s, arena_t *a, int64_t account_id, subscription_page_t *o)
{
    memset(o, 0, sizeof *o);
    store_status_t r = store_account_by_id(s, a, account_id, &o->account);
    if (r == STORE_OK && strcmp(o->account.kind, "online") != 0) r = STORE_NOT_FOUND;
    if (r == STORE_OK) r = store_subscriptions_of(s, a, account_id, &o->subs, &o->n_subs);
    if (r == STORE_OK)
        r = store_catalog_priced(s, a, o->account.currency, &o->catalog, &o->n_catalog);
    if (r == STORE_OK)
        r = store_changes_of(s, a, account_id, SUBCHG_RECENT, &o->changes, &o->n_changes);
    if (r != STORE_OK) return outcome(r, REFUSED_NONE);
    o->payments_on = payments_gateway() != NULL;
    r = store_payment_card_of(s, a, account_id, &o->card);
    if (r != STORE_OK && r != STORE_NOT_FOUND) return outcome(r, REFUSED_NONE);
    o->has_card = r == STORE_OK;
    vendor_today_of(s, a, clock_now(), o->today);
    size_t n = o->n_subs + 1;
    o->renewal_amounts = arena_alloc(a, n * sizeof *o->renewal_amounts);
    bool **flags[] = {&o->can_seats, &o->can_frequency, &o->can_cancel, &o->can_undo_cancel,
                      &o->can_reactivate};
    subchg_do_t whats[] = {SUBCHG_SEATS, SUBCHG_FREQUENCY, SUBCHG_CANCEL, SUBCHG_UNDO_CANCEL,
                           SUBCHG_REACTIVATE};
    for (size_t f = 0; f < sizeof flags / sizeof flags[0]; f++)
        *flags[f] = arena_alloc(a, n * sizeof **flags[f]);
    for (size_t i = 0; i < o->n_subs; i++) {
        o->renewal_amounts[i] = renewal_amount(&o->subs[i]);
        for (size_t f = 0; f < sizeof flags / sizeof flags[0]; f++)
            (*flags[f])[i] =
                offers(&o->subs[i], o->subs, o->n_subs, o->catalog, o->n_catalog, whats[f]);
    }
    for (size_t i = 0; i < o->n_catalog && !o->can_add; i++)
        o->can_add = !has_active_product(o->subs, o->n_subs, o->catalog[i].product_id);
    return STATUS_OK;
}

status_t subscription_page(services_t *svc, arena_t *a, int64_t account_id,
                           subscription_page_t *out)
{
    status_t st = read_page(svc->store, a, account_id, out);
    return st == STATUS_OK ? dunning_view(svc, a, account_id, &out->dunning) : st;
}

/* ---- one change, as a subscription_changes row ------------------------------------------- */

/* The state of the subscription a change was worked out from: a change is made only while its
 * subscription is still in that state (docs/subscriptions.md, "Many writers"). */
char *subscription_basis(arena_t *a, const subscription_row_t *s)
{
    return arena_printf(a, "%lld|%s|%lld|%lld|%lld|%s|%s|%d|%lld|%lld|%lld|%lld|%s|%d",
                        (long long)s->id, s->status, (long long)s->plan_id, (long long)s->seats,
                        (long long)s->unit_amount, s->period_start, s->period_end, s->anchor_day,
                        (long long)s->next_seats, (long long)s->next_unit_amount,
                        (long long)s->next_plan_id, (long long)s->charged_amount, s->charged_from,
                        s->cancel_at_period_end ? 1 : 0);
}

/* A new product is co-termed with the account's active subscription of the same billing period
 * that renews soonest (its period holds today): it renews with it. NULL: none, the new one gets a
 * whole period of its own from today. */
const subscription_row_t *coterm_with(const subscription_row_t *subs, size_t n,
                                      const char *billing_period, const char *today)
{
    const subscription_row_t *best = NULL;
    for (size_t i = 0; i < n; i++) {
        const subscription_row_t *s = &subs[i];
        if (strcmp(s->status, "active") != 0 || strcmp(s->billing_period, billing_period) != 0 ||
            strcmp(s->period_start, today) > 0 || strcmp(s->period_end, today) <= 0)
            continue;
        if (!best || strcmp(s->period_end, best->period_end) < 0) best = s;
    }
    return best;
}

/* An addition's basis: the co-termed subscription's state (or none), and no active
 * subscription to the product. */
char *add_basis(arena_t *a, const subscription_row_t *coterm)
{
    return coterm ? arena_printf(a, "add|%s", subscription_basis(a, coterm)) : "add|none";
}

static char *date_text(arena_t *a, date_t d)
{
    char *t = arena_alloc(a, 11);
    date_format(d, t);
    return t;
}

/* What the current period was charged, for the credit: the last change's charge over its days,
 * or (none since the renewal) seats x unit price over the whole period. */
static bool charged_span_of(const subscription_row_t *s, charged_span_t *out)
{
    date_t start, end;
    if (!date_parse(s->period_start, &start) || !date_parse(s->period_end, &end)) return false;
    out->end = end;
    if (s->charged_amount >= 0 && date_parse(s->charged_from, &out->from)) {
        out->amount = s->charged_amount;
        return true;
    }
    out->from = start;
    return money_mul(s->seats, s->unit_amount, &out->amount);
}

/* The seats typed: a whole number within the product's limits. A whole number outside them (0,
 * or more digits than any limit) is told the limits, not asked for a whole number. */
static field_error_t seats_of(const char *text, int64_t min, int64_t max, int64_t *out)
{
    if (!text || !*text) return FIELD_REQUIRED;
    if (strspn(text, "0123456789") != strlen(text)) return FIELD_BAD_NUMBER;
    if (strlen(text) > 18) return FIELD_SEATS_RANGE; /* would not fit: beyond any limit */
    long long v = strtoll(text, NULL, 10);
    *out = v;
    return v < min || v > max ? FIELD_SEATS_RANGE : FIELD_OK;
}

/* A change that charges now, prorated: term_amount over [term_start, term_end) charged from
 * `from`, less the credit; false when the arithmetic refuses (overflow). */
static bool prorate(subscription_change_t *c, int64_t term_amount, date_t term_start,
                    date_t term_end, date_t from, int64_t credit)
{
    proration_t p;
    /* A credit above the new charge (the period was charged at a higher price than the
     * subscription's now) is cut to the charge: nothing is ever refunded by a change. */
    if (!proration_charge(term_amount, term_start, term_end, from, 0, &p)) return false;
    c->credit = credit < p.charge ? credit : p.charge;
    c->charge = p.charge;
    c->days = p.days;
    c->term_days = p.term_days;
    return true;
}

typedef struct {
    store_t *s;
    arena_t *a;
    const subscriber_t *who;
    const subchg_form_t *form;
    subchg_errors_t *e;
    account_t acc;
    subscription_row_t *subs;
    size_t n_subs;
    plan_price_t *catalog;
    size_t n_catalog;
    char today[11];
} plan_ctx_t;

static store_status_t plan_seats(plan_ctx_t *p, const subscription_row_t *sub,
                                 subscription_change_t *c, bool *now, refused_t *why)
{
    int64_t n = 0;
    p->e->min_seats = sub->min_seats, p->e->max_seats = sub->max_seats;
    p->e->seats = seats_of(p->form->seats, sub->min_seats, sub->max_seats, &n);
    int64_t target = sub->next_seats > 0 ? sub->next_seats : sub->seats;
    if (!p->e->seats && n == target) p->e->seats = FIELD_UNCHANGED;
    if (p->e->seats) return refuse(why, REFUSED_INVALID);
    c->plan_id = sub->plan_id;
    c->seats = n;
    c->from_seats = sub->seats;
    c->unit_amount = sub->unit_amount;
    if (n <= sub->seats) { /* fewer seats (or a decrease taken back): at the renewal */
        c->kind = "remove_seats";
        c->unit_amount = sub->next_unit_amount >= 0 ? sub->next_unit_amount : sub->unit_amount;
        return STORE_OK;
    }
    *now = true;
    c->kind = "add_seats";
    charged_span_t span;
    date_t today, start, end;
    int64_t credit = 0, term_amount = 0;
    date_parse(p->today, &today);
    if (!date_parse(sub->period_start, &start) || !date_parse(sub->period_end, &end))
        return STORE_ERROR;
    /* A period that has not begun yet (renewed ahead of its day) is charged from its start. */
    date_t from = date_cmp(today, start) < 0 ? start : today;
    if (!charged_span_of(sub, &span) || !proration_credit(&span, from, &credit) ||
        !money_mul(n, sub->unit_amount, &term_amount) ||
        !prorate(c, term_amount, start, end, from, credit))
        return STORE_ERROR;
    c->period_start = date_text(p->a, from);
    c->period_end = sub->period_end;
    c->anchor_day = sub->anchor_day;
    return STORE_OK;
}

static store_status_t plan_frequency(plan_ctx_t *p, const subscription_row_t *sub,
                                     subscription_change_t *c, bool *now, refused_t *why)
{
    const char *to = other_period(sub->billing_period);
    /* Annual to monthly waiting for the renewal, asked back: annual stays, nothing charged. */
    if (sub->next_plan_id) to = sub->billing_period;
    const plan_price_t *plan = catalog_plan(p->catalog, p->n_catalog, sub->product_id, to);
    if (!plan) return refuse(why, REFUSED_NOT_FOUND);
    c->plan_id = plan->plan_id;
    c->seats = sub->seats;
    c->from_seats = sub->seats;
    c->unit_amount = plan->unit_amount;
    c->from_period = sub->billing_period;
    if (sub->next_plan_id || strcmp(to, "monthly") == 0) {
        c->kind = strcmp(to, "monthly") == 0 ? "to_monthly" : "to_annual";
        if (sub->next_plan_id) c->unit_amount = sub->unit_amount;
        return STORE_OK;
    }
    /* Monthly to annual, now: a year from today, less the unused part of the month. */
    *now = true;
    c->kind = "to_annual";
    date_t today, end;
    date_parse(p->today, &today);
    end = period_end(today, PERIOD_ANNUAL, today.d);
    charged_span_t span;
    int64_t credit = 0, term_amount = 0;
    if (!charged_span_of(sub, &span) || !proration_credit(&span, today, &credit) ||
        !money_mul(c->seats, plan->unit_amount, &term_amount) ||
        !prorate(c, term_amount, today, end, today, credit))
        return STORE_ERROR;
    c->period_start = arena_strdup(p->a, p->today);
    c->period_end = date_text(p->a, end);
    c->anchor_day = today.d;
    return STORE_OK;
}

static store_status_t plan_reactivate(plan_ctx_t *p, const subscription_row_t *sub,
                                      subscription_change_t *c, bool *now, refused_t *why)
{
    const plan_price_t *plan =
        catalog_plan(p->catalog, p->n_catalog, sub->product_id, sub->billing_period);
    /* A period that began today cannot have ended yet: the bill run ends a subscription only at
     * the end of its period, so this is a clock set back (its period line would be billed twice).
     */
    if (!plan || strcmp(sub->period_start, p->today) >= 0) return refuse(why, REFUSED_NOT_FOUND);
    int64_t n = 0;
    p->e->min_seats = sub->min_seats, p->e->max_seats = sub->max_seats;
    p->e->seats = seats_of(p->form->seats, sub->min_seats, sub->max_seats, &n);
    if (p->e->seats) return refuse(why, REFUSED_INVALID);
    *now = true;
    c->kind = "reactivate";
    c->plan_id = plan->plan_id;
    c->seats = n;
    c->from_seats = sub->seats;
    c->unit_amount = plan->unit_amount; /* the price list's price today */
    date_t today, end;
    date_parse(p->today, &today);
    billing_period_t bp;
    billing_period_parse(sub->billing_period, &bp);
    end = period_end(today, bp, today.d);
    int64_t term_amount = 0;
    if (!money_mul(n, plan->unit_amount, &term_amount) ||
        !prorate(c, term_amount, today, end, today, 0))
        return STORE_ERROR;
    /* A whole period of its own: a period line, as a renewal's (no days, no credit). */
    c->days = c->term_days = 0;
    c->period_start = arena_strdup(p->a, p->today);
    c->period_end = date_text(p->a, end);
    c->anchor_day = today.d;
    return STORE_OK;
}

static store_status_t plan_add(plan_ctx_t *p, subscription_row_t *sub, subscription_change_t *c,
                               bool *now, refused_t *why)
{
    const plan_price_t *plan = NULL, *any = NULL;
    for (size_t i = 0; i < p->n_catalog; i++)
        if (p->form->product && strcmp(p->catalog[i].product_code, p->form->product) == 0) {
            any = &p->catalog[i];
            if (p->form->frequency && strcmp(p->catalog[i].billing_period, p->form->frequency) == 0)
                plan = &p->catalog[i];
        }
    if (!any)
        p->e->product = p->form->product && *p->form->product ? FIELD_BAD_CHOICE : FIELD_REQUIRED;
    else if (has_active_product(p->subs, p->n_subs, any->product_id))
        p->e->product = FIELD_DUPLICATE;
    if (!plan && !p->e->product)
        p->e->frequency =
            p->form->frequency && *p->form->frequency ? FIELD_BAD_CHOICE : FIELD_REQUIRED;
    int64_t n = 0;
    if (any) p->e->min_seats = any->min_seats, p->e->max_seats = any->max_seats;
    p->e->seats =
        seats_of(p->form->seats, any ? any->min_seats : 1, any ? any->max_seats : 1000000, &n);
    if (p->e->product || p->e->frequency || p->e->seats) return refuse(why, REFUSED_INVALID);
    *now = true;
    c->kind = "add_product";
    c->plan_id = plan->plan_id;
    c->seats = n;
    c->unit_amount = plan->unit_amount;
    date_t today;
    date_parse(p->today, &today);
    const subscription_row_t *co = coterm_with(p->subs, p->n_subs, plan->billing_period, p->today);
    int64_t term_amount = 0;
    if (!money_mul(n, plan->unit_amount, &term_amount)) return STORE_ERROR;
    if (co) {
        date_t start, end;
        date_parse(co->period_start, &start);
        date_parse(co->period_end, &end);
        if (!prorate(c, term_amount, start, end, today, 0)) return STORE_ERROR;
        c->period_end = co->period_end;
        c->anchor_day = co->anchor_day;
    } else {
        billing_period_t bp;
        billing_period_parse(plan->billing_period, &bp);
        date_t end = period_end(today, bp, today.d);
        if (!prorate(c, term_amount, today, end, today, 0)) return STORE_ERROR;
        c->days = c->term_days = 0; /* a whole period of its own */
        c->period_end = date_text(p->a, end);
        c->anchor_day = today.d;
    }
    c->period_start = arena_strdup(p->a, p->today);
    c->basis = add_basis(p->a, co);
    /* What the page shows as "before": the product, with no seats yet. */
    memset(sub, 0, sizeof *sub);
    sub->product_id = plan->product_id;
    sub->product_name = plan->product_name;
    sub->product_code = plan->product_code;
    sub->billing_period = plan->billing_period;
    sub->status = "new";
    sub->next_seats = sub->next_unit_amount = sub->charged_amount = -1;
    sub->currency = p->acc.currency;
    sub->period_start = sub->period_end = sub->charged_from = sub->cancel_reason = "";
    sub->next_billing_period = "";
    return STORE_OK;
}

/* Works out the change the form asks for into *c (and the subscription before it into *sub). */
static store_status_t plan_change(plan_ctx_t *p, subscription_row_t *sub, subscription_change_t *c,
                                  bool *now, refused_t *why)
{
    memset(c, 0, sizeof *c);
    *now = false;
    store_status_t r = store_account_by_id(p->s, p->a, p->who->account_id, &p->acc);
    if (r == STORE_OK && strcmp(p->acc.kind, "online") != 0) r = STORE_NOT_FOUND;
    if (r == STORE_OK) r = store_subscriptions_of(p->s, p->a, p->acc.id, &p->subs, &p->n_subs);
    if (r == STORE_OK)
        r = store_catalog_priced(p->s, p->a, p->acc.currency, &p->catalog, &p->n_catalog);
    if (r == STORE_NOT_FOUND) return refuse(why, REFUSED_NOT_FOUND);
    if (r != STORE_OK) return r;
    vendor_today_of(p->s, p->a, p->who->now, p->today);
    c->account_id = p->acc.id;
    c->currency = p->acc.currency;
    c->actor_kind = (char *)p->who->actor_kind;
    c->actor_id = p->who->actor_id;
    c->reason = c->from_period = c->decline_code = "";
    c->period_start = c->period_end = "";
    c->anchor_day = 1;
    const subchg_form_t *f = p->form;
    if (f->what == SUBCHG_ADD) return plan_add(p, sub, c, now, why);
    const subscription_row_t *found = NULL;
    for (size_t i = 0; i < p->n_subs && !found; i++)
        if (p->subs[i].id == f->subscription_id) found = &p->subs[i];
    if (!found || !offers(found, p->subs, p->n_subs, p->catalog, p->n_catalog, f->what))
        return refuse(why, REFUSED_NOT_FOUND);
    *sub = *found;
    c->subscription_id = sub->id;
    c->basis = subscription_basis(p->a, sub);
    c->anchor_day = sub->anchor_day;
    switch (f->what) {
    case SUBCHG_SEATS:
        return plan_seats(p, sub, c, now, why);
    case SUBCHG_FREQUENCY:
        return plan_frequency(p, sub, c, now, why);
    case SUBCHG_REACTIVATE:
        return plan_reactivate(p, sub, c, now, why);
    case SUBCHG_CANCEL:
        p->e->reason = check_lines(f->reason ? f->reason : "", false, SUBCHG_REASON_MAX);
        if (p->e->reason) return refuse(why, REFUSED_INVALID);
        c->reason = (char *)(f->reason ? f->reason : "");
        /* the rest is the subscription as it is */
        __attribute__((fallthrough));
    case SUBCHG_UNDO_CANCEL:
        c->kind = f->what == SUBCHG_CANCEL ? "cancel" : "undo_cancel";
        c->plan_id = sub->plan_id;
        c->seats = c->from_seats = sub->seats;
        c->unit_amount = sub->unit_amount;
        return STORE_OK;
    case SUBCHG_ADD:
        break;
    }
    return refuse(why, REFUSED_NOT_FOUND);
}

/* ---- what a change row makes of its subscription, and the line it charges ---------------- */

/* A period of its own from the change's day, on the change's plan and price, with nothing left
 * waiting for a renewal. */
static void start_period(subscription_row_t *after, const subscription_change_t *c)
{
    after->plan_id = c->plan_id;
    after->unit_amount = c->unit_amount;
    after->period_start = c->period_start;
    after->period_end = c->period_end;
    after->anchor_day = c->anchor_day;
    after->next_seats = after->next_unit_amount = -1;
    after->next_plan_id = 0;
    after->next_billing_period = "";
}

void subscription_after(const subscription_row_t *before, const subscription_change_t *c,
                        int64_t now, subscription_row_t *after)
{
    *after = *before;
    const char *k = c->kind;
    if (strcmp(k, "add_product") == 0 || strcmp(k, "reactivate") == 0) {
        start_period(after, c);
        after->account_id = c->account_id;
        after->status = "active";
        after->seats = c->seats;
        after->currency = c->currency;
        after->cancel_at_period_end = false;
        after->cancel_reason = "";
        after->cancel_requested_at = 0;
        /* A co-termed addition was charged part of its period: that is what a later change
         * credits. A whole period was charged seats x price, as a renewal. */
        after->charged_amount = c->term_days ? c->charge : -1;
        after->charged_from = c->term_days ? c->period_start : "";
        if (c->billing_period) after->billing_period = c->billing_period;
    } else if (strcmp(k, "add_seats") == 0) {
        after->seats = c->seats;
        after->next_seats = -1;
        after->charged_amount = c->charge;
        after->charged_from = c->period_start;
    } else if (strcmp(k, "remove_seats") == 0) {
        after->next_seats = c->seats == before->seats ? -1 : c->seats;
    } else if (strcmp(k, "to_annual") == 0 && before->next_plan_id) {
        after->next_plan_id = 0; /* a pending move to monthly taken back */
        after->next_unit_amount = -1;
        after->next_billing_period = "";
    } else if (strcmp(k, "to_annual") == 0) {
        start_period(after, c);
        after->billing_period = "annual";
        after->charged_amount = c->charge;
        after->charged_from = c->period_start;
    } else if (strcmp(k, "to_monthly") == 0) {
        after->next_plan_id = c->plan_id;
        after->next_unit_amount = c->unit_amount;
        after->next_billing_period = "monthly";
    } else if (strcmp(k, "cancel") == 0) {
        after->cancel_at_period_end = true;
        after->cancel_reason = c->reason;
        after->cancel_requested_at = now;
    } else if (strcmp(k, "undo_cancel") == 0) {
        after->cancel_at_period_end = false;
        after->cancel_reason = "";
        after->cancel_requested_at = 0;
    }
}

bool subscription_change_charges(const subscription_change_t *c)
{
    const char *k = c->kind;
    return strcmp(k, "add_product") == 0 || strcmp(k, "add_seats") == 0 ||
           strcmp(k, "reactivate") == 0 || (strcmp(k, "to_annual") == 0 && *c->period_start);
}

store_status_t subscription_change_price(store_t *s, arena_t *a, const subscription_change_t *c,
                                         const char *product_name, const char *billing_period,
                                         invoice_doc_t *inv)
{
    memset(inv, 0, sizeof *inv);
    store_status_t r = store_invoice_party(s, a, c->account_id, inv);
    account_t acc;
    if (r == STORE_OK) r = store_account_by_id(s, a, c->account_id, &acc);
    int64_t rate = 0;
    if (r == STORE_OK) r = store_tax_rate(s, acc.country, acc.region, &rate);
    if (r != STORE_OK) return r;
    tax_mode_t mode = TAX_EXCLUSIVE;
    if (!tax_mode_parse(setting_or(s, a, "tax_mode", "exclusive"), &mode)) mode = TAX_EXCLUSIVE;
    inv->lines = arena_alloc(a, sizeof *inv->lines);
    inv->n_lines = 1;
    bool is_change = c->term_days > 0;
    inv->lines[0] = (invoice_line_t){
        .product_name = (char *)product_name,
        .billing_period = (char *)billing_period,
        .period_start = c->period_start,
        .period_end = c->period_end,
        .seats = c->seats,
        .unit_amount = c->unit_amount,
        .days = c->days,
        .term_days = c->term_days,
        .is_change = is_change,
        .from_seats = strcmp(c->kind, "add_product") == 0 ? 0 : (is_change ? c->from_seats : 0),
        .from_period = is_change ? c->from_period : "",
        .credit = c->credit};
    int64_t amount = c->charge - c->credit;
    if (!invoice_price_lines(a, inv, &amount, rate, mode)) return STORE_ERROR;
    inv->tax_mode = (char *)tax_mode_name(mode);
    inv->currency = c->currency;
    return STORE_OK;
}

/* Each renewal after the change, with tax (0 when it will not renew). */
static store_status_t renewal_of(store_t *s, arena_t *a, const account_t *acc,
                                 const subscription_row_t *after, subchg_preview_t *o)
{
    int64_t amount = renewal_amount(after);
    o->renews = amount >= 0;
    snprintf(o->renewal_date, sizeof o->renewal_date, "%s", after->period_end);
    if (!o->renews) return STORE_OK;
    int64_t rate = 0;
    store_status_t r = store_tax_rate(s, acc->country, acc->region, &rate);
    if (r != STORE_OK) return r;
    tax_mode_t mode = TAX_EXCLUSIVE;
    if (!tax_mode_parse(setting_or(s, a, "tax_mode", "exclusive"), &mode)) mode = TAX_EXCLUSIVE;
    tax_split_t split;
    if (!tax_split(amount, rate, mode, &split)) return STORE_ERROR;
    o->renewal_subtotal = split.net;
    o->renewal_tax = split.tax;
    o->renewal_total = split.gross;
    return STORE_OK;
}

store_status_t subscription_change_plan(store_t *s, arena_t *a, const subscriber_t *who,
                                        const subchg_form_t *form, subscription_change_t *c,
                                        subchg_preview_t *o, subchg_errors_t *e, refused_t *why)
{
    memset(o, 0, sizeof *o);
    memset(e, 0, sizeof *e);
    plan_ctx_t p = {.s = s, .a = a, .who = who, .form = form, .e = e};
    bool now = false;
    store_status_t r = plan_change(&p, &o->sub, c, &now, why);
    if (r != STORE_OK) return r;
    o->what = form->what;
    o->kind = c->kind;
    o->now = now;
    o->country = p.acc.country;
    subscription_row_t after;
    subscription_after(&o->sub, c, who->now, &after);
    o->after = after;
    snprintf(o->effective, sizeof o->effective, "%s",
             now || strcmp(c->kind, "undo_cancel") == 0 ? p.today : o->sub.period_end);
    const plan_price_t *plan = NULL;
    for (size_t i = 0; i < p.n_catalog && !plan; i++)
        if (p.catalog[i].plan_id == c->plan_id) plan = &p.catalog[i];
    c->billing_period = plan ? plan->billing_period : o->sub.billing_period;
    c->product_name = o->sub.product_name;
    if (now) {
        r = subscription_change_price(s, a, c, o->sub.product_name, c->billing_period, &o->charge);
        if (r != STORE_OK) return r;
        c->subtotal = o->charge.subtotal;
        c->tax_total = o->charge.tax_total;
        c->total = o->charge.total;
    }
    r = renewal_of(s, a, &p.acc, &after, o);
    if (r != STORE_OK) return r;
    c->renewal_total = o->renewal_total;
    o->basis = c->basis;
    r = store_payment_card_of(s, a, p.acc.id, &o->card);
    if (r != STORE_OK && r != STORE_NOT_FOUND) return r;
    o->has_card = r == STORE_OK;
    return STORE_OK;
}

typedef struct {
    arena_t *a;
    const subscriber_t *who;
    const subchg_form_t *form;
    subchg_preview_t *out;
    subchg_errors_t *errors;
    refused_t refused;
} preview_tx_t;

static store_status_t preview_body(store_t *s, void *arg)
{
    preview_tx_t *t = arg;
    t->refused = REFUSED_NONE;
    subscription_change_t c;
    return subscription_change_plan(s, t->a, t->who, t->form, &c, t->out, t->errors, &t->refused);
}

status_t subscription_change_preview(services_t *svc, arena_t *a, const subscriber_t *who,
                                     const subchg_form_t *form, subchg_preview_t *out,
                                     subchg_errors_t *errors)
{
    preview_tx_t t = {.a = a, .who = who, .form = form, .out = out, .errors = errors};
    store_status_t r = store_run_tx(svc->store, STORE_TX_READ, preview_body, &t);
    return outcome(r, t.refused);
}

status_t subscription_change_view(services_t *svc, arena_t *a, int64_t account_id,
                                  int64_t change_id, subscription_change_t *out)
{
    store_status_t r = store_change_by_id(svc->store, a, change_id, out);
    if (r == STORE_OK && out->account_id != account_id) r = STORE_NOT_FOUND;
    return outcome(r, REFUSED_NONE);
}
