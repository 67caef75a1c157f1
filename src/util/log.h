/* Log lines on standard error: one access-log line per request, and events. */
#ifndef COBRO_LOG_H
#define COBRO_LOG_H
#include <stdint.h>

/* "2026-11-22T10:00:00Z INFO message" */
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* One line per request: ip, method, path (no query: it may hold tokens), status, bytes, µs. */
void log_access(const char *ip, const char *method, const char *path, int status, uint64_t bytes,
                int64_t micros);
/* Turns the access log off (benchmarks measure the server, not the terminal). */
void log_set_access(int on);

#endif
