/* PostgreSQL array literals for multi-row statements (see sql_array.h). */
#include "sql_array.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

void sql_array_init(sql_array_t *arr, arena_t *a)
{
    buf_init_cap(&arr->b, a, 1024);
    sql_array_clear(arr);
}

void sql_array_clear(sql_array_t *arr)
{
    arr->b.len = 0;
    buf_putc(&arr->b, '{');
    arr->n = 0;
}

static void separate(sql_array_t *arr)
{
    if (arr->n++) buf_putc(&arr->b, ',');
}

void sql_array_add_int(sql_array_t *arr, int64_t v)
{
    char text[24];
    int n = snprintf(text, sizeof text, "%" PRId64, v);
    separate(arr);
    buf_append(&arr->b, text, (size_t)n);
}

/* Appends the quoted element: the runs between characters to escape are copied whole. */
static void add_quoted(sql_array_t *arr, const char *s, size_t len)
{
    separate(arr);
    buf_grow(&arr->b, len + 2);
    buf_putc(&arr->b, '"');
    size_t from = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] != '"' && s[i] != '\\') continue;
        buf_append(&arr->b, s + from, i - from);
        buf_putc(&arr->b, '\\');
        from = i; /* the character itself goes with the next run */
    }
    buf_append(&arr->b, s + from, len - from);
    buf_putc(&arr->b, '"');
}

void sql_array_add_text(sql_array_t *arr, const char *s)
{
    if (!s) {
        separate(arr);
        buf_lit(&arr->b, "NULL");
        return;
    }
    add_quoted(arr, s, strlen(s));
}

bool sql_array_add_text_n(sql_array_t *arr, const char *s, size_t len)
{
    if (len && memchr(s, '\0', len)) return false;
    add_quoted(arr, s, len);
    return true;
}

const char *sql_array_text_of(sql_array_t *arr)
{
    buf_putc(&arr->b, '}');
    return arr->b.data;
}
