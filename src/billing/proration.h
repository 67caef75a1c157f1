/* Proration of a change made during a subscription's period (docs/subscriptions.md): what the
 * rest of the period costs in the new configuration, by days, less a credit for the unused part
 * of what the account was actually charged for it. Pure arithmetic on dates and minor units. */
#ifndef COBRO_PRORATION_H
#define COBRO_PRORATION_H
#include "billing/calendar.h"

#include <stdbool.h>
#include <stdint.h>

/* What the current period was charged: `amount` (price basis: the net with tax exclusive, the
 * gross with tax inclusive) for the days [from, end). A renewal charges the whole period (from is
 * the period's start); each change charges [its day, end) and becomes what the next change
 * credits, so that several changes in one period never credit more than was charged. */
typedef struct {
    date_t from, end;
    int64_t amount;
} charged_span_t;

/* One prorated charge: term_amount (seats x unit price for a whole term [term_start, term_end))
 * charged for the days [from, term_end), less credit. */
typedef struct {
    int64_t days, term_days; /* the days charged of the term's days */
    int64_t charge;          /* term_amount x days / term_days, rounded half away from zero */
    int64_t credit;          /* the unused part of what had been charged */
    int64_t amount;          /* charge - credit */
} proration_t;

/* The unused part, on day `today`, of what was charged for [from, end): amount x days left /
 * days charged, rounded half away from zero; all of it on or before `from`, nothing on or after
 * `end`. False on a span that is not a span (end <= from) or a negative amount. */
bool proration_credit(const charged_span_t *charged, date_t today, int64_t *out);

/* term_amount for [from, term_end) of the term [term_start, term_end), less credit. False when
 * from is outside [term_start, term_end), the term is empty, an amount is negative or the result
 * would not fit; and when the credit exceeds the charge (a change that lowers what the account
 * pays waits for the renewal and is never charged). */
bool proration_charge(int64_t term_amount, date_t term_start, date_t term_end, date_t from,
                      int64_t credit, proration_t *out);

#endif
