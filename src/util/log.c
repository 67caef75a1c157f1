/* Log lines on standard error. Each line is written with one stdio call, and stdio locks the
 * stream per call, so lines from different threads never interleave. Control characters in what
 * is logged become '?', so nobody can forge log lines through a request path or a message. */
#include "log.h"
#include "clock.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

enum { LOG_LINE_MAX = 2048, FIELD_MAX = 512 };

static atomic_int access_on = 1;

void log_set_access(int on)
{
    atomic_store(&access_on, on ? 1 : 0);
}

/* "2026-11-22T10:00:00Z" */
static void timestamp(char out[32])
{
    time_t now = (time_t)clock_now();
    struct tm tm;
    if (!gmtime_r(&now, &tm) || strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        strcpy(out, "0000-00-00T00:00:00Z");
}

static void sanitize(char *s)
{
    for (unsigned char *p = (unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7F) *p = '?';
}

/* Copies at most FIELD_MAX bytes of s (up to stop, when stop is not NUL), sanitized, or "-"
 * when that is empty. */
static void field(char out[FIELD_MAX + 1], const char *s, char stop)
{
    if (!s || !*s) {
        strcpy(out, "-");
        return;
    }
    size_t n = 0;
    while (s[n] && s[n] != stop && n < FIELD_MAX)
        n++;
    if (n == 0) {
        strcpy(out, "-");
        return;
    }
    memcpy(out, s, n);
    out[n] = '\0';
    sanitize(out);
    /* A space inside a field would shift the columns of the line. */
    for (char *p = out; *p; p++)
        if (*p == ' ') *p = '?';
}

static void log_line(const char *level, const char *fmt, va_list ap)
{
    char msg[LOG_LINE_MAX];
    int n = vsnprintf(msg, sizeof msg, fmt, ap);
    if (n < 0)
        strcpy(msg, "(unprintable log message)");
    else if ((size_t)n >= sizeof msg)
        strcpy(msg + sizeof msg - 4, "...");
    sanitize(msg);
    char ts[32];
    timestamp(ts);
    fprintf(stderr, "%s %s %s\n", ts, level, msg);
}

void log_info(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_line("INFO", fmt, ap);
    va_end(ap);
}

void log_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_line("ERROR", fmt, ap);
    va_end(ap);
}

void log_access(const char *ip, const char *method, const char *path, int status, uint64_t bytes,
                int64_t micros)
{
    if (!atomic_load_explicit(&access_on, memory_order_relaxed)) return;
    char ts[32], ip_f[FIELD_MAX + 1], method_f[FIELD_MAX + 1], path_f[FIELD_MAX + 1];
    timestamp(ts);
    field(ip_f, ip, '\0');
    field(method_f, method, '\0');
    field(path_f, path, '?'); /* the query may hold tokens */
    fprintf(stderr, "%s access %s %s %s %d %" PRIu64 "B %" PRId64 "us\n", ts, ip_f, method_f,
            path_f, status, bytes, micros);
}
