/* Growable byte buffer whose memory lives in an arena. */
#ifndef COBRO_BUF_H
#define COBRO_BUF_H
#include "arena.h"
#include <stddef.h>
#include <string.h>

typedef struct {
    char *data; /* always NUL-terminated */
    size_t len, cap;
    arena_t *arena;
} buf_t;

void buf_init(buf_t *b, arena_t *a);
/* With room for cap bytes before it grows (a page's body: no copies while it is written). */
void buf_init_cap(buf_t *b, arena_t *a, size_t cap);
/* Grows b to hold n more bytes and the NUL (the rare path of buf_append). */
void buf_grow(buf_t *b, size_t n);

/* Inline: a page makes hundreds of small appends, and the call was most of their cost. */
static inline void buf_append(buf_t *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) buf_grow(b, n);
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

/* Room for n more bytes and the NUL, for a run of buf_put_raw. */
static inline void buf_reserve(buf_t *b, size_t n)
{
    if (b->len + n + 1 > b->cap) buf_grow(b, n);
}

/* Appends within room made by buf_reserve, leaving the NUL to buf_end_raw: a table row's run of
 * fixed fragments and values without a check and a NUL at each. */
static inline void buf_put_raw(buf_t *b, const char *s, size_t n)
{
    memcpy(b->data + b->len, s, n);
    b->len += n;
}

static inline void buf_end_raw(buf_t *b)
{
    b->data[b->len] = '\0';
}

/* Appends a string literal, its length known when compiling (the "" refuses anything else). */
#define buf_lit(b, lit) buf_append((b), "" lit, sizeof(lit) - 1)

void buf_puts(buf_t *b, const char *s);
void buf_putc(buf_t *b, char c);
void buf_printf(buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
