/* Decides whether a "next" address may be redirected to (see local_target.h): browsers treat
 * tabs, line feeds and backslashes in a path as nothing or as '/', so "/\t/evil.example" or
 * "/\\evil.example" would lead to another host; only plain paths of our own pages pass. */
#include "local_target.h"

#include <string.h>

static bool printable(unsigned char c)
{
    return c > 0x20 && c < 0x7f;
}

static int hex(unsigned char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Checks s[0..len) raw and percent-decoded (plus_is_space: '+' decodes to a space, as in a
 * query): every raw byte printable ASCII, no decoded byte a control character or a backslash.
 * A malformed escape fails. *leading_slashes gets how many '/' the decoded text starts with
 * (counted up to 2). */
static bool clean(const char *s, size_t len, bool plus_is_space, int *leading_slashes)
{
    int slashes = 0;
    bool at_start = true;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!printable(c)) return false;
        if (c == '%') {
            if (i + 2 >= len) return false;
            int h = hex((unsigned char)s[i + 1]), l = hex((unsigned char)s[i + 2]);
            if (h < 0 || l < 0) return false;
            c = (unsigned char)(h * 16 + l);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            c = ' ';
        }
        if (c < 0x20 || c == 0x7f) return false;
        if (c == '\\') return false;
        if (at_start && c == '/' && slashes < 2) {
            slashes++;
        } else {
            at_start = false;
        }
    }
    *leading_slashes = slashes;
    return true;
}

const char *local_target(arena_t *a, const char *next, path_known_fn known)
{
    if (!next || next[0] != '/') return NULL;
    size_t len = strlen(next);
    if (len > LOCAL_TARGET_MAX) return NULL;
    size_t path_len = strcspn(next, "?#");
    int slashes = 0;
    if (!clean(next, path_len, false, &slashes) || slashes != 1) return NULL;
    char *path = arena_strndup(a, next, path_len);
    if (!known || !known(path)) return NULL;
    if (next[path_len] != '?') return path;
    const char *query = next + path_len + 1;
    size_t query_len = strcspn(query, "#");
    int ignored;
    if (query_len == 0 || !clean(query, query_len, true, &ignored)) return path;
    return arena_strndup(a, next, path_len + 1 + query_len);
}
