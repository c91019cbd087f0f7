/*
 * svg.c — the charts of the HTML report as inline SVG (see svg.h).
 *
 * Coordinates: the plot area is [px0, px1] x [py0, py1] in pixels, y
 * growing downwards; data are mapped with sx()/sy().  Tick positions come
 * from the usual "nice numbers" (1, 2, 5 times a power of ten), calendar
 * steps on a time axis, and powers of ten (or of two for byte sizes) on a
 * log axis.  Every chart gets a unique clip-path id, so charts can share a
 * page.
 */
#define _GNU_SOURCE
#include "svg.h"
#include "text.h"

#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Okabe–Ito colours (distinguishable with colour-blindness), then a few more. */
static const char *const palette[] = {"#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7",
                                      "#56B4E9", "#7F7F7F", "#8C564B", "#000000", "#B8860B"};
#define NPALETTE (sizeof palette / sizeof palette[0])

const char *svg_color(int i)
{
    if (i < 0)
        i = -i;
    return palette[(size_t)i % NPALETTE];
}

void svg_escape(FILE *out, const char *s)
{
    while (s && *s) {
        unsigned cp;
        size_t n = text_utf8_at(s, &cp);
        if (n == 0 || (text_is_control(cp) && cp != '\n' && cp != '\t')) {
            /* not text (invalid UTF-8, a control character): U+FFFD, so the page stays valid */
            fputs("\xef\xbf\xbd", out);
            s += n ? n : 1;
            continue;
        }
        switch (*s) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        default: fwrite(s, 1, n, out);
        }
        s += n;
    }
}

void svg_format_number(double v, char *buf, size_t len)
{
    double a = fabs(v);
    if (!isfinite(v))
        snprintf(buf, len, "-");
    else if (a < 1e-12)
        snprintf(buf, len, "0");
    else if (a >= 1e15 || a < 1e-4)
        snprintf(buf, len, "%.2g", v);
    else if (a >= 1e9)
        snprintf(buf, len, "%.3gG", v / 1e9);
    else if (a >= 1e6)
        snprintf(buf, len, "%.3gM", v / 1e6);
    else if (a >= 1e4)
        snprintf(buf, len, "%.3gk", v / 1e3);
    else
        snprintf(buf, len, "%.4g", v);
}

static void format_bytes(double v, char *buf, size_t len)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    int u = 0;
    while (fabs(v) >= 1024 && u < 5) {
        v /= 1024;
        u++;
    }
    snprintf(buf, len, "%.3g %s", v, units[u]);
}

/* ---- scales and ticks ------------------------------------------------------- */

#define MAX_TICKS 64

typedef struct scale {
    double lo, hi;  /* data range shown (log: of log10(x)) */
    int log;        /* log10 mapping */
    double p0, p1;  /* pixel range */
    double ticks[MAX_TICKS];
    char labels[MAX_TICKS][32];
    int nticks;
} scale;

static double map(const scale *s, double v)
{
    if (s->log)
        v = v > 0 ? log10(v) : s->lo;
    if (s->hi == s->lo)
        return (s->p0 + s->p1) / 2;
    return s->p0 + (v - s->lo) / (s->hi - s->lo) * (s->p1 - s->p0);
}

static double nice_step(double range, int target)
{
    double raw = range / target;
    if (!(raw > 0) || !isfinite(raw))
        return 1;
    double mag = pow(10, floor(log10(raw)));
    double norm = raw / mag;
    double nice = norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10;
    return nice * mag;
}

/* Linear ticks; widens lo/hi to whole steps. */
static void linear_ticks(scale *s, int target, int bytes)
{
    double step = nice_step(s->hi - s->lo, target);
    s->lo = floor(s->lo / step + 1e-9) * step;
    s->hi = ceil(s->hi / step - 1e-9) * step;
    s->nticks = 0;
    for (double t = s->lo; t <= s->hi + step * 1e-6 && s->nticks < MAX_TICKS; t += step) {
        double v = fabs(t) < step * 1e-9 ? 0 : t;
        s->ticks[s->nticks] = v;
        if (bytes)
            format_bytes(v, s->labels[s->nticks], sizeof s->labels[0]);
        else
            svg_format_number(v, s->labels[s->nticks], sizeof s->labels[0]);
        s->nticks++;
    }
}

