/* The store: every read and write of cobro's data, behind one interface. Nothing above this
 * layer writes SQL; nothing in it knows HTTP. Strings come back in the caller's arena. */
#ifndef COBRO_STORE_H
#define COBRO_STORE_H
#include "render/invoice_doc.h"
#include "store/rows.h"
#include "util/arena.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- opening, schema, transactions (store.c) ----------------------------------------- */

/* Opens the database target names (a SQLite file, or a PostgreSQL connection string: db.h);
 * NULL with a one-line reason in err on failure. */
store_t *store_open(const char *target, char *err, int err_size);
void store_close(store_t *s);
/* Applies the migrations not yet applied, each in its own transaction, and makes sure the
 * server secret exists. *from and *to receive the versions before and after. */
store_status_t store_migrate(store_t *s, int *from, int *to);
/* STORE_OK when the database answers a query that reads it (the schema's version). */
store_status_t store_ping(store_t *s);

/* Transactions by hand; new code uses store_run_tx (below), which also retries when busy.
 * A read transaction for a page that only reads (one snapshot, locks taken once); ended by
 * store_commit. Writing inside it is an error. */
store_status_t store_begin_read(store_t *s);
/* One transaction at a time per connection; begin takes the write lock at once. */
store_status_t store_begin(store_t *s);
store_status_t store_commit(store_t *s);
void store_rollback(store_t *s);
/* Gives this connection a large page cache for a bulk job (the bill run). */
store_status_t store_bulk_mode(store_t *s);
/* True when the database runs several writers at once (PostgreSQL), false when it has one
 * writer at a time (SQLite). */
bool store_writers_at_once(store_t *s);
/* The database's own words for this connection's last failure (for logs, never for users):
 * read it before a rollback or any other statement replaces it. */
const char *store_errmsg(store_t *s);

/* ---- running a transaction, the one way to write one (store.c) ---------------------- */

typedef enum {
    STORE_TX_READ,  /* reads only: one snapshot (store_begin_read) */
    STORE_TX_WRITE, /* takes the write lock at once (store_begin: BEGIN IMMEDIATE on SQLite) */
    /* A writer that locks the rows its rules rely on itself (db_begin_locking: READ COMMITTED
     * on PostgreSQL, where only the bill run uses it; STORE_TX_WRITE's on SQLite). */
    STORE_TX_LOCKING,
} store_tx_kind_t;
/* The work of one transaction, given the store and the caller's ctx. */
typedef store_status_t (*store_tx_body_t)(store_t *s, void *ctx);
/* How many times store_run_tx runs a body the database keeps answering busy. SQLite waits for
 * its write lock inside each attempt (a 5 s busy timeout), so few are needed; PostgreSQL's
 * serializable writers do not wait but fail and start again, so on a row many writers share
 * (one account saved from four browsers) it takes more, with pauses growing to 32 ms. */
enum { STORE_TX_ATTEMPTS = 5, STORE_TX_ATTEMPTS_POSTGRESQL = 40 };
/* Runs body in one transaction of kind on s (which has none open) and returns its outcome:
 * - body returns STORE_OK: the transaction commits; the commit's status is returned.
 * - any other result rolls back everything the body wrote and is returned as is: STORE_NOT_FOUND
 *   and STORE_CONFLICT are how a body refuses (it leaves the why in ctx), STORE_ERROR a failure.
 * - STORE_BUSY (from begin, the body or a write's commit; PostgreSQL's serialization failures and
 *   deadlocks too): rolled back, a short random pause, the whole body again, STORE_TX_ATTEMPTS
 *   runs in all (STORE_TX_ATTEMPTS_POSTGRESQL there); then logged and STORE_BUSY returned.
 * So the body must be re-runnable, and only its last run counts: no effect outside the
 * transaction (no mail sent, no file written, nothing logged as done, caller state it does not
 * reset at its start); allocations in an arena are fine. A read transaction's commit only ends
 * the snapshot: when ending it fails, the body's result stands and the body is not run again. */
store_status_t store_run_tx(store_t *s, store_tx_kind_t kind, store_tx_body_t body, void *ctx);

/* ---- settings (store.c) -------------------------------------------------------------- */

/* The random secret of this installation (keys CSRF tokens), shared by every server node. */
store_status_t store_server_secret(store_t *s, arena_t *a, char **out);
store_status_t store_setting(store_t *s, arena_t *a, const char *key, char **out);
store_status_t store_set_setting(store_t *s, const char *key, const char *value);
/* Sets key only when it has no value yet (the first of several nodes wins). */
store_status_t store_add_setting(store_t *s, const char *key, const char *value);

/* ---- people who sign in (store_people.c) --------------------------------------------- */

/* Look-ups by login expect it already in lower case. */
store_status_t store_credential_by_user_id(store_t *s, arena_t *a, const char *user_id,
                                           credential_t *out);
store_status_t store_credential_by_id(store_t *s, arena_t *a, int64_t id, credential_t *out);
/* The credential's account and that account's country: what a signed-in page needs of it. */
store_status_t store_credential_account(store_t *s, arena_t *a, int64_t id, int64_t *account_id,
                                        char **country);
store_status_t store_credential_set_password(store_t *s, int64_t id, const char *hash, int64_t now);
store_status_t store_account_user_by_email(store_t *s, arena_t *a, const char *email,
                                           account_user_t *out);
store_status_t store_account_user_by_id(store_t *s, arena_t *a, int64_t id, account_user_t *out);
store_status_t store_account_user_set_password(store_t *s, int64_t id, const char *hash);
/* The billing administrator of an account. */
store_status_t store_billing_admin(store_t *s, arena_t *a, int64_t account_id, account_user_t *out);
store_status_t store_staff_by_email(store_t *s, arena_t *a, const char *email, staff_user_t *out);
store_status_t store_staff_by_id(store_t *s, arena_t *a, int64_t id, staff_user_t *out);

/* ---- accounts, invoice recipients, purchase orders (store_accounts.c) ---------------- */

/* Writes the Bill To of an account (the country stays). */
store_status_t store_update_bill_to(store_t *s, const account_t *acc);
/* Writes the billing contact's name and email (the User ID stays). */
store_status_t store_update_contact(store_t *s, int64_t credential_id, const char *name,
                                    const char *email);
