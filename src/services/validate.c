/* Checks of what billing contacts type, and masking of bank numbers (see validate.h). */
#include "validate.h"

#include "util/email_addr.h"
#include "util/form.h"

#include <stdlib.h>
#include <string.h>

enum {
    POSTAL_OTHER_MAX = 16,
    PHONE_DIGITS_MIN = 7,
    PHONE_DIGITS_MAX = 20,
    PHONE_CHARS_MAX = 30, /* 20 digits with their usual separators fit easily */
    ACCOUNT_DIGITS_MIN = 4,
    ACCOUNT_DIGITS_MAX = 17,
    IBAN_MAX = 34, /* ISO 13616 */
    MASK_KEEP = 4,
};

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}
static bool is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}
static bool is_alpha(char c)
{
    return is_upper(c) || (c >= 'a' && c <= 'z');
}
static bool is_alnum(char c)
{
    return is_digit(c) || is_alpha(c);
}
static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Callers store the trimmed value, so checks judge that too; str_trim works in place and the
 * input is the caller's. NULL (allocation failure) is for the caller to refuse. */
static char *trimmed_copy(const char *s)
{
    char *copy = strdup(s ? s : "");
    return copy ? str_trim(copy) : NULL;
}

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_digit(s[i])) return false;
    return true;
}

/* True when s holds a control character: C0 (LF too unless lf_ok), DEL or C1. s is valid
 * UTF-8, so C1 characters are the two-byte sequences C2 80 to C2 9F. */
static bool has_control(const char *s, bool lf_ok)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '\n' && lf_ok) continue;
        if (*p < 0x20 || *p == 0x7F) return true;
        if (*p == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F) return true;
    }
    return false;
}

field_error_t check_one_line(const char *s)
{
    if (!s) return FIELD_OK;
    return utf8_valid(s, strlen(s)) && !has_control(s, false) ? FIELD_OK : FIELD_NOT_ONE_LINE;
}

/* Required and length rules of a trimmed value t (freed here): empty, or more than max
 * characters (UTF-8). */
static field_error_t check_presence_and_length(char *t, bool required, size_t max)
{
    field_error_t e = FIELD_OK;
    if (!*t)
        e = required ? FIELD_REQUIRED : FIELD_OK;
    else if (utf8_length(t) > max)
        e = FIELD_TOO_LONG;
    free(t);
    return e;
}

field_error_t check_lines(const char *s, bool required, size_t max)
{
    if (s && (!utf8_valid(s, strlen(s)) || has_control(s, true))) return FIELD_BAD_CHARS;
    char *t = trimmed_copy(s);
    if (!t) return FIELD_TOO_LONG;
    return check_presence_and_length(t, required, max);
}

field_error_t check_text(const char *s, bool required, size_t max)
{
    char *t = trimmed_copy(s);
    /* A value too big to copy is certainly too long; refusing beats passing it unchecked. */
    if (!t) return FIELD_TOO_LONG;
    /* Judged after the trim, as stored: white space around the value is not kept. */
    if (check_one_line(t)) {
        free(t);
        return FIELD_NOT_ONE_LINE;
    }
    return check_presence_and_length(t, required, max);
}

field_error_t check_email(const char *s)
{
    char *t = trimmed_copy(s);
    if (!t) return FIELD_TOO_LONG;
    /* Judged after the trim, as stored: white space around the value is not kept. */
    if (check_one_line(t)) {
        free(t);
        return FIELD_NOT_ONE_LINE;
    }
    field_error_t e = FIELD_OK;
    if (!*t)
        e = FIELD_REQUIRED;
    else if (strlen(t) > EMAIL_MAX)
        e = FIELD_TOO_LONG;
    else if (!email_valid(t))
        e = FIELD_BAD_EMAIL;
    free(t);
    return e;
}

field_error_t check_phone(const char *s, bool required)
{
    char *t = trimmed_copy(s);
    if (!t) return FIELD_TOO_LONG;
    /* Judged after the trim, as stored: white space around the value is not kept. */
    if (check_one_line(t)) {
        free(t);
        return FIELD_NOT_ONE_LINE;
    }
    field_error_t e = FIELD_OK;
    size_t digits = 0;
    if (!*t) {
        e = required ? FIELD_REQUIRED : FIELD_OK;
    } else {
        /* After the trim the first character is the first non-space one: the only place an
         * international prefix makes sense. */
        for (size_t i = 0; t[i]; i++) {
            char c = t[i];
            if (is_digit(c)) {
                digits++;
            } else if (c == '+') {
                if (i != 0) e = FIELD_BAD_PHONE;
            } else if (!strchr(" -()", c)) {
                e = FIELD_BAD_PHONE;
            }
        }
        if (digits < PHONE_DIGITS_MIN || digits > PHONE_DIGITS_MAX) e = FIELD_BAD_PHONE;
        if (strlen(t) > PHONE_CHARS_MAX) e = FIELD_TOO_LONG;
    }
    free(t);
    return e;
}

