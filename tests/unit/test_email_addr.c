/* Unit tests: email and User ID syntax (src/util/email_addr.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "util/email_addr.h"

static void valid(const char *s)
{
    if (!email_valid(s)) fail_msg("expected \"%s\" to be a valid email", s ? s : "(null)");
}

static void invalid(const char *s)
{
    if (email_valid(s)) fail_msg("expected \"%s\" to be refused", s ? s : "(null)");
}

static void test_01_email_ordinary(void **state)
{
    (void)state;
    valid("alice@example.com");
    valid("Alice.Smith@Example.COM");
    valid("a@b.co");
    valid("user+tag@sub.domain.example.org");
    valid("o'brien@example.ie");
    valid("x_y-z@a-b.example");
    valid("!#$%&'*+-/=?^_`{|}~@example.com");
    valid("1@2.3");
}

static void test_02_email_structure(void **state)
{
    (void)state;
    invalid(NULL);
    invalid("");
    invalid("@");
    invalid("alice");
    invalid("alice@");
    invalid("@example.com");
    invalid("alice@@example.com");
    invalid("alice@bob@example.com");
    invalid("alice@localhost"); /* needs a dot in the domain */
}

static void test_03_email_local_part(void **state)
{
    (void)state;
    invalid(".alice@example.com");
    invalid("alice.@example.com");
    invalid("al..ice@example.com");
    invalid("al ice@example.com");
    invalid("\"alice\"@example.com");
    invalid("al(ice)@example.com");
    invalid("al,ice@example.com");
    invalid("al<ice>@example.com");
    invalid("al\\ice@example.com");
    invalid("al:ice@example.com");
    invalid("al;ice@example.com");
    invalid("al[ice]@example.com");
    invalid("al\tice@example.com");
    invalid("alice\r\nBcc: x@example.com@example.com");
    invalid("ali\xC3\xB1"
            "e@example.com"); /* non-ASCII */
    invalid("ali\x7F"
            "e@example.com");
}

static void test_04_email_domain(void **state)
{
    (void)state;
    invalid("alice@.example.com");
    invalid("alice@example.com.");
    invalid("alice@example..com");
    invalid("alice@-example.com");
    invalid("alice@example-.com");
    invalid("alice@exa_mple.com");
    invalid("alice@exa mple.com");
    invalid("alice@[127.0.0.1]");
    invalid("alice@example.com\n");
    invalid("alice@ex\xC3\xA1mple.com");
    valid("alice@ex-ample.com");
    valid("alice@xn--exmple-cua.com");
}

static void test_05_email_lengths(void **state)
{
    (void)state;
    char label63[64], label64[65];
    memset(label63, 'a', 63);
    label63[63] = '\0';
    memset(label64, 'a', 64);
    label64[64] = '\0';
    char s[400];
    strcpy(s, "x@");
    strcat(s, label63);
    strcat(s, ".com");
    valid(s);
    strcpy(s, "x@");
    strcat(s, label64);
    strcat(s, ".com");
    invalid(s);

    /* Exactly EMAIL_MAX characters, then one more (a longer local part, same domain). */
    char domain[200];
    snprintf(domain, sizeof domain, "%s.%s.%.61s.com", label63, label63,
             "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
    assert_int_equal(strlen(domain), 193);
    snprintf(s, sizeof s, "%.60s@%s",
             "llllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllll", domain);
    assert_int_equal(strlen(s), EMAIL_MAX);
    valid(s);
    snprintf(s, sizeof s, "%.61s@%s",
             "llllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllll", domain);
    assert_int_equal(strlen(s), EMAIL_MAX + 1);
    invalid(s);

    char huge[5000];
    memset(huge, 'a', sizeof huge - 1);
    huge[sizeof huge - 1] = '\0';
    huge[100] = '@';
    huge[200] = '.';
    invalid(huge);
}

static void test_08_ascii_lower(void **state)
{
    (void)state;
    char a[] = "Alice@Example.COM";
    assert_ptr_equal(ascii_lower(a), a);
    assert_string_equal(a, "alice@example.com");
    char b[] = "ÑANDÚ-Z@[]`{";
    assert_string_equal(ascii_lower(b), "ÑandÚ-z@[]`{"); /* Ñ and Ú are not ASCII */
    char c[] = "";
    assert_string_equal(ascii_lower(c), "");
    char d[] = "az09 AZ";
    assert_string_equal(ascii_lower(d), "az09 az");
}

static void test_09_addr_part(void **state)
{
    (void)state;
    char out[EMAIL_MAX + 1];
    email_addr_part("cobro <billing@localhost>", out, sizeof out);
    assert_string_equal(out, "billing@localhost");
    email_addr_part("billing@example.com", out, sizeof out);
    assert_string_equal(out, "billing@example.com");
    email_addr_part("\"Acme, Inc.\" <billing@acme.example>", out, sizeof out);
    assert_string_equal(out, "billing@acme.example");
    email_addr_part("<only@addr.example>", out, sizeof out);
    assert_string_equal(out, "only@addr.example");
    email_addr_part("  spaced@example.com  ", out, sizeof out);
    assert_string_equal(out, "spaced@example.com");
    email_addr_part("Name < inner@example.com >", out, sizeof out);
    assert_string_equal(out, "inner@example.com");
    email_addr_part("", out, sizeof out);
    assert_string_equal(out, "");
    email_addr_part(NULL, out, sizeof out);
    assert_string_equal(out, "");
}

static void test_10_addr_part_truncates(void **state)
{
    (void)state;
    char out[8];
    memset(out, 'Z', sizeof out);
    email_addr_part("Name <abcdefghijkl@example.com>", out, sizeof out);
    assert_string_equal(out, "abcdefg"); /* cut, but always terminated */
    char one[1] = {'Z'};
    email_addr_part("a@b.c", one, 1);
    assert_int_equal(one[0], '\0');
    email_addr_part("a@b.c", NULL, 0); /* nothing to write to: no crash */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_01_email_ordinary),   cmocka_unit_test(test_02_email_structure),
        cmocka_unit_test(test_03_email_local_part), cmocka_unit_test(test_04_email_domain),
        cmocka_unit_test(test_05_email_lengths),    cmocka_unit_test(test_08_ascii_lower),
        cmocka_unit_test(test_09_addr_part),        cmocka_unit_test(test_10_addr_part_truncates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
