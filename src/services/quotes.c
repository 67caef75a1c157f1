/* Quotes: drafts, sending, revisions, withdrawal, acceptance (subscriptions changed and the
 * prorated invoice issued in the same transaction) and rejection; views for both sides. */
#include "quotes.h"
#include "billing.h"
#include "billing/money.h"
#include "billing/tax.h"
#include "i18n/format.h"
#include "i18n/i18n.h"
#include "mail.h"
#include "services/invoice_issue.h"
#include "services/purchase_orders.h"
#include "service_tx.h"
#include "services_internal.h"
#include "util/form.h"
#include "util/log.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- dates and states ---------------------------------------------------------------------- */

void vendor_today(const char *time_zone, int64_t now, char out[11])
{
    GTimeZone *tz = time_zone && *time_zone ? g_time_zone_new_identifier(time_zone) : NULL;
    GDateTime *utc = g_date_time_new_from_unix_utc(now);
    GDateTime *local = utc && tz ? g_date_time_to_timezone(utc, tz) : NULL;
    GDateTime *t = local ? local : utc;
    if (t)
        date_format((date_t){.y = g_date_time_get_year(t),
                             .m = g_date_time_get_month(t),
                             .d = g_date_time_get_day_of_month(t)},
                    out);
    else
        date_format(date_from_unix(now), out);
    if (local) g_date_time_unref(local);
    if (utc) g_date_time_unref(utc);
    if (tz) g_time_zone_unref(tz);
}

const char *quote_shown_state(const quote_t *q, const char *today)
{
    if (strcmp(q->state, "sent") == 0 && strcmp(q->valid_until, today) < 0) return "expired";
    return q->state;
}

quote_block_t quote_decision_block(const quote_t *q, const char *today)
{
    const char *st = quote_shown_state(q, today);
    static const struct {
        const char *state;
        quote_block_t block;
    } blocks[] = {{"draft", QUOTE_IS_DRAFT},       {"accepted", QUOTE_IS_ACCEPTED},
                  {"rejected", QUOTE_IS_REJECTED}, {"withdrawn", QUOTE_IS_WITHDRAWN},
                  {"expired", QUOTE_IS_EXPIRED},   {"superseded", QUOTE_IS_SUPERSEDED}};
    for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++)
        if (strcmp(st, blocks[i].state) == 0) return blocks[i].block;
    return QUOTE_ACTIONABLE;
}

static const char *const reject_names[REJECT_REASONS] = {"price", "timing", "seats", "other"};

const char *reject_reason_name(reject_reason_t r)
{
    return r < REJECT_REASONS ? reject_names[r] : "";
}

const char *reject_reason_label(const char *name)
{
    /* TRANSLATORS: reasons a customer gives for rejecting a quote. */
    static const char *const labels[REJECT_REASONS] = {"The price", "The timing",
                                                       "The number of seats", "Another reason"};
    for (int i = 0; i < REJECT_REASONS; i++)
        if (name && strcmp(name, reject_names[i]) == 0) return labels[i];
    return labels[REJECT_OTHER];
}

static void today_of(store_t *s, arena_t *a, int64_t now, char out[11])
{
    vendor_today_of(s, a, now, out);
}

/* ---- who may do what --------------------------------------------------------------------- */

bool quote_staff_may_manage(const quote_staff_ctx_t *ctx, const account_t *acc)
{
    if (!ctx->role || strcmp(acc->kind, "corporate") != 0) return false;
    if (strcmp(ctx->role, "admin") == 0 || strcmp(ctx->role, "account_services") == 0) return true;
    return strcmp(ctx->role, "sales_rep") == 0 && acc->sales_rep_id == ctx->staff_id;
}

/* The quote number of the staff member's manageable account, with it; STORE_NOT_FOUND for a
 * quote they may not see (so it answers 404 like one that does not exist). */
static store_status_t staff_quote(store_t *s, arena_t *a, const quote_staff_ctx_t *ctx,
                                  const char *number, quote_t *q, account_t *acc)
{
    store_status_t r = store_quote_by_number(s, a, number ? number : "", q);
    if (r == STORE_OK) r = store_account_by_id(s, a, q->account_id, acc);
    if (r == STORE_OK && !quote_staff_may_manage(ctx, acc)) r = STORE_NOT_FOUND;
    return r;
}

/* ---- the term and the prices -------------------------------------------------------------- */

/* The annual term additions co-term with: the account's soonest renewal (its subscription's
 * current period); none active: a year from today. *anchor_day receives the day renewals fall
 * on. */
static void account_term(const account_subscription_t *subs, size_t n, const char *today,
                         char start[11], char end[11], int *anchor_day)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(subs[i].billing_period, "annual") != 0) continue;
        snprintf(start, 11, "%s", subs[i].period_start);
        snprintf(end, 11, "%s", subs[i].period_end);
        *anchor_day = subs[i].anchor_day;
        return;
    }
    date_t d;
    date_parse(today, &d);
    date_format(d, start);
    date_format(period_end(d, PERIOD_ANNUAL, d.d), end);
    *anchor_day = d.d;
}

static const account_subscription_t *sub_by_id(const account_subscription_t *subs, size_t n,
                                               int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (subs[i].id == id) return &subs[i];
    return NULL;
}

/* Prices every line of q (their stored amounts are replaced) and its totals, at rate: due on
 * acceptance (the co-termed additions), and the account's annual amount from the next renewal
 * once the lines apply. False when a line cannot be priced (*bad_line receives its index) or
 * on overflow. */
static bool price_quote(arena_t *a, quote_t *q, const account_subscription_t *subs, size_t n_subs,
                        int64_t rate, tax_mode_t mode, size_t *bad_line, quote_calc_status_t *why)
{
    date_t start, end, effective;
    *why = QUOTE_CALC_BAD_DATES;
    *bad_line = 0;
    if (!date_parse(q->term_start, &start) || !date_parse(q->term_end, &end) ||
        !date_parse(q->effective_date, &effective))
        return false;
    int64_t *due = arena_alloc(a, (q->n_lines + 1) * sizeof *due);
    int64_t *rates = arena_alloc(a, (q->n_lines + n_subs + 1) * sizeof *rates);
    int64_t *renewal = arena_alloc(a, (q->n_lines + n_subs + 1) * sizeof *renewal);
    /* What each subscription renews with, before and after the lines. */
    int64_t *seats = arena_alloc(a, (n_subs + 1) * sizeof *seats);
    int64_t *unit = arena_alloc(a, (n_subs + 1) * sizeof *unit);
    for (size_t i = 0; i < n_subs; i++) {
        seats[i] = subs[i].next_seats > 0 ? subs[i].next_seats : subs[i].seats;
        unit[i] = subs[i].next_unit_amount >= 0 ? subs[i].next_unit_amount : subs[i].unit_amount;
    }
    size_t n_due = 0, n_renewal = 0;
    for (size_t i = 0; i < q->n_lines; i++) {
        quote_line_t *l = &q->lines[i];
        quote_line_terms_t t = {
            .seats = l->seats, .unit_amount = l->unit_amount, .discount_value = l->discount_value};
        quote_line_amounts_t am;
        *bad_line = i;
        if (!quote_line_kind_parse(l->kind, &t.kind) ||
            !discount_kind_parse(l->discount_kind, &t.discount_kind)) {
            *why = QUOTE_CALC_BAD_DISCOUNT;
            return false;
        }
        *why = quote_line_price(&t, start, end, effective, &am);
        if (*why != QUOTE_CALC_OK) return false;
        l->list_amount = am.list_amount;
        l->discount = am.discount;
        l->term_net = am.term_net;
        l->days = am.days;
        l->term_days = am.term_days;
        l->due_now = am.due_now;
        l->renewal_unit_amount = am.renewal_unit_amount;
        if (t.kind == QUOTE_ADD_PRODUCT || t.kind == QUOTE_ADD_SEATS) {
            due[n_due++] = am.due_now;
            if (!money_mul(l->seats, am.renewal_unit_amount, &renewal[n_renewal])) goto overflow;
            n_renewal++;
            continue;
        }
        size_t k = 0;
        while (k < n_subs && subs[k].id != l->subscription_id)
            k++;
        if (k == n_subs) {
            *why = QUOTE_CALC_BAD_SEATS;
            return false;
        }
        if (t.kind == QUOTE_REMOVE_SEATS) {
            if (l->seats >= seats[k]) {
                *why = QUOTE_CALC_BAD_SEATS; /* at least one seat stays: cancelling is a request */
                return false;
            }
            seats[k] -= l->seats;
        } else {
            seats[k] = l->seats;
            unit[k] = am.renewal_unit_amount;
        }
    }
    for (size_t i = 0; i < n_subs; i++)
        if (!money_mul(seats[i], unit[i], &renewal[n_renewal++])) goto overflow;
    for (size_t i = 0; i < q->n_lines + n_subs; i++)
        rates[i] = rate;
    tax_subtotal_t *sub = arena_alloc(a, (q->n_lines + n_subs + 1) * sizeof *sub);
    size_t n_sub = 0;
    tax_totals_t due_totals, renewal_totals;
    if (!tax_totals(due, rates, n_due, mode, sub, &n_sub, &due_totals) ||
        !tax_totals(renewal, rates, n_renewal, mode, sub, &n_sub, &renewal_totals))
        goto overflow;
    q->due_subtotal = due_totals.subtotal;
    q->due_tax = due_totals.tax_total;
    q->due_total = due_totals.total;
    q->renewal_subtotal = renewal_totals.subtotal;
    q->renewal_tax = renewal_totals.tax_total;
    q->renewal_total = renewal_totals.total;
    q->tax_rate_ppm = rate;
    q->tax_mode = (char *)tax_mode_name(mode);
    return true;
overflow:
    *why = QUOTE_CALC_OVERFLOW;
    return false;
}

