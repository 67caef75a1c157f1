/* Translation of every user-visible string, and choice of the user's language. */
#ifndef COBRO_I18N_H
#define COBRO_I18N_H
#include <stdbool.h>
#include <stddef.h>

typedef enum { LANG_EN = 0, LANG_ES, LANG_FR, LANG_IT, LANG_COUNT } lang_t;

/* The translation of msgid in lang. A msgid missing from a catalog comes back unchanged (the
 * i18n check in `make check` fails long before that can ship). Never NULL. */
const char *tr(lang_t lang, const char *msgid);

/* The form of msgid / msgid_plural that fits the count n in lang, by the Plural-Forms rule of
 * its catalog (French: 0 and 1 singular; English, Spanish, Italian: 1 only), as gettext's
 * ngettext. Missing from the catalog: msgid when n == 1, else msgid_plural. Never NULL. */
const char *trn(lang_t lang, const char *msgid, const char *msgid_plural, unsigned long n);

/* Marks a string for extraction where it is translated later, e.g. in a table. */
#define N_(s) (s)

/* "en", "es", "fr", "it". */
const char *lang_code(lang_t lang);
/* The language's own name ("Español"), for the switcher. */
const char *lang_native_name(lang_t lang);
/* Parses "es", "ES", "es-MX"...; false when the language is not one of ours. */
bool lang_parse(const char *code, lang_t *out);
/* The language of a stored code ("es"), English when it names none. */
lang_t lang_of(const char *code);
/* The user's choice (cookie value) when valid, else the best match of an Accept-Language header
 * (q-values honoured, q=0 excluded), else English. Either argument may be NULL. */
lang_t lang_negotiate(const char *choice, const char *accept_language);

/* The generated catalogs (build/catalog.c, generated from the po directory). */
typedef struct {
    const char *msgid, *msgstr;
    const char *const *forms; /* an entry with msgid_plural: its nplurals msgstr[n]; else NULL */
} catalog_entry_t;
typedef struct {
    const catalog_entry_t *entries; /* sorted by msgid (strcmp) */
    size_t n;
    unsigned long (*plural)(unsigned long n); /* the Plural-Forms expression: index of the form */
    unsigned long nplurals;
} catalog_t;
extern const catalog_t cobro_catalogs[LANG_COUNT];

#endif