static field_error_t postal_check_trimmed(const char *t, const char *country)
{
    size_t len = strlen(t);
    if (len == 0) return FIELD_REQUIRED;
    if (strcmp(country, "US") == 0) {
        bool zip = len == 5 && all_digits(t, 5);
        bool zip4 = len == 10 && all_digits(t, 5) && t[5] == '-' && all_digits(t + 6, 4);
        return zip || zip4 ? FIELD_OK : FIELD_BAD_POSTAL;
    }
    if (strcmp(country, "IT") == 0 || strcmp(country, "FR") == 0 || strcmp(country, "ES") == 0 ||
        strcmp(country, "DE") == 0)
        return len == 5 && all_digits(t, 5) ? FIELD_OK : FIELD_BAD_POSTAL;
    if (utf8_length(t) > POSTAL_OTHER_MAX) return FIELD_TOO_LONG;
    for (size_t i = 0; i < len; i++)
        if (!is_alnum(t[i]) && t[i] != ' ' && t[i] != '-') return FIELD_BAD_POSTAL;
    return FIELD_OK;
}

field_error_t check_postal_code(const char *s, const char *country)
{
    char *t = trimmed_copy(s);
    if (!t) return FIELD_TOO_LONG;
    /* Judged after the trim, as stored: white space around the value is not kept. */
    if (check_one_line(t)) {
        free(t);
        return FIELD_NOT_ONE_LINE;
    }
    field_error_t e = postal_check_trimmed(t, country ? country : "");
    free(t);
    return e;
}

field_error_t check_aba_routing(const char *s)
{
    if (check_one_line(s)) return FIELD_NOT_ONE_LINE;
    if (!s || !*s) return FIELD_REQUIRED;
    if (strlen(s) != 9 || !all_digits(s, 9)) return FIELD_BAD_ROUTING;
    int d[9];
    for (int i = 0; i < 9; i++)
        d[i] = s[i] - '0';
    /* The first two digits name a Federal Reserve district (01-12), a thrift (21-32), an
     * electronic routing (61-72) or a traveller's check (80): 00... passes the checksum only. */
    int prefix = d[0] * 10 + d[1];
    bool district = (prefix >= 1 && prefix <= 12) || (prefix >= 21 && prefix <= 32) ||
                    (prefix >= 61 && prefix <= 72) || prefix == 80;
    int sum = 3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + (d[2] + d[5] + d[8]);
    return district && sum % 10 == 0 ? FIELD_OK : FIELD_BAD_ROUTING;
}

field_error_t check_us_account_number(const char *s)
{
    if (check_one_line(s)) return FIELD_NOT_ONE_LINE;
    if (!s || !*s) return FIELD_REQUIRED;
    size_t len = strlen(s);
    if (len < ACCOUNT_DIGITS_MIN || len > ACCOUNT_DIGITS_MAX || !all_digits(s, len))
        return FIELD_BAD_ACCOUNT;
    return FIELD_OK;
}

/* IBAN lengths from the SWIFT IBAN registry. A country missing here cannot be checked, so its
 * IBANs are refused rather than accepted blindly. */
static const struct {
    char cc[3];
    unsigned char len;
} iban_lengths[] = {
    {"AD", 24}, {"AE", 23}, {"AL", 28}, {"AT", 20}, {"AZ", 28}, {"BA", 20}, {"BE", 16}, {"BG", 22},
    {"BH", 22}, {"BR", 29}, {"BY", 28}, {"CH", 21}, {"CR", 22}, {"CY", 28}, {"CZ", 24}, {"DE", 22},
    {"DK", 18}, {"DO", 28}, {"EE", 20}, {"EG", 29}, {"ES", 24}, {"FI", 18}, {"FO", 18}, {"FR", 27},
    {"GB", 22}, {"GE", 22}, {"GI", 23}, {"GL", 18}, {"GR", 27}, {"GT", 28}, {"HR", 21}, {"HU", 28},
    {"IE", 22}, {"IL", 23}, {"IQ", 23}, {"IS", 26}, {"IT", 27}, {"JO", 30}, {"KW", 30}, {"KZ", 20},
    {"LB", 28}, {"LC", 32}, {"LI", 21}, {"LT", 20}, {"LU", 20}, {"LV", 21}, {"MC", 27}, {"MD", 24},
    {"ME", 22}, {"MK", 19}, {"MR", 27}, {"MT", 31}, {"MU", 30}, {"NL", 18}, {"NO", 15}, {"PK", 24},
    {"PL", 28}, {"PS", 29}, {"PT", 25}, {"QA", 29}, {"RO", 24}, {"RS", 22}, {"SA", 24}, {"SC", 31},
    {"SE", 24}, {"SI", 19}, {"SK", 24}, {"SM", 27}, {"ST", 25}, {"SV", 28}, {"TL", 23}, {"TN", 24},
    {"TR", 26}, {"UA", 29}, {"VA", 22}, {"VG", 24}, {"XK", 20},
};