/* The vendor's tax mode and the account's rate: STORE_NOT_FOUND when its region has none. */
static store_status_t tax_of(store_t *s, arena_t *a, const account_t *acc, int64_t *rate,
                             tax_mode_t *mode)
{
    if (!tax_mode_parse(setting_or(s, a, "tax_mode", "exclusive"), mode)) *mode = TAX_EXCLUSIVE;
    return store_tax_rate(s, acc->country, acc->region, rate);
}

/* ---- creating and editing drafts ------------------------------------------------------------ */

typedef struct {
    store_t *s;
    arena_t *a;
    const quote_staff_ctx_t *ctx;
    int64_t account_id;
    const char *number;
    const quote_form_t *form;
    quote_errors_t *errors;
    refused_t refused;
    char *out_number;
    bool mail_queued;
} staff_tx_t;

static store_status_t create_body(store_t *s, void *arg)
{
    staff_tx_t *t = arg;
    t->refused = REFUSED_NONE;
    account_t acc;
    store_status_t r = store_account_by_id(s, t->a, t->account_id, &acc);
    if (r == STORE_NOT_FOUND || (r == STORE_OK && !quote_staff_may_manage(t->ctx, &acc)))
        return refuse(&t->refused, REFUSED_NOT_FOUND);
    if (r != STORE_OK) return r;
    account_subscription_t *subs = NULL;
    size_t n_subs = 0;
    r = store_account_subscriptions(s, t->a, acc.id, &subs, &n_subs);
    if (r != STORE_OK) return r;
    char today[11], valid[11];
    today_of(s, t->a, t->ctx->now, today);
    date_t d;
    date_parse(today, &d);
    quote_t q = {.account_id = acc.id,
                 .revision = 1,
                 .sales_rep_id = acc.sales_rep_id,
                 .created_by = t->ctx->staff_id,
                 .currency = acc.currency,
                 .lang = acc.lang,
                 .effective_date = today,
                 .payment_terms_days = QUOTE_TERMS_DAYS,
                 .customer_note = "",
                 .internal_note = ""};
    int anchor = 1;
    q.term_start = arena_alloc(t->a, 11);
    q.term_end = arena_alloc(t->a, 11);
    account_term(subs, n_subs, today, q.term_start, q.term_end, &anchor);
    date_format(date_add_days(d, QUOTE_VALID_DAYS), valid);
    q.valid_until = valid;
    char series[16];
    snprintf(series, sizeof series, "Q-%04d", d.y);
    q.series = series;
    r = store_quote_seq_next(s, series, &q.seq);
    if (r != STORE_OK) return r;
    q.number = arena_printf(t->a, "%s-%06lld", series, (long long)q.seq);
    q.base_number = q.number;
    int64_t id = 0;
    r = store_quote_insert(s, &q, t->ctx->now, &id);
    if (r == STORE_OK)
        r = audit(s, "staff", t->ctx->staff_id, acc.id, "quote_created", "quote", "", q.number,
                  t->ctx->ip, t->ctx->now);
    t->out_number = q.number;
    return r;
}

status_t quote_create(services_t *svc, arena_t *a, const quote_staff_ctx_t *ctx, int64_t account_id,
                      char **number)
{
    staff_tx_t t = {.a = a, .ctx = ctx, .account_id = account_id};
    store_status_t r = store_run_tx(svc->store, STORE_TX_WRITE, create_body, &t);
    status_t st = outcome(r, t.refused);
    if (st == STATUS_OK) *number = t.out_number;
    return st;
}

/* A whole number of at least 1 (seats, days): false otherwise. */
static bool parse_count(const char *s, int64_t max, int64_t *out)
{
    if (!s || !*s) return false;
    char *end = NULL;
    long long v = strtoll(s, &end, 10);
    if (*end || v < 0 || v > max) return false;
    for (const char *p = s; *p; p++)
        if (*p < '0' || *p > '9') return false;
    *out = v;
    return true;
}

/* A percent as typed ("10", "12.5", "12,5") in parts per million. */
static bool parse_percent(const char *s, int64_t *ppm)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%s", s);
    for (char *p = buf; *p; p++)
        if (*p == ',') *p = '.';
    int64_t v = 0;
    if (!money_parse(buf, 4, &v) || v < 0 || v > DISCOUNT_PERCENT_ONE) return false;
    *ppm = v;
    return true;
}

static const char *trimmed(arena_t *a, const char *s)
{
    return str_trim(arena_strdup(a, s ? s : ""));
}

/* The form's lines as quote lines, checked field by field against the account's subscriptions
 * and the plans on sale; false with errors set. Rows with no seats typed are no lines. */
