/*
 * svg.h — charts as inline SVG for `benchaas report` (svg.c).
 *
 * One function draws a whole chart: axes with readable ticks (numbers with
 * k/M/G suffixes, dates on a time axis, powers on a log axis, names on a
 * category axis), axis titles with units, a legend, and any mix of series
 * (lines with markers, points, bars, filled areas, error bars), shaded
 * bands and a second y axis.  No script and no external resource: the
 * output is self-contained markup that any browser renders.
 */
#ifndef BENCHAAS_SVG_H
#define BENCHAAS_SVG_H

#include <stddef.h>
#include <stdio.h>

enum svg_style {
    SVG_LINE = 1,   /* a polyline through the points, in x order as given */
    SVG_POINTS = 2, /* a marker at each point */
    SVG_BARS = 4,   /* a bar from 0 (or the axis bottom) to y */
    SVG_AREA = 8    /* the area under the line, lightly filled */
};

typedef struct svg_series {
    const char *name;        /* in the legend; NULL: not listed */
    const double *x, *y;     /* n points (NAN y: a gap) */
    size_t n;
    const double *lo, *hi;   /* optional error bars (NULL) */
    int style;               /* SVG_LINE | SVG_POINTS ... */
    int color;               /* index into the palette */
    int dashed;
} svg_series;

/* A horizontal band from x0 to x1 (NAN: the whole x range) between lo and hi, with a line at mid. */
typedef struct svg_band {
    double x0, x1, lo, mid, hi; /* mid NAN: no line */
    int color;
    const char *name; /* in the legend; NULL: not listed */
} svg_band;

enum svg_xaxis {
    SVG_X_LINEAR,
    SVG_X_LOG,      /* x > 0; ticks at powers of 10 (or of 2 for byte sizes) */
    SVG_X_TIME,     /* x in seconds since 1970 (UTC); dates on the axis */
    SVG_X_CATEGORY  /* x = 0, 1, 2 ... with xcats[] as the labels */
};

typedef struct svg_chart {
    const char *title;      /* above the chart; also the accessible name */
    const char *xlabel;     /* axis titles, with the unit: "NB", "GFLOP/s" */
    const char *ylabel;
    const char *y2label;    /* the right axis of series2 (NULL: none) */
    int width, height;      /* pixels (defaults 720 x 300) */
    int xaxis;              /* enum svg_xaxis */
    int xbytes;             /* x values are byte counts: 1 KiB, 2 MiB ... on the axis */
    const char *const *xcats;
    size_t ncats;
    int y_zero;             /* start the y axis at 0 (bars always do) */
    const svg_series *series;
    size_t nseries;
    const svg_series *series2; /* against the right axis */
    size_t nseries2;
    const svg_band *bands;
    size_t nbands;
} svg_chart;

/* The palette's colour i (wraps), as "#rrggbb". */
const char *svg_color(int i);

/* Write the chart as an <svg> element. */
void svg_chart_write(FILE *out, const svg_chart *c);

/*
 * The clip-path ids of the charts this thread writes from now on: "clip" scope
 * "-1", "-2", ... (scope: letters and digits, at most 15), so that a page
 * written in parts by several threads has the same ids whichever thread
 * writes which part; NULL: ids from the process-wide counter again.
 */
void svg_id_scope(const char *scope);

/*
 * A small trend line without axes (for a table cell): y[0..n) oldest first
 * (NAN: a gap), the last point marked; label is the accessible name.
 */
void svg_sparkline_write(FILE *out, const double *y, size_t n, int width, int height,
                         const char *label);

/* A number as an axis shows it: 1.5k, 20M, 0.25, 1e-06. */
void svg_format_number(double v, char *buf, size_t len);

/* Write s with &, <, >, " escaped (for HTML text and attributes). */
void svg_escape(FILE *out, const char *s);

#endif
