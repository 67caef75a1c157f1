/* Translation of every user-visible string, and choice of the user's language.
 * Catalogs are compiled into the binary, so nothing depends on system locales. */
#include "i18n.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const codes[LANG_COUNT] = {"en", "es", "fr", "it"};
static const char *const native_names[LANG_COUNT] = {"English", "Español", "Français", "Italiano"};

static int compare_entry(const void *key, const void *elem)
{
    return strcmp(key, ((const catalog_entry_t *)elem)->msgid);
}

/* Msgids are string literals, so their addresses are stable: each thread remembers recent
 * look-ups by address and language. A page asks for some sixty strings, and the binary search
 * behind each showed in profiles. A slot holds one answer; a collision just looks up again. */
enum { TR_SLOTS = 1024 };
static __thread struct {
    const char *msgid, *msgstr;
} tr_memo[LANG_COUNT][TR_SLOTS];

const char *tr(lang_t lang, const char *msgid)
{
    if ((unsigned)lang >= LANG_COUNT) lang = LANG_EN;
    size_t slot = ((uintptr_t)msgid >> 3) % TR_SLOTS;
    if (tr_memo[lang][slot].msgid == msgid) return tr_memo[lang][slot].msgstr;
    const catalog_t *c = &cobro_catalogs[lang];
    const catalog_entry_t *e = bsearch(msgid, c->entries, c->n, sizeof *e, compare_entry);
    const char *found = e && e->msgstr[0] ? e->msgstr : msgid;
    tr_memo[lang][slot].msgid = msgid;
    tr_memo[lang][slot].msgstr = found;
    return found;
}

const char *trn(lang_t lang, const char *msgid, const char *msgid_plural, unsigned long n)
{
    if ((unsigned)lang >= LANG_COUNT) lang = LANG_EN;
    const catalog_t *c = &cobro_catalogs[lang];
    const catalog_entry_t *e = bsearch(msgid, c->entries, c->n, sizeof *e, compare_entry);
    if (e && e->forms) {
        unsigned long i = c->plural(n);
        if (i < c->nplurals && e->forms[i][0]) return e->forms[i];
    }
    return n == 1 ? msgid : msgid_plural;
}

const char *lang_code(lang_t lang)
{
    return (unsigned)lang < LANG_COUNT ? codes[lang] : codes[LANG_EN];
}

const char *lang_native_name(lang_t lang)
{
    return (unsigned)lang < LANG_COUNT ? native_names[lang] : native_names[LANG_EN];
}

bool lang_parse(const char *code, lang_t *out)
{
    if (!code) return false;
    size_t n = 0;
    while (isalpha((unsigned char)code[n]))
        n++;
    if (n != 2 || (code[2] != '\0' && code[2] != '-' && code[2] != '_')) return false;
    for (int i = 0; i < LANG_COUNT; i++) {
        if (strncasecmp(code, codes[i], 2) == 0) {
            *out = (lang_t)i;
            return true;
        }
    }
    return false;
}

/* Reads a q-value ("q=0.5") in thousandths; 1000 when absent or malformed upward. */
static int parse_q(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == ';'))
        p++;
    if (end - p < 2 || (p[0] != 'q' && p[0] != 'Q') || p[1] != '=') return 1000;
    p += 2;
    int q = 0, digits = 0;
    if (p < end && *p == '1') return 1000;
    if (p < end && *p == '0') p++;
    if (p < end && *p == '.') p++;
    while (p < end && isdigit((unsigned char)*p) && digits < 3) {
        q = q * 10 + (*p - '0');
        p++;
        digits++;
    }
    while (digits++ < 3)
        q *= 10;
    return q;
}

lang_t lang_negotiate(const char *choice, const char *accept_language)
{
    lang_t lang = LANG_EN;
    if (lang_parse(choice, &lang)) return lang;
    if (!accept_language) return LANG_EN;
    int best_q = 0;
    lang_t best = LANG_EN;
    const char *p = accept_language;
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        const char *start = p;
        while (*p && *p != ',')
            p++;
        const char *semi = memchr(start, ';', (size_t)(p - start));
        const char *tag_end = semi ? semi : p;
        char tag[16] = {0};
        size_t len = (size_t)(tag_end - start);
        while (len > 0 && start[len - 1] == ' ')
            len--;
        if (len == 0 || len >= sizeof tag) continue;
        memcpy(tag, start, len);
        int q = semi ? parse_q(semi, p) : 1000;
        lang_t l;
        if (q > best_q && lang_parse(tag, &l)) {
            best_q = q;
            best = l;
        }
    }
    return best;
}

lang_t lang_of(const char *code)
{
    lang_t l = LANG_EN;
    lang_parse(code, &l);
    return l;
}