static bool lines_of_form(arena_t *a, const quote_form_t *f, const account_t *acc,
                          const account_subscription_t *subs, size_t n_subs,
                          const plan_price_t *plans, size_t n_plans, quote_errors_t *e,
                          quote_line_t **out, size_t *n)
{
    int exponent = currency_exponent(acc->currency);
    *out = arena_alloc(a, (QUOTE_LINES_MAX + 1) * sizeof **out);
    *n = 0;
    bool ok = true;
    for (size_t i = 0; i < f->n_lines && i < QUOTE_LINES_MAX; i++) {
        const quote_line_form_t *lf = &f->lines[i];
        const char *seats = trimmed(a, lf->seats);
        if (!*seats) continue;
        quote_line_t l = {.position = (int64_t)*n + 1, .discount_kind = "none"};
        quote_line_kind_t kind;
        if (!quote_line_kind_parse(lf->kind, &kind)) {
            e->kind[i] = FIELD_BAD_CHOICE;
            ok = false;
            continue;
        }
        l.kind = (char *)quote_line_kind_name(kind);
        if (!parse_count(seats, 1000000, &l.seats) || l.seats == 0) e->seats[i] = FIELD_BAD_NUMBER;
        int64_t list_price = -1;
        if (kind == QUOTE_ADD_PRODUCT) {
            int64_t plan = 0;
            const plan_price_t *p = NULL;
            if (parse_count(trimmed(a, lf->plan_id), INT64_MAX, &plan))
                for (size_t k = 0; k < n_plans && !p; k++)
                    if (plans[k].plan_id == plan) p = &plans[k];
            if (!p) {
                e->product[i] = FIELD_BAD_CHOICE;
            } else {
                l.plan_id = p->plan_id;
                l.product_name = p->product_name;
                list_price = p->unit_amount;
            }
        } else {
            int64_t sub_id = 0;
            const account_subscription_t *sub = NULL;
            if (parse_count(trimmed(a, lf->subscription_id), INT64_MAX, &sub_id))
                sub = sub_by_id(subs, n_subs, sub_id);
            if (!sub) {
                e->product[i] = FIELD_BAD_CHOICE;
            } else {
                l.plan_id = sub->plan_id;
                l.product_name = sub->product_name;
                /* Seats added to a product renew as a block of their own (quote_calc.h): the
                 * subscription named is what they add to; the other kinds change it. */
                l.subscription_id = sub->id;
                list_price = sub->next_unit_amount >= 0 ? sub->next_unit_amount : sub->unit_amount;
            }
        }
        const char *price = trimmed(a, lf->unit_price);
        if (kind == QUOTE_REMOVE_SEATS) {
            l.unit_amount = 0;
        } else if (!*price) {
            l.unit_amount = list_price > 0 ? list_price : 0;
        } else if (exponent < 0 ||
                   !money_parse_typed(price, exponent, f->decimal_mark, &l.unit_amount) ||
                   l.unit_amount < 0) {
            e->unit_price[i] = FIELD_BAD_AMOUNT;
        }
        discount_kind_t dk = DISCOUNT_NONE;
        const char *dtext = trimmed(a, lf->discount);
        const char *dkind = lf->discount_kind && *lf->discount_kind ? lf->discount_kind : "none";
        if (!discount_kind_parse(dkind, &dk)) {
            e->discount[i] = FIELD_BAD_CHOICE;
        } else if (dk != DISCOUNT_NONE && !*dtext) {
            dk = DISCOUNT_NONE; /* a kind chosen with no value: no discount */
        } else if (dk == DISCOUNT_PERCENT) {
            if (!parse_percent(dtext, &l.discount_value)) e->discount[i] = FIELD_BAD_PERCENT;
        } else if (dk == DISCOUNT_AMOUNT) {
            if (exponent < 0 ||
                !money_parse_typed(dtext, exponent, f->decimal_mark, &l.discount_value) ||
                l.discount_value < 0)
                e->discount[i] = FIELD_BAD_AMOUNT;
        } else if (*dtext) {
            e->discount[i] = FIELD_BAD_CHOICE; /* a value with no kind */
        }
        l.discount_kind = (char *)discount_kind_name(dk);
        if (e->seats[i] || e->product[i] || e->unit_price[i] || e->discount[i]) {
            ok = false;
            continue;
        }
        (*out)[(*n)++] = l;
    }
    return ok;
}

/* The reason a line cannot be priced, on its field. */
static void line_error(quote_errors_t *e, size_t line, quote_calc_status_t why)
{
    if (line >= QUOTE_LINES_MAX) return;
    switch (why) {
    case QUOTE_CALC_BAD_SEATS:
        e->seats[line] = FIELD_TOO_MANY_SEATS;
        break;
    case QUOTE_CALC_BAD_PRICE:
    case QUOTE_CALC_OVERFLOW:
        e->unit_price[line] = FIELD_BAD_AMOUNT;
        break;
    case QUOTE_CALC_BAD_DISCOUNT:
        e->discount[line] = FIELD_DISCOUNT_TOO_BIG;
        break;
    default:
        break;
    }
}

/* The form's line index of the n-th line kept (rows with no seats are skipped). */
static size_t form_row_of(const quote_form_t *f, arena_t *a, size_t kept)
{
    size_t seen = 0;
    for (size_t i = 0; i < f->n_lines; i++) {
        if (!*trimmed(a, f->lines[i].seats)) continue;
        if (seen++ == kept) return i;
    }
    return kept;
}

/* The draft t->number of an account the staff member may manage; a refusal otherwise (404 for
 * someone else's, 409 for a quote no longer a draft). */
static store_status_t staff_draft(store_t *s, staff_tx_t *t, quote_t *q, account_t *acc)
{
    store_status_t r = staff_quote(s, t->a, t->ctx, t->number, q, acc);
    if (r == STORE_NOT_FOUND) return refuse(&t->refused, REFUSED_NOT_FOUND);
    if (r != STORE_OK) return r;
    if (strcmp(q->state, "draft") != 0) return refuse(&t->refused, REFUSED_CONFLICT);
    return STORE_OK;
}

/* The draft q as the form would make it (header and lines, checked field by field against the
 * account's subscriptions, the plans on sale and the term), priced at rate: false with errors
 * set when a field is refused or a line cannot be priced. Writes nothing: saving stores what it
 * made, the live preview only shows it. */
static bool draft_of_form(arena_t *a, const quote_form_t *f, const char *today, quote_t *q,
                          const account_t *acc, const account_subscription_t *subs, size_t n_subs,
                          const plan_price_t *plans, size_t n_plans, int64_t rate, tax_mode_t mode,
                          quote_errors_t *e)
{
    date_t eff, valid, term_start, term_end, now_day;
    date_parse(today, &now_day);
    date_parse(q->term_start, &term_start);
    date_parse(q->term_end, &term_end);
    const char *eff_text = trimmed(a, f->effective_date);
    const char *valid_text = trimmed(a, f->valid_until);
    if (!date_parse(eff_text, &eff))
        e->effective_date = FIELD_BAD_DATE;
    else if (date_cmp(eff, term_start) < 0 || date_cmp(eff, term_end) >= 0)
        e->effective_date = FIELD_OUTSIDE_TERM;
    if (!date_parse(valid_text, &valid))
        e->valid_until = FIELD_BAD_DATE;
    else if (date_cmp(valid, now_day) < 0)
        e->valid_until = FIELD_PAST_DATE;
    int64_t terms = 0;
    if (!parse_count(trimmed(a, f->payment_terms), QUOTE_TERMS_MAX_DAYS, &terms))
        e->payment_terms = FIELD_BAD_NUMBER;
    e->customer_note = check_lines(f->customer_note ? f->customer_note : "", false, QUOTE_NOTE_MAX);
    e->internal_note = check_lines(f->internal_note ? f->internal_note : "", false, QUOTE_NOTE_MAX);
    quote_line_t *lines = NULL;
    size_t n_lines = 0;
    bool lines_ok = lines_of_form(a, f, acc, subs, n_subs, plans, n_plans, e, &lines, &n_lines);
    if (!lines_ok || e->effective_date || e->valid_until || e->payment_terms || e->customer_note ||
        e->internal_note)
        return false;
    q->effective_date = (char *)eff_text;
    q->valid_until = (char *)valid_text;
    q->payment_terms_days = terms;
    q->customer_note = (char *)trimmed(a, f->customer_note);
    q->internal_note = (char *)trimmed(a, f->internal_note);
    q->lines = lines;
    q->n_lines = n_lines;
    /* Priced now so that a line that cannot be (too many seats removed, a discount over the
     * line) is refused here, on its row, not when sending. */
    size_t bad = 0;
    quote_calc_status_t why = QUOTE_CALC_OK;
    if (!price_quote(a, q, subs, n_subs, rate, mode, &bad, &why)) {
        if (why == QUOTE_CALC_BAD_DATES)
            e->effective_date = FIELD_OUTSIDE_TERM;
        else
            line_error(e, form_row_of(f, a, bad), why);
        return false;
    }
    return true;
}

