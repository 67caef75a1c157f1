/* Issuing an invoice outside the bill run: numbering, writing, emailing (invoice_issue.h). */
#include "services/invoice_issue.h"

#include "billing/calendar.h"
#include "services/billing.h"
#include "services/quotes.h"

#include <stdio.h>
#include <strings.h>

char *setting_or(store_t *s, arena_t *a, const char *key, const char *fallback)
{
    char *v = NULL;
    return store_setting(s, a, key, &v) == STORE_OK && v && *v ? v : arena_strdup(a, fallback);
}

void vendor_today_of(store_t *s, arena_t *a, int64_t now, char out[11])
{
    vendor_today(setting_or(s, a, "time_zone", "UTC"), now, out);
}

store_status_t invoice_issue(store_t *s, arena_t *a, invoice_doc_t *inv,
                             const int64_t *subscription_ids, int64_t now)
{
    date_t issue;
    if (!date_parse(inv->issue_date, &issue)) return STORE_ERROR;
    char series[16], number[32];
    invoice_series_of(issue, series);
    int64_t seq = 0;
    store_status_t r = store_invoice_seq_next(s, series, &seq);
    if (r != STORE_OK) return r;
    invoice_number_of(series, seq, number);
    inv->number = arena_strdup(a, number);
    inv->id = 0;
    return store_invoice_insert(s, inv, series, seq, subscription_ids, now, &inv->id);
}

store_status_t invoice_queue_emails(store_t *s, arena_t *a, const invoice_doc_t *inv,
                                    const char *base_url, int64_t now)
{
    const char *vendor = setting_or(s, a, "vendor_name", "Vendor, Inc.");
    recipient_row_t *rec = NULL;
    size_t n = 0;
    store_status_t r = store_recipients_of(s, a, inv->account_id, &rec, &n);
    int64_t id = 0;
    if (r == STORE_OK && *inv->contact_email) {
        email_t m = invoice_email(a, inv, inv->contact_name, inv->contact_email, vendor, base_url);
        r = store_outbox_add(s, &m, now, &id);
    }
    for (size_t i = 0; r == STORE_OK && i < n; i++) {
        if (strcasecmp(rec[i].email, inv->contact_email) == 0) continue;
        email_t m = invoice_email(a, inv, rec[i].name, rec[i].email, vendor, base_url);
        r = store_outbox_add(s, &m, now, &id);
    }
    return r;
}
