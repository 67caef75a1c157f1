/* The bill run: renews due subscriptions, issues one invoice per account, queues its emails. */
#include "billing.h"
#include "store/store.h"
#include "billing/money.h"
#include "billing/tax.h"
#include "i18n/format.h"
#include "i18n/i18n.h"
#include "mail.h"
#include "services/purchase_orders.h"
#include "util/log.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

void invoice_series_of(date_t issue, char series[16])
{
    snprintf(series, 16, "INV-%04d", issue.y);
}

void invoice_number_of(const char *series, int64_t seq, char out[32])
{
    snprintf(out, 32, "%s-%06lld", series, (long long)seq);
}

/* The tax rates met so far in this run, so that a million lines do not ask the store a million
 * times. Rates do not change during a run. */
typedef struct {
    char key[80];
    int64_t rate;
} rate_entry_t;

/* What one batch reads once for all its accounts instead of once per account: a few queries
 * per batch rather than a few per account (on PostgreSQL each is a round trip to the server). */
typedef struct {
    account_texts_t *pos, *recipients; /* sorted by account id */
    size_t n_pos, n_recipients, next_po, next_recipient;
    due_subscription_t *due; /* by account id, then id */
    size_t n_due, next_due;
    invoice_doc_t *parties; /* by account id */
    size_t n_parties, next_party;
    int64_t *invoice_ids; /* reserved ids, one per claimed account (0: given at insert) */
    size_t next_invoice_id;
    int64_t seq_base, seq_used; /* numbers base+1 .. base+used are this batch's */
} batch_t;

typedef struct {
    store_t *s;
    const bill_run_opts_t *o;
    tax_mode_t mode;
    char at_text[11];
    char series[16];
    bill_run_stats_t *stats;
    batch_t *batch;
    rate_entry_t rates[64];
    int n_rates;
    char why[320]; /* why the last batch failed, for the log line that stops the run */
} run_t;

/* The rows of account_id in a sorted array, walking a cursor forward: accounts come in
 * increasing order within a batch. *count receives how many rows start at the result. */
static const account_texts_t *rows_of(const account_texts_t *rows, size_t n, size_t *cursor,
                                      int64_t account_id, size_t *count)
{
    while (*cursor < n && rows[*cursor].account_id < account_id)
        (*cursor)++;
    *count = 0;
    while (*cursor + *count < n && rows[*cursor + *count].account_id == account_id)
        (*count)++;
    return rows + *cursor;
}

static store_status_t rate_for(run_t *run, const char *country, const char *region, int64_t *rate)
{
    char key[80];
    snprintf(key, sizeof key, "%s/%s", country, region);
    for (int i = 0; i < run->n_rates; i++) {
        if (strcmp(run->rates[i].key, key) == 0) {
            *rate = run->rates[i].rate;
            return STORE_OK;
        }
    }
    store_status_t r = store_tax_rate(run->s, country, region, rate);
    if (r == STORE_OK && run->n_rates < 64) {
        memcpy(run->rates[run->n_rates].key, key, sizeof key);
        run->rates[run->n_rates++].rate = *rate;
    }
    return r;
}

/* The lines of one account's renewals; ends what must not renew. *n_lines counts the lines,
 * subs_of_line[i] names each line's subscription. */
