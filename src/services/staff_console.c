/* The staff console's account work (see staff_console.h). */
#include "services/staff_console.h"
#include "billing/calendar.h"
#include "billing/money.h"
#include "i18n/format.h"
#include "i18n/i18n.h"
#include "services/auth.h"
#include "services/billing.h"
#include "services/invoice_issue.h"
#include "services/lockout.h"
#include "services/mail.h"
#include "services/purchase_orders.h"
#include "services/service_tx.h"
#include "services/services_internal.h"
#include "services/settings.h"
#include "util/email_addr.h"
#include "util/form.h"
#include "util/password.h"
#include "util/token.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static bool role_is(const console_ctx_t *ctx, const char *role)
{
    return ctx->role && strcmp(ctx->role, role) == 0;
}

bool console_may_create(const console_ctx_t *ctx)
{
    return role_is(ctx, "admin") || role_is(ctx, "sales_rep");
}

bool console_may_see(const console_ctx_t *ctx, const account_t *acc)
{
    (void)acc;
    return role_is(ctx, "admin") || role_is(ctx, "account_services") ||
           role_is(ctx, "customer_care") || role_is(ctx, "sales_rep");
}

bool console_may_sell(const console_ctx_t *ctx, const account_t *acc)
{
    return role_is(ctx, "admin") ||
           (role_is(ctx, "sales_rep") && acc->sales_rep_id == ctx->staff_id);
}

bool console_may_act(const console_ctx_t *ctx, const account_t *acc)
{
    if (role_is(ctx, "sales_rep")) return acc->sales_rep_id == ctx->staff_id;
    return console_may_see(ctx, acc);
}

static char *clean(arena_t *a, const char *s)
{
    return str_trim(arena_strdup(a, s ? s : ""));
}

static char *upper(char *s)
{
    for (char *p = s; *p; p++)
        if (*p >= 'a' && *p <= 'z') *p = (char)(*p - 'a' + 'A');
    return s;
}

/* The account, when it exists and the asker may see it; STORE_NOT_FOUND otherwise. */
static status_t seen_account(store_t *s, arena_t *a, const console_ctx_t *ctx, int64_t id,
                             account_t *acc)
{
    if (id <= 0) return STATUS_NOT_FOUND;
    store_status_t r = store_account_by_id(s, a, id, acc);
    if (r != STORE_OK) return outcome(r, REFUSED_NONE);
    return console_may_see(ctx, acc) ? STATUS_OK : STATUS_NOT_FOUND;
}

/* ---- creating an account -------------------------------------------------------------------- */

status_t console_account_choices(services_t *svc, arena_t *a, const console_ctx_t *ctx,
                                 account_choices_t *out)
{
    *out = (account_choices_t){0};
    if (!console_may_create(ctx)) return STATUS_NOT_FOUND;
    store_t *s = services_store(svc);
    store_status_t r;
    if (role_is(ctx, "sales_rep")) {
        out->reps = arena_alloc(a, sizeof *out->reps);
        r = store_staff_by_id(s, a, ctx->staff_id, out->reps);
        out->n_reps = r == STORE_OK;
    } else {
        r = store_staff_with_role(s, a, "sales_rep", &out->reps, &out->n_reps);
    }
    if (r == STORE_OK) r = store_price_currencies(s, a, &out->currencies, &out->n_currencies);
    return outcome(r, REFUSED_NONE);
}

/* A User ID as portal_credentials keeps it: an email, or a username of 3 to 64 characters of
 * a-z, 0-9, '.', '_' and '-' (lower case: sign-in compares in lower case). */
static int check_user_id(const char *id)
{
    if (!*id) return FIELD_REQUIRED;
    if (strlen(id) > USER_ID_MAX) return FIELD_TOO_LONG;
    if (strchr(id, '@')) return check_email(id) == FIELD_OK ? FIELD_OK : CONSOLE_BAD_USER_ID;
    size_t n = strlen(id);
    if (n < 3 || n > 64) return CONSOLE_BAD_USER_ID;
    for (const char *p = id; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' ||
              *p == '-'))
            return CONSOLE_BAD_USER_ID;
    return FIELD_OK;
}

typedef struct {
    const console_ctx_t *ctx;
    arena_t *a;
    account_t acc;
    credential_t cred;
    account_errors_t *e;
    int64_t account_id;
    bool refused;
} create_t;