/* Log ticks over [lo, hi] (already log10 values). */
static void log_ticks(scale *s, int bytes)
{
    s->nticks = 0;
    if (bytes) {
        /* powers of two, every k-th so that at most 8 show */
        double l2lo = floor(s->lo / log10(2)), l2hi = ceil(s->hi / log10(2));
        int k = (int)ceil((l2hi - l2lo + 1) / 8);
        if (k < 1)
            k = 1;
        for (double e = l2lo; e <= l2hi && s->nticks < MAX_TICKS; e += k) {
            double v = pow(2, e);
            s->ticks[s->nticks] = v;
            format_bytes(v, s->labels[s->nticks], sizeof s->labels[0]);
            s->nticks++;
        }
        s->lo = l2lo * log10(2);
        s->hi = (l2lo + k * ceil((l2hi - l2lo) / k)) * log10(2);
        return;
    }
    double dlo = floor(s->lo), dhi = ceil(s->hi);
    int decades = (int)(dhi - dlo);
    static const double mult3[] = {1, 2, 5}, mult1[] = {1};
    const double *mult = decades <= 2 ? mult3 : mult1;
    int nm = decades <= 2 ? 3 : 1;
    int every = decades > 8 ? (decades + 7) / 8 : 1;
    for (double d = dlo; d <= dhi && s->nticks < MAX_TICKS; d += every)
        for (int m = 0; m < nm && s->nticks < MAX_TICKS; m++) {
            double v = mult[m] * pow(10, d);
            double lv = log10(v);
            if (lv < s->lo - 1e-9 || lv > s->hi + 1e-9)
                continue;
            s->ticks[s->nticks] = v;
            svg_format_number(v, s->labels[s->nticks], sizeof s->labels[0]);
            s->nticks++;
        }
}

/* Time ticks: the smallest calendar step with at most 7 ticks. */
static void time_ticks(scale *s)
{
    static const struct {
        double secs;
        int months;
        const char *fmt;
    } steps[] = {
        {60, 0, "%H:%M"},           {300, 0, "%H:%M"},        {900, 0, "%H:%M"},
        {3600, 0, "%m-%d %H:%M"},   {3 * 3600, 0, "%m-%d %H:%M"}, {6 * 3600, 0, "%m-%d %H:%M"},
        {12 * 3600, 0, "%m-%d %H:%M"}, {86400, 0, "%Y-%m-%d"}, {2 * 86400, 0, "%Y-%m-%d"},
        {7 * 86400, 0, "%Y-%m-%d"}, {14 * 86400, 0, "%Y-%m-%d"}, {0, 1, "%Y-%m"},
        {0, 2, "%Y-%m"},            {0, 3, "%Y-%m"},          {0, 6, "%Y-%m"},
        {0, 12, "%Y"},              {0, 24, "%Y"},            {0, 60, "%Y"},
    };
    double span = s->hi - s->lo;
    size_t k = 0;
    for (; k + 1 < sizeof steps / sizeof steps[0]; k++) {
        double secs = steps[k].secs ? steps[k].secs : steps[k].months * 30.44 * 86400;
        if (span / secs <= 7)
            break;
    }
    s->nticks = 0;
    if (steps[k].secs) {
        double step = steps[k].secs;
        double t = ceil(s->lo / step) * step;
        for (; t <= s->hi && s->nticks < MAX_TICKS; t += step) {
            time_t tt = (time_t)t;
            struct tm tm;
            gmtime_r(&tt, &tm);
            s->ticks[s->nticks] = t;
            strftime(s->labels[s->nticks], sizeof s->labels[0], steps[k].fmt, &tm);
            s->nticks++;
        }
        return;
    }
    /* calendar months: the first of a month that is a multiple of the step */
    time_t tt = (time_t)s->lo;
    struct tm tm;
    gmtime_r(&tt, &tm);
    int m = steps[k].months;
    int month = tm.tm_year * 12 + tm.tm_mon + 1; /* the next month start */
    month = (month + m - 1) / m * m;
    for (; s->nticks < MAX_TICKS; month += m) {
        struct tm t2 = {0};
        t2.tm_year = month / 12;
        t2.tm_mon = month % 12;
        t2.tm_mday = 1;
        double t = (double)timegm(&t2);
        if (t > s->hi)
            break;
        s->ticks[s->nticks] = t;
        strftime(s->labels[s->nticks], sizeof s->labels[0], steps[k].fmt, &t2);
        s->nticks++;
    }
}

