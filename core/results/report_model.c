/*
 * report_model.c — the report's runs per configuration (the host ignored):
 * the entries of one aset_load pass grouped by configuration, and each
 * configuration's points over time, merged from its hosts in time order.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analyze.h"
#include "benchaas/plugin.h"
#include "changepoint.h"
#include "checkcp.h"
#include "nodes.h"
#include "query.h"
#include "report.h"
#include "reportint.h"
#include "stats.h"
#include "svg.h"
#include "tradeoff.h"
#include "util.h"

/* ---- configurations (host ignored) ------------------------------------------------ */

static cfg *cfg_of(model *m, const aentry *e)
{
    /* the entry's cfgkey is plugin \x1f params \x1f ranks \x1f threads \x1f host */
    const char *last = strrchr(e->cfgkey, '\x1f');
    size_t len = last ? (size_t)(last - e->cfgkey) : strlen(e->cfgkey);
    for (size_t i = 0; i < m->ncfgs; i++)
        if (strlen(m->cfgs[i].key) == len && strncmp(m->cfgs[i].key, e->cfgkey, len) == 0)
            return &m->cfgs[i];
    cfg *n = realloc(m->cfgs, (m->ncfgs + 1) * sizeof *n);
    if (!n)
        return NULL;
    m->cfgs = n;
    cfg *c = &m->cfgs[m->ncfgs];
    memset(c, 0, sizeof *c);
    if (!(c->key = strndup(e->cfgkey, len)))
        return NULL;
    c->plugin = e->plugin;
    c->params = e->params;
    c->ranks = e->ranks;
    c->threads = e->threads;
    m->ncfgs++;
    return c;
}

int build_model(model *m)
{
    for (size_t i = 0; i < m->a.n; i++) {
        aentry *e = m->a.e[i];
        cfg *c = cfg_of(m, e);
        if (!c)
            return BX_ENOMEM;
        if (c->nents == c->capents) {
            size_t cap = c->capents ? c->capents * 2 : 8;
            aentry **ne = realloc(c->ents, cap * sizeof *ne);
            if (!ne)
                return BX_ENOMEM;
            c->ents = ne;
            c->capents = cap;
        }
        c->ents[c->nents++] = e;
    }
    /* labels: the parameters that vary among each plugin's configurations */
    aentry **reps = malloc((m->ncfgs ? m->ncfgs : 1) * sizeof *reps);
    if (!reps)
        return BX_ENOMEM;
    for (size_t i = 0; i < m->ncfgs; i++) {
        reps[i] = m->cfgs[i].ents[0];
        int seq = -1;
        for (size_t k = 0; k < m->cfgs[i].nents; k++) {
            aentry *e = m->cfgs[i].ents[k];
            if (seq < 0 || e->seq < seq)
                seq = e->seq;
        }
        for (size_t k = 0; k < m->cfgs[i].nents; k++)
            if (m->cfgs[i].ents[k]->seq == seq)
                m->cfgs[i].runs += m->cfgs[i].ents[k]->nruns;
    }
    char **labels = analyze_config_labels(reps, m->ncfgs);
    free(reps);
    if (!labels)
        return BX_ENOMEM;
    for (size_t i = 0; i < m->ncfgs; i++) {
        m->cfgs[i].label = labels[i];
        labels[i] = NULL;
    }
    analyze_labels_free(labels, m->ncfgs);
    return 0;
}

void model_free(model *m)
{
    for (size_t i = 0; i < m->ncfgs; i++) {
        free(m->cfgs[i].key);
        free(m->cfgs[i].label);
        free(m->cfgs[i].ents);
    }
    free(m->cfgs);
    aset_free(&m->a);
}

/* The directional metrics of a plugin in their order: names (borrowed) into *out. */
size_t plugin_metrics(const model *m, const char *plugin, const aentry **res, size_t max)
{
    /* every metric first (a plugin has a few dozen at most), then the first max in order */
    const aentry *out[128];
    size_t n = 0, cap = sizeof out / sizeof out[0];
    for (size_t i = 0; i < m->a.n; i++) {
        const aentry *e = m->a.e[i];
        if (strcmp(e->plugin, plugin) != 0)
            continue;
        size_t k = 0;
        while (k < n && strcmp(out[k]->metric, e->metric) != 0)
            k++;
        if (k < n) {
            if (e->seq < out[k]->seq)
                out[k] = e;
            continue;
        }
        if (n < cap)
            out[n++] = e;
    }
    /* headline metrics first, then by position in the plugin's output (insertion sort: a
       handful) */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && (out[j]->headline != out[j - 1]->headline
                                         ? out[j]->headline > out[j - 1]->headline
                                         : out[j]->seq < out[j - 1]->seq);
             j--) {
            const aentry *t = out[j];
            out[j] = out[j - 1];
            out[j - 1] = t;
        }
    if (n > max)
        n = max;
    memcpy(res, out, n * sizeof *res);
    return n;
}

