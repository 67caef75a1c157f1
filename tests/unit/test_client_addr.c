/* Unit tests: addresses and CIDR ranges, and the client address behind trusted proxies
 * (src/http/client_addr.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <sys/socket.h>

#include "http/client_addr.h"

static bool parses(const char *s, bool allow_prefix)
{
    ipnet_t n;
    return ipnet_parse(s, strlen(s), allow_prefix, &n);
}

static ipnet_t net(const char *s)
{
    ipnet_t n;
    if (!ipnet_parse(s, strlen(s), true, &n)) fail_msg("\"%s\" does not parse", s);
    return n;
}

static void test_01_addresses_and_ranges(void **state)
{
    (void)state;
    assert_true(parses("192.0.2.1", false));
    assert_true(parses("2001:db8::1", false));
    assert_true(parses("::1", false));
    assert_true(parses("10.0.0.0/8", true));
    assert_true(parses("0.0.0.0/0", true));
    assert_true(parses("2001:db8::/32", true));
    assert_true(parses("192.0.2.7/32", true));
    ipnet_t n = net("::ffff:192.0.2.1");
    assert_int_equal(n.family, AF_INET);
    assert_int_equal(n.prefix, 32);
    n = net("10.1.0.0/16");
    assert_int_equal(n.family, AF_INET);
    assert_int_equal(n.prefix, 16);
}

static void test_02_refused(void **state)
{
    (void)state;
    const char *bad[] = {
        "",           "192.0.2",     "192.0.2.256",    "192.0.2.1 ",  " 192.0.2.1",
        "localhost",  "10.0.0.0/33", "10.0.0.0/",      "10.0.0.0/-1", "10.0.0.0/08",
        "10.0.0.1/8", "::1/129",     "2001:db8::1/32", "1.2.3.4/8/8", "1.2.3.4,",
        "[::1]",      "1.2.3.4:80",  "fe80::1%eth0"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (parses(bad[i], true)) fail_msg("\"%s\" accepted", bad[i]);
    assert_false(parses("10.0.0.0/8", false)); /* a range where an address is expected */
}

static void test_03_membership(void **state)
{
    (void)state;
    ipnet_t nets[] = {net("10.0.0.0/8"), net("192.0.2.7"), net("2001:db8::/32"),
                      net("198.51.100.128/25")};
    assert_true(ipnet_in_any(&(ipnet_t){0}, nets, 0) == false);
    assert_true(ipnet_in_any(&(ipnet_t[]){net("10.200.3.4")}[0], nets, 4));
    assert_true(ipnet_in_any(&(ipnet_t[]){net("192.0.2.7")}[0], nets, 4));
    assert_false(ipnet_in_any(&(ipnet_t[]){net("192.0.2.8")}[0], nets, 4));
    assert_true(ipnet_in_any(&(ipnet_t[]){net("2001:db8:ffff::9")}[0], nets, 4));
    assert_false(ipnet_in_any(&(ipnet_t[]){net("2001:db9::1")}[0], nets, 4));
    assert_true(ipnet_in_any(&(ipnet_t[]){net("198.51.100.200")}[0], nets, 4));
    assert_false(ipnet_in_any(&(ipnet_t[]){net("198.51.100.127")}[0], nets, 4));
    assert_true(ipnet_in_any(&(ipnet_t[]){net("::ffff:10.0.0.1")}[0], nets, 4));
    assert_false(ipnet_in_any(&(ipnet_t[]){net("11.0.0.1")}[0], nets, 4));
}

static const char *pick(const char *peer, const char *xff, const char *trusted)
{
    static char out[CLIENT_ADDR_MAX];
    ipnet_t nets[8];
    int n = 0;
    for (const char *p = trusted; p && *p;) {
        size_t len = strcspn(p, " ");
        if (!ipnet_parse(p, len, true, &nets[n++])) fail_msg("bad test range in \"%s\"", trusted);
        p += len + (p[len] == ' ');
    }
    client_addr_pick(peer, xff, nets, n, out);
    return out;
}

static void test_04_untrusted_peer_header_ignored(void **state)
{
    (void)state;
    assert_string_equal(pick("127.0.0.1", "203.0.113.9", NULL), "127.0.0.1");
    assert_string_equal(pick("192.0.2.50", "203.0.113.9", "10.0.0.0/8"), "192.0.2.50");
    assert_string_equal(pick("192.0.2.50", NULL, "10.0.0.0/8"), "192.0.2.50");
}

static void test_05_trusted_peer_right_most_untrusted(void **state)
{
    (void)state;
    const char *t = "127.0.0.1 10.0.0.0/8";
    assert_string_equal(pick("127.0.0.1", "203.0.113.9", t), "203.0.113.9");
    /* A client's own forged entries are to the left of what the proxy appended. */
    assert_string_equal(pick("127.0.0.1", "6.6.6.6, 203.0.113.9", t), "203.0.113.9");
    /* Proxies in a chain are skipped, whatever the spacing. */
    assert_string_equal(pick("127.0.0.1", "6.6.6.6,203.0.113.9 ,\t10.1.2.3,10.9.9.9", t),
                        "203.0.113.9");
    /* Every entry trusted: the farthest proxy. */
    assert_string_equal(pick("127.0.0.1", "10.1.2.3, 10.4.5.6", t), "10.1.2.3");
    /* No header, or an empty one: the peer itself. */
    assert_string_equal(pick("127.0.0.1", NULL, t), "127.0.0.1");
    assert_string_equal(pick("127.0.0.1", "", t), "127.0.0.1");
    assert_string_equal(pick("127.0.0.1", " , ", t), "127.0.0.1");
    /* An entry that is not an address stops the walk at the trusted hop to its right. */
    assert_string_equal(pick("127.0.0.1", "203.0.113.9, junk", t), "127.0.0.1");
    assert_string_equal(pick("127.0.0.1", "203.0.113.9, junk, 10.0.0.5", t), "10.0.0.5");
    assert_string_equal(pick("127.0.0.1", "203.0.113.9:4711", t), "127.0.0.1");
}

static void test_06_canonical_forms(void **state)
{
    (void)state;
    const char *t = "::1 127.0.0.1";
    assert_string_equal(pick("::1", "2001:DB8:0:0::7", t), "2001:db8::7");
    assert_string_equal(pick("::ffff:127.0.0.1", "::ffff:203.0.113.9", t), "203.0.113.9");
    assert_string_equal(pick("127.0.0.1", "2001:db8::1", t), "2001:db8::1");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_01_addresses_and_ranges),
        cmocka_unit_test(test_02_refused),
        cmocka_unit_test(test_03_membership),
        cmocka_unit_test(test_04_untrusted_peer_header_ignored),
        cmocka_unit_test(test_05_trusted_peer_right_most_untrusted),
        cmocka_unit_test(test_06_canonical_forms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
