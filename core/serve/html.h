/*
 * html.h — writing HTML for the pages of `benchaas serve` (html.c), the way cgit's
 * html.c does: no page escapes by hand or builds a repeated table by hand.
 *
 * Every text from the database or the request goes through html_txt(), or htmlf()'s %s;
 * in a URL through html_url() or %U.  Markup is written as literals; %H inserts markup
 * this program made (never a value from outside).
 */
#ifndef BENCHAAS_HTML_H
#define BENCHAAS_HTML_H

#include <stdio.h>

/* s as HTML text or a double-quoted attribute value (NULL: nothing): & < > " escaped,
 * what is not text (invalid UTF-8, control characters) as U+FFFD. */
void html_txt(FILE *f, const char *s);
/* s percent-encoded for a URL (safe in an attribute too). */
void html_url(FILE *f, const char *s);
/* A number with its significant digits ("–" when not finite). */
void html_num(FILE *f, double v);
/* A stored UTC time as "2026-11-21 10:12" in a <time>. */
void html_when(FILE *f, const char *iso);
/* v in unit as a person reads it: 41290 MB/s is "41.3 GB/s", 46000000 bytes
 * "43.9 MiB" (the exact figure in a title); an unknown unit: html_num and the unit. */
void html_quantity(FILE *f, double v, const char *unit);

/*
 * printf for HTML: %s writes its argument escaped (html_txt), %U percent-encoded
 * (html_url), %H as it is (markup of ours); the numeric conversions (d i u x with l, ll
 * or z; e f g, width and precision) and %% as printf.
 */
void htmlf(FILE *f, const char *fmt, ...);

/* A column of a table: its heading (text); the list ends with a NULL label. */
typedef struct html_col {
    const char *label;
} html_col;
/* <div class="scroll"><table id=ID> (id may be NULL), the head row from cols, <tbody>;
 * and the end of it all. */
void html_table_begin(FILE *f, const char *id, const html_col *cols);
void html_table_end(FILE *f);

#endif