store_status_t store_update_payment(store_t *s, const account_t *acc, int64_t mandate_at);

/* An account's direct-debit numbers (sealed or, before sealing, plain) and their masked hints. */
typedef struct {
    int64_t account_id;
    char *routing, *account, *iban, *routing_hint, *number_hint;
} debit_numbers_t;
/* Accounts whose bank numbers are still plain (written before they were sealed at rest). */
store_status_t store_debits_unsealed(store_t *s, arena_t *a, debit_numbers_t **out, size_t *n);
/* Replaces an account's bank numbers and hints. */
store_status_t store_set_debit_numbers(store_t *s, const debit_numbers_t *d);

store_status_t store_account_by_id(store_t *s, arena_t *a, int64_t id, account_t *out);

/* Accounts by name, at most limit, offset for paging. */
store_status_t store_accounts_list(store_t *s, arena_t *a, int limit, int offset,
                                   account_row_t **out, size_t *n);

store_status_t store_add_invoice_recipient(store_t *s, int64_t account_id, const char *name,
                                           const char *email, int64_t now);

/* Recipients with their ids (for removal), by id. */
store_status_t store_recipients_of(store_t *s, arena_t *a, int64_t account_id,
                                   recipient_row_t **out, size_t *n);
store_status_t store_remove_recipient(store_t *s, int64_t account_id, int64_t id,
                                      char **email_removed, arena_t *a);

store_status_t store_pos_of(store_t *s, arena_t *a, int64_t account_id, po_t **out, size_t *n);
store_status_t store_po_by_id(store_t *s, arena_t *a, int64_t account_id, int64_t id, po_t *out);
/* How many of the account's purchase orders other than except_id share a day with
 * [start_date, end_date]. */
store_status_t store_po_overlaps(store_t *s, int64_t account_id, int64_t except_id,
                                 const char *start_date, const char *end_date, int64_t *count);
store_status_t store_po_insert(store_t *s, int64_t account_id, const po_t *po, int64_t now,
                               int64_t *id);
/* Changing the dates of a purchase order clears its reminder, so a new expiry gets one. */
store_status_t store_po_update(store_t *s, int64_t account_id, const po_t *po);
store_status_t store_po_delete(store_t *s, int64_t account_id, int64_t id);

typedef struct {
    int64_t po_id, account_id;
    char *number, *end_date, *contact_name, *contact_email, *user_id, *lang, *country;
} po_reminder_t;
/* Purchase orders in force on today whose end_date is on or before last_day and that had no
 * reminder, with their account's billing contact. */
store_status_t store_pos_needing_reminder(store_t *s, arena_t *a, const char *today,
                                          const char *last_day, po_reminder_t **out, size_t *n);
/* Marks the reminder sent; STORE_NOT_FOUND when another node marked it first. */
store_status_t store_po_reminded(store_t *s, int64_t id, int64_t now);

/* ---- sign-in attempts, the lockout's counts (store_sessions.c) ----------------------- */

/* Inside a write transaction, before counting the login's attempts: waits for, then holds
 * until the end of the transaction, the login's turn, so that two transactions of one login
 * never count at the same time, on any backend and with any number of server nodes. */
store_status_t store_attempt_turn(store_t *s, audience_t aud, const char *login, int64_t now);
/* Records an attempt whose password is about to be checked: pending, it counts as a failure
 * (also if it is never ended) until store_attempt_end. *id receives its id. */
store_status_t store_attempt_start(store_t *s, audience_t aud, const char *login, const char *ip,
                                   int64_t at, int64_t *id);
/* The pending attempt id's outcome; STORE_NOT_FOUND when it is not pending. */
store_status_t store_attempt_end(store_t *s, int64_t id, bool succeeded);
/* The failed and pending attempts for login at or after since and taken after its last
 * success, oldest first; at most max of the newest are written to out, *n receives how many. */
store_status_t store_attempt_failures(store_t *s, audience_t aud, const char *login, int64_t since,
                                      int64_t *out, size_t max, size_t *n);

/* Failed and pending attempts from ip (any login, any audience) at or after since. */
store_status_t store_attempt_failures_from_ip(store_t *s, const char *ip, int64_t since,
                                              int64_t *count);

/* ---- sessions (store_sessions.c) ----------------------------------------------------- */

store_status_t store_session_create(store_t *s, const char *digest, audience_t aud,
                                    int64_t principal_id, int64_t now, const char *ip);
store_status_t store_session_find(store_t *s, const char *digest, session_t *out);
store_status_t store_session_touch(store_t *s, const char *digest, int64_t now);
store_status_t store_session_delete(store_t *s, const char *digest);
/* Ends every session of the principal except keep_digest (NULL ends them all). */
store_status_t store_sessions_end_others(store_t *s, audience_t aud, int64_t principal_id,
                                         const char *keep_digest);
/* Removes sessions idle since before cutoff; *removed receives the count. */
store_status_t store_sessions_purge(store_t *s, int64_t cutoff, int64_t *removed);
/* Removes sign-in attempts (and logins' turn rows) older than cutoff, long past any lockout or
 * throttle window, so that logins typed by anyone do not pile up; *removed: attempts removed. */
store_status_t store_attempts_purge(store_t *s, int64_t cutoff, int64_t *removed);

/* ---- password reset (store_people.c) ------------------------------------------------- */

/* A reset link of the corporate portal (aud AUDIENCE_CORPORATE: principal_id is a
 * portal_credentials id) or of the Billing Center (AUDIENCE_BILLING: an account_users id). */
typedef struct {
    int64_t principal_id, created_at, expires_at, used_at; /* used_at 0 when unused */
} reset_token_t;

store_status_t store_reset_create(store_t *s, audience_t aud, const char *digest,
                                  int64_t principal_id, int64_t now, int64_t expires_at);
store_status_t store_reset_find(store_t *s, audience_t aud, const char *digest, reset_token_t *out);
/* Marks the token used; STORE_NOT_FOUND when it was already used (a second request loses). */
store_status_t store_reset_consume(store_t *s, audience_t aud, const char *digest, int64_t now);
/* How many links the principal was sent since `since` (the sending limit). */
store_status_t store_reset_count_since(store_t *s, audience_t aud, int64_t principal_id,
                                       int64_t since, int64_t *count);

