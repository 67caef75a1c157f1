/* Case- and accent-insensitive names, for matching what someone says on the phone with what a
 * record holds (the cardholder name on file). Only the Latin-1 Supplement and Latin Extended-A
 * letters are folded: the names card networks carry. */
#include "fold.h"
#include "buf.h"
#include "form.h"

#include <string.h>

/* The plain letters of U+00C0..U+017F, index code point - 0xC0; NULL for the two signs among
 * them (× and ÷), kept as they are. */
static const char *const latin[0x180 - 0xC0] = {
    /* C0 */ "a",  "a", "a",  "a",  "a", "a", "ae", "c",
    "e",           "e", "e",  "e",  "i", "i", "i",  "i",
    /* D0 */ "d",  "n", "o",  "o",  "o", "o", "o",  NULL,
    "o",           "u", "u",  "u",  "u", "y", "th", "ss",
    /* E0 */ "a",  "a", "a",  "a",  "a", "a", "ae", "c",
    "e",           "e", "e",  "e",  "i", "i", "i",  "i",
    /* F0 */ "d",  "n", "o",  "o",  "o", "o", "o",  NULL,
    "o",           "u", "u",  "u",  "u", "y", "th", "y",
    /* 100 */ "a", "a", "a",  "a",  "a", "a", "c",  "c",
    "c",           "c", "c",  "c",  "c", "c", "d",  "d",
    /* 110 */ "d", "d", "e",  "e",  "e", "e", "e",  "e",
    "e",           "e", "e",  "e",  "g", "g", "g",  "g",
    /* 120 */ "g", "g", "g",  "g",  "h", "h", "h",  "h",
    "i",           "i", "i",  "i",  "i", "i", "i",  "i",
    /* 130 */ "i", "i", "ij", "ij", "j", "j", "k",  "k",
    "k",           "l", "l",  "l",  "l", "l", "l",  "l",
    /* 140 */ "l", "l", "l",  "n",  "n", "n", "n",  "n",
    "n",           "n", "n",  "n",  "o", "o", "o",  "o",
    /* 150 */ "o", "o", "oe", "oe", "r", "r", "r",  "r",
    "r",           "r", "s",  "s",  "s", "s", "s",  "s",
    /* 160 */ "s", "s", "t",  "t",  "t", "t", "t",  "t",
    "u",           "u", "u",  "u",  "u", "u", "u",  "u",
    /* 170 */ "u", "u", "u",  "u",  "w", "w", "y",  "y",
    "y",           "z", "z",  "z",  "z", "z", "z",  "s",
};

static bool separator(unsigned c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '.' || c == '-' || c == '\'' ||
           c == 0xA0 || c == 0x2019 || c == 0x2010 || c == 0x2011;
}

/* The code point at *p (valid UTF-8), advancing *p past it. */
static unsigned next_cp(const unsigned char **p)
{
    const unsigned char *s = *p;
    unsigned c = s[0];
    int n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (n == 2)
        c &= 0x1F;
    else if (n == 3)
        c &= 0x0F;
    else if (n == 4)
        c &= 0x07;
    for (int i = 1; i < n; i++)
        c = (c << 6) | (s[i] & 0x3F);
    *p = s + n;
    return c;
}

char *fold_name(arena_t *a, const char *s)
{
    if (!s || !utf8_valid(s, strlen(s))) return NULL;
    buf_t b;
    buf_init(&b, a);
    bool space = false;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        const unsigned char *start = p;
        unsigned c = next_cp(&p);
        if (separator(c)) {
            space = b.len > 0;
            continue;
        }
        if (space) buf_putc(&b, ' '), space = false;
        if (c < 0x80) {
            buf_putc(&b, (char)(c >= 'A' && c <= 'Z' ? c + 32 : c));
        } else if (c >= 0xC0 && c < 0x180 && latin[c - 0xC0]) {
            buf_puts(&b, latin[c - 0xC0]);
        } else {
            buf_append(&b, (const char *)start, (size_t)(p - start));
        }
    }
    return b.data ? b.data : arena_strdup(a, "");
}

bool fold_same_name(arena_t *a, const char *x, const char *y)
{
    const char *fx = fold_name(a, x), *fy = fold_name(a, y);
    return fx && fy && *fx && strcmp(fx, fy) == 0;
}
