/* Growable byte buffer whose memory lives in an arena (old blocks are reclaimed with the arena). */
#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void buf_init_cap(buf_t *b, arena_t *a, size_t cap)
{
    b->arena = a;
    b->cap = cap ? cap : 1;
    b->len = 0;
    b->data = arena_alloc_raw(a, b->cap);
    b->data[0] = '\0';
}

void buf_init(buf_t *b, arena_t *a)
{
    buf_init_cap(b, a, 256);
}

void buf_grow(buf_t *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap) return;
    size_t cap = b->cap * 2;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *p = arena_alloc_raw(b->arena, cap);
    memcpy(p, b->data, b->len + 1);
    b->data = p;
    b->cap = cap;
}

void buf_puts(buf_t *b, const char *s)
{
    buf_append(b, s, strlen(s));
}

void buf_putc(buf_t *b, char c)
{
    buf_append(b, &c, 1);
}

void buf_printf(buf_t *b, const char *fmt, ...)
{
    va_list ap, copy;
    va_start(ap, fmt);
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n > 0) {
        buf_grow(b, (size_t)n);
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
        b->len += (size_t)n;
    }
    va_end(ap);
}