/* The email with the set-password link: a reset link with words of its own. */
static store_status_t queue_set_password(store_t *s, arena_t *a, const account_t *acc,
                                         const credential_t *c, const char *link,
                                         const char *base_url, int64_t now)
{
    lang_t lang = lang_of(acc->lang);
    const char *vendor = setting_or(s, a, "vendor_name", "Vendor, Inc.");
    email_t m = {
        .kind = "password_set",
        .account_id = acc->id,
        .sender_ref = arena_printf(a, "credential:%lld", (long long)c->id),
        .to_addr = c->contact_email,
        .to_name = c->contact_name,
        .subject = mail_text(a, tr(lang, "Your Corporate Billing Portal User ID at %s"), vendor),
        .body_text = mail_text(
            a,
            tr(lang, "Hello %s,\n\n"
                     "You are the billing contact of %s at %s. Your Corporate Billing Portal "
                     "User ID is %s.\n\n"
                     "To choose your password, open this link within 7 days:\n%s\n\n"
                     "The link works only once. Then sign in at %s/corporate to see your "
                     "invoices, quotes and billing settings.\n"),
            c->contact_name, acc->name, vendor, c->user_id, link, base_url),
    };
    return store_outbox_add(s, &m, now, NULL);
}

static store_status_t staff_audit(store_t *s, const console_ctx_t *ctx, int64_t account_id,
                                  const char *action, const char *field, const char *old_value,
                                  const char *new_value)
{
    return audit(s, "staff", ctx->staff_id, account_id, action, field, old_value, new_value,
                 ctx->ip, ctx->now);
}

static store_status_t create_body(store_t *s, void *arg)
{
    create_t *t = arg;
    t->refused = false;
    bool taken = false;
    store_status_t r = store_account_name_taken(s, t->acc.name, &taken);
    if (r != STORE_OK) return r;
    if (taken) t->e->name = CONSOLE_NAME_TAKEN;
    r = store_user_id_taken(s, t->cred.user_id, &taken);
    if (r != STORE_OK) return r;
    if (taken) t->e->user_id = CONSOLE_USER_ID_TAKEN;
    if (t->e->name || t->e->user_id) {
        t->refused = true;
        return STORE_CONFLICT;
    }
    r = store_account_create(s, &t->acc, t->ctx->now, &t->account_id);
    if (r == STORE_CONFLICT) t->e->name = CONSOLE_NAME_TAKEN;
    if (r != STORE_OK) return t->refused = r == STORE_CONFLICT, r;
    t->acc.id = t->account_id;
    t->cred.account_id = t->account_id;
    r = store_credential_create(s, &t->cred, t->ctx->now, &t->cred.id);
    if (r == STORE_CONFLICT) t->e->user_id = CONSOLE_USER_ID_TAKEN;
    if (r != STORE_OK) return t->refused = r == STORE_CONFLICT, r;

    char token[TOKEN_CHARS + 1], digest[DIGEST_CHARS + 1];
    token_new(token);
    token_digest(token, digest);
    const char *link = arena_printf(t->a, "%s/corporate/reset?token=%s", t->ctx->base_url, token);
    r = store_reset_create(s, AUDIENCE_CORPORATE, digest, t->cred.id, t->ctx->now,
                           t->ctx->now + SET_PASSWORD_SECONDS);
    if (r == STORE_OK)
        r = queue_set_password(s, t->a, &t->acc, &t->cred, link, t->ctx->base_url, t->ctx->now);
    if (r == STORE_OK)
        r = staff_audit(s, t->ctx, t->account_id, "account_created", "account", "", t->acc.name);
    if (r == STORE_OK)
        r = staff_audit(s, t->ctx, t->account_id, "portal_user_created", "user_id", "",
                        t->cred.user_id);
    if (r == STORE_OK)
        r = staff_audit(s, t->ctx, t->account_id, "password_set_link_sent", "email", "",
                        t->cred.contact_email);
    return r;
}