static store_status_t save_body(store_t *s, void *arg)
{
    staff_tx_t *t = arg;
    t->refused = REFUSED_NONE;
    memset(t->errors, 0, sizeof *t->errors);
    quote_t q;
    account_t acc;
    store_status_t r = staff_draft(s, t, &q, &acc);
    if (r != STORE_OK) return r;
    account_subscription_t *subs = NULL;
    plan_price_t *plans = NULL;
    size_t n_subs = 0, n_plans = 0;
    r = store_account_subscriptions(s, t->a, acc.id, &subs, &n_subs);
    if (r == STORE_OK) r = store_plans_priced(s, t->a, acc.currency, "annual", &plans, &n_plans);
    if (r != STORE_OK) return r;
    char today[11];
    today_of(s, t->a, t->ctx->now, today);
    /* Tax is left out here: a draft stores its lines; sending prices them with today's rate. */
    if (!draft_of_form(t->a, t->form, today, &q, &acc, subs, n_subs, plans, n_plans, 0,
                       TAX_EXCLUSIVE, t->errors))
        return refuse(&t->refused, REFUSED_INVALID);
    r = store_quote_update_draft(s, &q);
    if (r == STORE_OK) r = store_quote_lines_replace(s, q.id, q.lines, q.n_lines);
    if (r == STORE_OK)
        r = audit(s, "staff", t->ctx->staff_id, acc.id, "quote_saved", "quote", "", q.number,
                  t->ctx->ip, t->ctx->now);
    return r;
}

status_t quote_save_draft(services_t *svc, arena_t *a, const quote_staff_ctx_t *ctx,
                          const char *number, const quote_form_t *form, quote_errors_t *errors)
{
    staff_tx_t t = {.a = a, .ctx = ctx, .number = number, .form = form, .errors = errors};
    store_status_t r = store_run_tx(svc->store, STORE_TX_WRITE, save_body, &t);
    return outcome(r, t.refused);
}

/* The views below read without a transaction of their own: a page's reads already run in one
 * (services_in_read), and SQLite cannot open a second inside it. */

/* ---- the builder's view --------------------------------------------------------------------- */

typedef struct {
    store_t *s;
    arena_t *a;
    const quote_staff_ctx_t *ctx;
    const char *number;
    quote_builder_t *out;
    status_t status;
    tax_mode_t mode; /* the vendor's, read with the rate */
} builder_read_t;

static store_status_t builder_body(store_t *s, void *arg)
{
    builder_read_t *b = arg;
    quote_builder_t *o = b->out;
    memset(o, 0, sizeof *o);
    store_status_t r = staff_quote(s, b->a, b->ctx, b->number, &o->quote, &o->account);
    if (r == STORE_OK)
        r = store_account_subscriptions(s, b->a, o->account.id, &o->subscriptions,
                                        &o->n_subscriptions);
    if (r == STORE_OK)
        r = store_plans_priced(s, b->a, o->account.currency, "annual", &o->plans, &o->n_plans);
    quote_t *all = NULL;
    size_t n_all = 0;
    if (r == STORE_OK)
        r = store_quotes_of_account(s, b->a, o->account.id, true, QUOTES_LISTED, &all, &n_all);
    if (r != STORE_OK) return r;
    o->revisions = arena_alloc(b->a, (n_all + 1) * sizeof *o->revisions);
    for (size_t i = 0; i < n_all; i++)
        if (strcmp(all[i].base_number, o->quote.base_number) == 0)
            o->revisions[o->n_revisions++] = all[i];
    today_of(s, b->a, b->ctx->now, o->today);
    tax_mode_t mode;
    int64_t rate = 0;
    r = tax_of(s, b->a, &o->account, &rate, &mode);
    b->mode = mode;
    if (r == STORE_NOT_FOUND) {
        o->tax_rate_ppm = -1;
        rate = 0;
        r = STORE_OK;
    } else {
        o->tax_rate_ppm = rate;
    }
    if (r != STORE_OK) return r;
    if (strcmp(o->quote.state, "draft") == 0) {
        /* The preview: what sending would store now. A draft whose lines no longer price (the
         * account changed) shows zeros; saving it says which line. */
        size_t bad = 0;
        quote_calc_status_t why;
        if (!price_quote(b->a, &o->quote, o->subscriptions, o->n_subscriptions, rate, mode, &bad,
                         &why))
            o->quote.due_total = o->quote.renewal_total = 0;
    }
    return STORE_OK;
}

status_t quote_builder_view(services_t *svc, arena_t *a, const quote_staff_ctx_t *ctx,
                            const char *number, quote_builder_t *out)
{
    builder_read_t b = {.a = a, .ctx = ctx, .number = number, .out = out};
    store_status_t r = builder_body(svc->store, &b);
    return outcome(r, REFUSED_NONE);
}

/* ---- the live preview ------------------------------------------------------------------------ */

typedef struct {
    builder_read_t b;
    const quote_form_t *form;
    quote_errors_t *errors;
    refused_t refused;
} preview_read_t;

static store_status_t preview_body(store_t *s, void *arg)
{
    preview_read_t *p = arg;
    p->refused = REFUSED_NONE;
    memset(p->errors, 0, sizeof *p->errors);
    store_status_t r = builder_body(s, &p->b);
    if (r == STORE_NOT_FOUND) return refuse(&p->refused, REFUSED_NOT_FOUND);
    if (r != STORE_OK) return r;
    quote_builder_t *o = p->b.out;
    if (strcmp(o->quote.state, "draft") != 0) return refuse(&p->refused, REFUSED_CONFLICT);
    /* A region the tax table does not know prices without tax, as the stored draft's preview
     * does; the page warns about it, and sending refuses it. */
    int64_t rate = o->tax_rate_ppm < 0 ? 0 : o->tax_rate_ppm;
    if (!draft_of_form(p->b.a, p->form, o->today, &o->quote, &o->account, o->subscriptions,
                       o->n_subscriptions, o->plans, o->n_plans, rate, p->b.mode, p->errors))
        return refuse(&p->refused, REFUSED_INVALID);
    return STORE_OK;
}

status_t quote_preview_form(services_t *svc, arena_t *a, const quote_staff_ctx_t *ctx,
                            const char *number, const quote_form_t *form, quote_builder_t *out,
                            quote_errors_t *errors)
{
    preview_read_t p = {
        .b = {.a = a, .ctx = ctx, .number = number, .out = out}, .form = form, .errors = errors};
    store_status_t r = store_run_tx(svc->store, STORE_TX_READ, preview_body, &p);
    return outcome(r, p.refused);
}

/* ---- sending ------------------------------------------------------------------------------- */

const char *quote_line_summary(arena_t *a, lang_t lang, const quote_line_t *l)
{
    unsigned long n = (unsigned long)l->seats;
    if (strcmp(l->kind, "add_product") == 0)
        return mail_text(a, trn(lang, "add %s, %s seat", "add %s, %s seats", n), l->product_name,
                         arena_printf(a, "%lld", (long long)l->seats));
    if (strcmp(l->kind, "add_seats") == 0)
        return mail_text(a, trn(lang, "%s: %s more seat", "%s: %s more seats", n), l->product_name,
                         arena_printf(a, "%lld", (long long)l->seats));
    if (strcmp(l->kind, "remove_seats") == 0)
        return mail_text(a,
                         trn(lang, "%s: %s seat fewer from the next renewal",
                             "%s: %s seats fewer from the next renewal", n),
                         l->product_name, arena_printf(a, "%lld", (long long)l->seats));
    return mail_text(a,
                     trn(lang, "%s: %s seat at a new price from the next renewal",
                         "%s: %s seats at a new price from the next renewal", n),
                     l->product_name, arena_printf(a, "%lld", (long long)l->seats));
}

/* The email that brings a sent quote to the billing contact, in the account's language, with the
 * quote's PDF attached when it is sent. */
