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

/* The provenance of the run that gives its node's peak, in one statement (a leaderboard asks
   for it row after row): numbers (0 when absent) and the vector unit's name. */
typedef struct peak_prov {
    double physical, logical, mhz, flops;
    char vec[64];
} peak_prov;

static void peak_provenance(store *st, long long run_id, peak_prov *p)
{
    memset(p, 0, sizeof *p);
    sqlite3_stmt *s = store_stmt(st, "SELECT key, value FROM provenance WHERE run_id = ?1 AND "
                                     "key IN ('cpu_physical_cores', 'cores', 'cpu_max_mhz', "
                                     "'cpu_dp_flops_per_cycle', 'cpu_vector')");
    if (!s)
        return;
    sqlite3_bind_int64(s, 1, run_id);
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *k = (const char *)sqlite3_column_text(s, 0);
        const char *v = (const char *)sqlite3_column_text(s, 1);
        if (!k || !v)
            continue;
        double d = atof(v);
        if (strcmp(k, "cpu_physical_cores") == 0)
            p->physical = d;
        else if (strcmp(k, "cores") == 0)
            p->logical = d;
        else if (strcmp(k, "cpu_max_mhz") == 0)
            p->mhz = d;
        else if (strcmp(k, "cpu_dp_flops_per_cycle") == 0)
            p->flops = d;
        else
            snprintf(p->vec, sizeof p->vec, "%s", v);
    }
    sqlite3_reset(s);
}

