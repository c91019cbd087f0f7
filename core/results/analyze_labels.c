/*
 * analyze_labels.c — how the configurations of a value set are named for people
 * (parameters as text, the labels that keep only what varies) and which way a
 * change goes, shared by compare, check and report (see analyze.h).
 */
#define _GNU_SOURCE
#include "analyze.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- labels --------------------------------------------------------------------- */

char *analyze_params_text(const char *params_json)
{
    cJSON *o = params_json ? cJSON_Parse(params_json) : NULL;
    char *out = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&out, &len);
    if (!m) {
        cJSON_Delete(o);
        return NULL;
    }
    const cJSON *it;
    int first = 1;
    char buf[64];
    cJSON_ArrayForEach(it, o)
    {
        fprintf(m, "%s%s=%s", first ? "" : " ", it->string, query_param_text(it, buf, sizeof buf));
        first = 0;
    }
    cJSON_Delete(o);
    if (fclose(m) != 0) {
        free(out);
        return NULL;
    }
    return out;
}

/* Per plugin and parameter name: the first value seen and whether another differs. */
typedef struct pv {
    const char *plugin;
    char *name, *first;
    int varies;
} pv;

static pv *pv_find(pv *list, size_t n, const char *plugin, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i].plugin, plugin) == 0 && strcmp(list[i].name, name) == 0)
            return &list[i];
    return NULL;
}

/* Note one (plugin, name, value); 0 or -1 when out of memory. */
static int pv_note(pv **list, size_t *n, size_t *cap, const char *plugin, const char *name,
                   const char *value)
{
    pv *p = pv_find(*list, *n, plugin, name);
    if (p) {
        p->varies |= strcmp(p->first, value) != 0;
        return 0;
    }
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 32;
        pv *nl = realloc(*list, c * sizeof *nl);
        if (!nl)
            return -1;
        *list = nl;
        *cap = c;
    }
    p = &(*list)[(*n)++];
    p->plugin = plugin;
    p->name = strdup(name);
    p->first = strdup(value);
    p->varies = 0;
    return p->name && p->first ? 0 : -1;
}

char **analyze_config_labels(aentry *const *entries, size_t n)
{
    pv *list = NULL;
    size_t np = 0, cap = 0;
    int oom = 0;
    char buf[64];
    char **labels = calloc(n ? n : 1, sizeof *labels);
    if (!labels)
        return NULL;
    /* pass 1: which parameters vary among the entries of each plugin */
    for (size_t i = 0; i < n && !oom; i++) {
        const aentry *e = entries[i];
        cJSON *o = cJSON_Parse(e->params);
        const cJSON *it;
        cJSON_ArrayForEach(it, o)
        {
            if (pv_note(&list, &np, &cap, e->plugin, it->string, query_param_text(it, buf, sizeof buf)))
                oom = 1;
        }
        cJSON_Delete(o);
        snprintf(buf, sizeof buf, "%" PRId64, e->ranks);
        oom |= pv_note(&list, &np, &cap, e->plugin, "\x01ranks", buf) != 0;
        snprintf(buf, sizeof buf, "%" PRId64, e->threads);
        oom |= pv_note(&list, &np, &cap, e->plugin, "\x01threads", buf) != 0;
    }
    /* pass 2: the labels */
    for (size_t i = 0; i < n && !oom; i++) {
        const aentry *e = entries[i];
        char *text = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&text, &len);
        if (!m) {
            oom = 1;
            break;
        }
        cJSON *o = cJSON_Parse(e->params);
        const cJSON *it;
        int first = 1;
        cJSON_ArrayForEach(it, o)
        {
            pv *p = pv_find(list, np, e->plugin, it->string);
            if (p && p->varies) {
                fprintf(m, "%s%s=%s", first ? "" : " ", it->string,
                        query_param_text(it, buf, sizeof buf));
                first = 0;
            }
        }
        cJSON_Delete(o);
        pv *p = pv_find(list, np, e->plugin, "\x01ranks");
        if (p && p->varies) {
            fprintf(m, "%sranks=%" PRId64, first ? "" : " ", e->ranks);
            first = 0;
        }
        p = pv_find(list, np, e->plugin, "\x01threads");
        if (p && p->varies)
            fprintf(m, "%sthreads=%" PRId64, first ? "" : " ", e->threads);
        if (fclose(m) != 0)
            oom = 1;
        labels[i] = text;
    }
    for (size_t i = 0; i < np; i++) {
        free(list[i].name);
        free(list[i].first);
    }
    free(list);
    if (oom) {
        analyze_labels_free(labels, n);
        return NULL;
    }
    return labels;
}

void analyze_labels_free(char **labels, size_t n)
{
    if (!labels)
        return;
    for (size_t i = 0; i < n; i++)
        free(labels[i]);
    free(labels);
}

int analyze_direction(const char *better, double change)
{
    if (!better || change == 0 || !isfinite(change))
        return 0;
    if (strcmp(better, "higher") == 0)
        return change > 0 ? 1 : -1;
    if (strcmp(better, "lower") == 0)
        return change < 0 ? 1 : -1;
    return 0;
}
