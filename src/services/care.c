/* Customer Care's change of an online account's billing administrator (docs/care.md): the
 * caller's verification, the lock after three failures in the vendor's day, the change itself
 * and the notices. Care is told only "verified" or "not verified": no card detail or name on
 * file ever leaves this file. */
#include "services/care.h"
#include "i18n/i18n.h"
#include "services/account_user_links.h"
#include "services/mail.h"
#include "services/service_tx.h"
#include "services/services_internal.h"
#include "store/store_w9care.h"
#include "util/email_addr.h"
#include "util/fold.h"
#include "util/form.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOCK_FLAG "care_verification_locked"

/* The instant the vendor's day of now began, in the vendor's time zone (setting time_zone; UTC
 * when unset or unknown), as payment_cards.c counts its days. */
static int64_t vendor_day_start(store_t *s, arena_t *a, int64_t now)
{
    char *zone = NULL;
    if (store_setting(s, a, "time_zone", &zone) != STORE_OK) zone = NULL;
    GTimeZone *tz = zone && *zone ? g_time_zone_new_identifier(zone) : NULL;
    if (!tz) tz = g_time_zone_new_utc();
    GDateTime *utc = g_date_time_new_from_unix_utc(now);
    GDateTime *local = utc ? g_date_time_to_timezone(utc, tz) : NULL;
    GDateTime *midnight =
        local ? g_date_time_new(tz, g_date_time_get_year(local), g_date_time_get_month(local),
                                g_date_time_get_day_of_month(local), 0, 0, 0)
              : NULL;
    int64_t start = midnight ? g_date_time_to_unix(midnight)
                             : (now >= 0 ? now / 86400 : (now - 86399) / 86400) * 86400;
    if (midnight) g_date_time_unref(midnight);
    if (local) g_date_time_unref(local);
    if (utc) g_date_time_unref(utc);
    g_time_zone_unref(tz);
    return start;
}

/* Failures since the later of the day's start and the last time an admin cleared a flag. */
static store_status_t failures_counted(store_t *s, arena_t *a, int64_t account_id, int64_t now,
                                       int64_t *count)
{
    int64_t since = vendor_day_start(s, a, now), cleared = 0;
    store_status_t r = store_care_last_cleared(s, account_id, &cleared);
    if (r != STORE_OK) return r;
    if (cleared > since) since = cleared;
    return store_care_failures_since(s, account_id, since, count);
}

/* The online account; STORE_NOT_FOUND for a corporate or unknown one. */
static store_status_t online_account(store_t *s, arena_t *a, int64_t account_id, account_t *acc)
{
    store_status_t r = store_account_by_id(s, a, account_id, acc);
    if (r == STORE_OK && strcmp(acc->kind, "online") != 0) return STORE_NOT_FOUND;
    return r;
}

typedef struct {
    arena_t *a;
    int64_t account_id, now;
    care_view_t *v;
} view_t;

static store_status_t view_body(store_t *s, void *arg)
{
    view_t *q = arg;
    care_view_t *v = q->v;
    memset(v, 0, sizeof *v);
    store_status_t r = online_account(s, q->a, q->account_id, &v->account);
    if (r == STORE_OK) r = store_care_users(s, q->a, q->account_id, &v->users, &v->n_users);
    payment_card_t card;
    if (r == STORE_OK) {
        r = store_payment_card_of(s, q->a, q->account_id, &card);
        v->has_card = r == STORE_OK;
        if (r == STORE_NOT_FOUND) r = STORE_OK;
    }
    if (r == STORE_OK)
        r = store_care_flags_open(s, q->a, q->account_id, CARE_FLAGS_SHOWN, &v->flags, &v->n_flags);
    for (size_t i = 0; r == STORE_OK && i < v->n_flags; i++)
        if (strcmp(v->flags[i].kind, LOCK_FLAG) == 0) v->locked = true;
    if (r == STORE_OK) r = failures_counted(s, q->a, q->account_id, q->now, &v->failures_today);
    return r;
}

