/* The schema, as numbered migrations for SQLite (a PostgreSQL twin keeps the same numbers). */
#include "migrations.h"

#include <stddef.h>

/* Conventions: ids are INTEGER PRIMARY KEY (BIGINT GENERATED ... AS IDENTITY on PostgreSQL);
 * instants are Unix seconds UTC (BIGINT); calendar dates are TEXT 'YYYY-MM-DD'; money is
 * BIGINT minor units beside an ISO 4217 currency; logins (User IDs, emails) are stored in
 * lower case so that look-ups are exact. */
static const char *const migration_1 =
    "CREATE TABLE vendor_settings ("
    "  key TEXT PRIMARY KEY,"
    "  value TEXT NOT NULL"
    ") STRICT;"

    "CREATE TABLE products ("
    "  id INTEGER PRIMARY KEY,"
    "  code TEXT NOT NULL UNIQUE,"
    "  name TEXT NOT NULL,"
    "  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))"
    ") STRICT;"

    "CREATE TABLE plans ("
    "  id INTEGER PRIMARY KEY,"
    "  product_id INTEGER NOT NULL REFERENCES products(id),"
    "  code TEXT NOT NULL UNIQUE,"
    "  billing_period TEXT NOT NULL CHECK (billing_period IN ('monthly', 'annual')),"
    "  pricing TEXT NOT NULL DEFAULT 'per_seat' CHECK (pricing IN ('per_seat')),"
    "  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),"
    "  UNIQUE (product_id, billing_period)"
    ") STRICT;"

    "CREATE TABLE prices ("
    "  id INTEGER PRIMARY KEY,"
    "  plan_id INTEGER NOT NULL REFERENCES plans(id),"
    "  currency TEXT NOT NULL CHECK (length(currency) = 3),"
    "  unit_amount INTEGER NOT NULL CHECK (unit_amount >= 0),"
    "  UNIQUE (plan_id, currency)"
    ") STRICT;"

    "CREATE TABLE staff_users ("
    "  id INTEGER PRIMARY KEY,"
    "  email TEXT NOT NULL UNIQUE,"
    "  name TEXT NOT NULL,"
    "  role TEXT NOT NULL CHECK (role IN ('sales_rep', 'account_services', 'customer_care', "
    "'admin')),"
    "  password_hash TEXT NOT NULL,"
    "  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),"
    "  created_at INTEGER NOT NULL"
    ") STRICT;"

    "CREATE TABLE accounts ("
    "  id INTEGER PRIMARY KEY,"
    "  kind TEXT NOT NULL CHECK (kind IN ('online', 'corporate')),"
    "  name TEXT NOT NULL,"
    "  currency TEXT NOT NULL CHECK (length(currency) = 3),"
    "  lang TEXT NOT NULL DEFAULT 'en' CHECK (lang IN ('en', 'es', 'fr', 'it')),"
    "  bill_to_name TEXT NOT NULL,"
    "  address_line1 TEXT NOT NULL DEFAULT '',"
    "  address_line2 TEXT NOT NULL DEFAULT '',"
    "  city TEXT NOT NULL DEFAULT '',"
    "  region TEXT NOT NULL DEFAULT '',"
    "  postal_code TEXT NOT NULL DEFAULT '',"
    "  country TEXT NOT NULL CHECK (length(country) = 2),"
    "  phone TEXT NOT NULL DEFAULT '',"
    "  sales_rep_id INTEGER REFERENCES staff_users(id),"
    "  created_at INTEGER NOT NULL"
    ") STRICT;"
    "CREATE UNIQUE INDEX accounts_name ON accounts(name);"

    /* Product logins of an account's users; one of an online account's users is its billing
     * administrator (the billing contact). */
    "CREATE TABLE account_users ("
    "  id INTEGER PRIMARY KEY,"
    "  account_id INTEGER NOT NULL REFERENCES accounts(id),"
    "  email TEXT NOT NULL UNIQUE,"
    "  name TEXT NOT NULL,"
    "  role TEXT NOT NULL CHECK (role IN ('billing_admin', 'member')),"
    "  password_hash TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL"
    ") STRICT;"
    "CREATE INDEX account_users_account ON account_users(account_id);"

    /* The corporate billing contact's portal sign-in: a User ID of its own, in username or
     * email format, separate from any product login. One per corporate account. */
    "CREATE TABLE portal_credentials ("
    "  id INTEGER PRIMARY KEY,"
    "  account_id INTEGER NOT NULL UNIQUE REFERENCES accounts(id),"
    "  user_id TEXT NOT NULL UNIQUE,"
    "  contact_name TEXT NOT NULL,"
    "  contact_email TEXT NOT NULL,"
    "  password_hash TEXT NOT NULL,"
    "  password_changed_at INTEGER NOT NULL,"
    "  created_at INTEGER NOT NULL"
    ") STRICT;"

    "CREATE TABLE subscriptions ("
    "  id INTEGER PRIMARY KEY,"
    "  account_id INTEGER NOT NULL REFERENCES accounts(id),"
    "  plan_id INTEGER NOT NULL REFERENCES plans(id),"
    "  currency TEXT NOT NULL CHECK (length(currency) = 3),"
    "  unit_amount INTEGER NOT NULL CHECK (unit_amount >= 0),"
    "  seats INTEGER NOT NULL CHECK (seats > 0),"
    "  status TEXT NOT NULL CHECK (status IN ('active', 'cancelled', 'expired')),"
    "  period_start TEXT NOT NULL,"
    "  period_end TEXT NOT NULL,"
    "  anchor_day INTEGER NOT NULL CHECK (anchor_day BETWEEN 1 AND 31),"
    "  auto_renew INTEGER NOT NULL DEFAULT 1 CHECK (auto_renew IN (0, 1)),"
    "  cancel_at_period_end INTEGER NOT NULL DEFAULT 0 CHECK (cancel_at_period_end IN (0, 1)),"
    "  created_at INTEGER NOT NULL,"
    "  CHECK (period_start < period_end)"
    ") STRICT;"
    "CREATE INDEX subscriptions_due ON subscriptions(status, period_end);"
    "CREATE INDEX subscriptions_account ON subscriptions(account_id);"

    /* Sessions keep only the digest of the cookie's token: a database leak opens no session. */
    "CREATE TABLE sessions ("
    "  token_digest TEXT PRIMARY KEY,"
    "  audience TEXT NOT NULL CHECK (audience IN ('corporate', 'billing', 'staff')),"
    "  principal_id INTEGER NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  last_seen_at INTEGER NOT NULL,"
    "  ip TEXT NOT NULL DEFAULT ''"
    ") STRICT;"
    "CREATE INDEX sessions_principal ON sessions(audience, principal_id);"

    "CREATE TABLE password_reset_tokens ("
    "  token_digest TEXT PRIMARY KEY,"
    "  credential_id INTEGER NOT NULL REFERENCES portal_credentials(id),"
    "  created_at INTEGER NOT NULL,"
    "  expires_at INTEGER NOT NULL,"
    "  used_at INTEGER"
    ") STRICT;"
    "CREATE INDEX password_reset_tokens_credential ON password_reset_tokens(credential_id, "
    "created_at);"

    "CREATE TABLE sign_in_attempts ("
    "  id INTEGER PRIMARY KEY,"
    "  audience TEXT NOT NULL,"
    "  login TEXT NOT NULL,"
    "  ip TEXT NOT NULL DEFAULT '',"
    "  at INTEGER NOT NULL,"
    "  succeeded INTEGER NOT NULL CHECK (succeeded IN (0, 1))"
    ") STRICT;"
    "CREATE INDEX sign_in_attempts_login ON sign_in_attempts(audience, login, at);"
    "CREATE INDEX sign_in_attempts_ip ON sign_in_attempts(ip, at);"

    "CREATE TABLE audit_log ("
    "  id INTEGER PRIMARY KEY,"
    "  at INTEGER NOT NULL,"
    "  actor_kind TEXT NOT NULL CHECK (actor_kind IN ('corporate', 'billing', 'staff', 'system')),"
    "  actor_id INTEGER,"
    "  account_id INTEGER REFERENCES accounts(id),"
    "  action TEXT NOT NULL,"
    "  field TEXT NOT NULL DEFAULT '',"
    "  old_value TEXT NOT NULL DEFAULT '',"
    "  new_value TEXT NOT NULL DEFAULT '',"
    "  ip TEXT NOT NULL DEFAULT ''"
    ") STRICT;"
    "CREATE INDEX audit_log_account ON audit_log(account_id, at);"

    /* Every email leaves through here, written in the transaction of the change that caused it. */
    "CREATE TABLE email_outbox ("
    "  id INTEGER PRIMARY KEY,"
    "  created_at INTEGER NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  account_id INTEGER REFERENCES accounts(id),"
    "  sender_ref TEXT NOT NULL DEFAULT '',"
    "  to_addr TEXT NOT NULL,"
    "  to_name TEXT NOT NULL DEFAULT '',"
    "  reply_to TEXT NOT NULL DEFAULT '',"
    "  subject TEXT NOT NULL,"
    "  body_text TEXT NOT NULL,"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  next_attempt_at INTEGER NOT NULL,"
    "  claimed_until INTEGER NOT NULL DEFAULT 0,"
    "  sent_at INTEGER,"
    "  failed_at INTEGER,"
    "  last_error TEXT NOT NULL DEFAULT ''"
    ") STRICT;"
    "CREATE INDEX email_outbox_due ON email_outbox(sent_at, failed_at, next_attempt_at);"
    "CREATE INDEX email_outbox_sender ON email_outbox(kind, sender_ref, created_at);";

