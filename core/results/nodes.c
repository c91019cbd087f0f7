/*
 * nodes.c — every node against its fleet (see nodes.h): the statistics,
 * their renderers, and the drains (`benchaas check --across-nodes`: core/cli/check_cmd.c).
 *
 * Why the median and the scaled MAD: a cluster's QA run has a few bad
 * nodes among many good ones; the mean and the standard deviation would
 * be dragged towards the bad nodes (and one very slow node could hide a
 * merely slow one), the median and the MAD are not.
 */
#define _GNU_SOURCE
#include "nodes.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "benchaas/plugin.h"
#include "headline.h"
#include "stats.h"
#include "svg.h"
#include "table.h"
#include "util.h"

#define MAD_SCALE 1.4826

/* The fleet key of a per-host entry: its configuration key without the host, and the metric. */
static char *fleet_key(const aentry *e)
{
    const char *cut = strrchr(e->cfgkey, '\x1f');
    size_t len = cut ? (size_t)(cut - e->cfgkey) : strlen(e->cfgkey);
    char *k = NULL;
    if (asprintf(&k, "%.*s\x1f%s", (int)len, e->cfgkey, e->metric) < 0)
        return NULL;
    return k;
}

static int worse_side(const char *better, double delta)
{
    if (better && strcmp(better, "higher") == 0)
        return delta < 0;
    if (better && strcmp(better, "lower") == 0)
        return delta > 0;
    return delta != 0; /* no direction (named with --metric): either side is out of line */
}

/* Worst first: outliers, then by how far on the worse side. */
static int cmp_rows(const void *pa, const void *pb)
{
    const nodes_row *a = pa, *b = pb;
    if ((a->verdict == NODE_SLOW) != (b->verdict == NODE_SLOW))
        return a->verdict == NODE_SLOW ? -1 : 1;
    const char *better = a->e->better;
    double sa = a->dev, sb = b->dev;
    if (better && strcmp(better, "higher") == 0) {
        sa = -sa;
        sb = -sb;
    } else if (!better || strcmp(better, "lower") != 0) {
        sa = fabs(sa);
        sb = fabs(sb);
    }
    if (sa != sb)
        return sa > sb ? -1 : 1;
    return strcmp(a->e->host ? a->e->host : "", b->e->host ? b->e->host : "");
}

static int judge(nodes_group *g, const nodes_opts *o)
{
    double *v = malloc(g->nrows * sizeof *v);
    if (!v)
        return BX_ENOMEM;
    for (size_t i = 0; i < g->nrows; i++)
        v[i] = g->rows[i].value;
    stats_sort(v, g->nrows);
    g->median = stats_pct_sorted(v, g->nrows, 50);
    g->smad = MAD_SCALE * stats_mad_sorted(v, g->nrows);
    free(v);
    double band = o->k * g->smad;
    if (band < o->floor * fabs(g->median))
        band = o->floor * fabs(g->median);
    g->lo = g->median - band;
    g->hi = g->median + band;
    g->judged = g->nrows >= o->min_nodes;
    for (size_t i = 0; i < g->nrows; i++) {
        nodes_row *r = &g->rows[i];
        double d = r->value - g->median;
        r->dev = g->median != 0 ? d / fabs(g->median) * 100.0 : NAN;
        r->z = g->smad > 0 ? d / g->smad : NAN;
        int out = r->value < g->lo || r->value > g->hi;
        if (!g->judged)
            r->verdict = NODE_UNJUDGED;
        else if (!out)
            r->verdict = NODE_OK;
        else
            r->verdict = worse_side(g->e->better, d) ? NODE_SLOW : NODE_FAST;
    }
    qsort(g->rows, g->nrows, sizeof *g->rows, cmp_rows);
    return 0;
}