status_t care_view(services_t *svc, arena_t *a, int64_t account_id, int64_t now, care_view_t *v)
{
    /* No transaction of its own: a page's GET already reads in one (router.c). */
    view_t q = {.a = a, .account_id = account_id, .now = now, .v = v};
    return outcome(view_body(services_store(svc), &q), REFUSED_NONE);
}

/* ---- the verification ---------------------------------------------------------------- */

static char *trimmed(arena_t *a, const char *s)
{
    return str_trim(arena_strdup(a, s ? s : ""));
}

/* A whole number of 1 to max_digits digits, in [lo, hi]; -1 otherwise. */
static int64_t digits(const char *s, size_t max_digits, int64_t lo, int64_t hi)
{
    size_t n = strlen(s);
    if (n == 0 || n > max_digits) return -1;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v >= lo && v <= hi ? v : -1;
}

typedef struct {
    const care_ctx_t *ctx;
    arena_t *a;
    const char *last4, *holder, *basis;
    int64_t month, year, admin_id;
    care_result_t *out;
    bool locked;
} verify_t;

static store_status_t verify_body(store_t *s, void *arg)
{
    verify_t *q = arg;
    const care_ctx_t *c = q->ctx;
    care_result_t *out = q->out;
    memset(out, 0, sizeof *out);
    q->locked = false;
    /* The account's row is the turn: two agents' failures are counted one after the other. */
    store_status_t r = store_subscription_lock_account(s, c->account_id);
    account_t acc;
    if (r == STORE_OK) r = online_account(s, q->a, c->account_id, &acc);
    if (r != STORE_OK) return r;
    int64_t flag = 0;
    r = store_care_open_flag(s, c->account_id, LOCK_FLAG, &flag, NULL);
    if (r == STORE_OK) {
        q->locked = true;
        return STORE_CONFLICT;
    }
    if (r != STORE_NOT_FOUND) return r;
    payment_card_t card;
    r = store_payment_card_of(s, q->a, c->account_id, &card);
    if (r != STORE_OK && r != STORE_NOT_FOUND) return r;
    bool have_card = r == STORE_OK;
    out->card_ok = have_card && strcmp(card.last4, q->last4) == 0 && card.exp_month == q->month &&
                   card.exp_year == q->year;
    if (strcmp(q->basis, "cardholder") == 0) {
        out->person_ok = have_card && fold_same_name(q->a, card.holder_name, q->holder);
    } else {
        care_user_row_t *users = NULL;
        size_t n = 0;
        r = store_care_users(s, q->a, c->account_id, &users, &n);
        if (r != STORE_OK) return r;
        for (size_t i = 0; i < n; i++)
            if (users[i].id == q->admin_id && users[i].registered_admin) out->person_ok = true;
    }
    bool passed = out->card_ok && out->person_ok;
    r = store_care_verification_add(s, c->account_id, c->staff_id, q->basis, out->card_ok,
                                    out->person_ok, c->now, &out->verification_id);
    if (r == STORE_OK)
        r = audit(s, "staff", c->staff_id, c->account_id,
                  passed ? "care_caller_verified" : "care_caller_not_verified", q->basis, NULL,
                  NULL, c->ip, c->now);
    if (r != STORE_OK || passed) return r;
    int64_t failures = 0;
    r = failures_counted(s, q->a, c->account_id, c->now, &failures);
    if (r != STORE_OK || failures < CARE_FAILURES_PER_DAY) return r;
    int64_t id = 0;
    out->locked_now = true;
    r = store_care_flag_add(s, c->account_id, LOCK_FLAG, c->now, &id);
    if (r == STORE_OK)
        r = audit(s, "system", 0, c->account_id, "care_change_locked", "", NULL, NULL, c->ip,
                  c->now);
    return r;
}