/* The billing engine: tax rates, invoice recipients, purchase orders, gapless invoice numbering,
 * invoices and their lines, and invoice emails in the outbox. */
static const char *const migration_2 =
    /* Rates in parts per million (22% = 220000); region '' is the whole country. */
    "CREATE TABLE tax_rates ("
    "  id INTEGER PRIMARY KEY,"
    "  country TEXT NOT NULL CHECK (length(country) = 2),"
    "  region TEXT NOT NULL DEFAULT '',"
    "  rate_ppm INTEGER NOT NULL CHECK (rate_ppm BETWEEN 0 AND 1000000),"
    "  name TEXT NOT NULL DEFAULT '',"
    "  UNIQUE (country, region)"
    ") STRICT;"

    "CREATE TABLE invoice_recipients ("
    "  id INTEGER PRIMARY KEY,"
    "  account_id INTEGER NOT NULL REFERENCES accounts(id),"
    "  name TEXT NOT NULL,"
    "  email TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  UNIQUE (account_id, email)"
    ") STRICT;"

    "CREATE TABLE purchase_orders ("
    "  id INTEGER PRIMARY KEY,"
    "  account_id INTEGER NOT NULL REFERENCES accounts(id),"
    "  number TEXT NOT NULL,"
    "  amount INTEGER CHECK (amount IS NULL OR amount >= 0),"
    "  start_date TEXT NOT NULL,"
    "  end_date TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  CHECK (start_date <= end_date)"
    ") STRICT;"
    "CREATE INDEX purchase_orders_account ON purchase_orders(account_id, start_date);"

    /* One row per series (INV-2026): the last number handed out, bumped in the invoice's own
     * transaction, so numbers have neither gaps nor duplicates. */
    "CREATE TABLE invoice_series ("
    "  series TEXT PRIMARY KEY,"
    "  last_number INTEGER NOT NULL CHECK (last_number >= 0)"
    ") STRICT;"

    "CREATE TABLE invoices ("
    "  id INTEGER PRIMARY KEY,"
    "  account_id INTEGER NOT NULL REFERENCES accounts(id),"
    "  number TEXT NOT NULL UNIQUE,"
    "  series TEXT NOT NULL,"
    "  seq INTEGER NOT NULL,"
    "  issue_date TEXT NOT NULL,"
    "  due_date TEXT NOT NULL,"
    "  currency TEXT NOT NULL CHECK (length(currency) = 3),"
    "  lang TEXT NOT NULL,"
    "  status TEXT NOT NULL CHECK (status IN ('open', 'partially_paid', 'paid', 'void')),"
    "  tax_mode TEXT NOT NULL CHECK (tax_mode IN ('exclusive', 'inclusive')),"
    "  account_kind TEXT NOT NULL,"
    "  bill_to_name TEXT NOT NULL,"
    "  address_line1 TEXT NOT NULL,"
    "  address_line2 TEXT NOT NULL,"
    "  city TEXT NOT NULL,"
    "  region TEXT NOT NULL,"
    "  postal_code TEXT NOT NULL,"
    "  country TEXT NOT NULL,"
    "  phone TEXT NOT NULL,"
    "  contact_name TEXT NOT NULL,"
    "  contact_email TEXT NOT NULL,"
    "  portal_user_id TEXT NOT NULL,"
    "  po_number TEXT NOT NULL DEFAULT '',"
    "  payment_method TEXT NOT NULL DEFAULT '',"
    "  subtotal INTEGER NOT NULL,"
    "  tax_total INTEGER NOT NULL,"
    "  total INTEGER NOT NULL,"
    "  amount_paid INTEGER NOT NULL DEFAULT 0 CHECK (amount_paid >= 0),"
    "  created_at INTEGER NOT NULL,"
    "  UNIQUE (series, seq),"
    "  CHECK (subtotal + tax_total = total)"
    ") STRICT;"
    "CREATE INDEX invoices_account ON invoices(account_id, issue_date, id);"

    /* A subscription period is invoiced once: (subscription_id, period_start) is unique. */
    "CREATE TABLE invoice_lines ("
    "  id INTEGER PRIMARY KEY,"
    "  invoice_id INTEGER NOT NULL REFERENCES invoices(id),"
    "  position INTEGER NOT NULL,"
    "  subscription_id INTEGER NOT NULL REFERENCES subscriptions(id),"
    "  product_name TEXT NOT NULL,"
    "  billing_period TEXT NOT NULL,"
    "  period_start TEXT NOT NULL,"
    "  period_end TEXT NOT NULL,"
    "  seats INTEGER NOT NULL,"
    "  unit_amount INTEGER NOT NULL,"
    "  net INTEGER NOT NULL,"
    "  tax_rate_ppm INTEGER NOT NULL,"
    "  tax INTEGER NOT NULL,"
    "  gross INTEGER NOT NULL,"
    "  UNIQUE (subscription_id, period_start),"
    "  CHECK (net + tax = gross)"
    ") STRICT;"
    "CREATE INDEX invoice_lines_invoice ON invoice_lines(invoice_id, position);"

    /* Invoice emails name their invoice; the PDF is rendered when the email is sent. One email
     * per invoice and recipient: never two. */
    "ALTER TABLE email_outbox ADD COLUMN invoice_id INTEGER REFERENCES invoices(id);"
    "CREATE UNIQUE INDEX email_outbox_invoice ON email_outbox(invoice_id, to_addr)"
    "  WHERE invoice_id IS NOT NULL;"

    /* An issued invoice never changes except its payment state (amount paid, status), and
     * nothing is ever deleted: the database itself refuses, whatever code asks. */
    "CREATE TRIGGER invoices_immutable BEFORE UPDATE OF id, account_id, number, series, seq,"
    "  issue_date, due_date, currency, lang, tax_mode, account_kind, bill_to_name,"
    "  address_line1, address_line2, city, region, postal_code, country, phone, contact_name,"
    "  contact_email, portal_user_id, po_number, payment_method, subtotal, tax_total, total,"
    "  created_at ON invoices"
    "  BEGIN SELECT RAISE(ABORT, 'an issued invoice cannot change'); END;"
    "CREATE TRIGGER invoices_kept BEFORE DELETE ON invoices"
    "  BEGIN SELECT RAISE(ABORT, 'an issued invoice cannot be deleted'); END;"
    "CREATE TRIGGER invoice_lines_immutable BEFORE UPDATE ON invoice_lines"
    "  BEGIN SELECT RAISE(ABORT, 'an issued invoice cannot change'); END;"
    "CREATE TRIGGER invoice_lines_kept BEFORE DELETE ON invoice_lines"
    "  BEGIN SELECT RAISE(ABORT, 'an issued invoice cannot be deleted'); END;"

    "CREATE INDEX subscriptions_billing ON subscriptions(status, account_id, period_end);"
    "DROP INDEX subscriptions_due;";

