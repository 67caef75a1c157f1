/* The sentences a quote's HTML view and its PDF share: what each line does and from when, the
 * discount, the state, the payment terms and the tax's name. */
#include "render/quote_doc.h"

#include "billing/calendar.h"
#include "billing/quote_calc.h"
#include "i18n/format.h"
#include "render/invoice_pdf.h"

#include <stdio.h>
#include <string.h>

enum { DAY_MAX = 64 };

static const char *S(const char *s)
{
    return s ? s : "";
}

static void day(lang_t lang, const char *country, const char *iso, char out[DAY_MAX])
{
    if (!format_date(lang, country, iso, out, DAY_MAX)) snprintf(out, DAY_MAX, "%s", S(iso));
}

bool quote_line_due_now(const quote_line_t *l)
{
    quote_line_kind_t k;
    return quote_line_kind_parse(S(l->kind), &k) &&
           (k == QUOTE_ADD_PRODUCT || k == QUOTE_ADD_SEATS);
}

bool quote_has_due_now(const quote_t *q)
{
    for (size_t i = 0; i < q->n_lines; i++)
        if (quote_line_due_now(&q->lines[i])) return true;
    return false;
}

int64_t quote_line_annual(const quote_line_t *l)
{
    quote_line_kind_t k;
    if (!quote_line_kind_parse(S(l->kind), &k) || k == QUOTE_REMOVE_SEATS) return -1;
    return l->seats * l->renewal_unit_amount;
}

void quote_term_last_day(const quote_t *q, char out[11])
{
    date_t end;
    if (date_parse(S(q->term_end), &end))
        date_format(date_add_days(end, -1), out);
    else
        snprintf(out, 11, "%s", S(q->term_end));
}

void quote_issue_date(const quote_t *q, char out[11])
{
    int64_t at = q->sent_at ? q->sent_at : q->created_at;
    date_format(date_from_unix(at), out);
}

void quote_line_text(lang_t lang, const char *country, const quote_t *q, const quote_line_t *l,
                     char what[QUOTE_TEXT_MAX], char when[QUOTE_TEXT_MAX])
{
    quote_line_kind_t k = QUOTE_ADD_SEATS;
    (void)quote_line_kind_parse(S(l->kind), &k);
    const char *product = S(l->product_name);
    unsigned long seats = l->seats > 0 ? (unsigned long)l->seats : 0;
    long long n = (long long)l->seats;
    char from[DAY_MAX], last[DAY_MAX], renewal[DAY_MAX], last_iso[11];
    when[0] = '\0';
    switch (k) {
    case QUOTE_ADD_PRODUCT:
    case QUOTE_ADD_SEATS:
        if (k == QUOTE_ADD_PRODUCT)
            snprintf(what, QUOTE_TEXT_MAX,
                     trn(lang, "Add %s with %lld seat for the rest of the term",
                         "Add %s with %lld seats for the rest of the term", seats),
                     product, n);
        else
            snprintf(what, QUOTE_TEXT_MAX,
                     trn(lang, "Add %lld seat of %s for the rest of the term",
                         "Add %lld seats of %s for the rest of the term", seats),
                     n, product);
        day(lang, country, q->effective_date, from);
        quote_term_last_day(q, last_iso);
        day(lang, country, last_iso, last);
        if (l->term_days > 0)
            snprintf(when, QUOTE_TEXT_MAX,
                     tr(lang, "from %s to %s (%lld of %lld days), then renewed with the account"),
                     from, last, (long long)l->days, (long long)l->term_days);
        else
            snprintf(when, QUOTE_TEXT_MAX, tr(lang, "from %s to %s, then renewed with the account"),
                     from, last);
        break;
    case QUOTE_REMOVE_SEATS:
        day(lang, country, q->term_end, renewal);
        snprintf(what, QUOTE_TEXT_MAX,
                 trn(lang, "From the next renewal on %s: remove %lld seat of %s",
                     "From the next renewal on %s: remove %lld seats of %s", seats),
                 renewal, n, product);
        break;
    default: /* QUOTE_SET_RENEWAL */
        day(lang, country, q->term_end, renewal);
        snprintf(what, QUOTE_TEXT_MAX,
                 trn(lang, "From the next renewal on %s: renew %lld seat of %s",
                     "From the next renewal on %s: renew %lld seats of %s", seats),
                 renewal, n, product);
        break;
    }
}

void quote_discount_text(lang_t lang, const char *country, const char *currency,
                         const quote_line_t *l, char out[QUOTE_TEXT_MAX])
{
    discount_kind_t k = DISCOUNT_NONE;
    (void)discount_kind_parse(S(l->discount_kind), &k);
    out[0] = '\0';
    if (k == DISCOUNT_PERCENT && l->discount_value > 0)
        format_percent(lang, country, l->discount_value, out, QUOTE_TEXT_MAX);
    else if (k == DISCOUNT_AMOUNT && l->discount_value > 0)
        format_money(lang, country, currency, l->discount_value, out, QUOTE_TEXT_MAX);
}

const char *quote_state_text(lang_t lang, const char *state)
{
    const char *s = S(state);
    if (strcmp(s, "draft") == 0) return tr(lang, "Draft");
    /* A sent quote waits for the customer: the help texts call it pending. */
    if (strcmp(s, "sent") == 0) return tr(lang, "Pending");
    if (strcmp(s, "accepted") == 0) return tr(lang, "Accepted");
    if (strcmp(s, "rejected") == 0) return tr(lang, "Rejected");
    if (strcmp(s, "withdrawn") == 0) return tr(lang, "Withdrawn");
    if (strcmp(s, "expired") == 0) {
        /* "quote|": a quote's own word, which some languages write unlike a purchase order's
         * "Expired" (es: presupuesto caducado, orden caducada); the prefix is not shown. */
        /* TRANSLATORS: the state of a quote; translate only the word after "quote|". */
        const char *t = tr(lang, "quote|Expired");
        return strncmp(t, "quote|", 6) == 0 ? t + 6 : t;
    }
    if (strcmp(s, "superseded") == 0) return tr(lang, "Superseded");
    return s;
}

void quote_terms_text(lang_t lang, int64_t days, char out[QUOTE_TEXT_MAX])
{
    if (days <= 0)
        snprintf(out, QUOTE_TEXT_MAX, "%s", tr(lang, "Due on receipt"));
    else
        snprintf(out, QUOTE_TEXT_MAX, tr(lang, "Net %lld"), (long long)days);
}

void quote_tax_label(lang_t lang, const quote_doc_t *d, char out[QUOTE_TEXT_MAX])
{
    const account_t *acc = d->account;
    invoice_tax_t t = {.name = d->quote->tax_name, .rate_ppm = d->quote->tax_rate_ppm};
    invoice_tax_label(lang, acc ? acc->country : "", acc ? acc->region : "", &t, out,
                      QUOTE_TEXT_MAX);
}

const char *quote_pdf_filename(const quote_t *q, arena_t *a)
{
    const char *n = S(q->number);
    char *name = arena_printf(a, "%s.pdf", *n ? n : "quote");
    for (char *c = name; *c; c++) {
        bool ok = (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
                  (*c >= '0' && *c <= '9') || *c == '-' || *c == '_' || *c == '.';
        if (!ok) *c = '_';
    }
    return name;
}
