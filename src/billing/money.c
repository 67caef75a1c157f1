/* Money as integer minor units with an ISO 4217 currency (see money.h): never floating point. */
#include "money.h"

#include <string.h>

/* gcc/clang extension; __extension__ keeps -pedantic quiet. The products of two int64 values
 * need up to 127 bits, so tax and proration are exact before the single rounding step. */
__extension__ typedef __int128 i128;

typedef struct {
    char code[4];
    signed char exponent;
} currency_t;

/* Active ISO 4217 codes with a defined minor unit (ISO 4217 list, 2025). Fund and metal codes
 * without a minor unit (XAU, XDR, ...) are left out: nobody is billed in them. Sorted, so that
 * lookup can bisect. */
static const currency_t currencies[] = {
    {"AED", 2}, {"AFN", 2}, {"ALL", 2}, {"AMD", 2}, {"ANG", 2}, {"AOA", 2}, {"ARS", 2}, {"AUD", 2},
    {"AWG", 2}, {"AZN", 2}, {"BAM", 2}, {"BBD", 2}, {"BDT", 2}, {"BGN", 2}, {"BHD", 3}, {"BIF", 0},
    {"BMD", 2}, {"BND", 2}, {"BOB", 2}, {"BOV", 2}, {"BRL", 2}, {"BSD", 2}, {"BTN", 2}, {"BWP", 2},
    {"BYN", 2}, {"BZD", 2}, {"CAD", 2}, {"CDF", 2}, {"CHE", 2}, {"CHF", 2}, {"CHW", 2}, {"CLF", 4},
    {"CLP", 0}, {"CNY", 2}, {"COP", 2}, {"COU", 2}, {"CRC", 2}, {"CUP", 2}, {"CVE", 2}, {"CZK", 2},
    {"DJF", 0}, {"DKK", 2}, {"DOP", 2}, {"DZD", 2}, {"EGP", 2}, {"ERN", 2}, {"ETB", 2}, {"EUR", 2},
    {"FJD", 2}, {"FKP", 2}, {"GBP", 2}, {"GEL", 2}, {"GHS", 2}, {"GIP", 2}, {"GMD", 2}, {"GNF", 0},
    {"GTQ", 2}, {"GYD", 2}, {"HKD", 2}, {"HNL", 2}, {"HTG", 2}, {"HUF", 2}, {"IDR", 2}, {"ILS", 2},
    {"INR", 2}, {"IQD", 3}, {"IRR", 2}, {"ISK", 0}, {"JMD", 2}, {"JOD", 3}, {"JPY", 0}, {"KES", 2},
    {"KGS", 2}, {"KHR", 2}, {"KMF", 0}, {"KPW", 2}, {"KRW", 0}, {"KWD", 3}, {"KYD", 2}, {"KZT", 2},
    {"LAK", 2}, {"LBP", 2}, {"LKR", 2}, {"LRD", 2}, {"LSL", 2}, {"LYD", 3}, {"MAD", 2}, {"MDL", 2},
    {"MGA", 2}, {"MKD", 2}, {"MMK", 2}, {"MNT", 2}, {"MOP", 2}, {"MRU", 2}, {"MUR", 2}, {"MVR", 2},
    {"MWK", 2}, {"MXN", 2}, {"MXV", 2}, {"MYR", 2}, {"MZN", 2}, {"NAD", 2}, {"NGN", 2}, {"NIO", 2},
    {"NOK", 2}, {"NPR", 2}, {"NZD", 2}, {"OMR", 3}, {"PAB", 2}, {"PEN", 2}, {"PGK", 2}, {"PHP", 2},
    {"PKR", 2}, {"PLN", 2}, {"PYG", 0}, {"QAR", 2}, {"RON", 2}, {"RSD", 2}, {"RUB", 2}, {"RWF", 0},
    {"SAR", 2}, {"SBD", 2}, {"SCR", 2}, {"SDG", 2}, {"SEK", 2}, {"SGD", 2}, {"SHP", 2}, {"SLE", 2},
    {"SOS", 2}, {"SRD", 2}, {"SSP", 2}, {"STN", 2}, {"SVC", 2}, {"SYP", 2}, {"SZL", 2}, {"THB", 2},
    {"TJS", 2}, {"TMT", 2}, {"TND", 3}, {"TOP", 2}, {"TRY", 2}, {"TTD", 2}, {"TWD", 2}, {"TZS", 2},
    {"UAH", 2}, {"UGX", 0}, {"USD", 2}, {"USN", 2}, {"UYI", 0}, {"UYU", 2}, {"UYW", 4}, {"UZS", 2},
    {"VED", 2}, {"VES", 2}, {"VND", 0}, {"VUV", 0}, {"WST", 2}, {"XAF", 0}, {"XCD", 2}, {"XCG", 2},
    {"XOF", 0}, {"XPF", 0}, {"YER", 2}, {"ZAR", 2}, {"ZMW", 2}, {"ZWG", 2},
};

