/* HTTP/1.x request heads and chunked bodies, parsed in place (see http1.h). */
#include "http1.h"

#include <string.h>
#include <strings.h>

/* The end of the line starting at p (its LF), or NULL. */
static char *line_end(char *p, char *end)
{
    return memchr(p, '\n', (size_t)(end - p));
}

/* Cuts the line [p, lf) off: its CR too. Returns its end (where the NUL went). */
static char *cut(char *p, char *lf)
{
    char *e = lf > p && lf[-1] == '\r' ? lf - 1 : lf;
    *e = '\0';
    return e;
}

static bool is_lws(char c)
{
    return c == ' ' || c == '\t';
}

static bool name_is(const char *name, size_t n, const char *want, size_t wn)
{
    return n == wn && strncasecmp(name, want, n) == 0;
}

#define NAME_IS(name, n, lit) name_is((name), (n), "" lit, sizeof(lit) - 1)

/* A decimal number of at most 18 digits, all of s; -1 otherwise. */
static int64_t decimal(const char *s)
{
    if (!*s) return -1;
    int64_t v = 0;
    int digits = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || ++digits > 18) return -1;
        v = v * 10 + (*s - '0');
    }
    return v;
}

static bool version_of(const char *v, int *major, int *minor)
{
    /* HTTP/1.0 and HTTP/1.1 (any minor digit, as libevent read it); no other major. */
    if (strncmp(v, "HTTP/1.", 7) != 0 || v[7] < '0' || v[7] > '9' || v[8] != '\0') return false;
    *major = 1;
    *minor = v[7] - '0';
    return true;
}

/* Splits the request target into path and query: origin form, or absolute form whose scheme and
 * authority are dropped. The fragment, if a client sent one, is not part of either. */
/* Splits the request target into path and query: origin form, or absolute form whose scheme and
 * authority are dropped. A fragment, if a client sent one, belongs to neither. */
static void split_target(char *t, http1_req_t *out)
{
    size_t scheme = strncasecmp(t, "http://", 7) == 0    ? 7
                    : strncasecmp(t, "https://", 8) == 0 ? 8
                                                         : 0;
    if (scheme) t += scheme + strcspn(t + scheme, "/?#");
    char *hash = strchr(t, '#');
    if (hash) *hash = '\0';
    char *q = strchr(t, '?');
    if (q) {
        *q = '\0';
        out->query = q + 1;
        out->query_len = strlen(q + 1);
    }
    out->path = *t ? t : "/";
}

