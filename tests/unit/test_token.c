/* Unit tests: random tokens, digests and MACs (src/util/token.c). */
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

#include "util/token.h"

static int group_setup(void **state)
{
    (void)state;
    return token_init() ? 0 : -1;
}

static int compare_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void test_01_new_shape(void **state)
{
    (void)state;
    char t[TOKEN_CHARS + 1];
    memset(t, 'X', sizeof t);
    token_new(t);
    assert_int_equal(strlen(t), TOKEN_CHARS);
    assert_true(token_well_formed(t));
    /* 43 base64url characters carry 258 bits; the last one holds only 4 of the 256. */
    unsigned char bin[33];
    size_t bin_len = 0;
    assert_int_equal(sodium_base642bin(bin, sizeof bin, t, strlen(t), NULL, &bin_len, NULL,
                                       sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                     0);
    assert_int_equal(bin_len, 32);
}

static void test_02_new_unique(void **state)
{
    (void)state;
    enum { N = 1000 };
    char(*tokens)[TOKEN_CHARS + 1] = calloc(N, TOKEN_CHARS + 1);
    const char **sorted = calloc(N, sizeof *sorted);
    assert_non_null(tokens);
    assert_non_null(sorted);
    for (int i = 0; i < N; i++) {
        token_new(tokens[i]);
        assert_true(token_well_formed(tokens[i]));
        sorted[i] = tokens[i];
    }
    qsort(sorted, N, sizeof *sorted, compare_str);
    for (int i = 1; i < N; i++)
        assert_string_not_equal(sorted[i - 1], sorted[i]);

    /* Every base64url character shows up somewhere in 43,000 random characters. */
    bool seen[256] = {false};
    for (int i = 0; i < N; i++)
        for (int j = 0; j < TOKEN_CHARS - 1; j++)
            seen[(unsigned char)tokens[i][j]] = true;
    const char *alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (const char *p = alphabet; *p; p++)
        if (!seen[(unsigned char)*p]) fail_msg("character %c never appeared", *p);
    free(sorted);
    free(tokens);
}

static void test_03_digest_known_vectors(void **state)
{
    (void)state;
    char d[DIGEST_CHARS + 1];
    token_digest("abc", d);
    assert_string_equal(d, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    token_digest("", d);
    assert_string_equal(d, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    token_digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", d);
    assert_string_equal(d, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_04_digest_is_deterministic_and_distinct(void **state)
{
    (void)state;
    char t[TOKEN_CHARS + 1], d1[DIGEST_CHARS + 1], d2[DIGEST_CHARS + 1];
    token_new(t);
    token_digest(t, d1);
    token_digest(t, d2);
    assert_string_equal(d1, d2);
    assert_int_equal(strlen(d1), DIGEST_CHARS);
    assert_string_not_equal(d1, t); /* the digest never equals the token */
    t[0] = t[0] == 'A' ? 'B' : 'A';
    token_digest(t, d2);
    assert_string_not_equal(d1, d2);
}

static void test_05_mac_rfc4231_case2(void **state)
{
    (void)state;
    char mac[TOKEN_CHARS + 1];
    token_mac("Jefe", "what do ya want for nothing?", mac);
    assert_string_equal(mac, "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM");

    /* The same, checked through the raw bytes. */
    unsigned char bin[32];
    size_t bin_len = 0;
    assert_int_equal(sodium_base642bin(bin, sizeof bin, mac, strlen(mac), NULL, &bin_len, NULL,
                                       sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                     0);
    assert_int_equal(bin_len, 32);
    char hex[65];
    sodium_bin2hex(hex, sizeof hex, bin, bin_len);
    assert_string_equal(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

static void test_06_mac_rfc4231_case6_long_key(void **state)
{
    (void)state;
    char key[132], mac[TOKEN_CHARS + 1];
    memset(key, 0xaa, 131); /* a key longer than the hash block is hashed first */
    key[131] = '\0';
    token_mac(key, "Test Using Larger Than Block-Size Key - Hash Key First", mac);
    unsigned char bin[32];
    size_t bin_len = 0;
    assert_int_equal(sodium_base642bin(bin, sizeof bin, mac, strlen(mac), NULL, &bin_len, NULL,
                                       sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                     0);
    char hex[65];
    sodium_bin2hex(hex, sizeof hex, bin, bin_len);
    assert_string_equal(hex, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

static void test_07_mac_depends_on_key_and_message(void **state)
{
    (void)state;
    char a[TOKEN_CHARS + 1], b[TOKEN_CHARS + 1], c[TOKEN_CHARS + 1];
    token_mac("key", "message", a);
    token_mac("key", "message", b);
    assert_string_equal(a, b);
    assert_true(token_well_formed(a));
    token_mac("kez", "message", c);
    assert_string_not_equal(a, c);
    token_mac("key", "messagf", c);
    assert_string_not_equal(a, c);
    token_mac("", "", c); /* empty key and message are valid inputs */
    assert_true(token_well_formed(c));
}

/* Each thread keeps the keyed start of the last key: keys in turn, a key that is another's
 * prefix, and one too long to keep must each get their own MAC, every time. */
static void test_11_mac_keys_in_turn(void **state)
{
    (void)state;
    char long_key[132], jefe[TOKEN_CHARS + 1], mac[TOKEN_CHARS + 1], other[TOKEN_CHARS + 1];
    memset(long_key, 0xaa, 131);
    long_key[131] = '\0';
    token_mac("Jefe", "what do ya want for nothing?", jefe);
    assert_string_equal(jefe, "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM");
    const char *keys[] = {"Jef", "Jefe", long_key, "Jefe!", "", "Jefe"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        token_mac(keys[i], "what do ya want for nothing?", mac);
        /* What libsodium computes from scratch for the same key and message. */
        unsigned char bin[crypto_auth_hmacsha256_BYTES];
        crypto_auth_hmacsha256_state st;
        crypto_auth_hmacsha256_init(&st, (const unsigned char *)keys[i], strlen(keys[i]));
        crypto_auth_hmacsha256_update(&st, (const unsigned char *)"what do ya want for nothing?",
                                      28);
        crypto_auth_hmacsha256_final(&st, bin);
        sodium_bin2base64(other, sizeof other, bin, sizeof bin,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING);
        assert_string_equal(mac, other);
        if (strcmp(keys[i], "Jefe") == 0)
            assert_string_equal(mac, jefe);
        else
            assert_string_not_equal(mac, jefe);
    }
}

static void test_08_equal(void **state)
{
    (void)state;
    char t[TOKEN_CHARS + 1], u[TOKEN_CHARS + 1];
    token_new(t);
    memcpy(u, t, sizeof t);
    assert_true(token_equal(t, u));
    u[TOKEN_CHARS - 1] = u[TOKEN_CHARS - 1] == 'A' ? 'B' : 'A';
    assert_false(token_equal(t, u));
    assert_true(token_equal("abc", "abc"));
    assert_false(token_equal("abc", "abd"));
    assert_false(token_equal("abc", "ABC"));
}

static void test_09_equal_null_and_lengths(void **state)
{
    (void)state;
    assert_false(token_equal(NULL, "abc"));
    assert_false(token_equal("abc", NULL));
    assert_false(token_equal(NULL, NULL));
    assert_false(token_equal("abc", "abcd"));
    assert_false(token_equal("abcd", "abc"));
    assert_false(token_equal("", "a"));
    assert_false(token_equal("abc", ""));
}

static void test_10_well_formed(void **state)
{
    (void)state;
    char t[TOKEN_CHARS + 1];
    token_new(t);
    assert_true(token_well_formed(t));
    assert_true(token_well_formed("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq"));
    assert_true(token_well_formed("0123456789-_0123456789-_0123456789-_0123456"));

    assert_false(token_well_formed(NULL));
    assert_false(token_well_formed(""));
    assert_false(token_well_formed("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"));   /* 42 */
    assert_false(token_well_formed("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqr")); /* 44 */
    assert_false(token_well_formed("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop+"));  /* base64 */
    assert_false(token_well_formed("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop/"));
    assert_false(token_well_formed("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop="));
    assert_false(token_well_formed("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop "));
    assert_false(token_well_formed("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop\n"));
    assert_false(token_well_formed("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmno\xC3\xB1"));
    assert_false(token_well_formed("' OR 1=1 --ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef"));
}

/* The server's own base64url writes what libsodium writes, for MACs whose characters cover the
 * whole alphabet ('-' and '_' included). */
static void test_12_mac_text_as_libsodium_writes_it(void **state)
{
    (void)state;
    bool seen[128] = {false};
    for (int i = 0; i < 400; i++) {
        char msg[32], mac[TOKEN_CHARS + 1], other[TOKEN_CHARS + 1];
        snprintf(msg, sizeof msg, "session:%d", i);
        token_mac("a key", msg, mac);
        unsigned char bin[crypto_auth_hmacsha256_BYTES];
        crypto_auth_hmacsha256_state st;
        crypto_auth_hmacsha256_init(&st, (const unsigned char *)"a key", 5);
        crypto_auth_hmacsha256_update(&st, (const unsigned char *)msg, strlen(msg));
        crypto_auth_hmacsha256_final(&st, bin);
        sodium_bin2base64(other, sizeof other, bin, sizeof bin,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING);
        assert_string_equal(mac, other);
        for (const char *p = mac; *p; p++)
            seen[(unsigned char)*p & 127] = true;
    }
    int kinds = 0;
    for (int c = 0; c < 128; c++)
        kinds += seen[c];
    assert_int_equal(kinds, 64);
}

/* Digests and MACs remembered per thread answer exactly what a fresh computation gives, for
 * inputs asked again, pushed out by others, under keys in turn (a MAC under one key is never
 * given for another), and for inputs too long to remember. */
static void test_13_remembered_digests_and_macs_are_fresh_ones(void **state)
{
    (void)state;
    static const char *const keys[] = {"first secret", "second secret", "first secret"};
    char tokens[40][TOKEN_CHARS + 1];
    for (int i = 0; i < 40; i++)
        token_new(tokens[i]);
    char long_msg[200];
    memset(long_msg, 'x', sizeof long_msg - 1);
    long_msg[sizeof long_msg - 1] = '\0';
    for (int pass = 0; pass < 3; pass++) {
        for (int i = 0; i < 41; i++) {
            const char *in = i < 40 ? tokens[(i * 7 + pass) % 40] : long_msg;
            char digest[DIGEST_CHARS + 1], want_digest[DIGEST_CHARS + 1];
            token_digest(in, digest);
            unsigned char h[crypto_hash_sha256_BYTES];
            crypto_hash_sha256(h, (const unsigned char *)in, strlen(in));
            sodium_bin2hex(want_digest, sizeof want_digest, h, sizeof h);
            assert_string_equal(digest, want_digest);

            char mac[TOKEN_CHARS + 1], want_mac[TOKEN_CHARS + 1];
            const char *key = keys[pass];
            token_mac(key, in, mac);
            unsigned char bin[crypto_auth_hmacsha256_BYTES];
            crypto_auth_hmacsha256_state st;
            crypto_auth_hmacsha256_init(&st, (const unsigned char *)key, strlen(key));
            crypto_auth_hmacsha256_update(&st, (const unsigned char *)in, strlen(in));
            crypto_auth_hmacsha256_final(&st, bin);
            sodium_bin2base64(want_mac, sizeof want_mac, bin, sizeof bin,
                              sodium_base64_VARIANT_URLSAFE_NO_PADDING);
            assert_string_equal(mac, want_mac);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_01_new_shape),
        cmocka_unit_test(test_02_new_unique),
        cmocka_unit_test(test_03_digest_known_vectors),
        cmocka_unit_test(test_04_digest_is_deterministic_and_distinct),
        cmocka_unit_test(test_05_mac_rfc4231_case2),
        cmocka_unit_test(test_06_mac_rfc4231_case6_long_key),
        cmocka_unit_test(test_07_mac_depends_on_key_and_message),
        cmocka_unit_test(test_08_equal),
        cmocka_unit_test(test_09_equal_null_and_lengths),
        cmocka_unit_test(test_10_well_formed),
        cmocka_unit_test(test_11_mac_keys_in_turn),
        cmocka_unit_test(test_12_mac_text_as_libsodium_writes_it),
        cmocka_unit_test(test_13_remembered_digests_and_macs_are_fresh_ones),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