/* ---- email outbox (store_outbox.c) --------------------------------------------------- */

/* Queues a message for delivery; call inside the transaction of the change that causes it. */
store_status_t store_outbox_add(store_t *s, const email_t *m, int64_t now, int64_t *id);
/* The same for a bulk job that needs no id: a deferred write (db_exec_deferred), whose failure
 * surfaces at the latest when the transaction flushes (store_flush) or commits. */
store_status_t store_outbox_queue(store_t *s, const email_t *m, int64_t now);
/* Messages of kind from sender_ref created at or after since (for sending limits). */
store_status_t store_outbox_count(store_t *s, const char *kind, const char *sender_ref,
                                  int64_t since, int64_t *count);
/* Takes the oldest due message for lease seconds so that no other worker sends it meanwhile.
 * STORE_NOT_FOUND when nothing is due. */
store_status_t store_outbox_claim(store_t *s, arena_t *a, int64_t now, int64_t lease, email_t *out);
store_status_t store_outbox_sent(store_t *s, int64_t id, int64_t now);
/* Releases the claim after a failed attempt: due again at next_at, with the refusal count. */
store_status_t store_outbox_retry(store_t *s, int64_t id, int64_t next_at, int64_t rejections,
                                  const char *error);
/* Marks a message the mail server refuses as failed: no longer retried until requeued. */
store_status_t store_outbox_give_up(store_t *s, int64_t id, int64_t now, int64_t rejections,
                                    const char *error);
/* Marks every unsent message of kind as sent at now (demo history, never real mail). */
store_status_t store_outbox_settle(store_t *s, const char *kind, int64_t now);
/* The instant the next unsent message falls due, or 0 when none waits. */
store_status_t store_outbox_next_due(store_t *s, int64_t *at);

/* An unsent message as operators see it (cobro outbox list). */
typedef struct {
    int64_t id, created_at, attempts, rejections, next_attempt_at, claimed_until;
    int64_t failed_at; /* 0: still being retried */
    char *kind, *to_addr, *last_error;
} outbox_row_t;
typedef struct {
    int64_t waiting;  /* unsent and still retried */
    int64_t retrying; /* of those, how many have failed at least once */
    int64_t failed;   /* unsent and given up: refused by the mail server */
} outbox_counts_t;
store_status_t store_outbox_counts(store_t *s, outbox_counts_t *out);
/* Unsent messages, failed first, then most attempts first, at most limit; with failed_only,
 * only the failed ones. */
store_status_t store_outbox_list(store_t *s, arena_t *a, bool failed_only, int limit,
                                 outbox_row_t **out, size_t *n);
/* Puts unsent messages back in the queue, due at now: a failed one is retried again (its
 * refusals forgotten), a waiting one no longer waits. A sent message is never touched. id 0:
 * every unsent message. *requeued and *hastened (either may be NULL) receive how many failed
 * and how many waiting messages changed; STORE_NOT_FOUND when id names no unsent message. */
store_status_t store_outbox_requeue(store_t *s, int64_t id, int64_t now, int64_t *requeued,
                                    int64_t *hastened);

/* ---- audit log (store_audit.c) ------------------------------------------------------- */

typedef struct {
    const char *actor_kind;       /* "corporate", "billing", "staff", "system" */
    int64_t actor_id, account_id; /* 0: none */
    const char *action, *field, *old_value, *new_value, *ip;
} audit_entry_t;

store_status_t store_audit(store_t *s, const audit_entry_t *e, int64_t now);
/* How many audit entries of the account with this action and field were written at or after
 * since. */
store_status_t store_audit_count_since(store_t *s, int64_t account_id, const char *action,
                                       const char *field, int64_t since, int64_t *n);

store_status_t store_audit_page(store_t *s, arena_t *a, const audit_query_t *q, audit_row_t **out,
                                size_t *n);

/* ---- catalog, tax rates, demo data: idempotent upserts (store_catalog.c) ------------- */

store_status_t store_upsert_product(store_t *s, const char *code, const char *name, int64_t *id);
store_status_t store_upsert_plan(store_t *s, int64_t product_id, const char *code,
                                 const char *billing_period, int64_t *id);
store_status_t store_upsert_price(store_t *s, int64_t plan_id, const char *currency,
                                  int64_t unit_amount);
store_status_t store_price(store_t *s, int64_t plan_id, const char *currency, int64_t *unit_amount);
/* Creates the staff user when the email is new; *id receives the id either way. */
store_status_t store_ensure_staff(store_t *s, const staff_user_t *u, int64_t now, int64_t *id);
/* Creates the account when no account has that name; *id receives the id either way. */
store_status_t store_ensure_account(store_t *s, const account_t *acc, int64_t now, int64_t *id);
store_status_t store_ensure_credential(store_t *s, const credential_t *c, int64_t now, int64_t *id);
store_status_t store_ensure_account_user(store_t *s, const account_user_t *u, int64_t now,
                                         int64_t *id);
typedef struct {
    int64_t account_id, plan_id, unit_amount, seats;
    const char *currency, *period_start, *period_end;
    int anchor_day;
} subscription_new_t;
/* Creates the subscription unless the account already has one on that plan. */
store_status_t store_ensure_subscription(store_t *s, const subscription_new_t *sub, int64_t now);

/* The tax rate for a country and region ('' for none): the region's row, else the country's;
 * 0 for a country with no rates at all (not taxed); STORE_NOT_FOUND when neither exists and the
 * country has region rates (a region the table does not know). */
store_status_t store_tax_rate(store_t *s, const char *country, const char *region,
                              int64_t *rate_ppm);
/* The regions of country that have a rate of their own (none: the country is not taxed by
 * region), sorted by code, at most 200. */
store_status_t store_tax_regions(store_t *s, arena_t *a, const char *country, char ***codes,
                                 size_t *n);
store_status_t store_set_tax_rate(store_t *s, const char *country, const char *region,
                                  int64_t rate_ppm, const char *name);
/* Demo data: adds the recipient / purchase order unless the same one exists. */
store_status_t store_ensure_invoice_recipient(store_t *s, int64_t account_id, const char *name,
                                              const char *email, int64_t now);
store_status_t store_ensure_purchase_order(store_t *s, int64_t account_id, const char *number,
                                           const char *start_date, const char *end_date,
                                           int64_t now);

