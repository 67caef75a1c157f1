/* The schema on PostgreSQL: the SQLite migrations (migrations_sqlite.c, the one place where the
 * tables are written) turned into PostgreSQL's DDL by fixed rules, plus each migration's
 * triggers in PL/pgSQL, under the same names as SQLite's. */
#include "migrations.h"
#include "util/buf.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

/* A trigger refusing any change: the message is its argument. */
#define REFUSE "EXECUTE FUNCTION cobro_refuse"

/* What each migration adds on PostgreSQL, by version (NULL: nothing). SQLite's triggers guard
 * the same rows with the same messages; both raise a constraint error (class 23 here). */
static const char *const pg_triggers[] = {
    [2] = "CREATE FUNCTION cobro_refuse() RETURNS trigger LANGUAGE plpgsql AS $$"
          " BEGIN RAISE EXCEPTION USING MESSAGE = TG_ARGV[0],"
          " ERRCODE = 'integrity_constraint_violation'; END $$;"
          "CREATE TRIGGER invoices_immutable BEFORE UPDATE OF id, account_id, number, series, seq,"
          "  issue_date, due_date, currency, lang, tax_mode, account_kind, bill_to_name,"
          "  address_line1, address_line2, city, region, postal_code, country, phone,"
          "  contact_name, contact_email, portal_user_id, po_number, payment_method, subtotal,"
          "  tax_total, total, created_at ON invoices"
          "  FOR EACH ROW " REFUSE "('an issued invoice cannot change');"
          "CREATE TRIGGER invoices_kept BEFORE DELETE ON invoices"
          "  FOR EACH ROW " REFUSE "('an issued invoice cannot be deleted');"
          "CREATE TRIGGER invoice_lines_immutable BEFORE UPDATE ON invoice_lines"
          "  FOR EACH ROW " REFUSE "('an issued invoice cannot change');"
          "CREATE TRIGGER invoice_lines_kept BEFORE DELETE ON invoice_lines"
          "  FOR EACH ROW " REFUSE "('an issued invoice cannot be deleted');"
          /* TRUNCATE skips row triggers; SQLite has no TRUNCATE. */
          "CREATE TRIGGER invoices_not_truncated BEFORE TRUNCATE ON invoices"
          "  FOR EACH STATEMENT " REFUSE "('an issued invoice cannot be deleted');"
          "CREATE TRIGGER invoice_lines_not_truncated BEFORE TRUNCATE ON invoice_lines"
          "  FOR EACH STATEMENT " REFUSE "('an issued invoice cannot be deleted');",

    /* PostgreSQL's WHEN clauses take no subqueries: the conditions move into the functions. */
    [5] = "CREATE FUNCTION cobro_corporate_plan_annual(account_id BIGINT, plan_id BIGINT)"
          " RETURNS void LANGUAGE plpgsql AS $$ BEGIN"
          " IF (SELECT kind FROM accounts WHERE id = account_id) = 'corporate'"
          "  AND (SELECT billing_period FROM plans WHERE id = plan_id) <> 'annual' THEN"
          "  RAISE EXCEPTION USING MESSAGE = 'corporate accounts renew annually: this"
          " subscription needs an annual plan', ERRCODE = 'integrity_constraint_violation';"
          " END IF; END $$;"
          "CREATE FUNCTION cobro_subscription_inserted() RETURNS trigger LANGUAGE plpgsql AS $$"
          " BEGIN IF NEW.status = 'active' THEN"
          "  PERFORM cobro_corporate_plan_annual(NEW.account_id, NEW.plan_id); END IF;"
          " RETURN NEW; END $$;"
          "CREATE FUNCTION cobro_subscription_updated() RETURNS trigger LANGUAGE plpgsql AS $$"
          " BEGIN IF NEW.status = 'active' AND (OLD.status <> 'active'"
          "  OR OLD.account_id <> NEW.account_id OR OLD.plan_id <> NEW.plan_id) THEN"
          "  PERFORM cobro_corporate_plan_annual(NEW.account_id, NEW.plan_id); END IF;"
          " RETURN NEW; END $$;"
          "CREATE TRIGGER subscriptions_corporate_annual BEFORE INSERT ON subscriptions"
          "  FOR EACH ROW EXECUTE FUNCTION cobro_subscription_inserted();"
          "CREATE TRIGGER subscriptions_corporate_annual_kept BEFORE UPDATE OF account_id,"
          "  plan_id, status ON subscriptions"
          "  FOR EACH ROW EXECUTE FUNCTION cobro_subscription_updated();"
          "CREATE FUNCTION cobro_account_made_corporate() RETURNS trigger LANGUAGE plpgsql AS $$"
          " BEGIN IF NEW.kind = 'corporate' AND OLD.kind <> 'corporate'"
          "  AND EXISTS (SELECT 1 FROM subscriptions s JOIN plans p ON p.id = s.plan_id"
          "  WHERE s.account_id = NEW.id AND s.status = 'active' AND p.billing_period <> 'annual')"
          " THEN RAISE EXCEPTION USING MESSAGE = 'corporate accounts renew annually: this account"
          " has active subscriptions that are not annual',"
          " ERRCODE = 'integrity_constraint_violation'; END IF; RETURN NEW; END $$;"
          "CREATE TRIGGER accounts_corporate_annual BEFORE UPDATE OF kind ON accounts"
          "  FOR EACH ROW EXECUTE FUNCTION cobro_account_made_corporate();"
          "CREATE FUNCTION cobro_plan_made_not_annual() RETURNS trigger LANGUAGE plpgsql AS $$"
          " BEGIN IF OLD.billing_period = 'annual' AND NEW.billing_period <> 'annual'"
          "  AND EXISTS (SELECT 1 FROM subscriptions s JOIN accounts a ON a.id = s.account_id"
          "  WHERE s.plan_id = NEW.id AND s.status = 'active' AND a.kind = 'corporate')"
          " THEN RAISE EXCEPTION USING MESSAGE = 'corporate accounts renew annually: corporate"
          " accounts subscribe to this plan', ERRCODE = 'integrity_constraint_violation';"
          " END IF; RETURN NEW; END $$;"
          "CREATE TRIGGER plans_corporate_annual BEFORE UPDATE OF billing_period ON plans"
          "  FOR EACH ROW EXECUTE FUNCTION cobro_plan_made_not_annual();",

    [8] = "CREATE TRIGGER invoice_taxes_immutable BEFORE UPDATE ON invoice_taxes"
          "  FOR EACH ROW " REFUSE "('an issued invoice cannot change');"
          "CREATE TRIGGER invoice_taxes_kept BEFORE DELETE ON invoice_taxes"
          "  FOR EACH ROW " REFUSE "('an issued invoice cannot be deleted');"
          "CREATE TRIGGER invoice_taxes_not_truncated BEFORE TRUNCATE ON invoice_taxes"
          "  FOR EACH STATEMENT " REFUSE "('an issued invoice cannot be deleted');",
    /* Quotes: the same refusals as SQLite's triggers (the conditions move into functions). */
    [11] = "CREATE FUNCTION cobro_quote_sent_unchanged() RETURNS trigger LANGUAGE plpgsql AS $$"
           " BEGIN IF OLD.state <> 'draft' AND (ROW(NEW.id, NEW.account_id, NEW.series, NEW.seq,"
           "  NEW.revision, NEW.number, NEW.base_number, NEW.revises_id, NEW.sales_rep_id,"
           "  NEW.created_by, NEW.currency, NEW.lang, NEW.effective_date, NEW.valid_until,"
           "  NEW.term_start, NEW.term_end, NEW.payment_terms_days, NEW.customer_note,"
           "  NEW.tax_mode, NEW.tax_name, NEW.tax_rate_ppm, NEW.due_subtotal, NEW.due_tax,"
           "  NEW.due_total, NEW.renewal_subtotal, NEW.renewal_tax, NEW.renewal_total,"
           "  NEW.created_at) IS DISTINCT FROM ROW(OLD.id, OLD.account_id, OLD.series, OLD.seq,"
           "  OLD.revision, OLD.number, OLD.base_number, OLD.revises_id, OLD.sales_rep_id,"
           "  OLD.created_by, OLD.currency, OLD.lang, OLD.effective_date, OLD.valid_until,"
           "  OLD.term_start, OLD.term_end, OLD.payment_terms_days, OLD.customer_note,"
           "  OLD.tax_mode, OLD.tax_name, OLD.tax_rate_ppm, OLD.due_subtotal, OLD.due_tax,"
           "  OLD.due_total, OLD.renewal_subtotal, OLD.renewal_tax, OLD.renewal_total,"
           "  OLD.created_at)) THEN RAISE EXCEPTION USING MESSAGE = 'a sent quote cannot change',"
           "  ERRCODE = 'integrity_constraint_violation'; END IF; RETURN NEW; END $$;"
           "CREATE TRIGGER quotes_sent_immutable BEFORE UPDATE ON quotes"
           "  FOR EACH ROW EXECUTE FUNCTION cobro_quote_sent_unchanged();"
           "CREATE FUNCTION cobro_quote_decided_kept() RETURNS trigger LANGUAGE plpgsql AS $$"
           " BEGIN IF OLD.state NOT IN ('draft', 'sent') AND NEW.state <> OLD.state THEN"
           "  RAISE EXCEPTION USING MESSAGE = 'a decided quote cannot change',"
           "  ERRCODE = 'integrity_constraint_violation'; END IF; RETURN NEW; END $$;"
           "CREATE TRIGGER quotes_decided_kept BEFORE UPDATE OF state ON quotes"
           "  FOR EACH ROW EXECUTE FUNCTION cobro_quote_decided_kept();"
           "CREATE TRIGGER quotes_kept BEFORE DELETE ON quotes"
           "  FOR EACH ROW " REFUSE "('a quote cannot be deleted');"
           "CREATE TRIGGER quotes_not_truncated BEFORE TRUNCATE ON quotes"
           "  FOR EACH STATEMENT " REFUSE "('a quote cannot be deleted');"
           "CREATE FUNCTION cobro_quote_lines_frozen() RETURNS trigger LANGUAGE plpgsql AS $$"
           " BEGIN IF (SELECT state FROM quotes WHERE id = CASE WHEN TG_OP = 'INSERT'"
           "  THEN NEW.quote_id ELSE OLD.quote_id END) <> 'draft' THEN"
           "  RAISE EXCEPTION USING MESSAGE = 'a sent quote cannot change',"
           "  ERRCODE = 'integrity_constraint_violation'; END IF;"
           " IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$;"
           "CREATE TRIGGER quote_lines_added_frozen BEFORE INSERT ON quote_lines"
           "  FOR EACH ROW EXECUTE FUNCTION cobro_quote_lines_frozen();"
           "CREATE TRIGGER quote_lines_frozen BEFORE UPDATE ON quote_lines"
           "  FOR EACH ROW EXECUTE FUNCTION cobro_quote_lines_frozen();"
           "CREATE TRIGGER quote_lines_removed_frozen BEFORE DELETE ON quote_lines"
           "  FOR EACH ROW EXECUTE FUNCTION cobro_quote_lines_frozen();",
    /* Payments: the same refusals as SQLite's triggers. */
    [12] = "CREATE FUNCTION cobro_invoice_paid_within_total() RETURNS trigger LANGUAGE plpgsql"
           " AS $$ BEGIN IF NEW.amount_paid < 0 OR NEW.amount_paid > NEW.total THEN"
           "  RAISE EXCEPTION USING MESSAGE = 'an invoice cannot be paid beyond its total',"
           "  ERRCODE = 'integrity_constraint_violation'; END IF; RETURN NEW; END $$;"
           "CREATE TRIGGER invoices_paid_within_total BEFORE UPDATE OF amount_paid ON invoices"
           "  FOR EACH ROW EXECUTE FUNCTION cobro_invoice_paid_within_total();"
           "CREATE TRIGGER payment_allocations_immutable BEFORE UPDATE ON payment_allocations"
           "  FOR EACH ROW " REFUSE "('a payment allocation cannot change');"
           "CREATE TRIGGER payment_allocations_kept BEFORE DELETE ON payment_allocations"
           "  FOR EACH ROW " REFUSE "('a payment allocation cannot be deleted');"
           "CREATE TRIGGER payment_allocations_not_truncated BEFORE TRUNCATE ON"
           "  payment_allocations FOR EACH STATEMENT " REFUSE
           "('a payment allocation cannot be deleted');"
           "CREATE FUNCTION cobro_payment_fixed() RETURNS trigger LANGUAGE plpgsql AS $$"
           " BEGIN IF ROW(NEW.account_id, NEW.invoice_id, NEW.method, NEW.source, NEW.gateway,"
           "  NEW.amount, NEW.currency, NEW.created_at) IS DISTINCT FROM"
           "  ROW(OLD.account_id, OLD.invoice_id, OLD.method, OLD.source, OLD.gateway,"
           "  OLD.amount, OLD.currency, OLD.created_at) THEN"
           "  RAISE EXCEPTION USING MESSAGE = 'a payment''s amount and account cannot change',"
           "  ERRCODE = 'integrity_constraint_violation'; END IF; RETURN NEW; END $$;"
           "CREATE TRIGGER payments_fixed BEFORE UPDATE ON payments"
           "  FOR EACH ROW EXECUTE FUNCTION cobro_payment_fixed();"
           "CREATE FUNCTION cobro_payment_settled_kept() RETURNS trigger LANGUAGE plpgsql AS $$"
           " BEGIN IF (OLD.state = 'succeeded' AND NEW.state NOT IN ('succeeded', 'reversed'))"
           "  OR (OLD.state = 'reversed' AND NEW.state <> 'reversed') THEN"
           "  RAISE EXCEPTION USING MESSAGE = 'a settled payment cannot change state',"
           "  ERRCODE = 'integrity_constraint_violation'; END IF; RETURN NEW; END $$;"
           "CREATE TRIGGER payments_settled_kept BEFORE UPDATE OF state ON payments"
           "  FOR EACH ROW EXECUTE FUNCTION cobro_payment_settled_kept();"
           "CREATE TRIGGER payments_kept BEFORE DELETE ON payments"
           "  FOR EACH ROW " REFUSE "('a payment cannot be deleted');"
           "CREATE TRIGGER payments_not_truncated BEFORE TRUNCATE ON payments"
           "  FOR EACH STATEMENT " REFUSE "('a payment cannot be deleted');"
           "CREATE TRIGGER refunds_kept BEFORE DELETE ON refunds"
           "  FOR EACH ROW " REFUSE "('a refund cannot be deleted');",
    [13] = "CREATE TRIGGER payments_purpose_fixed BEFORE UPDATE OF change_id, attempt ON payments"
           "  FOR EACH ROW " REFUSE "('a payment''s purpose cannot change');",
};

