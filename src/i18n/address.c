/* Postal address lines in the country's order. */
#include "i18n/address.h"
#include "i18n/format.h"

#include <stdio.h>
#include <strings.h>

static const char *S(const char *s)
{
    return s ? s : "";
}

static void add(address_lines_t *out, const char *text)
{
    if (*text && out->n < ADDRESS_LINES_MAX)
        snprintf(out->line[out->n++], ADDRESS_LINE_MAX, "%s", text);
}

void format_address(lang_t lang, const char *line1, const char *line2, const char *city,
                    const char *region, const char *postal_code, const char *country,
                    address_lines_t *out)
{
    out->n = 0;
    city = S(city), region = S(region), postal_code = S(postal_code), country = S(country);
    add(out, S(line1));
    add(out, S(line2));
    char town[ADDRESS_LINE_MAX];
    if (strcasecmp(country, "US") == 0 || strcasecmp(country, "CA") == 0)
        snprintf(town, sizeof town, "%s%s%s%s%s", city, *city && *region ? ", " : "", region,
                 (*city || *region) && *postal_code ? " " : "", postal_code);
    else
        snprintf(town, sizeof town, "%s%s%s%s%s%s", postal_code, *postal_code && *city ? " " : "",
                 city, *region ? " (" : "", region, *region ? ")" : "");
    add(out, town);
    if (*country) {
        char name[ADDRESS_LINE_MAX];
        format_country(lang, country, name, sizeof name);
        add(out, name);
    }
}
