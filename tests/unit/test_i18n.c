/* Unit tests: translations and language choice (src/i18n/i18n.c with the generated catalogs). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "i18n/i18n.h"

static void test_01_parse_codes(void **state)
{
    (void)state;
    lang_t l = LANG_COUNT;
    assert_true(lang_parse("en", &l));
    assert_int_equal(l, LANG_EN);
    assert_true(lang_parse("es", &l));
    assert_int_equal(l, LANG_ES);
    assert_true(lang_parse("fr", &l));
    assert_int_equal(l, LANG_FR);
    assert_true(lang_parse("it", &l));
    assert_int_equal(l, LANG_IT);
    assert_true(lang_parse("ES", &l));
    assert_int_equal(l, LANG_ES);
    assert_true(lang_parse("fR", &l));
    assert_int_equal(l, LANG_FR);
}

static void test_02_parse_region_tags(void **state)
{
    (void)state;
    lang_t l = LANG_EN;
    assert_true(lang_parse("es-MX", &l));
    assert_int_equal(l, LANG_ES);
    assert_true(lang_parse("it_CH", &l));
    assert_int_equal(l, LANG_IT);
    assert_true(lang_parse("fr-CA", &l));
    assert_int_equal(l, LANG_FR);
}

static void test_03_parse_rejects(void **state)
{
    (void)state;
    lang_t l = LANG_IT;
    assert_false(lang_parse(NULL, &l));
    assert_false(lang_parse("", &l));
    assert_false(lang_parse("e", &l));
    assert_false(lang_parse("de", &l));
    assert_false(lang_parse("esp", &l)); /* three letters is another language */
    assert_false(lang_parse("eng", &l));
    assert_false(lang_parse("*", &l));
    assert_false(lang_parse("es ", &l));
    assert_false(lang_parse("e1", &l));
    assert_false(lang_parse("\xC3\xA9s", &l));
    assert_int_equal(l, LANG_IT); /* untouched on failure */
}

static void test_04_cookie_wins(void **state)
{
    (void)state;
    assert_int_equal(lang_negotiate("fr", "es, it;q=0.9"), LANG_FR);
    assert_int_equal(lang_negotiate("en", "es"), LANG_EN);
    assert_int_equal(lang_negotiate("it", NULL), LANG_IT);
    /* A cookie that is not one of ours is ignored. */
    assert_int_equal(lang_negotiate("de", "es"), LANG_ES);
    assert_int_equal(lang_negotiate("", "it"), LANG_IT);
    assert_int_equal(lang_negotiate("<script>", "fr"), LANG_FR);
}

static void test_05_q_values(void **state)
{
    (void)state;
    assert_int_equal(lang_negotiate(NULL, "fr;q=0.5, it;q=0.8"), LANG_IT);
    assert_int_equal(lang_negotiate(NULL, "de, es;q=0.1"), LANG_ES);
    assert_int_equal(lang_negotiate(NULL, "es;q=0.3,fr;q=0.7,it;q=0.5"), LANG_FR);
    assert_int_equal(lang_negotiate(NULL, "it;q=0.9, fr"), LANG_FR); /* no q means 1 */
    assert_int_equal(lang_negotiate(NULL, "fr;q=1.0, it;q=0.999"), LANG_FR);
    assert_int_equal(lang_negotiate(NULL, "en-US,en;q=0.9,es;q=0.8"), LANG_EN);
    assert_int_equal(lang_negotiate(NULL, "fr , it"), LANG_FR); /* a tie keeps the first */
}

static void test_06_q_zero_excluded(void **state)
{
    (void)state;
    assert_int_equal(lang_negotiate(NULL, "es;q=0"), LANG_EN);
    assert_int_equal(lang_negotiate(NULL, "es;q=0.0, fr;q=0.000"), LANG_EN);
    assert_int_equal(lang_negotiate(NULL, "es;q=0, it;q=0.001"), LANG_IT);
}

static void test_07_wildcard_and_unknown(void **state)
{
    (void)state;
    assert_int_equal(lang_negotiate(NULL, "*"), LANG_EN);
    assert_int_equal(lang_negotiate(NULL, "de, ja, *;q=0.5"), LANG_EN);
    assert_int_equal(lang_negotiate(NULL, NULL), LANG_EN);
    assert_int_equal(lang_negotiate(NULL, ""), LANG_EN);
}