static store_status_t queue_quote_email(store_t *s, arena_t *a, const quote_t *q,
                                        const invoice_doc_t *party, const char *base_url,
                                        int64_t now)
{
    if (!*party->contact_email) return STORE_OK;
    lang_t lang = lang_of(q->lang);
    char vendor[200], due[64], annual[64], valid[64];
    snprintf(vendor, sizeof vendor, "%s", setting_or(s, a, "vendor_name", "Vendor, Inc."));
    format_money(lang, party->country, q->currency, q->due_total, due, sizeof due);
    format_money(lang, party->country, q->currency, q->renewal_total, annual, sizeof annual);
    format_date(lang, party->country, q->valid_until, valid, sizeof valid);
    buf_t lines;
    buf_init(&lines, a);
    for (size_t i = 0; i < q->n_lines; i++)
        buf_printf(&lines, "- %s\n", quote_line_summary(a, lang, &q->lines[i]));
    buf_putc(&lines, '\0');
    char *what = lines.data;
    email_t m = {
        .kind = "quote",
        .account_id = q->account_id,
        .quote_id = q->id,
        .sender_ref = arena_printf(a, "quote:%lld", (long long)q->id),
        .to_addr = party->contact_email,
        .to_name = party->contact_name,
        .reply_to = q->sales_rep_email,
        .subject = mail_text(a, tr(lang, "Quote %s from %s"), q->number, vendor),
        .body_text = mail_text(
            a,
            tr(lang, "Hello %s,\n\n"
                     "%s has sent you quote %s, attached as a PDF. It changes:\n%s\n"
                     "Due on acceptance: %s\nAnnual amount from the next renewal: %s\n"
                     "Valid until: %s\n\n"
                     "To view, accept or reject it, sign in to the Corporate Billing Portal at "
                     "%s/corporate/quotes/%s with your User ID %s.\n"),
            party->contact_name,
            q->sales_rep_name && *q->sales_rep_name ? q->sales_rep_name : vendor, q->number, what,
            due, annual, valid, base_url ? base_url : "", q->number, party->portal_user_id),
    };
    int64_t id = 0;
    return store_outbox_add(s, &m, now, &id);
}

static store_status_t send_body(store_t *s, void *arg)
{
    staff_tx_t *t = arg;
    t->refused = REFUSED_NONE;
    t->mail_queued = false;
    memset(t->errors, 0, sizeof *t->errors);
    quote_t q;
    account_t acc;
    store_status_t r = staff_draft(s, t, &q, &acc);
    if (r != STORE_OK) return r;
    quote_errors_t *e = t->errors;
    char today[11];
    today_of(s, t->a, t->ctx->now, today);
    if (q.n_lines == 0) e->no_lines = true;
    if (strcmp(q.valid_until, today) < 0) e->valid_until = FIELD_PAST_DATE;
    int64_t rate = 0;
    tax_mode_t mode;
    r = tax_of(s, t->a, &acc, &rate, &mode);
    if (r == STORE_NOT_FOUND) {
        e->no_tax_rate = true;
        r = STORE_OK;
    }
    if (r != STORE_OK) return r;
    account_subscription_t *subs = NULL;
    size_t n_subs = 0;
    r = store_account_subscriptions(s, t->a, acc.id, &subs, &n_subs);
    if (r != STORE_OK) return r;
    size_t bad = 0;
    quote_calc_status_t why = QUOTE_CALC_OK;
    if (!e->no_lines && !price_quote(t->a, &q, subs, n_subs, rate, mode, &bad, &why)) {
        if (why == QUOTE_CALC_BAD_DATES)
            e->effective_date = FIELD_OUTSIDE_TERM;
        else
            line_error(e, bad, why);
    }
    bool refused = e->no_lines || e->no_tax_rate || e->valid_until || e->effective_date;
    for (size_t i = 0; i < QUOTE_LINES_MAX; i++)
        refused |= e->seats[i] || e->unit_price[i] || e->discount[i];
    if (refused) return refuse(&t->refused, REFUSED_INVALID);
    q.tax_name = (char *)tax_scheme_name(acc.country);
    q.sales_rep_id = acc.sales_rep_id;
    /* The revision this one replaces stops being live in the same transaction (first: only one
     * revision of a number may be sent at a time, quotes_one_live). */
    r = STORE_OK;
    if (q.revises_id) {
        r = store_quote_set_state(s, q.revises_id, "sent", "superseded", t->ctx->now);
        if (r == STORE_NOT_FOUND) r = STORE_OK; /* it had expired, been withdrawn or rejected */
    }
    if (r == STORE_OK) r = store_quote_lines_replace(s, q.id, q.lines, q.n_lines);
    if (r == STORE_OK) r = store_quote_mark_sent(s, &q, t->ctx->now);
    invoice_doc_t party;
    if (r == STORE_OK) r = store_invoice_party(s, t->a, acc.id, &party);
    quote_t sent;
    if (r == STORE_OK) r = store_quote_by_id(s, t->a, q.id, &sent);
    if (r == STORE_OK) r = queue_quote_email(s, t->a, &sent, &party, t->ctx->base_url, t->ctx->now);
    if (r == STORE_OK)
        r = audit(s, "staff", t->ctx->staff_id, acc.id, "quote_sent", "quote", "draft", q.number,
                  t->ctx->ip, t->ctx->now);
    t->mail_queued = r == STORE_OK && *party.contact_email;
    return r;
}

status_t quote_send(services_t *svc, arena_t *a, const quote_staff_ctx_t *ctx, const char *number,
                    quote_errors_t *errors)
{
    staff_tx_t t = {.a = a, .ctx = ctx, .number = number, .errors = errors};
    store_status_t r = store_run_tx(svc->store, STORE_TX_WRITE, send_body, &t);
    return outcome(r, t.refused);
}

static store_status_t withdraw_body(store_t *s, void *arg)
{
    staff_tx_t *t = arg;
    t->refused = REFUSED_NONE;
    quote_t q;
    account_t acc;
    store_status_t r = staff_quote(s, t->a, t->ctx, t->number, &q, &acc);
    if (r == STORE_NOT_FOUND) return refuse(&t->refused, REFUSED_NOT_FOUND);
    if (r != STORE_OK) return r;
    if (strcmp(q.state, "draft") != 0 && strcmp(q.state, "sent") != 0)
        return refuse(&t->refused, REFUSED_CONFLICT);
    r = store_quote_set_state(s, q.id, q.state, "withdrawn", t->ctx->now);
    if (r == STORE_NOT_FOUND) return refuse(&t->refused, REFUSED_CONFLICT);
    if (r == STORE_OK)
        r = audit(s, "staff", t->ctx->staff_id, acc.id, "quote_withdrawn", "quote", q.state,
                  "withdrawn", t->ctx->ip, t->ctx->now);
    return r;
}

status_t quote_withdraw(services_t *svc, arena_t *a, const quote_staff_ctx_t *ctx,
                        const char *number)
{
    staff_tx_t t = {.a = a, .ctx = ctx, .number = number};
    store_status_t r = store_run_tx(svc->store, STORE_TX_WRITE, withdraw_body, &t);
    return outcome(r, t.refused);
}