status_t console_account_create(services_t *svc, arena_t *a, const console_ctx_t *ctx,
                                const account_form_t *f, account_errors_t *e, int64_t *account_id)
{
    *e = (account_errors_t){0};
    *account_id = 0;
    if (!console_may_create(ctx)) return STATUS_NOT_FOUND;
    store_t *s = services_store(svc);
    account_t acc = {.kind = "corporate",
                     .name = clean(a, f->name),
                     .country = upper(clean(a, f->country)),
                     .currency = upper(clean(a, f->currency)),
                     .lang = clean(a, f->lang),
                     .bill_to_name = clean(a, f->bill_to_name),
                     .address_line1 = clean(a, f->address_line1),
                     .address_line2 = clean(a, f->address_line2),
                     .city = clean(a, f->city),
                     .region = clean(a, f->region),
                     .postal_code = clean(a, f->postal_code),
                     .phone = clean(a, f->phone)};
    credential_t cred = {.contact_name = clean(a, f->contact_name),
                         .contact_email = ascii_lower(clean(a, f->contact_email)),
                         .user_id = ascii_lower(clean(a, f->user_id))};
    e->name = check_text(acc.name, true, 200);
    char country_name[96];
    e->country = check_text(acc.country, true, 2);
    if (!e->country && (strlen(acc.country) != 2 ||
                        !format_country(LANG_EN, acc.country, country_name, sizeof country_name)))
        e->country = CONSOLE_BAD_COUNTRY;
    account_choices_t ch;
    status_t st = console_account_choices(svc, a, ctx, &ch);
    if (st != STATUS_OK) return st;
    bool currency_ok = false;
    for (size_t i = 0; i < ch.n_currencies; i++)
        if (strcmp(ch.currencies[i], acc.currency) == 0) currency_ok = true;
    e->currency = !*acc.currency ? FIELD_REQUIRED : currency_ok ? FIELD_OK : FIELD_BAD_CHOICE;
    lang_t lang;
    e->lang = lang_parse(acc.lang, &lang) ? FIELD_OK : FIELD_BAD_CHOICE;
    /* A rep's accounts are theirs; an admin chooses the rep (or none). */
    if (role_is(ctx, "sales_rep")) {
        acc.sales_rep_id = ctx->staff_id;
    } else {
        const char *rep = clean(a, f->sales_rep_id);
        acc.sales_rep_id = 0;
        if (*rep) {
            e->sales_rep_id = FIELD_BAD_CHOICE;
            for (size_t i = 0; i < ch.n_reps; i++)
                if (strcmp(arena_printf(a, "%lld", (long long)ch.reps[i].id), rep) == 0) {
                    acc.sales_rep_id = ch.reps[i].id;
                    e->sales_rep_id = FIELD_OK;
                }
        }
    }
    e->bill_to_name = check_text(acc.bill_to_name, true, 200);
    e->address_line1 = check_text(acc.address_line1, true, 200);
    e->address_line2 = check_text(acc.address_line2, false, 200);
    e->city = check_text(acc.city, true, 100);
    e->region = check_text(acc.region, false, 100);
    if (!e->country && !e->region) {
        region_t *regions = NULL;
        size_t n_regions = 0;
        store_status_t r = settings_region_choices(s, a, acc.country, &regions, &n_regions);
        if (r != STORE_OK) return outcome(r, REFUSED_NONE);
        if (n_regions) {
            const char *code = NULL;
            for (size_t i = 0; i < n_regions; i++)
                if (strcasecmp(regions[i].code, acc.region) == 0 ||
                    strcasecmp(regions[i].name, acc.region) == 0)
                    code = regions[i].code;
            if (code)
                acc.region = arena_strdup(a, code);
            else
                e->region = *acc.region ? FIELD_BAD_REGION : FIELD_REQUIRED;
        }
    }
    e->postal_code = check_text(acc.postal_code, false, 20);
    if (!e->postal_code && *acc.postal_code && !e->country)
        e->postal_code = check_postal_code(acc.postal_code, acc.country);
    e->phone = check_phone(acc.phone, false);
    e->contact_name = check_text(cred.contact_name, true, 200);
    e->contact_email = !*cred.contact_email ? FIELD_REQUIRED : check_email(cred.contact_email);
    e->user_id = check_one_line(cred.user_id);
    if (!e->user_id) e->user_id = check_user_id(cred.user_id);
    const int *fields = &e->name;
    for (size_t i = 0; i < sizeof *e / sizeof(int); i++)
        if (fields[i]) return STATUS_INVALID;

    /* No password until the contact sets one: the hash of a secret nobody keeps. */
    char secret[TOKEN_CHARS + 1], hash[PASSWORD_HASH_MAX];
    token_new(secret);
    if (!password_hash(secret, hash)) return STATUS_ERROR;
    cred.password_hash = hash;
    create_t t = {.ctx = ctx, .a = a, .acc = acc, .cred = cred, .e = e};
    store_status_t r = store_run_tx(s, STORE_TX_WRITE, create_body, &t);
    if (r == STORE_CONFLICT && t.refused) return STATUS_INVALID;
    if (r != STORE_OK) return outcome(r, REFUSED_NONE);
    *account_id = t.account_id;
    return STATUS_OK;
}