static store_status_t collect_lines(run_t *run, arena_t *a, due_subscription_t *due, size_t n_due,
                                    invoice_line_t **lines, int64_t **subs_of_line, size_t *n_lines)
{
    size_t cap = n_due * 2 + 4;
    *lines = arena_alloc(a, cap * sizeof **lines);
    *subs_of_line = arena_alloc(a, cap * sizeof **subs_of_line);
    *n_lines = 0;
    for (size_t i = 0; i < n_due; i++) {
        due_subscription_t *d = &due[i];
        if (d->cancel_at_period_end || !d->auto_renew) {
            store_status_t r = store_subscription_end(
                run->s, d->id, d->cancel_at_period_end ? "cancelled" : "expired");
            if (r != STORE_OK) return r;
            run->stats->ended++;
            continue;
        }
        billing_period_t period;
        date_t start, end;
        if (!billing_period_parse(d->billing_period, &period) ||
            !date_parse(d->period_end, &start)) {
            log_error("subscription %lld: bad period '%s' / '%s'", (long long)d->id,
                      d->billing_period, d->period_end);
            return STORE_ERROR;
        }
        /* Catch up when runs were missed: every period that has begun by the run date is
         * billed, each as a line of its own, all in this one invoice (so a second run for the
         * same date finds nothing left). Ends only grow, so the loop ends. */
        for (;;) {
            end = period_end(start, period, d->anchor_day);
            if (*n_lines == cap) {
                cap *= 2;
                invoice_line_t *ml = arena_alloc(a, cap * sizeof *ml);
                int64_t *ms = arena_alloc(a, cap * sizeof *ms);
                memcpy(ml, *lines, *n_lines * sizeof *ml);
                memcpy(ms, *subs_of_line, *n_lines * sizeof *ms);
                *lines = ml;
                *subs_of_line = ms;
            }
            invoice_line_t *l = &(*lines)[*n_lines];
            (*subs_of_line)[*n_lines] = d->id;
            (*n_lines)++;
            l->product_name = d->product_name;
            l->billing_period = d->billing_period;
            l->period_start = arena_alloc(a, 11);
            l->period_end = arena_alloc(a, 11);
            date_format(start, l->period_start);
            date_format(end, l->period_end);
            l->seats = d->seats;
            l->unit_amount = d->unit_amount;
            if (date_cmp(end, run->o->at) > 0) break;
            start = end;
        }
        store_status_t r = store_subscription_renew(
            run->s, d->id, (*lines)[*n_lines - 1].period_start, (*lines)[*n_lines - 1].period_end,
            d->seats, d->unit_amount, d->plan_id);
        if (r != STORE_OK) return r;
        run->stats->renewed++;
    }
    return STORE_OK;
}

bool invoice_price_lines(arena_t *a, invoice_doc_t *inv, const int64_t *amounts, int64_t rate,
                         tax_mode_t mode)
{
    int64_t *rates = arena_alloc(a, (inv->n_lines + 1) * sizeof *rates);
    tax_subtotal_t *sub = arena_alloc(a, (inv->n_lines + 1) * sizeof *sub);
    for (size_t i = 0; i < inv->n_lines; i++) {
        invoice_line_t *l = &inv->lines[i];
        tax_split_t split;
        if (!tax_split(amounts[i], rate, mode, &split)) return false;
        rates[i] = rate;
        l->net = split.net;
        l->tax = split.tax;
        l->gross = split.gross;
        l->tax_rate_ppm = rate;
    }
    size_t n_sub = 0;
    tax_totals_t totals;
    if (!tax_totals(amounts, rates, inv->n_lines, mode, sub, &n_sub, &totals)) return false;
    inv->taxes = arena_alloc(a, (n_sub + 1) * sizeof *inv->taxes);
    inv->n_taxes = n_sub;
    for (size_t i = 0; i < n_sub; i++)
        inv->taxes[i] = (invoice_tax_t){.name = (char *)tax_scheme_name(inv->country),
                                        .rate_ppm = sub[i].rate_ppm,
                                        .base = sub[i].base,
                                        .tax = sub[i].tax};
    inv->subtotal = totals.subtotal;
    inv->tax_total = totals.tax_total;
    inv->total = totals.total;
    return true;
}

/* A renewal's lines are priced at seats x unit price. */
static bool price_lines(run_t *run, arena_t *a, invoice_doc_t *inv, int64_t rate)
{
    int64_t *amounts = arena_alloc(a, (inv->n_lines + 1) * sizeof *amounts);
    for (size_t i = 0; i < inv->n_lines; i++)
        if (!money_mul(inv->lines[i].seats, inv->lines[i].unit_amount, &amounts[i])) return false;
    return invoice_price_lines(a, inv, amounts, rate, run->mode);
}

