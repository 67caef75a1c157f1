/* A strict parser for multipart/form-data request bodies (RFC 7578): the file uploads of the
 * staff console. */
#ifndef COBRO_MULTIPART_H
#define COBRO_MULTIPART_H
#include "arena.h"
#include "form.h"
#include <stddef.h>

enum {
    MULTIPART_MAX_PARTS = 16,         /* parts a body may carry */
    MULTIPART_HEADERS_MAX = 4 * 1024, /* the header lines of one part, together */
    MULTIPART_BOUNDARY_MAX = 70,      /* RFC 2046 */
};

typedef struct multipart_part {
    const char *name;         /* the form field's name (valid UTF-8, no control characters) */
    const char *filename;     /* the file's name as sent (may be ""); NULL: a text field */
    const char *content_type; /* the part's Content-Type, "" when not sent */
    const char *data;         /* its bytes: into the body for a file, a NUL-terminated copy
                                 for a text field */
    size_t len;
} multipart_part_t;

/* The boundary of a multipart/form-data Content-Type (arena copy), or NULL when the header is not
 * one or its boundary is missing, empty, longer than 70 or made of characters RFC 2046 refuses. */
const char *multipart_boundary(arena_t *a, const char *content_type);

/* Splits body (len bytes) into its parts, at most max_parts. Every part must carry a
 * Content-Disposition: form-data with a name; headers are at most MULTIPART_HEADERS_MAX bytes;
 * the closing delimiter must be there. PARSE_TOO_LARGE for too many parts or headers too long,
 * PARSE_MALFORMED for anything else out of shape (nothing is returned then). */
parse_status_t multipart_parse(arena_t *a, const char *content_type, const char *body, size_t len,
                               size_t max_parts, multipart_part_t **parts, size_t *n);

#endif
