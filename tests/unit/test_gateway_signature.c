/* Unit tests: event signatures in Stripe's scheme (src/payments/signature.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "payments/gateway.h"

/* Linked with -Wl,--wrap=sodium_memcmp (meson.build): every comparison of a signature goes
 * through libsodium's constant-time one, and is counted here. */
int __real_sodium_memcmp(const void *b1, const void *b2, size_t len);
int __wrap_sodium_memcmp(const void *b1, const void *b2, size_t len);
static int memcmp_calls;
int __wrap_sodium_memcmp(const void *b1, const void *b2, size_t len)
{
    memcmp_calls++;
    return __real_sodium_memcmp(b1, b2, len);
}

/* Known answers computed apart from this code, with Python's hmac module:
 * hmac.new(secret, b"1700000000." + body, hashlib.sha256).hexdigest() */
static const char BODY[] = "{\"id\":\"evt_1\"}";
static const int64_t T = 1700000000;
static const char MAC_A[] = "248a374f50f943a28b0f6ab50faf9a7e7e29b710fa26df9fb1618b9bf8ea9c9a";
static const char MAC_B[] = "d8d091c76b586cff4dbd317fc47ebddff4b86de3ce18d3c03753c3c1901d475a";
static const char *const ONE[] = {"whsec_test_secret", NULL};
static const char *const TWO[] = {"whsec_other", "whsec_test_secret", NULL};
static const char *const ONLY_B[] = {"whsec_other", NULL};

static int group_setup(void **state)
{
    (void)state;
    return sodium_init() >= 0 ? 0 : -1;
}

static bool verify(const char *const *secrets, const char *header, int64_t now)
{
    return gw_verify_signature(secrets, header, BODY, strlen(BODY), now, GW_EVENT_TOLERANCE);
}

static void test_01_sign_known_answers(void **state)
{
    (void)state;
    char h[256];
    gw_sign_event("whsec_test_secret", T, BODY, strlen(BODY), h, sizeof h);
    assert_string_equal(h, "t=1700000000,v1=248a374f50f943a28b0f6ab50faf9a7e7e29b710fa26df9fb1618"
                           "b9bf8ea9c9a");
    gw_sign_event("key", 1, "", 0, h, sizeof h);
    assert_string_equal(h,
                        "t=1,v1=53123bc365c2fe4bee48bc5cc6cd6c19699147d43513154ed34277c7c063e80f");
}

static void test_02_verify_known_answer(void **state)
{
    (void)state;
    char h[256];
    snprintf(h, sizeof h, "t=%lld,v1=%s", (long long)T, MAC_A);
    assert_true(verify(ONE, h, T));
    snprintf(h, sizeof h, "t=%lld,v1=%s", (long long)T, MAC_B);
    assert_false(verify(ONE, h, T));
    assert_true(verify(ONLY_B, h, T));
    /* Upper-case hex is the same signature. */
    char upper[65];
    for (int i = 0; i < 65; i++)
        upper[i] = (char)(MAC_A[i] >= 'a' ? MAC_A[i] - 32 : MAC_A[i]);
    snprintf(h, sizeof h, "t=%lld,v1=%s", (long long)T, upper);
    assert_true(verify(ONE, h, T));
}

static void test_03_tolerance_edges(void **state)
{
    (void)state;
    char h[256];
    snprintf(h, sizeof h, "t=%lld,v1=%s", (long long)T, MAC_A);
    assert_true(verify(ONE, h, T + GW_EVENT_TOLERANCE));
    assert_true(verify(ONE, h, T - GW_EVENT_TOLERANCE));
    assert_false(verify(ONE, h, T + GW_EVENT_TOLERANCE + 1)); /* an old event: a replay */
    assert_false(verify(ONE, h, T - GW_EVENT_TOLERANCE - 1)); /* from the future */
    assert_false(gw_verify_signature(ONE, h, BODY, strlen(BODY), T + 1, 0));
    assert_true(gw_verify_signature(ONE, h, BODY, strlen(BODY), T, 0));
}

static void test_04_two_secrets(void **state)
{
    (void)state;
    char h[512];
    /* While a secret is rotated, Stripe signs with both: either one accepted suffices. */
    snprintf(h, sizeof h, "t=%lld,v1=%s", (long long)T, MAC_A);
    assert_true(verify(TWO, h, T));
    snprintf(h, sizeof h, "t=%lld,v1=%s", (long long)T, MAC_B);
    assert_true(verify(TWO, h, T));
    snprintf(h, sizeof h, "t=%lld,v1=%s,v1=%s", (long long)T, MAC_B, MAC_A);
    assert_true(verify(ONE, h, T));
    assert_true(verify(ONLY_B, h, T));
    /* An empty secret never verifies anything (an empty line in the secret file). */
    const char *const empty[] = {"", NULL};
    char hmac_empty[256];
    gw_sign_event("", T, BODY, strlen(BODY), hmac_empty, sizeof hmac_empty);
    assert_false(verify(empty, hmac_empty, T));
    /* A third secret is not looked at (at most two). */
    const char *const three[] = {"a", "b", "whsec_test_secret", NULL};
    snprintf(h, sizeof h, "t=%lld,v1=%s", (long long)T, MAC_A);
    assert_false(verify(three, h, T));
}