static store_status_t revise_body(store_t *s, void *arg)
{
    staff_tx_t *t = arg;
    t->refused = REFUSED_NONE;
    quote_t q, live;
    account_t acc;
    store_status_t r = staff_quote(s, t->a, t->ctx, t->number, &q, &acc);
    if (r == STORE_NOT_FOUND) return refuse(&t->refused, REFUSED_NOT_FOUND);
    if (r != STORE_OK) return r;
    if (strcmp(q.state, "draft") == 0 || strcmp(q.state, "accepted") == 0 ||
        strcmp(q.state, "superseded") == 0)
        return refuse(&t->refused, REFUSED_CONFLICT);
    /* One draft revision at a time. */
    r = store_quote_live_of(s, t->a, q.base_number, &live);
    if (r == STORE_OK && strcmp(live.state, "draft") == 0)
        return refuse(&t->refused, REFUSED_CONFLICT);
    if (r != STORE_OK && r != STORE_NOT_FOUND) return r;
    /* The next suffix after the highest revision of this number. */
    quote_t *all = NULL;
    size_t n_all = 0;
    r = store_quotes_of_account(s, t->a, acc.id, true, 1000, &all, &n_all);
    if (r != STORE_OK) return r;
    int64_t revision = q.revision;
    for (size_t i = 0; i < n_all; i++)
        if (strcmp(all[i].base_number, q.base_number) == 0 && all[i].revision > revision)
            revision = all[i].revision;
    quote_t d = q;
    d.revision = revision + 1;
    d.number = arena_printf(t->a, "%s-%lld", q.base_number, (long long)d.revision);
    d.revises_id = q.id;
    d.created_by = t->ctx->staff_id;
    char today[11];
    today_of(s, t->a, t->ctx->now, today);
    /* The new revision starts from today: dates already past move up to it. */
    if (strcmp(d.effective_date, today) < 0 && strcmp(today, d.term_end) < 0)
        d.effective_date = arena_strdup(t->a, today);
    if (strcmp(d.valid_until, today) < 0) d.valid_until = arena_strdup(t->a, today);
    int64_t id = 0;
    r = store_quote_insert(s, &d, t->ctx->now, &id);
    if (r == STORE_CONFLICT) return refuse(&t->refused, REFUSED_CONFLICT);
    if (r == STORE_OK) r = store_quote_lines_replace(s, id, q.lines, q.n_lines);
    if (r == STORE_OK)
        r = audit(s, "staff", t->ctx->staff_id, acc.id, "quote_revised", "quote", q.number,
                  d.number, t->ctx->ip, t->ctx->now);
    t->out_number = d.number;
    return r;
}

status_t quote_revise(services_t *svc, arena_t *a, const quote_staff_ctx_t *ctx, const char *number,
                      char **new_number)
{
    staff_tx_t t = {.a = a, .ctx = ctx, .number = number};
    store_status_t r = store_run_tx(svc->store, STORE_TX_WRITE, revise_body, &t);
    status_t st = outcome(r, t.refused);
    if (st == STATUS_OK) *new_number = t.out_number;
    return st;
}

/* ---- lists ----------------------------------------------------------------------------------- */

typedef struct {
    arena_t *a;
    int64_t id, now;
    bool with_drafts;
    quote_t **out;
    size_t *n;
    char *today;
} list_read_t;

/* Sent quotes read as the reader should see them: expired once their valid-until day has passed,
 * before the daily job marks them. */
static void shown_states(store_t *s, arena_t *a, int64_t now, quote_t *q, size_t n, char today[11])
{
    today_of(s, a, now, today);
    for (size_t i = 0; i < n; i++)
        q[i].state = (char *)quote_shown_state(&q[i], today);
}

static store_status_t open_body(store_t *s, void *arg)
{
    list_read_t *l = arg;
    store_status_t r = store_quotes_open(s, l->a, l->id, QUOTES_LISTED, l->out, l->n);
    if (r != STORE_OK) return r;
    char today[11];
    shown_states(s, l->a, l->now, *l->out, *l->n, today);
    /* Open means it can still be accepted: the expired ones (first, by date) leave the list. */
    size_t kept = 0;
    for (size_t i = 0; i < *l->n; i++)
        if (strcmp((*l->out)[i].state, "sent") == 0) (*l->out)[kept++] = (*l->out)[i];
    *l->n = kept;
    return STORE_OK;
}

status_t quotes_open_view(services_t *svc, arena_t *a, const quote_staff_ctx_t *ctx, quote_t **out,
                          size_t *n)
{
    bool rep = ctx->role && strcmp(ctx->role, "sales_rep") == 0;
    list_read_t l = {.a = a, .id = rep ? ctx->staff_id : 0, .now = ctx->now, .out = out, .n = n};
    if (ctx->role && strcmp(ctx->role, "customer_care") == 0) {
        *n = 0;
        *out = NULL;
        return STATUS_OK;
    }
    return outcome(open_body(svc->store, &l), REFUSED_NONE);
}

static store_status_t account_list_body(store_t *s, void *arg)
{
    list_read_t *l = arg;
    store_status_t r =
        store_quotes_of_account(s, l->a, l->id, l->with_drafts, QUOTES_LISTED, l->out, l->n);
    char today[11];
    if (r == STORE_OK) shown_states(s, l->a, l->now, *l->out, *l->n, l->today ? l->today : today);
    return r;
}

status_t quotes_of_account_staff_view(services_t *svc, arena_t *a, int64_t account_id, int64_t now,
                                      quote_t **out, size_t *n)
{
    list_read_t l = {.a = a, .id = account_id, .now = now, .with_drafts = true, .out = out, .n = n};
    return outcome(account_list_body(svc->store, &l), REFUSED_NONE);
}

status_t quotes_of_account_view(services_t *svc, arena_t *a, int64_t account_id, int64_t now,
                                quote_t **out, size_t *n, char today[11])
{
    list_read_t l = {.a = a, .id = account_id, .now = now, .out = out, .n = n, .today = today};
    return outcome(account_list_body(svc->store, &l), REFUSED_NONE);
}

typedef struct {
    arena_t *a;
    int64_t account_id, now;
    const char *number;
    quote_t *out;
    char **live;
    char *today;
} customer_read_t;

static store_status_t customer_body(store_t *s, void *arg)
{
    customer_read_t *c = arg;
    *c->live = NULL;
    store_status_t r = store_quote_by_number(s, c->a, c->number ? c->number : "", c->out);
    if (r != STORE_OK) return r;
    /* Another account's quote, or one not sent yet, is no quote at all to this reader. */
    if (c->out->account_id != c->account_id || strcmp(c->out->state, "draft") == 0)
        return STORE_NOT_FOUND;
    today_of(s, c->a, c->now, c->today);
    c->out->state = (char *)quote_shown_state(c->out, c->today);
    if (strcmp(c->out->state, "superseded") == 0) {
        quote_t live;
        r = store_quote_live_of(s, c->a, c->out->base_number, &live);
        if (r == STORE_OK && strcmp(live.state, "sent") == 0) *c->live = live.number;
        if (r == STORE_NOT_FOUND) r = STORE_OK;
    }
    return r;
}

status_t quote_customer_view(services_t *svc, arena_t *a, int64_t account_id, const char *number,
                             int64_t now, quote_t *out, char **live, char today[11])
{
    customer_read_t c = {.a = a,
                         .account_id = account_id,
                         .now = now,
                         .number = number,
                         .out = out,
                         .live = live,
                         .today = today};
    return outcome(customer_body(svc->store, &c), REFUSED_NONE);
}

/* ---- deciding ----------------------------------------------------------------------------------
 */

typedef struct {
    arena_t *a;
    const quote_decider_t *who;
    const char *number;
    const quote_accept_form_t *form;
    quote_accept_errors_t *errors;
    const char *reason, *comment;
    field_error_t *reason_error, *comment_error;
    quote_decision_t *out;
    refused_t refused;
} decide_tx_t;

/* The sent quote the decider may decide: the account's own (the staff member must manage it);
 * STORE_NOT_FOUND otherwise. Sets out->block when it cannot be decided today. */
static store_status_t decidable(store_t *s, decide_tx_t *d, quote_t *q, account_t *acc,
                                char today[11])
{
    store_status_t r = store_quote_by_number(s, d->a, d->number ? d->number : "", q);
    if (r == STORE_OK && (q->account_id != d->who->account_id || strcmp(q->state, "draft") == 0))
        r = STORE_NOT_FOUND;
    if (r == STORE_OK) r = store_account_by_id(s, d->a, q->account_id, acc);
    if (r == STORE_OK && d->who->staff_id) {
        quote_staff_ctx_t ctx = {.staff_id = d->who->staff_id, .role = d->who->staff_role};
        if (!quote_staff_may_manage(&ctx, acc)) r = STORE_NOT_FOUND;
    }
    if (r != STORE_OK) return r;
    today_of(s, d->a, d->who->now, today);
    d->out->block = quote_decision_block(q, today);
    return STORE_OK;
}

/* The email to the quote's sales rep (none when it has no rep) saying what the customer decided:
 * who, from where, and the invoice or the reason. Staff read the console in English (they have
 * no language of their own yet), so the text is English, written through tr for when they do. */