/* The node's peak in GFLOP/s, from the run's provenance or the site: 1 when known. */
static int node_peak(store *st, long long run_id, double site, yardstick *y)
{
    if (site > 0) {
        y->reference = site;
        snprintf(y->how, sizeof y->how, "the site's setting peak_gflops = %g", site);
        return 1;
    }
    peak_prov pp;
    peak_provenance(st, run_id, &pp);
    double cores = pp.physical, mhz = pp.mhz, flops = pp.flops;
    const char *vec = pp.vec;
    if (!(cores > 0)) /* logical CPUs: an over-estimate where SMT is on */
        cores = pp.logical;
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

/*
 * typical()'s answers, kept per thread: a leaderboard asks for the yardstick of every row,
 * and the rows of one configuration and host class share it (192 rows of a 100 000-run
 * history were 192 queries of ~25 ms each, 5 s a page).  An answer is of (connection, the
 * connection's view of the database, plugin, configuration, host class, metric); the view
 * is the pager's data version (SQLITE_FCNTL_DATA_VERSION: commits of any connection, as
 * of this connection's last read) and the connection's own changes.
 */
#define TYPICAL_KEPT 16
typedef struct typical_key {
    uint64_t store; /* store_serial */
    long long version, changes, config_id, cores;
    int no_config, no_cpu, no_cores;
    char plugin[64], cpu[200], metric[128];
} typical_key;
typedef struct typical_kept {
    typical_key k;
    int used, got;
    yardstick y;
} typical_kept;
static _Thread_local typical_kept kept[TYPICAL_KEPT];
static _Thread_local unsigned kept_next;

/* Run run_id's key into *k: 1, or 0 when it has none (no such run or host; not kept). */
static int typical_key_of(store *st, long long run_id, const char *metric, typical_key *k)
{
    sqlite3 *db = store_db(st);
    sqlite3_stmt *s;
    int ok = 0;
    memset(k, 0, sizeof *k);
    k->store = store_serial(st);
    k->changes = (long long)sqlite3_total_changes64(db);
    if (strlen(metric) >= sizeof k->metric)
        return 0;
    snprintf(k->metric, sizeof k->metric, "%s", metric);
    /* the pager's data version (PRAGMA data_version without a statement to prepare): it
       moves with every commit, of this connection or another, that a read of this
       connection has seen */
    unsigned int version = 0;
    if (sqlite3_file_control(db, "main", SQLITE_FCNTL_DATA_VERSION, &version) != SQLITE_OK)
        return 0;
    k->version = version;
    if (!(s = store_stmt(st, "SELECT r.plugin, r.config_id, h.cpu_model, h.cores FROM runs r "
                             "JOIN hosts h ON h.id = r.host_id WHERE r.id = ?1")))
        return 0;
    sqlite3_bind_int64(s, 1, run_id);
    if (sqlite3_step(s) == SQLITE_ROW) {
        const char *p = (const char *)sqlite3_column_text(s, 0);
        const char *c = (const char *)sqlite3_column_text(s, 2);
        ok = p && strlen(p) < sizeof k->plugin && (!c || strlen(c) < sizeof k->cpu);
        if (ok) {
            snprintf(k->plugin, sizeof k->plugin, "%s", p);
            snprintf(k->cpu, sizeof k->cpu, "%s", c ? c : "");
            k->no_config = sqlite3_column_type(s, 1) == SQLITE_NULL;
            k->config_id = sqlite3_column_int64(s, 1);
            k->no_cpu = !c;
            k->no_cores = sqlite3_column_type(s, 3) == SQLITE_NULL;
            k->cores = sqlite3_column_int64(s, 3);
        }
    }
    sqlite3_reset(s);
    return ok;
}

static int same_key(const typical_key *a, const typical_key *b)
{
    return a->store == b->store && a->version == b->version && a->changes == b->changes &&
           a->no_config == b->no_config && a->config_id == b->config_id &&
           a->no_cpu == b->no_cpu && a->no_cores == b->no_cores && a->cores == b->cores &&
           strcmp(a->plugin, b->plugin) == 0 && strcmp(a->cpu, b->cpu) == 0 &&
           strcmp(a->metric, b->metric) == 0;
}

static int typical_query(sqlite3 *db, long long run_id, const char *metric, yardstick *y);

/* The median of the metric over ok runs of the same plugin, configuration and host class
 * (CPU model and cores), without a caveat: 1 when there is one (kept, see above). */
static int typical(store *st, long long run_id, const char *metric, yardstick *y)
{
    sqlite3 *db = store_db(st);
    typical_key k;
    if (!typical_key_of(st, run_id, metric, &k))
        return typical_query(db, run_id, metric, y);
    for (unsigned i = 0; i < TYPICAL_KEPT; i++)
        if (kept[i].used && same_key(&kept[i].k, &k)) {
            *y = kept[i].y;
            return kept[i].got;
        }
    int got = typical_query(db, run_id, metric, y);
    if (got >= 0) {
        typical_kept *e = &kept[kept_next++ % TYPICAL_KEPT];
        e->k = k;
        e->used = 1;
        e->got = got;
        e->y = *y;
    }
    return got;
}

/* typical(), from the database. */
static int typical_query(sqlite3 *db, long long run_id, const char *metric, yardstick *y)
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
    sqlite3_stmt *s = store_stmt(st, "SELECT value, unit FROM metrics WHERE run_id = ?1 AND "
                                     "name = ?2");
    if (!s)
        return BX_EIO;
    sqlite3_bind_int64(s, 1, run_id);
    sqlite3_bind_text(s, 2, metric, -1, SQLITE_STATIC);
    double value = NAN;
    char unit[32] = "";
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
        value = sqlite3_column_double(s, 0);
        snprintf(unit, sizeof unit, "%s", (const char *)sqlite3_column_text(s, 1));
    }
    sqlite3_reset(s);
    if (!isfinite(value))
        return 0;
    int got = 0;
    if (strcmp(unit, "GFLOP/s") == 0) {
        got = node_peak(st, run_id, site_peak_gflops, out);
        out->kind = got ? YARD_PEAK : YARD_NONE;
    }
    if (!got) {
        got = typical(st, run_id, metric, out);
        if (got < 0)
            return BX_EIO;
        out->kind = got ? YARD_TYPICAL : out->kind;
    }
    if (got && out->reference != 0)
        out->fraction = value / out->reference;
    return 0;
}
