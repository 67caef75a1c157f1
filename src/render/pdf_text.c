/* PDF text and drawing primitives: cairo draws, pango lays out and shapes the text. Each thread
 * keeps its own font map, pango context and layout, because creating them costs more than
 * drawing a whole invoice. */
#include "pdf_text.h"

#include <cairo-pdf.h>
#include <glib.h>
#include <pango/pangocairo.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

enum { MAX_LINES = 8 };

static const char *const font_names[FONT_COUNT] = {
    "DejaVu Sans 9",      "DejaVu Sans Bold 9",  "DejaVu Sans 7.5",     "DejaVu Sans Bold 7.5",
    "DejaVu Sans Bold 8", "DejaVu Sans Bold 13", "DejaVu Sans Bold 22", "DejaVu Sans Bold 10.5",
};

/* What one thread keeps between documents. */
struct pdf_thread {
    PangoFontMap *fontmap;
    PangoContext *context;
    PangoLayout *layout; /* reused for every piece of text */
    PangoFontDescription *font[FONT_COUNT];
};

static __thread pdf_thread_t *thread_state;
static pthread_key_t thread_key;
static pthread_once_t thread_key_once = PTHREAD_ONCE_INIT;

static void thread_state_free(void *p)
{
    pdf_thread_t *t = p;
    if (!t) return;
    for (int i = 0; i < FONT_COUNT; i++)
        if (t->font[i]) pango_font_description_free(t->font[i]);
    if (t->layout) g_object_unref(t->layout);
    if (t->context) g_object_unref(t->context);
    if (t->fontmap) g_object_unref(t->fontmap);
    g_free(t);
    if (thread_state == t) thread_state = NULL;
}

/* exit(): the exiting thread (usually main, e.g. a CLI bill run) gets no key destructor, so its
 * pango objects are released here. Not only tidy: fontconfig stores pointers as offsets, so
 * LeakSanitizer would report a live font map's patterns as leaks. */
static void thread_state_free_at_exit(void)
{
    if (!thread_state) return;
    (void)pthread_setspecific(thread_key, NULL);
    thread_state_free(thread_state);
}

static void thread_key_create(void)
{
    (void)pthread_key_create(&thread_key, thread_state_free);
    (void)atexit(thread_state_free_at_exit);
}

