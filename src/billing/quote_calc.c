/* A quote line's amounts: list price, discount, co-termed proration by days, renewal price. */
#include "quote_calc.h"
#include "money.h"

#include <string.h>

static const char *const kind_names[QUOTE_LINE_KINDS] = {"add_product", "add_seats", "remove_seats",
                                                         "set_renewal"};

const char *quote_line_kind_name(quote_line_kind_t k)
{
    return k < QUOTE_LINE_KINDS ? kind_names[k] : "";
}

bool quote_line_kind_parse(const char *s, quote_line_kind_t *out)
{
    for (int i = 0; s && i < QUOTE_LINE_KINDS; i++) {
        if (strcmp(s, kind_names[i]) == 0) {
            *out = (quote_line_kind_t)i;
            return true;
        }
    }
    return false;
}

static const char *const discount_names[] = {"none", "percent", "amount"};

const char *discount_kind_name(discount_kind_t k)
{
    return k <= DISCOUNT_AMOUNT ? discount_names[k] : "";
}

bool discount_kind_parse(const char *s, discount_kind_t *out)
{
    for (int i = 0; s && i <= DISCOUNT_AMOUNT; i++) {
        if (strcmp(s, discount_names[i]) == 0) {
            *out = (discount_kind_t)i;
            return true;
        }
    }
    return false;
}

static bool adds_seats(quote_line_kind_t k)
{
    return k == QUOTE_ADD_PRODUCT || k == QUOTE_ADD_SEATS;
}

quote_calc_status_t quote_line_price(const quote_line_terms_t *t, date_t term_start,
                                     date_t term_end, date_t effective, quote_line_amounts_t *out)
{
    memset(out, 0, sizeof *out);
    if (t->seats <= 0) return QUOTE_CALC_BAD_SEATS;
    if (t->kind == QUOTE_REMOVE_SEATS) {
        /* Nothing is priced: seats come off at the next renewal, at the price they have. */
        return t->discount_kind == DISCOUNT_NONE ? QUOTE_CALC_OK : QUOTE_CALC_BAD_DISCOUNT;
    }
    if (t->unit_amount < 0) return QUOTE_CALC_BAD_PRICE;
    if (t->discount_value < 0) return QUOTE_CALC_BAD_DISCOUNT;
    if (!money_mul(t->seats, t->unit_amount, &out->list_amount)) return QUOTE_CALC_OVERFLOW;
    out->renewal_unit_amount = t->unit_amount;
    switch (t->discount_kind) {
    case DISCOUNT_NONE:
        if (t->discount_value != 0) return QUOTE_CALC_BAD_DISCOUNT;
        break;
    case DISCOUNT_PERCENT:
        if (t->discount_value > DISCOUNT_PERCENT_ONE) return QUOTE_CALC_BAD_DISCOUNT;
        /* The renewal price per seat is rounded once; the line's discount is the difference, so
         * that term_net is always seats x the discounted price and renewals bill the same. */
        if (!money_mul_div(t->unit_amount, DISCOUNT_PERCENT_ONE - t->discount_value,
                           DISCOUNT_PERCENT_ONE, &out->renewal_unit_amount))
            return QUOTE_CALC_OVERFLOW;
        break;
    case DISCOUNT_AMOUNT:
        /* Taken once off this term's charge: a line that charges nothing now has nothing to
         * take it off. */
        if (!adds_seats(t->kind) || t->discount_value > out->list_amount)
            return QUOTE_CALC_BAD_DISCOUNT;
        out->discount = t->discount_value;
        break;
    }
    if (t->discount_kind == DISCOUNT_PERCENT) {
        int64_t net = 0;
        if (!money_mul(t->seats, out->renewal_unit_amount, &net)) return QUOTE_CALC_OVERFLOW;
        out->discount = out->list_amount - net;
    }
    out->term_net = out->list_amount - out->discount;
    if (!adds_seats(t->kind)) return QUOTE_CALC_OK;
    if (date_cmp(term_start, effective) > 0 || date_cmp(effective, term_end) >= 0)
        return QUOTE_CALC_BAD_DATES;
    out->term_days = date_to_days(term_end) - date_to_days(term_start);
    out->days = date_to_days(term_end) - date_to_days(effective);
    if (!money_mul_div(out->term_net, out->days, out->term_days, &out->due_now))
        return QUOTE_CALC_OVERFLOW;
    return QUOTE_CALC_OK;
}
