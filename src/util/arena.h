/* Per-request memory pool: many small allocations, all freed at once by arena_free. */
#ifndef COBRO_ARENA_H
#define COBRO_ARENA_H
#include <stdarg.h>
#include <stddef.h>

typedef struct arena arena_t;

/* Returns a new arena or NULL when memory is exhausted. */
arena_t *arena_new(void);
/* Frees the arena and everything allocated from it; NULL is accepted. */
void arena_free(arena_t *a);
/* Zero-filled memory aligned for any type; aborts the process when memory is exhausted. */
void *arena_alloc(arena_t *a, size_t size);
/* The same without the zero fill, for memory about to be written whole (buffers, copies): a
 * page's 16 KiB body was cleared at every request only to be overwritten. */
void *arena_alloc_raw(arena_t *a, size_t size);
/* Room for one more item in a growing array of n items of size bytes (*cap of them allocated):
 * items itself while there is room, else a copy twice as large (first items when empty), *cap
 * updated. For lists read row by row from the database. */
void *arena_grow(arena_t *a, void *items, size_t n, size_t *cap, size_t size, size_t first);
char *arena_strdup(arena_t *a, const char *s);
char *arena_strndup(arena_t *a, const char *s, size_t n);
char *arena_printf(arena_t *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(arena_t *a, const char *fmt, va_list ap);

#endif