/* The configurations of a plugin, most-run first. */
size_t plugin_cfgs(const model *m, const char *plugin, cfg **out)
{
    size_t n = 0;
    for (size_t i = 0; i < m->ncfgs; i++)
        if (strcmp(m->cfgs[i].plugin, plugin) == 0)
            out[n++] = &m->cfgs[i];
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && out[j]->runs > out[j - 1]->runs; j--) {
            cfg *t = out[j];
            out[j] = out[j - 1];
            out[j - 1] = t;
        }
    return n;
}

/* Is e's history in time order (it is when read series by series)? */
static int times_sorted(const aentry *e)
{
    if (e->times.n != e->values.n)
        return 0;
    for (size_t j = 1; j < e->times.n; j++)
        if (e->times.v[j] < e->times.v[j - 1])
            return 0;
    return 1;
}

/* Host a before host b: its next time is earlier, or the same and it comes first. */
static int heap_before(const double *next, size_t a, size_t b)
{
    return next[a] < next[b] || (next[a] == next[b] && a < b);
}

/* Restore the heap order below position i. */
static void heap_down(size_t *heap, size_t n, const double *next, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && heap_before(next, heap[l], heap[m]))
            m = l;
        if (r < n && heap_before(next, heap[r], heap[m]))
            m = r;
        if (m == i)
            return;
        size_t t = heap[i];
        heap[i] = heap[m];
        heap[m] = t;
        i = m;
    }
}

/*
 * All values of configuration c and metric (every host) into *out (malloc'd;
 * NULL when out of memory).  With `in_time`, with their times and in time
 * order (points of the same time in the order of the hosts' entries, as a
 * stable sort gives): the hosts' histories are merged when each is in time
 * order, else sorted.
 */
size_t cfg_points(const cfg *c, const char *metric, int in_time, pt **out)
{
    size_t n = 0, nh = 0, sorted = 1;
    for (size_t k = 0; k < c->nents; k++)
        if (strcmp(c->ents[k]->metric, metric) == 0) {
            n += c->ents[k]->values.n;
            nh++;
            if (in_time && sorted)
                sorted = (size_t)times_sorted(c->ents[k]);
        }
    *out = malloc((n ? n : 1) * sizeof **out);
    size_t *pos = calloc(nh ? nh : 1, sizeof *pos);
    double *next = calloc(nh ? nh : 1, sizeof *next);
    const aentry **hs = calloc(nh ? nh : 1, sizeof *hs);
    if (!*out || !pos || !next || !hs) {
        free(*out);
        *out = NULL;
        free(pos);
        free(next);
        free(hs);
        return 0;
    }
    nh = 0;
    for (size_t k = 0; k < c->nents; k++)
        if (strcmp(c->ents[k]->metric, metric) == 0)
            hs[nh++] = c->ents[k];
    size_t i = 0;
    if (in_time && sorted) {
        /* k-way merge: the host whose next point is earliest, the first host on a tie (a
           heap of the hosts by (next time, host): a scan of 16 hosts' next times per
           point was a tenth of the report at 1 000 000 runs) */
        size_t hn = 0, *heap = malloc((nh ? nh : 1) * sizeof *heap);
        if (!heap) {
            free(*out);
            *out = NULL;
            free(pos);
            free(next);
            free(hs);
            return 0;
        }
        for (size_t h = 0; h < nh; h++)
            if (hs[h]->values.n) {
                next[h] = hs[h]->times.v[0];
                heap[hn++] = h;
            }
        for (size_t k = hn / 2; k-- > 0;)
            heap_down(heap, hn, next, k);
        while (hn) {
            size_t best = heap[0];
            const aentry *e = hs[best];
            (*out)[i++] = (pt){e->times.v[pos[best]], e->values.v[pos[best]], (int64_t)e->ids.v[pos[best]]};
            if (++pos[best] < e->values.n)
                next[best] = e->times.v[pos[best]];
            else
                heap[0] = heap[--hn];
            heap_down(heap, hn, next, 0);
        }
        free(heap);
    } else {
        for (size_t h = 0; h < nh; h++)
            for (size_t j = 0; j < hs[h]->values.n; j++)
                (*out)[i++] = (pt){hs[h]->times.n > j ? hs[h]->times.v[j] : 0, hs[h]->values.v[j],
                                   hs[h]->ids.n > j ? (int64_t)hs[h]->ids.v[j] : 0};
        if (in_time)
            qsort(*out, i, sizeof **out, cmp_pt); /* glibc's merge sort: stable */
    }
    free(pos);
    free(next);
    free(hs);
    return i;
}
