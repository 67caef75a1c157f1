/* Demo data: three products, three accounts, their users and staff (safe to load twice). */
#ifndef COBRO_DEMO_H
#define COBRO_DEMO_H
#include "store/rows.h"
#include "util/arena.h"
#include <stdbool.h>
#include <stdint.h>

#define DEMO_PASSWORD "demo-password"

/* Loads everything in one transaction; false with a reason in err. */
bool demo_load(store_t *s, int64_t now, char *err, int err_size);

#endif
