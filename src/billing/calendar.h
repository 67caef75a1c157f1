/* Calendar dates (proleptic Gregorian, UTC) and billing-period arithmetic. */
#ifndef COBRO_CALENDAR_H
#define COBRO_CALENDAR_H
#include <stdbool.h>
#include <stdint.h>

typedef struct {
    int y, m, d; /* m 1-12, d 1-31 */
} date_t;

bool is_leap_year(int y);
int days_in_month(int y, int m);
/* Parses exactly "YYYY-MM-DD" (years 1000-9999) into a real calendar date; false otherwise. */
bool date_parse(const char *s, date_t *out);
/* Writes "YYYY-MM-DD" and a NUL. */
void date_format(date_t d, char out[11]);
/* <0, 0, >0 like strcmp. */
int date_cmp(date_t a, date_t b);
/* Days since 1970-01-01 and back (negative before it). */
int64_t date_to_days(date_t d);
date_t date_from_days(int64_t days);
date_t date_add_days(date_t d, int64_t days);
/* The UTC calendar date of a Unix instant. */
date_t date_from_unix(int64_t t);

/* The date months after d, on anchor_day of that month, or on the month's last day when the
 * month is shorter: with anchor_day 31, Jan 31 + 1 month = Feb 28 (29 in a leap year), and
 * Feb 28 + 1 month = Mar 31. months may be negative. anchor_day is 1-31. */
date_t date_add_months(date_t d, int months, int anchor_day);

typedef enum { PERIOD_MONTHLY = 0, PERIOD_ANNUAL } billing_period_t;
/* "monthly" / "annual"; false for anything else. */
bool billing_period_parse(const char *s, billing_period_t *out);
/* The end of the period that starts at start (start + 1 or 12 months, on the anchor day). */
date_t period_end(date_t start, billing_period_t p, int anchor_day);

#endif
