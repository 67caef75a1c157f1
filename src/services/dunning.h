/* Renewal charges and dunning (docs/dunning.md): each renewal invoice of an online account
 * charged to its card on file, and what happens when that fails: retries on a schedule, past
 * due, suspended, and resolved once the invoice is paid by any path. */
#ifndef COBRO_DUNNING_H
#define COBRO_DUNNING_H
#include "i18n/i18n.h"
#include "services/services.h"
#include "store/rows.h"
#include "util/arena.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    DUNNING_RETRIES_MAX = 12, /* retries a schedule may hold */
    DUNNING_DAY_MAX = 365,    /* the latest retry day, and the longest grace */
    DUNNING_GRACE_DEFAULT = 14,
    DUNNING_LEASE_S = 300, /* a node's hold on a case while it retries it */
};
#define DUNNING_RETRY_DAYS_DEFAULT "1,3,5,7"

/* The vendor setting dunning_retry_days: days after the first failure, increasing. */
typedef struct {
    int days[DUNNING_RETRIES_MAX];
    size_t n;
} dunning_schedule_t;

typedef enum {
    DUNNING_DAYS_OK = 0,
    DUNNING_DAYS_EMPTY,
    DUNNING_DAYS_NOT_NUMBER, /* something that is not a whole number of days */
    DUNNING_DAYS_RANGE,      /* a day outside 1..365 */
    DUNNING_DAYS_ORDER,      /* not increasing */
    DUNNING_DAYS_TOO_MANY,
} dunning_days_error_t;

/* Reads "1,3,5,7" (spaces allowed around the numbers). */
dunning_days_error_t dunning_schedule_parse(const char *text, dunning_schedule_t *out);
/* Why a value was refused, in lang (for the log and any page that edits the setting). */
const char *dunning_days_error_text(lang_t lang, dunning_days_error_t e);
/* The vendor setting dunning_grace_days: 0..365. */
bool dunning_grace_parse(const char *text, int *days);
/* The first scheduled retry after after, for a case whose first charge failed at
 * first_failed_at (retry k at first_failed_at + days[k] x 24 h); 0 when none is left. */
int64_t dunning_next_retry(const dunning_schedule_t *s, int64_t first_failed_at, int64_t after);
/* True for the decline codes after which the gateway says the card must not be charged again
 * (lost, stolen, closed...). */
bool dunning_hard_decline(const char *code);
/* A decline code in words for the billing administrator, in lang. */
const char *dunning_decline_words(lang_t lang, const char *code);

/* What the staff account page and the Billing Center's Subscription page show. */
typedef struct {
    /* "none" (never in dunning), "retrying", "past_due", "suspended", "resolved" (the newest
     * case, paid) */
    const char *state;
    const char *invoice_number; /* the case's invoice; "" when none */
    int64_t failures;
    int64_t next_retry_at;    /* 0: no retry planned */
    char next_retry_date[11]; /* 'YYYY-MM-DD' (UTC) or "" */
    const char *last_decline_code;
    bool no_retry;
    int64_t first_failed_at, past_due_at, suspended_at, resolved_at; /* 0: none */
    char suspended_on[11];                                           /* 'YYYY-MM-DD' or "" */
    size_t open_cases; /* unresolved cases of the account */
    bool suspended;    /* the account is suspended (a case is) */
} dunning_view_t;

/* The account's dunning as it stands: its worst open case (suspended, then past due, then
 * retrying; the newest among equals), else its newest resolved case, else state "none". */
status_t dunning_view(services_t *svc, arena_t *a, int64_t account_id, dunning_view_t *out);

/* The payments worker, every minute on every node: charges new renewal invoices of online
 * accounts (emailing those without a card, once), retries the cases due, suspends those past
 * their grace. Returns how many steps it took (charges asked, emails, suspensions), -1 when the
 * database failed. */
int64_t dunning_run(services_t *svc, int64_t now);
/* True once after a card was saved in this process (the worker then runs dunning_run at once). */
bool dunning_poked(void);

#endif
