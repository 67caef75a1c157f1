/* Sign-in, lockout, password reset and the member's email to the billing administrator. */
#include "auth.h"
#include "store/store.h"
#include "i18n/i18n.h"
#include "lockout.h"
#include "mail.h"
#include "util/email_addr.h"
#include "util/form.h"
#include "util/log.h"

#include <string.h>

/* Logins are compared trimmed and in lower case; NULL when what was typed cannot be one. */
static char *normalize_login(arena_t *a, const char *typed)
{
    char *login = str_trim(arena_strdup(a, typed ? typed : ""));
    if (!*login || strlen(login) > USER_ID_MAX) return NULL;
    return ascii_lower(login);
}

/* Finds the principal and its password hash for a login of the audience. */
static store_status_t find_principal(store_t *s, arena_t *a, audience_t aud, const char *login,
                                     int64_t *id, const char **hash, int64_t *account_id)
{
    store_status_t st;
    *account_id = 0;
    if (aud == AUDIENCE_CORPORATE) {
        credential_t c;
        st = store_credential_by_user_id(s, a, login, &c);
        if (st == STORE_OK) *id = c.id, *hash = c.password_hash, *account_id = c.account_id;
    } else if (aud == AUDIENCE_BILLING) {
        account_user_t u;
        st = store_account_user_by_email(s, a, login, &u);
        if (st == STORE_OK) *id = u.id, *hash = u.password_hash, *account_id = u.account_id;
    } else {
        staff_user_t u;
        st = store_staff_by_email(s, a, login, &u);
        if (st == STORE_OK) *id = u.id, *hash = u.password_hash;
    }
    return st;
}

/* The end of the login's lock at now (0: not locked); *st receives the store's status. */
static int64_t current_lock(store_t *s, audience_t aud, const char *login, int64_t now,
                            store_status_t *st)
{
    int64_t failures[32];
    size_t n = 0;
    *st = store_attempt_failures(s, aud, login, now - LOCKOUT_WINDOW - LOCKOUT_SECONDS, failures,
                                 32, &n);
    return *st != STORE_OK ? 0 : lockout_until(failures, n, now);
}

typedef struct {
    const auth_ctx_t *ctx;
    audience_t aud;
    const char *login;
    int64_t attempt_id, locked_until, from_ip;
} claim_t;

static store_status_t claim_body(store_t *s, void *arg)
{
    claim_t *c = arg;
    c->locked_until = c->from_ip = 0;
    store_status_t r = store_attempt_turn(s, c->aud, c->login, c->ctx->now);
    if (r == STORE_OK) c->locked_until = current_lock(s, c->aud, c->login, c->ctx->now, &r);
    if (r != STORE_OK) return r;
    if (c->locked_until) return STORE_CONFLICT; /* refused: the turn taken is rolled back */
    r = store_attempt_failures_from_ip(s, c->ctx->ip, c->ctx->now - LOCKOUT_WINDOW, &c->from_ip);
    if (r != STORE_OK) return r;
    if (c->from_ip >= LOCKOUT_IP_FAILURES) {
        c->locked_until = c->ctx->now + LOCKOUT_WINDOW;
        return STORE_CONFLICT;
    }
    return store_attempt_start(s, c->aud, c->login, c->ctx->ip, c->ctx->now, &c->attempt_id);
}

/* Takes one of the login's password checks: in one write transaction, refuses (AUTH_LOCKED,
 * *locked_until set) when the login is locked or the address throttled, and otherwise records a
 * pending attempt (*attempt_id) that counts as a failure until it is ended. Checking the lock
 * and recording the attempt together is what bounds the checks to LOCKOUT_FAILURES per window
 * however many requests run at once: each one counts those still being checked. */
static auth_status_t claim_attempt(store_t *s, const auth_ctx_t *ctx, audience_t aud,
                                   const char *login, int64_t *attempt_id, int64_t *locked_until)
{
    claim_t c = {.ctx = ctx, .aud = aud, .login = login};
    store_status_t r = store_run_tx(s, STORE_TX_WRITE, claim_body, &c);
    *locked_until = 0;
    if (r == STORE_OK) {
        *attempt_id = c.attempt_id;
        return AUTH_OK;
    }
    if (r != STORE_CONFLICT || !c.locked_until) return AUTH_ERROR;
    if (c.from_ip >= LOCKOUT_IP_FAILURES)
        log_info("sign-in refused for %s: %lld failures from it in 15 minutes", ctx->ip,
                 (long long)c.from_ip);
    *locked_until = c.locked_until;
    return AUTH_LOCKED;
}

