/* Locale formats for people (ICU C API): money from decimal text, dates in the medium style.
 * Opening an ICU formatter costs far more than using one, and formatters are not safe to share
 * between threads, so each thread keeps a few open ones in a small cache, closed at thread exit. */
#include "format.h"

#include "billing/calendar.h"
#include "billing/money.h"
#include "billing/tax.h"
#include "util/html.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unicode/udat.h>
#include <unicode/uloc.h>
#include <unicode/unum.h>
#include <unicode/ustring.h>

enum {
    LOCALE_MAX = 8,   /* "it_IT" + NUL, with room to spare */
    MONEY_SLOTS = 16, /* locale × currency pairs a thread keeps open */
    DATE_SLOTS = 8,   /* locales a thread keeps a date formatter for */
    UTEXT_MAX = 128,  /* UTF-16 units of one formatted amount or date */
    MS_PER_DAY = 86400000,
};

typedef struct {
    char locale[LOCALE_MAX];
    char currency[4];
    UNumberFormat *fmt;
} money_slot_t;

typedef struct {
    char locale[LOCALE_MAX];
    UDateFormat *fmt;
} date_slot_t;

typedef struct {
    money_slot_t money[MONEY_SLOTS];
    date_slot_t date[DATE_SLOTS];
    unsigned next_money, next_date; /* round-robin victim when full */
    bool registered;                /* the thread-exit destructor knows about this cache */
} format_cache_t;

static __thread format_cache_t cache;
static pthread_key_t cache_key;
static pthread_once_t cache_key_once = PTHREAD_ONCE_INIT;

/* Thread exit: closes what the exiting thread opened (its __thread cache is passed as value). */
static void cache_destroy(void *p)
{
    format_cache_t *c = p;
    for (int i = 0; i < MONEY_SLOTS; i++) {
        if (c->money[i].fmt) unum_close(c->money[i].fmt);
        c->money[i].fmt = NULL;
    }
    for (int i = 0; i < DATE_SLOTS; i++) {
        if (c->date[i].fmt) udat_close(c->date[i].fmt);
        c->date[i].fmt = NULL;
    }
    c->registered = false;
}

static void cache_key_create(void)
{
    (void)pthread_key_create(&cache_key, cache_destroy);
}

/* Registers the calling thread's cache for closing at thread exit (once per thread). The main
 * thread's cache stays reachable through its TLS until the process ends. */
static void cache_register(void)
{
    if (cache.registered) return;
    pthread_once(&cache_key_once, cache_key_create);
    if (pthread_setspecific(cache_key, &cache) == 0) cache.registered = true;
}

/* "<lang>_<COUNTRY>" when country is two ASCII letters, else just the language ("it"). Built
 * by hand: it runs for every amount and date on a page, and snprintf was a seventh of the
 * Invoice History page's instructions. */
static void build_locale(lang_t lang, const char *country, char out[LOCALE_MAX])
{
    const char *code = lang_code(lang);
    size_t n = strnlen(code, LOCALE_MAX - 4);
    memcpy(out, code, n);
    if (country && ((country[0] | 0x20) >= 'a' && (country[0] | 0x20) <= 'z') &&
        ((country[1] | 0x20) >= 'a' && (country[1] | 0x20) <= 'z') && country[2] == '\0') {
        out[n++] = '_';
        out[n++] = (char)(country[0] & ~0x20);
        out[n++] = (char)(country[1] & ~0x20);
    }
    out[n] = '\0';
}

/* UTF-16 → UTF-8 into out (NUL-terminated); false when it does not fit or is malformed. */
static bool to_utf8(const UChar *u, int32_t ulen, char *out, size_t n)
{
    if (n == 0 || n > INT32_MAX) return false;
    UErrorCode status = U_ZERO_ERROR;
    int32_t len = 0;
    u_strToUTF8(out, (int32_t)n, &len, u, ulen, &status);
    /* U_STRING_NOT_TERMINATED_WARNING: it fit exactly, without room for the NUL. */
    if (U_FAILURE(status) || status == U_STRING_NOT_TERMINATED_WARNING || (size_t)len >= n) {
        out[0] = '\0';
        return false;
    }
    return true;
}