/* ---- billing engine (store_billing.c) ------------------------------------------------ */

/* Claims up to max accounts, with ids greater than after, having an active subscription whose
 * period ends on or before at ('YYYY-MM-DD'), in increasing order: on PostgreSQL they stay
 * locked until the transaction ends (a STORE_TX_LOCKING one), and those another bill run holds
 * are passed over, so that concurrent bill runs split the accounts between them. */
store_status_t store_bill_claim(store_t *s, const char *at, int64_t after, int64_t *ids, size_t max,
                                size_t *n);
/* The active subscriptions ending on or before at of the accounts with id in [first, last], by
 * account then id; *out in the arena. */
store_status_t store_due_subscriptions_between(store_t *s, arena_t *a, int64_t first, int64_t last,
                                               const char *at, due_subscription_t **out, size_t *n);
/* Subscription writes of the bill run: deferred (db_exec_deferred); a subscription that is no
 * longer active fails the transaction with STORE_NOT_FOUND, at the latest at its flush. */
/* seats, unit_amount and plan_id: what the renewal billed (the due query's, a change for the next
 * renewal included), made the subscription's own, and what its period was charged is the whole
 * period again; a subscription that no longer renews with them (a quote accepted or a change made
 * meanwhile) fails the transaction like one no longer active. */
store_status_t store_subscription_renew(store_t *s, int64_t id, const char *period_start,
                                        const char *period_end, int64_t seats, int64_t unit_amount,
                                        int64_t plan_id);
/* Ends a subscription ("cancelled" or "expired"). */
store_status_t store_subscription_end(store_t *s, int64_t id, const char *status);

/* The invoice headers, as of now, of the accounts with id in [first, last] that have a
 * subscription due at at, by account id: Bill To, language, kind, and the billing contact
 * (corporate: the portal credential; online: the billing administrator, whose email is their
 * login). Totals, dates, numbers and lines are left for the caller. */
store_status_t store_invoice_parties_between(store_t *s, arena_t *a, int64_t first, int64_t last,
                                             const char *at, invoice_doc_t **out, size_t *n);
/* One account's invoice header as of now (Bill To, language, kind, billing contact), as
 * store_invoice_parties_between reads it for a bill run. */
store_status_t store_invoice_party(store_t *s, arena_t *a, int64_t account_id, invoice_doc_t *out);
/* n invoice ids taken in advance (PostgreSQL: one query of the id sequence), so that an invoice
 * and its lines are written without waiting for the insert's id; 0 where the driver gives the id
 * at insert (SQLite: the next rowid, as cheap as it gets). */
store_status_t store_invoice_ids_reserve(store_t *s, size_t n, int64_t *ids);
/* A bill-run batch's writes from here to store_flush: on PostgreSQL the subscription renewals,
 * the invoices with a reserved id, their lines and taxes, and the emails queued
 * (store_outbox_queue) are gathered in memory and sent by store_flush as one multi-row statement
 * per table (INSERT ... SELECT ... FROM unnest of arrays), instead of one statement per row:
 * most of what a row cost the server was the statement around it. On SQLite each is written at
 * once as before (its statements are calls into the library, with nothing around them to save).
 * Drops whatever an earlier batch that failed had gathered. Inside the batch's transaction. */
store_status_t store_batch_begin(store_t *s);
/* Sends the deferred writes (and the batch's gathered rows, whose checks then answer here:
 * STORE_NOT_FOUND for a renewal of a subscription no longer active, STORE_CONFLICT for a period
 * already invoiced) and reads their answers (db_flush). Ends the gathering. */
store_status_t store_flush(store_t *s);
/* The last number handed out in series (0 before the first), and setting it: a bill-run batch
 * takes it once (store_invoice_seq_take: on PostgreSQL it locks the series' row until the
 * transaction ends), numbers its invoices in memory and writes the new last number in the same
 * transaction, so the numbers stay gapless. The setting is a deferred write. */
store_status_t store_invoice_seq_last(store_t *s, const char *series, int64_t *last);
store_status_t store_invoice_seq_take(store_t *s, const char *series, int64_t *last);
store_status_t store_invoice_seq_set(store_t *s, const char *series, int64_t last);
/* The next number of series for one invoice issued outside a bill run (a quote's acceptance), in
 * the caller's write transaction: gapless, whoever else numbers at the same time. */
store_status_t store_invoice_seq_next(store_t *s, const char *series, int64_t *seq);

/* The purchase order in force on date of each account with id in [first, last]: a = number, b = end
 * date (the one that started last when several overlap). */
store_status_t store_pos_in_force(store_t *s, arena_t *a, int64_t first, int64_t last,
                                  const char *date, account_texts_t **out, size_t *n);
/* The invoice recipients of the accounts with id in [first, last]: a = name, b = email. */
store_status_t store_recipients_between(store_t *s, arena_t *a, int64_t first, int64_t last,
                                        account_texts_t **out, size_t *n);
/* Inserts the invoice header (inv->number, series/seq given) and its lines; *id receives the id:
 * inv->id when it is one reserved by store_invoice_ids_reserve (the writes are then all
 * deferred), else the new row's. STORE_CONFLICT when a line's subscription period was already
 * invoiced (on PostgreSQL possibly only at the flush). */
store_status_t store_invoice_insert(store_t *s, const invoice_doc_t *inv, const char *series,
                                    int64_t seq, const int64_t *subscription_ids, int64_t now,
                                    int64_t *id);

/* A whole invoice with its lines (vendor fields left NULL). */
store_status_t store_invoice_by_number(store_t *s, arena_t *a, const char *number,
                                       invoice_doc_t *out);
store_status_t store_invoice_by_id(store_t *s, arena_t *a, int64_t id, invoice_doc_t *out);

/* The account's newest invoices first (issue date, then number), at most limit. */
store_status_t store_invoices_recent(store_t *s, arena_t *a, int64_t account_id, int limit,
                                     invoice_summary_t **out, size_t *n);
/* The same rows visited in the same order, each handed to fn as the database gives it, without
 * a copy (the Invoice History page writes them straight into its table). */
store_status_t store_invoices_recent_each(store_t *s, int64_t account_id, int limit,
                                          invoice_summary_fn fn, void *ctx);