typedef struct {
    const auth_ctx_t *ctx;
    audience_t aud;
    int64_t attempt_id, principal_id, account_id;
    bool ok;
    const char *old_digest;
    sign_in_result_t *out;
} outcome_t;

static store_status_t outcome_body(store_t *s, void *arg)
{
    outcome_t *o = arg;
    store_status_t r = store_attempt_end(s, o->attempt_id, o->ok);
    if (r != STORE_OK || !o->ok) return r;
    char digest[DIGEST_CHARS + 1];
    token_new(o->out->token); /* a new one at each run: only the committed run's is handed out */
    token_digest(o->out->token, digest);
    audit_entry_t e = {.actor_kind = audience_name(o->aud),
                       .actor_id = o->principal_id,
                       .account_id = o->account_id,
                       .action = "sign_in",
                       .ip = o->ctx->ip};
    if (o->old_digest) r = store_session_delete(s, o->old_digest);
    if (r == STORE_OK)
        r = store_session_create(s, digest, o->aud, o->principal_id, o->ctx->now, o->ctx->ip);
    if (r == STORE_OK) r = store_audit(s, &e, o->ctx->now);
    return r;
}

/* Ends the attempt and, on success, starts the new session with its audit entry, in one
 * transaction. When this fails the attempt stays pending, so it counts as a failure. */
static auth_status_t commit_attempt(store_t *s, const auth_ctx_t *ctx, audience_t aud,
                                    int64_t attempt_id, bool ok, int64_t principal_id,
                                    int64_t account_id, const char *old_digest,
                                    sign_in_result_t *out)
{
    outcome_t o = {.ctx = ctx,
                   .aud = aud,
                   .attempt_id = attempt_id,
                   .principal_id = principal_id,
                   .account_id = account_id,
                   .ok = ok,
                   .old_digest = old_digest,
                   .out = out};
    if (store_run_tx(s, STORE_TX_WRITE, outcome_body, &o) != STORE_OK) return AUTH_ERROR;
    return ok ? AUTH_OK : AUTH_INVALID;
}

auth_status_t auth_sign_in(store_t *s, arena_t *a, const auth_ctx_t *ctx, audience_t aud,
                           const char *typed_login, const char *password,
                           const char *old_session_digest, sign_in_result_t *out)
{
    memset(out, 0, sizeof *out);
    char *login = normalize_login(a, typed_login);
    if (!login || !password || strlen(password) > PASSWORD_MAX_BYTES) {
        password_verify_dummy(password ? password : "");
        return AUTH_INVALID;
    }
    int64_t attempt_id = 0;
    auth_status_t claimed = claim_attempt(s, ctx, aud, login, &attempt_id, &out->locked_until);
    if (claimed != AUTH_OK) return claimed;

    int64_t id = 0, account_id = 0;
    const char *hash = NULL;
    store_status_t st = find_principal(s, a, aud, login, &id, &hash, &account_id);
    if (st != STORE_OK && st != STORE_NOT_FOUND) return AUTH_ERROR;
    bool ok;
    if (st == STORE_OK) {
        ok = password_verify(hash, password);
    } else {
        password_verify_dummy(password); /* same time as a wrong password */
        ok = false;
    }
    out->principal_id = ok ? id : 0;
    auth_status_t result =
        commit_attempt(s, ctx, aud, attempt_id, ok, id, account_id, old_session_digest, out);
    if (result == AUTH_INVALID) {
        /* This failure may be the one that starts a lock: say so at once. */
        store_status_t st_lock = STORE_OK;
        out->locked_until = current_lock(s, aud, login, ctx->now, &st_lock);
        if (out->locked_until) {
            log_info("sign-in locked for %s login %s", audience_name(aud), login);
            return AUTH_LOCKED;
        }
    }
    return result;
}

/* ---- password reset -------------------------------------------------------------------- */

/* What differs between the two portals' reset links: the corporate portal's go to the billing
 * contact of a portal credential, the Billing Center's to the account user (member or billing
 * administrator) whose product login it is. The rules are the same for both. */