/* What PostgreSQL runs before a migration's shared part, in place of what SQLite's side does
 * that it cannot (migration_sql_shared): 13 rebuilds invoice_lines on SQLite, where PostgreSQL
 * adds the columns and drops the UNIQUE by its name. */
static const char *const pg_prelude[] = {
    [13] =
        "ALTER TABLE invoice_lines ADD COLUMN kind TEXT NOT NULL DEFAULT 'period'"
        "  CHECK (kind IN ('period', 'change'));"
        "ALTER TABLE invoice_lines ADD COLUMN from_seats BIGINT NOT NULL DEFAULT 0"
        "  CHECK (from_seats >= 0);"
        "ALTER TABLE invoice_lines ADD COLUMN from_period TEXT NOT NULL DEFAULT '';"
        "ALTER TABLE invoice_lines ADD COLUMN credit BIGINT NOT NULL DEFAULT 0"
        "  CHECK (credit >= 0);"
        "ALTER TABLE invoice_lines DROP CONSTRAINT invoice_lines_subscription_id_period_start_key;",
};

/* ---- the translation ------------------------------------------------------------------ */

static bool is_word_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* The word starting at p equals w (case-insensitively) and ends there. */
static bool word_is(const char *p, const char *w)
{
    size_t n = strlen(w);
    return strncasecmp(p, w, n) == 0 && !is_word_char(p[n]);
}

