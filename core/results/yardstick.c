/*
 * yardstick.c — what a headline figure is measured against (yardstick.h).
 */
#include "yardstick.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchaas/plugin.h"
#include "board.h"

/* A provenance value of the run as a number (0 when absent). */
static double prov_num(sqlite3 *db, long long run_id, const char *key, char *text, size_t len)
{
    sqlite3_stmt *s;
    double v = 0;
    if (text && len)
        text[0] = '\0';
    if (sqlite3_prepare_v2(db, "SELECT value FROM provenance WHERE run_id = ?1 AND key = ?2", -1,
                           &s, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_int64(s, 1, run_id);
    sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0)) {
        v = atof((const char *)sqlite3_column_text(s, 0));
        if (text && len)
            snprintf(text, len, "%s", (const char *)sqlite3_column_text(s, 0));
    }
    sqlite3_finalize(s);
    return v;
}

/* The node's peak in GFLOP/s, from the run's provenance or the site: 1 when known. */
static int node_peak(sqlite3 *db, long long run_id, double site, yardstick *y)
{
    if (site > 0) {
        y->reference = site;
        snprintf(y->how, sizeof y->how, "the site's setting peak_gflops = %g", site);
        return 1;
    }
    char vec[64];
    double cores = prov_num(db, run_id, "cpu_physical_cores", NULL, 0);
    double mhz = prov_num(db, run_id, "cpu_max_mhz", NULL, 0);
    double flops = prov_num(db, run_id, "cpu_dp_flops_per_cycle", NULL, 0);
    prov_num(db, run_id, "cpu_vector", vec, sizeof vec);
    if (!(cores > 0)) /* logical CPUs: an over-estimate where SMT is on */
        cores = prov_num(db, run_id, "cores", NULL, 0);
    if (!(cores > 0 && mhz > 0 && flops > 0)) {
        snprintf(y->how, sizeof y->how, "the node's peak is not known: its run recorded no "
                                        "clock or vector unit (set peak_gflops for the site)");
        return 0;
    }
    y->reference = cores * mhz / 1000.0 * flops;
    snprintf(y->how, sizeof y->how,
             "%g cores x %.2f GHz x %g double-precision operations per cycle (%s, two FMA "
             "pipes) = %.1f GFLOP/s",
             cores, mhz / 1000.0, flops, vec[0] ? vec : "vector unit", y->reference);
    return 1;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of the metric over ok runs of the same plugin, configuration and host class
 * (CPU model and cores), without a caveat: 1 when there is one. */
static int typical(sqlite3 *db, long long run_id, const char *metric, yardstick *y)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(
            db,
            "SELECT m.value, h.cpu_model, h.cores FROM runs me JOIN runs r ON r.plugin = "
            "me.plugin AND r.config_id IS me.config_id AND r.status = 'ok' JOIN hosts hm ON "
            "hm.id = me.host_id JOIN hosts h ON h.id = r.host_id AND h.cpu_model IS "
            "hm.cpu_model AND h.cores IS hm.cores JOIN metrics m ON m.run_id = r.id AND m.name "
            "= ?2 AND m.value IS NOT NULL WHERE me.id = ?1 AND NOT EXISTS (SELECT 1 FROM "
            "run_meta c WHERE c.run_id = r.id AND c.key = '" BOARD_CAVEAT_KEY "') "
            "ORDER BY r.id DESC LIMIT 1000",
            -1, &s, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(s, 1, run_id);
    sqlite3_bind_text(s, 2, metric, -1, SQLITE_STATIC);
    double *v = NULL;
    size_t n = 0, cap = 0;
    char cpu[200] = "";
    long long cores = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            double *nv = realloc(v, cap * sizeof *v);
            if (!nv)
                break;
            v = nv;
        }
        v[n++] = sqlite3_column_double(s, 0);
        if (!cpu[0] && sqlite3_column_text(s, 1))
            snprintf(cpu, sizeof cpu, "%s", (const char *)sqlite3_column_text(s, 1));
        cores = sqlite3_column_int64(s, 2);
    }
    sqlite3_finalize(s);
    if (n < 2) { /* the run alone is no yardstick */
        free(v);
        snprintf(y->how, sizeof y->how, "no other run of this configuration on a host of this "
                                        "class to compare with yet");
        return 0;
    }
    qsort(v, n, sizeof *v, cmp_double);
    y->reference = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    y->runs = (int)n;
    free(v);
    snprintf(y->how, sizeof y->how,
             "the median of %zu runs of this configuration on hosts of this class (%s, %lld "
             "cores), runs with a caveat left out",
             n, cpu[0] ? cpu : "unknown CPU", cores);
    return 1;
}

int yardstick_of_run(store *st, long long run_id, const char *metric, double site_peak_gflops,
                     yardstick *out)
{
    memset(out, 0, sizeof *out);
    sqlite3 *db = store_db(st);
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, "SELECT value, unit FROM metrics WHERE run_id = ?1 AND name = ?2",
                           -1, &s, NULL) != SQLITE_OK)
        return BX_EIO;
    sqlite3_bind_int64(s, 1, run_id);
    sqlite3_bind_text(s, 2, metric, -1, SQLITE_STATIC);
    double value = NAN;
    char unit[32] = "";
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
        value = sqlite3_column_double(s, 0);
        snprintf(unit, sizeof unit, "%s", (const char *)sqlite3_column_text(s, 1));
    }
    sqlite3_finalize(s);
    if (!isfinite(value))
        return 0;
    int got = 0;
    if (strcmp(unit, "GFLOP/s") == 0) {
        got = node_peak(db, run_id, site_peak_gflops, out);
        out->kind = got ? YARD_PEAK : YARD_NONE;
    }
    if (!got) {
        got = typical(db, run_id, metric, out);
        if (got < 0)
            return BX_EIO;
        out->kind = got ? YARD_TYPICAL : out->kind;
    }
    if (got && out->reference != 0)
        out->fraction = value / out->reference;
    return 0;
}