static const struct {
    const char *page;    /* the reset page, after the base URL */
    const char *sender;  /* the email's sender_ref, "credential:ID" or "account_user:ID" */
    const char *subject; /* msgid */
    const char *body;    /* msgid: name, login, link */
} reset_kinds[AUDIENCE_COUNT] = {
    [AUDIENCE_CORPORATE] = {"/corporate/reset", "credential",
                            N_("Reset your Corporate Billing Portal password"),
                            N_("Hello %s,\n\n"
                               "We received a request to reset the password of the Corporate "
                               "Billing Portal User ID %s.\n\n"
                               "To choose a new password, open this link within 60 minutes:\n%s\n\n"
                               "The link works only once. If you did not ask for this, you can "
                               "ignore this email: your password stays as it is.\n")},
    [AUDIENCE_BILLING] = {"/billing/reset", "account_user",
                          N_("Reset your Billing Center password"),
                          N_("Hello %s,\n\n"
                             "We received a request to reset the password of %s, the login you "
                             "use for your products and the Billing Center.\n\n"
                             "To choose a new password, open this link within 60 minutes:\n%s\n\n"
                             "The link works only once. If you did not ask for this, you can "
                             "ignore this email: your password stays as it is.\n")},
};

static bool resettable(audience_t aud)
{
    return aud == AUDIENCE_CORPORATE || aud == AUDIENCE_BILLING;
}

static void reset_user_of_credential(const credential_t *c, reset_user_t *u)
{
    *u = (reset_user_t){.id = c->id,
                        .account_id = c->account_id,
                        .login = c->user_id,
                        .name = c->contact_name,
                        .email = c->contact_email,
                        .lang = c->lang};
}

static void reset_user_of_account_user(const account_user_t *au, reset_user_t *u)
{
    *u = (reset_user_t){.id = au->id,
                        .account_id = au->account_id,
                        .login = au->email,
                        .name = au->name,
                        .email = au->email,
                        .lang = au->account_lang};
}

/* The person a reset is for, by login (already normalized) when login is set, else by id. */
static store_status_t find_reset_user(store_t *s, arena_t *a, audience_t aud, const char *login,
                                      int64_t id, reset_user_t *u)
{
    store_status_t st;
    if (aud == AUDIENCE_CORPORATE) {
        credential_t c;
        st = login ? store_credential_by_user_id(s, a, login, &c)
                   : store_credential_by_id(s, a, id, &c);
        if (st == STORE_OK) reset_user_of_credential(&c, u);
    } else {
        account_user_t au;
        st = login ? store_account_user_by_email(s, a, login, &au)
                   : store_account_user_by_id(s, a, id, &au);
        if (st == STORE_OK) reset_user_of_account_user(&au, u);
    }
    return st;
}

static store_status_t queue_reset_email(store_t *s, arena_t *a, audience_t aud,
                                        const reset_user_t *u, const char *link, int64_t now)
{
    lang_t lang = lang_of(u->lang);
    email_t m = {
        .kind = "password_reset",
        .account_id = u->account_id,
        .sender_ref = arena_printf(a, "%s:%lld", reset_kinds[aud].sender, (long long)u->id),
        .to_addr = u->email,
        .to_name = u->name,
        .subject = tr(lang, reset_kinds[aud].subject),
        .body_text = mail_text(a, tr(lang, reset_kinds[aud].body), u->name, u->login, link),
    };
    return store_outbox_add(s, &m, now, NULL);
}

typedef struct {
    const auth_ctx_t *ctx;
    arena_t *a;
    audience_t aud;
    const char *base_url;
    const reset_user_t *u;
    bool limited; /* refused: RESET_EMAILS_PER_HOUR already sent */
} reset_request_t;

store_status_t auth_reset_link_queue(store_t *s, arena_t *a, const auth_ctx_t *ctx, audience_t aud,
                                     const char *base_url, const reset_user_t *u, bool *limited)
{
    int64_t now = ctx->now, recent = 0;
    *limited = false;
    if (!resettable(aud)) return STORE_ERROR;
    store_status_t r = store_reset_count_since(s, aud, u->id, now - 3600, &recent);
    if (r != STORE_OK) return r;
    if (recent >= RESET_EMAILS_PER_HOUR) {
        *limited = true;
        return STORE_CONFLICT;
    }
    char token[TOKEN_CHARS + 1], digest[DIGEST_CHARS + 1];
    token_new(token);
    token_digest(token, digest);
    const char *link = arena_printf(a, "%s%s?token=%s", base_url, reset_kinds[aud].page, token);
    r = store_reset_create(s, aud, digest, u->id, now, now + RESET_TOKEN_SECONDS);
    if (r == STORE_OK) r = queue_reset_email(s, a, aud, u, link, now);
    return r;
}

