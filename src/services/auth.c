/* Sign-in, lockout, password reset and the member's email to the billing administrator. */
#include "auth.h"
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

static lang_t lang_of(const char *code)
{
    lang_t l = LANG_EN;
    lang_parse(code, &l);
    return l;
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

static int64_t current_lock(store_t *s, audience_t aud, const char *login, int64_t now,
                            bool *failed)
{
    int64_t failures[32];
    size_t n = 0;
    *failed = store_attempt_failures(s, aud, login, now - LOCKOUT_WINDOW - LOCKOUT_SECONDS,
                                     failures, 32, &n) != STORE_OK;
    return *failed ? 0 : lockout_until(failures, n, now);
}

/* Takes one of the login's password checks: in one write transaction, refuses (AUTH_LOCKED,
 * *locked_until set) when the login is locked or the address throttled, and otherwise records a
 * pending attempt (*attempt_id) that counts as a failure until it is ended. Checking the lock
 * and recording the attempt together is what bounds the checks to LOCKOUT_FAILURES per window
 * however many requests run at once: each one counts those still being checked. */
static auth_status_t claim_attempt(store_t *s, const auth_ctx_t *ctx, audience_t aud,
                                   const char *login, int64_t *attempt_id, int64_t *locked_until)
{
    if (store_begin(s) != STORE_OK) return AUTH_ERROR;
    bool failed = false;
    int64_t from_ip = 0;
    if (store_attempt_turn(s, aud, login, ctx->now) != STORE_OK) goto error;
    *locked_until = current_lock(s, aud, login, ctx->now, &failed);
    if (failed) goto error;
    if (*locked_until) {
        store_rollback(s);
        return AUTH_LOCKED;
    }
    if (store_attempt_failures_from_ip(s, ctx->ip, ctx->now - LOCKOUT_WINDOW, &from_ip) != STORE_OK)
        goto error;
    if (from_ip >= LOCKOUT_IP_FAILURES) {
        store_rollback(s);
        log_info("sign-in refused for %s: %lld failures from it in 15 minutes", ctx->ip,
                 (long long)from_ip);
        *locked_until = ctx->now + LOCKOUT_WINDOW;
        return AUTH_LOCKED;
    }
    if (store_attempt_start(s, aud, login, ctx->ip, ctx->now, attempt_id) != STORE_OK ||
        store_commit(s) != STORE_OK)
        goto error;
    return AUTH_OK;
error:
    store_rollback(s);
    return AUTH_ERROR;
}

/* Ends the attempt and, on success, starts the new session with its audit entry, in one
 * transaction. When this fails the attempt stays pending, so it counts as a failure. */
static auth_status_t commit_attempt(store_t *s, const auth_ctx_t *ctx, audience_t aud,
                                    int64_t attempt_id, bool ok, int64_t principal_id,
                                    int64_t account_id, const char *old_digest,
                                    sign_in_result_t *out)
{
    if (store_begin(s) != STORE_OK) return AUTH_ERROR;
    bool fine = store_attempt_end(s, attempt_id, ok) == STORE_OK;
    if (fine && ok) {
        char digest[DIGEST_CHARS + 1];
        token_new(out->token);
        token_digest(out->token, digest);
        audit_entry_t e = {.actor_kind = audience_name(aud),
                           .actor_id = principal_id,
                           .account_id = account_id,
                           .action = "sign_in",
                           .ip = ctx->ip};
        fine = (!old_digest || store_session_delete(s, old_digest) == STORE_OK) &&
               store_session_create(s, digest, aud, principal_id, ctx->now, ctx->ip) == STORE_OK &&
               store_audit(s, &e, ctx->now) == STORE_OK;
    }
    if (!fine || store_commit(s) != STORE_OK) {
        store_rollback(s);
        return AUTH_ERROR;
    }
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
        bool failed = false;
        out->locked_until = current_lock(s, aud, login, ctx->now, &failed);
        if (out->locked_until) {
            log_info("sign-in locked for %s login %s", audience_name(aud), login);
            return AUTH_LOCKED;
        }
    }
    return result;
}

/* ---- password reset -------------------------------------------------------------------- */

static store_status_t queue_reset_email(store_t *s, arena_t *a, const credential_t *c,
                                        const char *link, int64_t now)
{
    lang_t lang = lang_of(c->lang);
    email_t m = {
        .kind = "password_reset",
        .account_id = c->account_id,
        .sender_ref = arena_printf(a, "credential:%lld", (long long)c->id),
        .to_addr = c->contact_email,
        .to_name = c->contact_name,
        .subject = tr(lang, "Reset your Corporate Billing Portal password"),
        .body_text = mail_text(
            a,
            tr(lang, "Hello %s,\n\n"
                     "We received a request to reset the password of the Corporate Billing "
                     "Portal User ID %s.\n\n"
                     "To choose a new password, open this link within 60 minutes:\n%s\n\n"
                     "The link works only once. If you did not ask for this, you can ignore "
                     "this email: your password stays as it is.\n"),
            c->contact_name, c->user_id, link),
    };
    return store_outbox_add(s, &m, now, NULL);
}

