/* The balance views: invoice states as people read them, account balances, payments received. */
#include "services/payment_views.h"
#include "service_tx.h"
#include "services/payments.h"
#include "services/quotes.h"
#include "services/services_internal.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

const char *const shown_state_names[SHOWN_COUNT] = {
    [SHOWN_OPEN] = "open", [SHOWN_PARTIALLY_PAID] = "partially_paid",
    [SHOWN_PAID] = "paid", [SHOWN_OVERDUE] = "overdue",
    [SHOWN_VOID] = "void",
};

const char *invoice_shown_state(const char *status, int64_t total, int64_t amount_paid,
                                const char *due_date, const char *today)
{
    return shown_state_names[invoice_shown(status, total, amount_paid, due_date, today)];
}

/* The vendor's time zone and today, kept for the minute they were read in (per services: tests
 * run several in one process). The zone is a setting staff rarely change: a change shows within
 * a minute, and the Invoice History page spares a query on every request. */
static struct {
    pthread_mutex_t lock;
    const services_t *svc;
    int64_t minute;
    char zone[64];
    char today[11];
} today_cache = {.lock = PTHREAD_MUTEX_INITIALIZER, .minute = -1};

/* The zone as of now (out: "UTC" when unset), and today when asked. */
static void zone_at(services_t *svc, int64_t now, char zone[64], char today[11])
{
    int64_t minute = now / 60;
    pthread_mutex_lock(&today_cache.lock);
    bool hit = today_cache.svc == svc && today_cache.minute == minute;
    if (hit) {
        memcpy(zone, today_cache.zone, 64);
        if (today) memcpy(today, today_cache.today, 11);
    }
    pthread_mutex_unlock(&today_cache.lock);
    if (hit) return;
    arena_t *a = arena_new();
    char *z = NULL;
    if (!a || store_setting(svc->store, a, "time_zone", &z) != STORE_OK || !z || !*z ||
        strlen(z) >= 64)
        z = "UTC";
    snprintf(zone, 64, "%s", z);
    arena_free(a);
    char t[11];
    vendor_today(zone, now, t);
    if (today) memcpy(today, t, 11);
    pthread_mutex_lock(&today_cache.lock);
    today_cache.svc = svc;
    today_cache.minute = minute;
    memcpy(today_cache.zone, zone, 64);
    memcpy(today_cache.today, t, 11);
    pthread_mutex_unlock(&today_cache.lock);
}

void balances_today(services_t *svc, int64_t now, char out[11])
{
    char zone[64];
    zone_at(svc, now, zone, out);
}

void balances_day(services_t *svc, int64_t now, int64_t when, char out[11])
{
    char zone[64];
    zone_at(svc, now, zone, NULL);
    vendor_today(zone, when, out);
}

status_t account_balances(services_t *svc, arena_t *a, int64_t account_id,
                          const char *account_currency, int64_t now, balance_view_t **out,
                          size_t *n)
{
    *out = NULL;
    *n = 0;
    char today[11];
    balances_today(svc, now, today);
    account_balance_t *rows = NULL;
    size_t n_rows = 0;
    status_t st = outcome(store_account_balances(svc->store, a, account_id, today, &rows, &n_rows),
                          REFUSED_NONE);
    if (st != STATUS_OK) return st;
    /* The account's own currency first, then any other its invoices are in. */
    balance_view_t *v = arena_alloc(a, sizeof *v * (n_rows + 1));
    size_t k = 0;
    v[k++] = (balance_view_t){.currency = account_currency};
    for (size_t i = 0; i < n_rows; i++) {
        balance_view_t *to = &v[0];
        if (strcmp(rows[i].currency, account_currency) != 0) {
            to = &v[k++];
            *to = (balance_view_t){.currency = rows[i].currency};
        }
        to->outstanding = rows[i].outstanding;
        to->overdue = rows[i].overdue;
    }
    for (size_t i = 0; i < k; i++) {
        st = account_credit(svc, account_id, v[i].currency, &v[i].credit);
        if (st != STATUS_OK) return st;
    }
    *out = v;
    *n = k;
    return STATUS_OK;
}

status_t invoice_fill_received(services_t *svc, arena_t *a, invoice_doc_t *inv, int64_t now)
{
    char today[11];
    balances_today(svc, now, today);
    inv->shown_state =
        invoice_shown_state(inv->status, inv->total, inv->amount_paid, inv->due_date, today);
    inv->received = NULL;
    inv->n_received = 0;
    invoice_applied_t *applied = NULL;
    size_t n_applied = 0;
    status_t st =
        outcome(store_invoice_applied(svc->store, a, inv->id, &applied, &n_applied), REFUSED_NONE);
    if (st != STATUS_OK || n_applied == 0) return st;
    payment_t *pays = NULL;
    size_t n_pays = 0;
    st = payments_list(svc, a, inv->account_id, inv->id, &pays, &n_pays);
    if (st != STATUS_OK) return st;
    invoice_received_t *rec = arena_alloc(a, sizeof *rec * n_applied);
    size_t k = 0;
    for (size_t i = 0; i < n_applied; i++) {
        const invoice_applied_t *ap = &applied[i];
        if (ap->amount <= 0) continue;
        invoice_received_t *r = &rec[k];
        memset(r, 0, sizeof *r);
        r->amount = ap->amount;
        r->card_brand = r->card_last4 = r->reference = "";
        const payment_t *p = NULL;
        for (size_t j = 0; ap->payment_id && j < n_pays; j++)
            if (pays[j].id == ap->payment_id) p = &pays[j];
        int64_t when = ap->created_at;
        if (!p) {
            /* Money the ledger put here without a payment: the account's credit. */
            if (ap->payment_id) continue;
            r->method = "credit";
        } else {
            /* Only money that arrived: a payment still in progress holds, it has not paid. */
            if (strcmp(p->state, "succeeded") != 0 && strcmp(p->state, "reversed") != 0) continue;
            r->method = p->method;
            r->card_brand = p->card_brand;
            r->card_last4 = p->card_last4;
            r->reference = p->reference;
            r->reversed = strcmp(p->state, "reversed") == 0;
            if (p->settled_at) when = p->settled_at;
        }
        char *day = arena_alloc(a, 11);
        if (p && p->received_date && *p->received_date) {
            strncpy(day, p->received_date, 10);
            day[10] = '\0';
        } else {
            balances_day(svc, now, when, day);
        }
        r->date = day;
        k++;
    }
    inv->received = rec;
    inv->n_received = k;
    return STATUS_OK;
}