/* ---- quotes (store_quotes.c) ----------------------------------------------------------- */

/* The next number of a quote series ("Q-2026"), taken in the caller's transaction: gapless. */
store_status_t store_quote_seq_next(store_t *s, const char *series, int64_t *seq);
/* A new draft (q's header; state, totals and decision are left to later writes). */
store_status_t store_quote_insert(store_t *s, const quote_t *q, int64_t now, int64_t *id);
/* A draft's editable header fields; STORE_NOT_FOUND when it is no longer a draft. */
store_status_t store_quote_update_draft(store_t *s, const quote_t *q);
/* The internal note (never shown to the customer) may change in any state. */
store_status_t store_quote_set_internal_note(store_t *s, int64_t id, const char *note);
/* Replaces a draft's lines (the database refuses it for any other state). */
store_status_t store_quote_lines_replace(store_t *s, int64_t quote_id, const quote_line_t *lines,
                                         size_t n);
/* Draft to sent, with the tax, totals and sales rep computed now; STORE_NOT_FOUND when it was
 * not a draft any more. */
store_status_t store_quote_mark_sent(store_t *s, const quote_t *q, int64_t now);
/* State from -> to; STORE_NOT_FOUND when the quote was not in state from (someone else moved
 * it first). */
store_status_t store_quote_set_state(store_t *s, int64_t id, const char *from, const char *to,
                                     int64_t now);
/* A sent quote decided (q->state "accepted" or "rejected") with who, why and the invoice;
 * STORE_NOT_FOUND when it was no longer sent: of two deciders, the second finds this. */
store_status_t store_quote_decide(store_t *s, const quote_t *q, int64_t now);
/* Marks every sent quote whose valid-until day is before today expired; *n: how many. */
store_status_t store_quotes_expire(store_t *s, const char *today, int64_t now, int64_t *n);
/* A quote with its lines. */
store_status_t store_quote_by_id(store_t *s, arena_t *a, int64_t id, quote_t *out);
store_status_t store_quote_by_number(store_t *s, arena_t *a, const char *number, quote_t *out);
/* The live revision (sent, else the draft) of the quote base_number. */
store_status_t store_quote_live_of(store_t *s, arena_t *a, const char *base_number, quote_t *out);
/* An account's quotes, newest first, without lines (drafts only when asked), at most limit. */
store_status_t store_quotes_of_account(store_t *s, arena_t *a, int64_t account_id, bool with_drafts,
                                       int limit, quote_t **out, size_t *n);
/* Sent quotes, soonest to expire first, of one sales rep (0: everyone's), at most limit. */
store_status_t store_quotes_open(store_t *s, arena_t *a, int64_t sales_rep_id, int limit,
                                 quote_t **out, size_t *n);
/* An account's active subscriptions, soonest renewal first. */
store_status_t store_account_subscriptions(store_t *s, arena_t *a, int64_t account_id,
                                           account_subscription_t **out, size_t *n);
/* Active plans with a price in currency, of one billing period ("annual"), by product name. */
store_status_t store_plans_priced(store_t *s, arena_t *a, const char *currency,
                                  const char *billing_period, plan_price_t **out, size_t *n);
/* Takes the account's turn for changing its subscriptions, until the transaction ends
 * (PostgreSQL: the account's row locked; SQLite's writer holds the whole database already);
 * STORE_NOT_FOUND for no such account. */
store_status_t store_subscription_lock_account(store_t *s, int64_t account_id);
/* A new active subscription; *id receives its id. */
store_status_t store_subscription_add(store_t *s, const subscription_new_t *sub, int64_t now,
                                      int64_t *id);
/* What an active subscription of the account renews with (-1: as it is now). */
store_status_t store_subscription_set_next(store_t *s, int64_t account_id, int64_t id,
                                           int64_t next_seats, int64_t next_unit_amount);

/* ---- invariants (store_verify.c) ----------------------------------------------------- */

/* One row that breaks a rule of the database: the rule's name and one line naming the row and
 * what is wrong ("invoice INV-2026-000007 (id 7): lines 10000 + tax 2200 != total 12300"). */
typedef struct {
    const char *check;
    const char *message;
} verify_finding_t;

typedef struct {
    /* Instants in Unix seconds: no outbox claim may last beyond latest_claim. */
    int64_t latest_claim;
    /* Findings kept in *out at most (the others are only counted). */
    size_t max_findings;
} verify_opts_t;

/* The names of the rules, in the order they run; *n receives how many. */
const char *const *store_verify_checks(size_t *n);
/* Runs every rule: each is one query that returns the rows breaking it. The findings, in the
 * order of the rules, go into *out (in the arena, at most o->max_findings); *total counts them
 * all. Run it in one read transaction so that every rule sees the same snapshot. */
store_status_t store_verify(store_t *s, arena_t *a, const verify_opts_t *o, verify_finding_t **out,
                            size_t *n, int64_t *total);

/* ---- scheduled jobs (store_jobs.c) ---------------------------------------------------- */

/* Takes the job name's run for period (a day "YYYY-MM-DD") on behalf of node, with a lease to
 * lease_until, unless the period is done or another node's lease runs past now: *claimed says
 * whether this node now holds it (a node holding it already renews it). */
store_status_t store_job_claim(store_t *s, const char *name, const char *period, const char *node,
                               int64_t now, int64_t lease_until, bool *claimed);
/* Extends node's lease; STORE_NOT_FOUND when the node no longer holds the job. */
store_status_t store_job_renew(store_t *s, const char *name, const char *node, int64_t lease_until);
/* Ends node's run: period done, or (period NULL) released unfinished for another try. */
store_status_t store_job_finish(store_t *s, const char *name, const char *node, const char *period);
store_status_t store_job_state(store_t *s, arena_t *a, const char *name, job_state_t *out);

/* ---- payments (store_payments.c) ----------------------------------------------------- */

/* The invoice (by number; of account_id unless it is 0) with what it owes and what payments in
 * progress hold at now. STORE_NOT_FOUND when there is no such invoice of the account. */
store_status_t store_invoice_money(store_t *s, arena_t *a, int64_t account_id, const char *number,
                                   int64_t now, invoice_money_t *out);