static store_status_t queue_rep_email(store_t *s, arena_t *a, const quote_t *q,
                                      const invoice_doc_t *inv, int64_t now)
{
    if (!q->sales_rep_email || !*q->sales_rep_email) return STORE_OK;
    lang_t lang = LANG_EN;
    bool accepted = strcmp(q->state, "accepted") == 0;
    char total[64] = "";
    const char *body;
    if (accepted) {
        body = mail_text(a,
                         tr(lang, "Hello %s,\n\n%s (%s) accepted quote %s for %s, from the "
                                  "address %s.\n"),
                         q->sales_rep_name, q->decided_name, q->decided_title, q->number,
                         q->account_name, q->decided_ip);
        if (q->on_behalf_staff_id)
            body = arena_printf(a, "%s%s", body,
                                mail_text(a,
                                          tr(lang, "It was recorded by staff on the "
                                                   "customer's behalf: %s\n"),
                                          q->on_behalf_reason));
        if (inv && inv->number) {
            format_money(lang, inv->country, inv->currency, inv->total, total, sizeof total);
            body = arena_printf(a, "%s%s", body,
                                mail_text(a,
                                          tr(lang, "Invoice %s for %s was issued and emailed "
                                                   "to the customer.\n"),
                                          inv->number, total));
        }
        if (*q->po_number)
            body = arena_printf(a, "%s%s", body,
                                mail_text(a, tr(lang, "Purchase order: %s\n"), q->po_number));
    } else {
        body = mail_text(a, tr(lang, "Hello %s,\n\n%s rejected quote %s. Reason: %s.\n"),
                         q->sales_rep_name, q->account_name, q->number,
                         tr(lang, reject_reason_label(q->reject_reason)));
        if (*q->reject_comment)
            body = arena_printf(a, "%s%s", body,
                                mail_text(a, tr(lang, "Their comment: %s\n"), q->reject_comment));
    }
    email_t m = {
        .kind = "quote_decided",
        .account_id = q->account_id,
        .sender_ref = arena_printf(a, "quote:%lld", (long long)q->id),
        .to_addr = q->sales_rep_email,
        .to_name = q->sales_rep_name,
        .subject = mail_text(
            a, accepted ? tr(lang, "Quote %s accepted by %s") : tr(lang, "Quote %s rejected by %s"),
            q->number, q->account_name),
        .body_text = body,
    };
    int64_t id = 0;
    return store_outbox_add(s, &m, now, &id);
}

/* Applies the accepted quote's lines to the account's subscriptions; the new subscriptions of the
 * co-termed additions are written to new_subs (one per line, 0 for the other kinds). STORE_OK, or
 * STORE_CONFLICT with out->block QUOTE_ACCOUNT_CHANGED when a line no longer fits. */
static store_status_t apply_lines(store_t *s, decide_tx_t *d, const quote_t *q, int64_t *new_subs)
{
    account_subscription_t *subs = NULL;
    size_t n_subs = 0;
    store_status_t r = store_subscription_lock_account(s, q->account_id);
    if (r == STORE_OK) r = store_account_subscriptions(s, d->a, q->account_id, &subs, &n_subs);
    if (r != STORE_OK) return r;
    /* The additions start on the quote's effective date and end with the term it priced; when
     * the account has renewed since (a quote accepted late), the next bill run renews them from
     * there, as it catches up any period that has begun. */
    char start[11], end[11];
    int anchor = 1;
    account_term(subs, n_subs, q->effective_date, start, end, &anchor);
    date_t term_end;
    date_parse(q->term_end, &term_end);
    for (size_t i = 0; i < q->n_lines; i++) {
        const quote_line_t *l = &q->lines[i];
        new_subs[i] = 0;
        if (strcmp(l->kind, "add_product") == 0 || strcmp(l->kind, "add_seats") == 0) {
            subscription_new_t sub = {.account_id = q->account_id,
                                      .plan_id = l->plan_id,
                                      .unit_amount = l->renewal_unit_amount,
                                      .seats = l->seats,
                                      .currency = q->currency,
                                      .period_start = q->effective_date,
                                      .period_end = q->term_end,
                                      .anchor_day = n_subs ? anchor : term_end.d};
            r = store_subscription_add(s, &sub, d->who->now, &new_subs[i]);
        } else {
            const account_subscription_t *sub = sub_by_id(subs, n_subs, l->subscription_id);
            int64_t seats = sub ? (sub->next_seats > 0 ? sub->next_seats : sub->seats) : 0;
            int64_t unit = sub ? sub->next_unit_amount : -1;
            if (!sub || (strcmp(l->kind, "remove_seats") == 0 && l->seats >= seats)) {
                d->out->block = QUOTE_ACCOUNT_CHANGED;
                return refuse(&d->refused, REFUSED_CONFLICT);
            }
            if (strcmp(l->kind, "remove_seats") == 0)
                r = store_subscription_set_next(s, q->account_id, sub->id, seats - l->seats, unit);
            else
                r = store_subscription_set_next(s, q->account_id, sub->id, l->seats,
                                                l->renewal_unit_amount);
        }
        if (r != STORE_OK) return r;
    }
    return STORE_OK;
}

/* The invoice for what the quote charges now: its co-termed additions, priced by the one pricing
 * rule of invoices; it must come to the totals the customer accepted, to the cent. */
static store_status_t issue_invoice(store_t *s, decide_tx_t *d, const quote_t *q,
                                    const int64_t *new_subs, const char *today, const char *po,
                                    invoice_doc_t *inv)
{
    store_status_t r = store_invoice_party(s, d->a, q->account_id, inv);
    if (r != STORE_OK) return r;
    inv->lines = arena_alloc(d->a, (q->n_lines + 1) * sizeof *inv->lines);
    int64_t *amounts = arena_alloc(d->a, (q->n_lines + 1) * sizeof *amounts);
    int64_t *subs = arena_alloc(d->a, (q->n_lines + 1) * sizeof *subs);
    inv->n_lines = 0;
    for (size_t i = 0; i < q->n_lines; i++) {
        const quote_line_t *l = &q->lines[i];
        if (!new_subs[i]) continue;
        invoice_line_t *il = &inv->lines[inv->n_lines];
        *il = (invoice_line_t){.product_name = l->product_name,
                               .billing_period = "annual",
                               .period_start = q->effective_date,
                               .period_end = q->term_end,
                               .seats = l->seats,
                               .unit_amount = l->unit_amount,
                               .discount = l->discount,
                               .days = l->days,
                               .term_days = l->term_days};
        amounts[inv->n_lines] = l->due_now;
        subs[inv->n_lines++] = new_subs[i];
    }
    tax_mode_t mode = TAX_EXCLUSIVE;
    tax_mode_parse(q->tax_mode, &mode);
    if (!invoice_price_lines(d->a, inv, amounts, q->tax_rate_ppm, mode) ||
        inv->total != q->due_total || inv->tax_total != q->due_tax) {
        log_error("quote %s: its invoice comes to %lld, not the %lld accepted", q->number,
                  (long long)inv->total, (long long)q->due_total);
        return STORE_ERROR;
    }
    date_t issue;
    date_parse(today, &issue);
    inv->issue_date = arena_strdup(d->a, today);
    inv->due_date = arena_alloc(d->a, 11);
    date_format(date_add_days(issue, q->payment_terms_days), inv->due_date);
    inv->status = "open";
    inv->tax_mode = (char *)tax_mode_name(mode);
    inv->po_number = (char *)po;
    return invoice_issue(s, d->a, inv, subs, d->who->now);
}