auth_status_t auth_request_reset(store_t *s, arena_t *a, const auth_ctx_t *ctx,
                                 const char *base_url, const char *typed_user_id, bool *queued)
{
    *queued = false;
    char *user_id = normalize_login(a, typed_user_id);
    if (!user_id) return AUTH_OK;
    credential_t c;
    store_status_t st = store_credential_by_user_id(s, a, user_id, &c);
    if (st == STORE_NOT_FOUND) return AUTH_OK;
    if (st != STORE_OK) return AUTH_ERROR;

    if (store_begin(s) != STORE_OK) return AUTH_ERROR;
    int64_t recent = 0;
    if (store_reset_count_since(s, c.id, ctx->now - 3600, &recent) != STORE_OK) {
        store_rollback(s);
        return AUTH_ERROR;
    }
    if (recent >= RESET_EMAILS_PER_HOUR) {
        store_rollback(s);
        log_info("password reset for %s not sent: %d emails in the last hour", user_id,
                 RESET_EMAILS_PER_HOUR);
        return AUTH_OK;
    }
    char token[TOKEN_CHARS + 1], digest[DIGEST_CHARS + 1];
    token_new(token);
    token_digest(token, digest);
    const char *link = arena_printf(a, "%s/corporate/reset?token=%s", base_url, token);
    audit_entry_t e = {.actor_kind = "corporate",
                       .actor_id = c.id,
                       .account_id = c.account_id,
                       .action = "password_reset_requested",
                       .ip = ctx->ip};
    if (store_reset_create(s, digest, c.id, ctx->now, ctx->now + RESET_TOKEN_SECONDS) != STORE_OK ||
        queue_reset_email(s, a, &c, link, ctx->now) != STORE_OK ||
        store_audit(s, &e, ctx->now) != STORE_OK || store_commit(s) != STORE_OK) {
        store_rollback(s);
        return AUTH_ERROR;
    }
    *queued = true;
    return AUTH_OK;
}

reset_state_t auth_reset_state(store_t *s, arena_t *a, const char *token, int64_t now,
                               credential_t *cred)
{
    if (!token_well_formed(token)) return RESET_UNKNOWN;
    char digest[DIGEST_CHARS + 1];
    token_digest(token, digest);
    reset_token_t t;
    store_status_t st = store_reset_find(s, digest, &t);
    if (st == STORE_NOT_FOUND) return RESET_UNKNOWN;
    if (st != STORE_OK) return RESET_STORE_ERROR;
    if (store_credential_by_id(s, a, t.credential_id, cred) != STORE_OK) return RESET_STORE_ERROR;
    if (t.used_at) return RESET_USED;
    if (now >= t.expires_at) return RESET_EXPIRED;
    return RESET_VALID;
}

reset_state_t auth_reset_password(store_t *s, arena_t *a, const auth_ctx_t *ctx, const char *token,
                                  const char *password, const char *confirmation,
                                  password_rule_t *rule)
{
    credential_t c;
    *rule = PASSWORD_OK;
    reset_state_t state = auth_reset_state(s, a, token, ctx->now, &c);
    if (state != RESET_VALID) return state;
    *rule = password_check(password, confirmation, c.user_id);
    if (*rule != PASSWORD_OK) return RESET_VALID;
    char hash[PASSWORD_HASH_MAX];
    if (!password_hash(password, hash)) return RESET_STORE_ERROR;

    char digest[DIGEST_CHARS + 1];
    token_digest(token, digest);
    if (store_begin(s) != STORE_OK) return RESET_STORE_ERROR;
    store_status_t consumed = store_reset_consume(s, digest, ctx->now);
    if (consumed == STORE_NOT_FOUND) { /* another request used it first */
        store_rollback(s);
        return RESET_USED;
    }
    audit_entry_t e = {.actor_kind = "corporate",
                       .actor_id = c.id,
                       .account_id = c.account_id,
                       .action = "password_changed",
                       .field = "password",
                       .ip = ctx->ip};
    if (consumed != STORE_OK ||
        store_credential_set_password(s, c.id, hash, ctx->now) != STORE_OK ||
        store_sessions_end_others(s, AUDIENCE_CORPORATE, c.id, NULL) != STORE_OK ||
        store_audit(s, &e, ctx->now) != STORE_OK || store_commit(s) != STORE_OK) {
        store_rollback(s);
        return RESET_STORE_ERROR;
    }
    return RESET_VALID;
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

    if (store_begin(s) != STORE_OK) return AUTH_ERROR;
    int64_t sent = 0;
    const char *ref = arena_printf(a, "account_user:%lld", (long long)member.id);
    if (store_outbox_count(s, "billing_admin_contact", ref, ctx->now - 24 * 3600, &sent) !=
        STORE_OK) {
        store_rollback(s);
        return AUTH_ERROR;
    }
    if (sent >= ADMIN_EMAILS_PER_DAY) {
        store_rollback(s);
        return AUTH_LIMITED;
    }
    audit_entry_t e = {.actor_kind = "billing",
                       .actor_id = member.id,
                       .account_id = member.account_id,
                       .action = "billing_admin_emailed",
                       .ip = ctx->ip};
    if (queue_admin_email(s, a, &member, admin, message, ctx->now) != STORE_OK ||
        store_audit(s, &e, ctx->now) != STORE_OK || store_commit(s) != STORE_OK) {
        store_rollback(s);
        return AUTH_ERROR;
    }
    return AUTH_OK;
}
