/* A sample W-9 for the demo: a one-page PDF drawn at demo time, marked SAMPLE, that names the
 * vendor. Not a tax form: it stands in for the one an admin uploads. */
#ifndef COBRO_SAMPLE_W9_H
#define COBRO_SAMPLE_W9_H
#include "util/buf.h"

#include <stdbool.h>
#include <stddef.h>

/* Draws the sample into out; false with a one-line reason in err. */
bool sample_w9_render(const char *vendor_name, buf_t *out, char *err, size_t err_size);

#endif
