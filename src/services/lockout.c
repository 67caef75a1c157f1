/* The sign-in lockout rule (see lockout.h). */
#include "lockout.h"

int64_t lockout_until(const int64_t *failures, size_t n, int64_t now)
{
    int64_t until = 0;
    for (size_t last = LOCKOUT_FAILURES - 1; last < n; last++) {
        size_t first = last - (LOCKOUT_FAILURES - 1);
        if (failures[last] - failures[first] <= LOCKOUT_WINDOW) {
            int64_t end = failures[last] + LOCKOUT_SECONDS;
            if (end > until) until = end;
        }
    }
    return until > now ? until : 0;
}