/* ---- drawing ------------------------------------------------------------------ */

/* Unique ids for the clip paths of a page; the server renders pages in several threads
   (a thread in a scope numbers its charts itself: svg_id_scope). */
static atomic_uint chart_counter;
static _Thread_local char id_scope[16];
static _Thread_local unsigned id_scope_n;

void svg_id_scope(const char *scope)
{
    snprintf(id_scope, sizeof id_scope, "%s", scope ? scope : "");
    id_scope_n = 0;
}

static void text(FILE *out, double x, double y, const char *anchor, const char *extra,
                 const char *s)
{
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\"%s%s>", x, y, anchor,
            extra ? " " : "", extra ? extra : "");
    svg_escape(out, s);
    fputs("</text>", out);
}

/* Data range of a set of series (x and y), ignoring non-finite values. */
static void ranges(const svg_series *ss, size_t n, int xlog, double *xlo, double *xhi,
                   double *ylo, double *yhi)
{
    for (size_t k = 0; k < n; k++) {
        const svg_series *s = &ss[k];
        for (size_t i = 0; i < s->n; i++) {
            double x = s->x[i];
            if (isfinite(x) && (!xlog || x > 0)) {
                if (x < *xlo)
                    *xlo = x;
                if (x > *xhi)
                    *xhi = x;
            }
            double vals[3] = {s->y[i], s->lo ? s->lo[i] : NAN, s->hi ? s->hi[i] : NAN};
            for (int j = 0; j < 3; j++) {
                if (!isfinite(vals[j]))
                    continue;
                if (vals[j] < *ylo)
                    *ylo = vals[j];
                if (vals[j] > *yhi)
                    *yhi = vals[j];
            }
        }
    }
}

/* A y scale for [lo, hi] over pixels [top, bottom]. */
static void y_scale(scale *s, double lo, double hi, int zero, double top, double bottom)
{
    if (!(lo <= hi)) {
        lo = 0;
        hi = 1;
    }
    if (zero) {
        if (lo > 0)
            lo = 0;
        if (hi < 0)
            hi = 0;
    }
    if (hi == lo) {
        double d = fabs(hi) > 0 ? fabs(hi) * 0.1 : 1;
        lo -= zero && lo == 0 ? 0 : d;
        hi += d;
    } else {
        double pad = (hi - lo) * 0.05;
        if (!(zero && lo == 0))
            lo -= pad;
        hi += pad;
    }
    s->lo = lo;
    s->hi = hi;
    s->log = 0;
    linear_ticks(s, 5, 0);
    s->p0 = bottom;
    s->p1 = top;
}