static store_status_t accept_body(store_t *s, void *arg)
{
    decide_tx_t *d = arg;
    d->refused = REFUSED_NONE;
    d->out->block = QUOTE_ACTIONABLE;
    d->out->invoice_number = "";
    d->out->mail_queued = false;
    memset(d->errors, 0, sizeof *d->errors);
    quote_t q;
    account_t acc;
    char today[11];
    store_status_t r = decidable(s, d, &q, &acc, today);
    if (r == STORE_NOT_FOUND) return refuse(&d->refused, REFUSED_NOT_FOUND);
    if (r != STORE_OK) return r;
    if (d->out->block != QUOTE_ACTIONABLE) return refuse(&d->refused, REFUSED_CONFLICT);
    const quote_accept_form_t *f = d->form;
    quote_accept_errors_t *e = d->errors;
    const char *name = trimmed(d->a, f->name), *title = trimmed(d->a, f->title),
               *po = trimmed(d->a, f->po_number), *reason = trimmed(d->a, f->reason);
    e->name = check_text(name, true, QUOTE_DECIDER_MAX);
    e->title = check_text(title, true, QUOTE_DECIDER_MAX);
    e->po_number = check_text(po, false, QUOTE_PO_MAX);
    if (d->who->staff_id)
        e->reason = check_lines(reason, true, QUOTE_REASON_MAX);
    else if (!f->accept_terms || strcmp(f->accept_terms, "yes") != 0)
        e->accept_terms = FIELD_NOT_ACCEPTED;
    if (e->name || e->title || e->po_number || e->reason || e->accept_terms)
        return refuse(&d->refused, REFUSED_INVALID);
    int64_t *new_subs = arena_alloc(d->a, (q.n_lines + 1) * sizeof *new_subs);
    r = apply_lines(s, d, &q, new_subs);
    if (r != STORE_OK) return r;
    /* The PO typed goes on the invoice; none typed: the one in force today, as on renewals. */
    if (!*po) {
        account_texts_t *pos = NULL;
        size_t n_pos = 0;
        r = pos_in_force(s, d->a, acc.id, acc.id, today, &pos, &n_pos);
        if (r != STORE_OK) return r;
        if (n_pos) po = pos[0].a;
    }
    invoice_doc_t inv;
    memset(&inv, 0, sizeof inv);
    bool invoiced = false;
    for (size_t i = 0; i < q.n_lines; i++)
        invoiced |= new_subs[i] != 0;
    if (invoiced) {
        r = issue_invoice(s, d, &q, new_subs, today, po, &inv);
        if (r == STORE_OK) r = invoice_queue_emails(s, d->a, &inv, d->who->base_url, d->who->now);
        if (r != STORE_OK) return r;
        d->out->invoice_number = inv.number;
        d->out->mail_queued = true;
    }
    q.state = "accepted";
    q.decided_name = (char *)name;
    q.decided_title = (char *)title;
    q.decided_ip = (char *)(d->who->ip ? d->who->ip : "");
    q.po_number = (char *)po;
    q.on_behalf_staff_id = d->who->staff_id;
    q.on_behalf_reason = (char *)(d->who->staff_id ? reason : "");
    q.reject_reason = "";
    q.reject_comment = "";
    q.invoice_id = invoiced ? inv.id : 0;
    r = store_quote_decide(s, &q, d->who->now);
    /* Someone else decided it since it was read: SQLite's one writer cannot get here, a
     * PostgreSQL serializable transaction fails before; kept as the last guard. */
    if (r == STORE_NOT_FOUND) {
        d->out->block = QUOTE_IS_ACCEPTED;
        return refuse(&d->refused, REFUSED_CONFLICT);
    }
    if (r == STORE_OK) r = queue_rep_email(s, d->a, &q, invoiced ? &inv : NULL, d->who->now);
    if (r == STORE_OK) d->out->mail_queued |= q.sales_rep_email && *q.sales_rep_email;
    if (r == STORE_OK)
        r = audit(s, d->who->staff_id ? "staff" : "corporate",
                  d->who->staff_id ? d->who->staff_id : d->who->credential_id, acc.id,
                  d->who->staff_id ? "quote_accepted_on_behalf" : "quote_accepted", "quote",
                  q.number, invoiced ? inv.number : "", d->who->ip, d->who->now);
    return r;
}

status_t quote_accept(services_t *svc, arena_t *a, const quote_decider_t *who, const char *number,
                      const quote_accept_form_t *form, quote_accept_errors_t *errors,
                      quote_decision_t *out)
{
    decide_tx_t d = {
        .a = a, .who = who, .number = number, .form = form, .errors = errors, .out = out};
    store_status_t r = store_run_tx(svc->store, STORE_TX_WRITE, accept_body, &d);
    return outcome(r, d.refused);
}

static store_status_t reject_body(store_t *s, void *arg)
{
    decide_tx_t *d = arg;
    d->refused = REFUSED_NONE;
    d->out->block = QUOTE_ACTIONABLE;
    d->out->invoice_number = "";
    d->out->mail_queued = false;
    *d->reason_error = *d->comment_error = FIELD_OK;
    quote_t q;
    account_t acc;
    char today[11];
    store_status_t r = decidable(s, d, &q, &acc, today);
    if (r == STORE_NOT_FOUND) return refuse(&d->refused, REFUSED_NOT_FOUND);
    if (r != STORE_OK) return r;
    if (d->out->block != QUOTE_ACTIONABLE) return refuse(&d->refused, REFUSED_CONFLICT);
    bool known = false;
    for (int i = 0; i < REJECT_REASONS; i++)
        known |= d->reason && strcmp(d->reason, reject_names[i]) == 0;
    if (!known) *d->reason_error = FIELD_BAD_CHOICE;
    const char *comment = trimmed(d->a, d->comment);
    *d->comment_error = check_lines(comment, false, QUOTE_REASON_MAX);
    if (*d->reason_error || *d->comment_error) return refuse(&d->refused, REFUSED_INVALID);
    q.state = "rejected";
    q.decided_name = q.decided_title = q.po_number = q.on_behalf_reason = "";
    q.decided_ip = (char *)(d->who->ip ? d->who->ip : "");
    q.on_behalf_staff_id = d->who->staff_id;
    q.reject_reason = (char *)d->reason;
    q.reject_comment = (char *)comment;
    q.invoice_id = 0;
    r = store_quote_decide(s, &q, d->who->now);
    if (r == STORE_NOT_FOUND) {
        d->out->block = QUOTE_IS_REJECTED;
        return refuse(&d->refused, REFUSED_CONFLICT);
    }
    if (r == STORE_OK) r = queue_rep_email(s, d->a, &q, NULL, d->who->now);
    if (r == STORE_OK) d->out->mail_queued = q.sales_rep_email && *q.sales_rep_email;
    if (r == STORE_OK)
        r = audit(s, d->who->staff_id ? "staff" : "corporate",
                  d->who->staff_id ? d->who->staff_id : d->who->credential_id, acc.id,
                  "quote_rejected", "quote", q.number, d->reason, d->who->ip, d->who->now);
    return r;
}

status_t quote_reject(services_t *svc, arena_t *a, const quote_decider_t *who, const char *number,
                      const char *reason, const char *comment, field_error_t *reason_error,
                      field_error_t *comment_error, quote_decision_t *out)
{
    decide_tx_t d = {.a = a,
                     .who = who,
                     .number = number,
                     .reason = reason ? reason : "",
                     .comment = comment,
                     .reason_error = reason_error,
                     .comment_error = comment_error,
                     .out = out};
    store_status_t r = store_run_tx(svc->store, STORE_TX_WRITE, reject_body, &d);
    return outcome(r, d.refused);
}

/* ---- the daily job --------------------------------------------------------------------------- */

typedef struct {
    arena_t *a;
    int64_t now, n;
} expire_tx_t;

static store_status_t expire_body(store_t *s, void *arg)
{
    expire_tx_t *x = arg;
    char today[11];
    today_of(s, x->a, x->now, today);
    return store_quotes_expire(s, today, x->now, &x->n);
}

int64_t quotes_expire(services_t *svc, int64_t now)
{
    arena_t *a = arena_new();
    expire_tx_t x = {.a = a, .now = now};
    store_status_t r = store_run_tx(svc->store, STORE_TX_WRITE, expire_body, &x);
    arena_free(a);
    return r == STORE_OK ? x.n : -1;
}
