/* Unit tests: bank numbers sealed at rest and the data key file (src/util/sealed.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/sealed.h"
#include "util/token.h"

static int group_setup(void **state)
{
    (void)state;
    return token_init() ? 0 : -1;
}

static data_key_t key_of(unsigned char fill)
{
    data_key_t k;
    memset(k.bytes, fill, sizeof k.bytes);
    return k;
}

static void test_01_round_trip(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    data_key_t k = key_of(7);
    const char *plain[] = {"011000015", "123456789", "IT60X0542811101000000123456", "x",
                           "Ünïcødé 1234"};
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
        char *sealed = seal_text(a, &k, plain[i]);
        assert_true(is_sealed(sealed));
        /* The number is nowhere in the sealed text (a one-letter text may occur by chance in
         * random base64, a nine-digit one practically never). */
        if (strlen(plain[i]) >= 6) assert_null(strstr(sealed, plain[i]));
        char *back = NULL;
        assert_true(unseal_text(a, &k, sealed, &back));
        assert_string_equal(back, plain[i]);
    }
    arena_free(a);
}

static void test_02_each_seal_differs(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    data_key_t k = key_of(7);
    char *one = seal_text(a, &k, "123456789"), *two = seal_text(a, &k, "123456789");
    assert_string_not_equal(one, two); /* a fresh nonce each time: equal numbers do not show */
    arena_free(a);
}

static void test_03_empty_stays_empty(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    data_key_t k = key_of(7);
    assert_string_equal(seal_text(a, &k, ""), "");
    assert_string_equal(seal_text(a, &k, NULL), "");
    char *back = (char *)"unchanged";
    assert_false(unseal_text(a, &k, "", &back));
    assert_null(back);
    arena_free(a);
}

static void test_04_another_key_cannot_open(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    data_key_t k = key_of(7), other = key_of(8);
    char *sealed = seal_text(a, &k, "123456789"), *back = NULL;
    assert_false(unseal_text(a, &other, sealed, &back));
    assert_null(back);
    arena_free(a);
}

static void test_05_any_change_is_detected(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    data_key_t k = key_of(7);
    char *sealed = seal_text(a, &k, "123456789"), *back = NULL;
    size_t n = strlen(sealed);
    for (size_t i = 3; i < n; i++) { /* every character after the mark */
        char *changed = arena_strdup(a, sealed);
        changed[i] = changed[i] == 'A' ? 'B' : 'A';
        assert_false(unseal_text(a, &k, changed, &back));
    }
    char *shorter = arena_strdup(a, sealed);
    shorter[n - 1] = '\0';
    assert_false(unseal_text(a, &k, shorter, &back));
    arena_free(a);
}

static void test_06_not_sealed_texts_are_refused(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    data_key_t k = key_of(7);
    const char *bad[] = {"123456789", "v1:", "v1:AAAA", "v2:abc", "v1:!!!!", "V1:abcd"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *back = NULL;
        assert_false(unseal_text(a, &k, bad[i], &back));
        assert_null(back);
    }
    assert_false(is_sealed(NULL));
    assert_false(is_sealed("123"));
    assert_true(is_sealed("v1:x"));
    arena_free(a);
}

/* A fresh path in a fresh directory. */
static char *temp_path(char dir[64], const char *name)
{
    strcpy(dir, "/tmp/cobro-sealed-XXXXXX");
    assert_non_null(mkdtemp(dir));
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

static void remove_temp(const char *dir, const char *path)
{
    unlink(path);
    rmdir(dir);
}

static void test_07_key_file_made_then_read(void **state)
{
    (void)state;
    char dir[64], err[256];
    char *path = temp_path(dir, "k.key");
    data_key_t made, read;
    bool created = false;
    assert_false(data_key_load(path, false, &made, &created, err, sizeof err));
    assert_non_null(strstr(err, path));
    assert_true(data_key_load(path, true, &made, &created, err, sizeof err));
    assert_true(created);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(st.st_size, DATA_KEY_FILE_CHARS);
    assert_true(data_key_load(path, true, &read, &created, err, sizeof err));
    assert_false(created); /* never replaced */
    assert_memory_equal(made.bytes, read.bytes, DATA_KEY_BYTES);
    remove_temp(dir, path);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    assert_int_equal(chmod(path, mode), 0);
}

static void test_08_key_file_checks(void **state)
{
    (void)state;
    char dir[64], err[256];
    char *path = temp_path(dir, "k.key");
    data_key_t k;
    bool created = false;
    char good[DATA_KEY_FILE_CHARS + 1];
    memset(good, 'a', DATA_KEY_FILE_CHARS - 1);
    good[DATA_KEY_FILE_CHARS - 1] = '\n';
    good[DATA_KEY_FILE_CHARS] = '\0';

    write_file(path, good, 0600);
    assert_true(data_key_load(path, false, &k, &created, err, sizeof err));
    assert_int_equal(k.bytes[0], 0xaa);
    good[DATA_KEY_FILE_CHARS - 1] = '\0'; /* without the newline: accepted too */
    write_file(path, good, 0600);
    assert_true(data_key_load(path, false, &k, &created, err, sizeof err));

    write_file(path, good, 0640);
    assert_false(data_key_load(path, true, &k, &created, err, sizeof err));
    assert_non_null(strstr(err, "chmod 600"));

    const char *bad[] = {"", "abc\n", "zz",
                         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
                         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        write_file(path, bad[i], 0600);
        assert_false(data_key_load(path, true, &k, &created, err, sizeof err));
        assert_non_null(strstr(err, "does not hold one key"));
        assert_false(created);
    }
    assert_false(data_key_load("", true, &k, &created, err, sizeof err));
    remove_temp(dir, path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_01_round_trip),
        cmocka_unit_test(test_02_each_seal_differs),
        cmocka_unit_test(test_03_empty_stays_empty),
        cmocka_unit_test(test_04_another_key_cannot_open),
        cmocka_unit_test(test_05_any_change_is_detected),
        cmocka_unit_test(test_06_not_sealed_texts_are_refused),
        cmocka_unit_test(test_07_key_file_made_then_read),
        cmocka_unit_test(test_08_key_file_checks),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
