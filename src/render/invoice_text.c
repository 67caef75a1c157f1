/* Invoice words shared by the HTML view and the PDF. */
#include "render/invoice_text.h"
#include "billing/calendar.h"
#include "billing/tax.h"
#include "i18n/format.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

const char *invoice_status_text(lang_t lang, const char *status)
{
    if (strcmp(status, "open") == 0) return tr(lang, "Open");
    if (strcmp(status, "partially_paid") == 0) return tr(lang, "Partially paid");
    if (strcmp(status, "paid") == 0) return tr(lang, "Paid");
    if (strcmp(status, "void") == 0) return tr(lang, "Void");
    /* TRANSLATORS: an invoice past its due date with a balance. */
    if (strcmp(status, "overdue") == 0) return tr(lang, "Overdue");
    return status;
}

void invoice_tax_total_label(lang_t lang, const char *country, const invoice_doc_t *inv, char *out,
                             size_t size)
{
    bool one_rate = inv->n_lines > 0;
    for (size_t i = 1; one_rate && i < inv->n_lines; i++)
        one_rate = inv->lines[i].tax_rate_ppm == inv->lines[0].tax_rate_ppm;
    if (!one_rate) {
        snprintf(out, size, "%s", tr(lang, "Tax"));
        return;
    }
    char pct[64];
    format_percent(lang, country, inv->lines[0].tax_rate_ppm, pct, sizeof pct);
    snprintf(out, size, tr(lang, "Tax (%s)"), pct);
}

