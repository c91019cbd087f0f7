/* table.c — column-aligned text tables (compare, check). */
#define _GNU_SOURCE
#include "table.h"

#include <stdlib.h>
#include <string.h>

#include "benchaas/plugin.h"

void ttable_init(ttable *t, size_t ncols, const char *const *head, const char *cols)
{
    memset(t, 0, sizeof *t);
    t->ncols = ncols;
    t->head = head;
    t->cols = cols;
}

void ttable_add(ttable *t, const char *cell)
{
    if (t->oom)
        return;
    if (t->ncells == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        char **nc = realloc(t->cells, cap * sizeof *nc);
        if (!nc) {
            t->oom = 1;
            return;
        }
        t->cells = nc;
        t->cap = cap;
    }
    if (!(t->cells[t->ncells] = strdup(cell)))
        t->oom = 1;
    else
        t->ncells++;
}

/* One line of cells padded to the widths w, without trailing blanks; line is big enough. */
static void print_line(const ttable *t, FILE *out, const int *w, const char *const *cell,
                       char *line, size_t len)
{
    size_t used = 0;
    int first = 1;
    for (size_t c = 0; c < t->ncols; c++) {
        if (t->cols[c] == '-')
            continue;
        used += (size_t)snprintf(line + used, len - used, "%s%*s", first ? "" : "  ",
                                 t->cols[c] == 'r' ? w[c] : -w[c], cell[c]);
        first = 0;
    }
    while (used && line[used - 1] == ' ')
        used--;
    fprintf(out, "%.*s\n", (int)used, line);
}

int ttable_print(const ttable *t, FILE *out)
{
    if (t->oom)
        return BX_ENOMEM;
    size_t nrows = t->ncols ? t->ncells / t->ncols : 0;
    int *w = calloc(t->ncols + 1, sizeof *w); /* + 1: never calloc(0) */
    if (!w)
        return BX_ENOMEM;
    size_t len = 1;
    for (size_t c = 0; c < t->ncols; c++) {
        w[c] = (int)strlen(t->head[c]);
        for (size_t r = 0; r < nrows; r++) {
            int l = (int)strlen(t->cells[r * t->ncols + c]);
            if (l > w[c])
                w[c] = l;
        }
        len += (size_t)w[c] + 2;
    }
    char *line = malloc(len);
    if (!line) {
        free(w);
        return BX_ENOMEM;
    }
    print_line(t, out, w, t->head, line, len);
    for (size_t r = 0; r < nrows; r++)
        print_line(t, out, w, (const char *const *)t->cells + r * t->ncols, line, len);
    free(line);
    free(w);
    return 0;
}

void ttable_free(ttable *t)
{
    for (size_t i = 0; i < t->ncells; i++)
        free(t->cells[i]);
    free(t->cells);
    memset(t, 0, sizeof *t);
}
