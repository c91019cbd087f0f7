/*
 * page_yard.c — a run's headline figure with its yardstick (page_yard.h): "20.7 GFLOP/s —
 * 54 % of this node's peak of 38.4 GFLOP/s", and how the yardstick was derived.
 */
#include "page_yard.h"

#include <math.h>
#include <string.h>

#include "api.h"
#include "page_kit.h"
#include "recent.h"
#include "yardstick.h"

/* " — 54 % of this node's peak of 38.4 GFLOP/s", " — 96 % of the typical 12.2 GB/s of this
 * host class (median of 7 runs)", or nothing. */
static void yard_words(FILE *f, const yardstick *y, const char *unit)
{
    if (y->kind == YARD_NONE || !isfinite(y->fraction))
        return;
    fprintf(f, " — <strong class=\"yard\">%.0f %%</strong> of ", 100 * y->fraction);
    fputs(y->kind == YARD_PEAK ? "this node's peak of " : "the typical ", f);
    html_quantity(f, y->reference, unit);
    if (y->kind == YARD_TYPICAL)
        fprintf(f, " of this host class (median of %d runs)", y->runs);
}

void page_headline(FILE *f, http_req *r, long long run_id)
{
    char name[128], unit[64];
    double value;
    if (!run_headline(r->st, run_id, name, sizeof name, unit, sizeof unit, &value))
        return;
    const serve_app *app = http_app(r);
    yardstick y;
    if (yardstick_of_run(r->st, run_id, name, app ? app->peak_gflops : 0, &y) != 0)
        y.kind = YARD_NONE;
    fputs("<div class=\"headline\" id=\"headline\"><p><strong class=\"figure\">", f);
    html_quantity(f, value, unit);
    fputs("</strong> ", f);
    html_txt(f, name);
    yard_words(f, &y, unit);
    fputs("</p><details class=\"small\"><summary>How is this measured?</summary><p>", f);
    html_txt(f, y.how);
    fputs("</p></details></div>", f);
}

void page_yard_short(FILE *f, http_req *r, long long run_id, const char *metric)
{
    const serve_app *app = http_app(r);
    yardstick y;
    if (!metric || yardstick_of_run(r->st, run_id, metric, app ? app->peak_gflops : 0, &y) != 0 ||
        y.kind == YARD_NONE || !isfinite(y.fraction))
        return;
    fprintf(f, " <span class=\"small yard\" title=\"");
    html_txt(f, y.how);
    fprintf(f, "\">%.0f %% of %s</span>", 100 * y.fraction,
            y.kind == YARD_PEAK ? "peak" : "typical");
}

void page_yard_long(FILE *f, http_req *r, long long run_id, const char *metric, const char *unit)
{
    const serve_app *app = http_app(r);
    yardstick y;
    if (!metric || yardstick_of_run(r->st, run_id, metric, app ? app->peak_gflops : 0, &y) != 0)
        return;
    fputs("<span class=\"yardstick\" title=\"", f);
    html_txt(f, y.how);
    fputs("\">", f);
    yard_words(f, &y, unit);
    fputs("</span>", f);
}