static void draw_series(FILE *out, const svg_series *s, const scale *xs, const scale *ys,
                        int bar_index, int nbars, double band_px)
{
    const char *col = svg_color(s->color);
    if (s->style & SVG_BARS) {
        double w = band_px * 0.7 / (nbars ? nbars : 1);
        double base = map(ys, ys->lo > 0 ? ys->lo : ys->hi < 0 ? ys->hi : 0);
        for (size_t i = 0; i < s->n; i++) {
            if (!isfinite(s->y[i]) || !isfinite(s->x[i]))
                continue;
            double cx = map(xs, s->x[i]) - band_px * 0.35 + w * bar_index;
            double y = map(ys, s->y[i]);
            fprintf(out,
                    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" "
                    "fill-opacity=\"0.8\"/>",
                    cx, y < base ? y : base, w * 0.92, fabs(base - y), col);
        }
    }
    if (s->style & (SVG_LINE | SVG_AREA)) {
        /* segments between gaps */
        size_t i = 0;
        while (i < s->n) {
            while (i < s->n && !(isfinite(s->y[i]) && isfinite(s->x[i])))
                i++;
            size_t j = i;
            while (j < s->n && isfinite(s->y[j]) && isfinite(s->x[j]))
                j++;
            if (j > i) {
                if (s->style & SVG_AREA) {
                    double base = map(ys, ys->lo > 0 ? ys->lo : 0);
                    fprintf(out, "<polygon fill=\"%s\" fill-opacity=\"0.18\" stroke=\"none\" "
                                 "points=\"",
                            col);
                    fprintf(out, "%.1f,%.1f ", map(xs, s->x[i]), base);
                    for (size_t k = i; k < j; k++)
                        fprintf(out, "%.1f,%.1f ", map(xs, s->x[k]), map(ys, s->y[k]));
                    fprintf(out, "%.1f,%.1f\"/>", map(xs, s->x[j - 1]), base);
                }
                if (s->style & SVG_LINE || s->style & SVG_AREA) {
                    fprintf(out,
                            "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.6\"%s "
                            "points=\"",
                            col, s->dashed ? " stroke-dasharray=\"5,3\"" : "");
                    for (size_t k = i; k < j; k++)
                        fprintf(out, "%.1f,%.1f ", map(xs, s->x[k]), map(ys, s->y[k]));
                    fputs("\"/>", out);
                }
            }
            i = j;
        }
    }
    if (s->lo && s->hi) {
        for (size_t i = 0; i < s->n; i++) {
            if (!isfinite(s->lo[i]) || !isfinite(s->hi[i]) || !isfinite(s->x[i]))
                continue;
            double x = map(xs, s->x[i]);
            if (s->style & SVG_BARS)
                x = x - band_px * 0.35 + band_px * 0.7 / (nbars ? nbars : 1) * (bar_index + 0.46);
            double y0 = map(ys, s->lo[i]), y1 = map(ys, s->hi[i]);
            fprintf(out,
                    "<path d=\"M%.1f %.1fV%.1fM%.1f %.1fH%.1fM%.1f %.1fH%.1f\" stroke=\"%s\" "
                    "stroke-width=\"1.2\" fill=\"none\"/>",
                    x, y0, y1, x - 3, y0, x + 3, x - 3, y1, x + 3,
                    (s->style & SVG_BARS) ? "#333" : col);
        }
    }
    if (s->style & SVG_POINTS) {
        double r = s->n > 300 ? 1.6 : 2.8;
        for (size_t i = 0; i < s->n; i++) {
            if (!isfinite(s->y[i]) || !isfinite(s->x[i]))
                continue;
            fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\"/>",
                    map(xs, s->x[i]), map(ys, s->y[i]), r, col);
        }
    }
}

/* Legend entries: series then bands.  Returns the height used (0 if none). */
static double legend(FILE *out, const svg_chart *c, double x0, double y0, double width, int draw)
{
    double x = x0, y = y0, row = 16;
    int any = 0;
    size_t total = c->nseries + c->nseries2 + c->nbands;
    for (size_t k = 0; k < total; k++) {
        const svg_series *s = k < c->nseries                ? &c->series[k]
                              : k < c->nseries + c->nseries2 ? &c->series2[k - c->nseries]
                                                             : NULL;
        const svg_band *b = s ? NULL : &c->bands[k - c->nseries - c->nseries2];
        const char *name = s ? s->name : b->name;
        if (!name || !*name)
            continue;
        double w = 26 + 6.2 * (double)strlen(name) + 14;
        if (x + w > x0 + width && x > x0) {
            x = x0;
            y += row;
        }
        if (draw) {
            const char *col = svg_color(s ? s->color : b->color);
            if (b || (s->style & (SVG_BARS | SVG_AREA)))
                fprintf(out,
                        "<rect x=\"%.1f\" y=\"%.1f\" width=\"18\" height=\"9\" fill=\"%s\" "
                        "fill-opacity=\"%s\"/>",
                        x, y - 8, col, b ? "0.25" : "0.8");
            else
                fprintf(out,
                        "<path d=\"M%.1f %.1fh18\" stroke=\"%s\" stroke-width=\"2\"%s/>"
                        "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.8\" fill=\"%s\"/>",
                        x, y - 4, col, s->dashed ? " stroke-dasharray=\"5,3\"" : "", x + 9, y - 4,
                        col);
            text(out, x + 24, y, "start", NULL, name);
        }
        x += w;
        any = 1;
    }
    return any ? y - y0 + row : 0;
}