static store_status_t reset_request_body(store_t *s, void *arg)
{
    reset_request_t *q = arg;
    const reset_user_t *u = q->u;
    audit_entry_t e = {.actor_kind = audience_name(q->aud),
                       .actor_id = u->id,
                       .account_id = u->account_id,
                       .action = "password_reset_requested",
                       .ip = q->ctx->ip};
    store_status_t r = auth_reset_link_queue(s, q->a, q->ctx, q->aud, q->base_url, u, &q->limited);
    if (r == STORE_OK) r = store_audit(s, &e, q->ctx->now);
    return r;
}

store_status_t auth_reset_user_of_account(store_t *s, arena_t *a, int64_t account_id,
                                          audience_t *aud, reset_user_t *u)
{
    credential_t c;
    store_status_t st = store_credential_of_account(s, a, account_id, &c);
    if (st == STORE_OK) {
        *aud = AUDIENCE_CORPORATE;
        reset_user_of_credential(&c, u);
        return STORE_OK;
    }
    if (st != STORE_NOT_FOUND) return st;
    account_user_t admin;
    st = store_billing_admin(s, a, account_id, &admin);
    if (st == STORE_OK) {
        *aud = AUDIENCE_BILLING;
        reset_user_of_account_user(&admin, u);
    }
    return st;
}

auth_status_t auth_request_reset(store_t *s, arena_t *a, const auth_ctx_t *ctx, audience_t aud,
                                 const char *base_url, const char *typed_login, bool *queued)
{
    *queued = false;
    if (!resettable(aud)) return AUTH_REFUSED;
    char *login = normalize_login(a, typed_login);
    if (!login) return AUTH_OK;
    reset_user_t u;
    store_status_t st = find_reset_user(s, a, aud, login, 0, &u);
    if (st == STORE_NOT_FOUND) return AUTH_OK;
    if (st != STORE_OK) return AUTH_ERROR;

    reset_request_t q = {.ctx = ctx, .a = a, .aud = aud, .base_url = base_url, .u = &u};
    store_status_t r = store_run_tx(s, STORE_TX_WRITE, reset_request_body, &q);
    if (r == STORE_CONFLICT && q.limited) {
        log_info("password reset for %s login %s not sent: %d emails in the last hour",
                 audience_name(aud), login, RESET_EMAILS_PER_HOUR);
        return AUTH_OK;
    }
    if (r != STORE_OK) return AUTH_ERROR;
    *queued = true;
    return AUTH_OK;
}

reset_state_t auth_reset_state(store_t *s, arena_t *a, audience_t aud, const char *token,
                               int64_t now, reset_user_t *user)
{
    if (!resettable(aud) || !token_well_formed(token)) return RESET_UNKNOWN;
    char digest[DIGEST_CHARS + 1];
    token_digest(token, digest);
    reset_token_t t;
    store_status_t st = store_reset_find(s, aud, digest, &t);
    if (st == STORE_NOT_FOUND) return RESET_UNKNOWN;
    if (st != STORE_OK) return RESET_STORE_ERROR;
    if (find_reset_user(s, a, aud, NULL, t.principal_id, user) != STORE_OK)
        return RESET_STORE_ERROR;
    if (t.used_at) return RESET_USED;
    if (now >= t.expires_at) return RESET_EXPIRED;
    return RESET_VALID;
}

typedef struct {
    const auth_ctx_t *ctx;
    audience_t aud;
    const reset_user_t *u;
    const char *digest, *hash;
    bool used; /* refused: another request used the token first */
} new_password_t;

static store_status_t new_password_body(store_t *s, void *arg)
{
    new_password_t *np = arg;
    const reset_user_t *u = np->u;
    int64_t now = np->ctx->now;
    store_status_t r = store_reset_consume(s, np->aud, np->digest, now);
    np->used = r == STORE_NOT_FOUND;
    audit_entry_t e = {.actor_kind = audience_name(np->aud),
                       .actor_id = u->id,
                       .account_id = u->account_id,
                       .action = "password_changed",
                       .field = "password",
                       .ip = np->ctx->ip};
    if (r == STORE_OK)
        r = np->aud == AUDIENCE_CORPORATE ? store_credential_set_password(s, u->id, np->hash, now)
                                          : store_account_user_set_password(s, u->id, np->hash);
    /* Whoever had the old password is signed out everywhere. */
    if (r == STORE_OK) r = store_sessions_end_others(s, np->aud, u->id, NULL);
    if (r == STORE_OK) r = store_audit(s, &e, now);
    return r;
}