/* Card brands as the gateways name them, as people write them. */
static const char *brand_name(const char *brand)
{
    static const char *const names[][2] = {
        {"visa", "Visa"},         {"mastercard", "Mastercard"}, {"amex", "American Express"},
        {"discover", "Discover"}, {"diners", "Diners Club"},    {"jcb", "JCB"},
        {"unionpay", "UnionPay"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(brand, names[i][0]) == 0) return names[i][1];
    return brand;
}

void invoice_received_method(lang_t lang, const invoice_received_t *p, char *out, size_t size)
{
    const char *m = p->method ? p->method : "";
    const char *ref = p->reference ? p->reference : "";
    if (strcmp(m, "card") == 0) {
        const char *brand =
            p->card_brand && *p->card_brand ? brand_name(p->card_brand) : tr(lang, "Card");
        if (p->card_last4 && *p->card_last4)
            /* TRANSLATORS: a card payment: "Visa ending in 4242". */
            snprintf(out, size, tr(lang, "%s ending in %s"), brand, p->card_last4);
        else
            snprintf(out, size, "%s", brand);
        return;
    }
    const char *name = strcmp(m, "wire") == 0     ? tr(lang, "Wire transfer")
                       : strcmp(m, "check") == 0  ? tr(lang, "Check")
                       : strcmp(m, "ach") == 0    ? tr(lang, "ACH / direct debit")
                       : strcmp(m, "credit") == 0 ? tr(lang, "Account credit")
                                                  : m;
    if (*ref) /* TRANSLATORS: a payment's method and its reference: "Wire transfer, ref. 88812". */
        snprintf(out, size, tr(lang, "%s, ref. %s"), name, ref);
    else
        snprintf(out, size, "%s", name);
}

/* One date as the invoice writes it, its spaces no-break spaces (U+00A0, two bytes each). */
static void unbroken_date(lang_t lang, const char *country, const char *iso, char *out, size_t size)
{
    char d[64];
    format_date(lang, country, iso ? iso : "", d, sizeof d);
    size_t n = 0;
    for (const char *p = d; *p && n + 3 < size; p++) {
        if (*p == ' ') {
            out[n++] = (char)0xC2;
            out[n++] = (char)0xA0;
        } else {
            out[n++] = *p;
        }
    }
    out[n] = '\0';
}

void invoice_period_text(lang_t lang, const char *country, const char *start, const char *end,
                         char *out, size_t size)
{
    char a[96], b[96];
    unbroken_date(lang, country, start, a, sizeof a);
    date_t s, e;
    if (start && end && date_parse(start, &s) && date_parse(end, &e)) {
        date_t last = date_add_days(e, -1);
        if (date_cmp(last, s) <= 0) {
            snprintf(out, size, "%s", a);
            return;
        }
        char iso[11];
        date_format(last, iso);
        unbroken_date(lang, country, iso, b, sizeof b);
    } else {
        unbroken_date(lang, country, end, b, sizeof b);
    }
    snprintf(out, size, "%s – %s", a, b);
}

/* "annual" / "monthly" as the invoice page writes a line's frequency. */
static const char *period_word(lang_t lang, const char *billing_period)
{
    if (strcmp(billing_period, "annual") == 0) return tr(lang, "annual");
    if (strcmp(billing_period, "monthly") == 0) return tr(lang, "monthly");
    return billing_period;
}

void invoice_change_text(lang_t lang, const char *country, const invoice_line_t *l, char *out,
                         size_t size)
{
    const char *product = l->product_name ? l->product_name : "";
    const char *period = l->billing_period ? l->billing_period : "";
    const char *from_period = l->from_period ? l->from_period : "";
    char dates[200], seats[24], from_seats[24];
    invoice_period_text(lang, country, l->period_start, l->period_end, dates, sizeof dates);
    snprintf(seats, sizeof seats, "%" PRId64, l->seats);
    snprintf(from_seats, sizeof from_seats, "%" PRId64, l->from_seats);
    unsigned long n = l->seats > 0 ? (unsigned long)l->seats : 0;
    bool seats_changed = l->from_seats > 0 && l->from_seats != l->seats;
    bool period_changed = *from_period && strcmp(from_period, period) != 0;
    if (l->from_seats == 0 && !*from_period)
        /* TRANSLATORS: an invoice line for a product added during a period: product, seats,
         * dates ("GoToMeeting, new, 3 seats, Dec 12, 2026 – Jan 4, 2027"). */
        snprintf(out, size, trn(lang, "%s, new, %s seat, %s", "%s, new, %s seats, %s", n), product,
                 seats, dates);
    else if (seats_changed && period_changed)
        /* TRANSLATORS: an invoice line for a change of billing period and seats: product, old and
         * new period ("monthly", "annual"), old and new seats, dates. */
        snprintf(out, size,
                 trn(lang, "%s, %s → %s, %s → %s seat, %s", "%s, %s → %s, %s → %s seats, %s", n),
                 product, period_word(lang, from_period), period_word(lang, period), from_seats,
                 seats, dates);
    else if (period_changed)
        /* TRANSLATORS: an invoice line for a change of billing period: product, old and new period
         * ("monthly", "annual"), seats, dates ("GoToMeeting, monthly → annual, 8 seats, ..."). */
        snprintf(out, size, trn(lang, "%s, %s → %s, %s seat, %s", "%s, %s → %s, %s seats, %s", n),
                 product, period_word(lang, from_period), period_word(lang, period), seats, dates);
    else if (seats_changed)
        /* TRANSLATORS: an invoice line for a change of seats: product, old and new seats, dates
         * ("GoToMeeting, 5 → 8 seats, Dec 12, 2026 – Jan 4, 2027"). */
        snprintf(out, size, trn(lang, "%s, %s → %s seat, %s", "%s, %s → %s seats, %s", n), product,
                 from_seats, seats, dates);
    else
        /* TRANSLATORS: an invoice line charged during a period: product, seats, dates. */
        snprintf(out, size, trn(lang, "%s, %s seat, %s", "%s, %s seats, %s", n), product, seats,
                 dates);
}

void invoice_change_amounts(const invoice_line_t *l, const char *tax_mode, int64_t *charge,
                            int64_t *credit)
{
    int64_t c = l->credit;
    tax_split_t split;
    if (tax_mode && strcmp(tax_mode, "inclusive") == 0 &&
        tax_split(l->credit, l->tax_rate_ppm, TAX_INCLUSIVE, &split))
        c = split.net;
    *credit = c;
    *charge = l->net + c;
}

const char *invoice_credit_text(lang_t lang)
{
    /* TRANSLATORS: under an invoice line for a change made during a period: the credit for the
     * part of the period the account had already paid for and will not use as it was. */
    return tr(lang, "Less unused time already charged");
}