static const char *skip_space(const char *p)
{
    while (isspace((unsigned char)*p))
        p++;
    return p;
}

/* Past a SQLite trigger, from CREATE TRIGGER to its END and ';' (its body is RAISE statements,
 * whose quoted messages are skipped whole). */
static const char *past_trigger(const char *p)
{
    while (*p) {
        if (*p == '\'') {
            for (p++; *p && !(*p == '\'' && p[1] != '\''); p += *p == '\'' ? 2 : 1) {
            }
            if (*p) p++;
            continue;
        }
        if (word_is(p, "END") && !is_word_char(p[-1])) { /* p is past CREATE here */
            p = skip_space(p + 3);
            return *p == ';' ? p + 1 : p;
        }
        p++;
    }
    return p;
}

/* The rules, applied outside quoted strings:
 *   INTEGER PRIMARY KEY -> BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY
 *   INTEGER             -> BIGINT (SQLite's integers are 64-bit)
 *   ) STRICT            -> )      (PostgreSQL's columns are always strictly typed)
 *   CREATE TRIGGER ... END;  dropped (pg_triggers has them) */
static void translate(buf_t *out, const char *p)
{
    while (*p) {
        if (*p == '\'') { /* a string literal, copied whole ('' inside is a quote) */
            const char *start = p++;
            while (*p && !(*p == '\'' && p[1] != '\''))
                p += *p == '\'' ? 2 : 1;
            if (*p) p++;
            buf_append(out, start, (size_t)(p - start));
            continue;
        }
        bool at_word =
            is_word_char(*p) && (out->len == 0 || !is_word_char(out->data[out->len - 1]));
        if (at_word && word_is(p, "CREATE") && word_is(skip_space(p + 6), "TRIGGER")) {
            p = past_trigger(p);
            continue;
        }
        if (at_word && word_is(p, "INTEGER")) {
            const char *q = skip_space(p + 7);
            if (word_is(q, "PRIMARY") && word_is(skip_space(q + 7), "KEY")) {
                static const char identity[] =
                    "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY";
                buf_append(out, identity, sizeof identity - 1);
                p = skip_space(q + 7) + 3;
            } else {
                buf_append(out, "BIGINT", 6);
                p += 7;
            }
            continue;
        }
        if (*p == ')' && word_is(skip_space(p + 1), "STRICT")) {
            buf_append(out, ")", 1);
            p = skip_space(p + 1) + 6;
            continue;
        }
        if (is_word_char(*p)) { /* a whole word, so that its tail is never taken for one */
            const char *start = p;
            while (is_word_char(*p))
                p++;
            buf_append(out, start, (size_t)(p - start));
            continue;
        }
        buf_append(out, p, 1);
        p++;
    }
}

char *migration_sql_postgresql(arena_t *a, int version)
{
    const char *sqlite = migration_sql_shared(version);
    if (!sqlite) return NULL;
    buf_t out;
    buf_init_cap(&out, a, strlen(sqlite) + 1024);
    int n_prelude = (int)(sizeof pg_prelude / sizeof pg_prelude[0]);
    if (version < n_prelude && pg_prelude[version]) buf_puts(&out, pg_prelude[version]);
    translate(&out, sqlite);
    int n_extra = (int)(sizeof pg_triggers / sizeof pg_triggers[0]);
    if (version < n_extra && pg_triggers[version]) buf_puts(&out, pg_triggers[version]);
    return out.data;
}
