/* HTML output with escaping on by default, plus URL encoding. */
#ifndef COBRO_HTML_H
#define COBRO_HTML_H
#include "buf.h"
#include <stdint.h>

/* Appends s escaped for HTML text and for double- or single-quoted attribute values:
 * & < > " ' become entities. NULL appends nothing. */
void html_escape(buf_t *out, const char *s);

/* Appends s percent-encoded for a URL query component (RFC 3986 unreserved kept). */
void url_encode(buf_t *out, const char *s);

/* Template output. Literal text of tpl is copied as is (it is the program's own markup); the
 * directives take one argument each:
 *   %s  a string, HTML-escaped (NULL prints nothing)
 *   %u  a string, percent-encoded for a URL query component, then HTML-escaped
 *   %d  an int          %L  an int64_t
 *   %R  a string of trusted HTML, copied raw: only for markup the program itself built
 *   %%  a percent sign
 * Any other directive aborts in debug builds: a template bug must not reach users. */
void html_render(buf_t *out, const char *tpl, ...);

/* Like html_render with only %s, %d, %L, but the literal text is escaped too: for translated
 * sentences, whose wording comes from the catalogs rather than from the program's markup. */
void html_text(buf_t *out, const char *fmt, ...);

#endif