/* The thread's currency formatter for locale and currency with exactly `digits` decimals, opened
 * on first use; NULL when ICU cannot make one. */
static UNumberFormat *money_formatter(const char *locale, const char *currency, int digits)
{
    for (int i = 0; i < MONEY_SLOTS; i++) {
        money_slot_t *s = &cache.money[i];
        if (s->fmt && strcmp(s->locale, locale) == 0 && strcmp(s->currency, currency) == 0)
            return s->fmt;
    }
    UErrorCode status = U_ZERO_ERROR;
    UNumberFormat *fmt = unum_open(UNUM_CURRENCY, NULL, 0, locale, NULL, &status);
    if (U_FAILURE(status)) return NULL;
    UChar ucode[4] = {0};
    u_charsToUChars(currency, ucode, 3);
    unum_setTextAttribute(fmt, UNUM_CURRENCY_CODE, ucode, 3, &status);
    if (U_FAILURE(status)) {
        unum_close(fmt);
        return NULL;
    }
    /* Our table of exponents decides, not ICU's: the amount is shown exactly as stored, never
     * rounded to a currency's cash digits. */
    unum_setAttribute(fmt, UNUM_MIN_FRACTION_DIGITS, digits);
    unum_setAttribute(fmt, UNUM_MAX_FRACTION_DIGITS, digits);

    cache_register();
    money_slot_t *s = &cache.money[cache.next_money];
    cache.next_money = (cache.next_money + 1) % MONEY_SLOTS;
    if (s->fmt) unum_close(s->fmt);
    snprintf(s->locale, sizeof s->locale, "%s", locale);
    snprintf(s->currency, sizeof s->currency, "%s", currency);
    s->fmt = fmt;
    return fmt;
}

/* The thread's medium-style UTC date formatter for locale; NULL when ICU cannot make one. */
static UDateFormat *date_formatter(const char *locale)
{
    for (int i = 0; i < DATE_SLOTS; i++) {
        date_slot_t *s = &cache.date[i];
        if (s->fmt && strcmp(s->locale, locale) == 0) return s->fmt;
    }
    static const UChar utc[] = {'U', 'T', 'C', 0};
    UErrorCode status = U_ZERO_ERROR;
    UDateFormat *fmt = udat_open(UDAT_NONE, UDAT_MEDIUM, locale, utc, -1, NULL, 0, &status);
    if (U_FAILURE(status)) return NULL;

    cache_register();
    date_slot_t *s = &cache.date[cache.next_date];
    cache.next_date = (cache.next_date + 1) % DATE_SLOTS;
    if (s->fmt) udat_close(s->fmt);
    snprintf(s->locale, sizeof s->locale, "%s", locale);
    s->fmt = fmt;
    return fmt;
}

/* Results already formatted on this thread. A page of 20 invoices formats 80 amounts and dates,
 * mostly the same few; ICU takes microseconds for each, a look-up here nanoseconds. Only
 * successful results are kept. The slots are in sets of four that a key may use (with one
 * slot per key, two of a page's 80 keys nearly always shared one and pushed each other out at
 * every request). The key is three integers (the locale's and the currency's bytes, zero-padded,
 * and the value), compared as integers: string compares and hashing were most of a look-up's cost.
 */
enum { MEMO_SLOTS = 512, MEMO_WAYS = 4, MEMO_TEXT = 46 };

typedef struct {
    uint64_t locale, currency;
    int64_t value;
} memo_key_t;

typedef struct {
    memo_key_t key;
    unsigned char len;    /* strlen(text), so that a hit is copied without measuring it */
    bool plain;           /* text has none of HTML's special characters: appended as is */
    char text[MEMO_TEXT]; /* "" while the slot is empty */
} memo_t;

static __thread memo_t memo[MEMO_SLOTS];
static __thread unsigned memo_victim; /* the way a miss overwrites next, in turn */

