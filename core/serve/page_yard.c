/*
 * page_yard.c — a run's headline figure with its yardstick (page_yard.h): "20.7 GFLOP/s —
 * 54 % of this node's peak of 38.4 GFLOP/s", and how the yardstick was derived.
 */
#include "page_yard.h"

#include <math.h>
#include <string.h>

#include "api.h"
#include "page_kit.h"
#include "yardstick.h"

/* The run's headline metric (the one the plugin marks, else its first): 1 when found. */
static int headline_of(store *st, long long run_id, char *name, size_t nlen, char *unit,
                       size_t ulen, double *value)
{
    sqlite3_stmt *s;
    int found = 0;
    if (sqlite3_prepare_v2(store_db(st),
                           "SELECT name, unit, value FROM metrics WHERE run_id = ?1 AND value "
                           "IS NOT NULL ORDER BY headline DESC, seq LIMIT 1",
                           -1, &s, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_int64(s, 1, run_id);
    if (sqlite3_step(s) == SQLITE_ROW) {
        snprintf(name, nlen, "%s", page_col_text(s, 0));
        snprintf(unit, ulen, "%s", page_col_text(s, 1));
        *value = sqlite3_column_double(s, 2);
        found = 1;
    }
    sqlite3_finalize(s);
    return found;
}

/* " — 54 % of this node's peak of 38.4 GFLOP/s", " — 96 % of the typical 12.2 GB/s of this
 * host class (median of 7 runs)", or nothing. */
static void yard_words(FILE *f, const yardstick *y, const char *unit)
{
    if (y->kind == YARD_NONE || !isfinite(y->fraction))
        return;
    fprintf(f, " — <strong class=\"yard\">%.0f %%</strong> of ", 100 * y->fraction);
    fputs(y->kind == YARD_PEAK ? "this node's peak of " : "the typical ", f);
    page_quantity(f, y->reference, unit);
    if (y->kind == YARD_TYPICAL)
        fprintf(f, " of this host class (median of %d runs)", y->runs);
}

void page_headline(FILE *f, http_req *r, long long run_id)
{
    char name[128], unit[64];
    double value;
    if (!headline_of(r->st, run_id, name, sizeof name, unit, sizeof unit, &value))
        return;
    const serve_app *app = http_app(r);
    yardstick y;
    if (yardstick_of_run(r->st, run_id, name, app ? app->peak_gflops : 0, &y) != 0)
        y.kind = YARD_NONE;
    fputs("<div class=\"headline\" id=\"headline\"><p><strong class=\"figure\">", f);
    page_quantity(f, value, unit);
    fputs("</strong> ", f);
    page_esc(f, name);
    yard_words(f, &y, unit);
    fputs("</p><details class=\"small\"><summary>How is this measured?</summary><p>", f);
    page_esc(f, y.how);
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
    page_esc(f, y.how);
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
    page_esc(f, y.how);
    fputs("\">", f);
    yard_words(f, &y, unit);
    fputs("</span>", f);
}
