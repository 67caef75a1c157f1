/* The names of the regions whose codes addresses and tax tables use (US states and the like). */
#ifndef COBRO_REGIONS_H
#define COBRO_REGIONS_H
#include <stddef.h>

typedef struct {
    const char *code,
        *name; /* "IL", "Illinois": the name is a proper name, as the post writes it */
} region_t;

/* The proper name of a region of country (ISO 3166 alpha-2), NULL when the code is not one we
 * know: the United States' 50 states, the District of Columbia and the inhabited territories. */
const char *region_name(const char *country, const char *code);

/* Every known region of country, sorted by name; *n receives how many (0 for a country whose
 * regions are not listed here). */
const region_t *regions_of(const char *country, size_t *n);

#endif