/* s's bytes in an integer, the first in the lowest byte; false when s has more than 7. */
static bool pack(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    for (unsigned i = 0; s[i]; i++) {
        if (i == 7) return false;
        v |= (uint64_t)(unsigned char)s[i] << (8 * i);
    }
    *out = v;
    return true;
}

/* False when the key does not fit the integers (then nothing is remembered for it). */
static bool memo_key(const char *locale, const char *currency, int64_t value, memo_key_t *k)
{
    k->value = value;
    return pack(locale, &k->locale) && pack(currency, &k->currency);
}

/* The first of the key's set of MEMO_WAYS slots. */
static memo_t *memo_set(const memo_key_t *k)
{
    uint64_t h = (k->locale * 0x9E3779B97F4A7C15ull) ^ (k->currency * 0xC2B2AE3D27D4EB4Full) ^
                 ((uint64_t)k->value * 0x165667B19E3779F9ull);
    /* Every bit of the key reaches the set's index (a multiply carries low bits up, never down:
     * dates keyed by their ISO bytes differ in bytes that a plain fold left out). */
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDull;
    h ^= h >> 33;
    return &memo[(h % (MEMO_SLOTS / MEMO_WAYS)) * MEMO_WAYS];
}

static bool memo_same(const memo_t *m, const memo_key_t *k)
{
    return m->text[0] && m->key.value == k->value && m->key.locale == k->locale &&
           m->key.currency == k->currency;
}

/* The slot remembering the key; NULL when it is not remembered. */
static const memo_t *memo_find(const memo_key_t *k)
{
    const memo_t *set = memo_set(k);
    for (int i = 0; i < MEMO_WAYS; i++)
        if (memo_same(&set[i], k)) return &set[i];
    return NULL;
}

/* Copies the remembered text for the key into out; false when it is not remembered. */
static bool memo_get(const char *locale, const char *currency, int64_t value, char *out, size_t n)
{
    memo_key_t k;
    if (!memo_key(locale, currency, value, &k)) return false;
    const memo_t *m = memo_find(&k);
    if (!m || m->len >= n) return false;
    memcpy(out, m->text, (size_t)m->len + 1);
    return true;
}

static void memo_put_key(const memo_key_t *key, const char *text)
{
    memo_key_t k = *key;
    size_t len = strlen(text);
    if (len >= MEMO_TEXT) return;
    memo_t *set = memo_set(&k), *m = NULL;
    for (int i = 0; i < MEMO_WAYS && !m; i++)
        if (!set[i].text[0] || memo_same(&set[i], &k)) m = &set[i];
    if (!m) m = &set[memo_victim++ % MEMO_WAYS];
    m->key = k;
    m->len = (unsigned char)len;
    m->plain = !text[strcspn(text, "&<>\"'")];
    memcpy(m->text, text, len + 1);
}

static void memo_put(const char *locale, const char *currency, int64_t value, const char *text)
{
    memo_key_t k;
    if (memo_key(locale, currency, value, &k)) memo_put_key(&k, text);
}

/* Appends the slot's text to out, HTML-escaped. A plain text is copied as the whole fixed-size
 * field (the bytes past its length are overwritten by what is appended next): a copy of the
 * variable length was compiled as `rep movsq`, whose start-up cost made this function 6 % of the
 * server's time under load (perf), more than ICU's formatting it replaces. */
static void memo_append_html(buf_t *out, const memo_t *m)
{
    if (!m->plain) {
        html_escape(out, m->text);
        return;
    }
    if (out->len + MEMO_TEXT + 1 > out->cap) buf_grow(out, MEMO_TEXT);
    memcpy(out->data + out->len, m->text, MEMO_TEXT);
    out->len += m->len;
    out->data[out->len] = '\0';
}