status_t care_verify(services_t *svc, arena_t *a, const care_ctx_t *ctx, const care_caller_t *in,
                     care_caller_errors_t *errors, care_result_t *out)
{
    memset(errors, 0, sizeof *errors);
    memset(out, 0, sizeof *out);
    const char *last4 = trimmed(a, in->last4), *month = trimmed(a, in->exp_month),
               *year = trimmed(a, in->exp_year), *basis = trimmed(a, in->basis),
               *holder = trimmed(a, in->holder_name), *admin = trimmed(a, in->admin_user);
    verify_t q = {.ctx = ctx, .a = a, .last4 = last4, .holder = holder, .basis = basis, .out = out};
    errors->last4 = !*last4                                               ? FIELD_REQUIRED
                    : strlen(last4) != 4 || digits(last4, 4, 0, 9999) < 0 ? FIELD_BAD_NUMBER
                                                                          : FIELD_OK;
    q.month = digits(month, 2, 1, 12);
    errors->exp_month = !*month ? FIELD_REQUIRED : q.month < 0 ? FIELD_BAD_NUMBER : FIELD_OK;
    q.year = strlen(year) == 2 ? digits(year, 2, 0, 99) : digits(year, 4, 2000, 2200);
    if (strlen(year) == 2 && q.year >= 0) q.year += 2000;
    errors->exp_year = !*year ? FIELD_REQUIRED : q.year < 0 ? FIELD_BAD_NUMBER : FIELD_OK;
    if (strcmp(basis, "cardholder") == 0) {
        errors->holder_name = check_text(holder, true, 200);
    } else if (strcmp(basis, "registered_admin") == 0) {
        q.admin_id = digits(admin, 18, 1, INT64_MAX);
        errors->admin_user = !*admin          ? FIELD_REQUIRED
                             : q.admin_id < 0 ? FIELD_BAD_CHOICE
                                              : FIELD_OK;
    } else {
        errors->basis = *basis ? FIELD_BAD_CHOICE : FIELD_REQUIRED;
    }
    if (errors->last4 || errors->exp_month || errors->exp_year || errors->basis ||
        errors->holder_name || errors->admin_user)
        return STATUS_INVALID;
    store_status_t r = store_run_tx(services_store(svc), STORE_TX_WRITE, verify_body, &q);
    if (q.locked) return STATUS_LOCKED;
    return outcome(r, REFUSED_NONE);
}

/* ---- the change ------------------------------------------------------------------------ */

static store_status_t notice(store_t *s, arena_t *a, const account_t *acc, const char *to_addr,
                             const char *to_name, const char *kind, const char *subject,
                             const char *body, int64_t now)
{
    email_t m = {.kind = kind,
                 .account_id = acc->id,
                 .sender_ref = arena_printf(a, "account:%lld", (long long)acc->id),
                 .to_addr = to_addr,
                 .to_name = to_name,
                 .subject = subject,
                 .body_text = body};
    return store_outbox_add(s, &m, now, NULL);
}

typedef struct {
    const care_ctx_t *ctx;
    arena_t *a;
    const care_change_t *in;
    int64_t new_id; /* 0: invite */
    const char *invite_name, *invite_email;
    care_change_errors_t *errors;
    care_change_result_t *out;
    refused_t refused;
    bool locked;
} change_t;