int nodes_analyze(store *s, const qfilter *f, const nodes_opts *o, nodes_result *out)
{
    memset(out, 0, sizeof *out);
    out->o = *o;
    int rc = aset_load(s, f, ASET_PER_HOST | (f->metrics.n ? 0 : ASET_DIRECTIONAL), &out->a);
    if (rc)
        return rc;
    aset *a = &out->a;
    char **keys = calloc(a->n ? a->n : 1, sizeof *keys);
    size_t *gi = calloc(a->n ? a->n : 1, sizeof *gi);
    out->g = calloc(a->n ? a->n : 1, sizeof *out->g);
    char **hosts = calloc(a->n ? a->n : 1, sizeof *hosts);
    aentry **firsts = calloc(a->n ? a->n : 1, sizeof *firsts);
    size_t *gfirst = calloc(a->n ? a->n : 1, sizeof *gfirst);
    rc = keys && gi && out->g && hosts && firsts && gfirst ? 0 : BX_ENOMEM;
    /* group the entries by fleet key (first-seen order; a quadratic pass is fine for the
       configurations of one check) */
    for (size_t i = 0; i < a->n && rc == 0; i++) {
        aentry *e = a->e[i];
        gi[i] = SIZE_MAX;
        if (headline_only(f) && !headline_entry(e))
            continue;
        if (!(keys[i] = fleet_key(e))) {
            rc = BX_ENOMEM;
            break;
        }
        size_t g = 0;
        while (g < out->ng && strcmp(keys[i], keys[gfirst[g]]) != 0)
            g++;
        if (g == out->ng) {
            firsts[g] = e;
            gfirst[g] = i;
            out->g[g].e = e;
            out->ng++;
        }
        gi[i] = g;
        out->g[g].nrows++;
        /* distinct nodes */
        const char *h = e->host ? e->host : "-";
        size_t k = 0;
        while (k < out->nodes && strcmp(hosts[k], h) != 0)
            k++;
        if (k == out->nodes)
            hosts[out->nodes++] = (char *)h;
    }
    for (size_t g = 0; g < out->ng && rc == 0; g++) {
        out->g[g].rows = calloc(out->g[g].nrows, sizeof(nodes_row));
        if (!out->g[g].rows)
            rc = BX_ENOMEM;
        out->g[g].nrows = 0;
    }
    for (size_t i = 0; i < a->n && rc == 0; i++) {
        aentry *e = a->e[i];
        if (gi[i] == SIZE_MAX)
            continue;
        nodes_group *g = &out->g[gi[i]];
        nodes_row *r = &g->rows[g->nrows++];
        r->e = e;
        stats_sort(e->values.v, e->values.n);
        r->value = e->values.n ? stats_pct_sorted(e->values.v, e->values.n, 50) : NAN;
    }
    /* labels: what tells the fleet's configurations apart */
    if (rc == 0 && out->ng) {
        char **labels = analyze_config_labels(firsts, out->ng);
        if (!labels)
            rc = BX_ENOMEM;
        for (size_t g = 0; g < out->ng && labels; g++) {
            out->g[g].label = labels[g];
            labels[g] = NULL;
        }
        if (labels)
            analyze_labels_free(labels, out->ng);
    }
    for (size_t g = 0; g < out->ng && rc == 0; g++) {
        rc = judge(&out->g[g], o);
        for (size_t i = 0; i < out->g[g].nrows; i++)
            out->outliers += out->g[g].rows[i].verdict == NODE_SLOW;
    }
    if (keys)
        for (size_t i = 0; i < a->n; i++)
            free(keys[i]);
    free(keys);
    free(gi);
    free(hosts);
    free(firsts);
    free(gfirst);
    if (rc == BX_ENOMEM)
        fprintf(stderr, "benchaas: out of memory\n");
    return rc;
}

void nodes_free(nodes_result *r)
{
    for (size_t g = 0; g < r->ng; g++) {
        free(r->g[g].rows);
        free(r->g[g].label);
    }
    free(r->g);
    aset_free(&r->a);
    memset(r, 0, sizeof *r);
}

/* ---- renderers ------------------------------------------------------------------ */

static const char *verdict_name(int v)
{
    return v == NODE_SLOW ? "OUTLIER" : v == NODE_FAST ? "better than fleet"
                                    : v == NODE_UNJUDGED ? "fleet too small"
                                                         : "ok";
}

static const char *node_of(const nodes_row *r) { return r->e->host ? r->e->host : "-"; }

static void fmt_dev(double dev, char *buf, size_t len)
{
    if (isfinite(dev))
        snprintf(buf, len, "%+.1f %%", dev);
    else
        snprintf(buf, len, "-");
}