/* The corporate billing contact's own settings: the payment method preference (bank details for
 * direct debit) and purchase-order expiry reminders. */
static const char *const migration_3 =
    "ALTER TABLE purchase_orders ADD COLUMN reminder_sent_at INTEGER;"
    "ALTER TABLE accounts ADD COLUMN payment_method TEXT NOT NULL DEFAULT ''"
    "  CHECK (payment_method IN ('', 'wire', 'check', 'direct_debit', 'card'));"
    "ALTER TABLE accounts ADD COLUMN debit_holder TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE accounts ADD COLUMN debit_routing TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE accounts ADD COLUMN debit_account TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE accounts ADD COLUMN debit_iban TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE accounts ADD COLUMN debit_mandate_at INTEGER;";

/* Bank numbers are sealed at rest (util/sealed.h): debit_routing, debit_account and debit_iban
 * hold sealed texts, and what the screens show of them, already masked, is kept beside them. */
static const char *const migration_4 =
    "ALTER TABLE accounts ADD COLUMN debit_routing_hint TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE accounts ADD COLUMN debit_number_hint TEXT NOT NULL DEFAULT '';";

/* Corporate accounts renew annually: the database refuses an active subscription to a plan that
 * is not annual on a corporate account, however it would come about (a new subscription, one
 * moved to another plan or account or made active again, an account made corporate, a plan made
 * monthly). Only active subscriptions count: ended ones never renew again, and they cannot be
 * deleted (invoice lines name them), so an account with monthly history may still become
 * corporate. Rows that broke the rule before this migration are left as they are (which annual
 * plan and price they should move to is a billing decision, not a schema one); each trigger
 * refuses only a write that breaks the rule anew, so those rows can still renew, end, and be
 * rewritten unchanged. */
static const char *const migration_5 =
    "CREATE TRIGGER subscriptions_corporate_annual BEFORE INSERT ON subscriptions"
    "  WHEN NEW.status = 'active'"
    "  AND (SELECT kind FROM accounts WHERE id = NEW.account_id) = 'corporate'"
    "  AND (SELECT billing_period FROM plans WHERE id = NEW.plan_id) <> 'annual'"
    "  BEGIN SELECT RAISE(ABORT, 'corporate accounts renew annually: this subscription needs an"
    " annual plan'); END;"
    "CREATE TRIGGER subscriptions_corporate_annual_kept BEFORE UPDATE OF account_id, plan_id,"
    "  status ON subscriptions"
    "  WHEN NEW.status = 'active'"
    "  AND (OLD.status <> 'active' OR OLD.account_id <> NEW.account_id"
    "  OR OLD.plan_id <> NEW.plan_id)"
    "  AND (SELECT kind FROM accounts WHERE id = NEW.account_id) = 'corporate'"
    "  AND (SELECT billing_period FROM plans WHERE id = NEW.plan_id) <> 'annual'"
    "  BEGIN SELECT RAISE(ABORT, 'corporate accounts renew annually: this subscription needs an"
    " annual plan'); END;"
    "CREATE TRIGGER accounts_corporate_annual BEFORE UPDATE OF kind ON accounts"
    "  WHEN NEW.kind = 'corporate' AND OLD.kind <> 'corporate'"
    "  AND EXISTS (SELECT 1 FROM subscriptions s JOIN plans p ON p.id = s.plan_id"
    "  WHERE s.account_id = NEW.id AND s.status = 'active' AND p.billing_period <> 'annual')"
    "  BEGIN SELECT RAISE(ABORT, 'corporate accounts renew annually: this account has active"
    " subscriptions that are not annual'); END;"
    "CREATE TRIGGER plans_corporate_annual BEFORE UPDATE OF billing_period ON plans"
    "  WHEN OLD.billing_period = 'annual' AND NEW.billing_period <> 'annual'"
    "  AND EXISTS (SELECT 1 FROM subscriptions s JOIN accounts a ON a.id = s.account_id"
    "  WHERE s.plan_id = NEW.id AND s.status = 'active' AND a.kind = 'corporate')"
    "  BEGIN SELECT RAISE(ABORT, 'corporate accounts renew annually: corporate accounts subscribe"
    " to this plan'); END;";

/* A sign-in attempt is recorded before its password is checked (pending), in the transaction
 * that counts the login's attempts, and resolved after; so requests running at once count each
 * other, and one never resolved (the server died) stays a failure. That transaction first
 * updates the login's row of sign_in_logins, which makes the transactions of one login take
 * turns even where the count alone would not (PostgreSQL, several nodes: a row lock). */
static const char *const migration_6 =
    "ALTER TABLE sign_in_attempts ADD COLUMN pending INTEGER NOT NULL DEFAULT 0"
    "  CHECK (pending IN (0, 1));"
    "CREATE TABLE sign_in_logins ("
    "  audience TEXT NOT NULL,"
    "  login TEXT NOT NULL,"
    "  last_attempt_at INTEGER NOT NULL,"
    "  PRIMARY KEY (audience, login)"
    ") STRICT;";

/* An email is retried for as long as it takes, unless the mail server refuses that very message
 * (a 5xx reply to its recipient or content) several times in a row: rejections counts those
 * refusals, and only they mark a message failed. The rows the earlier rule gave up (after ten
 * attempts, whatever the failure, so after some four hours of an SMTP outage) go back in the
 * queue, due at once: nothing was ever wrong with them. */
static const char *const migration_7 =
    "ALTER TABLE email_outbox ADD COLUMN rejections INTEGER NOT NULL DEFAULT 0;"
    "UPDATE email_outbox SET failed_at = NULL, claimed_until = 0"
    "  WHERE failed_at IS NOT NULL AND sent_at IS NULL;";

/* An invoice's tax per rate, rounded once on the sum of its lines at that rate (EN 16931
 * BR-CO-17), with the name of the tax where it was issued: the figures the invoice shows, kept as
 * issued like the invoice itself. Invoices issued before this migration have no rows here and
 * keep showing their stored tax_total. */
static const char *const migration_8 =
    "CREATE TABLE invoice_taxes ("
    "  id INTEGER PRIMARY KEY,"
    "  invoice_id INTEGER NOT NULL REFERENCES invoices(id),"
    "  position INTEGER NOT NULL,"
    "  name TEXT NOT NULL,"
    "  rate_ppm INTEGER NOT NULL CHECK (rate_ppm BETWEEN 0 AND 1000000),"
    "  taxable_base INTEGER NOT NULL,"
    "  tax_amount INTEGER NOT NULL,"
    "  UNIQUE (invoice_id, rate_ppm)"
    ") STRICT;"
    "CREATE TRIGGER invoice_taxes_immutable BEFORE UPDATE ON invoice_taxes"
    "  BEGIN SELECT RAISE(ABORT, 'an issued invoice cannot change'); END;"
    "CREATE TRIGGER invoice_taxes_kept BEFORE DELETE ON invoice_taxes"
    "  BEGIN SELECT RAISE(ABORT, 'an issued invoice cannot be deleted'); END;";

/* Invoice History reads its rows from the index alone: the columns the page shows are in it, so
 * the 20 rows need no look-up of each invoice's wide row (a quarter of the page's database work,
 * 26,000 instructions a request: docs/performance.md). It starts with the columns of
 * invoices_account, which it replaces for every query that used that one. */
static const char *const migration_9 =
    "CREATE INDEX invoices_history ON invoices(account_id, issue_date, id, number, due_date,"
    "  currency, status, total, amount_paid);"
    "DROP INDEX invoices_account;";