static store_status_t change_body(store_t *s, void *arg)
{
    change_t *q = arg;
    const care_ctx_t *c = q->ctx;
    arena_t *a = q->a;
    q->refused = REFUSED_NONE;
    q->locked = false;
    memset(q->out, 0, sizeof *q->out);
    /* The account's row lock: two changes of the same account run one after the other, so
     * that the account always ends with exactly one billing administrator. */
    store_status_t r = store_subscription_lock_account(s, c->account_id);
    account_t acc;
    if (r == STORE_OK) r = online_account(s, a, c->account_id, &acc);
    if (r != STORE_OK) return r;
    int64_t flag = 0;
    r = store_care_open_flag(s, c->account_id, LOCK_FLAG, &flag, NULL);
    if (r == STORE_OK) {
        q->locked = true;
        return STORE_CONFLICT;
    }
    if (r != STORE_NOT_FOUND) return r;
    r = store_care_verification_valid(s, q->in->verification_id, c->account_id, c->staff_id,
                                      c->now - CARE_VERIFIED_SECONDS);
    if (r == STORE_NOT_FOUND) return refuse(&q->refused, REFUSED_CONFLICT);
    if (r != STORE_OK) return r;
    account_user_t old, fresh;
    bool have_old = false;
    r = store_billing_admin(s, a, c->account_id, &old);
    if (r == STORE_OK)
        have_old = true;
    else if (r != STORE_NOT_FOUND)
        return r;
    const char *link = NULL;
    if (q->new_id) {
        r = store_account_user_by_id(s, a, q->new_id, &fresh);
        if (r == STORE_NOT_FOUND || (r == STORE_OK && fresh.account_id != c->account_id)) {
            q->errors->new_user = FIELD_BAD_CHOICE;
            return refuse(&q->refused, REFUSED_INVALID);
        }
        if (r != STORE_OK) return r;
        if (strcmp(fresh.role, "billing_admin") == 0) {
            q->errors->new_user = FIELD_UNCHANGED;
            return refuse(&q->refused, REFUSED_INVALID);
        }
    } else {
        r = store_account_user_by_email(s, a, q->invite_email, &fresh);
        if (r == STORE_OK) { /* a login belongs to one account: pick them, or another address */
            q->errors->invite_email = FIELD_DUPLICATE;
            return refuse(&q->refused, REFUSED_INVALID);
        }
        if (r != STORE_NOT_FOUND) return r;
        /* "!" is no argon2id hash: nobody signs in until the invitation's link sets one. */
        r = store_care_user_add(s, c->account_id, q->invite_email, q->invite_name, "member", "!",
                                c->now, &q->new_id);
        if (r == STORE_OK) r = store_account_user_by_id(s, a, q->new_id, &fresh);
        if (r == STORE_OK)
            r = account_user_link_new(s, a, q->new_id, c->now, CARE_INVITE_SECONDS, c->base_url,
                                      &link);
        if (r == STORE_OK)
            r = audit(s, "staff", c->staff_id, c->account_id, "account_user_invited", "email", NULL,
                      q->invite_email, c->ip, c->now);
        if (r != STORE_OK) return r;
    }
    if (have_old) r = store_care_set_role(s, c->account_id, old.id, "member");
    if (r == STORE_OK) r = store_care_set_role(s, c->account_id, fresh.id, "billing_admin");
    int64_t admins = 0;
    if (r == STORE_OK) r = store_care_billing_admins(s, c->account_id, &admins);
    if (r == STORE_OK && admins != 1) return STORE_ERROR; /* never commit two, or none */
    if (r == STORE_OK)
        r = store_care_verification_take(s, q->in->verification_id, c->account_id, c->staff_id,
                                         c->now - CARE_VERIFIED_SECONDS, c->now);
    if (r == STORE_OK)
        r = audit(s, "staff", c->staff_id, c->account_id, "billing_admin_changed", "billing_admin",
                  have_old ? old.email : "", fresh.email, c->ip, c->now);
    if (r != STORE_OK) return r;
    lang_t lang = lang_of(acc.lang);
    if (have_old)
        r = notice(s, a, &acc, old.email, old.name, "billing_admin_changed",
                   mail_text(a, tr(lang, "The billing administrator of %s has changed"), acc.name),
                   mail_text(a,
                             tr(lang, "Hello %s,\n\n"
                                      "At the request of a caller verified by Customer Care, %s "
                                      "(%s) is now the billing administrator of the account %s. "
                                      "You remain a user of the account.\n\n"
                                      "If you did not expect this change, contact Customer Care "
                                      "right away.\n"),
                             old.name, fresh.name, fresh.email, acc.name),
                   c->now);
    if (r == STORE_OK && link)
        r = notice(s, a, &acc, fresh.email, fresh.name, "billing_admin_invited",
                   mail_text(a, tr(lang, "You are now the billing administrator of %s"), acc.name),
                   mail_text(a,
                             tr(lang, "Hello %s,\n\n"
                                      "Customer Care has made you the billing administrator of "
                                      "the account %s in the Billing Center.\n\n"
                                      "To choose your password, open this link within 7 days:\n"
                                      "%s\n\n"
                                      "The link works only once. Then sign in to the Billing "
                                      "Center with this email address.\n"),
                             fresh.name, acc.name, link),
                   c->now);
    else if (r == STORE_OK)
        r = notice(s, a, &acc, fresh.email, fresh.name, "billing_admin_changed",
                   mail_text(a, tr(lang, "You are now the billing administrator of %s"), acc.name),
                   mail_text(a,
                             tr(lang, "Hello %s,\n\n"
                                      "Customer Care has made you the billing administrator of "
                                      "the account %s. You can now change its subscription, "
                                      "billing information and payment method in the Billing "
                                      "Center.\n\n"
                                      "If you did not expect this change, contact Customer Care "
                                      "right away.\n"),
                             fresh.name, acc.name),
                   c->now);
    q->out->old_name = have_old ? old.name : "";
    q->out->new_name = fresh.name;
    q->out->new_email = fresh.email;
    q->out->invited = link != NULL;
    return r;
}

