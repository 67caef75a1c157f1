/* The help articles as data: what tools/help2c.py compiles from help/LANG/NAME.md (docs/help.md).
 * Nothing here is HTML: src/web/help.c escapes every text and address when it writes a page. */
#ifndef COBRO_HELP_DATA_H
#define COBRO_HELP_DATA_H
#include "util/buf.h"

enum { HELP_LANGS = 4 }; /* en, es, fr, it: the order of lang_t */

typedef enum { HELP_SPAN_TEXT, HELP_SPAN_STRONG, HELP_SPAN_LINK } help_span_kind_t;

/* A run of text in a block: plain, bold, or a link to href. */
typedef struct {
    help_span_kind_t kind;
    const char *text;
    const char *href; /* HELP_SPAN_LINK only: a path of this site or an https:// address */
} help_span_t;

/* A paragraph, a heading, an item of a bulleted or numbered list (consecutive items of one kind
 * make one list), or a note set apart. */
typedef enum {
    HELP_BLOCK_P,
    HELP_BLOCK_H2,
    HELP_BLOCK_H3,
    HELP_BLOCK_UL,
    HELP_BLOCK_OL,
    HELP_BLOCK_NOTE
} help_block_kind_t;

typedef struct {
    help_block_kind_t kind;
    const help_span_t *spans;
    unsigned n_spans;
} help_block_t;

typedef struct {
    const char *slug, *title, *summary;
    const help_block_t *blocks;
    unsigned n_blocks;
    const char *const *related; /* slugs of related articles */
    unsigned n_related;
} help_article_t;

/* A heading of the index and the articles under it (indexes into the book's articles). */
typedef struct {
    const char *heading;
    const unsigned *articles;
    unsigned n_articles;
} help_group_t;

/* One language's articles, in the index's order. */
typedef struct {
    const char *lang; /* "en", "es"... */
    const char *title, *intro;
    const help_article_t *articles;
    unsigned n_articles;
    const help_group_t *groups;
    unsigned n_groups;
} help_book_t;

extern const help_book_t help_books[HELP_LANGS];

/* Writes blocks as HTML into out (help.c): paragraphs, headings, lists, notes, each text and
 * address escaped. */
void help_write_blocks(buf_t *out, const help_block_t *blocks, unsigned n);

#endif