store_status_t store_invoice_money_by_id(store_t *s, arena_t *a, int64_t invoice_id, int64_t now,
                                         invoice_money_t *out);
/* Takes the invoice's row for the rest of the transaction (PostgreSQL's row lock; SQLite's one
 * writer already serializes): every change to what it owes goes through it. */
store_status_t store_invoice_lock(store_t *s, int64_t invoice_id);
store_status_t store_invoice_set_paid(store_t *s, int64_t invoice_id, int64_t amount_paid,
                                      const char *status);
store_status_t store_payment_insert(store_t *s, const payment_t *p, int64_t now, int64_t *id);
/* Writes what changes on a payment: state and the gateway's fields, the reservation, the
 * reconciliation schedule, settled_at and a reversal's reason. */
store_status_t store_payment_update(store_t *s, const payment_t *p, int64_t now);
store_status_t store_payment_by_id(store_t *s, arena_t *a, int64_t id, payment_t *out);
/* Payments of an invoice (invoice_id) or of an account (account_id, invoice_id 0), newest first,
 * at most limit. */
store_status_t store_payments_of(store_t *s, arena_t *a, int64_t account_id, int64_t invoice_id,
                                 int limit, payment_t **out, size_t *n);
/* Payments whose outcome must be asked of the gateway at now: due checks, and pending ones whose
 * page has expired without an event. At most limit ids, oldest first. */
store_status_t store_payments_to_check(store_t *s, arena_t *a, int64_t now, int limit,
                                       int64_t **ids, size_t *n);
store_status_t store_allocation_add(store_t *s, const allocation_t *al, int64_t now);
/* The account's credit in currency: the sum of its ledger rows with no invoice. */
store_status_t store_account_credit(store_t *s, int64_t account_id, const char *currency,
                                    int64_t *credit);
/* Accounts holding credit (account_id, currency, amount > 0) that have an invoice in that
 * currency with a balance: at most limit, by account. */
store_status_t store_credit_to_apply(store_t *s, arena_t *a, int limit, allocation_t **out,
                                     size_t *n);
/* The account's oldest invoice in currency with a balance; STORE_NOT_FOUND when none. */
store_status_t store_oldest_open_invoice(store_t *s, int64_t account_id, const char *currency,
                                         int64_t *invoice_id);
/* Records a gateway event's id: STORE_OK the first time, STORE_CONFLICT when already seen. */
store_status_t store_gateway_event_once(store_t *s, const char *event_id, const char *gateway,
                                        const char *type, int64_t payment_id, int64_t now);

/* ---- the sandbox gateway's pages and events (store_payments.c) ----------------------- */

/* Makes the session, or finds the one already made with the same idempotency key. */
store_status_t store_sandbox_session_make(store_t *s, arena_t *a, const sandbox_session_t *in,
                                          sandbox_session_t *out);
store_status_t store_sandbox_session(store_t *s, arena_t *a, const char *ref,
                                     sandbox_session_t *out);
/* The session made for our object (payment or set-up) id of kind; STORE_NOT_FOUND when none. */
store_status_t store_sandbox_session_of(store_t *s, arena_t *a, const char *kind, int64_t object_id,
                                        sandbox_session_t *out);
/* Moves a session from state from to to with its outcome fields (STORE_NOT_FOUND when it was
 * not in from: a second submission of the page loses). */
store_status_t store_sandbox_session_finish(store_t *s, const sandbox_session_t *sess,
                                            const char *from);
store_status_t store_sandbox_refund(store_t *s, const char *payment_ref, int64_t amount);
/* Queues an event; STORE_CONFLICT when one with this id is queued already (nothing written). */
store_status_t store_sandbox_event_add(store_t *s, const char *event_id, const char *body,
                                       int64_t deliver_after);
/* Takes the oldest due event for lease seconds; STORE_NOT_FOUND when none is due. */
store_status_t store_sandbox_event_claim(store_t *s, arena_t *a, int64_t now, int64_t lease,
                                         int64_t *id, char **body);
store_status_t store_sandbox_event_done(store_t *s, int64_t id, bool delivered, int64_t now,
                                        int64_t retry_at);

/* ---- offline payments, reversals and refunds (store_payments_offline.c) -------------------- */

/* One row of a payment's ledger, with the invoice's number ("" for credit). */
typedef struct {
    int64_t id, payment_id, refund_id, invoice_id, amount, created_at; /* ids 0: none */
    char *kind, *currency, *invoice_number;
} allocation_row_t;

/* A payment's ledger summed per invoice (invoice_id 0: its credit), by invoice id. */
typedef struct {
    int64_t invoice_id, net;
} allocation_net_t;

typedef struct {
    int64_t id, payment_id, account_id, amount, created_by, created_at;
    int64_t settled_at, next_check_at; /* 0: none */
    char *currency, *state, *reason, *refund_ref, *created_by_name;
} refund_t;

/* A payment in a list of the staff console, with its account's name. */
typedef struct {
    int64_t id, account_id, amount, created_at, checks, next_check_at;
    char *account_name, *invoice_number, *method, *currency, *state, *decline_code;
} payment_line_t;

/* The account's invoices that still owe something (open or partially paid), oldest due first,
 * with what payments in progress hold at now; at most limit. */
store_status_t store_open_invoices(store_t *s, arena_t *a, int64_t account_id, int64_t now,
                                   int limit, invoice_money_t **out, size_t *n);
/* Takes the payment's row for the rest of the transaction (as store_invoice_lock). */
store_status_t store_payment_lock(store_t *s, int64_t payment_id);
/* The payment's ledger rows, oldest first. */
store_status_t store_payment_allocations(store_t *s, arena_t *a, int64_t payment_id,
                                         allocation_row_t **out, size_t *n);
/* The payment's ledger summed per invoice, credit (invoice 0) first, then by invoice id. */
store_status_t store_payment_nets(store_t *s, arena_t *a, int64_t payment_id,
                                  allocation_net_t **out, size_t *n);
store_status_t store_refund_insert(store_t *s, const refund_t *rf, int64_t now, int64_t *id);
/* Writes a refund's state, the gateway's reference, settled_at and next_check_at. */
store_status_t store_refund_update(store_t *s, const refund_t *rf);
store_status_t store_refund_by_id(store_t *s, arena_t *a, int64_t id, refund_t *out);
/* The account's credit moves (kept from a payment, used on an invoice, taken back), newest
 * first, at most limit. */
