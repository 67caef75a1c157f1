/* What a quote's line costs: its list amount, discount, the amount for a full term, the part due
 * now for a co-termed addition (prorated by days), and what each seat renews at. Pure arithmetic
 * on integer minor units; the quote service stores the results when the quote is sent. */
#ifndef COBRO_QUOTE_CALC_H
#define COBRO_QUOTE_CALC_H
#include "billing/calendar.h"
#include <stdbool.h>
#include <stdint.h>

/* What a line does to the account (docs/quotes.md):
 * - ADD_PRODUCT / ADD_SEATS: seats added at once for the rest of the current annual term
 *   (co-termed: they renew with the account), charged now for the days left; both become a
 *   subscription of their own at the quoted price, so each block renews at the price it was sold;
 * - REMOVE_SEATS: seats taken off a subscription from its next renewal (nothing charged now);
 * - SET_RENEWAL: a subscription's seats and price from its next renewal (nothing charged now). */
typedef enum {
    QUOTE_ADD_PRODUCT = 0,
    QUOTE_ADD_SEATS,
    QUOTE_REMOVE_SEATS,
    QUOTE_SET_RENEWAL,
    QUOTE_LINE_KINDS
} quote_line_kind_t;
/* "add_product", "add_seats", "remove_seats", "set_renewal". */
const char *quote_line_kind_name(quote_line_kind_t k);
bool quote_line_kind_parse(const char *s, quote_line_kind_t *out);

/* A percent discount applies to the charge now and to every renewal of the seats it prices; an
 * amount discount is taken once, off this term's charge, and renewals are at the unit price. */
typedef enum { DISCOUNT_NONE = 0, DISCOUNT_PERCENT, DISCOUNT_AMOUNT } discount_kind_t;
/* "none", "percent", "amount". */
const char *discount_kind_name(discount_kind_t k);
bool discount_kind_parse(const char *s, discount_kind_t *out);

enum { DISCOUNT_PERCENT_ONE = 1000000 }; /* percent discounts in parts per million: 10 % = 100000 */

typedef struct {
    quote_line_kind_t kind;
    int64_t seats;       /* > 0: seats added, removed, or the renewal's seats */
    int64_t unit_amount; /* per seat for a full term, minor units (unused by REMOVE_SEATS) */
    discount_kind_t discount_kind;
    int64_t discount_value; /* PERCENT: ppm, 0..1000000; AMOUNT: minor units */
} quote_line_terms_t;

typedef struct {
    int64_t list_amount;     /* seats x unit price, for a full term */
    int64_t discount;        /* taken off list_amount (an AMOUNT discount: at most list_amount) */
    int64_t term_net;        /* list_amount - discount: the line's amount for a full term */
    int64_t days, term_days; /* ADD_*: the days charged of the term's days; else 0 */
    int64_t due_now;         /* ADD_*: term_net x days / term_days, rounded half away from zero */
    /* What each seat renews at: the unit price less a percent discount (rounded half away from
     * zero), or the unit price; 0 for REMOVE_SEATS. */
    int64_t renewal_unit_amount;
} quote_line_amounts_t;

/* Why quote_line_price refused a line. */
typedef enum {
    QUOTE_CALC_OK = 0,
    QUOTE_CALC_BAD_SEATS,    /* seats <= 0 */
    QUOTE_CALC_BAD_PRICE,    /* unit price < 0 */
    QUOTE_CALC_BAD_DISCOUNT, /* percent over 100, amount over the line, negative, or an amount
                                discount on a line charged nothing now */
    QUOTE_CALC_BAD_DATES,    /* the effective date is not inside [term_start, term_end) */
    QUOTE_CALC_OVERFLOW,
} quote_calc_status_t;

/* Prices one line. ADD_* lines are charged for [effective, term_end) of the term
 * [term_start, term_end) (days counted in the calendar, so a leap year's term has 366): the
 * term's amount times days / term_days, rounded once, half away from zero. */
quote_calc_status_t quote_line_price(const quote_line_terms_t *t, date_t term_start,
                                     date_t term_end, date_t effective, quote_line_amounts_t *out);

#endif