static void test_05_other_body_or_time(void **state)
{
    (void)state;
    char h[256];
    snprintf(h, sizeof h, "t=%lld,v1=%s", (long long)T, MAC_A);
    const char other[] = "{\"id\":\"evt_2\"}";
    assert_false(gw_verify_signature(ONE, h, other, strlen(other), T, GW_EVENT_TOLERANCE));
    assert_false(gw_verify_signature(ONE, h, BODY, strlen(BODY) - 1, T, GW_EVENT_TOLERANCE));
    /* The same signature under another timestamp. */
    snprintf(h, sizeof h, "t=%lld,v1=%s", (long long)T + 1, MAC_A);
    assert_false(verify(ONE, h, T));
}

static void test_06_malformed_headers(void **state)
{
    (void)state;
    char h[512];
#define TS "1700000000"
#define SIG "248a374f50f943a28b0f6ab50faf9a7e7e29b710fa26df9fb1618b9bf8ea9c9a"
    const char *bad_headers[] = {
        "",
        "v1=" SIG,                   /* no timestamp */
        "t=" TS,                     /* no signature */
        "t=" TS ",v0=" SIG,          /* only the old scheme */
        "t=" TS ",v1=" SIG ",",      /* an empty element */
        ",t=" TS ",v1=" SIG,         /* an empty element */
        "t=" TS ", v1=" SIG,         /* a space */
        "t= " TS ",v1=" SIG,         /* a space */
        "t=" TS ",t=" TS ",v1=" SIG, /* two timestamps */
        "t=-" TS ",v1=" SIG,         /* a sign */
        "t=x" TS ",v1=" SIG,         /* not digits */
        "t=" TS ",v1=" SIG "0",      /* 65 hex digits */
        "t=" TS ",v1=" SIG "00",     /* 66 */
        "t=" TS ",v1="
        "248a374f50f943a2",               /* 16 */
        "t=" TS ",v1",                    /* no value */
        "t=" TS ",=" SIG,                 /* no key */
        "t=" TS ";v1=" SIG,               /* another separator */
        "t=99999999999999999999,v1=" SIG, /* out of range */
        "T=" TS ",V1=" SIG,               /* keys are lower case */
    };
    assert_true(verify(ONE, "t=" TS ",v1=" SIG, T)); /* the good one, as the bad ones spell it */
    for (size_t i = 0; i < sizeof bad_headers / sizeof *bad_headers; i++)
        if (verify(ONE, bad_headers[i], T)) fail_msg("accepted: %s", bad_headers[i]);
    /* Not hex, right length. */
    char bad[65];
    memcpy(bad, MAC_A, 65);
    bad[10] = 'g';
    snprintf(h, sizeof h, "t=%lld,v1=%s", (long long)T, bad);
    assert_false(verify(ONE, h, T));
    /* NULLs, and a huge header. */
    assert_false(gw_verify_signature(ONE, NULL, BODY, strlen(BODY), T, GW_EVENT_TOLERANCE));
    assert_false(gw_verify_signature(NULL, "t=1,v1=00", BODY, strlen(BODY), T, 300));
    static char huge[10000];
    int n = snprintf(huge, sizeof huge, "t=%lld,v1=%s", (long long)T, MAC_A);
    memset(huge + n, ',', sizeof huge - (size_t)n - 1);
    assert_false(verify(ONE, huge, T));
    /* Unknown schemes beside v1 are skipped, as Stripe asks. */
    snprintf(h, sizeof h, "t=%lld,v0=abc,v9=x,v1=%s", (long long)T, MAC_A);
    assert_true(verify(ONE, h, T));
}

static void test_07_constant_time_comparison(void **state)
{
    (void)state;
    char h[512];
    /* Two secrets, two signatures: four comparisons, all made, whether the first one matched
     * (the answer's timing says nothing of which did) or none did. */
    snprintf(h, sizeof h, "t=%lld,v1=%s,v1=%s", (long long)T, MAC_B, MAC_A);
    memcmp_calls = 0;
    assert_true(verify(TWO, h, T));
    assert_int_equal(memcmp_calls, 4);
    const char *const wrong[] = {"x", "y", NULL};
    memcmp_calls = 0;
    assert_false(verify(wrong, h, T));
    assert_int_equal(memcmp_calls, 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_01_sign_known_answers),
        cmocka_unit_test(test_02_verify_known_answer),
        cmocka_unit_test(test_03_tolerance_edges),
        cmocka_unit_test(test_04_two_secrets),
        cmocka_unit_test(test_05_other_body_or_time),
        cmocka_unit_test(test_06_malformed_headers),
        cmocka_unit_test(test_07_constant_time_comparison),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
