/* Per-request memory pool: bump allocation in growing blocks, freed all together. */
#include "arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct block {
    struct block *next;
    size_t size, used;
    max_align_t data[];
};

struct arena {
    struct block *head;
    size_t total;
};

enum {
    FIRST_BLOCK = 32 * 1024,
    /* a page and its 16 KiB body in one malloc */ ALIGN = _Alignof(max_align_t)
};

static void out_of_memory(void)
{
    /* Nothing sensible can continue without memory; dying loudly beats writing half a change. */
    fputs("cobro: out of memory\n", stderr);
    abort();
}

static struct block *block_new(size_t size)
{
    struct block *b = malloc(sizeof *b + size);
    if (!b) out_of_memory();
    b->next = NULL;
    b->size = size;
    b->used = 0;
    return b;
}

arena_t *arena_new(void)
{
    arena_t *a = calloc(1, sizeof *a);
    if (!a) return NULL;
    a->head = block_new(FIRST_BLOCK);
    return a;
}

void arena_free(arena_t *a)
{
    if (!a) return;
    struct block *b = a->head;
    while (b) {
        struct block *next = b->next;
        free(b);
        b = next;
    }
    free(a);
}

void *arena_alloc_raw(arena_t *a, size_t size)
{
    size_t need = (size + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    if (need < size) out_of_memory();
    struct block *b = a->head;
    if (b->size - b->used < need) {
        size_t grow = b->size * 2;
        if (grow < need) grow = need;
        b = block_new(grow);
        b->next = a->head;
        a->head = b;
    }
    void *p = (char *)b->data + b->used;
    b->used += need;
    a->total += need;
    return p;
}

void *arena_grow(arena_t *a, void *items, size_t n, size_t *cap, size_t size, size_t first)
{
    if (n < *cap) return items;
    size_t more = *cap ? *cap * 2 : first;
    void *bigger = arena_alloc(a, more * size);
    if (n) memcpy(bigger, items, n * size);
    *cap = more;
    return bigger;
}

void *arena_alloc(arena_t *a, size_t size)
{
    return memset(arena_alloc_raw(a, size), 0, size);
}

char *arena_strndup(arena_t *a, const char *s, size_t n)
{
    char *p = arena_alloc_raw(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_strdup(arena_t *a, const char *s)
{
    return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *arena_vprintf(arena_t *a, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0) return arena_strdup(a, "");
    char *p = arena_alloc_raw(a, (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *arena_printf(arena_t *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = arena_vprintf(a, fmt, ap);
    va_end(ap);
    return p;
}