static void test_08_garbage(void **state)
{
    (void)state;
    assert_int_equal(lang_negotiate(NULL, ",,,;;;==="), LANG_EN);
    assert_int_equal(lang_negotiate(NULL, ";q=0.9"), LANG_EN);
    assert_int_equal(lang_negotiate(NULL, "q=1, es;"), LANG_ES);
    assert_int_equal(lang_negotiate(NULL, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx-es, it;q=0.2"),
                     LANG_IT);
    char big[8192];
    memset(big, ',', sizeof big - 8);
    memcpy(big + sizeof big - 8, "fr;q=.5", 8);
    assert_int_equal(lang_negotiate(NULL, big), LANG_FR);
}

static void test_09_region_tags(void **state)
{
    (void)state;
    assert_int_equal(lang_negotiate(NULL, "es-MX"), LANG_ES);
    assert_int_equal(lang_negotiate(NULL, "pt-BR, es-419;q=0.8, en;q=0.5"), LANG_ES);
    assert_int_equal(lang_negotiate(NULL, "it-CH;q=0.7, fr-BE;q=0.6"), LANG_IT);
}

static void test_10_tr_unknown_msgid(void **state)
{
    (void)state;
    const char *id = "No such message id in any catalog 7f3a";
    for (int l = 0; l < LANG_COUNT; l++)
        assert_ptr_equal(tr((lang_t)l, id), id);
    assert_ptr_equal(tr(LANG_ES, ""), tr(LANG_ES, ""));
    assert_string_equal(tr(LANG_FR, ""), "");
}

static void test_11_tr_spanish(void **state)
{
    (void)state;
    assert_string_equal(tr(LANG_ES, "Sign in"), "Iniciar sesión");
    assert_string_equal(tr(LANG_EN, "Sign in"), "Sign in");
    /* An out-of-range language falls back to English rather than reading past the table. */
    assert_string_equal(tr((lang_t)99, "Sign in"), "Sign in");
    assert_string_equal(tr((lang_t)-1, "Sign in"), "Sign in");
}

static void test_12_codes_and_names(void **state)
{
    (void)state;
    assert_string_equal(lang_code(LANG_EN), "en");
    assert_string_equal(lang_code(LANG_ES), "es");
    assert_string_equal(lang_code(LANG_FR), "fr");
    assert_string_equal(lang_code(LANG_IT), "it");
    assert_string_equal(lang_code((lang_t)42), "en");
    assert_string_equal(lang_native_name(LANG_ES), "Español");
    assert_string_equal(lang_native_name(LANG_FR), "Français");
    assert_string_equal(lang_native_name(LANG_IT), "Italiano");
    assert_string_equal(lang_native_name(LANG_EN), "English");
    for (int l = 0; l < LANG_COUNT; l++) {
        lang_t back = LANG_COUNT;
        assert_true(lang_parse(lang_code((lang_t)l), &back));
        assert_int_equal(back, l);
    }
}

static void test_13_catalogs_sorted(void **state)
{
    (void)state;
    /* tr() uses a binary search: every catalog must be sorted by msgid, without duplicates. */
    for (int l = 0; l < LANG_COUNT; l++) {
        const catalog_t *c = &cobro_catalogs[l];
        for (size_t i = 1; i < c->n; i++)
            if (strcmp(c->entries[i - 1].msgid, c->entries[i].msgid) >= 0)
                fail_msg("catalog %s: \"%s\" before \"%s\"", lang_code((lang_t)l),
                         c->entries[i - 1].msgid, c->entries[i].msgid);
        for (size_t i = 0; i < c->n; i++)
            if (c->entries[i].msgid[0])
                assert_ptr_equal(tr((lang_t)l, c->entries[i].msgid), c->entries[i].msgstr[0]
                                                                         ? c->entries[i].msgstr
                                                                         : c->entries[i].msgid);
    }
}

/* Counted texts take each language's plural rule: French 0 and 1 singular, the others 1 only. */
static void test_14_plural_forms_per_language(void **state)
{
    (void)state;
    const char *one = "%d of %d recipients", *many = "%d of %d recipients";
    static const struct {
        lang_t lang;
        const char *n0, *n1, *n2;
    } want[] = {
        {LANG_EN, "%d of %d recipients", "%d of %d recipients", "%d of %d recipients"},
        {LANG_ES, "%d de %d destinatarios", "%d de %d destinatarios", "%d de %d destinatarios"},
        {LANG_FR, "%d destinataire sur %d", "%d destinataire sur %d", "%d destinataires sur %d"},
        {LANG_IT, "%d destinatari su %d", "%d destinatario su %d", "%d destinatari su %d"},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        assert_string_equal(trn(want[i].lang, one, many, 0), want[i].n0);
        assert_string_equal(trn(want[i].lang, one, many, 1), want[i].n1);
        assert_string_equal(trn(want[i].lang, one, many, 2), want[i].n2);
        assert_string_equal(trn(want[i].lang, one, many, 20), want[i].n2);
    }
}

/* The rules themselves, from each catalog's Plural-Forms header. */
static void test_15_plural_rules(void **state)
{
    (void)state;
    for (unsigned long n = 0; n < 5; n++) {
        assert_int_equal(cobro_catalogs[LANG_FR].plural(n), n > 1);
        assert_int_equal(cobro_catalogs[LANG_IT].plural(n), n != 1);
        assert_int_equal(cobro_catalogs[LANG_ES].plural(n), n != 1);
        assert_int_equal(cobro_catalogs[LANG_EN].plural(n), n != 1);
    }
    for (int l = 0; l < LANG_COUNT; l++)
        assert_int_equal(cobro_catalogs[l].nplurals, 2);
}

/* Missing from the catalogs: English's rule on the two texts given, as ngettext. */
static void test_16_plural_unknown_msgid(void **state)
{
    (void)state;
    assert_string_equal(trn(LANG_FR, "one apple", "%d apples", 1), "one apple");
    assert_string_equal(trn(LANG_FR, "one apple", "%d apples", 0), "%d apples");
    assert_string_equal(trn(LANG_IT, "one apple", "%d apples", 2), "%d apples");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_01_parse_codes),
        cmocka_unit_test(test_02_parse_region_tags),
        cmocka_unit_test(test_03_parse_rejects),
        cmocka_unit_test(test_04_cookie_wins),
        cmocka_unit_test(test_05_q_values),
        cmocka_unit_test(test_06_q_zero_excluded),
        cmocka_unit_test(test_07_wildcard_and_unknown),
        cmocka_unit_test(test_08_garbage),
        cmocka_unit_test(test_09_region_tags),
        cmocka_unit_test(test_10_tr_unknown_msgid),
        cmocka_unit_test(test_11_tr_spanish),
        cmocka_unit_test(test_12_codes_and_names),
        cmocka_unit_test(test_13_catalogs_sorted),
        cmocka_unit_test(test_14_plural_forms_per_language),
        cmocka_unit_test(test_15_plural_rules),
        cmocka_unit_test(test_16_plural_unknown_msgid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
