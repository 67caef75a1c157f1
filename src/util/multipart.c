/* multipart/form-data bodies: found by their boundary, each part's headers read strictly, the data
 * left in place (a 5 MB file is not copied). */
#include "multipart.h"

#include <string.h>
#include <strings.h>

static const char *find(const char *hay, size_t hay_len, const char *needle, size_t n)
{
    if (n == 0 || hay_len < n) return NULL;
    for (size_t i = 0; i + n <= hay_len; i++) {
        const char *p = memchr(hay + i, needle[0], hay_len - n + 1 - i);
        if (!p) return NULL;
        i = (size_t)(p - hay);
        if (memcmp(p, needle, n) == 0) return p;
    }
    return NULL;
}

/* RFC 2046's bchars, without the space (which may not end it and browsers never send). */
static bool boundary_char(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           strchr("'()+_,-./:=?", c) != NULL;
}

const char *multipart_boundary(arena_t *a, const char *content_type)
{
    if (!content_type || strncasecmp(content_type, "multipart/form-data", 19) != 0) return NULL;
    const char *p = content_type + 19;
    while (*p) {
        while (*p == ';' || *p == ' ' || *p == '\t')
            p++;
        if (strncasecmp(p, "boundary=", 9) == 0) {
            p += 9;
            bool quoted = *p == '"';
            if (quoted) p++;
            size_t n = 0;
            while (p[n] && p[n] != '"' && p[n] != ';' && !(!quoted && (p[n] == ' ')))
                n++;
            if (quoted && p[n] != '"') return NULL;
            if (n == 0 || n > MULTIPART_BOUNDARY_MAX) return NULL;
            for (size_t i = 0; i < n; i++)
                if (!boundary_char(p[i])) return NULL;
            return arena_strndup(a, p, n);
        }
        while (*p && *p != ';') /* another parameter: skipped */
            p++;
    }
    return NULL;
}

/* The value of parameter key in a Content-Disposition's parameters (hdr, NUL-terminated):
 * quoted (browsers percent-encode a quote and line breaks in it) or a token. NULL when absent or
 * malformed. The key must start a parameter ("name" never matches inside "filename"). */
static const char *param(arena_t *a, const char *hdr, const char *key, bool *bad)
{
    size_t k = strlen(key);
    for (const char *p = hdr; (p = strchr(p, ';')) != NULL;) {
        p++;
        while (*p == ' ' || *p == '\t')
            p++;
        if (strncasecmp(p, key, k) != 0 || p[k] != '=') continue;
        p += k + 1;
        if (*p == '"') {
            const char *end = strchr(p + 1, '"');
            if (!end) {
                *bad = true;
                return NULL;
            }
            return arena_strndup(a, p + 1, (size_t)(end - p - 1));
        }
        size_t n = strcspn(p, "; \t");
        return arena_strndup(a, p, n);
    }
    return NULL;
}

static bool clean_text(const char *s)
{
    if (!utf8_valid(s, strlen(s))) return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f) return false;
    return true;
}

/* Reads the header lines of one part (head, head_len bytes without the blank line). */
static parse_status_t part_headers(arena_t *a, const char *head, size_t head_len,
                                   multipart_part_t *out)
{
    if (head_len > MULTIPART_HEADERS_MAX) return PARSE_TOO_LARGE;
    char *copy = arena_strndup(a, head, head_len);
    if (strlen(copy) != head_len) return PARSE_MALFORMED; /* a NUL in the headers */
    bool have_disposition = false;
    out->content_type = "";
    for (char *line = copy; line && *line;) {
        char *next = strstr(line, "\r\n");
        if (next) *next = '\0', next += 2;
        char *colon = strchr(line, ':');
        if (!colon || !clean_text(line)) return PARSE_MALFORMED;
        *colon = '\0';
        char *value = colon + 1;
        while (*value == ' ' || *value == '\t')
            value++;
        if (strcasecmp(line, "Content-Disposition") == 0) {
            if (have_disposition || strncasecmp(value, "form-data", 9) != 0 ||
                (value[9] != '\0' && value[9] != ';' && value[9] != ' '))
                return PARSE_MALFORMED;
            have_disposition = true;
            bool bad = false;
            out->name = param(a, value, "name", &bad);
            out->filename = param(a, value, "filename", &bad);
            if (bad || !out->name || !*out->name || !clean_text(out->name) ||
                (out->filename && !clean_text(out->filename)))
                return PARSE_MALFORMED;
        } else if (strcasecmp(line, "Content-Type") == 0) {
            out->content_type = value;
        }
        line = next;
    }
    return have_disposition ? PARSE_OK : PARSE_MALFORMED;
}

parse_status_t multipart_parse(arena_t *a, const char *content_type, const char *body, size_t len,
                               size_t max_parts, multipart_part_t **parts, size_t *n)
{
    *parts = NULL;
    *n = 0;
    const char *boundary = multipart_boundary(a, content_type);
    if (!boundary || !body) return PARSE_MALFORMED;
    /* "\r\n--boundary": the delimiter before every part but a first that opens the body. */
    char *delim = arena_printf(a, "\r\n--%s", boundary);
    size_t dlen = strlen(delim);
    const char *p;
    if (len >= dlen - 2 && memcmp(body, delim + 2, dlen - 2) == 0) {
        p = body + dlen - 2;
    } else { /* a preamble before the first delimiter is allowed, and ignored */
        const char *first = find(body, len, delim, dlen);
        if (!first) return PARSE_MALFORMED;
        p = first + dlen;
    }
    const char *end = body + len;
    multipart_part_t *list = arena_alloc(a, max_parts * sizeof *list);
    size_t count = 0;
    for (;;) {
        /* After a delimiter: "--" closes the body, CRLF opens a part (transport padding of
         * spaces and tabs before either is allowed). */
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        if (end - p >= 2 && p[0] == '-' && p[1] == '-') break;
        if (end - p < 2 || p[0] != '\r' || p[1] != '\n') return PARSE_MALFORMED;
        p += 2;
        if (count == max_parts) return PARSE_TOO_LARGE;
        const char *blank = find(p, (size_t)(end - p), "\r\n\r\n", 4);
        multipart_part_t part = {0};
        if (p + 2 <= end && p[0] == '\r' && p[1] == '\n') return PARSE_MALFORMED; /* no headers */
        if (!blank)
            return (size_t)(end - p) > MULTIPART_HEADERS_MAX ? PARSE_TOO_LARGE : PARSE_MALFORMED;
        parse_status_t st = part_headers(a, p, (size_t)(blank - p), &part);
        if (st != PARSE_OK) return st;
        const char *data = blank + 4;
        const char *stop = find(data, (size_t)(end - data), delim, dlen);
        if (!stop) return PARSE_MALFORMED; /* no closing delimiter */
        part.len = (size_t)(stop - data);
        if (part.filename) {
            part.data = data;
        } else {
            char *text = arena_strndup(a, data, part.len);
            if (strlen(text) != part.len || !utf8_valid(text, part.len)) return PARSE_MALFORMED;
            part.data = text;
        }
        list[count++] = part;
        p = stop + dlen;
    }
    *parts = list;
    *n = count;
    return PARSE_OK;
}