/* Scheduled work shared by the nodes of one database: one row per job. A node claims a job's run
 * by taking its lease, renews the lease while it works, and marks the period done; a node that
 * dies leaves the lease to run out, and another then takes the job over. The daily bill run's
 * last day moves here from vendor_settings. */
static const char *const migration_10 =
    "CREATE TABLE scheduled_jobs ("
    "  name TEXT PRIMARY KEY,"
    "  done_through TEXT NOT NULL DEFAULT '',"
    "  claimed_by TEXT NOT NULL DEFAULT '',"
    "  lease_until INTEGER NOT NULL DEFAULT 0"
    ") STRICT;"
    "INSERT INTO scheduled_jobs (name, done_through) VALUES ('daily_bill_run',"
    "  COALESCE((SELECT value FROM vendor_settings WHERE key = 'daily_bill_run'), ''));"
    "DELETE FROM vendor_settings WHERE key = 'daily_bill_run';";

/* Quotes (docs/quotes.md): a sales rep's offer to a corporate account, numbered from a gapless
 * series of its own (Q-2026-000001; a revision keeps the number with a suffix, -2, -3...). A sent
 * quote never changes: its lines and the totals computed when it was sent stay as the customer
 * read them, and a decided one (accepted, rejected, withdrawn, expired, superseded) never changes
 * state again; the database itself refuses. Only one revision of a quote is live (sent) at a
 * time, and only one is a draft. Renewal changes a quote makes wait on the subscription
 * (next_seats, next_unit_amount) for the bill run; invoice lines a quote produces carry their
 * discount and how many of the term's days they charge. */
static const char *const migration_11 =
    "CREATE TABLE quote_series ("
    "  series TEXT PRIMARY KEY,"
    "  last_number INTEGER NOT NULL CHECK (last_number >= 0)"
    ") STRICT;"

    "CREATE TABLE quotes ("
    "  id INTEGER PRIMARY KEY,"
    "  account_id INTEGER NOT NULL REFERENCES accounts(id),"
    "  series TEXT NOT NULL,"
    "  seq INTEGER NOT NULL CHECK (seq > 0),"
    "  revision INTEGER NOT NULL DEFAULT 1 CHECK (revision > 0),"
    "  number TEXT NOT NULL UNIQUE,"
    "  base_number TEXT NOT NULL,"
    "  revises_id INTEGER REFERENCES quotes(id),"
    "  state TEXT NOT NULL CHECK (state IN ('draft', 'sent', 'accepted', 'rejected',"
    "    'withdrawn', 'expired', 'superseded')),"
    "  sales_rep_id INTEGER REFERENCES staff_users(id),"
    "  created_by INTEGER NOT NULL REFERENCES staff_users(id),"
    "  currency TEXT NOT NULL CHECK (length(currency) = 3),"
    "  lang TEXT NOT NULL,"
    "  effective_date TEXT NOT NULL,"
    "  valid_until TEXT NOT NULL,"
    "  term_start TEXT NOT NULL,"
    "  term_end TEXT NOT NULL,"
    "  payment_terms_days INTEGER NOT NULL DEFAULT 30 CHECK (payment_terms_days BETWEEN 0 AND 120),"
    "  customer_note TEXT NOT NULL DEFAULT '',"
    "  internal_note TEXT NOT NULL DEFAULT '',"
    "  tax_mode TEXT NOT NULL DEFAULT 'exclusive' CHECK (tax_mode IN ('exclusive', 'inclusive')),"
    "  tax_name TEXT NOT NULL DEFAULT '',"
    "  tax_rate_ppm INTEGER NOT NULL DEFAULT 0 CHECK (tax_rate_ppm BETWEEN 0 AND 1000000),"
    "  due_subtotal INTEGER NOT NULL DEFAULT 0,"
    "  due_tax INTEGER NOT NULL DEFAULT 0,"
    "  due_total INTEGER NOT NULL DEFAULT 0,"
    "  renewal_subtotal INTEGER NOT NULL DEFAULT 0,"
    "  renewal_tax INTEGER NOT NULL DEFAULT 0,"
    "  renewal_total INTEGER NOT NULL DEFAULT 0,"
    "  created_at INTEGER NOT NULL,"
    "  sent_at INTEGER,"
    "  decided_at INTEGER,"
    "  decided_name TEXT NOT NULL DEFAULT '',"
    "  decided_title TEXT NOT NULL DEFAULT '',"
    "  decided_ip TEXT NOT NULL DEFAULT '',"
    "  po_number TEXT NOT NULL DEFAULT '',"
    "  on_behalf_staff_id INTEGER REFERENCES staff_users(id),"
    "  on_behalf_reason TEXT NOT NULL DEFAULT '',"
    "  reject_reason TEXT NOT NULL DEFAULT '' CHECK (reject_reason IN ('', 'price', 'timing',"
    "    'seats', 'other')),"
    "  reject_comment TEXT NOT NULL DEFAULT '',"
    "  invoice_id INTEGER REFERENCES invoices(id),"
    "  UNIQUE (series, seq, revision),"
    "  CHECK (due_subtotal + due_tax = due_total),"
    "  CHECK (renewal_subtotal + renewal_tax = renewal_total)"
    ") STRICT;"
    "CREATE UNIQUE INDEX quotes_one_live ON quotes(base_number) WHERE state = 'sent';"
    "CREATE UNIQUE INDEX quotes_one_draft ON quotes(base_number) WHERE state = 'draft';"
    "CREATE INDEX quotes_account ON quotes(account_id, id);"
    "CREATE INDEX quotes_open ON quotes(state, valid_until);"

    "CREATE TABLE quote_lines ("
    "  id INTEGER PRIMARY KEY,"
    "  quote_id INTEGER NOT NULL REFERENCES quotes(id),"
    "  position INTEGER NOT NULL,"
    "  kind TEXT NOT NULL CHECK (kind IN ('add_product', 'add_seats', 'remove_seats',"
    "    'set_renewal')),"
    "  plan_id INTEGER NOT NULL REFERENCES plans(id),"
    "  subscription_id INTEGER REFERENCES subscriptions(id),"
    "  product_name TEXT NOT NULL,"
    "  seats INTEGER NOT NULL CHECK (seats > 0),"
    "  unit_amount INTEGER NOT NULL CHECK (unit_amount >= 0),"
    "  discount_kind TEXT NOT NULL DEFAULT 'none' CHECK (discount_kind IN ('none', 'percent',"
    "    'amount')),"
    "  discount_value INTEGER NOT NULL DEFAULT 0 CHECK (discount_value >= 0),"
    "  list_amount INTEGER NOT NULL DEFAULT 0,"
    "  discount INTEGER NOT NULL DEFAULT 0,"
    "  term_net INTEGER NOT NULL DEFAULT 0,"
    "  days INTEGER NOT NULL DEFAULT 0,"
    "  term_days INTEGER NOT NULL DEFAULT 0,"
    "  due_now INTEGER NOT NULL DEFAULT 0,"
    "  renewal_unit_amount INTEGER NOT NULL DEFAULT 0,"
    "  UNIQUE (quote_id, position)"
    ") STRICT;"

    "ALTER TABLE subscriptions ADD COLUMN next_seats INTEGER CHECK (next_seats > 0);"
    "ALTER TABLE subscriptions ADD COLUMN next_unit_amount INTEGER CHECK (next_unit_amount >= 0);"
    "ALTER TABLE invoice_lines ADD COLUMN discount INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE invoice_lines ADD COLUMN days INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE invoice_lines ADD COLUMN term_days INTEGER NOT NULL DEFAULT 0;"
    /* No REFERENCES here: SQLite cannot drop a column that has one, and `cobro verify` checks
     * that a quote email names a quote of its account (outbox_quote). */
    "ALTER TABLE email_outbox ADD COLUMN quote_id INTEGER;"

    "CREATE TRIGGER quotes_sent_immutable BEFORE UPDATE OF id, account_id, series, seq, revision,"
    "  number, base_number, revises_id, sales_rep_id, created_by, currency, lang, effective_date,"
    "  valid_until, term_start, term_end, payment_terms_days, customer_note, tax_mode, tax_name,"
    "  tax_rate_ppm, due_subtotal, due_tax, due_total, renewal_subtotal, renewal_tax,"
    "  renewal_total, created_at ON quotes WHEN OLD.state <> 'draft'"
    "  BEGIN SELECT RAISE(ABORT, 'a sent quote cannot change'); END;"
    "CREATE TRIGGER quotes_decided_kept BEFORE UPDATE OF state ON quotes"
    "  WHEN OLD.state NOT IN ('draft', 'sent') AND NEW.state <> OLD.state"
    "  BEGIN SELECT RAISE(ABORT, 'a decided quote cannot change'); END;"
    "CREATE TRIGGER quotes_kept BEFORE DELETE ON quotes"
    "  BEGIN SELECT RAISE(ABORT, 'a quote cannot be deleted'); END;"
    "CREATE TRIGGER quote_lines_added_frozen BEFORE INSERT ON quote_lines"
    "  WHEN (SELECT state FROM quotes WHERE id = NEW.quote_id) <> 'draft'"
    "  BEGIN SELECT RAISE(ABORT, 'a sent quote cannot change'); END;"
    "CREATE TRIGGER quote_lines_frozen BEFORE UPDATE ON quote_lines"
    "  WHEN (SELECT state FROM quotes WHERE id = OLD.quote_id) <> 'draft'"
    "  BEGIN SELECT RAISE(ABORT, 'a sent quote cannot change'); END;"
    "CREATE TRIGGER quote_lines_removed_frozen BEFORE DELETE ON quote_lines"
    "  WHEN (SELECT state FROM quotes WHERE id = OLD.quote_id) <> 'draft'"
    "  BEGIN SELECT RAISE(ABORT, 'a sent quote cannot change'); END;";