int currency_exponent(const char *code)
{
    /* Exactly three upper-case ASCII letters: "usd" or "USD " is a different (unknown) code,
     * not a spelling to be forgiven. */
    if (!code) return -1;
    for (int i = 0; i < 3; i++)
        if (code[i] < 'A' || code[i] > 'Z') return -1;
    if (code[3] != '\0') return -1;
    size_t lo = 0, hi = sizeof currencies / sizeof currencies[0];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = memcmp(code, currencies[mid].code, 3);
        if (c == 0) return currencies[mid].exponent;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return -1;
}

bool money_mul(int64_t a, int64_t b, int64_t *out)
{
    int64_t r;
    if (__builtin_mul_overflow(a, b, &r)) return false;
    *out = r;
    return true;
}

bool money_add(int64_t a, int64_t b, int64_t *out)
{
    int64_t r;
    if (__builtin_add_overflow(a, b, &r)) return false;
    *out = r;
    return true;
}

bool money_mul_div(int64_t a, int64_t b, int64_t den, int64_t *out)
{
    if (den <= 0) return false;
    i128 p = (i128)a * b; /* |a*b| <= 2^126: cannot overflow 128 bits */
    i128 q = p / den, r = p % den;
    i128 ar = r < 0 ? -r : r;
    if (ar != 0 && 2 * ar >= den) q += p < 0 ? -1 : 1;
    if (q > INT64_MAX || q < INT64_MIN) return false;
    *out = (int64_t)q;
    return true;
}

/* 10^19 > UINT64_MAX / 10, so more decimals than this can only be padding zeros; no currency
 * has more than 4. */
enum { EXPONENT_MAX = 18 };

void money_decimal(int64_t minor, int exponent, char out[MONEY_TEXT_MAX])
{
    if (exponent < 0) exponent = 0;
    if (exponent > EXPONENT_MAX) exponent = EXPONENT_MAX;
    /* Unsigned magnitude so that INT64_MIN, whose negation does not fit, prints correctly. */
    uint64_t mag = minor < 0 ? 0 - (uint64_t)minor : (uint64_t)minor;
    char rev[MONEY_TEXT_MAX];
    int n = 0;
    /* At least exponent + 1 digits: 5 with exponent 2 is "0.05". */
    while (mag != 0 || n <= exponent) {
        rev[n++] = (char)('0' + mag % 10);
        mag /= 10;
    }
    char *p = out;
    if (minor < 0) *p++ = '-';
    for (int i = n - 1; i >= 0; i--) {
        *p++ = rev[i];
        if (i == exponent && exponent > 0) *p++ = '.';
    }
    *p = '\0';
}

/* Whether s[0..len) is digits in groups of three after a first group of 1 to 3, separated by
 * single group marks (any of groups). */
