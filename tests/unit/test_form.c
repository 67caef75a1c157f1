/* Unit tests: urlencoded forms, cookies, UTF-8 helpers, trimming (src/util/form.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "util/form.h"

static arena_t *A;

static int setup(void **state)
{
    (void)state;
    A = arena_new();
    return A ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    arena_free(A);
    A = NULL;
    return 0;
}

/* Parses a NUL-terminated string with the default field limit. */
static parse_status_t parse(const char *s, kvlist_t *out)
{
    return form_parse(A, s, strlen(s), FORM_MAX_FIELDS, out);
}

static void assert_malformed(const char *s)
{
    kvlist_t kv;
    if (parse(s, &kv) != PARSE_MALFORMED) fail_msg("expected PARSE_MALFORMED for \"%s\"", s);
}

static void test_01_plain_fields(void **state)
{
    (void)state;
    kvlist_t kv;
    assert_int_equal(parse("user=alice&password=secret", &kv), PARSE_OK);
    assert_int_equal(kv.n, 2);
    assert_string_equal(kv.items[0].name, "user");
    assert_string_equal(kv.items[0].value, "alice");
    assert_string_equal(kv_get(&kv, "password"), "secret");
    assert_null(kv_get(&kv, "missing"));
    assert_null(kv_get(&kv, "Password")); /* names are case-sensitive */
}

static void test_02_plus_is_space(void **state)
{
    (void)state;
    kvlist_t kv;
    assert_int_equal(parse("full+name=Ana+Mar%C3%ADa++L%C3%B3pez&q=a%2Bb", &kv), PARSE_OK);
    assert_string_equal(kv_get(&kv, "full name"), "Ana María  López");
    assert_string_equal(kv_get(&kv, "q"), "a+b"); /* an escaped plus stays a plus */
}

static void test_03_percent_escapes(void **state)
{
    (void)state;
    kvlist_t kv;
    assert_int_equal(parse("n%41me=%7e%7E%25%26%3D&x=%e2%82%ac", &kv), PARSE_OK);
    assert_string_equal(kv_get(&kv, "nAme"), "~~%&=");
    assert_string_equal(kv_get(&kv, "x"), "\xE2\x82\xAC"); /* lower-case hex, euro sign */
    assert_int_equal(parse("a=b=c", &kv), PARSE_OK);
    assert_string_equal(kv_get(&kv, "a"), "b=c"); /* only the first '=' separates */
}

static void test_04_bad_escapes(void **state)
{
    (void)state;
    assert_malformed("a=%G1");
    assert_malformed("a=%1G");
    assert_malformed("a=%4");
    assert_malformed("a=%");
    assert_malformed("a=x%");
    assert_malformed("%zz=1");
    assert_malformed("a=%%41");
    assert_malformed("ok=1&a=%4"); /* a later bad field spoils the whole form */
}

static void test_05_invalid_utf8(void **state)
{
    (void)state;
    assert_malformed("a=%C0%80");          /* overlong NUL */
    assert_malformed("a=%C1%BF");          /* overlong ASCII */
    assert_malformed("a=%E0%80%AF");       /* overlong '/' */
    assert_malformed("a=%ED%A0%80");       /* UTF-16 surrogate U+D800 */
    assert_malformed("a=%ED%BF%BF");       /* surrogate U+DFFF */
    assert_malformed("a=%F4%90%80%80");    /* U+110000, past the last code point */
    assert_malformed("a=%F8%88%80%80%80"); /* five-byte form */
    assert_malformed("a=%FF");
    assert_malformed("a=%80");          /* lone continuation byte */
    assert_malformed("a=%C3");          /* truncated sequence */
    assert_malformed("a=%E2%82");       /* truncated sequence */
    assert_malformed("a=%C3A");         /* lead byte then ASCII */
    assert_malformed("a=\xC0\x80");     /* raw bytes are checked too */
    assert_malformed("\xED\xA0\x80=1"); /* and names too */

    kvlist_t kv;
    assert_int_equal(parse("a=%F4%8F%BF%BF&b=%F0%9F%98%80&c=\xC3\xB1", &kv), PARSE_OK);
    assert_string_equal(kv_get(&kv, "a"), "\xF4\x8F\xBF\xBF"); /* U+10FFFF is allowed */
    assert_string_equal(kv_get(&kv, "b"), "\xF0\x9F\x98\x80");
    assert_string_equal(kv_get(&kv, "c"), "ñ");
}