/* Payments (docs/payments.md): money coming in by card through a gateway's hosted page or a
 * saved card, or recorded by staff (wire, check, ACH); refunds; and the ledger that says where
 * each amount went. A payment row is written before the gateway is called (the idempotency key
 * of every call is derived from its id, cobro-payment-<id>), and it settles only from the
 * gateway's signed event. payment_allocations is append-only: an invoice's amount_paid is the
 * sum of its rows, an account's credit the sum of its rows with no invoice, and the database
 * refuses an invoice paid beyond its total. The sandbox's pages and events live here too, so
 * that every node serves them. */
static const char *const migration_12 =
    "CREATE TABLE payments ("
    "  id INTEGER PRIMARY KEY,"
    "  account_id INTEGER NOT NULL REFERENCES accounts(id),"
    "  invoice_id INTEGER REFERENCES invoices(id),"
    "  method TEXT NOT NULL CHECK (method IN ('card', 'wire', 'check', 'ach')),"
    "  source TEXT NOT NULL CHECK (source IN ('checkout', 'saved_card', 'offline')),"
    "  gateway TEXT NOT NULL DEFAULT '',"
    "  amount INTEGER NOT NULL CHECK (amount > 0),"
    "  currency TEXT NOT NULL CHECK (length(currency) = 3),"
    "  state TEXT NOT NULL CHECK (state IN ('pending', 'processing', 'succeeded', 'failed',"
    "    'expired', 'unknown', 'reversed')),"
    "  session_ref TEXT NOT NULL DEFAULT '',"
    "  payment_ref TEXT NOT NULL DEFAULT '',"
    "  card_brand TEXT NOT NULL DEFAULT '',"
    "  card_last4 TEXT NOT NULL DEFAULT '',"
    "  decline_code TEXT NOT NULL DEFAULT '',"
    "  reserved_until INTEGER NOT NULL DEFAULT 0,"
    "  next_check_at INTEGER,"
    "  checks INTEGER NOT NULL DEFAULT 0,"
    "  received_date TEXT NOT NULL DEFAULT '',"
    "  reference TEXT NOT NULL DEFAULT '',"
    "  payer TEXT NOT NULL DEFAULT '',"
    "  reversal_reason TEXT NOT NULL DEFAULT '',"
    "  lang TEXT NOT NULL DEFAULT 'en',"
    "  created_by_staff INTEGER REFERENCES staff_users(id),"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL,"
    "  settled_at INTEGER"
    ") STRICT;"
    /* Covers what an invoice's payments in progress hold (RESERVED_SUM in store_payments.c). */
    "CREATE INDEX payments_invoice ON payments(invoice_id, state, reserved_until, amount);"
    "CREATE INDEX payments_account ON payments(account_id, id);"
    "CREATE INDEX payments_to_check ON payments(next_check_at) WHERE next_check_at IS NOT NULL;"

    "CREATE TABLE refunds ("
    "  id INTEGER PRIMARY KEY,"
    "  payment_id INTEGER NOT NULL REFERENCES payments(id),"
    "  account_id INTEGER NOT NULL REFERENCES accounts(id),"
    "  amount INTEGER NOT NULL CHECK (amount > 0),"
    "  currency TEXT NOT NULL CHECK (length(currency) = 3),"
    "  state TEXT NOT NULL CHECK (state IN ('pending', 'succeeded', 'failed', 'unknown')),"
    "  reason TEXT NOT NULL,"
    "  refund_ref TEXT NOT NULL DEFAULT '',"
    "  created_by INTEGER NOT NULL REFERENCES staff_users(id),"
    "  created_at INTEGER NOT NULL,"
    "  settled_at INTEGER,"
    "  next_check_at INTEGER"
    ") STRICT;"
    "CREATE INDEX refunds_payment ON refunds(payment_id);"

    /* Where money went: to an invoice (invoice_id) or to the account's credit (no invoice).
     * kind: payment (a payment applied to an invoice), credit (what it left over), credit_applied
     * (credit used on an invoice: a row to the invoice and its negative with no invoice),
     * reversal and refund (negative rows undoing a payment's). */
    "CREATE TABLE payment_allocations ("
    "  id INTEGER PRIMARY KEY,"
    "  account_id INTEGER NOT NULL REFERENCES accounts(id),"
    "  payment_id INTEGER REFERENCES payments(id),"
    "  refund_id INTEGER REFERENCES refunds(id),"
    "  invoice_id INTEGER REFERENCES invoices(id),"
    "  kind TEXT NOT NULL CHECK (kind IN ('payment', 'credit', 'credit_applied', 'reversal',"
    "    'refund')),"
    "  amount INTEGER NOT NULL CHECK (amount <> 0),"
    "  currency TEXT NOT NULL CHECK (length(currency) = 3),"
    "  created_at INTEGER NOT NULL"
    ") STRICT;"
    "CREATE INDEX payment_allocations_invoice ON payment_allocations(invoice_id);"
    "CREATE INDEX payment_allocations_account ON payment_allocations(account_id, invoice_id);"
    "CREATE INDEX payment_allocations_payment ON payment_allocations(payment_id);"

    /* The card on file: the gateway's references and what the page shows, never a card number
     * or security code. */
    "CREATE TABLE payment_cards ("
    "  account_id INTEGER PRIMARY KEY REFERENCES accounts(id),"
    "  gateway TEXT NOT NULL,"
    "  customer_ref TEXT NOT NULL,"
    "  method_ref TEXT NOT NULL,"
    "  brand TEXT NOT NULL,"
    "  last4 TEXT NOT NULL CHECK (length(last4) = 4),"
    "  exp_month INTEGER NOT NULL CHECK (exp_month BETWEEN 1 AND 12),"
    "  exp_year INTEGER NOT NULL CHECK (exp_year BETWEEN 2000 AND 2200),"
    "  holder_name TEXT NOT NULL DEFAULT '',"
    "  autopay INTEGER NOT NULL DEFAULT 0 CHECK (autopay IN (0, 1)),"
    "  updated_at INTEGER NOT NULL"
    ") STRICT;"
    /* A hosted card set-up page opened for an account (the event names its id). */
    "CREATE TABLE card_setups ("
    "  id INTEGER PRIMARY KEY,"
    "  account_id INTEGER NOT NULL REFERENCES accounts(id),"
    "  gateway TEXT NOT NULL,"
    "  session_ref TEXT NOT NULL DEFAULT '',"
    "  state TEXT NOT NULL CHECK (state IN ('pending', 'succeeded', 'failed', 'expired')),"
    "  created_at INTEGER NOT NULL,"
    "  settled_at INTEGER"
    ") STRICT;"

    /* Each gateway event is acted on once. */
    "CREATE TABLE gateway_events ("
    "  event_id TEXT PRIMARY KEY,"
    "  gateway TEXT NOT NULL,"
    "  type TEXT NOT NULL,"
    "  payment_id INTEGER,"
    "  received_at INTEGER NOT NULL"
    ") STRICT;"

    /* The sandbox gateway's hosted pages and the events it has to deliver. */
    "CREATE TABLE sandbox_sessions ("
    "  ref TEXT PRIMARY KEY,"
    "  kind TEXT NOT NULL CHECK (kind IN ('payment', 'setup', 'charge')),"
    "  object_id INTEGER NOT NULL,"
    "  amount INTEGER NOT NULL CHECK (amount >= 0),"
    "  currency TEXT NOT NULL,"
    "  description TEXT NOT NULL,"
    "  lang TEXT NOT NULL,"
    "  success_url TEXT NOT NULL,"
    "  cancel_url TEXT NOT NULL,"
    "  expires_at INTEGER NOT NULL,"
    "  state TEXT NOT NULL CHECK (state IN ('open', 'authenticating', 'complete', 'failed',"
    "    'expired')),"
    "  payment_ref TEXT NOT NULL DEFAULT '',"
    "  card_brand TEXT NOT NULL DEFAULT '',"
    "  card_last4 TEXT NOT NULL DEFAULT '',"
    "  decline_code TEXT NOT NULL DEFAULT '',"
    "  customer_ref TEXT NOT NULL DEFAULT '',"
    "  method_ref TEXT NOT NULL DEFAULT '',"
    "  holder_name TEXT NOT NULL DEFAULT '',"
    "  exp_month INTEGER NOT NULL DEFAULT 0,"
    "  exp_year INTEGER NOT NULL DEFAULT 0,"
    "  refunded INTEGER NOT NULL DEFAULT 0,"
    "  idempotency_key TEXT NOT NULL UNIQUE,"
    "  created_at INTEGER NOT NULL"
    ") STRICT;"
    "CREATE TABLE sandbox_events ("
    "  id INTEGER PRIMARY KEY,"
    "  event_id TEXT NOT NULL UNIQUE,"
    "  body TEXT NOT NULL,"
    "  deliver_after INTEGER NOT NULL,"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  claimed_until INTEGER NOT NULL DEFAULT 0,"
    "  delivered_at INTEGER"
    ") STRICT;"
    "CREATE INDEX sandbox_events_due ON sandbox_events(delivered_at, deliver_after);"

    /* No REFERENCES (as quote_id): a receipt or refund email names its payment. */
    "ALTER TABLE email_outbox ADD COLUMN payment_id INTEGER;"

    "CREATE TRIGGER invoices_paid_within_total BEFORE UPDATE OF amount_paid ON invoices"
    "  WHEN NEW.amount_paid < 0 OR NEW.amount_paid > NEW.total"
    "  BEGIN SELECT RAISE(ABORT, 'an invoice cannot be paid beyond its total'); END;"
    "CREATE TRIGGER payment_allocations_immutable BEFORE UPDATE ON payment_allocations"
    "  BEGIN SELECT RAISE(ABORT, 'a payment allocation cannot change'); END;"
    "CREATE TRIGGER payment_allocations_kept BEFORE DELETE ON payment_allocations"
    "  BEGIN SELECT RAISE(ABORT, 'a payment allocation cannot be deleted'); END;"
    "CREATE TRIGGER payments_fixed BEFORE UPDATE OF account_id, invoice_id, method, source,"
    "  gateway, amount, currency, created_at ON payments"
    "  BEGIN SELECT RAISE(ABORT, 'a payment''s amount and account cannot change'); END;"
    "CREATE TRIGGER payments_settled_kept BEFORE UPDATE OF state ON payments"
    "  WHEN (OLD.state = 'succeeded' AND NEW.state NOT IN ('succeeded', 'reversed'))"
    "    OR (OLD.state = 'reversed' AND NEW.state <> 'reversed')"
    "  BEGIN SELECT RAISE(ABORT, 'a settled payment cannot change state'); END;"
    "CREATE TRIGGER payments_kept BEFORE DELETE ON payments"
    "  BEGIN SELECT RAISE(ABORT, 'a payment cannot be deleted'); END;"
    "CREATE TRIGGER refunds_kept BEFORE DELETE ON refunds"
    "  BEGIN SELECT RAISE(ABORT, 'a refund cannot be deleted'); END;";

