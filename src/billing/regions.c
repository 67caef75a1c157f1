/* Region names by code (regions.h): what a select of states shows and an invoice prints. */
#include "regions.h"

#include <string.h>

/* USPS codes; sorted by name, as people look for their state in a list. */
static const region_t us_regions[] = {
    {"AL", "Alabama"},
    {"AK", "Alaska"},
    {"AS", "American Samoa"},
    {"AZ", "Arizona"},
    {"AR", "Arkansas"},
    {"CA", "California"},
    {"CO", "Colorado"},
    {"CT", "Connecticut"},
    {"DE", "Delaware"},
    {"DC", "District of Columbia"},
    {"FL", "Florida"},
    {"GA", "Georgia"},
    {"GU", "Guam"},
    {"HI", "Hawaii"},
    {"ID", "Idaho"},
    {"IL", "Illinois"},
    {"IN", "Indiana"},
    {"IA", "Iowa"},
    {"KS", "Kansas"},
    {"KY", "Kentucky"},
    {"LA", "Louisiana"},
    {"ME", "Maine"},
    {"MD", "Maryland"},
    {"MA", "Massachusetts"},
    {"MI", "Michigan"},
    {"MN", "Minnesota"},
    {"MS", "Mississippi"},
    {"MO", "Missouri"},
    {"MT", "Montana"},
    {"NE", "Nebraska"},
    {"NV", "Nevada"},
    {"NH", "New Hampshire"},
    {"NJ", "New Jersey"},
    {"NM", "New Mexico"},
    {"NY", "New York"},
    {"NC", "North Carolina"},
    {"ND", "North Dakota"},
    {"MP", "Northern Mariana Islands"},
    {"OH", "Ohio"},
    {"OK", "Oklahoma"},
    {"OR", "Oregon"},
    {"PA", "Pennsylvania"},
    {"PR", "Puerto Rico"},
    {"RI", "Rhode Island"},
    {"SC", "South Carolina"},
    {"SD", "South Dakota"},
    {"TN", "Tennessee"},
    {"TX", "Texas"},
    {"VI", "U.S. Virgin Islands"},
    {"UT", "Utah"},
    {"VT", "Vermont"},
    {"VA", "Virginia"},
    {"WA", "Washington"},
    {"WV", "West Virginia"},
    {"WI", "Wisconsin"},
    {"WY", "Wyoming"},
};

const region_t *regions_of(const char *country, size_t *n)
{
    if (country && strcmp(country, "US") == 0) {
        *n = sizeof us_regions / sizeof us_regions[0];
        return us_regions;
    }
    *n = 0;
    return NULL;
}

const char *region_name(const char *country, const char *code)
{
    size_t n = 0;
    const region_t *list = regions_of(country, &n);
    for (size_t i = 0; code && i < n; i++)
        if (strcmp(list[i].code, code) == 0) return list[i].name;
    return NULL;
}
