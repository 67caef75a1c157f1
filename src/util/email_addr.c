/* Syntax checks for what people type as emails and User IDs (see email_addr.h). */
#include "email_addr.h"

#include <string.h>

static bool is_alnum(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* RFC 5322 atext: printable ASCII except specials, space and the double quote. */
static bool is_atext(char c)
{
    return is_alnum(c) || (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* Dot-atom: atext runs separated by single dots, no dot at either end. */
static bool local_part_ok(const char *s, size_t n)
{
    if (n == 0) return false;
    if (s[0] == '.' || s[n - 1] == '.') return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '.') {
            if (s[i + 1] == '.') return false;
        } else if (!is_atext(s[i])) {
            return false;
        }
    }
    return true;
}

static bool label_ok(const char *s, size_t n)
{
    if (n == 0 || n > 63) return false;
    if (s[0] == '-' || s[n - 1] == '-') return false;
    for (size_t i = 0; i < n; i++)
        if (!is_alnum(s[i]) && s[i] != '-') return false;
    return true;
}

/* Labels separated by dots; at least two labels. */
static bool domain_ok(const char *s, size_t n)
{
    size_t labels = 0, start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == '.') {
            if (!label_ok(s + start, i - start)) return false;
            labels++;
            start = i + 1;
        }
    }
    return labels >= 2;
}

bool email_valid(const char *s)
{
    if (!s) return false;
    size_t len = strnlen(s, EMAIL_MAX + 1);
    if (len == 0 || len > EMAIL_MAX) return false;
    const char *at = strchr(s, '@');
    if (!at || strchr(at + 1, '@')) return false;
    size_t local_len = (size_t)(at - s);
    return local_part_ok(s, local_len) && domain_ok(at + 1, len - local_len - 1);
}

char *ascii_lower(char *s)
{
    if (!s) return s;
    for (char *p = s; *p; p++)
        if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
    return s;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

void email_addr_part(const char *from, char *out, unsigned n)
{
    if (!out || n == 0) return;
    out[0] = '\0';
    if (!from) return;
    const char *start = from, *end = from + strlen(from);
    const char *lt = strrchr(from, '<');
    if (lt) {
        const char *gt = strchr(lt + 1, '>');
        if (gt) {
            start = lt + 1;
            end = gt;
        }
    }
    while (start < end && is_space(*start))
        start++;
    while (end > start && is_space(end[-1]))
        end--;
    size_t len = (size_t)(end - start);
    if (len >= n) len = n - 1;
    memcpy(out, start, len);
    out[len] = '\0';
}