/* The x axis of chart c over [xlo, xhi] (data), drawn from px0 to px1. */
static void x_scale(scale *xs_, const svg_chart *c, double xlo, double xhi, double px0, double px1)
{
    scale xs = *xs_;
    xs.p0 = px0;
    xs.p1 = px1;
    if (c->xaxis == SVG_X_CATEGORY) {
        xs.lo = -0.5;
        xs.hi = (double)(c->ncats ? c->ncats : 1) - 0.5;
        for (size_t i = 0; i < c->ncats && i < MAX_TICKS; i++) {
            xs.ticks[xs.nticks] = (double)i;
            snprintf(xs.labels[xs.nticks], sizeof xs.labels[0], "%s", c->xcats[i]);
            xs.nticks++;
        }
    } else if (!(xlo <= xhi)) {
        xs.lo = 0;
        xs.hi = 1;
    } else if (c->xaxis == SVG_X_LOG) {
        xs.log = 1;
        xs.lo = log10(xlo);
        xs.hi = log10(xhi);
        if (xs.hi - xs.lo < 1e-9) {
            xs.lo -= 0.5;
            xs.hi += 0.5;
        }
        log_ticks(&xs, c->xbytes);
        double pad = (xs.hi - xs.lo) * 0.03;
        xs.lo -= pad;
        xs.hi += pad;
    } else if (c->xaxis == SVG_X_TIME) {
        xs.lo = xlo;
        xs.hi = xhi;
        if (xs.hi - xs.lo < 60) {
            xs.lo -= 1800;
            xs.hi += 1800;
        }
        double pad = (xs.hi - xs.lo) * 0.02;
        xs.lo -= pad;
        xs.hi += pad;
        time_ticks(&xs);
    } else {
        xs.lo = xlo;
        xs.hi = xhi;
        if (xs.hi == xs.lo) {
            xs.lo -= fabs(xs.lo) > 0 ? fabs(xs.lo) * 0.1 : 1;
            xs.hi += fabs(xs.hi) > 0 ? fabs(xs.hi) * 0.1 : 1;
        }
        linear_ticks(&xs, 6, c->xbytes);
        /* keep the first and last points off the frame */
        double pad = (xs.hi - xs.lo) * 0.04;
        xs.lo -= pad;
        xs.hi += pad;
    }
    *xs_ = xs;
}

/* Grid, tick labels, axes and axis titles of chart c (W x H, plot area px0..px1, py0..py1). */
static void draw_axes(FILE *out, const svg_chart *c, const scale *xs_, const scale *ys_,
                      const scale *y2s_, int W, int H, double px0, double px1, double py0,
                      double py1, int rotate)
{
    const scale xs = *xs_, ys = *ys_;
    const scale *y2p = y2s_;
    /* grid and axes */
    fputs("<g class=\"grid\">", out);
    for (int i = 0; i < ys.nticks; i++) {
        double y = map(&ys, ys.ticks[i]);
        fprintf(out, "<path d=\"M%.1f %.1fH%.1f\"/>", px0, y, px1);
    }
    fputs("</g><g class=\"tick\">", out);
    for (int i = 0; i < ys.nticks; i++)
        text(out, px0 - 6, map(&ys, ys.ticks[i]) + 4, "end", NULL, ys.labels[i]);
    if (c->nseries2)
        for (int i = 0; i < y2p->nticks; i++)
            text(out, px1 + 6, map(y2p, y2p->ticks[i]) + 4, "start", NULL, y2p->labels[i]);
    for (int i = 0; i < xs.nticks; i++) {
        double x = map(&xs, xs.ticks[i]);
        if (x < px0 - 1 || x > px1 + 1)
            continue;
        fprintf(out, "<path d=\"M%.1f %.1fv5\" stroke=\"#666\"/>", x, py1);
        if (rotate) {
            char tr[96];
            snprintf(tr, sizeof tr, "transform=\"rotate(-35 %.1f %.1f)\"", x, py1 + 14);
            text(out, x, py1 + 14, "end", tr, xs.labels[i]);
        } else {
            /* a label near an end of the axis is aligned to stay inside the chart */
            double half = 3.2 * (double)strlen(xs.labels[i]);
            const char *anchor = x + half > W - 2 ? "end" : x - half < 2 ? "start" : "middle";
            text(out, x, py1 + 17, anchor, NULL, xs.labels[i]);
        }
    }
    fputs("</g>", out);
    fprintf(out, "<path d=\"M%.1f %.1fV%.1fH%.1f\" stroke=\"#444\" fill=\"none\"/>", px0, py0,
            py1, px1);
    if (c->nseries2)
        fprintf(out, "<path d=\"M%.1f %.1fV%.1f\" stroke=\"#444\"/>", px1, py0, py1);
    if (c->xlabel)
        text(out, (px0 + px1) / 2, H - 8, "middle", "class=\"at\"", c->xlabel);
    if (c->ylabel) {
        char tr[96];
        snprintf(tr, sizeof tr, "class=\"at\" transform=\"rotate(-90 14 %.1f)\"", (py0 + py1) / 2);
        text(out, 14, (py0 + py1) / 2, "middle", tr, c->ylabel);
    }
    if (c->y2label) {
        char tr[96];
        snprintf(tr, sizeof tr, "class=\"at\" transform=\"rotate(90 %.1f %.1f)\"", W - 14.0,
                 (py0 + py1) / 2);
        text(out, W - 14, (py0 + py1) / 2, "middle", tr, c->y2label);
    }

}

