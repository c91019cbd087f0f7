/*
 * html.c — writing HTML (html.h): text and attributes escaped, URLs percent-encoded,
 * numbers, times and quantities as a person reads them, an escaping formatter, and
 * tables made from their column descriptions.
 */
#include "html.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "svg.h"

/* ---- text, URLs, numbers, times ------------------------------------------------- */

void html_txt(FILE *f, const char *s) { svg_escape(f, s ? s : ""); }

/* s percent-encoded for a URL (safe in an attribute too). */
void html_url(FILE *f, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.' || *p == '~')
            fputc(*p, f);
        else
            fprintf(f, "%%%02X", *p);
    }
}

void html_num(FILE *f, double v)
{
    if (!isfinite(v)) {
        fputs("–", f);
        return;
    }
    double a = fabs(v);
    if (a != 0 && (a >= 1e9 || a < 1e-3))
        fprintf(f, "%.4g", v);
    else if (a >= 100)
        fprintf(f, "%.1f", v);
    else
        fprintf(f, "%.4g", v);
}

/* A stored UTC time (ISO 8601) as "2026-11-21 10:12" (the whole in datetime). */
void html_when(FILE *f, const char *iso)
{
    if (!iso || strlen(iso) < 16 || iso[10] != 'T') {
        html_txt(f, iso);
        return;
    }
    fputs("<time datetime=\"", f);
    html_txt(f, iso);
    fprintf(f, "\">%.10s %.5s</time>", iso, iso + 11);
}

/* ---- quantities in the units a person reads --------------------------------------- */

/* A unit and the names of its multiples, step apart. */
typedef struct unit_scale {
    const char *unit;
    double step;
    const char *names[5];
} unit_scale;

static const unit_scale scales[] = {
    {"MB/s", 1000, {"MB/s", "GB/s", "TB/s"}},
    {"MiB/s", 1024, {"MiB/s", "GiB/s", "TiB/s"}},
    {"GFLOP/s", 1000, {"GFLOP/s", "TFLOP/s", "PFLOP/s"}},
    {"Mbit/s", 1000, {"Mbit/s", "Gbit/s", "Tbit/s"}},
    {"Gbit/s", 1000, {"Gbit/s", "Tbit/s"}},
    {"ops/s", 1000, {"ops/s", "k ops/s", "M ops/s", "G ops/s", "T ops/s"}},
    {"bytes", 1024, {"bytes", "KiB", "MiB", "GiB", "TiB"}},
    {"MiB", 1024, {"MiB", "GiB", "TiB"}},
};

void html_quantity(FILE *f, double v, const char *unit)
{
    unit = unit ? unit : "";
    const unit_scale *sc = NULL;
    for (size_t i = 0; i < sizeof scales / sizeof scales[0] && !sc; i++)
        if (strcmp(scales[i].unit, unit) == 0)
            sc = &scales[i];
    if (!sc || !isfinite(v)) {
        html_num(f, v);
        if (*unit) {
            fputc(' ', f);
            html_txt(f, unit);
        }
        return;
    }
    size_t k = 0;
    double x = v;
    while (k + 1 < 5 && sc->names[k + 1] && fabs(x) >= sc->step) {
        x /= sc->step;
        k++;
    }
    fprintf(f, "<span title=\"");
    html_num(f, v);
    fprintf(f, " ");
    html_txt(f, unit);
    fprintf(f, "\">");
    double a = fabs(x);
    fprintf(f, a >= 100 || (k == 0 && x == floor(x)) ? "%.0f" : a >= 10 ? "%.1f" : "%.2f", x);
    fputc(' ', f);
    html_txt(f, sc->names[k]);
    fputs("</span>", f);
}

/* ---- the formatter ------------------------------------------------------------------ */

/* One numeric conversion of htmlf: spec ("%-08.3lld", NUL-terminated) with its argument. */
static void number(FILE *f, const char *spec, char conv, int longs, int size_t_, va_list *ap)
{
    if (strchr("diouxX", conv)) {
        if (size_t_)
            fprintf(f, spec, va_arg(*ap, size_t));
        else if (longs >= 2)
            fprintf(f, spec, va_arg(*ap, long long));
        else if (longs == 1)
            fprintf(f, spec, va_arg(*ap, long));
        else
            fprintf(f, spec, va_arg(*ap, int));
    } else {
        fprintf(f, spec, va_arg(*ap, double));
    }
}

void htmlf(FILE *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            fputc(*p, f);
            continue;
        }
        const char *start = p++;
        if (*p == '%') {
            fputc('%', f);
            continue;
        }
        while (*p && strchr("-+ #0123456789.", *p))
            p++;
        int longs = 0, size_t_ = 0;
        while (*p == 'l')
            longs++, p++;
        if (*p == 'z')
            size_t_ = 1, p++;
        if (*p == 's') {
            html_txt(f, va_arg(ap, const char *));
        } else if (*p == 'U') {
            html_url(f, va_arg(ap, const char *));
        } else if (*p == 'H') {
            const char *raw = va_arg(ap, const char *);
            fputs(raw ? raw : "", f);
        } else if (*p && strchr("diouxXeEfgG", *p)) {
            char spec[32];
            size_t n = (size_t)(p - start) + 1;
            if (n < sizeof spec) {
                memcpy(spec, start, n);
                spec[n] = '\0';
                number(f, spec, *p, longs, size_t_, &ap);
            }
        } else if (!*p) {
            break;
        }
    }
    va_end(ap);
}

/* ---- tables ------------------------------------------------------------------------- */

void html_table_begin(FILE *f, const char *id, const html_col *cols)
{
    fputs("<div class=\"scroll\"><table", f);
    if (id)
        htmlf(f, " id=\"%s\"", id);
    fputs("><thead><tr>", f);
    for (const html_col *c = cols; c->label; c++)
        htmlf(f, "<th scope=\"col\">%s</th>", c->label);
    fputs("</tr></thead><tbody>", f);
}

void html_table_end(FILE *f) { fputs("</tbody></table></div>", f); }