static void fmt_allowed(const nodes_group *g, char *buf, size_t len)
{
    char a[40], b[40];
    const char *better = g->e->better;
    if (!g->judged)
        snprintf(buf, len, "-");
    else if (better && strcmp(better, "higher") == 0)
        snprintf(buf, len, ">= %s", query_readable_number(g->lo, a, sizeof a));
    else if (better && strcmp(better, "lower") == 0)
        snprintf(buf, len, "<= %s", query_readable_number(g->hi, a, sizeof a));
    else
        snprintf(buf, len, "%s..%s", query_readable_number(g->lo, a, sizeof a),
                 query_readable_number(g->hi, b, sizeof b));
}

int nodes_print_table(const nodes_result *r, FILE *out)
{
    static const char *const head[] = {"plugin", "config", "metric", "node", "value", "unit",
                                       "fleet median", "deviation", "allowed", "verdict"};
    ttable t;
    ttable_init(&t, 10, head, "llllrlrrll");
    char v[40], m[40], d[40], lim[96];
    for (size_t g = 0; g < r->ng; g++) {
        const nodes_group *G = &r->g[g];
        fmt_allowed(G, lim, sizeof lim);
        for (size_t i = 0; i < G->nrows; i++) {
            const nodes_row *R = &G->rows[i];
            ttable_add(&t, G->e->plugin);
            ttable_add(&t, G->label && G->label[0] ? G->label : "-");
            ttable_add(&t, G->e->metric);
            ttable_add(&t, node_of(R));
            ttable_add(&t, query_readable_number(R->value, v, sizeof v));
            ttable_add(&t, G->e->unit && G->e->unit[0] ? G->e->unit : "-");
            ttable_add(&t, query_readable_number(G->median, m, sizeof m));
            fmt_dev(R->dev, d, sizeof d);
            ttable_add(&t, d);
            ttable_add(&t, lim);
            ttable_add(&t, verdict_name(R->verdict));
        }
    }
    int rc = ttable_print(&t, out);
    ttable_free(&t);
    if (rc)
        return rc;
    size_t small = 0, judged = 0;
    for (size_t g = 0; g < r->ng; g++) {
        if (r->g[g].judged)
            judged++;
        else
            small++;
    }
    for (size_t g = 0; g < r->ng; g++)
        if (!r->g[g].judged)
            fprintf(out, "\n%s %s%s%s: fleet too small to judge: %zu node%s, need %zu "
                         "(--min-nodes)",
                    r->g[g].e->plugin, r->g[g].label && r->g[g].label[0] ? r->g[g].label : "",
                    r->g[g].label && r->g[g].label[0] ? " " : "", r->g[g].e->metric,
                    r->g[g].nrows, r->g[g].nrows == 1 ? "" : "s", r->o.min_nodes);
    fprintf(out, "\n%s: %zu node%s, %zu configuration metric%s judged, %zu too small, "
                 "%zu outlier%s",
            r->outliers ? "FAILED" : "passed", r->nodes, r->nodes == 1 ? "" : "s", judged,
            judged == 1 ? "" : "s", small, r->outliers, r->outliers == 1 ? "" : "s");
    const char *sep = ": ";
    for (size_t g = 0; g < r->ng; g++)
        for (size_t i = 0; i < r->g[g].nrows; i++)
            if (r->g[g].rows[i].verdict == NODE_SLOW) {
                fmt_dev(r->g[g].rows[i].dev, d, sizeof d);
                fprintf(out, "%s%s (%s %s)", sep, node_of(&r->g[g].rows[i]), r->g[g].e->metric,
                        d);
                sep = ", ";
            }
    fputc('\n', out);
    return 0;
}

static cJSON *num(double v) { return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull(); }