/* The bands of chart c (a reference range and its middle), under the series. */
static void draw_bands(FILE *out, const svg_chart *c, const scale *xs_, const scale *ys_,
                       double px0, double px1)
{
    const scale xs = *xs_, ys = *ys_;
    for (size_t k = 0; k < c->nbands; k++) {
        const svg_band *b = &c->bands[k];
        double x0 = isfinite(b->x0) ? map(&xs, b->x0) : px0;
        double x1 = isfinite(b->x1) ? map(&xs, b->x1) : px1;
        double y0 = map(&ys, b->hi), y1 = map(&ys, b->lo);
        const char *col = svg_color(b->color);
        if (isfinite(b->lo) && isfinite(b->hi))
            fprintf(out,
                    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" "
                    "fill-opacity=\"0.13\"/>",
                    x0, y0, x1 - x0, y1 - y0 > 0.5 ? y1 - y0 : 0.5, col);
        if (isfinite(b->mid))
            fprintf(out,
                    "<path d=\"M%.1f %.1fH%.1f\" stroke=\"%s\" stroke-width=\"1\" "
                    "stroke-dasharray=\"6,4\"/>",
                    x0, map(&ys, b->mid), x1, col);
    }
}

void svg_chart_write(FILE *out, const svg_chart *c)
{
    int W = c->width > 0 ? c->width : 720, H = c->height > 0 ? c->height : 300;
    unsigned id = id_scope[0]
                      ? ++id_scope_n
                      : atomic_fetch_add_explicit(&chart_counter, 1, memory_order_relaxed) + 1;
    double left = 66, right = c->y2label ? 66 : 18, top = 26;
    int rotate = c->xaxis == SVG_X_CATEGORY && c->ncats > 6;
    double bottom = rotate ? 84 : 46;
    double lh = legend(out, c, left, 0, W - left - right, 0);
    H += (int)lh;
    top += lh + (lh > 0 ? 6 : 0);

    fprintf(out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"%d\" "
            "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" data-xaxis=\"%s\" aria-label=\"",
            W, H, W, H,
            c->xaxis == SVG_X_LOG        ? "log"
            : c->xaxis == SVG_X_TIME     ? "time"
            : c->xaxis == SVG_X_CATEGORY ? "category"
                                         : "linear");
    svg_escape(out, c->title ? c->title : "chart");
    fputs("\">", out);
    fputs("<title>", out);
    svg_escape(out, c->title ? c->title : "chart");
    fputs("</title>", out);
    fprintf(out, "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>", W, H);
    if (c->title)
        text(out, 8, 16, "start", "class=\"ct\"", c->title);
    legend(out, c, left, 38, W - left - right, 1);

    double px0 = left, px1 = W - right, py0 = top + (lh > 0 ? 12 : 8), py1 = H - bottom;

    /* x scale */
    scale xs = {0};
    double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
    double y2lo = INFINITY, y2hi = -INFINITY, dx1 = INFINITY, dx2 = -INFINITY;
    ranges(c->series, c->nseries, c->xaxis == SVG_X_LOG, &xlo, &xhi, &ylo, &yhi);
    ranges(c->series2, c->nseries2, c->xaxis == SVG_X_LOG, &dx1, &dx2, &y2lo, &y2hi);
    if (dx1 < xlo)
        xlo = dx1;
    if (dx2 > xhi)
        xhi = dx2;
    for (size_t k = 0; k < c->nbands; k++) {
        const svg_band *b = &c->bands[k];
        double v[3] = {b->lo, b->mid, b->hi};
        for (int j = 0; j < 3; j++)
            if (isfinite(v[j])) {
                if (v[j] < ylo)
                    ylo = v[j];
                if (v[j] > yhi)
                    yhi = v[j];
            }
    }
    int bars = 0;
    for (size_t k = 0; k < c->nseries; k++)
        bars += (c->series[k].style & SVG_BARS) != 0;
    x_scale(&xs, c, xlo, xhi, px0, px1);
    scale ys, y2s;
    y_scale(&ys, ylo, yhi, c->y_zero || bars, py0, py1);
    if (c->nseries2)
        y_scale(&y2s, y2lo, y2hi, 1, py0, py1);

    draw_axes(out, c, &xs, &ys, &y2s, W, H, px0, px1, py0, py1, rotate);

    /* the data, clipped to the plot area */
    fprintf(out,
            "<clipPath id=\"clip%s%s%u\"><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
            "height=\"%.1f\"/></clipPath><g clip-path=\"url(#clip%s%s%u)\">",
            id_scope, id_scope[0] ? "-" : "", id, px0, py0 - 4, px1 - px0 + 4, py1 - py0 + 4,
            id_scope, id_scope[0] ? "-" : "", id);
    draw_bands(out, c, &xs, &ys, px0, px1);
    double band_px = c->xaxis == SVG_X_CATEGORY && c->ncats ? (px1 - px0) / (double)c->ncats : 20;
    int bar_index = 0;
    for (size_t k = 0; k < c->nseries; k++) {
        draw_series(out, &c->series[k], &xs, &ys, bar_index, bars, band_px);
        bar_index += (c->series[k].style & SVG_BARS) != 0;
    }
    for (size_t k = 0; k < c->nseries2; k++)
        draw_series(out, &c->series2[k], &xs, &y2s, 0, 0, band_px);
    fputs("</g></svg>\n", out);
}

