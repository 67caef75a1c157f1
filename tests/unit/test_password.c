/* Unit tests: password rules and argon2id hashing (src/util/password.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <string.h>

#include "util/password.h"

static int group_setup(void **state)
{
    (void)state;
    return sodium_init() >= 0 ? 0 : -1;
}

static void test_01_length_in_characters(void **state)
{
    (void)state;
    assert_int_equal(password_check("abcdefghi", "abcdefghi", "alice"), PASSWORD_TOO_SHORT);
    assert_int_equal(password_check("abcdefghij", "abcdefghij", "alice"), PASSWORD_OK);
    /* Nine ñ are 18 bytes but nine characters: still too short. */
    assert_int_equal(password_check("ñññññññññ", "ñññññññññ", "alice"), PASSWORD_TOO_SHORT);
    assert_int_equal(password_check("ññññññññññ", "ññññññññññ", "alice"), PASSWORD_OK);
    /* Four-byte characters count once each. */
    assert_int_equal(password_check("😀😀😀😀😀😀😀😀😀", "😀😀😀😀😀😀😀😀😀", "alice"), PASSWORD_TOO_SHORT);
    assert_int_equal(password_check("😀😀😀😀😀😀😀😀😀😀", "😀😀😀😀😀😀😀😀😀😀", "alice"), PASSWORD_OK);
    assert_int_equal(password_check("", "", "alice"), PASSWORD_TOO_SHORT);
}

static void test_02_spaces_count(void **state)
{
    (void)state;
    assert_int_equal(password_check("          ", "          ", "alice"), PASSWORD_OK);
    assert_int_equal(password_check("correct horse", "correct horse", "alice"), PASSWORD_OK);
}

static void test_03_same_as_login(void **state)
{
    (void)state;
    assert_int_equal(password_check("alice@example.com", "alice@example.com", "alice@example.com"),
                     PASSWORD_SAME_AS_LOGIN);
    assert_int_equal(password_check("ALICE@Example.COM", "ALICE@Example.COM", "alice@example.com"),
                     PASSWORD_SAME_AS_LOGIN);
    assert_int_equal(password_check("bob.builder", "bob.builder", "Bob.Builder"),
                     PASSWORD_SAME_AS_LOGIN);
    /* Containing the login is allowed; only equality is refused. */
    assert_int_equal(password_check("bob.builder1", "bob.builder1", "bob.builder"), PASSWORD_OK);
    /* No login to compare with. */
    assert_int_equal(password_check("bob.builder", "bob.builder", NULL), PASSWORD_OK);
}

static void test_04_mismatch(void **state)
{
    (void)state;
    assert_int_equal(password_check("long enough 1", "long enough 2", "alice"), PASSWORD_MISMATCH);
    assert_int_equal(password_check("long enough", "Long enough", "alice"), PASSWORD_MISMATCH);
    assert_int_equal(password_check("long enough", "long enough ", "alice"), PASSWORD_MISMATCH);
    assert_int_equal(password_check("long enough", "", "alice"), PASSWORD_MISMATCH);
}

static void test_05_too_long(void **state)
{
    (void)state;
    static char pw[PASSWORD_MAX_BYTES + 2];
    memset(pw, 'x', PASSWORD_MAX_BYTES);
    pw[PASSWORD_MAX_BYTES] = '\0';
    assert_int_equal(password_check(pw, pw, "alice"), PASSWORD_OK);
    pw[PASSWORD_MAX_BYTES] = 'x';
    pw[PASSWORD_MAX_BYTES + 1] = '\0';
    assert_int_equal(password_check(pw, pw, "alice"), PASSWORD_TOO_LONG);
    /* The limit is in bytes: 513 two-byte characters are too long. */
    static char wide[2 * 513 + 1];
    for (int i = 0; i < 513; i++)
        memcpy(wide + 2 * i, "ñ", 2);
    wide[2 * 513] = '\0';
    assert_int_equal(password_check(wide, wide, "alice"), PASSWORD_TOO_LONG);
}

static void test_06_hash_round_trip(void **state)
{
    (void)state;
    char h[PASSWORD_HASH_MAX];
    assert_true(password_hash("correct horse battery staple", h));
    assert_non_null(memchr(h, '\0', sizeof h));
    assert_int_equal(strncmp(h, "$argon2id$", 10), 0);
    assert_null(strstr(h, "correct horse")); /* the hash does not hold the password */
    assert_true(password_verify(h, "correct horse battery staple"));
    assert_false(password_verify(h, "correct horse battery stapl"));
    assert_false(password_verify(h, "Correct horse battery staple"));
    assert_false(password_verify(h, ""));
}

static void test_07_hash_is_salted(void **state)
{
    (void)state;
    char a[PASSWORD_HASH_MAX], b[PASSWORD_HASH_MAX];
    assert_true(password_hash("ññññññññññ", a));
    assert_true(password_hash("ññññññññññ", b));
    assert_string_not_equal(a, b);
    assert_true(password_verify(a, "ññññññññññ"));
    assert_true(password_verify(b, "ññññññññññ"));
}

static void test_08_verify_bad_hashes(void **state)
{
    (void)state;
    assert_false(password_verify(NULL, "whatever123"));
    assert_false(password_verify("", "whatever123"));
    assert_false(password_verify("garbage", "whatever123"));
    assert_false(password_verify("$argon2id$", "whatever123"));
    assert_false(password_verify("$argon2id$v=19$m=65536,t=2,p=1$AAAA$BBBB", "whatever123"));

    /* A real hash cut short, or with one character changed, matches nothing. */
    char h[PASSWORD_HASH_MAX];
    assert_true(password_hash("whatever123", h));
    char cut[PASSWORD_HASH_MAX];
    size_t n = strlen(h);
    memcpy(cut, h, n - 5);
    cut[n - 5] = '\0';
    assert_false(password_verify(cut, "whatever123"));
    h[n - 2] = h[n - 2] == 'A' ? 'B' : 'A';
    assert_false(password_verify(h, "whatever123"));
}

static void test_09_verify_dummy(void **state)
{
    (void)state;
    /* Only has to run (twice: the dummy hash is made once) without crashing. */
    password_verify_dummy("anything at all");
    password_verify_dummy("");
}

/* Control characters cannot be typed at sign-in: a new password holding one is refused. */
static void test_10_control_characters_refused(void **state)
{
    (void)state;
    const char *bad[] = {"correct horse\nbattery",    "correct\thorse battery",
                         "correct\rhorse battery",    "correct horse\x1b battery",
                         "correct horse\x7f battery", "correct horse\xc2\x85 battery"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(password_check(bad[i], bad[i], "alice"), PASSWORD_CONTROL_CHARS);
    assert_int_equal(password_check("correct horse\xc2\xa0"
                                    "battery",
                                    "correct horse\xc2\xa0"
                                    "battery",
                                    "alice"),
                     PASSWORD_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_01_length_in_characters),
        cmocka_unit_test(test_02_spaces_count),
        cmocka_unit_test(test_03_same_as_login),
        cmocka_unit_test(test_04_mismatch),
        cmocka_unit_test(test_05_too_long),
        cmocka_unit_test(test_06_hash_round_trip),
        cmocka_unit_test(test_07_hash_is_salted),
        cmocka_unit_test(test_08_verify_bad_hashes),
        cmocka_unit_test(test_09_verify_dummy),
        cmocka_unit_test(test_10_control_characters_refused),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
