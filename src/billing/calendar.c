/* Calendar dates (proleptic Gregorian, UTC) and billing-period arithmetic (see calendar.h). */
#include "calendar.h"

#include <string.h>

bool is_leap_year(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int days_in_month(int y, int m)
{
    static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12) return 0;
    return m == 2 && is_leap_year(y) ? 29 : len[m - 1];
}

static bool digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

bool date_parse(const char *s, date_t *out)
{
    if (!s || !out) return false;
    /* strnlen, not strlen: a hostile caller may hand us a long run of bytes. */
    if (strnlen(s, 11) != 10 || s[4] != '-' || s[7] != '-') return false;
    date_t d;
    if (!digits(s, 4, &d.y) || !digits(s + 5, 2, &d.m) || !digits(s + 8, 2, &d.d)) return false;
    if (d.y < 1000 || d.m < 1 || d.m > 12 || d.d < 1 || d.d > days_in_month(d.y, d.m)) return false;
    *out = d;
    return true;
}

static void put(char *p, int n, int v)
{
    for (int i = n - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

static int clamp(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

void date_format(date_t d, char out[11])
{
    /* Hand-written rather than snprintf so that a nonsense date can never overrun the 11 bytes:
     * it is clamped into the fixed width instead. */
    put(out, 4, clamp(d.y, 0, 9999));
    out[4] = '-';
    put(out + 5, 2, clamp(d.m, 0, 99));
    out[7] = '-';
    put(out + 8, 2, clamp(d.d, 0, 99));
    out[10] = '\0';
}

int date_cmp(date_t a, date_t b)
{
    if (a.y != b.y) return a.y < b.y ? -1 : 1;
    if (a.m != b.m) return a.m < b.m ? -1 : 1;
    if (a.d != b.d) return a.d < b.d ? -1 : 1;
    return 0;
}

/* Floor division: C's / truncates toward zero, which is wrong for dates before an epoch. */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if (a % b != 0 && (a < 0) != (b < 0)) q--;
    return q;
}

/* The algorithms count from 0000-03-01 so that the leap day is the last day of the "year",
 * which turns month lengths into a closed formula (H. Hinnant, "chrono-compatible low-level
 * date algorithms"). */
int64_t date_to_days(date_t d)
{
    int64_t y = (int64_t)d.y - (d.m <= 2);
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;                         /* [0, 399] */
    int64_t mp = (d.m + 9) % 12;                         /* Mar = 0 */
    int64_t doy = (153 * mp + 2) / 5 + d.d - 1;          /* [0, 365] */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

date_t date_from_days(int64_t days)
{
    int64_t z = days + 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int d = (int)(doy - (153 * mp + 2) / 5 + 1);
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    int64_t y = yoe + era * 400 + (m <= 2);
    return (date_t){(int)y, m, d};
}

date_t date_add_days(date_t d, int64_t days)
{
    return date_from_days(date_to_days(d) + days);
}

date_t date_from_unix(int64_t t)
{
    return date_from_days(floor_div(t, 86400));
}

date_t date_add_months(date_t d, int months, int anchor_day)
{
    /* An anchor outside 1-31 is a caller bug; the date's own day is the least surprising
     * stand-in. */
    if (anchor_day < 1 || anchor_day > 31) anchor_day = clamp(d.d, 1, 31);
    int64_t idx = (int64_t)d.y * 12 + (d.m - 1) + months;
    int y = (int)floor_div(idx, 12);
    int m = (int)(idx - (int64_t)y * 12) + 1;
    int last = days_in_month(y, m);
    return (date_t){y, m, anchor_day < last ? anchor_day : last};
}

bool billing_period_parse(const char *s, billing_period_t *out)
{
    if (!s || !out) return false;
    if (strcmp(s, "monthly") == 0)
        *out = PERIOD_MONTHLY;
    else if (strcmp(s, "annual") == 0)
        *out = PERIOD_ANNUAL;
    else
        return false;
    return true;
}

date_t period_end(date_t start, billing_period_t p, int anchor_day)
{
    return date_add_months(start, p == PERIOD_ANNUAL ? 12 : 1, anchor_day);
}