/* The plain fallback "1234.56 EUR" (code left out when it is not printable ASCII). */
static void money_fallback(const char *currency, const char *decimal, char *out, size_t n)
{
    bool printable = currency && currency[0];
    for (const char *p = currency; printable && *p; p++)
        if (*p < '!' || *p > '~' || p - currency >= 3) printable = false;
    if (printable)
        snprintf(out, n, "%s %s", decimal, currency);
    else
        snprintf(out, n, "%s", decimal);
}

bool format_money(lang_t lang, const char *country, const char *currency, int64_t minor, char *out,
                  size_t n)
{
    if (!out || n == 0) return false;
    char decimal[MONEY_TEXT_MAX];
    char locale[LOCALE_MAX];
    build_locale(lang, country, locale);
    /* The memo holds amounts of valid currencies only, so a hit needs no look-up in the table of
     * currencies; the shape test keeps dates ("") and rates ("%"), remembered in the same memo,
     * from ever answering for an amount. */
    bool shaped = currency && currency[0] >= 'A' && currency[0] <= 'Z' && currency[1] >= 'A' &&
                  currency[1] <= 'Z' && currency[2] >= 'A' && currency[2] <= 'Z' && !currency[3];
    if (shaped && memo_get(locale, currency, minor, out, n)) return true;
    int digits = currency ? currency_exponent(currency) : -1;
    /* An unknown currency: minor units are most likely hundredths, so show them that way. */
    money_decimal(minor, digits < 0 ? 2 : digits, decimal);
    if (digits >= 0) {
        UNumberFormat *fmt = money_formatter(locale, currency, digits);
        if (fmt) {
            UChar u[UTEXT_MAX];
            UErrorCode status = U_ZERO_ERROR;
            int32_t len = unum_formatDecimal(fmt, decimal, -1, u, UTEXT_MAX, NULL, &status);
            if (U_SUCCESS(status) && status != U_STRING_NOT_TERMINATED_WARNING &&
                to_utf8(u, len, out, n)) {
                memo_put(locale, currency, minor, out);
                return true;
            }
        }
    }
    money_fallback(currency, decimal, out, n);
    return false;
}

bool format_date(lang_t lang, const char *country, const char *iso_date, char *out, size_t n)
{
    if (!out || n == 0) return false;
    date_t d;
    if (!date_parse(iso_date, &d)) {
        snprintf(out, n, "%s", iso_date ? iso_date : "");
        return false;
    }
    char locale[LOCALE_MAX];
    build_locale(lang, country, locale);
    if (memo_get(locale, "", date_to_days(d), out, n)) return true;
    UDateFormat *fmt = date_formatter(locale);
    if (fmt) {
        /* A UDate is milliseconds since the epoch as a double: time, not money. */
        UDate when = (double)date_to_days(d) * MS_PER_DAY;
        UChar u[UTEXT_MAX];
        UErrorCode status = U_ZERO_ERROR;
        int32_t len = udat_format(fmt, when, u, UTEXT_MAX, NULL, &status);
        if (U_SUCCESS(status) && status != U_STRING_NOT_TERMINATED_WARNING &&
            to_utf8(u, len, out, n)) {
            memo_put(locale, "", date_to_days(d), out);
            return true;
        }
    }
    snprintf(out, n, "%s", iso_date);
    return false;
}

bool format_country(lang_t lang, const char *code, char *out, size_t n)
{
    if (!out || n == 0) return false;
    snprintf(out, n, "%s", code ? code : "");
    if (!code || strlen(code) != 2) return false;
    char locale[8];
    snprintf(locale, sizeof locale, "_%.2s", code);
    UChar u[UTEXT_MAX];
    UErrorCode status = U_ZERO_ERROR;
    int32_t len = uloc_getDisplayCountry(locale, lang_code(lang), u, UTEXT_MAX, &status);
    if (U_FAILURE(status) || status == U_USING_DEFAULT_WARNING || len <= 0) return false;
    if (to_utf8(u, len, out, n)) return true;
    snprintf(out, n, "%s", code);
    return false;
}

