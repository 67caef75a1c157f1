/* Unit tests: HTTP/1.x request heads and chunked bodies parsed in place (src/http/http1.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http1.h"

static char buf[4096];

/* Parses text (copied into buf); returns what http1_parse returned. */
static long parse(const char *text, http1_req_t *q)
{
    size_t n = strlen(text);
    memcpy(buf, text, n + 1);
    return http1_parse(buf, n, 1024, NULL, q);
}

static void test_01_a_request_line_and_the_headers_cobro_reads(void **state)
{
    (void)state;
    http1_req_t q;
    const char *text = "GET /corporate/invoices?before=12&x=%20 HTTP/1.1\r\nHost: t\r\n"
                       "cookie:  cobro_session=abc \t\r\nAccept-Language: fr\r\n"
                       "User-Agent: ua\r\nX-Forwarded-For: 1.2.3.4\r\nx-forwarded-for: 5.6.7.8\r\n"
                       "Connection: Close\r\n\r\nGET /next HTTP/1.1\r\n\r\n";
    long n = parse(text, &q);
    assert_int_equal(n, strstr(text, "GET /next") - text);
    assert_string_equal(q.method, "GET");
    assert_string_equal(q.path, "/corporate/invoices");
    assert_string_equal(q.query, "before=12&x=%20");
    assert_int_equal(q.query_len, 15);
    assert_int_equal(q.major, 1);
    assert_int_equal(q.minor, 1);
    assert_string_equal(q.cookie, "cobro_session=abc");
    assert_string_equal(q.accept_language, "fr");
    assert_string_equal(q.user_agent, "ua");
    assert_int_equal(q.n_xff, 2);
    assert_string_equal(q.xff[1], "5.6.7.8");
    assert_true(q.conn_close);
    assert_false(q.conn_keep_alive);
    assert_int_equal(q.content_length, -1);
    /* The headers' size as the 431 limit counts it: name + value + 4 each. */
    assert_int_equal(q.headers_size, (4 + 1 + 4) + (6 + 17 + 4) + (15 + 2 + 4) + (10 + 2 + 4) +
                                         2 * (15 + 7 + 4) + (10 + 5 + 4));
}

static void test_02_incomplete_heads_wait_and_bare_lf_is_accepted(void **state)
{
    (void)state;
    http1_req_t q;
    assert_int_equal(parse("GET / HTTP/1.1\r\nHost: t\r\n", &q), HTTP1_MORE);
    assert_int_equal(parse("GET / HTTP/1.1\r\nHost: t\r\n\r", &q), HTTP1_MORE);
    assert_true(parse("GET / HTTP/1.0\nHost: t\n\n", &q) > 0);
    assert_int_equal(q.minor, 0);
    assert_true(parse("\r\n\r\nHEAD /x HTTP/1.1\r\n\r\n", &q) > 0); /* blank lines before */
    assert_string_equal(q.method, "HEAD");
    /* The search for the end goes on where it stopped, as the head grows. */
    size_t scanned = 0;
    strcpy(buf, "GET / HTTP/1.1\r\nHost: t\r\nX: y");
    assert_int_equal(http1_parse(buf, strlen(buf), 1024, &scanned, &q), HTTP1_MORE);
    assert_int_equal(scanned, strlen("GET / HTTP/1.1\r\nHost: t\r\n"));
    strcat(buf, "\r\n\r\n");
    assert_int_equal(http1_parse(buf, strlen(buf), 1024, &scanned, &q), (long)strlen(buf));
}

static void test_03_targets(void **state)
{
    (void)state;
    http1_req_t q;
    assert_true(parse("GET http://example.com/a/b?c=1#f HTTP/1.1\r\n\r\n", &q) > 0);
    assert_string_equal(q.path, "/a/b");
    assert_string_equal(q.query, "c=1");
    assert_true(parse("GET http://example.com HTTP/1.1\r\n\r\n", &q) > 0);
    assert_string_equal(q.path, "/");
    assert_null(q.query);
    assert_true(parse("GET /p#frag HTTP/1.1\r\n\r\n", &q) > 0);
    assert_string_equal(q.path, "/p");
    assert_true(parse("GET ?a=1 HTTP/1.1\r\n\r\n", &q) > 0);
    assert_string_equal(q.path, "/");
    assert_string_equal(q.query, "a=1");
}

