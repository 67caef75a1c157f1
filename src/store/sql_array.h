/* PostgreSQL array literals ('{1,2,3}', '{"a","b"}') built in an arena, so that a bulk job can
 * pass a whole column of rows as one text parameter ($1::bigint[], $2::text[]) of one multi-row
 * statement (INSERT ... SELECT ... FROM unnest(...)) and keep db.h's API of texts and integers. */
#ifndef COBRO_SQL_ARRAY_H
#define COBRO_SQL_ARRAY_H
#include "util/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    buf_t b;  /* "{" then the elements, comma-separated; "}" is added by sql_array_text_of */
    size_t n; /* elements so far */
} sql_array_t;

void sql_array_init(sql_array_t *arr, arena_t *a);
/* Drops every element (the memory stays in the arena, to be reused). */
void sql_array_clear(sql_array_t *arr);
void sql_array_add_int(sql_array_t *arr, int64_t v);
/* A text element, always quoted, with '"' and '\' escaped by a backslash: commas, braces,
 * spaces, quotes and the word NULL stay what they are. s NULL adds SQL NULL. */
void sql_array_add_text(sql_array_t *arr, const char *s);
/* The same for len bytes at s; false, and nothing added, when they hold a NUL byte (PostgreSQL's
 * text cannot store one, and a C string would end there). */
bool sql_array_add_text_n(sql_array_t *arr, const char *s, size_t len);
/* Ends the literal and returns it: "{...}". Nothing can be added after it until
 * sql_array_clear. */
const char *sql_array_text_of(sql_array_t *arr);

#endif