long http1_parse(char *buf, size_t len, size_t max, size_t *scanned, http1_req_t *out)
{
    char *p = buf, *end = buf + len;
    while (p < end && (*p == '\r' || *p == '\n'))
        p++;
    /* Where the head ends: an empty line. The search starts again where the last one stopped,
     * at the start of a line, so that a head trickled in does not cost its length squared. */
    char *head_end = NULL, *at = p;
    if (scanned && *scanned > (size_t)(p - buf) && *scanned <= len) at = buf + *scanned;
    for (char *lf; at < end && (lf = line_end(at, end)); at = lf + 1) {
        if (lf == at || (lf == at + 1 && *at == '\r')) {
            head_end = lf + 1;
            break;
        }
    }
    if (!head_end) {
        if (scanned) *scanned = (size_t)(at - buf);
        return len > max ? HTTP1_TOO_LARGE : HTTP1_MORE;
    }
    if ((size_t)(head_end - buf) > max) return HTTP1_TOO_LARGE;

    memset(out, 0, sizeof *out);
    out->content_length = -1;
    /* The request line: method SP target SP version. */
    char *lf = line_end(p, head_end);
    cut(p, lf);
    char *sp1 = strchr(p, ' ');
    if (!sp1 || sp1 == p) return HTTP1_BAD;
    *sp1 = '\0';
    char *target = sp1 + 1;
    char *sp2 = strchr(target, ' ');
    if (!sp2 || sp2 == target) return HTTP1_BAD;
    *sp2 = '\0';
    if (!version_of(sp2 + 1, &out->major, &out->minor)) return HTTP1_BAD;
    out->method = p;
    split_target(target, out);

    for (char *s = lf + 1; s < head_end; s = lf + 1) {
        lf = line_end(s, head_end);
        char *e = cut(s, lf);
        if (e == s) break;                /* the blank line */
        if (is_lws(*s)) return HTTP1_BAD; /* obsolete line folding */
        char *colon = memchr(s, ':', (size_t)(e - s));
        if (!colon || colon == s) return HTTP1_BAD;
        size_t n = (size_t)(colon - s);
        char *v = colon + 1;
        while (is_lws(*v))
            v++;
        char *ve = e;
        while (ve > v && is_lws(ve[-1]))
            ve--;
        *ve = '\0';
        out->headers_size += n + (size_t)(ve - v) + 4;
        switch (n) {
        case 6:
            if (NAME_IS(s, n, "Cookie") && !out->cookie)
                out->cookie = v;
            else if (NAME_IS(s, n, "Expect") && strcasecmp(v, "100-continue") == 0)
                out->expect_continue = true;
            break;
        case 10:
            if (NAME_IS(s, n, "User-Agent") && !out->user_agent)
                out->user_agent = v;
            else if (NAME_IS(s, n, "Connection")) {
                if (strcasecmp(v, "close") == 0)
                    out->conn_close = true;
                else if (strcasecmp(v, "keep-alive") == 0)
                    out->conn_keep_alive = true;
            }
            break;
        case 12:
            if (NAME_IS(s, n, "Content-Type") && !out->content_type) out->content_type = v;
            break;
        case 14:
            if (NAME_IS(s, n, "Content-Length")) {
                int64_t cl = decimal(v);
                /* Two different lengths, or one that is not a number: the framing is unknown. */
                if (cl < 0 || (out->content_length >= 0 && out->content_length != cl))
                    return HTTP1_BAD;
                out->content_length = cl;
            }
            break;
        case 16:
            if (NAME_IS(s, n, "Stripe-Signature") && !out->signature) out->signature = v;
            break;
        case 15:
            if (NAME_IS(s, n, "Accept-Language") && !out->accept_language)
                out->accept_language = v;
            else if (NAME_IS(s, n, "X-Forwarded-For")) {
                if (out->n_xff == HTTP1_XFF_MAX) return HTTP1_BAD;
                out->xff[out->n_xff++] = v;
            }
            break;
        case 17:
            if (NAME_IS(s, n, "Transfer-Encoding")) {
                if (strcasecmp(v, "chunked") != 0) return HTTP1_BAD; /* nothing else is read */
                out->chunked = true;
            }
            break;
        default:
            break;
        }
    }
    /* Both framings at once is how requests are smuggled past a proxy: refused. */
    if (out->chunked && out->content_length >= 0) return HTTP1_BAD;
    return (long)(head_end - buf);
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* One pass over the encoding: when write is true, moves each chunk's data down to buf. */
static long dechunk(char *buf, size_t len, size_t max, size_t *body_len, bool write)
{
    char *p = buf, *end = buf + len;
    size_t out = 0;
    for (;;) {
        char *lf = line_end(p, end);
        if (!lf) return len > max + 4096 ? HTTP1_BAD : HTTP1_MORE;
        size_t size = 0;
        int digits = 0;
        char *s = p;
        for (int d; s < lf && (d = hex_digit(*s)) >= 0; s++) {
            if (++digits > 8) return HTTP1_BAD;
            size = size * 16 + (size_t)d;
        }
        if (digits == 0 || (s < lf && *s != ';' && *s != '\r' && !is_lws(*s))) return HTTP1_BAD;
        p = lf + 1;
        if (size == 0) {
            /* Trailers, up to an empty line. */
            for (;;) {
                lf = line_end(p, end);
                if (!lf) return HTTP1_MORE;
                bool empty = lf == p || (lf == p + 1 && *p == '\r');
                p = lf + 1;
                if (empty) break;
            }
            *body_len = out;
            return (long)(p - buf);
        }
        if (out + size > max) return HTTP1_TOO_LARGE;
        if ((size_t)(end - p) < size + 1) return HTTP1_MORE;
        if (write) memmove(buf + out, p, size);
        out += size;
        p += size;
        if (*p == '\r') {
            if (p + 1 >= end) return HTTP1_MORE;
            p++;
        }
        if (*p != '\n') return HTTP1_BAD;
        p++;
    }
}

long http1_dechunk(char *buf, size_t len, size_t max, size_t *body_len)
{
    long r = dechunk(buf, len, max, body_len, false);
    if (r > 0) dechunk(buf, len, max, body_len, true);
    return r;
}
