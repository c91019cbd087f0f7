/*
 * page_units.c — figures in the units a person reads (page_kit.h): 41 290 MB/s is
 * "41.3 GB/s", 46 000 000 bytes "43.9 MiB".
 */
#include <math.h>
#include <string.h>

#include "page_kit.h"

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

void page_quantity(FILE *f, double v, const char *unit)
{
    unit = unit ? unit : "";
    const unit_scale *sc = NULL;
    for (size_t i = 0; i < sizeof scales / sizeof scales[0] && !sc; i++)
        if (strcmp(scales[i].unit, unit) == 0)
            sc = &scales[i];
    if (!sc || !isfinite(v)) {
        page_num(f, v);
        if (*unit) {
            fputc(' ', f);
            page_esc(f, unit);
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
    page_num(f, v);
    fprintf(f, " ");
    page_esc(f, unit);
    fprintf(f, "\">");
    double a = fabs(x);
    fprintf(f, a >= 100 || (k == 0 && x == floor(x)) ? "%.0f" : a >= 10 ? "%.1f" : "%.2f", x);
    fputc(' ', f);
    page_esc(f, sc->names[k]);
    fputs("</span>", f);
}
