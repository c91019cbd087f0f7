/*
 * table.h — column-aligned text tables (compare, check).
 *
 * Each column is as wide as its widest cell (header included), columns are
 * two spaces apart, and trailing blanks are trimmed, so the output is easy
 * to read and to pick apart with awk or grep in users' scripts.
 */
#ifndef BENCHAAS_TABLE_H
#define BENCHAAS_TABLE_H

#include <stddef.h>
#include <stdio.h>

typedef struct ttable {
    size_t ncols;
    const char *const *head; /* ncols header cells (not copied) */
    const char *cols;        /* per column: 'l' left, 'r' right-aligned, '-' not shown */
    char **cells;            /* the rows' cells, row after row (owned) */
    size_t ncells, cap;
    int oom;                 /* an allocation failed: ttable_print says so */
} ttable;

/* An empty table; head and cols must outlive it. */
void ttable_init(ttable *t, size_t ncols, const char *const *head, const char *cols);
/* Append the next cell (copied): rows of ncols cells, left to right, one row after another. */
void ttable_add(ttable *t, const char *cell);
/* Print the header and the rows: 0, or BX_ENOMEM (nothing printed). */
int ttable_print(const ttable *t, FILE *out);
void ttable_free(ttable *t);

#endif