/* ---- subscriptions -------------------------------------------------------------------------- */

status_t console_plan_choices(services_t *svc, arena_t *a, const console_ctx_t *ctx,
                              int64_t account_id, account_t *acc, plan_price_t **out, size_t *n)
{
    *n = 0;
    store_t *s = services_store(svc);
    status_t st = seen_account(s, a, ctx, account_id, acc);
    if (st != STATUS_OK) return st;
    if (!console_may_sell(ctx, acc)) return STATUS_NOT_FOUND;
    plan_price_t *all = NULL;
    size_t n_all = 0;
    store_status_t r = store_catalog_priced(s, a, acc->currency, &all, &n_all);
    if (r != STORE_OK) return outcome(r, REFUSED_NONE);
    *out = arena_alloc(a, (n_all + 1) * sizeof **out);
    bool corporate = strcmp(acc->kind, "corporate") == 0;
    for (size_t i = 0; i < n_all; i++)
        if (!corporate || strcmp(all[i].billing_period, "annual") == 0) (*out)[(*n)++] = all[i];
    return STATUS_OK;
}

typedef struct {
    arena_t *a;
    const console_ctx_t *ctx;
    const subscription_new_t *sub;
    const plan_price_t *plan;
    const char *words;
    bool refused, no_tax_rate;
} sub_add_t;

/* The new subscription's first period, invoiced at once at the list price (the bill run invoices
 * only the periods after it, when it renews), with the vendor's tax and the purchase order in
 * force today, and emailed like every invoice. */
static store_status_t invoice_first_period(store_t *s, sub_add_t *t, int64_t sub_id)
{
    arena_t *a = t->a;
    const subscription_new_t *sub = t->sub;
    invoice_doc_t inv;
    memset(&inv, 0, sizeof inv);
    store_status_t r = store_invoice_party(s, a, sub->account_id, &inv);
    int64_t rate = 0;
    if (r == STORE_OK) r = store_tax_rate(s, inv.country, inv.region, &rate);
    if (r == STORE_NOT_FOUND) t->no_tax_rate = true;
    if (r != STORE_OK) return r;
    date_t start, end;
    if (!date_parse(sub->period_start, &start) || !date_parse(sub->period_end, &end))
        return STORE_ERROR;
    int64_t term_days = date_to_days(end) - date_to_days(start), amount = 0;
    if (!money_mul(sub->seats, sub->unit_amount, &amount)) return STORE_ERROR;
    inv.lines = arena_alloc(a, sizeof *inv.lines);
    inv.n_lines = 1;
    inv.lines[0] = (invoice_line_t){.product_name = t->plan->product_name,
                                    .billing_period = t->plan->billing_period,
                                    .period_start = (char *)sub->period_start,
                                    .period_end = (char *)sub->period_end,
                                    .seats = sub->seats,
                                    .unit_amount = sub->unit_amount,
                                    .days = term_days,
                                    .term_days = term_days};
    tax_mode_t mode = TAX_EXCLUSIVE;
    if (!tax_mode_parse(setting_or(s, a, "tax_mode", "exclusive"), &mode)) mode = TAX_EXCLUSIVE;
    if (!invoice_price_lines(a, &inv, &amount, rate, mode)) return STORE_ERROR;
    char today[11];
    vendor_today_of(s, a, t->ctx->now, today);
    date_t issue;
    date_parse(today, &issue);
    inv.issue_date = arena_strdup(a, today);
    inv.due_date = arena_alloc(a, 11);
    bool corporate = strcmp(inv.account_kind, "corporate") == 0;
    date_format(date_add_days(issue, corporate ? CORPORATE_NET_DAYS : 0), inv.due_date);
    inv.status = "open";
    inv.tax_mode = (char *)tax_mode_name(mode);
    account_texts_t *pos = NULL;
    size_t n_pos = 0;
    r = pos_in_force(s, a, sub->account_id, sub->account_id, today, &pos, &n_pos);
    if (r != STORE_OK) return r;
    inv.po_number = n_pos ? pos[0].a : "";
    r = invoice_issue(s, a, &inv, &sub_id, t->ctx->now);
    if (r == STORE_OK) r = invoice_queue_emails(s, a, &inv, t->ctx->base_url, t->ctx->now);
    return r;
}

