/* Locale formats for people (ICU C API): money from decimal text, dates in the medium style.
 * Opening an ICU formatter costs far more than using one, and formatters are not safe to share
 * between threads, so each thread keeps a few open ones in a small cache, closed at thread exit. */
#include "format.h"

#include "billing/calendar.h"
#include "billing/money.h"
#include "billing/tax.h"

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
 * successful results are kept; a slot is simply overwritten by the next key that hashes to it. */
enum { MEMO_SLOTS = 512, MEMO_TEXT = 48 };

typedef struct {
    int64_t value;
    char locale[LOCALE_MAX];
    char currency[4]; /* "" for dates */
    char text[MEMO_TEXT];
} memo_t;

static __thread memo_t memo[MEMO_SLOTS];

static memo_t *memo_slot(const char *locale, const char *currency, int64_t value)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a over the key */
    for (const char *p = locale; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    for (const char *p = currency; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    h = (h ^ (uint64_t)value) * 1099511628211ull;
    return &memo[h % MEMO_SLOTS];
}

/* Copies the remembered text for the key into out; false when it is not remembered. */
static bool memo_get(const char *locale, const char *currency, int64_t value, char *out, size_t n)
{
    const memo_t *m = memo_slot(locale, currency, value);
    if (!m->text[0] || m->value != value || strcmp(m->locale, locale) != 0 ||
        strcmp(m->currency, currency) != 0)
        return false;
    size_t len = strlen(m->text);
    if (len >= n) return false;
    memcpy(out, m->text, len + 1);
    return true;
}

static void memo_put(const char *locale, const char *currency, int64_t value, const char *text)
{
    if (strlen(text) >= MEMO_TEXT || strlen(currency) > 3) return;
    memo_t *m = memo_slot(locale, currency, value);
    m->value = value;
    snprintf(m->locale, sizeof m->locale, "%s", locale);
    snprintf(m->currency, sizeof m->currency, "%s", currency);
    snprintf(m->text, sizeof m->text, "%s", text);
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
    int digits = currency ? currency_exponent(currency) : -1;
    char decimal[MONEY_TEXT_MAX];
    /* An unknown currency: minor units are most likely hundredths, so show them that way. */
    money_decimal(minor, digits < 0 ? 2 : digits, decimal);
    if (digits >= 0) {
        char locale[LOCALE_MAX];
        build_locale(lang, country, locale);
        if (memo_get(locale, currency, minor, out, n)) return true;
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
