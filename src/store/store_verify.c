/* cobro verify's rules: the database's invariants, each a query for the rows that break it. */
#include "store_internal.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* A rule: its name, the query returning the rows that break it (ordered, so the report is
 * stable), and the words for one such row. A capability that adds tables (quotes, payments) adds
 * its rules to the table below and nothing else. The SQL is portable (db.h): SQLite 3.40 and
 * PostgreSQL 15 run it alike. */
typedef enum {
    NO_PARAM,
    LATEST_CLAIM, /* $1 and $2: verify_opts_t.latest_claim */
} verify_param_t;

typedef struct {
    const char *name;
    const char *sql;
    const char *types; /* as db_query takes them: "" or one 'i' per value of param */
    verify_param_t param;
    char *(*describe)(arena_t *a, db_stmt_t *st);
} verify_check_t;

/* A rule's SQL and its parameter types, spelt like a db_query call's arguments so that
 * tests/integration/test_sql_portability.py finds and prepares it on PostgreSQL too. */
#define VERIFY_SQL(sql, types) sql, types

static const char *text(db_stmt_t *st, int col)
{
    const char *t = db_text(st, col);
    return t ? t : "";
}

static long long num(db_stmt_t *st, int col)
{
    return (long long)db_int(st, col);
}

/* "2026-03-31T10:00:00Z" for an instant in Unix seconds (its number when out of range). */
static char *instant(arena_t *a, int64_t at)
{
    time_t t = (time_t)at;
    struct tm tm;
    char out[32];
    if (!gmtime_r(&t, &tm) || !strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%SZ", &tm))
        return arena_printf(a, "%lld", (long long)at);
    return arena_strdup(a, out);
}

/* ---- invoice numbers: gapless per series -------------------------------------------- */

/* Columns: series, seq, number, id, other number, other id. */
static char *seq_duplicate(arena_t *a, db_stmt_t *st)
{
    return arena_printf(a,
                        "series %s: number %lld issued twice: invoice %s (id %lld) and invoice %s"
                        " (id %lld)",
                        text(st, 0), num(st, 1), text(st, 2), num(st, 3), text(st, 4), num(st, 5));
}

/* Columns: number, id, seq. */
static char *seq_positive(arena_t *a, db_stmt_t *st)
{
    return arena_printf(a, "invoice %s (id %lld): sequence number %lld is not 1 or more",
                        text(st, 0), num(st, 1), num(st, 2));
}

/* Columns: series, seq, number, id, the seq before it (0: none). */
static char *seq_gap(arena_t *a, db_stmt_t *st)
{
    long long first = num(st, 4) + 1, last = num(st, 1) - 1;
    if (first == last)
        return arena_printf(a, "series %s: number %lld missing before invoice %s (id %lld)",
                            text(st, 0), first, text(st, 2), num(st, 3));
    return arena_printf(a, "series %s: numbers %lld to %lld missing before invoice %s (id %lld)",
                        text(st, 0), first, last, text(st, 2), num(st, 3));
}

/* Columns: series, counter (NULL: no row), highest seq issued. */
static char *series_counter(arena_t *a, db_stmt_t *st)
{
    if (db_is_null(st, 1))
        return arena_printf(a, "series %s: no counter row, but invoices are numbered up to %lld",
                            text(st, 0), num(st, 2));
    return arena_printf(a, "series %s: counter says %lld, highest number issued is %lld",
                        text(st, 0), num(st, 1), num(st, 2));
}

/* Columns: number, id, series, seq, the number text they make. */
static char *number_text(arena_t *a, db_stmt_t *st)
{
    return arena_printf(a, "invoice %s (id %lld): series %s and number %lld make %s, not %s",
                        text(st, 0), num(st, 1), text(st, 2), num(st, 3), text(st, 4), text(st, 0));
}

/* Columns: number, id, series, issue date. */
static char *series_year(arena_t *a, db_stmt_t *st)
{
    return arena_printf(a, "invoice %s (id %lld): series %s does not match its issue date %s",
                        text(st, 0), num(st, 1), text(st, 2), text(st, 3));
}

/* ---- each subscription period invoiced once ------------------------------------------ */

/* Columns: subscription, start, end, number, id; the other line's start, end, number, id. */
static char *period_twice(arena_t *a, db_stmt_t *st)
{
    if (strcmp(text(st, 1), text(st, 5)) == 0 && strcmp(text(st, 2), text(st, 6)) == 0)
        return arena_printf(a,
                            "subscription %lld: period %s to %s invoiced twice: invoice %s (id"
                            " %lld) and invoice %s (id %lld)",
                            num(st, 0), text(st, 1), text(st, 2), text(st, 3), num(st, 4),
                            text(st, 7), num(st, 8));
    return arena_printf(a,
                        "subscription %lld: period %s to %s in invoice %s (id %lld) overlaps"
                        " period %s to %s in invoice %s (id %lld)",
                        num(st, 0), text(st, 1), text(st, 2), text(st, 3), num(st, 4), text(st, 5),
                        text(st, 6), text(st, 7), num(st, 8));
}

/* Columns: number, id, line position, subscription, its account, the invoice's account. */
static char *line_account(arena_t *a, db_stmt_t *st)
{
    return arena_printf(a,
                        "invoice %s (id %lld): line %lld bills subscription %lld of account %lld,"
                        " not of the invoice's account %lld",
                        text(st, 0), num(st, 1), num(st, 2), num(st, 3), num(st, 4), num(st, 5));
}

/* ---- amounts: lines + tax = total ----------------------------------------------------- */

/* Columns: number, id, tax mode, line amount, amount of the line's mode, position. */
static char *line_amount(arena_t *a, db_stmt_t *st)
{
    return arena_printf(a, "invoice %s (id %lld): line %lld: its price %lld != %s %lld",
                        text(st, 0), num(st, 1), num(st, 5), num(st, 4),
                        strcmp(text(st, 2), "inclusive") == 0 ? "gross" : "net", num(st, 3));
}

/* Columns: number, id, tax mode, lines (net, or gross when inclusive), tax, total, stored
 * subtotal, stored tax. */
static char *invoice_total(arena_t *a, db_stmt_t *st)
{
    long long lines = num(st, 3), tax = num(st, 4), total = num(st, 5);
    bool inclusive = strcmp(text(st, 2), "inclusive") == 0;
    if (inclusive && lines != total)
        return arena_printf(a, "invoice %s (id %lld): lines %lld (tax %lld included) != total %lld",
                            text(st, 0), num(st, 1), lines, tax, total);
    if (!inclusive && lines + tax != total)
        return arena_printf(a, "invoice %s (id %lld): lines %lld + tax %lld != total %lld",
                            text(st, 0), num(st, 1), lines, tax, total);
    return arena_printf(a,
                        "invoice %s (id %lld): stored subtotal %lld and tax %lld differ from lines"
                        " %lld and tax %lld",
                        text(st, 0), num(st, 1), num(st, 6), num(st, 7),
                        inclusive ? lines - tax : lines, tax);
}

/* Columns: number, id, rate, taxable base, tax, tax mode, lines at that rate. */
static char *tax_rate(arena_t *a, db_stmt_t *st)
{
    if (strcmp(text(st, 5), "inclusive") == 0)
        return arena_printf(a,
                            "invoice %s (id %lld): rate %lld ppm: lines %lld != base %lld + tax"
                            " %lld",
                            text(st, 0), num(st, 1), num(st, 2), num(st, 6), num(st, 3),
                            num(st, 4));
    return arena_printf(a, "invoice %s (id %lld): rate %lld ppm: lines %lld != base %lld",
                        text(st, 0), num(st, 1), num(st, 2), num(st, 6), num(st, 3));
}

/* Columns: number, id, line position, rate. */
static char *line_rate(arena_t *a, db_stmt_t *st)
{
    return arena_printf(a, "invoice %s (id %lld): line %lld: rate %lld ppm has no tax row",
                        text(st, 0), num(st, 1), num(st, 2), num(st, 3));
}

/* ---- quotes ---------------------------------------------------------------------------- */

/* Columns: series, seq, number, id, the seq before it (0: none). */
static char *quote_seq_gap(arena_t *a, db_stmt_t *st)
{
    return arena_printf(a,
                        "quote series %s: numbers %lld to %lld missing before quote %s (id %lld)",
                        text(st, 0), num(st, 4) + 1, num(st, 1) - 1, text(st, 2), num(st, 3));
}

/* Columns: series, counter, highest seq. */
static char *quote_series_counter(arena_t *a, db_stmt_t *st)
{
    return arena_printf(a, "quote series %s: counter says %lld, highest number issued is %lld",
                        text(st, 0), num(st, 1), num(st, 2));
}

/* Columns: number, id, due total, invoice id (NULL: none), invoice number, invoice total. */
/* Columns: invoice id, number, amount_paid, total, the sum of its ledger rows. */
static char *invoice_paid(arena_t *a, db_stmt_t *st)
{
    return arena_printf(a,
                        "invoice %s (id %lld): amount paid %lld, but its payments add up to %lld"
                        " (total %lld)",
                        text(st, 1), num(st, 0), num(st, 2), num(st, 4), num(st, 3));
}

/* Columns: payment id, state, amount, the sum of its ledger rows. */
static char *payment_allocated(arena_t *a, db_stmt_t *st)
{
    return arena_printf(a, "payment %lld (%s, amount %lld): its ledger rows add up to %lld",
                        num(st, 0), text(st, 1), num(st, 2), num(st, 3));
}

/* Columns: account id, currency, credit. */
static char *credit_negative(arena_t *a, db_stmt_t *st)
{
    return arena_printf(a, "account %lld: credit in %s is %lld", num(st, 0), text(st, 1),
                        num(st, 2));
}

static char *quote_invoice(arena_t *a, db_stmt_t *st)
{
    if (db_is_null(st, 3))
        return arena_printf(a, "quote %s (id %lld): accepted with %lld due, but no invoice",
                            text(st, 0), num(st, 1), num(st, 2));
    return arena_printf(a, "quote %s (id %lld): accepted with %lld due, invoice %s is for %lld",
                        text(st, 0), num(st, 1), num(st, 2), text(st, 4), num(st, 5));
}

/* Columns: number, id, base number. */
static char *quote_live_twice(arena_t *a, db_stmt_t *st)
{
    return arena_printf(a, "quote %s (id %lld): accepted, but so is another revision of %s",
                        text(st, 0), num(st, 1), text(st, 2));
}

/* ---- the outbox ------------------------------------------------------------------------ */

/* The kinds of email cobro queues: one more kind means one more name here. */
#define OUTBOX_KINDS                                                                               \
    "('invoice', 'password_reset', 'billing_admin_contact', 'billing_contact_changed',"            \
    " 'purchase_order_expiring', 'quote', 'quote_decided', 'payment_receipt',"                     \
    " 'payment_refund', 'autopay_failed', 'dunning', 'renewal_no_card')"

/* Columns: id, kind. */
static char *outbox_kind(arena_t *a, db_stmt_t *st)
{
    return arena_printf(a, "email %lld: unknown kind '%s'", num(st, 0), text(st, 1));
}

/* Columns: id, kind, invoice id (NULL: none), account (NULL: none), the invoice's id (NULL: no
 * such invoice), its number, its account. */
static char *outbox_invoice(arena_t *a, db_stmt_t *st)
{
    long long id = num(st, 0);
    if (strcmp(text(st, 1), "invoice") != 0)
        return arena_printf(a, "email %lld (%s): names invoice %lld but is not an invoice email",
                            id, text(st, 1), num(st, 2));
    if (db_is_null(st, 2)) return arena_printf(a, "email %lld (invoice): names no invoice", id);
    if (db_is_null(st, 4))
        return arena_printf(a, "email %lld (invoice): invoice %lld does not exist", id, num(st, 2));
    if (db_is_null(st, 3))
        return arena_printf(a,
                            "email %lld (invoice): no account, but invoice %s (id %lld) belongs to"
                            " account %lld",
                            id, text(st, 5), num(st, 4), num(st, 6));
    return arena_printf(a,
                        "email %lld (invoice): for account %lld, but invoice %s (id %lld) belongs"
                        " to account %lld",
                        id, num(st, 3), text(st, 5), num(st, 4), num(st, 6));
}

/* Columns: id, sent at, failed at. */
static char *outbox_sent_failed(arena_t *a, db_stmt_t *st)
{
    return arena_printf(a, "email %lld: both sent (%s) and failed (%s)", num(st, 0),
                        instant(a, db_int(st, 1)), instant(a, db_int(st, 2)));
}

/* Columns: id, attempts, rejections. */
static char *outbox_counts(arena_t *a, db_stmt_t *st)
{
    long long attempts = num(st, 1), rejections = num(st, 2);
    if (attempts < 0) return arena_printf(a, "email %lld: attempts %lld < 0", num(st, 0), attempts);
    if (rejections < 0)
        return arena_printf(a, "email %lld: rejections %lld < 0", num(st, 0), rejections);
    return arena_printf(a, "email %lld: rejections %lld > attempts %lld", num(st, 0), rejections,
                        attempts);
}

/* Columns: id, claimed until, attempts, whether the claim outlasts any lease taken now. */
static char *outbox_claim(arena_t *a, db_stmt_t *st)
{
    long long until = num(st, 1);
    if (until < 0) return arena_printf(a, "email %lld: claimed_until %lld < 0", num(st, 0), until);
    if (num(st, 3))
        return arena_printf(a, "email %lld: claimed until %s, beyond the longest lease from now",
                            num(st, 0), instant(a, until));
    return arena_printf(a, "email %lld: claimed (until %s) but never attempted", num(st, 0),
                        instant(a, until));
}

static const verify_check_t checks[] = {
    {"invoice_seq_duplicate",
     VERIFY_SQL("SELECT a.series, a.seq, a.number, a.id, b.number, b.id FROM invoices a"
                " JOIN invoices b ON b.series = a.series AND b.seq = a.seq AND b.id > a.id"
                " ORDER BY a.series, a.seq, a.id, b.id",
                ""),
     NO_PARAM, seq_duplicate},
    {"invoice_seq_positive",
     VERIFY_SQL("SELECT number, id, seq FROM invoices WHERE seq < 1 ORDER BY id", ""), NO_PARAM,
     seq_positive},
    /* Each invoice whose number is not 1 and not right after another's marks a gap just before
     * it: one line per gap, whatever its length. */
    {"invoice_seq_gap",
     VERIFY_SQL(
         "SELECT i.series, i.seq, i.number, i.id, COALESCE((SELECT MAX(p.seq) FROM invoices p"
         " WHERE p.series = i.series AND p.seq < i.seq AND p.seq >= 1), 0) FROM invoices i"
         " WHERE i.seq > 1 AND NOT EXISTS (SELECT 1 FROM invoices p WHERE p.series = i.series"
         " AND p.seq = i.seq - 1) ORDER BY i.series, i.seq, i.id",
         ""),
     NO_PARAM, seq_gap},
    /* The next number comes from invoice_series.last_number: it must be the highest issued. */
    {"invoice_series_counter",
     VERIFY_SQL("SELECT c.series, c.last_number, COALESCE((SELECT MAX(i.seq) FROM invoices i"
                " WHERE i.series = c.series), 0) FROM invoice_series c"
                " WHERE c.last_number <> COALESCE((SELECT MAX(i.seq) FROM invoices i"
                " WHERE i.series = c.series), 0)"
                " UNION ALL SELECT i.series, NULL, MAX(i.seq) FROM invoices i WHERE NOT EXISTS"
                " (SELECT 1 FROM invoice_series c WHERE c.series = i.series) GROUP BY i.series"
                " ORDER BY 1",
                ""),
     NO_PARAM, series_counter},
    /* As invoice_number_of writes it: SERIES-NNNNNN, at least six digits. */
    {"invoice_number_text",
     VERIFY_SQL(
         "SELECT number, id, series, seq, t FROM (SELECT number, id, series, seq, series || '-' ||"
         " CASE WHEN seq < 1000000 THEN substr(CAST(1000000 + seq AS TEXT), 2)"
         " ELSE CAST(seq AS TEXT) END AS t FROM invoices WHERE seq >= 1) n WHERE number <> t"
         " ORDER BY id",
         ""),
     NO_PARAM, number_text},
    /* As invoice_series_of names it: INV- and the year of issue. */
    {"invoice_series_year",
     VERIFY_SQL("SELECT number, id, series, issue_date FROM invoices"
                " WHERE series <> 'INV-' || substr(issue_date, 1, 4) ORDER BY id",
                ""),
     NO_PARAM, series_year},
    /* Two period lines of one subscription whose periods share a day, identical or overlapping
     * (a change line charges part of a period already billed: that is what it is for). */
    {"subscription_period_twice",
     VERIFY_SQL(
         "SELECT a.subscription_id, a.period_start, a.period_end, ia.number, ia.id, b.period_start,"
         " b.period_end, ib.number, ib.id FROM invoice_lines a JOIN invoice_lines b"
         " ON b.subscription_id = a.subscription_id AND b.id > a.id AND a.kind = 'period'"
         " AND b.kind = 'period' AND b.period_start < a.period_end"
         " AND a.period_start < b.period_end"
         " JOIN invoices ia ON ia.id = a.invoice_id JOIN invoices ib ON ib.id = b.invoice_id"
         " ORDER BY a.subscription_id, a.id, b.id",
         ""),
     NO_PARAM, period_twice},
    {"invoice_line_account",
     VERIFY_SQL(
         "SELECT i.number, i.id, l.position, l.subscription_id, s.account_id, i.account_id"
         " FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id"
         " JOIN subscriptions s ON s.id = l.subscription_id WHERE s.account_id <> i.account_id"
         " ORDER BY i.id, l.position",
         ""),
     NO_PARAM, line_account},
    /* Exclusive tax: the price is the net; inclusive: the gross. A line a quote or a change
     * invoiced is (seats x unit - discount) x days / term_days, rounded half away from zero (the
     * amounts are never negative, so integer division of 2x + d by 2d rounds it), less the
     * credit a change gives for what the period had already been charged. */
    {"invoice_line_amount",
     VERIFY_SQL("SELECT i.number, i.id, i.tax_mode, CASE WHEN i.tax_mode = 'inclusive' THEN l.gross"
                " ELSE l.net END, CASE WHEN l.term_days > 0 THEN ((l.seats * l.unit_amount -"
                " l.discount) * l.days * 2 + l.term_days) / (2 * l.term_days) ELSE l.seats *"
                " l.unit_amount - l.discount END - l.credit, l.position FROM invoice_lines l"
                " JOIN invoices i ON i.id = l.invoice_id WHERE CASE WHEN i.tax_mode = 'inclusive'"
                " THEN l.gross ELSE l.net END <> CASE WHEN l.term_days > 0 THEN ((l.seats *"
                " l.unit_amount - l.discount) * l.days * 2 + l.term_days) / (2 * l.term_days)"
                " ELSE l.seats * l.unit_amount - l.discount END - l.credit"
                " ORDER BY i.id, l.position",
                ""),
     NO_PARAM, line_amount},
    /* The tax is the sum of the invoice's per-rate rows; invoices issued before those rows
     * existed (migration 8) have none and keep their stored tax_total. */
    {"invoice_total",
     VERIFY_SQL(
         "SELECT i.number, i.id, i.tax_mode, CASE WHEN i.tax_mode = 'inclusive'"
         " THEN COALESCE(l.gross, 0) ELSE COALESCE(l.net, 0) END, COALESCE(t.tax, i.tax_total),"
         " i.total, i.subtotal, i.tax_total FROM invoices i"
         " LEFT JOIN (SELECT invoice_id, SUM(net) AS net, SUM(gross) AS gross FROM invoice_lines"
         " GROUP BY invoice_id) l ON l.invoice_id = i.id"
         " LEFT JOIN (SELECT invoice_id, SUM(tax_amount) AS tax FROM invoice_taxes"
         " GROUP BY invoice_id) t ON t.invoice_id = i.id"
         " WHERE CASE WHEN i.tax_mode = 'inclusive' THEN COALESCE(l.gross, 0) <> i.total"
         " OR COALESCE(l.gross, 0) - COALESCE(t.tax, i.tax_total) <> i.subtotal"
         " ELSE COALESCE(l.net, 0) + COALESCE(t.tax, i.tax_total) <> i.total"
         " OR COALESCE(l.net, 0) <> i.subtotal END OR COALESCE(t.tax, i.tax_total) <> i.tax_total"
         " ORDER BY i.id",
         ""),
     NO_PARAM, invoice_total},
    /* Each per-rate row is its lines' sum at that rate, split once (BR-CO-17). */
    {"invoice_tax_rate",
     VERIFY_SQL("SELECT i.number, i.id, t.rate_ppm, t.taxable_base, t.tax_amount, i.tax_mode,"
                " CASE WHEN i.tax_mode = 'inclusive' THEN COALESCE(SUM(l.gross), 0)"
                " ELSE COALESCE(SUM(l.net), 0) END FROM invoice_taxes t JOIN invoices i"
                " ON i.id = t.invoice_id LEFT JOIN invoice_lines l ON l.invoice_id = t.invoice_id"
                " AND l.tax_rate_ppm = t.rate_ppm"
                " GROUP BY i.number, i.id, t.rate_ppm, t.taxable_base, t.tax_amount, i.tax_mode"
                " HAVING CASE WHEN i.tax_mode = 'inclusive'"
                " THEN COALESCE(SUM(l.gross), 0) <> t.taxable_base + t.tax_amount"
                " ELSE COALESCE(SUM(l.net), 0) <> t.taxable_base END ORDER BY i.id, t.rate_ppm",
                ""),
     NO_PARAM, tax_rate},
    {"invoice_line_rate",
     VERIFY_SQL(
         "SELECT i.number, i.id, l.position, l.tax_rate_ppm FROM invoice_lines l"
         " JOIN invoices i ON i.id = l.invoice_id WHERE EXISTS (SELECT 1 FROM invoice_taxes t"
         " WHERE t.invoice_id = l.invoice_id) AND NOT EXISTS (SELECT 1 FROM invoice_taxes t"
         " WHERE t.invoice_id = l.invoice_id AND t.rate_ppm = l.tax_rate_ppm)"
         " ORDER BY i.id, l.position",
         ""),
     NO_PARAM, line_rate},
    {"outbox_kind",
     VERIFY_SQL("SELECT id, kind FROM email_outbox WHERE kind NOT IN " OUTBOX_KINDS " ORDER BY id",
                ""),
     NO_PARAM, outbox_kind},
    /* An invoice email names an existing invoice of its own account; no other email names one. */
    {"outbox_invoice",
     VERIFY_SQL(
         "SELECT e.id, e.kind, e.invoice_id, e.account_id, i.id, i.number, i.account_id"
         " FROM email_outbox e LEFT JOIN invoices i ON i.id = e.invoice_id"
         " WHERE (e.kind = 'invoice' AND (i.id IS NULL OR e.account_id IS NULL"
         " OR e.account_id <> i.account_id)) OR (e.kind <> 'invoice' AND e.invoice_id IS NOT NULL)"
         " ORDER BY e.id",
         ""),
     NO_PARAM, outbox_invoice},
    {"outbox_sent_failed",
     VERIFY_SQL("SELECT id, sent_at, failed_at FROM email_outbox WHERE sent_at IS NOT NULL"
                " AND failed_at IS NOT NULL ORDER BY id",
                ""),
     NO_PARAM, outbox_sent_failed},
    /* A claim counts an attempt; a refusal is counted on an attempt and reset by a requeue. */
    {"outbox_attempts",
     VERIFY_SQL(
         "SELECT id, attempts, rejections FROM email_outbox WHERE attempts < 0 OR rejections < 0"
         " OR rejections > attempts ORDER BY id",
         ""),
     NO_PARAM, outbox_counts},
    {"outbox_claim",
     VERIFY_SQL("SELECT id, claimed_until, attempts, CASE WHEN claimed_until > $1 THEN 1 ELSE 0 END"
                " FROM email_outbox WHERE claimed_until < 0 OR claimed_until > $2 OR "
                "(claimed_until > 0 AND "
                "attempts = 0) ORDER BY id",
                "ii"),
     LATEST_CLAIM, outbox_claim},
    /* Quote numbers: gapless per series (revisions share their number), the counter the
     * highest, an accepted quote's invoice for exactly what it said was due, and one accepted
     * revision per number. */
    {"quote_seq_gap",
     VERIFY_SQL("SELECT q.series, q.seq, q.number, q.id, COALESCE((SELECT MAX(p.seq) FROM quotes p"
                " WHERE p.series = q.series AND p.seq < q.seq), 0) FROM quotes q"
                " WHERE q.seq > 1 AND q.revision = 1 AND NOT EXISTS (SELECT 1 FROM quotes p"
                " WHERE p.series = q.series AND p.seq = q.seq - 1) ORDER BY q.series, q.seq, q.id",
                ""),
     NO_PARAM, quote_seq_gap},
    {"quote_series_counter",
     VERIFY_SQL("SELECT c.series, c.last_number, COALESCE((SELECT MAX(q.seq) FROM quotes q"
                " WHERE q.series = c.series), 0) FROM quote_series c"
                " WHERE c.last_number <> COALESCE((SELECT MAX(q.seq) FROM quotes q"
                " WHERE q.series = c.series), 0) ORDER BY c.series",
                ""),
     NO_PARAM, quote_series_counter},
    {"quote_invoice",
     VERIFY_SQL("SELECT q.number, q.id, q.due_total, i.id, COALESCE(i.number, ''),"
                " COALESCE(i.total, 0) FROM quotes q LEFT JOIN invoices i ON i.id = q.invoice_id"
                " WHERE q.state = 'accepted' AND q.due_total > 0 AND (i.id IS NULL"
                " OR i.total <> q.due_total) ORDER BY q.id",
                ""),
     NO_PARAM, quote_invoice},
    {"quote_accepted_twice",
     VERIFY_SQL("SELECT q.number, q.id, q.base_number FROM quotes q WHERE q.state = 'accepted'"
                " AND EXISTS (SELECT 1 FROM quotes p WHERE p.base_number = q.base_number"
                " AND p.state = 'accepted' AND p.id < q.id) ORDER BY q.id",
                ""),
     NO_PARAM, quote_live_twice},
    /* Money in (docs/payments.md): an invoice's amount paid is what its ledger rows add up to,
     * from 0 to its total; a payment that succeeded is all in the ledger (to invoices or
     * credit, less refunds), one that did not has nothing there (a reversed one nets to 0);
     * no account's credit is below zero. */
    {"invoice_paid",
     VERIFY_SQL("SELECT i.id, i.number, i.amount_paid, i.total, COALESCE((SELECT SUM(l.amount)"
                " FROM payment_allocations l WHERE l.invoice_id = i.id), 0) FROM invoices i"
                " WHERE i.amount_paid < 0 OR i.amount_paid > i.total OR i.amount_paid <>"
                " COALESCE((SELECT SUM(l.amount) FROM payment_allocations l"
                " WHERE l.invoice_id = i.id), 0) ORDER BY i.id",
                ""),
     NO_PARAM, invoice_paid},
    {"payment_allocated",
     VERIFY_SQL(
         "SELECT p.id, p.state, p.amount, COALESCE((SELECT SUM(l.amount)"
         " FROM payment_allocations l WHERE l.payment_id = p.id), 0) FROM payments p"
         " WHERE COALESCE((SELECT SUM(l.amount) FROM payment_allocations l"
         " WHERE l.payment_id = p.id), 0) <> CASE WHEN p.state = 'succeeded' THEN"
         " p.amount - COALESCE((SELECT SUM(r.amount) FROM refunds r WHERE r.payment_id = p.id"
         " AND r.state = 'succeeded'), 0) ELSE 0 END ORDER BY p.id",
         ""),
     NO_PARAM, payment_allocated},
    {"credit_negative",
     VERIFY_SQL("SELECT account_id, currency, SUM(amount) FROM payment_allocations"
                " WHERE invoice_id IS NULL GROUP BY account_id, currency HAVING SUM(amount) < 0"
                " ORDER BY account_id, currency",
                ""),
     NO_PARAM, credit_negative},
};

const char *const *store_verify_checks(size_t *n)
{
    static const char *names[sizeof checks / sizeof checks[0]];
    *n = sizeof checks / sizeof checks[0];
    for (size_t i = 0; i < *n; i++)
        names[i] = checks[i].name;
    return names;
}

store_status_t store_verify(store_t *s, arena_t *a, const verify_opts_t *o, verify_finding_t **out,
                            size_t *n, int64_t *total)
{
    *out = NULL;
    *n = 0;
    *total = 0;
    size_t cap = 0;
    /* Through a pointer: test_sql_portability.py takes each rule's SQL at its VERIFY_SQL above,
     * and looks for a literal at every db_query it sees. */
    db_stmt_t *(*const query)(db_t *, const char *, const char *, ...) = db_query;
    for (size_t c = 0; c < sizeof checks / sizeof checks[0]; c++) {
        const verify_check_t *k = &checks[c];
        db_stmt_t *st = k->param == LATEST_CLAIM
                            ? query(s->db, k->sql, k->types, o->latest_claim, o->latest_claim)
                            : query(s->db, k->sql, NULL);
        if (!st) return STORE_ERROR;
        db_status_t r;
        while ((r = db_step(st)) == DB_ROW) {
            (*total)++;
            if (*n >= o->max_findings) continue;
            *out = arena_grow(a, *out, *n, &cap, sizeof **out, 16);
            (*out)[(*n)++] = (verify_finding_t){.check = k->name, .message = k->describe(a, st)};
        }
        if (r != DB_OK) return from_db(r);
    }
    return STORE_OK;
}