void svg_sparkline_write(FILE *out, const double *y, size_t n, int width, int height,
                         const char *label)
{
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n; i++)
        if (isfinite(y[i])) {
            lo = y[i] < lo ? y[i] : lo;
            hi = y[i] > hi ? y[i] : hi;
        }
    fprintf(out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"spark\" width=\"%d\" "
            "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"",
            width, height, width, height);
    svg_escape(out, label ? label : "trend");
    fputs("\"><title>", out);
    svg_escape(out, label ? label : "trend");
    fputs("</title>", out);
    if (!isfinite(lo)) {
        fputs("</svg>", out);
        return;
    }
    if (hi - lo < 1e-12 * (fabs(hi) + 1e-300)) {
        lo -= 1;
        hi += 1;
    }
    double pad = 3, w = width - 2 * pad, h = height - 2 * pad;
    double lx = 0, ly = 0;
    int pen = 0;
    fprintf(out, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" d=\"", palette[0]);
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(y[i])) {
            pen = 0;
            continue;
        }
        lx = pad + (n > 1 ? w * (double)i / (double)(n - 1) : w / 2);
        ly = pad + h - h * (y[i] - lo) / (hi - lo);
        fprintf(out, "%s%.1f %.1f", pen ? "L" : "M", lx, ly);
        pen = 1;
    }
    fprintf(out, "\"/><circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"/></svg>", lx,
            ly, palette[3]);
}