bool format_percent(lang_t lang, const char *country, int64_t ppm, char *out, size_t n)
{
    if (!out || n == 0) return false;
    char locale[LOCALE_MAX];
    build_locale(lang, country, locale);
    /* Rates are few and repeat: the memo keeps them, so a formatter is opened only on a miss. */
    if (ppm >= 0 && memo_get(locale, "%", ppm, out, n)) return true;
    UErrorCode status = U_ZERO_ERROR;
    UNumberFormat *fmt = ppm >= 0 ? unum_open(UNUM_PERCENT, NULL, 0, locale, NULL, &status) : NULL;
    bool ok = false;
    if (fmt && U_SUCCESS(status)) {
        unum_setAttribute(fmt, UNUM_MAX_FRACTION_DIGITS, 4); /* 8.875% */
        /* ICU's percent style multiplies by 100: it gets the exact fraction as decimal text
         * (220000 ppm is "0.220000"), never a double. */
        char fraction[40];
        snprintf(fraction, sizeof fraction, "%" PRId64 ".%06" PRId64, ppm / 1000000, ppm % 1000000);
        UChar u[UTEXT_MAX];
        int32_t len = unum_formatDecimal(fmt, fraction, -1, u, UTEXT_MAX, NULL, &status);
        ok = U_SUCCESS(status) && status != U_STRING_NOT_TERMINATED_WARNING &&
             to_utf8(u, len, out, n);
    }
    if (fmt) unum_close(fmt);
    if (ok) {
        memo_put(locale, "%", ppm, out);
        return true;
    }
    char plain[16];
    tax_rate_text(ppm, plain);
    snprintf(out, n, "%s%%", plain);
    return false;
}

void format_ctx_init(format_ctx_t *c, lang_t lang, const char *country)
{
    c->lang = lang;
    c->country = country;
    build_locale(lang, country, c->locale);
    c->packed = pack(c->locale, &c->locale_key);
}

/* format_date_html's memo key: the date's ten ISO bytes themselves (eight in the value, two in
 * the currency beside the tag "D", which no currency code or format_date's own "" can equal), so
 * that a hit costs no parsing. False when iso is not ten bytes long. Only format_date fills the
 * memo, and only for a valid date: an invalid one is never found. */
static bool iso_key(const format_ctx_t *c, const char *iso, memo_key_t *k)
{
    if (!iso || strnlen(iso, 11) != 10) return false;
    uint64_t head;
    memcpy(&head, iso, 8);
    k->locale = c->locale_key;
    k->currency =
        'D' | (uint64_t)(unsigned char)iso[8] << 8 | (uint64_t)(unsigned char)iso[9] << 16;
    k->value = (int64_t)head;
    return c->packed;
}

void format_date_html(buf_t *out, const format_ctx_t *c, const char *iso_date)
{
    memo_key_t k;
    bool keyed = iso_key(c, iso_date, &k);
    const memo_t *m = keyed ? memo_find(&k) : NULL;
    if (m) {
        memo_append_html(out, m);
        return;
    }
    char text[64];
    if (format_date(c->lang, c->country, iso_date, text, sizeof text) && keyed)
        memo_put_key(&k, text);
    html_escape(out, text);
}

void format_money_html(buf_t *out, const format_ctx_t *c, const char *currency, int64_t minor)
{
    /* Same rule as format_money: only amounts of three-letter codes are remembered. */
    bool shaped = currency && currency[0] >= 'A' && currency[0] <= 'Z' && currency[1] >= 'A' &&
                  currency[1] <= 'Z' && currency[2] >= 'A' && currency[2] <= 'Z' && !currency[3];
    if (shaped && c->packed) {
        memo_key_t k = {c->locale_key,
                        (uint64_t)(unsigned char)currency[0] |
                            (uint64_t)(unsigned char)currency[1] << 8 |
                            (uint64_t)(unsigned char)currency[2] << 16,
                        minor};
        const memo_t *m = memo_find(&k);
        if (m) {
            memo_append_html(out, m);
            return;
        }
    }
    char text[64];
    format_money(c->lang, c->country, currency, minor, text, sizeof text);
    html_escape(out, text);
}