static store_status_t sub_add_body(store_t *s, void *arg)
{
    sub_add_t *t = arg;
    t->refused = t->no_tax_rate = false;
    int64_t id = 0;
    store_status_t r = store_subscription_lock_account(s, t->sub->account_id);
    if (r == STORE_OK) r = store_subscription_add(s, t->sub, t->ctx->now, &id);
    if (r == STORE_CONFLICT) t->refused = true; /* the schema's rule: corporate renews annually */
    if (r == STORE_OK)
        r = staff_audit(s, t->ctx, t->sub->account_id, "subscription_added", "subscription", "",
                        t->words);
    if (r == STORE_OK) r = invoice_first_period(s, t, id);
    return r;
}

status_t console_subscription_add(services_t *svc, arena_t *a, const console_ctx_t *ctx,
                                  int64_t account_id, const subscription_form_t *f,
                                  subscription_errors_t *e)
{
    *e = (subscription_errors_t){0};
    store_t *s = services_store(svc);
    account_t acc;
    status_t st = seen_account(s, a, ctx, account_id, &acc);
    if (st != STATUS_OK) return st;
    if (!console_may_sell(ctx, &acc)) return STATUS_NOT_FOUND;
    /* Every plan with a price, monthly ones too: the database decides what a corporate account
     * may have, and its refusal is told as such. */
    plan_price_t *plans = NULL;
    size_t n_plans = 0;
    store_status_t r = store_catalog_priced(s, a, acc.currency, &plans, &n_plans);
    if (r != STORE_OK) return outcome(r, REFUSED_NONE);
    const plan_price_t *plan = NULL;
    const char *pid = clean(a, f->plan_id);
    for (size_t i = 0; i < n_plans; i++)
        if (strcmp(arena_printf(a, "%lld", (long long)plans[i].plan_id), pid) == 0)
            plan = &plans[i];
    e->plan_id = !*pid ? FIELD_REQUIRED : plan ? FIELD_OK : FIELD_BAD_CHOICE;
    const char *seats_text = clean(a, f->seats);
    char *end = NULL;
    long long seats = strtoll(seats_text, &end, 10);
    if (!*seats_text)
        e->seats = FIELD_REQUIRED;
    else if (*end || seats < 1 || seats > 1000000)
        e->seats = FIELD_BAD_NUMBER;
    else if (plan && ((plan->min_seats > 0 && seats < plan->min_seats) ||
                      (plan->max_seats > 0 && seats > plan->max_seats)))
        e->seats = CONSOLE_SEATS_RANGE;
    date_t start;
    const char *start_text = clean(a, f->start_date);
    if (!*start_text)
        e->start_date = FIELD_REQUIRED;
    else if (!date_parse(start_text, &start))
        e->start_date = FIELD_BAD_DATE;
    if (e->plan_id || e->seats || e->start_date) return STATUS_INVALID;
    billing_period_t period;
    if (!billing_period_parse(plan->billing_period, &period)) return STATUS_ERROR;
    char start_s[11], end_s[11];
    date_format(start, start_s);
    date_format(period_end(start, period, start.d), end_s);
    subscription_new_t sub = {.account_id = acc.id,
                              .plan_id = plan->plan_id,
                              .unit_amount = plan->unit_amount,
                              .seats = seats,
                              .currency = acc.currency,
                              .period_start = start_s,
                              .period_end = end_s,
                              .anchor_day = start.d};
    sub_add_t t = {.a = a,
                   .ctx = ctx,
                   .sub = &sub,
                   .plan = plan,
                   .words = arena_printf(a, "%s (%s): %lld, %s – %s", plan->product_name,
                                         plan->billing_period, seats, start_s, end_s)};
    r = store_run_tx(s, STORE_TX_WRITE, sub_add_body, &t);
    if (r == STORE_CONFLICT && t.refused) {
        e->plan_id = CONSOLE_NOT_ANNUAL;
        return STATUS_INVALID;
    }
    if (r == STORE_NOT_FOUND && t.no_tax_rate) {
        e->plan_id = CONSOLE_NO_TAX_RATE;
        return STATUS_INVALID;
    }
    return outcome(r, REFUSED_NONE);
}

/* ---- search --------------------------------------------------------------------------------- */

