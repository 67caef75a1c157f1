/* The help pages: /help lists the articles of the reader's language, /help/SLUG shows one,
 * ending with the ways to ask for more (the Requests tab or the Care Billing Form). */
#include "pages.h"
#include "web/help_data.h"

#include <string.h>

static void write_spans(buf_t *b, const help_block_t *blk)
{
    for (unsigned i = 0; i < blk->n_spans; i++) {
        const help_span_t *s = &blk->spans[i];
        switch (s->kind) {
        case HELP_SPAN_STRONG:
            html_render(b, "<strong>%s</strong>", s->text);
            break;
        case HELP_SPAN_LINK:
            html_render(b, "<a href=\"%s\">%s</a>", s->href, s->text);
            break;
        default:
            html_render(b, "%s", s->text);
            break;
        }
    }
}

void help_write_blocks(buf_t *b, const help_block_t *blocks, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        const help_block_t *blk = &blocks[i];
        bool list = blk->kind == HELP_BLOCK_UL || blk->kind == HELP_BLOCK_OL;
        const char *tag = blk->kind == HELP_BLOCK_UL ? "ul" : "ol";
        /* Consecutive items of one kind make one list. */
        if (list && (i == 0 || blocks[i - 1].kind != blk->kind)) html_render(b, "<%R>", tag);
        switch (blk->kind) {
        case HELP_BLOCK_H2:
            buf_puts(b, "<h2>");
            break;
        case HELP_BLOCK_H3:
            buf_puts(b, "<h3>");
            break;
        case HELP_BLOCK_UL:
        case HELP_BLOCK_OL:
            buf_puts(b, "<li>");
            break;
        case HELP_BLOCK_NOTE:
            buf_puts(b, "<p class=\"note\">");
            break;
        default:
            buf_puts(b, "<p>");
            break;
        }
        write_spans(b, blk);
        switch (blk->kind) {
        case HELP_BLOCK_H2:
            buf_puts(b, "</h2>");
            break;
        case HELP_BLOCK_H3:
            buf_puts(b, "</h3>");
            break;
        case HELP_BLOCK_UL:
        case HELP_BLOCK_OL:
            buf_puts(b, "</li>");
            break;
        default:
            buf_puts(b, "</p>");
            break;
        }
        if (list && (i + 1 == n || blocks[i + 1].kind != blk->kind)) html_render(b, "</%R>", tag);
    }
}

/* The articles in the reader's language (every language has the same slugs: the build checks). */
static const help_book_t *book_of(req_t *r)
{
    const char *code = lang_code(r->lang);
    for (int i = 0; i < HELP_LANGS; i++)
        if (strcmp(help_books[i].lang, code) == 0) return &help_books[i];
    return &help_books[0];
}

static const help_article_t *article_of(const help_book_t *book, const char *slug)
{
    for (unsigned i = 0; i < book->n_articles; i++)
        if (strcmp(book->articles[i].slug, slug) == 0) return &book->articles[i];
    return NULL;
}

void page_help(req_t *r)
{
    buf_t *b = &r->resp.body;
    const help_book_t *book = book_of(r);
    layout_begin(r, SECTION_HOME, book->title);
    html_render(b, "<div class=\"help-page\"><h1>%s</h1>", book->title);
    if (book->intro) html_render(b, "<p>%s</p>", book->intro);
    for (unsigned g = 0; g < book->n_groups; g++) {
        const help_group_t *grp = &book->groups[g];
        html_render(b,
                    "<section aria-labelledby=\"group-%d\"><h2 id=\"group-%d\">%s</h2>"
                    "<ul class=\"help-list\">",
                    (int)g, (int)g, grp->heading);
        for (unsigned i = 0; i < grp->n_articles; i++) {
            const help_article_t *a = &book->articles[grp->articles[i]];
            html_render(b, "<li><a href=\"/help/%s\">%s</a><p>%s</p></li>", a->slug, a->title,
                        a->summary);
        }
        html_render(b, "</ul></section>");
    }
    html_render(b, "</div>");
    layout_end(r);
}

/* How to ask for more: a signed-in corporate billing contact sends a request from the Requests
 * tab; anyone else uses the Care Billing Form, and is told where a corporate billing contact
 * signs in to use the tab. */
static void contact_options(req_t *r)
{
    buf_t *b = &r->resp.body;
    html_render(b,
                "<section class=\"help-contact\" aria-labelledby=\"contact\"><h2 id=\"contact\">"
                "%s</h2>",
                T("Contact us"));
    if (r->signed_in && r->audience == AUDIENCE_CORPORATE) {
        html_render(b, "<p>%s</p><p><a href=\"/corporate/requests\">%s</a></p>",
                    T("As the billing contact, send your request to Corporate Account Services "
                      "from the Requests tab of the Corporate Billing Portal: choose what it is "
                      "about, describe what you need and submit it. You get a request number and "
                      "our answers by email."),
                    T("Open the Requests tab"));
    } else {
        html_render(b, "<p>%s</p><p><a href=\"/care\">%s</a></p>",
                    T("Write to Customer Care with the Care Billing Form: tell us who you are, "
                      "which account it is about and what you need. We confirm by email and "
                      "answer you there."),
                    T("Open the Care Billing Form"));
        if (!(r->signed_in && r->audience == AUDIENCE_BILLING))
            html_render(b, "<p>%s</p><p><a href=\"/corporate\">%s</a></p>",
                        T("Billing contact of a corporate account? Sign in to the Corporate "
                          "Billing Portal and send your request to Corporate Account Services "
                          "from its Requests tab."),
                        T("Sign in to the Corporate Billing Portal"));
    }
    html_render(b, "</section>");
}

void page_help_article(req_t *r)
{
    buf_t *b = &r->resp.body;
    const help_book_t *book = book_of(r);
    const help_article_t *a = r->n_params == 1 ? article_of(book, r->params[0]) : NULL;
    if (!a) {
        page_error(r, 404);
        return;
    }
    layout_begin(r, SECTION_HOME, arena_printf(r->arena, "%s – %s", a->title, book->title));
    html_render(b,
                "<div class=\"help-page\"><nav aria-label=\"%s\"><ol class=\"crumbs\"><li>"
                "<a href=\"/help\">%s</a></li><li aria-current=\"page\">%s</li></ol></nav>"
                "<article><h1>%s</h1>",
                T("Breadcrumb"), book->title, a->title, a->title);
    help_write_blocks(b, a->blocks, a->n_blocks);
    html_render(b, "</article>");
    if (a->n_related) {
        html_render(b, "<section aria-labelledby=\"related\"><h2 id=\"related\">%s</h2><ul>",
                    T("Related articles"));
        for (unsigned i = 0; i < a->n_related; i++) {
            const help_article_t *o = article_of(book, a->related[i]);
            if (o) html_render(b, "<li><a href=\"/help/%s\">%s</a></li>", o->slug, o->title);
        }
        html_render(b, "</ul></section>");
    }
    contact_options(r);
    html_render(b, "<p><a href=\"/help\">%s</a></p></div>", T("All help articles"));
    layout_end(r);
}
