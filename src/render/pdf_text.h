/* Text and drawing primitives for PDFs (cairo + pango): fonts, text in a box with an alignment,
 * its measure, rules, filled boxes, and a document streamed into a buf_t. Knows no invoice. */
#ifndef COBRO_PDF_TEXT_H
#define COBRO_PDF_TEXT_H
#include "util/buf.h"

#include <cairo.h>
#include <stdbool.h>
#include <stddef.h>

typedef enum {
    F_BODY,       /* DejaVu Sans 9 */
    F_BOLD,       /* DejaVu Sans Bold 9 */
    F_SMALL,      /* DejaVu Sans 7.5 */
    F_SMALL_BOLD, /* DejaVu Sans Bold 7.5 */
    F_HEADING,    /* DejaVu Sans Bold 8: block headings and table header */
    F_VENDOR,     /* DejaVu Sans Bold 13 */
    F_TITLE,      /* DejaVu Sans Bold 22 */
    F_TOTAL,      /* DejaVu Sans Bold 10.5 */
    FONT_COUNT
} pdf_font_t;

typedef enum { AL_LEFT, AL_RIGHT } pdf_align_t;

typedef struct {
    double r, g, b;
} pdf_rgb_t;

/* The calling thread's pango objects (font map, context, one layout, the fonts). */
typedef struct pdf_thread pdf_thread_t;

/* One PDF being drawn, in points, on the thread that opened it. */
typedef struct {
    pdf_thread_t *t;
    cairo_surface_t *surface;
    cairo_t *cr;
} pdf_canvas_t;

/* Starts a PDF of pages w x h points that streams into out. False with a one-line reason in err
 * when pango or cairo cannot start one (then there is nothing to close). */
bool pdf_open(pdf_canvas_t *c, buf_t *out, double w, double h, char *err, size_t err_size);
/* The document's title, author and creator; its creation date ("YYYY-MM-DDTHH:MM:SSZ") unless
 * create_date is NULL. */
void pdf_set_info(pdf_canvas_t *c, const char *title, const char *author, const char *creator,
                  const char *create_date);
/* Ends the current page; drawing goes on on a new one. */
void pdf_show_page(pdf_canvas_t *c);
/* Finishes the document into out and frees c; false with the reason in err when cairo failed. */
bool pdf_close(pdf_canvas_t *c, char *err, size_t err_size);

/* Lays out s in font f, wrapped to width (no wrapping when width <= 0, then align is left), and
 * returns its height; draws it with its top-left corner at (x, y) in colour col when draw. Text
 * that is not UTF-8 is drawn with its bad bytes replaced; past 8 lines it ends with "…". */
double pdf_text(pdf_canvas_t *c, pdf_font_t f, const char *s, double x, double y, double width,
                pdf_align_t align, pdf_rgb_t col, bool draw);
/* The natural width of s (valid UTF-8) in font f, on one line. */
double pdf_text_width(pdf_canvas_t *c, pdf_font_t f, const char *s);
/* A horizontal rule from x0 to x1 at y, width points thick. */
void pdf_hline(pdf_canvas_t *c, double x0, double x1, double y, double width, pdf_rgb_t col);
void pdf_fill_rect(pdf_canvas_t *c, double x, double y, double w, double h, pdf_rgb_t col);

#endif