/* Billing Center self-service (docs/subscriptions.md), part 1, SQLite's side: an invoice line
 * is either a period of its subscription (kind 'period', what the bill run issues: one per
 * subscription and period start, as before) or a change made during a period (kind 'change': more
 * seats, a new product, monthly to annual, a reactivation), which charges the rest of the period
 * less a credit for what the account had already been charged for it. Several changes can fall on
 * one day, so the uniqueness of (subscription, period start) now holds for period lines only;
 * SQLite cannot drop a table's UNIQUE, so the table is rebuilt (PostgreSQL alters it in place:
 * migrations_pg.c). The DROP fires no trigger (its implicit DELETE never does) and nothing refers
 * to invoice_lines. */
#define MIGRATION_13_SQLITE_LINES                                                                  \
    "CREATE TABLE invoice_lines_13 ("                                                              \
    "  id INTEGER PRIMARY KEY,"                                                                    \
    "  invoice_id INTEGER NOT NULL REFERENCES invoices(id),"                                       \
    "  position INTEGER NOT NULL,"                                                                 \
    "  subscription_id INTEGER NOT NULL REFERENCES subscriptions(id),"                             \
    "  product_name TEXT NOT NULL,"                                                                \
    "  billing_period TEXT NOT NULL,"                                                              \
    "  period_start TEXT NOT NULL,"                                                                \
    "  period_end TEXT NOT NULL,"                                                                  \
    "  seats INTEGER NOT NULL,"                                                                    \
    "  unit_amount INTEGER NOT NULL,"                                                              \
    "  net INTEGER NOT NULL,"                                                                      \
    "  tax_rate_ppm INTEGER NOT NULL,"                                                             \
    "  tax INTEGER NOT NULL,"                                                                      \
    "  gross INTEGER NOT NULL,"                                                                    \
    "  discount INTEGER NOT NULL DEFAULT 0,"                                                       \
    "  days INTEGER NOT NULL DEFAULT 0,"                                                           \
    "  term_days INTEGER NOT NULL DEFAULT 0,"                                                      \
    "  kind TEXT NOT NULL DEFAULT 'period' CHECK (kind IN ('period', 'change')),"                  \
    "  from_seats INTEGER NOT NULL DEFAULT 0 CHECK (from_seats >= 0),"                             \
    "  from_period TEXT NOT NULL DEFAULT '',"                                                      \
    "  credit INTEGER NOT NULL DEFAULT 0 CHECK (credit >= 0),"                                     \
    "  CHECK (net + tax = gross)"                                                                  \
    ") STRICT;"                                                                                    \
    "INSERT INTO invoice_lines_13 (id, invoice_id, position, subscription_id, product_name,"       \
    "  billing_period, period_start, period_end, seats, unit_amount, net, tax_rate_ppm, tax,"      \
    "  gross, discount, days, term_days) SELECT id, invoice_id, position, subscription_id,"        \
    "  product_name, billing_period, period_start, period_end, seats, unit_amount, net,"           \
    "  tax_rate_ppm, tax, gross, discount, days, term_days FROM invoice_lines;"                    \
    "DROP TABLE invoice_lines;"                                                                    \
    "ALTER TABLE invoice_lines_13 RENAME TO invoice_lines;"                                        \
    "CREATE INDEX invoice_lines_invoice ON invoice_lines(invoice_id, position);"                   \
    "CREATE TRIGGER invoice_lines_immutable BEFORE UPDATE ON invoice_lines"                        \
    "  BEGIN SELECT RAISE(ABORT, 'an issued invoice cannot change'); END;"                         \
    "CREATE TRIGGER invoice_lines_kept BEFORE DELETE ON invoice_lines"                             \
    "  BEGIN SELECT RAISE(ABORT, 'an issued invoice cannot be deleted'); END;"