void nodes_print_json(const nodes_result *r, FILE *out)
{
    cJSON *root = cJSON_CreateObject(), *cfgs = cJSON_AddArrayToObject(root, "configurations");
    cJSON *outl = cJSON_CreateArray();
    for (size_t g = 0; g < r->ng; g++) {
        const nodes_group *G = &r->g[g];
        cJSON *c = cJSON_CreateObject();
        cJSON_AddStringToObject(c, "plugin", G->e->plugin);
        cJSON_AddItemToObject(c, "params", cJSON_Parse(G->e->params));
        cJSON_AddNumberToObject(c, "ranks", (double)G->e->ranks);
        cJSON_AddNumberToObject(c, "threads", (double)G->e->threads);
        cJSON_AddStringToObject(c, "metric", G->e->metric);
        cJSON_AddStringToObject(c, "unit", G->e->unit ? G->e->unit : "");
        cJSON_AddStringToObject(c, "better", G->e->better ? G->e->better : "none");
        cJSON_AddNumberToObject(c, "nodes", (double)G->nrows);
        cJSON_AddBoolToObject(c, "judged", G->judged);
        cJSON_AddItemToObject(c, "median", num(G->median));
        cJSON_AddItemToObject(c, "scaled_mad", num(G->smad));
        cJSON_AddItemToObject(c, "lo", num(G->judged ? G->lo : NAN));
        cJSON_AddItemToObject(c, "hi", num(G->judged ? G->hi : NAN));
        cJSON *rows = cJSON_AddArrayToObject(c, "results");
        for (size_t i = 0; i < G->nrows; i++) {
            const nodes_row *R = &G->rows[i];
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "node", node_of(R));
            cJSON_AddItemToObject(o, "value", num(R->value));
            cJSON_AddItemToObject(o, "deviation_pct", num(R->dev));
            cJSON_AddItemToObject(o, "mads", num(R->z));
            cJSON_AddNumberToObject(o, "runs", (double)R->e->values.n);
            cJSON_AddStringToObject(o, "verdict", R->verdict == NODE_SLOW     ? "outlier"
                                                  : R->verdict == NODE_FAST   ? "better"
                                                  : R->verdict == NODE_UNJUDGED ? "unjudged"
                                                                              : "ok");
            cJSON_AddItemToArray(rows, o);
            if (R->verdict == NODE_SLOW) {
                cJSON *x = cJSON_CreateObject();
                cJSON_AddStringToObject(x, "node", node_of(R));
                cJSON_AddStringToObject(x, "plugin", G->e->plugin);
                cJSON_AddStringToObject(x, "metric", G->e->metric);
                cJSON_AddItemToObject(x, "value", num(R->value));
                cJSON_AddItemToObject(x, "deviation_pct", num(R->dev));
                cJSON_AddItemToArray(outl, x);
            }
        }
        cJSON_AddItemToArray(cfgs, c);
    }
    cJSON_AddItemToObject(root, "outliers", outl);
    cJSON_AddNumberToObject(root, "nodes", (double)r->nodes);
    cJSON_AddBoolToObject(root, "passed", r->outliers == 0);
    char *t = cJSON_Print(root);
    fprintf(out, "%s\n", t ? t : "");
    cJSON_free(t);
    cJSON_Delete(root);
}

static void xml_escape(FILE *out, const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        default:
            if (c < 0x20 && c != '\n' && c != '\t' && c != '\r')
                fputc('?', out);
            else
                fputc(c, out);
        }
    }
}

/* One test case per node: a failure when any of its values is an outlier, skipped when
   no fleet it belongs to was large enough to judge. */