status_t care_change_admin(services_t *svc, arena_t *a, const care_ctx_t *ctx,
                           const care_change_t *in, care_change_errors_t *errors,
                           care_change_result_t *out)
{
    memset(errors, 0, sizeof *errors);
    change_t q = {.ctx = ctx, .a = a, .in = in, .errors = errors, .out = out};
    const char *choice = trimmed(a, in->new_user);
    if (strcmp(choice, "invite") == 0) {
        char *name = trimmed(a, in->invite_name), *email = trimmed(a, in->invite_email);
        errors->invite_name = check_text(name, true, 200);
        errors->invite_email = check_email(email);
        for (char *p = email; *p; p++)
            if (*p >= 'A' && *p <= 'Z') *p = (char)(*p + 32);
        q.invite_name = name;
        q.invite_email = email;
    } else {
        q.new_id = digits(choice, 18, 1, INT64_MAX);
        if (q.new_id < 0)
            q.new_id = 0, errors->new_user = *choice ? FIELD_BAD_CHOICE : FIELD_REQUIRED;
    }
    if (errors->new_user || errors->invite_name || errors->invite_email) return STATUS_INVALID;
    store_status_t r = store_run_tx(services_store(svc), STORE_TX_WRITE, change_body, &q);
    if (q.locked) return STATUS_LOCKED;
    return outcome(r, q.refused);
}

/* ---- the flags ------------------------------------------------------------------------- */

status_t care_flags_open(services_t *svc, arena_t *a, int64_t account_id, account_flag_row_t **rows,
                         size_t *n)
{
    return outcome(
        store_care_flags_open(services_store(svc), a, account_id, CARE_FLAGS_SHOWN, rows, n),
        REFUSED_NONE);
}

typedef struct {
    int64_t flag_id, staff_id, now, account_id;
    const char *ip;
} clear_t;

static store_status_t clear_body(store_t *s, void *arg)
{
    clear_t *q = arg;
    store_status_t r = store_care_flag_clear(s, q->flag_id, q->staff_id, q->now, &q->account_id);
    if (r == STORE_OK)
        r = audit(s, "staff", q->staff_id, q->account_id, "account_flag_cleared", "", NULL, NULL,
                  q->ip, q->now);
    return r;
}

status_t care_flag_clear(services_t *svc, int64_t flag_id, int64_t staff_id, const char *ip,
                         int64_t now, int64_t *account_id)
{
    clear_t q = {.flag_id = flag_id, .staff_id = staff_id, .now = now, .ip = ip};
    store_status_t r = store_run_tx(services_store(svc), STORE_TX_WRITE, clear_body, &q);
    if (account_id) *account_id = q.account_id;
    return outcome(r, REFUSED_NONE);
}
