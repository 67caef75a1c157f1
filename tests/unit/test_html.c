/* Unit tests: HTML escaping, templates and URL encoding (src/util/html.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <string.h>

#include "util/html.h"

static arena_t *A;
static buf_t B;

static int setup(void **state)
{
    (void)state;
    A = arena_new();
    if (!A) return -1;
    buf_init(&B, A);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    arena_free(A);
    A = NULL;
    return 0;
}

static void test_01_escape_specials(void **state)
{
    (void)state;
    html_escape(&B, "& < > \" '");
    assert_string_equal(B.data, "&amp; &lt; &gt; &quot; &#39;");
}

static void test_02_escape_plain_and_empty(void **state)
{
    (void)state;
    html_escape(&B, "");
    assert_string_equal(B.data, "");
    html_escape(&B, NULL);
    assert_int_equal(B.len, 0);
    html_escape(&B, "plain text, ñ, 日本");
    assert_string_equal(B.data, "plain text, ñ, 日本");
}

static void test_03_escape_hostile(void **state)
{
    (void)state;
    html_escape(&B, "\"><script>alert('x')</script><a href=\"");
    assert_string_equal(B.data, "&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&lt;a "
                                "href=&quot;");
    assert_null(strchr(B.data, '<'));
    assert_null(strchr(B.data, '"'));
    assert_null(strchr(B.data, '\''));
}

static void test_04_escape_already_escaped(void **state)
{
    (void)state;
    html_escape(&B, "&amp;&#39;");
    assert_string_equal(B.data, "&amp;amp;&amp;#39;"); /* escaping is not idempotent, on purpose */
}

static void test_05_escape_long(void **state)
{
    (void)state;
    char big[5001];
    memset(big, '<', 5000);
    big[5000] = '\0';
    html_escape(&B, big);
    assert_int_equal(B.len, 5000 * 4);
    assert_int_equal(strlen(B.data), B.len);
    assert_memory_equal(B.data + B.len - 4, "&lt;", 4);
}

static void test_06_render_string(void **state)
{
    (void)state;
    html_render(&B, "<p class=\"x\">Hello, %s!</p>", "<b>Bob & 'Al'</b>");
    assert_string_equal(B.data,
                        "<p class=\"x\">Hello, &lt;b&gt;Bob &amp; &#39;Al&#39;&lt;/b&gt;!</p>");
}

static void test_07_render_null_string(void **state)
{
    (void)state;
    html_render(&B, "[%s]", (const char *)NULL);
    assert_string_equal(B.data, "[]");
}

static void test_08_render_url_component(void **state)
{
    (void)state;
    html_render(&B, "<a href=\"/lang?to=fr&amp;next=%u\">", "/corporate?x=1&y=\"ñ\" ");
    assert_string_equal(
        B.data, "<a href=\"/lang?to=fr&amp;next=%2Fcorporate%3Fx%3D1%26y%3D%22%C3%B1%22%20\">");
}

static void test_09_render_numbers(void **state)
{
    (void)state;
    html_render(&B, "%d|%d|%d|%L|%L|%L", 0, INT_MIN, INT_MAX, (int64_t)0, (int64_t)INT64_MIN,
                (int64_t)INT64_MAX);
    assert_string_equal(B.data, "0|-2147483648|2147483647|0|-9223372036854775808|"
                                "9223372036854775807");
}

static void test_10_render_raw_and_percent(void **state)
{
    (void)state;
    html_render(&B, "<div>%R</div> 100%% %%s", "<em>trusted</em>");
    assert_string_equal(B.data, "<div><em>trusted</em></div> 100% %s");
    buf_init(&B, A);
    html_render(&B, "[%R]", (const char *)NULL);
    assert_string_equal(B.data, "[]");
}

static void test_11_render_mixed(void **state)
{
    (void)state;
    html_render(&B, "%s%d%s", "a<", 7, "&b");
    assert_string_equal(B.data, "a&lt;7&amp;b");
    buf_init(&B, A);
    html_render(&B, "no directives <b>at all</b>");
    assert_string_equal(B.data, "no directives <b>at all</b>");
    buf_init(&B, A);
    html_render(&B, "");
    assert_string_equal(B.data, "");
}

static void test_12_text_escapes_literal(void **state)
{
    (void)state;
    /* A translated sentence with markup-looking text must not become markup. */
    html_text(&B, "<b>%s</b> owes %d & \"%L\"", "Ann & <i>Co</i>", 5, (int64_t)-3);
    assert_string_equal(B.data, "&lt;b&gt;Ann &amp; &lt;i&gt;Co&lt;/i&gt;&lt;/b&gt; owes 5 &amp; "
                                "&quot;-3&quot;");
}

static void test_13_text_percent_and_plain(void **state)
{
    (void)state;
    html_text(&B, "50%% off 'today'");
    assert_string_equal(B.data, "50% off &#39;today&#39;");
    buf_init(&B, A);
    html_text(&B, "%s", (const char *)NULL);
    assert_string_equal(B.data, "");
    buf_init(&B, A);
    html_text(&B, "Iniciar sesión");
    assert_string_equal(B.data, "Iniciar sesión");
}

static void test_14_url_encode(void **state)
{
    (void)state;
    url_encode(&B, "AZaz09-_.~");
    assert_string_equal(B.data, "AZaz09-_.~");
    buf_init(&B, A);
    url_encode(&B, " +&=/?#%\"'<>");
    assert_string_equal(B.data, "%20%2B%26%3D%2F%3F%23%25%22%27%3C%3E");
    buf_init(&B, A);
    url_encode(&B, "ñ\x7F\xFF");
    assert_string_equal(B.data, "%C3%B1%7F%FF");
    buf_init(&B, A);
    url_encode(&B, NULL);
    url_encode(&B, "");
    assert_string_equal(B.data, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_01_escape_specials, setup, teardown),
        cmocka_unit_test_setup_teardown(test_02_escape_plain_and_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_03_escape_hostile, setup, teardown),
        cmocka_unit_test_setup_teardown(test_04_escape_already_escaped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_05_escape_long, setup, teardown),
        cmocka_unit_test_setup_teardown(test_06_render_string, setup, teardown),
        cmocka_unit_test_setup_teardown(test_07_render_null_string, setup, teardown),
        cmocka_unit_test_setup_teardown(test_08_render_url_component, setup, teardown),
        cmocka_unit_test_setup_teardown(test_09_render_numbers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_10_render_raw_and_percent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_11_render_mixed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_12_text_escapes_literal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_13_text_percent_and_plain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_14_url_encode, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
