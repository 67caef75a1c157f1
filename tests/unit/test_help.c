/* Unit tests: the help articles' renderer (src/web/help.c) escapes every text and address, and
 * groups list items; the compiled articles hold the same slugs in every language. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "web/help_data.h"

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

static void test_01_text_and_links_are_escaped(void **state)
{
    (void)state;
    static const help_span_t s[] = {
        {HELP_SPAN_TEXT, "<script>alert('x')</script> & ", NULL},
        {HELP_SPAN_STRONG, "<b>\"bold\"</b>", NULL},
        {HELP_SPAN_LINK, "<i>link</i>", "/help/a\" onclick=\"x"},
    };
    static const help_block_t b[] = {{HELP_BLOCK_P, s, 3}};
    help_write_blocks(&B, b, 1);
    assert_string_equal(
        B.data, "<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; "
                "<strong>&lt;b&gt;&quot;bold&quot;&lt;/b&gt;</strong>"
                "<a href=\"/help/a&quot; onclick=&quot;x\">&lt;i&gt;link&lt;/i&gt;</a></p>");
}

static void test_02_blocks_and_lists(void **state)
{
    (void)state;
    static const help_span_t t[] = {{HELP_SPAN_TEXT, "t", NULL}};
    static const help_block_t b[] = {
        {HELP_BLOCK_H2, t, 1}, {HELP_BLOCK_UL, t, 1},   {HELP_BLOCK_UL, t, 1},
        {HELP_BLOCK_OL, t, 1}, {HELP_BLOCK_NOTE, t, 1}, {HELP_BLOCK_H3, t, 1},
        {HELP_BLOCK_OL, t, 1},
    };
    help_write_blocks(&B, b, sizeof b / sizeof b[0]);
    assert_string_equal(B.data, "<h2>t</h2><ul><li>t</li><li>t</li></ul><ol><li>t</li></ol>"
                                "<p class=\"note\">t</p><h3>t</h3><ol><li>t</li></ol>");
}

static void test_03_same_slugs_in_every_language(void **state)
{
    (void)state;
    const help_book_t *en = &help_books[0];
    assert_string_equal(en->lang, "en");
    assert_true(en->n_articles > 0);
    static const char *const codes[HELP_LANGS] = {"en", "es", "fr", "it"};
    for (int l = 0; l < HELP_LANGS; l++) {
        const help_book_t *bk = &help_books[l];
        assert_string_equal(bk->lang, codes[l]);
        assert_int_equal(bk->n_articles, en->n_articles);
        unsigned listed = 0;
        for (unsigned g = 0; g < bk->n_groups; g++)
            listed += bk->groups[g].n_articles;
        assert_int_equal(listed, bk->n_articles);
        for (unsigned i = 0; i < bk->n_articles; i++)
            assert_string_equal(bk->articles[i].slug, en->articles[i].slug);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_01_text_and_links_are_escaped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_02_blocks_and_lists, setup, teardown),
        cmocka_unit_test_setup_teardown(test_03_same_slugs_in_every_language, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
