/* The demo's sample W-9: drawn with cairo and pango at demo time, so that no binary file is kept
 * in the repository; every line says it is a sample. */
#include "render/sample_w9.h"
#include "render/pdf_text.h"

#include <stdio.h>

enum { PAGE_W = 612, PAGE_H = 792 }; /* US Letter, in points */

bool sample_w9_render(const char *vendor_name, buf_t *out, char *err, size_t err_size)
{
    pdf_canvas_t c;
    if (!pdf_open(&c, out, PAGE_W, PAGE_H, err, err_size)) return false;
    pdf_set_info(&c, "SAMPLE W-9", vendor_name, "cobro demo", NULL);
    const pdf_rgb_t ink = {0.1, 0.1, 0.1}, red = {0.75, 0.1, 0.1}, pale = {0.97, 0.9, 0.9};
    double x = 54, w = PAGE_W - 108, y = 54;
    pdf_fill_rect(&c, x, y, w, 40, pale);
    pdf_text(&c, F_TITLE, "SAMPLE — NOT A TAX FORM", x + 12, y + 8, w - 24, AL_LEFT, red, true);
    y += 60;
    y += pdf_text(&c, F_VENDOR, "Form W-9 (sample): Request for Taxpayer Identification Number", x,
                  y, w, AL_LEFT, ink, true) +
         14;
    pdf_hline(&c, x, x + w, y, 1, ink);
    y += 14;
    char line[512];
    snprintf(line, sizeof line, "Name: %s", vendor_name);
    y += pdf_text(&c, F_BOLD, line, x, y, w, AL_LEFT, ink, true) + 8;
    static const char *const lines[] = {
        "Federal tax classification: C corporation (SAMPLE)",
        "Address: 100 Sample Street, Boston, MA 02110 (SAMPLE)",
        "Taxpayer Identification Number: 00-0000000 (SAMPLE)",
        "",
        "This document is a SAMPLE loaded with cobro's demo data. It is not a completed Form "
        "W-9 and must not be used for tax reporting. An administrator replaces it with the "
        "vendor's signed W-9 in the staff console (W-9) or with `cobro vendor-file w9 FILE`.",
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        y += pdf_text(&c, F_BODY, lines[i], x, y, w, AL_LEFT, ink, true) + 6;
    pdf_fill_rect(&c, x, PAGE_H - 94, w, 40, pale);
    pdf_text(&c, F_TITLE, "SAMPLE", x + 12, PAGE_H - 86, w - 24, AL_LEFT, red, true);
    return pdf_close(&c, err, err_size);
}
