/* Sign-in, sign-in lockout, password reset and the member's email to the billing administrator:
 * the rules, over the store, with `now` passed in. */
#ifndef COBRO_AUTH_H
#define COBRO_AUTH_H
#include "store/rows.h"
#include "util/arena.h"
#include "util/password.h"
#include "util/token.h"
#include <stdint.h>

enum {
    RESET_TOKEN_SECONDS = 60 * 60,
    RESET_EMAILS_PER_HOUR = 3,
    ADMIN_EMAILS_PER_DAY = 3,
    ADMIN_MESSAGE_MAX = 2000,
};

/* What sign-in and its kin answer, in the program's one status (util/status.h). */
typedef status_t auth_status_t;
#define AUTH_OK STATUS_OK
/* Unknown login or wrong password: the same answer for both. */
#define AUTH_INVALID STATUS_INVALID
#define AUTH_LOCKED STATUS_LOCKED   /* too many failures: the password was not checked */
#define AUTH_LIMITED STATUS_LIMITED /* a sending limit was reached */
#define AUTH_REFUSED STATUS_REFUSED /* the principal may not do this */
/* The store failed or stayed busy, nothing was written: the asker may try again (503). */
#define AUTH_ERROR STATUS_BUSY

typedef struct {
    const char *ip;
    int64_t now;
} auth_ctx_t;

typedef struct {
    int64_t principal_id;
    int64_t locked_until;        /* with AUTH_LOCKED */
    char token[TOKEN_CHARS + 1]; /* the new session's cookie value, with AUTH_OK */
} sign_in_result_t;

/* Checks login and password for the audience (corporate: portal User ID; billing: account
 * user's email; staff: staff email), honouring the lockout. On success starts a new session
 * (ending old_session_digest, if any, so the token rotates) and writes the audit entry, all in
 * one transaction. Slow (argon2id): call from a worker thread. */
auth_status_t auth_sign_in(store_t *s, arena_t *a, const auth_ctx_t *ctx, audience_t aud,
                           const char *login, const char *password, const char *old_session_digest,
                           sign_in_result_t *out);

/* Whom a reset link belongs to: in the corporate portal (AUDIENCE_CORPORATE) the billing
 * contact's portal credential, in the Billing Center (AUDIENCE_BILLING) an account user, member
 * or billing administrator (the link resets their product login). */
typedef struct {
    int64_t id, account_id;
    const char *login;        /* what they sign in with: the User ID, or the email */
    const char *name, *email; /* where the link goes: the billing contact, or the user */
    const char *lang;         /* the account's language, the email's */
} reset_user_t;

/* "Forgot your password?" in the portal of aud (corporate or billing): when login names one of
 * its users and fewer than RESET_EMAILS_PER_HOUR were sent to them in the last hour, stores a
 * single-use token (its digest only) valid RESET_TOKEN_SECONDS and queues the email with the
 * link, in the account's language. Returns AUTH_OK whatever the login (the caller must show one
 * answer); *queued tells whether an email was queued (for waking the mailer). */
auth_status_t auth_request_reset(store_t *s, arena_t *a, const auth_ctx_t *ctx, audience_t aud,
                                 const char *base_url, const char *login, bool *queued);

/* The link itself, for a user already found, inside the caller's transaction: counts the
 * user's links of the last hour (*limited, STORE_CONFLICT: RESET_EMAILS_PER_HOUR already sent,
 * nothing written), stores the token's digest and queues the email. For the staff console's
 * "Send a password-reset link", which audits it under the staff member. */
store_status_t auth_reset_link_queue(store_t *s, arena_t *a, const auth_ctx_t *ctx, audience_t aud,
                                     const char *base_url, const reset_user_t *u, bool *limited);
/* Whom an account's reset link goes to: its portal credential's billing contact (corporate), or
 * its billing administrator's product login (online); *aud is the portal. */
store_status_t auth_reset_user_of_account(store_t *s, arena_t *a, int64_t account_id,
                                          audience_t *aud, reset_user_t *u);

typedef enum {
    RESET_VALID = 0,
    RESET_UNKNOWN,
    RESET_USED,
    RESET_EXPIRED,
    RESET_STORE_ERROR,
} reset_state_t;

/* The state of a reset link's token of aud's portal; *user receives its user when it exists. */
reset_state_t auth_reset_state(store_t *s, arena_t *a, audience_t aud, const char *token,
                               int64_t now, reset_user_t *user);

/* Sets the new password through a valid token: checks the rules (*rule), consumes the token,
 * stores the hash, ends every session of that user and audits, in one transaction. Returns
 * RESET_VALID on success; the token's state otherwise (*rule != PASSWORD_OK: nothing done). */
reset_state_t auth_reset_password(store_t *s, arena_t *a, const auth_ctx_t *ctx, audience_t aud,
                                  const char *token, const char *password, const char *confirmation,
                                  password_rule_t *rule);

/* A Billing Center member's email to the account's billing administrator (Reply-To the member),
 * at most ADMIN_EMAILS_PER_DAY per member per 24 hours. AUTH_REFUSED when the user is not a
 * member; AUTH_LIMITED at the limit. *admin receives the administrator. */
auth_status_t auth_email_billing_admin(store_t *s, arena_t *a, const auth_ctx_t *ctx,
                                       int64_t member_id, const char *message,
                                       account_user_t *admin);

#endif
