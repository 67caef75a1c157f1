/* Proration by days of a change during a period, with the credit for what was already charged. */
#include "billing/proration.h"

#include "billing/money.h"

bool proration_credit(const charged_span_t *charged, date_t today, int64_t *out)
{
    int64_t from = date_to_days(charged->from), end = date_to_days(charged->end);
    int64_t day = date_to_days(today);
    if (end <= from || charged->amount < 0) return false;
    if (day >= end) {
        *out = 0;
        return true;
    }
    if (day <= from) {
        *out = charged->amount;
        return true;
    }
    return money_mul_div(charged->amount, end - day, end - from, out);
}

bool proration_charge(int64_t term_amount, date_t term_start, date_t term_end, date_t from,
                      int64_t credit, proration_t *out)
{
    int64_t start = date_to_days(term_start), end = date_to_days(term_end);
    int64_t day = date_to_days(from);
    if (end <= start || day < start || day >= end || term_amount < 0 || credit < 0) return false;
    proration_t p = {.days = end - day, .term_days = end - start, .credit = credit};
    if (!money_mul_div(term_amount, p.days, p.term_days, &p.charge) || p.credit > p.charge)
        return false;
    p.amount = p.charge - p.credit;
    *out = p;
    return true;
}