email_t invoice_email(arena_t *a, const invoice_doc_t *inv, const char *to_name,
                      const char *to_addr, const char *vendor_name, const char *base_url)
{
    lang_t lang = lang_of(inv->lang);
    char total[64], due[64];
    format_money(lang, inv->country, inv->currency, inv->total, total, sizeof total);
    /* As the portal and the PDF say it: an invoice due on its issue date is due on receipt. */
    if (strcmp(inv->due_date, inv->issue_date) == 0)
        /* TRANSLATORS: after "Due date:" in the invoice email; the portal says "Due on receipt". */
        snprintf(due, sizeof due, "%s", tr(lang, "on receipt"));
    else
        format_date(lang, inv->country, inv->due_date, due, sizeof due);
    bool corporate = strcmp(inv->account_kind, "corporate") == 0;
    const char *vendor = vendor_name ? vendor_name : "";
    const char *body_fmt =
        corporate ? tr(lang, "Hello %s,\n\n"
                             "Your invoice %s from %s is attached as a PDF.\n\n"
                             "Total: %s\nDue date: %s\n\n"
                             "Your Corporate Billing Portal User ID is %s. Sign in at %s/corporate "
                             "to view and print your last 20 invoices.\n")
                  : tr(lang, "Hello %s,\n\n"
                             "Your invoice %s from %s is attached as a PDF.\n\n"
                             "Total: %s\nDue date: %s\n\n"
                             "Your billing administrator's login is %s. Sign in to the Billing "
                             "Center at %s/billing to see your invoices.\n");
    email_t m = {
        .kind = "invoice",
        .account_id = inv->account_id,
        .invoice_id = inv->id,
        .sender_ref = arena_printf(a, "invoice:%lld", (long long)inv->id),
        .to_addr = to_addr,
        .to_name = to_name,
        .subject = mail_text(a, tr(lang, "Invoice %s from %s"), inv->number, vendor),
        .body_text = mail_text(a, body_fmt, to_name, inv->number, vendor, total, due,
                               inv->portal_user_id, base_url ? base_url : ""),
    };
    /* The purchase order in force on the issue date goes on the invoice, its PDF and here. */
    if (*inv->po_number)
        m.body_text = arena_printf(a, "%s\n%s", m.body_text,
                                   mail_text(a, tr(lang, "Purchase order: %s\n"), inv->po_number));
    return m;
}

static store_status_t queue_email(run_t *run, arena_t *a, const invoice_doc_t *inv,
                                  const char *to_name, const char *to_addr)
{
    email_t m = invoice_email(a, inv, to_name, to_addr, run->o->vendor_name, run->o->base_url);
    store_status_t r = store_outbox_queue(run->s, &m, run->o->now);
    if (r == STORE_OK) run->stats->emails++;
    return r;
}

/* The billing contact and every invoice recipient, each address once. */
static store_status_t queue_emails(run_t *run, arena_t *a, const invoice_doc_t *inv)
{
    store_status_t r = STORE_OK;
    if (*inv->contact_email) r = queue_email(run, a, inv, inv->contact_name, inv->contact_email);
    batch_t *b = run->batch;
    size_t n = 0;
    const account_texts_t *rec =
        rows_of(b->recipients, b->n_recipients, &b->next_recipient, inv->account_id, &n);
    for (size_t i = 0; r == STORE_OK && i < n; i++) {
        if (strcasecmp(rec[i].b, inv->contact_email) == 0) continue;
        bool seen = false;
        for (size_t j = 0; j < i; j++)
            seen |= strcasecmp(rec[j].b, rec[i].b) == 0;
        if (!seen) r = queue_email(run, a, inv, rec[i].a, rec[i].b);
    }
    return r;
}

/* An account's invoice, worked out before the batch takes its numbers. */
typedef struct {
    invoice_doc_t inv;
    int64_t *subs_of_line;
} pending_invoice_t;

/* One account's renewal, the part that needs no invoice number: subscription periods renewed or
 * ended, and its invoice priced (*out; out->inv.n_lines is 0 when there is none to issue). */