void nodes_write_junit(const nodes_result *r, const char *db, FILE *out)
{
    const char **nodes = calloc(r->nodes ? r->nodes : 1, sizeof *nodes);
    size_t nn = 0;
    for (size_t g = 0; g < r->ng && nodes; g++)
        for (size_t i = 0; i < r->g[g].nrows; i++) {
            const char *h = node_of(&r->g[g].rows[i]);
            size_t k = 0;
            while (k < nn && strcmp(nodes[k], h) != 0)
                k++;
            if (k == nn && nn < r->nodes)
                nodes[nn++] = h;
        }
    size_t failures = 0, skipped = 0;
    int *state = calloc(nn ? nn : 1, sizeof *state); /* 0 unjudged, 1 ok, 2 outlier */
    for (size_t k = 0; k < nn && state; k++)
        for (size_t g = 0; g < r->ng; g++)
            for (size_t i = 0; i < r->g[g].nrows; i++) {
                const nodes_row *R = &r->g[g].rows[i];
                if (strcmp(node_of(R), nodes[k]) != 0)
                    continue;
                int s = R->verdict == NODE_SLOW ? 2 : R->verdict == NODE_UNJUDGED ? 0 : 1;
                if (s > state[k])
                    state[k] = s;
            }
    for (size_t k = 0; k < nn && state; k++) {
        failures += state[k] == 2;
        skipped += state[k] == 0;
    }
    char now[32];
    store_time_format((int64_t)time(NULL), now, sizeof now);
    fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(out,
            "<testsuites name=\"benchaas check --across-nodes\" tests=\"%zu\" failures=\"%zu\" "
            "errors=\"0\" skipped=\"%zu\">\n",
            nn, failures, skipped);
    fprintf(out,
            "  <testsuite name=\"benchaas check --across-nodes\" tests=\"%zu\" failures=\"%zu\" "
            "errors=\"0\" skipped=\"%zu\" time=\"0\" timestamp=\"%.19s\">\n",
            nn, failures, skipped, now);
    fprintf(out, "    <properties>\n      <property name=\"database\" value=\"");
    xml_escape(out, db);
    fprintf(out, "\"/>\n    </properties>\n");
    char v[40], m[40], d[40], lim[96];
    for (size_t k = 0; k < nn && state; k++) {
        fprintf(out, "    <testcase classname=\"benchaas.nodes\" name=\"");
        xml_escape(out, nodes[k]);
        fprintf(out, "\" time=\"0\">\n");
        if (state[k] == 0) {
            fprintf(out, "      <skipped message=\"fleet too small to judge (need %zu nodes)\"/>\n",
                    r->o.min_nodes);
        } else if (state[k] == 2) {
            fprintf(out, "      <failure type=\"outlier\" message=\"");
            const char *sep = "";
            for (size_t g = 0; g < r->ng; g++)
                for (size_t i = 0; i < r->g[g].nrows; i++) {
                    const nodes_row *R = &r->g[g].rows[i];
                    if (R->verdict != NODE_SLOW || strcmp(node_of(R), nodes[k]) != 0)
                        continue;
                    const nodes_group *G = &r->g[g];
                    fmt_dev(R->dev, d, sizeof d);
                    fmt_allowed(G, lim, sizeof lim);
                    fprintf(out, "%s", sep);
                    xml_escape(out, G->e->plugin);
                    if (G->label && G->label[0]) {
                        fputc(' ', out);
                        xml_escape(out, G->label);
                    }
                    fputc(' ', out);
                    xml_escape(out, G->e->metric);
                    fprintf(out, " = %s ", query_readable_number(R->value, v, sizeof v));
                    xml_escape(out, G->e->unit ? G->e->unit : "");
                    fprintf(out, ", %s from the fleet median %s (allowed ", d,
                            query_readable_number(G->median, m, sizeof m));
                    xml_escape(out, lim);
                    fputc(')', out);
                    sep = "; ";
                }
            fprintf(out, "\"/>\n");
        }
        fprintf(out, "    </testcase>\n");
    }
    fprintf(out, "  </testsuite>\n</testsuites>\n");
    free(state);
    free(nodes);
}

static void esc(FILE *out, const char *s) { svg_escape(out, s ? s : ""); }

void nodes_write_html(const nodes_result *r, FILE *out)
{
    size_t shown = 0;
    for (size_t g = 0; g < r->ng; g++)
        shown += r->g[g].nrows >= 2;
    if (shown == 0)
        return;
    fprintf(out, "<section id=\"nodes\"><h2>Nodes</h2><p class=\"note\">Each node's newest "
                 "result against the fleet's median for the same configuration (what "
                 "<code>benchaas check --across-nodes</code> judges): allowed is %g × the "
                 "scaled MAD of the nodes, at least %g %% of the median; fleets of fewer than "
                 "%zu nodes are not judged. %zu outlier%s.</p>",
            r->o.k, r->o.floor * 100, r->o.min_nodes, r->outliers, r->outliers == 1 ? "" : "s");
    char v[40], m[40], d[40], lim[96];
    for (size_t g = 0; g < r->ng; g++) {
        const nodes_group *G = &r->g[g];
        if (G->nrows < 2)
            continue;
        fmt_allowed(G, lim, sizeof lim);
        fputs("<h3>", out);
        esc(out, G->e->plugin);
        if (G->label && G->label[0]) {
            fputc(' ', out);
            esc(out, G->label);
        }
        fputs(" · ", out);
        esc(out, G->e->metric);
        fprintf(out, "</h3><table><tr><th>node</th><th>value (");
        esc(out, G->e->unit);
        fprintf(out, ", %s is better)</th><th>deviation from %s</th><th>allowed</th>"
                     "<th>verdict</th></tr>",
                G->e->better ? G->e->better : "none",
                query_readable_number(G->median, m, sizeof m));
        for (size_t i = 0; i < G->nrows; i++) {
            const nodes_row *R = &G->rows[i];
            fmt_dev(R->dev, d, sizeof d);
            fputs("<tr><td>", out);
            esc(out, node_of(R));
            fprintf(out, "</td><td class=\"n\">%s</td><td class=\"n\">%s</td><td>",
                    query_readable_number(R->value, v, sizeof v), d);
            esc(out, lim);
            fprintf(out, "</td><td class=\"%s\">%s</td></tr>",
                    R->verdict == NODE_SLOW ? "bad" : R->verdict == NODE_OK ? "ok" : "",
                    verdict_name(R->verdict));
        }
        fputs("</table>", out);
    }
    fputs("</section>\n", out);
}