static size_t iban_length_for(const char *cc)
{
    for (size_t i = 0; i < sizeof iban_lengths / sizeof iban_lengths[0]; i++)
        if (iban_lengths[i].cc[0] == cc[0] && iban_lengths[i].cc[1] == cc[1])
            return iban_lengths[i].len;
    return 0;
}

/* Like iban_normalize, but returns the full normalized length even when out was too small,
 * so that check_iban can tell an overlong IBAN from a truncated copy. */
static size_t iban_normalize_len(const char *s, char *out, size_t n)
{
    size_t o = 0;
    for (; s && *s; s++) {
        if (is_space(*s)) continue;
        char c = (*s >= 'a' && *s <= 'z') ? (char)(*s - 'a' + 'A') : *s;
        if (o + 1 < n) out[o] = c;
        o++;
    }
    if (n > 0) out[o < n ? o : n - 1] = '\0';
    return o;
}

void iban_normalize(const char *s, char *out, size_t n)
{
    iban_normalize_len(s, out, n);
}

/* Remainder of the IBAN's number modulo 97, taken a digit at a time: the number has up to ~70
 * digits, far beyond any integer type. */
static unsigned iban_mod97(const char *iban, size_t len)
{
    unsigned r = 0;
    for (size_t k = 0; k < len; k++) {
        char c = iban[(k + 4) % len]; /* the first four characters move to the end */
        if (is_digit(c))
            r = (r * 10 + (unsigned)(c - '0')) % 97;
        else
            r = (r * 100 + (unsigned)(c - 'A' + 10)) % 97;
    }
    return r;
}

field_error_t check_iban(const char *s)
{
    char *t = trimmed_copy(s);
    field_error_t line = t ? check_one_line(t) : FIELD_BAD_IBAN;
    free(t);
    if (line) return line;
    char iban[IBAN_MAX + 1];
    size_t len = iban_normalize_len(s, iban, sizeof iban);
    if (len == 0) return FIELD_REQUIRED;
    if (len > IBAN_MAX || len < 4) return FIELD_BAD_IBAN;
    if (!is_upper(iban[0]) || !is_upper(iban[1]) || !is_digit(iban[2]) || !is_digit(iban[3]))
        return FIELD_BAD_IBAN;
    for (size_t i = 4; i < len; i++)
        if (!is_digit(iban[i]) && !is_upper(iban[i])) return FIELD_BAD_IBAN;
    if (iban_length_for(iban) != len) return FIELD_BAD_IBAN;
    return iban_mod97(iban, len) == 1 ? FIELD_OK : FIELD_BAD_IBAN;
}

#define BULLETS "\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2" /* "••••" */

void mask_account(const char *s, char *out, size_t n)
{
    if (n == 0) return;
    char tail[MASK_KEEP + 1];
    size_t count = 0;
    for (const char *p = s; p && *p; p++)
        if (is_alnum(*p)) count++;
    /* With four characters or fewer, showing the last four would show them all. */
    char full[sizeof BULLETS + 1 + MASK_KEEP];
    if (count <= MASK_KEEP) {
        memcpy(full, BULLETS, sizeof BULLETS);
    } else {
        size_t skip = count - MASK_KEEP, t = 0;
        for (const char *p = s; *p; p++) {
            if (!is_alnum(*p)) continue;
            if (skip > 0)
                skip--;
            else
                tail[t++] = *p;
        }
        tail[t] = '\0';
        size_t b = sizeof BULLETS - 1;
        memcpy(full, BULLETS, b);
        full[b] = ' ';
        memcpy(full + b + 1, tail, t + 1);
    }
    /* Better nothing than half a bullet or a partial number. */
    size_t len = strlen(full);
    if (len < n)
        memcpy(out, full, len + 1);
    else
        out[0] = '\0';
}

field_error_t check_bic(const char *s)
{
    char *t = trimmed_copy(s);
    if (!t) return FIELD_BAD_BIC;
    /* Judged after the trim, as stored: white space around the value is not kept. */
    if (check_one_line(t)) {
        free(t);
        return FIELD_NOT_ONE_LINE;
    }
    size_t len = strlen(t);
    field_error_t e = len == 0 ? FIELD_REQUIRED : len == 8 || len == 11 ? FIELD_OK : FIELD_BAD_BIC;
    for (size_t i = 0; e == FIELD_OK && i < len; i++)
        if (!(i < 6 ? is_alpha(t[i]) : is_alnum(t[i]))) e = FIELD_BAD_BIC;
    free(t);
    return e;
}