static store_status_t renew_account(run_t *run, arena_t *a, int64_t account_id,
                                    pending_invoice_t *out)
{
    batch_t *b = run->batch;
    out->inv.n_lines = 0;
    while (b->next_due < b->n_due && b->due[b->next_due].account_id < account_id)
        b->next_due++;
    due_subscription_t *due = b->due + b->next_due;
    size_t n_due = 0;
    while (b->next_due + n_due < b->n_due && due[n_due].account_id == account_id)
        n_due++;
    if (n_due == 0) return STORE_OK; /* nothing due: another run got there first */
    while (b->next_party < b->n_parties && b->parties[b->next_party].account_id < account_id)
        b->next_party++;
    invoice_doc_t inv;
    memset(&inv, 0, sizeof inv);
    store_status_t r = STORE_NOT_FOUND;
    if (b->next_party < b->n_parties && b->parties[b->next_party].account_id == account_id) {
        inv = b->parties[b->next_party];
        r = STORE_OK;
    }
    int64_t rate = 0;
    if (r == STORE_OK) r = rate_for(run, inv.country, inv.region, &rate);
    if (r == STORE_NOT_FOUND) {
        /* Billing 0 % because an address names a region the tax table does not know would be
         * wrong and hard to undo: the account is left due, untouched, for the next run once its
         * address or the table is mended, and the run reports it. */
        log_error("bill run %s: account %lld skipped: no tax rate for region '%s' of country "
                  "'%s'; correct its address or the tax table, then run again",
                  run->at_text, (long long)account_id, inv.region, inv.country);
        run->stats->skipped++;
        return STORE_OK;
    }
    if (r != STORE_OK) return r;
    run->stats->accounts++;
    int64_t *subs_of_line = NULL;
    r = collect_lines(run, a, due, n_due, &inv.lines, &subs_of_line, &inv.n_lines);
    if (r != STORE_OK || inv.n_lines == 0) return r;
    if (!price_lines(run, a, &inv, rate)) {
        log_error("account %lld: invoice amounts overflow", (long long)account_id);
        return STORE_ERROR;
    }
    inv.status = "open";
    inv.tax_mode = (char *)tax_mode_name(run->mode);
    inv.issue_date = run->at_text;
    inv.due_date = arena_alloc(a, 11);
    bool corporate = strcmp(inv.account_kind, "corporate") == 0;
    date_format(date_add_days(run->o->at, corporate ? CORPORATE_NET_DAYS : 0), inv.due_date);
    size_t n_po = 0;
    const account_texts_t *po = rows_of(b->pos, b->n_pos, &b->next_po, account_id, &n_po);
    inv.po_number = n_po ? po->a : "";
    out->inv = inv;
    out->subs_of_line = subs_of_line;
    return STORE_OK;
}

/* The rest, once the batch holds the counter: the invoice's number, the invoice, its emails. */
static store_status_t issue_invoice(run_t *run, arena_t *a, pending_invoice_t *p)
{
    batch_t *b = run->batch;
    invoice_doc_t *inv = &p->inv;
    int64_t seq = b->seq_base + ++b->seq_used;
    inv->number = arena_alloc(a, 32);
    invoice_number_of(run->series, seq, inv->number);
    inv->id = b->invoice_ids[b->next_invoice_id++];
    store_status_t r =
        store_invoice_insert(run->s, inv, run->series, seq, p->subs_of_line, run->o->now, &inv->id);
    if (r == STORE_OK) r = queue_emails(run, a, inv);
    if (r == STORE_OK) {
        run->stats->invoices++;
        run->stats->lines += (int64_t)inv->n_lines;
    }
    return r;
}

/* Words for a failure of the store, noted at once: the rollback that follows replaces the
 * connection's last error. account_id is 0 for the batch's own reads and writes. */
static void note_failure(run_t *run, store_status_t r, int64_t account_id)
{
    char who[48] = "";
    if (account_id) snprintf(who, sizeof who, "account %lld: ", (long long)account_id);
    switch (r) {
    case STORE_CONFLICT:
        snprintf(run->why, sizeof run->why, "%sthe database refused a write: %s", who,
                 store_errmsg(run->s));
        break;
    case STORE_BUSY:
        snprintf(run->why, sizeof run->why, "%sthe database stayed locked by another writer: %s",
                 who, store_errmsg(run->s));
        break;
    case STORE_NOT_FOUND:
        snprintf(run->why, sizeof run->why, "%sa row the run had read was gone or had changed",
                 who);
        break;
    default: /* whoever returned STORE_ERROR has logged the details */
        snprintf(run->why, sizeof run->why, "%sa store error (logged above)", who);
        break;
    }
}

typedef struct {
    run_t *run;
    int64_t after; /* the batch claims due accounts with greater ids */
    int64_t *ids;  /* and names them here (BILL_RUN_BATCH at most) */
    size_t n;
    bill_run_stats_t before;  /* the counts before the batch: each run starts from them */
    store_status_t body_said; /* what the body's last run returned */
    bool noted;               /* and that run's failure is in run->why */
} batch_run_t;

