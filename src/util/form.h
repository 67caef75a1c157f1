/* Parsers for what a browser sends: urlencoded forms and query strings, cookies, Accept-Language.
 */
#ifndef COBRO_FORM_H
#define COBRO_FORM_H
#include "arena.h"
#include <stdbool.h>
#include <stddef.h>

typedef struct {
    const char *name;
    const char *value;
} kv_t;

typedef struct {
    kv_t *items;
    size_t n;
} kvlist_t;

typedef enum {
    PARSE_OK = 0,
    PARSE_MALFORMED, /* bad percent escape, invalid UTF-8, control character */
    PARSE_TOO_LARGE, /* more fields or bytes than allowed */
} parse_status_t;

enum { FORM_MAX_FIELDS = 64, COOKIE_MAX = 32 };

/* Parses application/x-www-form-urlencoded data (also query strings). Names and values are
 * percent-decoded ('+' is a space), must be valid UTF-8 and hold no control characters other
 * than tab, CR and LF (CR LF in values is folded to LF). At most max_fields fields. */
parse_status_t form_parse(arena_t *a, const char *data, size_t len, size_t max_fields,
                          kvlist_t *out);

/* form_parse for a POST body: control characters other than NUL (a lone CR, TAB, VT, ESC, DEL...)
 * are kept, so that each field refuses them with its own message and the form comes back as
 * typed; CR LF is still folded to LF. Field names stay as strict as form_parse's. */
parse_status_t form_parse_body(arena_t *a, const char *data, size_t len, size_t max_fields,
                               kvlist_t *out);

/* A copy of valid UTF-8 s for showing back in a form: C0 control characters (LF too unless
 * keep_lf) and DEL become their Unicode control pictures (U+2400..U+241F, U+2421), C1 ones
 * U+FFFD, so that the reader sees where they were. */
char *controls_visible(arena_t *a, const char *s, bool keep_lf);

/* Parses a Cookie header ("a=1; b=2"). Malformed pairs are skipped, as browsers do. */
void cookies_parse(arena_t *a, const char *header, kvlist_t *out);

/* First value named name, or NULL. */
const char *kv_get(const kvlist_t *list, const char *name);

/* True when s is valid UTF-8 of len bytes (no overlongs, no surrogates, nothing past U+10FFFF). */
bool utf8_valid(const char *s, size_t len);
/* Number of code points in valid UTF-8 s. */
size_t utf8_length(const char *s);

/* Trims ASCII white space at both ends, in place; returns s. */
char *str_trim(char *s);

#endif