store_status_t store_credit_moves(store_t *s, arena_t *a, int64_t account_id, int limit,
                                  allocation_row_t **out, size_t *n);
/* The account's refunds, newest first, at most limit. */
store_status_t store_refunds_of_account(store_t *s, arena_t *a, int64_t account_id, int limit,
                                        refund_t **out, size_t *n);
/* The payment's refunds, oldest first. */
store_status_t store_refunds_of(store_t *s, arena_t *a, int64_t payment_id, refund_t **out,
                                size_t *n);
/* What the payment's refunds that may have reached the customer add up to (pending,
 * succeeded, unknown). */
store_status_t store_refunds_held(store_t *s, int64_t payment_id, int64_t *sum);
/* Unknown refunds due a check at now, oldest first, at most limit. */
store_status_t store_refunds_to_check(store_t *s, arena_t *a, int64_t now, int limit, int64_t **ids,
                                      size_t *n);
/* Payments in state, newest first, at most limit. */
store_status_t store_payments_in_state(store_t *s, arena_t *a, const char *state, int limit,
                                       payment_line_t **out, size_t *n);

/* ---- balances and payments received, for the pages (store_payment_views.c) ------------- */

/* What an account owes in one currency: the balance of its invoices that are not void, and the
 * part of it on invoices due before today. */
typedef struct {
    char *currency;
    int64_t outstanding, overdue;
} account_balance_t;
/* The account's balances, one per currency of its invoices, in currency order; today is
 * 'YYYY-MM-DD' (the vendor's). */
store_status_t store_account_balances(store_t *s, arena_t *a, int64_t account_id, const char *today,
                                      account_balance_t **out, size_t *n);

/* What one payment (payment_id 0: account credit used) put on an invoice, from the ledger. */
typedef struct {
    int64_t payment_id, amount, created_at;
} invoice_applied_t;
/* The ledger's rows applying money to the invoice, summed per payment, oldest payment first. */
store_status_t store_invoice_applied(store_t *s, arena_t *a, int64_t invoice_id,
                                     invoice_applied_t **out, size_t *n);

/* ---- cards on file (store_payment_cards.c) ------------------------------------------- */

store_status_t store_card_setup_insert(store_t *s, int64_t account_id, const char *gateway,
                                       int64_t now, int64_t *id);
store_status_t store_card_setup_set_session(store_t *s, int64_t id, const char *session_ref);
store_status_t store_card_setup_by_id(store_t *s, arena_t *a, int64_t id, card_setup_t *out);
/* Moves a pending set-up to state; STORE_NOT_FOUND when it was not pending. */
store_status_t store_card_setup_finish(store_t *s, int64_t id, const char *state, int64_t now);
store_status_t store_payment_card_of(store_t *s, arena_t *a, int64_t account_id,
                                     payment_card_t *out);
/* Saves the account's card, replacing the one it had but keeping its autopay choice (a new
 * card starts with autopay off). */
store_status_t store_payment_card_upsert(store_t *s, const payment_card_t *c, int64_t now);
store_status_t store_payment_card_delete(store_t *s, int64_t account_id);
store_status_t store_payment_card_set_autopay(store_t *s, int64_t account_id, bool autopay,
                                              int64_t now);
/* Invoices due an automatic charge at now: open, due_date <= today (the vendor's), of an account
 * paying by card whose card has autopay on, with no automatic attempt created since day_start
 * and no payment in progress. At most limit, by id. */
store_status_t store_autopay_due(store_t *s, arena_t *a, const char *today, int64_t day_start,
                                 int64_t now, int limit, int64_t **ids, size_t *n);
/* How many automatic (saved_card) payments of the invoice were created since since. */
store_status_t store_saved_card_attempts(store_t *s, int64_t invoice_id, int64_t since,
                                         int64_t *count);

/* ---- the Billing Center's subscription changes (store_subscriptions.c) ------------------- */

/* Every subscription of the account, active ones first, then by product. */
store_status_t store_subscriptions_of(store_t *s, arena_t *a, int64_t account_id,
                                      subscription_row_t **out, size_t *n);
/* One subscription of the account; STORE_NOT_FOUND when it is another account's or none. */
store_status_t store_subscription_of(store_t *s, arena_t *a, int64_t account_id, int64_t id,
                                     subscription_row_t *out);
/* Writes what a change may change of a subscription (plan, seats, price, state, period, anchor,
 * next renewal, what its period was charged, cancellation); STORE_NOT_FOUND when it is gone. */
store_status_t store_subscription_save(store_t *s, const subscription_row_t *sub);
/* Active plans with a price in currency, both billing periods, with their products' codes and
 * seat limits, by product name (annual after monthly). */
store_status_t store_catalog_priced(store_t *s, arena_t *a, const char *currency,
                                    plan_price_t **out, size_t *n);
store_status_t store_change_insert(store_t *s, const subscription_change_t *c, int64_t now,
                                   int64_t *id);
store_status_t store_change_by_id(store_t *s, arena_t *a, int64_t id, subscription_change_t *out);
/* The account's changes, newest first, at most limit. */
store_status_t store_changes_of(store_t *s, arena_t *a, int64_t account_id, int limit,
                                subscription_change_t **out, size_t *n);
/* The account's change being charged; STORE_NOT_FOUND when none. */
store_status_t store_change_charging(store_t *s, int64_t account_id, int64_t *id);
/* The payment of a change still charging. */
store_status_t store_change_set_payment(store_t *s, int64_t id, int64_t payment_id);
/* A charging change decided: applied (with the subscription it made or changed and the invoice
 * it issued), declined or conflict. STORE_NOT_FOUND when it was no longer charging. */
store_status_t store_change_decide(store_t *s, int64_t id, const char *state,
                                   int64_t subscription_id, int64_t invoice_id,
                                   const char *decline_code, int64_t now);
/* ---- renewal charges and dunning (store_dunning.c, docs/dunning.md) ------------------- */

/* Open invoices of online accounts issued by the bill run (a period line) since since, with a
 * balance, no renewal charge (attempt 1) yet, and no suspended case on the account; with_card:
 * those whose account has a card on file, else those without one whose "add a card" email
 * (kind no_card_kind, sender_ref "invoice:<id>") was not queued yet. At most limit, by id,
 * after after_id. */
