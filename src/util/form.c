/* Parsers for what a browser sends: urlencoded forms and query strings, cookies. */
#include "form.h"

#include <string.h>

bool utf8_valid(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str, *end = s + len;
    while (s < end) {
        unsigned c = *s;
        size_t n;
        unsigned cp, min;
        if (c < 0x80) {
            s++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            n = 1, cp = c & 0x1F, min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2, cp = c & 0x0F, min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            n = 3, cp = c & 0x07, min = 0x10000;
        } else {
            return false;
        }
        if ((size_t)(end - s) <= n) return false;
        for (size_t i = 1; i <= n; i++) {
            if ((s[i] & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (s[i] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        s += n + 1;
    }
    return true;
}

size_t utf8_length(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80) n++;
    return n;
}

char *str_trim(char *s)
{
    char *start = s;
    while (*start == ' ' || *start == '\t' || *start == '\r' || *start == '\n')
        start++;
    size_t n = strlen(start);
    while (n > 0 && (start[n - 1] == ' ' || start[n - 1] == '\t' || start[n - 1] == '\r' ||
                     start[n - 1] == '\n'))
        n--;
    memmove(s, start, n);
    s[n] = '\0';
    return s;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Decodes one urlencoded component into arena memory; NULL when it is malformed. With
 * keep_controls, control characters other than NUL stay for the fields' own checks. */
static char *decode_component(arena_t *a, const char *s, size_t len, bool keep_controls)
{
    char *out = arena_alloc(a, len + 1);
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            if (i + 2 >= len) return NULL;
            int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
            if (hi < 0 || lo < 0) return NULL;
            c = (char)(hi * 16 + lo);
            i += 2;
        }
        unsigned char u = (unsigned char)c;
        if (u == '\r' && !keep_controls) continue; /* CR LF becomes LF, a lone CR vanishes */
        if (u == '\n' && o > 0 && out[o - 1] == '\r') o--; /* CR LF becomes LF */
        if (u == 0) return NULL;                           /* would cut the C string short */
        if (!keep_controls && ((u < 0x20 && u != '\t' && u != '\n') || u == 0x7F)) return NULL;
        out[o++] = c;
    }
    out[o] = '\0';
    if (!utf8_valid(out, o)) return NULL;
    return out;
}

static parse_status_t parse(arena_t *a, const char *data, size_t len, size_t max_fields,
                            bool keep_controls, kvlist_t *out)
{
    out->items = NULL;
    out->n = 0;
    if (!data || len == 0) return PARSE_OK;
    size_t fields = 1;
    for (size_t i = 0; i < len; i++)
        if (data[i] == '&') fields++;
    if (fields > max_fields) return PARSE_TOO_LARGE;
    out->items = arena_alloc(a, fields * sizeof(kv_t));
    size_t start = 0;
    while (start <= len) {
        size_t end = start;
        while (end < len && data[end] != '&')
            end++;
        if (end > start) {
            size_t eq = start;
            while (eq < end && data[eq] != '=')
                eq++;
            char *name = decode_component(a, data + start, eq - start, false);
            char *value = eq < end ? decode_component(a, data + eq + 1, end - eq - 1, keep_controls)
                                   : arena_strdup(a, "");
            if (!name || !value) return PARSE_MALFORMED;
            out->items[out->n].name = name;
            out->items[out->n].value = value;
            out->n++;
        }
        start = end + 1;
    }
    return PARSE_OK;
}

parse_status_t form_parse(arena_t *a, const char *data, size_t len, size_t max_fields,
                          kvlist_t *out)
{
    return parse(a, data, len, max_fields, false, out);
}

parse_status_t form_parse_body(arena_t *a, const char *data, size_t len, size_t max_fields,
                               kvlist_t *out)
{
    return parse(a, data, len, max_fields, true, out);
}

char *controls_visible(arena_t *a, const char *s, bool keep_lf)
{
    if (!s) return NULL;
    /* Each byte becomes at most three (a control picture is three bytes of UTF-8). */
    char *out = arena_alloc(a, strlen(s) * 3 + 1), *o = out;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned c = *p;
        if ((c < 0x20 && !(c == '\n' && keep_lf)) || c == 0x7F) {
            unsigned pic = c == 0x7F ? 0x2421 : 0x2400 + c; /* U+2400 CONTROL PICTURES */
            *o++ = (char)(0xE0 | (pic >> 12));
            *o++ = (char)(0x80 | ((pic >> 6) & 0x3F));
            *o++ = (char)(0x80 | (pic & 0x3F));
        } else if (c == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F) {
            memcpy(o, "\xEF\xBF\xBD", 3); /* C1 has no pictures: U+FFFD */
            o += 3;
            p++;
        } else {
            *o++ = (char)c;
        }
    }
    *o = '\0';
    return out;
}

void cookies_parse(arena_t *a, const char *header, kvlist_t *out)
{
    out->items = arena_alloc(a, COOKIE_MAX * sizeof(kv_t));
    out->n = 0;
    if (!header) return;
    const char *p = header;
    while (*p && out->n < COOKIE_MAX) {
        while (*p == ' ' || *p == ';')
            p++;
        const char *name = p;
        while (*p && *p != '=' && *p != ';')
            p++;
        if (*p != '=') continue;
        size_t name_len = (size_t)(p - name);
        const char *value = ++p;
        while (*value == ' ' || *value == '\t')
            value++;
        p = value;
        while (*p && *p != ';')
            p++;
        size_t value_len = (size_t)(p - value);
        while (value_len > 0 && value[value_len - 1] == ' ')
            value_len--;
        if (value_len >= 2 && value[0] == '"' && value[value_len - 1] == '"') {
            value++;
            value_len -= 2;
        }
        while (name_len > 0 && name[name_len - 1] == ' ')
            name_len--;
        if (name_len == 0) continue;
        out->items[out->n].name = arena_strndup(a, name, name_len);
        out->items[out->n].value = arena_strndup(a, value, value_len);
        out->n++;
    }
}

const char *kv_get(const kvlist_t *list, const char *name)
{
    for (size_t i = 0; i < list->n; i++)
        if (strcmp(list->items[i].name, name) == 0) return list->items[i].value;
    return NULL;
}