/* One batch of accounts, run by store_run_tx: the body can run again (when the database was
 * busy), so the counts and the batch's reads start afresh each time. */
static store_status_t batch_body(store_t *s, void *arg)
{
    batch_run_t *br = arg;
    run_t *run = br->run;
    *run->stats = br->before;
    br->n = 0;
    arena_t *ba = arena_new();
    batch_t b = {0};
    run->batch = &b;
    int64_t failed_account = 0;
    /* The batch's accounts first, claimed: a concurrent run (a worker, another node) takes
     * others. Then every read the batch needs, a few queries in all, each account's renewals and
     * invoice worked out, and the renewals written; on PostgreSQL all of that runs beside other
     * batches (READ COMMITTED, the accounts' row locks keep them apart: store_bill_claim). Only
     * then the counter, taken until the commit (store_invoice_seq_take), so that the batches take
     * turns at the numbering alone: the invoices numbered, written with their lines, taxes and
     * emails. The writes are gathered (store_batch_begin) and deferred: on PostgreSQL they go to
     * the server as one statement per table, their answers read in one round trip by each flush
     * (and any failure there fails the batch, rolled back and run again like any other). */
    store_status_t r = store_batch_begin(s);
    if (r == STORE_OK)
        r = store_bill_claim(s, run->at_text, br->after, br->ids, BILL_RUN_BATCH, &br->n);
    const int64_t *ids = br->ids;
    size_t n = br->n;
    pending_invoice_t *pending = arena_alloc(ba, (n + 1) * sizeof *pending);
    size_t n_pending = 0;
    if (r == STORE_OK && n > 0) {
        int64_t first = ids[0], last = ids[n - 1];
        r = pos_in_force(s, ba, first, last, run->at_text, &b.pos, &b.n_pos);
        if (r == STORE_OK)
            r = store_recipients_between(s, ba, first, last, &b.recipients, &b.n_recipients);
        if (r == STORE_OK)
            r = store_due_subscriptions_between(s, ba, first, last, run->at_text, &b.due, &b.n_due);
        if (r == STORE_OK)
            r = store_invoice_parties_between(s, ba, first, last, run->at_text, &b.parties,
                                              &b.n_parties);
        b.invoice_ids = arena_alloc(ba, n * sizeof *b.invoice_ids);
        if (r == STORE_OK) r = store_invoice_ids_reserve(s, n, b.invoice_ids);
    }
    for (size_t i = 0; r == STORE_OK && i < n; i++) {
        r = renew_account(run, ba, ids[i], &pending[n_pending]);
        if (r != STORE_OK) failed_account = ids[i];
        if (r == STORE_OK && pending[n_pending].inv.n_lines) n_pending++;
    }
    /* The renewals written before the counter is taken, while other batches go on. */
    if (r == STORE_OK && n_pending) r = store_flush(s);
    if (r == STORE_OK && n_pending) r = store_batch_begin(s);
    if (r == STORE_OK && n_pending) r = store_invoice_seq_take(s, run->series, &b.seq_base);
    for (size_t i = 0; r == STORE_OK && i < n_pending; i++) {
        r = issue_invoice(run, ba, &pending[i]);
        if (r != STORE_OK) failed_account = pending[i].inv.account_id;
    }
    if (r == STORE_OK && b.seq_used)
        r = store_invoice_seq_set(s, run->series, b.seq_base + b.seq_used);
    if (r == STORE_OK) r = store_flush(s);
    run->batch = NULL;
    arena_free(ba);
    br->body_said = r;
    br->noted = r != STORE_OK;
    if (r != STORE_OK) note_failure(run, r, failed_account); /* before the rollback */
    return r;
}

/* One batch of accounts in one transaction; on a conflict with a concurrent run (another node)
 * the batch is rolled back and tried again, when the due query no longer sees what it did. */
