/* The sign-in lockout rule: after LOCKOUT_FAILURES failed attempts for one login within
 * LOCKOUT_WINDOW seconds, sign-in for that login is refused for LOCKOUT_SECONDS. */
#ifndef COBRO_LOCKOUT_H
#define COBRO_LOCKOUT_H
#include <stddef.h>
#include <stdint.h>

enum { LOCKOUT_FAILURES = 5, LOCKOUT_WINDOW = 15 * 60, LOCKOUT_SECONDS = 15 * 60 };

/* One address trying many logins (credential stuffing) is slowed down as a whole: at this many
 * failures within LOCKOUT_WINDOW, every sign-in from it is refused until the oldest of them
 * leaves the window. */
enum { LOCKOUT_IP_FAILURES = 100 };

/* Given the failed attempts since the last success (Unix seconds, oldest first), the instant the
 * lock ends, or 0 when sign-in is open at now. The lock starts at the failure that makes
 * LOCKOUT_FAILURES within LOCKOUT_WINDOW, and lasts LOCKOUT_SECONDS from it. */
int64_t lockout_until(const int64_t *failures, size_t n, int64_t now);

#endif