status_t console_search(services_t *svc, arena_t *a, const console_ctx_t *ctx, const char *text,
                        account_hit_t **out, size_t *n)
{
    *n = 0;
    store_t *s = services_store(svc);
    int64_t rep = 0; /* every role finds every account (a rep checks a customer is not one) */
    (void)ctx;
    char *q = ascii_lower(clean(a, text));
    if (!*q) return outcome(store_accounts_of_rep(s, a, rep, SEARCH_LIMIT, out, n), REFUSED_NONE);
    if (check_one_line(q) != FIELD_OK || strlen(q) > 254) return STATUS_OK; /* finds nothing */
    /* The name contains the text: LIKE's own characters escaped. */
    buf_t like;
    buf_init_cap(&like, a, strlen(q) * 2 + 3);
    buf_lit(&like, "%");
    for (const char *p = q; *p; p++) {
        if (*p == '%' || *p == '_' || *p == '\\') buf_lit(&like, "\\");
        buf_append(&like, p, 1);
    }
    buf_lit(&like, "%");
    return outcome(store_accounts_search(s, a, q, like.data, rep, SEARCH_LIMIT, out, n),
                   REFUSED_NONE);
}

/* ---- the account page ----------------------------------------------------------------------- */

enum { ATTEMPTS_SHOWN = 10, EMAILS_SHOWN = 50, SIGN_INS_SHOWN = 20 };

static store_status_t login_state(store_t *s, arena_t *a, audience_t aud, const char *login,
                                  const char *who, int64_t now, login_state_t *out)
{
    *out = (login_state_t){.login = login, .audience = aud, .who = who};
    int64_t failures[32];
    size_t n = 0;
    store_status_t r = store_attempt_failures(s, aud, login, now - LOCKOUT_WINDOW - LOCKOUT_SECONDS,
                                              failures, 32, &n);
    if (r != STORE_OK) return r;
    out->locked_until = lockout_until(failures, n, now);
    return store_attempts_of_login(s, a, aud, login, ATTEMPTS_SHOWN, &out->attempts,
                                   &out->n_attempts);
}

status_t console_account_view(services_t *svc, arena_t *a, const console_ctx_t *ctx,
                              int64_t account_id, int invoice_limit, int64_t audit_before,
                              int audit_limit, console_account_t *out)
{
    *out = (console_account_t){0};
    store_t *s = services_store(svc);
    status_t st = seen_account(s, a, ctx, account_id, &out->account);
    if (st != STATUS_OK) return st;
    const account_t *acc = &out->account;
    out->may_sell = console_may_sell(ctx, acc);
    out->may_act = console_may_act(ctx, acc);
    bool corporate = strcmp(acc->kind, "corporate") == 0;
    store_status_t r = STORE_OK;
    if (corporate) {
        r = store_credential_of_account(s, a, acc->id, &out->credential);
        out->has_credential = r == STORE_OK;
        if (r == STORE_NOT_FOUND) r = STORE_OK;
    } else {
        r = store_account_logins(s, a, acc->id, &out->users, &out->n_users);
    }
    if (r == STORE_OK)
        r = store_account_subscriptions(s, a, acc->id, &out->subscriptions, &out->n_subscriptions);
    if (r == STORE_OK) r = store_pos_of(s, a, acc->id, &out->pos, &out->n_pos);
    if (r == STORE_OK) r = store_recipients_of(s, a, acc->id, &out->recipients, &out->n_recipients);
    if (r == STORE_OK)
        r = store_invoices_recent(s, a, acc->id, invoice_limit, &out->invoices, &out->n_invoices);
    audit_query_t changes = {.account_id = acc->id,
                             .before_id = audit_before,
                             .limit = audit_limit},
                  sign_ins = {.account_id = acc->id, .sign_ins = true, .limit = SIGN_INS_SHOWN};
    if (r == STORE_OK) r = store_audit_page(s, a, &changes, &out->audit, &out->n_audit);
    if (r == STORE_OK) r = store_audit_page(s, a, &sign_ins, &out->sign_ins, &out->n_sign_ins);
    if (r == STORE_OK)
        r = store_outbox_of_account(s, a, acc->id, EMAILS_SHOWN, &out->emails, &out->n_emails);
    if (r != STORE_OK) return outcome(r, REFUSED_NONE);
    size_t n_logins = out->has_credential ? 1 : out->n_users;
    out->logins = arena_alloc(a, (n_logins + 1) * sizeof *out->logins);
    if (out->has_credential) {
        r = login_state(s, a, AUDIENCE_CORPORATE, out->credential.user_id,
                        out->credential.contact_name, ctx->now, &out->logins[0]);
        out->n_logins = 1;
    } else {
        for (size_t i = 0; r == STORE_OK && i < out->n_users; i++) {
            r = login_state(s, a, AUDIENCE_BILLING, out->users[i].email, out->users[i].name,
                            ctx->now, &out->logins[i]);
            out->n_logins++;
        }
    }
    return outcome(r, REFUSED_NONE);
}