/* The calling thread's pango objects, made on first use; NULL when pango cannot make them. */
static pdf_thread_t *thread_get(void)
{
    if (thread_state) return thread_state;
    pthread_once(&thread_key_once, thread_key_create);
    pdf_thread_t *t = g_new0(pdf_thread_t, 1);
    t->fontmap = pango_cairo_font_map_new();
    if (!t->fontmap) {
        g_free(t);
        return NULL;
    }
    /* PDF user space is in points: 72 "pixels" per inch make "DejaVu Sans 9" 9 pt tall. */
    pango_cairo_font_map_set_resolution(PANGO_CAIRO_FONT_MAP(t->fontmap), 72.0);
    t->context = pango_font_map_create_context(t->fontmap);
    cairo_font_options_t *opts = cairo_font_options_create();
    /* Vector output: no hinting, no metrics rounded to device pixels. */
    cairo_font_options_set_hint_style(opts, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_hint_metrics(opts, CAIRO_HINT_METRICS_OFF);
    pango_cairo_context_set_font_options(t->context, opts);
    cairo_font_options_destroy(opts);
    pango_context_set_round_glyph_positions(t->context, FALSE);
    t->layout = pango_layout_new(t->context);
    pango_layout_set_wrap(t->layout, PANGO_WRAP_WORD_CHAR);
    /* No piece of text may grow taller than a page: past MAX_LINES lines it ends with "…". */
    pango_layout_set_ellipsize(t->layout, PANGO_ELLIPSIZE_END);
    pango_layout_set_height(t->layout, -MAX_LINES);
    for (int i = 0; i < FONT_COUNT; i++)
        t->font[i] = pango_font_description_from_string(font_names[i]);
    thread_state = t;
    (void)pthread_setspecific(thread_key, t);
    return t;
}

static cairo_status_t write_to_buf(void *closure, const unsigned char *data, unsigned int length)
{
    buf_append(closure, (const char *)data, length);
    return CAIRO_STATUS_SUCCESS;
}

bool pdf_open(pdf_canvas_t *c, buf_t *out, double w, double h, char *err, size_t err_size)
{
    *c = (pdf_canvas_t){.t = thread_get()};
    if (!c->t) {
        snprintf(err, err_size, "pango could not create a font map");
        return false;
    }
    c->surface = cairo_pdf_surface_create_for_stream(write_to_buf, out, w, h);
    if (cairo_surface_status(c->surface) != CAIRO_STATUS_SUCCESS) {
        snprintf(err, err_size, "cairo: %s",
                 cairo_status_to_string(cairo_surface_status(c->surface)));
        cairo_surface_destroy(c->surface);
        return false;
    }
    c->cr = cairo_create(c->surface);
    pango_cairo_update_context(c->cr, c->t->context);
    pango_layout_context_changed(c->t->layout);
    return true;
}

void pdf_set_info(pdf_canvas_t *c, const char *title, const char *author, const char *creator,
                  const char *create_date)
{
    cairo_pdf_surface_set_metadata(c->surface, CAIRO_PDF_METADATA_TITLE, title);
    cairo_pdf_surface_set_metadata(c->surface, CAIRO_PDF_METADATA_AUTHOR, author);
    cairo_pdf_surface_set_metadata(c->surface, CAIRO_PDF_METADATA_CREATOR, creator);
    if (create_date)
        cairo_pdf_surface_set_metadata(c->surface, CAIRO_PDF_METADATA_CREATE_DATE, create_date);
}

void pdf_show_page(pdf_canvas_t *c)
{
    cairo_show_page(c->cr);
}

bool pdf_close(pdf_canvas_t *c, char *err, size_t err_size)
{
    cairo_status_t st = cairo_status(c->cr);
    cairo_destroy(c->cr);
    cairo_surface_finish(c->surface);
    if (st == CAIRO_STATUS_SUCCESS) st = cairo_surface_status(c->surface);
    cairo_surface_destroy(c->surface);
    *c = (pdf_canvas_t){0};
    if (st != CAIRO_STATUS_SUCCESS) {
        snprintf(err, err_size, "cairo: %s", cairo_status_to_string(st));
        return false;
    }
    return true;
}

double pdf_text(pdf_canvas_t *c, pdf_font_t f, const char *s, double x, double y, double width,
                pdf_align_t align, pdf_rgb_t col, bool draw)
{
    PangoLayout *l = c->t->layout;
    char *valid = NULL;
    if (!g_utf8_validate(s, -1, NULL)) s = valid = g_utf8_make_valid(s, -1);
    pango_layout_set_font_description(l, c->t->font[f]);
    pango_layout_set_width(l, width > 0 ? (int)(width * PANGO_SCALE) : -1);
    pango_layout_set_alignment(l, align == AL_RIGHT ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
    pango_layout_set_text(l, s, -1);
    int pw = 0, ph = 0;
    pango_layout_get_size(l, &pw, &ph);
    if (draw) {
        cairo_set_source_rgb(c->cr, col.r, col.g, col.b);
        cairo_move_to(c->cr, x, y);
        pango_cairo_show_layout(c->cr, l);
    }
    g_free(valid);
    return (double)ph / PANGO_SCALE;
}

double pdf_text_width(pdf_canvas_t *c, pdf_font_t f, const char *s)
{
    PangoLayout *l = c->t->layout;
    pango_layout_set_font_description(l, c->t->font[f]);
    pango_layout_set_width(l, -1);
    pango_layout_set_text(l, s, -1);
    int pw = 0, ph = 0;
    pango_layout_get_size(l, &pw, &ph);
    return (double)pw / PANGO_SCALE;
}

void pdf_hline(pdf_canvas_t *c, double x0, double x1, double y, double width, pdf_rgb_t col)
{
    cairo_set_source_rgb(c->cr, col.r, col.g, col.b);
    cairo_set_line_width(c->cr, width);
    cairo_move_to(c->cr, x0, y);
    cairo_line_to(c->cr, x1, y);
    cairo_stroke(c->cr);
}

void pdf_fill_rect(pdf_canvas_t *c, double x, double y, double w, double h, pdf_rgb_t col)
{
    cairo_set_source_rgb(c->cr, col.r, col.g, col.b);
    cairo_rectangle(c->cr, x, y, w, h);
    cairo_fill(c->cr);
}
