/* The lines of a postal address in the order of its country, for every renderer alike (HTML
 * pages, the invoice page and its PDF). */
#ifndef COBRO_ADDRESS_H
#define COBRO_ADDRESS_H
#include "i18n/i18n.h"
#include <stddef.h>

enum { ADDRESS_LINES_MAX = 4, ADDRESS_LINE_MAX = 256 };

typedef struct {
    char line[ADDRESS_LINES_MAX][ADDRESS_LINE_MAX];
    size_t n;
} address_lines_t;

/* The street lines, then the town line in the country's order ("Springfield, IL 62701" in North
 * America, "20121 Milano (MI)" elsewhere), then the country's name in lang; empty parts are left
 * out (NULL reads as empty). */
void format_address(lang_t lang, const char *line1, const char *line2, const char *city,
                    const char *region, const char *postal_code, const char *country,
                    address_lines_t *out);

#endif
