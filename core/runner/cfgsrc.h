/*
 * cfgsrc.h — the text of a configuration file as libconfig will read it.
 *
 *   - @include "FILE" lines are expanded here, FILE relative to the folder
 *     of the file that includes it (not the current folder), each read
 *     through the "file we may read" check, at most 10 deep; every line of
 *     the result remembers its file and line, so every message names the
 *     right file:line.
 *   - Integer literals are checked here, as written: libconfig 1.5 wraps
 *     values of 2^31 and more silently (4294967298 reads as 2).  Every one
 *     that fits 64 bits gets the L suffix (libconfig then reads it whole; the
 *     range checks see the real value); a larger one is refused.
 */
#ifndef BENCHAAS_CFGSRC_H
#define BENCHAAS_CFGSRC_H

#include <stddef.h>

typedef struct cfgsrc {
    char *text;      /* what libconfig reads */
    char **files;    /* the files read, [0] the configuration itself */
    size_t nfiles;
    int *file_of;    /* per line of text (1-based index - 1): index into files */
    int *line_of;    /* ... and the line in that file */
    size_t nlines;
} cfgsrc;

/* Expand and check `text` (the contents of `path`): 0, or BX_EINVAL with "file:line: why". */
int cfgsrc_build(cfgsrc *src, const char *path, const char *text, size_t len, char *err,
                 size_t errlen);
void cfgsrc_free(cfgsrc *src);

/* The file and line of line `line` of src->text (1-based); `dflt` when unknown. */
const char *cfgsrc_file(const cfgsrc *src, int line, const char *dflt);
int cfgsrc_line(const cfgsrc *src, int line);

/*
 * The value of setting `name` as written on line `line` of src->text
 * ("4294967297", "0x10"), into buf; 0, or -1 when it is not found there.
 */
int cfgsrc_literal(const cfgsrc *src, int line, const char *name, char *buf, size_t buflen);

#endif