reset_state_t auth_reset_password(store_t *s, arena_t *a, const auth_ctx_t *ctx, audience_t aud,
                                  const char *token, const char *password, const char *confirmation,
                                  password_rule_t *rule)
{
    reset_user_t u;
    *rule = PASSWORD_OK;
    reset_state_t state = auth_reset_state(s, a, aud, token, ctx->now, &u);
    if (state != RESET_VALID) return state;
    *rule = password_check(password, confirmation, u.login);
    if (*rule != PASSWORD_OK) return RESET_VALID;
    char hash[PASSWORD_HASH_MAX];
    if (!password_hash(password, hash)) return RESET_STORE_ERROR;

    char digest[DIGEST_CHARS + 1];
    token_digest(token, digest);
    new_password_t np = {.ctx = ctx, .aud = aud, .u = &u, .digest = digest, .hash = hash};
    store_status_t r = store_run_tx(s, STORE_TX_WRITE, new_password_body, &np);
    if (r == STORE_OK) return RESET_VALID;
    return np.used ? RESET_USED : RESET_STORE_ERROR;
}

/* ---- member to billing administrator ------------------------------------------------ */

static store_status_t queue_admin_email(store_t *s, arena_t *a, const account_user_t *member,
                                        const account_user_t *admin, const char *message,
                                        int64_t now)
{
    lang_t lang = lang_of(admin->account_lang);
    const char *note = *message ? message : tr(lang, "(no message)");
    email_t m = {
        .kind = "billing_admin_contact",
        .account_id = admin->account_id,
        .sender_ref = arena_printf(a, "account_user:%lld", (long long)member->id),
        .to_addr = admin->email,
        .to_name = admin->name,
        .reply_to = member->email,
        .subject =
            mail_text(a, tr(lang, "Message from %s about %s"), member->name, admin->account_name),
        .body_text = mail_text(
            a,
            tr(lang, "Hello %s,\n\n"
                     "%s (%s), a user of the account %s, would like to make a change to products "
                     "or licenses and has asked us to contact you as the account's billing "
                     "administrator.\n\n"
                     "Their message:\n%s\n\n"
                     "Reply to this email to answer them directly.\n"),
            admin->name, member->name, member->email, admin->account_name, note),
    };
    return store_outbox_add(s, &m, now, NULL);
}

typedef struct {
    const auth_ctx_t *ctx;
    arena_t *a;
    const account_user_t *member, *admin;
    const char *message;
    bool limited; /* refused: ADMIN_EMAILS_PER_DAY already sent */
} admin_email_t;

static store_status_t admin_email_body(store_t *s, void *arg)
{
    admin_email_t *m = arg;
    int64_t now = m->ctx->now, sent = 0;
    m->limited = false;
    const char *ref = arena_printf(m->a, "account_user:%lld", (long long)m->member->id);
    store_status_t r = store_outbox_count(s, "billing_admin_contact", ref, now - 24 * 3600, &sent);
    if (r != STORE_OK) return r;
    if (sent >= ADMIN_EMAILS_PER_DAY) {
        m->limited = true;
        return STORE_CONFLICT;
    }
    audit_entry_t e = {.actor_kind = "billing",
                       .actor_id = m->member->id,
                       .account_id = m->member->account_id,
                       .action = "billing_admin_emailed",
                       .ip = m->ctx->ip};
    r = queue_admin_email(s, m->a, m->member, m->admin, m->message, now);
    if (r == STORE_OK) r = store_audit(s, &e, now);
    return r;
}

auth_status_t auth_email_billing_admin(store_t *s, arena_t *a, const auth_ctx_t *ctx,
                                       int64_t member_id, const char *message,
                                       account_user_t *admin)
{
    account_user_t member;
    store_status_t st = store_account_user_by_id(s, a, member_id, &member);
    if (st != STORE_OK) return st == STORE_NOT_FOUND ? AUTH_REFUSED : AUTH_ERROR;
    if (strcmp(member.role, "member") != 0) return AUTH_REFUSED;
    st = store_billing_admin(s, a, member.account_id, admin);
    if (st != STORE_OK) return st == STORE_NOT_FOUND ? AUTH_REFUSED : AUTH_ERROR;

    admin_email_t m = {.ctx = ctx, .a = a, .member = &member, .admin = admin, .message = message};
    store_status_t r = store_run_tx(s, STORE_TX_WRITE, admin_email_body, &m);
    if (r == STORE_OK) return AUTH_OK;
    return r == STORE_CONFLICT && m.limited ? AUTH_LIMITED : AUTH_ERROR;
}