static store_status_t run_batch(run_t *run, int64_t after, int64_t *ids, size_t *n)
{
    batch_run_t br = {.run = run, .after = after, .ids = ids, .before = *run->stats};
    store_status_t r = store_run_tx(run->s, STORE_TX_LOCKING, batch_body, &br);
    *n = br.n;
    if (r != STORE_OK) {
        /* Not the body's own failure: the transaction's begin or commit. */
        if (!br.noted || br.body_said != r) note_failure(run, r, 0);
        *run->stats = br.before;
    }
    return r;
}

bool bill_run(store_t *s, const bill_run_opts_t *opts, bill_run_stats_t *stats)
{
    memset(stats, 0, sizeof *stats);
    run_t run = {.s = s, .o = opts, .stats = stats};
    date_format(opts->at, run.at_text);
    if (opts->at.y > BILL_RUN_LAST_YEAR) {
        log_error("bill run for %s: run dates after %d-12-31 are not supported", run.at_text,
                  BILL_RUN_LAST_YEAR);
        return false;
    }
    if (!tax_mode_parse(opts->vendor_tax_mode ? opts->vendor_tax_mode : "exclusive", &run.mode)) {
        log_error("bill run: vendor tax mode '%s' is neither exclusive nor inclusive",
                  opts->vendor_tax_mode);
        return false;
    }
    invoice_series_of(opts->at, run.series);
    store_status_t r = store_bulk_mode(s);
    if (r != STORE_OK) {
        note_failure(&run, r, 0);
        log_error("bill run for %s did not start: %s", run.at_text, run.why);
        return false;
    }
    int64_t after = 0, ids[BILL_RUN_BATCH];
    for (;;) {
        size_t n = 0;
        /* store_run_tx has retried a busy database; a conflict with another node's run is
         * worth a few more tries of its own. */
        r = run_batch(&run, after, ids, &n);
        for (int attempt = 1; attempt < 5 && r == STORE_CONFLICT; attempt++)
            r = run_batch(&run, after, ids, &n);
        if (r != STORE_OK) {
            log_error("bill run for %s stopped after %lld invoices: %s", run.at_text,
                      (long long)stats->invoices, run.why);
            return false;
        }
        if (n == 0) return true; /* nothing due is left (another run may have billed it) */
        after = ids[n - 1];
        if (opts->on_batch) opts->on_batch(stats, opts->ctx);
    }
}

typedef struct {
    store_t *s;
    bill_run_opts_t opts;
    bill_run_stats_t stats;
    bool ok;
} worker_t;

static void *worker_main(void *arg)
{
    worker_t *w = arg;
    w->ok = bill_run(w->s, &w->opts, &w->stats);
    return NULL;
}

bool bill_run_workers(store_t *const *stores, int workers, const bill_run_opts_t *opts,
                      bill_run_stats_t *stats)
{
    memset(stats, 0, sizeof *stats);
    if (workers < 1) workers = 1;
    if (workers > BILL_RUN_MAX_WORKERS) workers = BILL_RUN_MAX_WORKERS;
    worker_t w[BILL_RUN_MAX_WORKERS] = {{0}};
    pthread_t threads[BILL_RUN_MAX_WORKERS];
    bool started[BILL_RUN_MAX_WORKERS] = {0};
    /* Worker 0 runs on the calling thread and alone calls on_batch (which is not made to be
     * called from several threads at once); the others on threads of their own, each with its
     * own connection. Each claims its batches (store_bill_claim), so none does another's work,
     * and a worker whose thread cannot start leaves its share to the others. */
    for (int i = 0; i < workers; i++) {
        w[i] = (worker_t){.s = stores[i], .opts = *opts};
        if (i > 0) w[i].opts.on_batch = NULL;
    }
    for (int i = 1; i < workers; i++)
        started[i] = pthread_create(&threads[i], NULL, worker_main, &w[i]) == 0;
    worker_main(&w[0]);
    bool ok = w[0].ok;
    for (int i = 0; i < workers; i++) {
        if (i > 0) {
            if (!started[i]) continue;
            pthread_join(threads[i], NULL);
            ok = ok && w[i].ok;
        }
        stats->accounts += w[i].stats.accounts;
        stats->invoices += w[i].stats.invoices;
        stats->lines += w[i].stats.lines;
        stats->renewed += w[i].stats.renewed;
        stats->ended += w[i].stats.ended;
        stats->emails += w[i].stats.emails;
        stats->skipped += w[i].stats.skipped;
    }
    return ok;
}
