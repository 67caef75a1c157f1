/* Unit tests: multipart/form-data bodies (src/util/multipart.c) and folded names
 * (src/util/fold.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "util/buf.h"
#include "util/fold.h"
#include "util/multipart.h"

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

#define CT "multipart/form-data; boundary=----xyz"

static parse_status_t parse(const char *ct, const char *body, size_t len, multipart_part_t **p,
                            size_t *n)
{
    return multipart_parse(A, ct, body, len, MULTIPART_MAX_PARTS, p, n);
}

static void test_boundary(void **state)
{
    (void)state;
    assert_string_equal(multipart_boundary(A, CT), "----xyz");
    assert_string_equal(multipart_boundary(A, "Multipart/Form-Data; charset=x; boundary=\"a-b\""),
                        "a-b");
    assert_null(multipart_boundary(A, "multipart/form-data"));
    assert_null(multipart_boundary(A, "multipart/form-data; boundary="));
    assert_null(multipart_boundary(A, "application/x-www-form-urlencoded; boundary=x"));
    assert_null(multipart_boundary(A, "multipart/form-data; boundary=a<b"));
    char long_one[120] = "multipart/form-data; boundary=";
    memset(long_one + strlen(long_one), 'b', 71);
    assert_null(multipart_boundary(A, long_one));
}

static void test_fields_and_file(void **state)
{
    (void)state;
    static const char body[] =
        "------xyz\r\n"
        "Content-Disposition: form-data; name=\"csrf\"\r\n\r\n"
        "tok\r\n"
        "------xyz\r\n"
        "Content-Disposition: form-data; name=\"file\"; filename=\"w9.pdf\"\r\n"
        "Content-Type: application/pdf\r\n\r\n"
        "%PDF-1.4\r\n\0binary\r\n%%EOF\r\n"
        "------xyz--\r\n";
    multipart_part_t *p;
    size_t n;
    assert_int_equal(parse(CT, body, sizeof body - 1, &p, &n), PARSE_OK);
    assert_int_equal(n, 2);
    assert_string_equal(p[0].name, "csrf");
    assert_null(p[0].filename);
    assert_string_equal(p[0].data, "tok");
    assert_string_equal(p[1].name, "file");
    assert_string_equal(p[1].filename, "w9.pdf");
    assert_string_equal(p[1].content_type, "application/pdf");
    static const char pdf[] = "%PDF-1.4\r\n\0binary\r\n%%EOF";
    assert_int_equal(p[1].len, sizeof pdf - 1); /* the NUL and the CR LF inside are kept */
    assert_memory_equal(p[1].data, pdf, sizeof pdf - 1);
}

static void test_empty_file_and_preamble(void **state)
{
    (void)state;
    static const char body[] = "preamble\r\n------xyz\r\n"
                               "Content-Disposition: form-data; name=\"file\"; filename=\"\"\r\n"
                               "Content-Type: application/octet-stream\r\n\r\n"
                               "\r\n------xyz--";
    multipart_part_t *p;
    size_t n;
    assert_int_equal(parse(CT, body, sizeof body - 1, &p, &n), PARSE_OK);
    assert_int_equal(n, 1);
    assert_string_equal(p[0].filename, "");
    assert_int_equal(p[0].len, 0);
}

static void expect(parse_status_t want, const char *body)
{
    multipart_part_t *p;
    size_t n;
    if (parse(CT, body, strlen(body), &p, &n) != want) fail_msg("unexpected result for: %s", body);
    if (want != PARSE_OK) assert_int_equal(n, 0);
}

static void test_malformed(void **state)
{
    (void)state;
    expect(PARSE_MALFORMED, "");
    expect(PARSE_MALFORMED, "no boundary at all");
    /* no closing delimiter */
    expect(PARSE_MALFORMED, "------xyz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx");
    /* no Content-Disposition, or not form-data, or no name */
    expect(PARSE_MALFORMED, "------xyz\r\nContent-Type: text/plain\r\n\r\nx\r\n------xyz--");
    expect(PARSE_MALFORMED,
           "------xyz\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nx\r\n------xyz--");
    expect(PARSE_MALFORMED,
           "------xyz\r\nContent-Disposition: form-data; filename=\"a\"\r\n\r\nx\r\n------xyz--");
    /* a header line without a colon, an unterminated quote, junk after a delimiter */
    expect(PARSE_MALFORMED, "------xyz\r\nContent-Disposition: form-data; name=\"a\"\r\nbogus\r\n"
                            "\r\nx\r\n------xyz--");
    expect(PARSE_MALFORMED,
           "------xyz\r\nContent-Disposition: form-data; name=\"a\r\n\r\nx\r\n------xyz--");
    expect(PARSE_MALFORMED, "------xyzjunk\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n"
                            "x\r\n------xyz--");
    /* a text field that is not UTF-8 */
    expect(PARSE_MALFORMED,
           "------xyz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n\xff\r\n------xyz--");
    /* "filename" does not count as "name" */
    expect(PARSE_MALFORMED, "------xyz\r\nContent-Disposition: form-data; xname=\"a\"\r\n\r\nx"
                            "\r\n------xyz--");
    multipart_part_t *p;
    size_t n;
    assert_int_equal(parse("text/plain", "------xyz--", 11, &p, &n), PARSE_MALFORMED);
}

static void test_limits(void **state)
{
    (void)state;
    buf_t b;
    buf_init(&b, A);
    for (int i = 0; i < MULTIPART_MAX_PARTS + 1; i++)
        buf_puts(&b, "------xyz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n");
    buf_puts(&b, "------xyz--");
    multipart_part_t *p;
    size_t n;
    assert_int_equal(parse(CT, b.data, b.len, &p, &n), PARSE_TOO_LARGE);
    buf_t h;
    buf_init(&h, A);
    buf_puts(&h, "------xyz\r\nContent-Disposition: form-data; name=\"a\"\r\nX-Long: ");
    for (int i = 0; i < MULTIPART_HEADERS_MAX; i++)
        buf_putc(&h, 'x');
    buf_puts(&h, "\r\n\r\nx\r\n------xyz--");
    assert_int_equal(parse(CT, h.data, h.len, &p, &n), PARSE_TOO_LARGE);
}

static void test_fold(void **state)
{
    (void)state;
    assert_string_equal(fold_name(A, "  Chloé   MARTIN "), "chloe martin");
    assert_string_equal(fold_name(A, "Ærøskøbing-Straße"), "aeroskobing strasse");
    assert_string_equal(fold_name(A, "J. R. R. O'Brien"), "j r r o brien");
    assert_true(fold_same_name(A, "PETER GIBBONS", "peter gibbons"));
    assert_true(fold_same_name(A, "Zoë Łukasz", "zoe lukasz"));
    assert_false(fold_same_name(A, "Peter Gibbons", "Peter Gibbon"));
    assert_false(fold_same_name(A, "", ""));
    assert_false(fold_same_name(A, "...", "--"));
    assert_null(fold_name(A, "\xff"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_boundary, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fields_and_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_file_and_preamble, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fold, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
