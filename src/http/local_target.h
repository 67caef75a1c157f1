/* The check that keeps a redirect on this site: a "next" address taken from a link must be a
 * local page of ours, never a way to another host. */
#ifndef COBRO_LOCAL_TARGET_H
#define COBRO_LOCAL_TARGET_H
#include "util/arena.h"
#include <stdbool.h>

enum { LOCAL_TARGET_MAX = 1024 }; /* longer addresses are refused, not cut */

/* Says whether a path (without query, still percent-encoded) is one of our pages. */
typedef bool (*path_known_fn)(const char *path);

/* The address to redirect to for next, or NULL when next is refused: it must be a path that
 * starts with one '/', is printable ASCII, holds no backslash, and neither holds a control
 * character, a backslash nor a leading "//" once percent-decoded, and that known() accepts.
 * Its query is kept only when it is printable ASCII and decodes to no control character nor
 * backslash;
 * otherwise the path alone is returned (an arena copy). A fragment is never kept. */
const char *local_target(arena_t *a, const char *next, path_known_fn known);

#endif