/* Part 2, both databases: the period lines' uniqueness; how many seats of each product the price
 * list sells on one subscription (min_seats, max_seats: the Billing Center's limits); what a
 * subscription will renew with after a change that waits for the renewal (next_plan_id: annual to
 * monthly; next_seats already exists), what the account was actually charged for the rest of its
 * current period (charged_amount over charged_from .. period_end, written by each change that
 * charges; NULL: seats x unit_amount for the whole period, as the renewal charged it), and why and
 * when it was cancelled. subscription_changes keeps every change asked for, with the figures its
 * preview showed; one that charges is written before the card is charged, and only one per account
 * can be charging at a time. A payment names the change it pays for (change_id) or which charge of
 * an invoice it is (attempt: 1 the renewal's charge, 2... the dunning retries), each at most once.
 * dunning_cases follows an invoice whose automatic charge failed: retries, past due, suspended,
 * resolved. next_plan_id and change_id have no REFERENCES, as email_outbox.quote_id: SQLite cannot
 * drop a column that has one; the services write only ids they have just read. */
#define MIGRATION_13_COMMON                                                                        \
    "CREATE UNIQUE INDEX invoice_lines_period ON invoice_lines(subscription_id, period_start)"     \
    "  WHERE kind = 'period';"                                                                     \
    "ALTER TABLE products ADD COLUMN min_seats INTEGER NOT NULL DEFAULT 1 CHECK (min_seats >= 1);" \
    "ALTER TABLE products ADD COLUMN max_seats INTEGER NOT NULL DEFAULT 10000"                     \
    "  CHECK (max_seats >= 1);"                                                                    \
    "ALTER TABLE subscriptions ADD COLUMN next_plan_id INTEGER;"                                   \
    "ALTER TABLE subscriptions ADD COLUMN charged_amount INTEGER CHECK (charged_amount >= 0);"     \
    "ALTER TABLE subscriptions ADD COLUMN charged_from TEXT;"                                      \
    "ALTER TABLE subscriptions ADD COLUMN cancel_reason TEXT NOT NULL DEFAULT '';"                 \
    "ALTER TABLE subscriptions ADD COLUMN cancel_requested_at INTEGER;"                            \
    "CREATE TABLE subscription_changes ("                                                          \
    "  id INTEGER PRIMARY KEY,"                                                                    \
    "  account_id INTEGER NOT NULL REFERENCES accounts(id),"                                       \
    "  subscription_id INTEGER REFERENCES subscriptions(id),"                                      \
    "  kind TEXT NOT NULL CHECK (kind IN ('add_product', 'add_seats', 'remove_seats',"             \
    "    'to_annual', 'to_monthly', 'cancel', 'undo_cancel', 'reactivate')),"                      \
    "  plan_id INTEGER NOT NULL REFERENCES plans(id),"                                             \
    "  seats INTEGER NOT NULL CHECK (seats > 0),"                                                  \
    "  from_seats INTEGER NOT NULL DEFAULT 0,"                                                     \
    "  unit_amount INTEGER NOT NULL CHECK (unit_amount >= 0),"                                     \
    "  currency TEXT NOT NULL CHECK (length(currency) = 3),"                                       \
    "  period_start TEXT NOT NULL DEFAULT '',"                                                     \
    "  period_end TEXT NOT NULL DEFAULT '',"                                                       \
    "  anchor_day INTEGER NOT NULL DEFAULT 1 CHECK (anchor_day BETWEEN 1 AND 31),"                 \
    "  days INTEGER NOT NULL DEFAULT 0 CHECK (days >= 0),"                                         \
    "  term_days INTEGER NOT NULL DEFAULT 0 CHECK (term_days >= 0),"                               \
    "  from_period TEXT NOT NULL DEFAULT '',"                                                      \
    "  charge INTEGER NOT NULL DEFAULT 0 CHECK (charge >= 0),"                                     \
    "  credit INTEGER NOT NULL DEFAULT 0 CHECK (credit >= 0),"                                     \
    "  subtotal INTEGER NOT NULL DEFAULT 0,"                                                       \
    "  tax_total INTEGER NOT NULL DEFAULT 0,"                                                      \
    "  total INTEGER NOT NULL DEFAULT 0 CHECK (total >= 0),"                                       \
    "  renewal_total INTEGER NOT NULL DEFAULT 0,"                                                  \
    "  basis TEXT NOT NULL DEFAULT '',"                                                            \
    "  state TEXT NOT NULL CHECK (state IN ('charging', 'applied', 'declined', 'conflict')),"      \
    "  payment_id INTEGER REFERENCES payments(id),"                                                \
    "  invoice_id INTEGER REFERENCES invoices(id),"                                                \
    "  reason TEXT NOT NULL DEFAULT '',"                                                           \
    "  decline_code TEXT NOT NULL DEFAULT '',"                                                     \
    "  actor_kind TEXT NOT NULL CHECK (actor_kind IN ('billing', 'staff')),"                       \
    "  actor_id INTEGER NOT NULL,"                                                                 \
    "  created_at INTEGER NOT NULL,"                                                               \
    "  decided_at INTEGER,"                                                                        \
    "  CHECK (subtotal + tax_total = total)"                                                       \
    ") STRICT;"                                                                                    \
    "CREATE UNIQUE INDEX subscription_changes_one_charging ON subscription_changes(account_id)"    \
    "  WHERE state = 'charging';"                                                                  \
    "CREATE INDEX subscription_changes_account ON subscription_changes(account_id, id);"           \
    "ALTER TABLE payments ADD COLUMN change_id INTEGER;"                                           \
    "ALTER TABLE payments ADD COLUMN attempt INTEGER NOT NULL DEFAULT 0 CHECK (attempt >= 0);"     \
    "CREATE UNIQUE INDEX payments_change ON payments(change_id) WHERE change_id IS NOT NULL;"      \
    "CREATE UNIQUE INDEX payments_invoice_attempt ON payments(invoice_id, attempt)"                \
    "  WHERE attempt > 0;"                                                                         \
    "CREATE TABLE dunning_cases ("                                                                 \
    "  id INTEGER PRIMARY KEY,"                                                                    \
    "  account_id INTEGER NOT NULL REFERENCES accounts(id),"                                       \
    "  invoice_id INTEGER NOT NULL UNIQUE REFERENCES invoices(id),"                                \
    "  state TEXT NOT NULL CHECK (state IN ('retrying', 'past_due', 'suspended', 'resolved')),"    \
    "  failures INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),"                                 \
    "  last_decline_code TEXT NOT NULL DEFAULT '',"                                                \
    "  no_retry INTEGER NOT NULL DEFAULT 0 CHECK (no_retry IN (0, 1)),"                            \
    "  next_retry_at INTEGER,"                                                                     \
    "  claimed_until INTEGER NOT NULL DEFAULT 0,"                                                  \
    "  first_failed_at INTEGER NOT NULL,"                                                          \
    "  past_due_at INTEGER,"                                                                       \
    "  suspended_at INTEGER,"                                                                      \
    "  resolved_at INTEGER,"                                                                       \
    "  updated_at INTEGER NOT NULL"                                                                \
    ") STRICT;"                                                                                    \
    "CREATE INDEX dunning_cases_due ON dunning_cases(state, next_retry_at);"                       \
    "CREATE INDEX dunning_cases_account ON dunning_cases(account_id, state);"                      \
    "CREATE TABLE account_user_reset_tokens ("                                                     \
    "  token_digest TEXT PRIMARY KEY,"                                                             \
    "  account_user_id INTEGER NOT NULL REFERENCES account_users(id),"                             \
    "  created_at INTEGER NOT NULL,"                                                               \
    "  expires_at INTEGER NOT NULL,"                                                               \
    "  used_at INTEGER"                                                                            \
    ") STRICT;"                                                                                    \
    "CREATE INDEX account_user_reset_tokens_user ON account_user_reset_tokens(account_user_id,"    \
    "  created_at);"                                                                               \
    "CREATE TRIGGER payments_purpose_fixed BEFORE UPDATE OF change_id, attempt ON payments"        \
    "  BEGIN SELECT RAISE(ABORT, 'a payment''s purpose cannot change'); END;"

