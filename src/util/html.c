/* HTML output with escaping on by default, plus URL encoding. */
#include "html.h"

#include <assert.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* The bytes html_escape replaces: a table, so that runs of ordinary text are scanned fast. */
static const bool special[256] = {
    ['&'] = true, ['<'] = true, ['>'] = true, ['"'] = true, ['\''] = true};
/* The same, stopping also at the NUL that ends a string. */
static const bool stop[256] = {
    ['\0'] = true, ['&'] = true, ['<'] = true, ['>'] = true, ['"'] = true, ['\''] = true};

static const char *entity(char c)
{
    switch (c) {
    case '&':
        return "&amp;";
    case '<':
        return "&lt;";
    case '>':
        return "&gt;";
    case '"':
        return "&quot;";
    default:
        return "&#39;";
    }
}

void html_escape(buf_t *out, const char *s)
{
    if (!s) return;
    /* One table look-up per byte: the values are short (a number, a date, a label), where
     * strcspn's set-up cost more than the scan. */
    for (;;) {
        const unsigned char *p = (const unsigned char *)s;
        while (!stop[*p])
            p++;
        buf_append(out, s, (size_t)((const char *)p - s));
        if (!*p) return;
        buf_puts(out, entity((char)*p));
        s = (const char *)p + 1;
    }
}

/* html_escape of the first n bytes of s (a template's literal text, not NUL-terminated there). */
static void escape_n(buf_t *out, const char *s, size_t n)
{
    const char *run = s, *end = s + n;
    for (const char *p = s; p < end; p++) {
        if (!special[(unsigned char)*p]) continue;
        buf_append(out, run, (size_t)(p - run));
        buf_puts(out, entity(*p));
        run = p + 1;
    }
    buf_append(out, run, (size_t)(end - run));
}

void url_encode(buf_t *out, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    if (!s) return;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char c = *p;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            buf_putc(out, (char)c);
        } else {
            char enc[3] = {'%', hex[c >> 4], hex[c & 15]};
            buf_append(out, enc, 3);
        }
    }
}

/* Decimal text of v: printf's machinery is the slowest part of a page for a few integers. */
static void put_int(buf_t *out, int64_t v)
{
    char digits[24];
    int n = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        digits[sizeof digits - 1 - n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) digits[sizeof digits - 1 - n++] = '-';
    buf_append(out, digits + sizeof digits - n, (size_t)n);
}

static void render(buf_t *out, const char *tpl, bool escape_literal, va_list ap)
{
    const char *run = tpl;
    for (const char *p = tpl;; p++) {
        p = strchrnul(p, '%'); /* the literal text up to the next directive, in one step */
        if (!*p) break;
        if (escape_literal) {
            escape_n(out, run, (size_t)(p - run));
        } else {
            buf_append(out, run, (size_t)(p - run));
        }
        p++;
        switch (*p) {
        case 's':
            html_escape(out, va_arg(ap, const char *));
            break;
        case 'd':
            put_int(out, va_arg(ap, int));
            break;
        case 'L':
            put_int(out, va_arg(ap, int64_t));
            break;
        case 'u':
            if (!escape_literal) {
                buf_t enc;
                buf_init(&enc, out->arena);
                url_encode(&enc, va_arg(ap, const char *));
                html_escape(out, enc.data);
                break;
            }
            /* fall through */
        case 'R':
            if (!escape_literal) {
                const char *raw = va_arg(ap, const char *);
                if (raw) buf_puts(out, raw);
                break;
            }
            /* fall through */
        case '%':
            if (*p == '%') {
                buf_putc(out, '%');
                break;
            }
            /* fall through */
        default:
            assert(!"html_render: unknown directive");
            if (*p == '\0') return;
            break;
        }
        run = p + 1;
    }
    if (escape_literal)
        html_escape(out, run);
    else
        buf_puts(out, run);
}

void html_render(buf_t *out, const char *tpl, ...)
{
    va_list ap;
    va_start(ap, tpl);
    render(out, tpl, false, ap);
    va_end(ap);
}

void html_text(buf_t *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    render(out, fmt, true, ap);
    va_end(ap);
}