/* ---- actions for the customer --------------------------------------------------------------- */

/* The account, when the asker may act for it. */
static status_t acted_account(store_t *s, arena_t *a, const console_ctx_t *ctx, int64_t id,
                              account_t *acc)
{
    status_t st = seen_account(s, a, ctx, id, acc);
    if (st == STATUS_OK && !console_may_act(ctx, acc)) st = STATUS_NOT_FOUND;
    return st;
}

typedef struct {
    const console_ctx_t *ctx;
    const email_t *m;
    const char *number;
    int64_t account_id;
} resend_t;

static store_status_t resend_body(store_t *s, void *arg)
{
    resend_t *t = arg;
    store_status_t r = store_outbox_add(s, t->m, t->ctx->now, NULL);
    if (r == STORE_OK)
        r = staff_audit(s, t->ctx, t->account_id, "invoice_email_resent", "invoice", t->number,
                        t->m->to_addr);
    return r;
}

status_t console_resend_invoice(services_t *svc, arena_t *a, const console_ctx_t *ctx,
                                int64_t account_id, const char *number, const char **to)
{
    *to = NULL;
    store_t *s = services_store(svc);
    account_t acc;
    status_t st = acted_account(s, a, ctx, account_id, &acc);
    if (st != STATUS_OK) return st;
    if (!number || !*number) return STATUS_NOT_FOUND;
    invoice_doc_t inv;
    store_status_t r = store_invoice_by_number(s, a, number, &inv);
    if (r != STORE_OK) return outcome(r, REFUSED_NONE);
    if (inv.account_id != acc.id) return STATUS_NOT_FOUND;
    /* To today's billing contact (the one on the invoice may have handed the role over). */
    const char *name = inv.contact_name, *addr = inv.contact_email;
    credential_t c;
    account_user_t admin;
    if (strcmp(acc.kind, "corporate") == 0 &&
        store_credential_of_account(s, a, acc.id, &c) == STORE_OK)
        name = c.contact_name, addr = c.contact_email;
    else if (strcmp(acc.kind, "online") == 0 &&
             store_billing_admin(s, a, acc.id, &admin) == STORE_OK)
        name = admin.name, addr = admin.email;
    if (!addr || !*addr) return STATUS_CONFLICT;
    email_t m = invoice_email(a, &inv, name, addr, setting_or(s, a, "vendor_name", "Vendor, Inc."),
                              ctx->base_url);
    /* The outbox keeps one "invoice" email per invoice and address (its unique index on
     * invoice_id, to_addr): a copy names its invoice in sender_ref only, as kind invoice_copy
     * (the requests' copies too), whose PDF the mailer attaches from there. */
    m.kind = "invoice_copy";
    m.invoice_id = 0;
    m.sender_ref = arena_printf(a, "invoice:%lld", (long long)inv.id);
    resend_t t = {.ctx = ctx, .m = &m, .number = inv.number, .account_id = acc.id};
    r = store_run_tx(s, STORE_TX_WRITE, resend_body, &t);
    if (r == STORE_OK) *to = addr;
    return outcome(r, REFUSED_NONE);
}

typedef struct {
    const console_ctx_t *ctx;
    arena_t *a;
    const account_t *acc;
    bool limited;
    const char *to;
} reset_link_t;

/* The portal's own reset link (auth_reset_link_queue: the same token rules, limit and email as
 * "Forgot your password?"), audited under the staff member who sent it. */
static store_status_t reset_link_body(store_t *s, void *arg)
{
    reset_link_t *t = arg;
    audience_t aud;
    reset_user_t u;
    store_status_t r = auth_reset_user_of_account(s, t->a, t->acc->id, &aud, &u);
    if (r != STORE_OK) return r;
    auth_ctx_t actx = {.ip = t->ctx->ip, .now = t->ctx->now};
    r = auth_reset_link_queue(s, t->a, &actx, aud, t->ctx->base_url, &u, &t->limited);
    if (r == STORE_OK)
        r = staff_audit(s, t->ctx, t->acc->id, "password_reset_link_sent", "email", "", u.email);
    t->to = u.email;
    return r;
}

