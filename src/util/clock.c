/* The program's one clock. Every "now" of cobro (requests, the bill run, the outbox, the demo,
 * log lines) comes from here, so a test or a demo can run on any date by setting COBRO_NOW:
 * nothing then depends on the day the suite runs. */
#include "clock.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Added to the system's real-time clock; 0 unless the clock was set. Atomic because the event
 * loops, the mailer and the scheduler read it from their own threads. */
static _Atomic int64_t offset_ms = 0;
static atomic_bool is_set = false;

static int64_t system_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t clock_now_ms(void)
{
    return system_ms() + atomic_load(&offset_ms);
}

int64_t clock_now(void)
{
    int64_t ms = clock_now_ms();
    /* Floor division: an instant before 1970 still rounds down. */
    return ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
}

bool clock_is_set(void)
{
    return atomic_load(&is_set);
}

void clock_set_ms(int64_t unix_ms)
{
    atomic_store(&offset_ms, unix_ms - system_ms());
    atomic_store(&is_set, true);
}

/* Days from 1970-01-01 to the given proleptic Gregorian date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Reads exactly n decimal digits at *p; advances *p. */
static bool digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9') return false;
        v = v * 10 + (c - '0');
    }
    *p += n;
    *out = v;
    return true;
}

bool clock_parse(const char *text, int64_t *unix_ms)
{
    if (!text) return false;
    const char *p = text;
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, ms = 0;
    if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) || *p++ != '-' ||
        !digits(&p, 2, &d))
        return false;
    if (*p == 'T') {
        p++;
        if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi) || *p++ != ':' ||
            !digits(&p, 2, &s))
            return false;
        if (*p == '.') {
            p++;
            int n = 0;
            int scale = 100;
            while (*p >= '0' && *p <= '9') {
                if (n < 3) ms += (*p - '0') * scale, scale /= 10;
                n++, p++;
            }
            if (n == 0) return false;
        }
        if (*p++ != 'Z') return false;
    }
    if (*p != '\0') return false;
    static const int month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1970 || mo < 1 || mo > 12 || d < 1) return false;
    if (d > month_days[mo - 1] + (mo == 2 && is_leap(y))) return false;
    if (h > 23 || mi > 59 || s > 59) return false;
    int64_t days = days_from_civil(y, mo, d);
    *unix_ms = ((days * 24 + h) * 60 + mi) * 60000 + (int64_t)s * 1000 + ms;
    return true;
}

bool clock_init_from_env(char *err, int err_size)
{
    const char *v = getenv("COBRO_NOW");
    if (!v || !*v) return true;
    int64_t ms = 0;
    if (!clock_parse(v, &ms)) {
        snprintf(err, (size_t)err_size,
                 "COBRO_NOW \"%.40s\": expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC)", v);
        return false;
    }
    clock_set_ms(ms);
    return true;
}