store_status_t store_renewals_to_charge(store_t *s, arena_t *a, int64_t since, bool with_card,
                                        const char *no_card_kind, int64_t after_id, int limit,
                                        int64_t **ids, size_t *n);
/* The highest attempt of the invoice's payments (0 when none). */
store_status_t store_invoice_last_attempt(store_t *s, int64_t invoice_id, int64_t *attempt);
/* True when an email of kind with sender_ref was queued (sent or not). */
store_status_t store_outbox_has(store_t *s, const char *kind, const char *sender_ref, bool *has);
store_status_t store_dunning_case_of_invoice(store_t *s, arena_t *a, int64_t invoice_id,
                                             dunning_case_t *out);
store_status_t store_dunning_case_by_id(store_t *s, arena_t *a, int64_t id, dunning_case_t *out);
store_status_t store_dunning_case_insert(store_t *s, const dunning_case_t *c, int64_t now,
                                         int64_t *id);
/* Writes the case's state, failures, decline, retry, lease and instants. */
store_status_t store_dunning_case_update(store_t *s, const dunning_case_t *c, int64_t now);
/* Takes case id's lease until until when it is due a retry at now and nobody holds it:
 * STORE_NOT_FOUND otherwise (another node has it, or it is no longer due). */
store_status_t store_dunning_claim(store_t *s, int64_t id, int64_t now, int64_t until);
/* Cases due a retry at now (not resolved, next_retry_at <= now, retries allowed, no lease),
 * by next_retry_at then id; at most limit. */
store_status_t store_dunning_due(store_t *s, arena_t *a, int64_t now, int limit, int64_t **ids,
                                 size_t *n);
/* Past due cases whose past_due_at is at or before before: to be suspended. */
store_status_t store_dunning_to_suspend(store_t *s, arena_t *a, int64_t before, int limit,
                                        int64_t **ids, size_t *n);
/* The account's cases, newest first (at most limit). */
store_status_t store_dunning_cases_of(store_t *s, arena_t *a, int64_t account_id, int limit,
                                      dunning_case_t **out, size_t *n);
/* A new card: the account's unresolved cases are due a retry at now, hard declines included.
 * *changed: how many. */
store_status_t store_dunning_retry_now(store_t *s, int64_t account_id, int64_t now,
                                       int64_t *changed);
/* Sets the vendor setting key to value unless it is set already. */
store_status_t store_setting_first(store_t *s, const char *key, const char *value);

/* ---- staff console (store_staff_console.c) ------------------------------------------ */

/* A new account; STORE_CONFLICT when the name is taken. */
store_status_t store_account_create(store_t *s, const account_t *acc, int64_t now, int64_t *id);
/* A new portal credential; STORE_CONFLICT when the User ID is taken. */
store_status_t store_credential_create(store_t *s, const credential_t *c, int64_t now, int64_t *id);
store_status_t store_account_name_taken(store_t *s, const char *name, bool *taken);
store_status_t store_user_id_taken(store_t *s, const char *user_id, bool *taken);
/* The corporate account's portal credential; STORE_NOT_FOUND when it has none. */
store_status_t store_credential_of_account(store_t *s, arena_t *a, int64_t account_id,
                                           credential_t *out);
/* Active staff users with the role, by name. */
store_status_t store_staff_with_role(store_t *s, arena_t *a, const char *role, staff_user_t **out,
                                     size_t *n);
/* The currencies the price list sells in, sorted. */
store_status_t store_price_currencies(store_t *s, arena_t *a, char ***out, size_t *n);
/* An account as a search finds it, with its billing contact's email and User ID. */
typedef struct {
    int64_t id, sales_rep_id, invoices;
    char *kind, *name, *country, *currency, *sales_rep_name, *user_id, *contact_email;
} account_hit_t;
/* Accounts (of one sales rep, or everyone's with 0) whose name contains name_pattern (a LIKE
 * pattern in lower case, '\' escaping; "" for none) or whose billing contact's email, portal
 * User ID or an invoice number equals lower_text, by name, at most limit. */
store_status_t store_accounts_search(store_t *s, arena_t *a, const char *lower_text,
                                     const char *name_pattern, int64_t sales_rep_id, int limit,
                                     account_hit_t **out, size_t *n);
/* The accounts of a sales rep (0: all), by name, at most limit. */
store_status_t store_accounts_of_rep(store_t *s, arena_t *a, int64_t sales_rep_id, int limit,
                                     account_hit_t **out, size_t *n);
/* An email of an account as the outbox keeps it: sent_at and failed_at 0 while neither. */
typedef struct {
    int64_t id, created_at, sent_at, failed_at, attempts;
    char *kind, *to_addr, *subject, *sender_ref;
} outbox_entry_t;
/* The account's emails, newest first, at most limit. */
store_status_t store_outbox_of_account(store_t *s, arena_t *a, int64_t account_id, int limit,
                                       outbox_entry_t **out, size_t *n);
/* A sign-in attempt of a login; a success with no address is a lockout lifted by staff. */
typedef struct {
    int64_t id, at;
    char *ip;
    bool succeeded, pending;
} attempt_row_t;
store_status_t store_attempts_of_login(store_t *s, arena_t *a, audience_t aud, const char *login,
                                       int limit, attempt_row_t **out, size_t *n);
/* Ends the login's lockout: records a success with no address (the count restarts after it). */
store_status_t store_attempt_lift(store_t *s, audience_t aud, const char *login, int64_t now);
/* The Billing Center users of an account (billing administrator first), at most 200. */
store_status_t store_account_logins(store_t *s, arena_t *a, int64_t account_id,
                                    account_user_t **out, size_t *n);
/* An account with an open dunning case (docs/dunning.md): its failed renewal charge. */
typedef struct {
    int64_t account_id;
    char *name, *state, *invoice_number;
} dunning_hit_t;
/* The open dunning cases, oldest first, at most limit. */
store_status_t store_dunning_accounts(store_t *s, arena_t *a, int limit, dunning_hit_t **out,
                                      size_t *n);
/* How many payments nobody knows the outcome of. */
store_status_t store_payments_unknown_count(store_t *s, int64_t *n);

#endif