status_t console_send_reset_link(services_t *svc, arena_t *a, const console_ctx_t *ctx,
                                 int64_t account_id, const char **to)
{
    *to = NULL;
    store_t *s = services_store(svc);
    account_t acc;
    status_t st = acted_account(s, a, ctx, account_id, &acc);
    if (st != STATUS_OK) return st;
    reset_link_t t = {.ctx = ctx, .a = a, .acc = &acc};
    store_status_t r = store_run_tx(s, STORE_TX_WRITE, reset_link_body, &t);
    if (r == STORE_CONFLICT && t.limited) return STATUS_LIMITED;
    if (r == STORE_OK) *to = t.to;
    return outcome(r, REFUSED_NONE);
}

typedef struct {
    const console_ctx_t *ctx;
    audience_t aud;
    const char *login;
    int64_t account_id, locked_until;
} lift_t;

static store_status_t lift_body(store_t *s, void *arg)
{
    lift_t *t = arg;
    int64_t failures[32];
    size_t n = 0;
    int64_t now = t->ctx->now;
    store_status_t r = store_attempt_turn(s, t->aud, t->login, now);
    if (r == STORE_OK)
        r = store_attempt_failures(s, t->aud, t->login, now - LOCKOUT_WINDOW - LOCKOUT_SECONDS,
                                   failures, 32, &n);
    if (r != STORE_OK) return r;
    t->locked_until = lockout_until(failures, n, now);
    if (!t->locked_until) return STORE_CONFLICT; /* not locked (any more) */
    char until[32] = "";
    time_t tt = (time_t)t->locked_until;
    struct tm tm;
    if (gmtime_r(&tt, &tm)) strftime(until, sizeof until, "%Y-%m-%d %H:%M:%S UTC", &tm);
    r = store_attempt_lift(s, t->aud, t->login, now);
    if (r == STORE_OK)
        r = staff_audit(s, t->ctx, t->account_id, "sign_in_lockout_lifted", "login", until,
                        t->login);
    return r;
}

status_t console_lift_lockout(services_t *svc, arena_t *a, const console_ctx_t *ctx,
                              int64_t account_id, const char *typed_login)
{
    store_t *s = services_store(svc);
    account_t acc;
    status_t st = acted_account(s, a, ctx, account_id, &acc);
    if (st != STATUS_OK) return st;
    const char *login = ascii_lower(clean(a, typed_login));
    lift_t t = {.ctx = ctx, .login = login, .account_id = acc.id};
    /* Only a login of this account. */
    credential_t c;
    account_user_t u;
    if (strcmp(acc.kind, "corporate") == 0) {
        store_status_t r = store_credential_of_account(s, a, acc.id, &c);
        if (r != STORE_OK) return outcome(r, REFUSED_NONE);
        if (strcmp(c.user_id, login) != 0) return STATUS_NOT_FOUND;
        t.aud = AUDIENCE_CORPORATE;
    } else {
        store_status_t r = store_account_user_by_email(s, a, login, &u);
        if (r != STORE_OK) return outcome(r, REFUSED_NONE);
        if (u.account_id != acc.id) return STATUS_NOT_FOUND;
        t.aud = AUDIENCE_BILLING;
    }
    store_status_t r = store_run_tx(s, STORE_TX_WRITE, lift_body, &t);
    if (r == STORE_CONFLICT && !t.locked_until) return STATUS_CONFLICT;
    return outcome(r, REFUSED_NONE);
}

/* ---- home pages ----------------------------------------------------------------------------- */

status_t console_home_view(services_t *svc, arena_t *a, const console_ctx_t *ctx,
                           console_home_t *out)
{
    *out = (console_home_t){0};
    store_t *s = services_store(svc);
    store_status_t r = store_staff_by_id(s, a, ctx->staff_id, &out->me);
    bool rep = role_is(ctx, "sales_rep"), admin = role_is(ctx, "admin");
    if (r == STORE_OK && (rep || admin))
        r = store_accounts_of_rep(s, a, rep ? ctx->staff_id : 0, SEARCH_LIMIT, &out->accounts,
                                  &out->n_accounts);
    if (r == STORE_OK && (rep || admin))
        r = store_quotes_open(s, a, rep ? ctx->staff_id : 0, SEARCH_LIMIT, &out->quotes,
                              &out->n_quotes);
    if (r == STORE_OK && (admin || role_is(ctx, "account_services")))
        r = store_payments_unknown_count(s, &out->unknown_payments);
    if (r == STORE_OK && (admin || role_is(ctx, "customer_care")))
        r = store_dunning_accounts(s, a, SEARCH_LIMIT, &out->dunning, &out->n_dunning);
    return outcome(r, REFUSED_NONE);
}