/* ---- acting on the verdicts: --drain, --resume ---------------------------- */

/* Node NODE's worst outlier row (rows are worst first in each group), or NULL; *judged:
 * 1 when the node was in a fleet big enough to judge. */
static const nodes_row *node_verdict(const nodes_result *r, const char *node, int *judged)
{
    const nodes_row *worst = NULL;
    *judged = 0;
    for (size_t g = 0; g < r->ng; g++)
        for (size_t i = 0; i < r->g[g].nrows; i++) {
            const nodes_row *R = &r->g[g].rows[i];
            if (strcmp(node_of(R), node) != 0)
                continue;
            *judged |= r->g[g].judged;
            if (R->verdict == NODE_SLOW && (!worst || fabs(R->dev) > fabs(worst->dev)))
                worst = R;
        }
    return worst;
}

/* One node: drain it (an outlier) or resume it (it passes), as asked.  0 or 1. */
static int act_on_node(const nodes_result *r, const nodes_actions *a, const char *node,
                       int drain, int resume, FILE *out)
{
    int judged, drained = 0;
    char reason[512], cur[512], err[512];
    const nodes_row *bad = node_verdict(r, node, &judged);
    if (!judged || (bad && !drain) || (!bad && !resume))
        return 0;
    if (a->state(node, &drained, cur, sizeof cur, err, sizeof err) != 0)
        goto failed;
    int ours = strncmp(cur, NODES_DRAIN_PREFIX, strlen(NODES_DRAIN_PREFIX)) == 0;
    if (bad) {
        snprintf(reason, sizeof reason, NODES_DRAIN_PREFIX "%s %s %+.*f %% vs fleet median",
                 bad->e->plugin, bad->e->metric, fabs(bad->dev) < 9.5 ? 1 : 0, bad->dev);
        if (drained && !ours) {
            fprintf(out, "%s: left alone, already drained by someone else: %s\n", node, cur);
            return 0;
        }
        if (a->drain(node, reason, err, sizeof err) != 0)
            goto failed;
        fprintf(out, "drained %s: %s\n", node, reason);
        return 0;
    }
    if (!drained)
        return 0;
    if (!ours) {
        fprintf(out, "%s: passes, but drained by someone else (%s): left alone\n", node, cur);
        return 0;
    }
    if (a->resume(node, err, sizeof err) != 0)
        goto failed;
    fprintf(out, "resumed %s: passes now (was: %s)\n", node, cur);
    return 0;
failed:
    fprintf(stderr, "benchaas check: %s: %s\n", node, err);
    return 1;
}

int nodes_act(const nodes_result *r, const nodes_actions *a, int drain, int resume, FILE *out)
{
    int failed = 0;
    strvec seen = {0};
    for (size_t g = 0; g < r->ng; g++)
        for (size_t i = 0; i < r->g[g].nrows; i++) {
            const char *node = node_of(&r->g[g].rows[i]);
            int dup = strcmp(node, "-") == 0;
            for (size_t k = 0; k < seen.n && !dup; k++)
                dup = strcmp(seen.v[k], node) == 0;
            if (dup)
                continue;
            strvec_push(&seen, node);
            failed |= act_on_node(r, a, node, drain, resume, out);
        }
    strvec_free(&seen);
    return failed;
}
