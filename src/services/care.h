/* Customer Care changes an online (Billing Center) account's billing administrator when the
 * caller verifies the card on file AND is its cardholder or a registered administrator of the
 * account (docs/care.md): each check logged, three failed ones in the vendor's day lock the
 * change and flag the account for an admin; then the new administrator is picked among the
 * account's users or invited by email, exactly one billing administrator kept, both told. */
#ifndef COBRO_CARE_H
#define COBRO_CARE_H
#include "services/services.h"
#include "services/validate.h"
#include "store/rows.h"
#include "store/rows_w9care.h"
#include "util/arena.h"

#include <stdbool.h>
#include <stdint.h>

enum {
    CARE_FAILURES_PER_DAY = 3,           /* failed verifications that lock the change */
    CARE_VERIFIED_SECONDS = 30 * 60,     /* how long a passed verification allows the change */
    CARE_INVITE_SECONDS = 7 * 24 * 3600, /* how long an invitation's password link works */
    CARE_FLAGS_SHOWN = 100,
};

/* What the staff page of the change shows: never the card or the cardholder's name. */
typedef struct {
    account_t account;
    care_user_row_t *users; /* billing administrator first */
    size_t n_users;
    bool has_card;
    bool locked;               /* an open flag: an admin must clear it first */
    int64_t failures_today;    /* failed verifications counted towards the lock */
    account_flag_row_t *flags; /* the account's open flags */
    size_t n_flags;
} care_view_t;

/* STATUS_NOT_FOUND for an unknown or corporate account. */
status_t care_view(services_t *svc, arena_t *a, int64_t account_id, int64_t now, care_view_t *v);

/* What Care types from the caller. */
typedef struct {
    const char *last4, *exp_month, *exp_year; /* exp_year: four digits or two */
    const char *basis;                        /* "cardholder" or "registered_admin" */
    const char *holder_name;                  /* for "cardholder" */
    const char *admin_user;                   /* for "registered_admin": an account user's id */
} care_caller_t;

typedef struct {
    field_error_t last4, exp_month, exp_year, basis, holder_name, admin_user;
} care_caller_errors_t;

typedef struct {
    bool card_ok, person_ok;
    bool locked_now;         /* this failure locked the change */
    int64_t verification_id; /* for care_change_admin when both hold */
} care_result_t;

typedef struct {
    int64_t staff_id, account_id, now;
    const char *ip, *base_url;
} care_ctx_t;

/* Checks the caller and logs the check (never what was typed). STATUS_INVALID: a field is not
 * of the right shape (errors say which; nothing logged, nothing counted); STATUS_LOCKED: the
 * change is locked for the account; STATUS_NOT_FOUND: not an online account. */
status_t care_verify(services_t *svc, arena_t *a, const care_ctx_t *ctx, const care_caller_t *in,
                     care_caller_errors_t *errors, care_result_t *out);

typedef struct {
    int64_t verification_id;
    const char *new_user;                   /* an account user's id, or "invite" */
    const char *invite_name, *invite_email; /* when inviting */
} care_change_t;

typedef struct {
    field_error_t new_user, invite_name, invite_email;
} care_change_errors_t;

typedef struct {
    const char *old_name, *new_name, *new_email;
    bool invited;
} care_change_result_t;

/* Makes the chosen user (or the invited one) the account's billing administrator and the former
 * one a member, under the account's row lock; emails both (and the invitation's password link).
 * STATUS_INVALID: errors say which field; STATUS_CONFLICT: the verification is not valid any
 * more (used, older than CARE_VERIFIED_SECONDS, another staff member's); STATUS_LOCKED. */
status_t care_change_admin(services_t *svc, arena_t *a, const care_ctx_t *ctx,
                           const care_change_t *in, care_change_errors_t *errors,
                           care_change_result_t *out);

/* Open account flags (account_id 0: every account's), oldest first. */
status_t care_flags_open(services_t *svc, arena_t *a, int64_t account_id, account_flag_row_t **rows,
                         size_t *n);
/* An admin clears a flag (audited); STATUS_NOT_FOUND when it is not open. *account_id gets its
 * account. */
status_t care_flag_clear(services_t *svc, int64_t flag_id, int64_t staff_id, const char *ip,
                         int64_t now, int64_t *account_id);

#endif