static const char *const migration_13 = MIGRATION_13_SQLITE_LINES MIGRATION_13_COMMON;

/* Requests, the W-9, Customer Care's change of a billing administrator (issue 14):
 * - requests: what a corporate billing contact asks Corporate Account Services on the portal's
 *   Requests tab, or anyone asks Customer Care on the public Care Billing Form; numbered from a
 *   gapless series of their own per year (REQ-2026-000123); one open request of a kind per
 *   account (a partial unique index); request_messages is its conversation, customer replies,
 *   staff replies (emailed) and internal notes (never shown to the customer).
 * - vendor_files: the vendor's documents customers download (the W-9), every version kept, the
 *   newest current; the PDF is kept as base64 text (both databases' one portable type), at most
 *   5 MB before encoding; vendor_file_downloads logs each download.
 * - account_users.registered_admin: a registered administrator of an online account besides its
 *   billing administrator (who Care may accept as the caller); care_verifications logs each check
 *   Care makes of a caller (card and person, each verified or not; never what was typed), and
 *   account_flags what an admin must look at (three failed checks in a day). */
static const char *const migration_14 =
    "CREATE TABLE request_series ("
    "  series TEXT PRIMARY KEY,"
    "  last_number INTEGER NOT NULL CHECK (last_number >= 0)"
    ") STRICT;"
    "CREATE TABLE requests ("
    "  id INTEGER PRIMARY KEY,"
    "  number TEXT NOT NULL UNIQUE,"
    "  series TEXT NOT NULL,"
    "  seq INTEGER NOT NULL CHECK (seq > 0),"
    "  account_id INTEGER REFERENCES accounts(id),"
    "  queue TEXT NOT NULL CHECK (queue IN ('account_services', 'customer_care')),"
    "  source TEXT NOT NULL CHECK (source IN ('portal', 'care_form')),"
    "  category TEXT NOT NULL,"
    "  subcategory TEXT NOT NULL,"
    "  state TEXT NOT NULL CHECK (state IN ('submitted', 'in_review', 'waiting_on_customer',"
    "    'completed', 'declined', 'withdrawn')),"
    "  details TEXT NOT NULL,"
    "  requester_name TEXT NOT NULL,"
    "  requester_email TEXT NOT NULL,"
    "  company TEXT NOT NULL DEFAULT '',"
    "  account_text TEXT NOT NULL DEFAULT '',"
    "  lang TEXT NOT NULL DEFAULT 'en',"
    "  ip TEXT NOT NULL DEFAULT '',"
    "  credential_id INTEGER REFERENCES portal_credentials(id),"
    "  assigned_to INTEGER REFERENCES staff_users(id),"
    "  created_at INTEGER NOT NULL,"
    "  first_answer_at INTEGER,"
    "  updated_at INTEGER NOT NULL,"
    "  closed_at INTEGER,"
    "  UNIQUE (series, seq)"
    ") STRICT;"
    "CREATE UNIQUE INDEX requests_one_open ON requests(account_id, category, subcategory)"
    "  WHERE account_id IS NOT NULL AND state IN ('submitted', 'in_review',"
    "  'waiting_on_customer');"
    "CREATE INDEX requests_queue ON requests(queue, state, created_at);"
    "CREATE INDEX requests_account ON requests(account_id, id);"
    "CREATE INDEX requests_requester ON requests(requester_email, created_at);"
    "CREATE INDEX requests_ip ON requests(ip, created_at);"
    "CREATE TABLE request_messages ("
    "  id INTEGER PRIMARY KEY,"
    "  request_id INTEGER NOT NULL REFERENCES requests(id),"
    "  author_kind TEXT NOT NULL CHECK (author_kind IN ('customer', 'staff', 'system')),"
    "  author_id INTEGER,"
    "  internal INTEGER NOT NULL DEFAULT 0 CHECK (internal IN (0, 1)),"
    "  body TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL"
    ") STRICT;"
    "CREATE INDEX request_messages_request ON request_messages(request_id, id);"
    /* No REFERENCES (as quote_id): a request's emails name it. */
    "ALTER TABLE email_outbox ADD COLUMN request_id INTEGER;"

    "CREATE TABLE vendor_files ("
    "  id INTEGER PRIMARY KEY,"
    "  kind TEXT NOT NULL CHECK (kind IN ('w9')),"
    "  filename TEXT NOT NULL,"
    "  content_base64 TEXT NOT NULL,"
    "  size INTEGER NOT NULL CHECK (size > 0 AND size <= 5242880),"
    "  sha256 TEXT NOT NULL,"
    "  uploaded_by INTEGER REFERENCES staff_users(id),"
    "  created_at INTEGER NOT NULL"
    ") STRICT;"
    "CREATE INDEX vendor_files_kind ON vendor_files(kind, id);"
    "CREATE TABLE vendor_file_downloads ("
    "  id INTEGER PRIMARY KEY,"
    "  file_id INTEGER NOT NULL REFERENCES vendor_files(id),"
    "  account_id INTEGER NOT NULL REFERENCES accounts(id),"
    "  credential_id INTEGER REFERENCES portal_credentials(id),"
    "  ip TEXT NOT NULL DEFAULT '',"
    "  at INTEGER NOT NULL"
    ") STRICT;"
    "CREATE INDEX vendor_file_downloads_account ON vendor_file_downloads(account_id, at);"

    "ALTER TABLE account_users ADD COLUMN registered_admin INTEGER NOT NULL DEFAULT 0"
    "  CHECK (registered_admin IN (0, 1));"
    "CREATE TABLE care_verifications ("
    "  id INTEGER PRIMARY KEY,"
    "  account_id INTEGER NOT NULL REFERENCES accounts(id),"
    "  staff_id INTEGER NOT NULL REFERENCES staff_users(id),"
    "  basis TEXT NOT NULL CHECK (basis IN ('cardholder', 'registered_admin')),"
    "  card_ok INTEGER NOT NULL CHECK (card_ok IN (0, 1)),"
    "  person_ok INTEGER NOT NULL CHECK (person_ok IN (0, 1)),"
    "  created_at INTEGER NOT NULL,"
    "  used_at INTEGER"
    ") STRICT;"
    "CREATE INDEX care_verifications_account ON care_verifications(account_id, created_at);"
    "CREATE TABLE account_flags ("
    "  id INTEGER PRIMARY KEY,"
    "  account_id INTEGER NOT NULL REFERENCES accounts(id),"
    "  kind TEXT NOT NULL CHECK (kind IN ('care_verification_locked')),"
    "  created_at INTEGER NOT NULL,"
    "  cleared_at INTEGER,"
    "  cleared_by INTEGER REFERENCES staff_users(id)"
    ") STRICT;"
    "CREATE INDEX account_flags_open ON account_flags(cleared_at, account_id);";

static const char *const migrations[] = {
    migration_1, migration_2, migration_3,  migration_4,  migration_5,  migration_6,  migration_7,
    migration_8, migration_9, migration_10, migration_11, migration_12, migration_13, migration_14};

const char *migration_sql(int version)
{
    if (version < 1 || version > (int)(sizeof migrations / sizeof migrations[0])) return NULL;
    return migrations[version - 1];
}

const char *migration_sql_shared(int version)
{
    return version == 13 ? MIGRATION_13_COMMON : migration_sql(version);
}

int migration_latest(void)
{
    return (int)(sizeof migrations / sizeof migrations[0]);
}
