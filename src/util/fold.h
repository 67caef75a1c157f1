/* Names compared as people say them: case, accents and spacing set aside. */
#ifndef COBRO_FOLD_H
#define COBRO_FOLD_H
#include "arena.h"
#include <stdbool.h>

/* s (UTF-8) in lower case with the accents of Latin letters removed (é -> e, Ø -> o, ß -> ss,
 * Æ -> ae...), runs of white space, dots, hyphens and apostrophes made one space, and no space at
 * either end. Other characters are kept as they are. NULL when s is not valid UTF-8. */
char *fold_name(arena_t *a, const char *s);

/* Whether two names fold to the same non-empty text. */
bool fold_same_name(arena_t *a, const char *x, const char *y);

#endif