static void test_04_bad_heads(void **state)
{
    (void)state;
    http1_req_t q;
    assert_int_equal(parse("GET /\r\n\r\n", &q), HTTP1_BAD);
    assert_int_equal(parse("GET / HTTP/2.0\r\n\r\n", &q), HTTP1_BAD);
    assert_int_equal(parse("GET / FTP/1.1\r\n\r\n", &q), HTTP1_BAD);
    assert_int_equal(parse("GET  / HTTP/1.1\r\n\r\n", &q), HTTP1_BAD);
    assert_int_equal(parse("GET / HTTP/1.1\r\nNoColon\r\n\r\n", &q), HTTP1_BAD);
    assert_int_equal(parse("GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n", &q), HTTP1_BAD);
    assert_int_equal(parse("POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n", &q), HTTP1_BAD);
    assert_int_equal(parse("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", &q),
                     HTTP1_BAD);
    assert_int_equal(
        parse("POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", &q),
        HTTP1_BAD);
    assert_int_equal(parse("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", &q), HTTP1_BAD);
    assert_true(parse("POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", &q) > 0);
    assert_int_equal(q.content_length, 5);
}

static void test_05_too_large(void **state)
{
    (void)state;
    http1_req_t q;
    char big[3000];
    snprintf(big, sizeof big, "GET / HTTP/1.1\r\nX: %02000d", 0);
    assert_int_equal(parse(big, &q), HTTP1_TOO_LARGE);
    strcat(big, "\r\n\r\n");
    assert_int_equal(parse(big, &q), HTTP1_TOO_LARGE);
}

static void test_06_chunked_bodies(void **state)
{
    (void)state;
    char b[256];
    size_t len = 0;
    const char *text = "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nTrailer: x\r\n\r\nNEXT";
    strcpy(b, text);
    long n = http1_dechunk(b, strlen(b), 100, &len);
    assert_int_equal(n, strlen(text) - 4);
    assert_int_equal(len, 12);
    assert_memory_equal(b, "hello, world", 12);
    strcpy(b, "5\r\nhel");
    assert_int_equal(http1_dechunk(b, strlen(b), 100, &len), HTTP1_MORE);
    assert_string_equal(b, "5\r\nhel"); /* untouched until whole */
    strcpy(b, "5\r\nhello\r\n0\r\n");
    assert_int_equal(http1_dechunk(b, strlen(b), 100, &len), HTTP1_MORE);
    strcpy(b, "zz\r\nhello\r\n0\r\n\r\n");
    assert_int_equal(http1_dechunk(b, strlen(b), 100, &len), HTTP1_BAD);
    strcpy(b, "5\r\nhelloXX0\r\n\r\n");
    assert_int_equal(http1_dechunk(b, strlen(b), 100, &len), HTTP1_BAD);
    strcpy(b, "5\r\nhello\r\n0\r\n\r\n");
    assert_int_equal(http1_dechunk(b, strlen(b), 4, &len), HTTP1_TOO_LARGE);
}

/* Every prefix and many byte-level mutations of real requests: whatever comes back, nothing is
 * read or written outside the bytes given (the ASan build checks), and a head reported whole
 * lies within them. Deterministic: a fixed linear congruential sequence. */
static void test_07_mutated_requests_stay_in_bounds(void **state)
{
    (void)state;
    static const char *seeds[] = {
        "GET /corporate/invoices?x=1 HTTP/1.1\r\nHost: t\r\nCookie: a=b\r\n\r\n",
        "POST /corporate/sign-in HTTP/1.0\nContent-Length: 3\nConnection: keep-alive\n\nabc",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
    };
    static const char alphabet[] = "\r\n :;0123456789abcdefHTP/?#\t\0";
    uint32_t x = 12345;
    for (size_t s = 0; s < sizeof seeds / sizeof *seeds; s++) {
        size_t n = strlen(seeds[s]);
        for (int round = 0; round < 3000; round++) {
            size_t len = round < (int)n ? (size_t)round : n;
            char *m = malloc(len + 1); /* exactly the bytes given, and the one writable after */
            memcpy(m, seeds[s], len);
            for (int k = 0; round >= (int)n && k < 3; k++) {
                x = x * 1103515245u + 12345u;
                m[(x >> 8) % len] = alphabet[(x >> 20) % (sizeof alphabet - 1)];
            }
            http1_req_t q;
            size_t scanned = 0;
            long r = http1_parse(m, len, 1024, &scanned, &q);
            assert_true(r <= (long)len);
            if (r > 0) {
                size_t body_len;
                long d = http1_dechunk(m + r, len - (size_t)r, 1024, &body_len);
                assert_true(d <= (long)(len - (size_t)r));
            }
            free(m);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_01_a_request_line_and_the_headers_cobro_reads),
        cmocka_unit_test(test_02_incomplete_heads_wait_and_bare_lf_is_accepted),
        cmocka_unit_test(test_03_targets),
        cmocka_unit_test(test_04_bad_heads),
        cmocka_unit_test(test_05_too_large),
        cmocka_unit_test(test_06_chunked_bodies),
        cmocka_unit_test(test_07_mutated_requests_stay_in_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
