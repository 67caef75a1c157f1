/* The program's one clock: the system's, or one that COBRO_NOW sets and that runs on from there. */
#ifndef COBRO_CLOCK_H
#define COBRO_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

/* Reads COBRO_NOW once, at start: unset or empty leaves the system clock. Otherwise the value
 * is the instant the clock shows at this call, as "YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SSZ" or
 * "YYYY-MM-DDTHH:MM:SS.fffZ" (UTC), and from then on the clock advances with the system's, so
 * that session lifetimes, lockout windows and retry delays behave as they do in production.
 * Returns false and writes one line into err when the value is malformed. */
bool clock_init_from_env(char *err, int err_size);

/* Sets the clock to show `unix_ms` (milliseconds since 1970, UTC) now; for unit tests. */
void clock_set_ms(int64_t unix_ms);

/* Seconds since 1970-01-01T00:00:00Z, by the program's clock. */
int64_t clock_now(void);

/* Milliseconds since 1970-01-01T00:00:00Z, by the program's clock. */
int64_t clock_now_ms(void);

/* True when COBRO_NOW (or clock_set_ms) moved the clock away from the system's. */
bool clock_is_set(void);

/* Parses the COBRO_NOW forms above into milliseconds since 1970 (UTC); false when malformed or
 * outside years 1970..9999. */
bool clock_parse(const char *text, int64_t *unix_ms);

#endif