static bool grouped_digits(const char *s, size_t len, const char *groups)
{
    size_t run = 0, n_groups = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] >= '0' && s[i] <= '9') {
            run++;
            continue;
        }
        if (!strchr(groups, s[i]) || run == 0 || run > 3 || (n_groups > 0 && run != 3))
            return false;
        n_groups++;
        run = 0;
    }
    return run > 0 && (n_groups == 0 ? true : run == 3);
}

bool money_parse_typed(const char *s, int exponent, char decimal_mark, int64_t *out)
{
    if (!s || !out || exponent < 0 || exponent > EXPONENT_MAX) return false;
    /* No-break spaces (U+00A0, U+202F) as plain spaces, then every group mark becomes one
     * character class; a typed amount is short, so a fixed copy is enough. */
    char t[64];
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (n + 1 >= sizeof t) return false;
        if (p[0] == 0xC2 && p[1] == 0xA0) {
            t[n++] = ' ', p++;
        } else if (p[0] == 0xE2 && p[1] == 0x80 && p[2] == 0xAF) {
            t[n++] = ' ', p += 2;
        } else {
            t[n++] = (char)*p;
        }
    }
    t[n] = '\0';
    const char *last_dot = strrchr(t, '.'), *last_comma = strrchr(t, ',');
    const char *mark = last_dot > last_comma ? last_dot : last_comma; /* NULL when neither */
    if (mark) {
        size_t after = strlen(mark + 1);
        bool both = last_dot && last_comma;
        bool repeated = strchr(t, *mark) != mark; /* the same mark twice: only grouping */
        bool decimal =
            both || (!repeated && (after < 3   ? true
                                   : after > 3 ? after <= (size_t)exponent
                                               : (int)after <= exponent &&
                                                     (exponent < 3 || *mark == decimal_mark)));
        if (!decimal) mark = NULL;
    }
    /* The integer part: digits with optional group marks (the other separator, spaces,
     * apostrophes); the fraction: plain digits. */
    size_t int_len = mark ? (size_t)(mark - t) : n;
    char groups[4] = " '";
    groups[2] = mark ? (*mark == '.' ? ',' : '.') : 0;
    if (!mark && (last_dot || last_comma)) groups[2] = last_dot ? '.' : ',';
    if (!grouped_digits(t, int_len, groups)) return false;
    char plain[64];
    size_t k = 0;
    for (size_t i = 0; i < int_len; i++)
        if (t[i] >= '0' && t[i] <= '9') plain[k++] = t[i];
    if (mark) {
        plain[k++] = '.';
        for (const char *f = mark + 1; *f; f++) {
            if (*f < '0' || *f > '9') return false;
            plain[k++] = *f;
        }
    }
    plain[k] = '\0';
    return money_parse(plain, exponent, out);
}

bool money_parse(const char *s, int exponent, int64_t *out)
{
    if (!s || !out || exponent < 0 || exponent > EXPONENT_MAX) return false;
    bool neg = *s == '-';
    if (neg) s++;
    /* The magnitude of INT64_MIN is one more than INT64_MAX's. */
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    uint64_t mag = 0;
    int int_digits = 0, frac_digits = 0;
    bool point = false;
    for (;; s++) {
        if (*s == '.' && !point && int_digits > 0) {
            point = true;
            continue;
        }
        if (*s < '0' || *s > '9') break;
        if (point && ++frac_digits > exponent) return false;
        if (!point) int_digits++;
        unsigned dgt = (unsigned)(*s - '0');
        if (mag > (limit - dgt) / 10) return false;
        mag = mag * 10 + dgt;
    }
    if (*s != '\0' || int_digits == 0 || (point && frac_digits == 0)) return false;
    for (int i = frac_digits; i < exponent; i++) {
        if (mag > limit / 10) return false;
        mag *= 10;
    }
    /* mag - 1 fits in int64 even for INT64_MIN; negating mag itself would not. */
    *out = neg && mag != 0 ? -(int64_t)(mag - 1) - 1 : (int64_t)mag;
    return true;
}