static void test_06_control_characters(void **state)
{
    (void)state;
    assert_malformed("a=%00");
    assert_malformed("a=x%00y");
    assert_malformed("a%00=1");
    assert_malformed("a=%01");
    assert_malformed("a=%1B[31m");
    assert_malformed("a=%7F");
    assert_malformed("a=\x01");

    /* A raw NUL inside the given length is data, not the end of it. */
    kvlist_t kv;
    const char with_nul[] = {'a', '=', 'x', '\0', 'y'};
    assert_int_equal(form_parse(A, with_nul, sizeof with_nul, FORM_MAX_FIELDS, &kv),
                     PARSE_MALFORMED);

    /* Tab and LF are allowed. */
    assert_int_equal(parse("a=x%09y%0Az", &kv), PARSE_OK);
    assert_string_equal(kv_get(&kv, "a"), "x\ty\nz");
}

/* A POST body keeps control characters (not NUL) for the fields to refuse with a message. */
static void test_06b_body_keeps_control_characters(void **state)
{
    (void)state;
    kvlist_t kv;
    const char *s = "a=x%0Ay&b=%01%1B%7F&c=one%0D%0Atwo&d=lone%0Dcr&e=%09";
    assert_int_equal(form_parse_body(A, s, strlen(s), FORM_MAX_FIELDS, &kv), PARSE_OK);
    assert_string_equal(kv_get(&kv, "a"), "x\ny");
    assert_string_equal(kv_get(&kv, "b"), "\x01\x1b\x7f");
    assert_string_equal(kv_get(&kv, "c"), "one\ntwo"); /* CR LF still folded */
    assert_string_equal(kv_get(&kv, "d"), "lone\rcr"); /* a lone CR stays, to be refused */
    assert_string_equal(kv_get(&kv, "e"), "\t");
    /* NUL, invalid UTF-8 and controls in names stay malformed. */
    const char *bad[] = {"a=x%00y", "a=%C3", "a%01=1", "a=%ED%A0%80"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(form_parse_body(A, bad[i], strlen(bad[i]), FORM_MAX_FIELDS, &kv),
                         PARSE_MALFORMED);
}

/* What a refused field shows back: its control characters as visible symbols. */
static void test_06c_controls_visible(void **state)
{
    (void)state;
    assert_string_equal(controls_visible(A, "Alice\nSmith", false), "Alice\xE2\x90\x8ASmith");
    assert_string_equal(controls_visible(A, "Alice\nSmith", true), "Alice\nSmith");
    assert_string_equal(controls_visible(A, "a\tb\x7f", true), "a\xE2\x90\x89"
                                                               "b\xE2\x90\xA1");
    assert_string_equal(controls_visible(A, "c1\xC2\x85!", false), "c1\xEF\xBF\xBD!");
    assert_string_equal(controls_visible(A, "Zo\xC3\xAB \xC2\xA0", false), "Zo\xC3\xAB \xC2\xA0");
    assert_null(controls_visible(A, NULL, false));
}

static void test_07_crlf_folded(void **state)
{
    (void)state;
    kvlist_t kv;
    assert_int_equal(parse("msg=line1%0D%0Aline2%0D%0A%0D%0Aend&lone=a%0Db", &kv), PARSE_OK);
    assert_string_equal(kv_get(&kv, "msg"), "line1\nline2\n\nend");
    const char *lone = kv_get(&kv, "lone");
    assert_non_null(lone);
    assert_null(strchr(lone, '\r')); /* no CR survives */
}

static void test_08_empty_fields(void **state)
{
    (void)state;
    kvlist_t kv;
    assert_int_equal(form_parse(A, NULL, 0, FORM_MAX_FIELDS, &kv), PARSE_OK);
    assert_int_equal(kv.n, 0);
    assert_int_equal(parse("", &kv), PARSE_OK);
    assert_int_equal(kv.n, 0);

    assert_int_equal(parse("a=&b&&c=3&", &kv), PARSE_OK);
    assert_int_equal(kv.n, 3);
    assert_string_equal(kv_get(&kv, "a"), "");
    assert_string_equal(kv_get(&kv, "b"), ""); /* a name without '=' has an empty value */
    assert_string_equal(kv_get(&kv, "c"), "3");

    assert_int_equal(parse("&&&", &kv), PARSE_OK);
    assert_int_equal(kv.n, 0);
}

static void test_09_length_is_respected(void **state)
{
    (void)state;
    kvlist_t kv;
    const char *s = "a=1&b=2";
    assert_int_equal(form_parse(A, s, 3, FORM_MAX_FIELDS, &kv), PARSE_OK);
    assert_int_equal(kv.n, 1);
    assert_string_equal(kv_get(&kv, "a"), "1");
    assert_null(kv_get(&kv, "b"));
    /* A cut in the middle of an escape is a truncated escape. */
    assert_int_equal(form_parse(A, "a=%41", 4, FORM_MAX_FIELDS, &kv), PARSE_MALFORMED);
}

static void test_10_too_many_fields(void **state)
{
    (void)state;
    kvlist_t kv;
    assert_int_equal(form_parse(A, "a=1&b=2&c=3", 11, 3, &kv), PARSE_OK);
    assert_int_equal(kv.n, 3);
    assert_int_equal(form_parse(A, "a=1&b=2&c=3&d=4", 15, 3, &kv), PARSE_TOO_LARGE);

    char big[FORM_MAX_FIELDS * 8 + 16];
    size_t len = 0;
    for (int i = 0; i < FORM_MAX_FIELDS; i++)
        len += (size_t)snprintf(big + len, sizeof big - len, "%sf%d=%d", i ? "&" : "", i, i);
    assert_int_equal(form_parse(A, big, len, FORM_MAX_FIELDS, &kv), PARSE_OK);
    assert_int_equal(kv.n, FORM_MAX_FIELDS);
    len += (size_t)snprintf(big + len, sizeof big - len, "&one=more");
    assert_int_equal(form_parse(A, big, len, FORM_MAX_FIELDS, &kv), PARSE_TOO_LARGE);
}

static void test_11_duplicate_names(void **state)
{
    (void)state;
    kvlist_t kv;
    assert_int_equal(parse("role=user&role=staff&Role=x", &kv), PARSE_OK);
    assert_int_equal(kv.n, 3);
    assert_string_equal(kv_get(&kv, "role"), "user");
    assert_string_equal(kv.items[1].value, "staff");
}

static void test_12_cookies_basic(void **state)
{
    (void)state;
    kvlist_t c;
    cookies_parse(A, "cobro_session=abc; cobro_lang=es", &c);
    assert_int_equal(c.n, 2);
    assert_string_equal(kv_get(&c, "cobro_session"), "abc");
    assert_string_equal(kv_get(&c, "cobro_lang"), "es");

    cookies_parse(A, NULL, &c);
    assert_int_equal(c.n, 0);
    cookies_parse(A, "", &c);
    assert_int_equal(c.n, 0);
}

static void test_13_cookies_spaces(void **state)
{
    (void)state;
    kvlist_t c;
    cookies_parse(A, "   a=1;b=2 ;   c=3   ;d = 4", &c);
    assert_string_equal(kv_get(&c, "a"), "1");
    assert_string_equal(kv_get(&c, "b"), "2");
    assert_string_equal(kv_get(&c, "c"), "3");
    /* RFC 6265 5.2: white space around the name and the value is removed. */
    assert_string_equal(kv_get(&c, "d"), "4");
}

static void test_14_cookies_quotes(void **state)
{
    (void)state;
    kvlist_t c;
    cookies_parse(A, "a=\"quoted value\"; b=\"unbalanced; c=\"\"; d=x\"y\"", &c);
    assert_string_equal(kv_get(&c, "a"), "quoted value");
    assert_string_equal(kv_get(&c, "b"), "\"unbalanced");
    assert_string_equal(kv_get(&c, "c"), "");
    assert_string_equal(kv_get(&c, "d"), "x\"y\"");
}

static void test_15_cookies_malformed_pairs(void **state)
{
    (void)state;
    kvlist_t c;
    cookies_parse(A, "junk; =nameless; a=1;;; b; c=x=y; ;=;", &c);
    assert_int_equal(c.n, 2);
    assert_string_equal(kv_get(&c, "a"), "1");
    assert_string_equal(kv_get(&c, "c"), "x=y");
    assert_null(kv_get(&c, "junk"));
    assert_null(kv_get(&c, "b"));
    assert_null(kv_get(&c, ""));

    /* Duplicates: the first one wins, as with forms. */
    cookies_parse(A, "s=first; s=second", &c);
    assert_string_equal(kv_get(&c, "s"), "first");
}

static void test_16_cookies_cap(void **state)
{
    (void)state;
    char header[COOKIE_MAX * 16 + 64];
    size_t len = 0;
    for (int i = 0; i < COOKIE_MAX + 10; i++)
        len += (size_t)snprintf(header + len, sizeof header - len, "k%d=v%d; ", i, i);
    kvlist_t c;
    cookies_parse(A, header, &c);
    assert_int_equal(c.n, COOKIE_MAX);
    assert_string_equal(kv_get(&c, "k0"), "v0");
    assert_null(kv_get(&c, "k40"));
}

static void test_17_utf8_length(void **state)
{
    (void)state;
    assert_int_equal(utf8_length(""), 0);
    assert_int_equal(utf8_length("abc"), 3);
    assert_int_equal(utf8_length("ñ"), 1);
    assert_int_equal(utf8_length("ñññññññññ"), 9);
    assert_int_equal(utf8_length("日本語"), 3);
    assert_int_equal(utf8_length("a\xF0\x9F\x98\x80z"), 3);
}

static void test_18_utf8_valid(void **state)
{
    (void)state;
    assert_true(utf8_valid("", 0));
    assert_true(utf8_valid("héllo 日本 \xF0\x9F\x98\x80", strlen("héllo 日本 \xF0\x9F\x98\x80")));
    assert_false(utf8_valid("\xC0\x80", 2));
    assert_false(utf8_valid("\xED\xA0\x80", 3));
    assert_false(utf8_valid("\xF4\x90\x80\x80", 4));
    assert_false(utf8_valid("\xE2\x82\xAC", 2)); /* cut by the length */
    assert_true(utf8_valid("\xE2\x82\xAC", 3));
}

static void test_19_str_trim(void **state)
{
    (void)state;
    char a[] = "  \t alice@example.com \r\n ";
    assert_string_equal(str_trim(a), "alice@example.com");
    assert_ptr_equal(str_trim(a), a);
    char b[] = "";
    assert_string_equal(str_trim(b), "");
    char c[] = " \t\r\n ";
    assert_string_equal(str_trim(c), "");
    char d[] = "in side";
    assert_string_equal(str_trim(d), "in side");
    char e[] = "x";
    assert_string_equal(str_trim(e), "x");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_01_plain_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_02_plus_is_space, setup, teardown),
        cmocka_unit_test_setup_teardown(test_03_percent_escapes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_04_bad_escapes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_05_invalid_utf8, setup, teardown),
        cmocka_unit_test_setup_teardown(test_06_control_characters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_07_crlf_folded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_08_empty_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_09_length_is_respected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_10_too_many_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_11_duplicate_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_12_cookies_basic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_13_cookies_spaces, setup, teardown),
        cmocka_unit_test_setup_teardown(test_14_cookies_quotes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_15_cookies_malformed_pairs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_16_cookies_cap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_17_utf8_length, setup, teardown),
        cmocka_unit_test_setup_teardown(test_18_utf8_valid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_19_str_trim, setup, teardown),
        cmocka_unit_test_setup_teardown(test_06b_body_keeps_control_characters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_06c_controls_visible, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
