/* host.c — the core's bx_host: parameters, results, messages (see host.h). */
#define _GNU_SOURCE
#include "host.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- parameter sets --------------------------------------------------- */

static size_t table_len(const bx_param *t)
{
    size_t n = 0;
    while (t && t[n].name)
        n++;
    return n;
}

void pset_init(pset *ps, const bx_plugin *desc)
{
    memset(ps, 0, sizeof *ps);
    ps->desc = desc;
    ps->n = table_len(desc->params);
    ps->vals = xcalloc(ps->n, sizeof *ps->vals);
    ps->set = xcalloc(ps->n, sizeof *ps->set);
    for (size_t i = 0; i < ps->n; i++) {
        const bx_param *p = &desc->params[i];
        char err[256];
        if (p->def && bxp_parse(p, p->def, &ps->vals[i], err, sizeof err) == 0)
            ps->set[i] = 1;
    }
}

void pset_copy(pset *dst, const pset *src)
{
    dst->desc = src->desc;
    dst->n = src->n;
    dst->vals = xcalloc(src->n, sizeof *dst->vals);
    dst->set = xcalloc(src->n, sizeof *dst->set);
    for (size_t i = 0; i < src->n; i++) {
        dst->set[i] = src->set[i];
        dst->vals[i] = src->vals[i];
        dst->vals[i].text = src->vals[i].text ? xstrdup(src->vals[i].text) : NULL;
    }
}

void pset_free(pset *ps)
{
    for (size_t i = 0; i < ps->n; i++)
        bxp_value_free(&ps->vals[i]);
    free(ps->vals);
    free(ps->set);
    memset(ps, 0, sizeof *ps);
}

int pset_set(pset *ps, const char *name, const char *text, char *err, size_t errlen)
{
    const bx_param *p = bxp_find(ps->desc->params, name);
    if (!p) {
        const char *s = bxp_suggest(ps->desc->params, name);
        if (s)
            return errf(err, errlen, BX_EINVAL,
                        "unknown parameter '%s' for plugin %s; did you mean '%s'?", name,
                        ps->desc->name, s);
        return errf(err, errlen, BX_EINVAL,
                    "unknown parameter '%s' for plugin %s (see `benchaas describe %s`)", name,
                    ps->desc->name, ps->desc->name);
    }
    size_t i = (size_t)(p - ps->desc->params);
    bxp_value v;
    int rc = bxp_parse(p, text, &v, err, errlen);
    if (rc)
        return rc;
    bxp_value_free(&ps->vals[i]);
    ps->vals[i] = v;
    ps->set[i] = 1;
    return 0;
}

cJSON *pset_to_json(const pset *ps)
{
    cJSON *o = cJSON_CreateObject();
    for (size_t i = 0; i < ps->n; i++)
        if (ps->set[i])
            cJSON_AddStringToObject(o, ps->desc->params[i].name, ps->vals[i].text);
    return o;
}

cJSON *pset_to_typed_json(const pset *ps)
{
    cJSON *o = cJSON_CreateObject();
    for (size_t i = 0; i < ps->n; i++) {
        if (!ps->set[i])
            continue;
        cJSON *e = cJSON_AddObjectToObject(o, ps->desc->params[i].name);
        cJSON_AddStringToObject(e, "value", ps->vals[i].text);
        cJSON_AddStringToObject(e, "type", bxp_type_name(ps->desc->params[i].type));
    }
    return o;
}

/* ---- host services ---------------------------------------------------- */

static hostctx *H(bx_ctx *ctx) { return (hostctx *)ctx->host_data; }

static int find_param(hostctx *h, const char *name)
{
    const bx_param *p = bxp_find(h->desc->params, name);
    if (!p) {
        /* A plugin asking for a parameter it did not declare is a plugin bug. */
        fprintf(stderr, "benchaas: plugin %s asked for undeclared parameter '%s'\n",
                h->desc->name, name ? name : "(null)");
        return -1;
    }
    return (int)(p - h->desc->params);
}

static int h_isset(bx_ctx *ctx, const char *name)
{
    int i = find_param(H(ctx), name);
    return i >= 0 && H(ctx)->params->set[i];
}

static int64_t h_int(bx_ctx *ctx, const char *name)
{
    int i = find_param(H(ctx), name);
    return i >= 0 && H(ctx)->params->set[i] ? H(ctx)->params->vals[i].i : 0;
}

static double h_double(bx_ctx *ctx, const char *name)
{
    int i = find_param(H(ctx), name);
    return i >= 0 && H(ctx)->params->set[i] ? H(ctx)->params->vals[i].d : 0.0;
}

static const char *h_string(bx_ctx *ctx, const char *name)
{
    int i = find_param(H(ctx), name);
    return i >= 0 && H(ctx)->params->set[i] ? H(ctx)->params->vals[i].text : NULL;
}

static int h_rank(bx_ctx *ctx) { return H(ctx)->rank; }
static int h_nranks(bx_ctx *ctx) { return H(ctx)->nranks; }
static int h_node_ranks(bx_ctx *ctx)
{
    hostctx *h = H(ctx);
    return h->node_ranks > 0 ? h->node_ranks : h->nranks;
}
static int h_threads(bx_ctx *ctx) { return H(ctx)->threads; }
static unsigned h_reps(bx_ctx *ctx) { return H(ctx)->reps; }
static int h_warmup(bx_ctx *ctx) { return H(ctx)->warmup; }

static metric_slot *slot(hostctx *h, const char *name)
{
    for (size_t i = 0; i < h->nmetrics; i++)
        if (name && strcmp(h->metrics[i].def->name, name) == 0)
            return &h->metrics[i];
    return NULL;
}

static int undeclared(hostctx *h, const char *name)
{
    snprintf(h->error, sizeof h->error, "plugin %s reported undeclared metric '%s'",
             h->desc->name, name ? name : "(null)");
    fprintf(stderr, "benchaas: %s\n", h->error);
    return BX_EINVAL;
}

static int h_metric(bx_ctx *ctx, const char *name, double value)
{
    hostctx *h = H(ctx);
    metric_slot *s = slot(h, name);
    if (!s)
        return undeclared(h, name);
    if (!h->collect)
        return 0;
    s->value = value;
    s->has_value = 1;
    return 0;
}

static int h_sample(bx_ctx *ctx, const char *name, double value)
{
    hostctx *h = H(ctx);
    metric_slot *s = slot(h, name);
    if (!s)
        return undeclared(h, name);
    if (!h->collect || h->warmup)
        return 0;
    if (s->last_rep != h->cur_rep) {
        s->last_rep = h->cur_rep;
        s->next_idx = 0;
    }
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 16;
        s->samples = xrealloc(s->samples, s->cap * sizeof *s->samples);
    }
    s->samples[s->n++] = (sample){h->cur_rep, s->next_idx++, value};
    return 0;
}

static int h_meta(bx_ctx *ctx, const char *key, const char *value)
{
    hostctx *h = H(ctx);
    if (!key || !*key)
        return BX_EINVAL;
    if (!h->collect)
        return 0;
    for (size_t i = 0; i < h->meta_keys.n; i++)
        if (strcmp(h->meta_keys.v[i], key) == 0) {
            free(h->meta_vals.v[i]);
            h->meta_vals.v[i] = xstrdup(value ? value : "");
            return 0;
        }
    strvec_push(&h->meta_keys, key);
    strvec_push(&h->meta_vals, value ? value : "");
    return 0;
}

static void h_log(bx_ctx *ctx, int level, const char *msg)
{
    hostctx *h = H(ctx);
    static const char *const names[] = {"debug", "info", "warning", "error"};
    if (level < BX_LOG_DEBUG || level > BX_LOG_ERROR)
        level = BX_LOG_INFO;
    if (level == BX_LOG_WARN && h->collect && h->warnings.n < 100)
        strvec_push(&h->warnings, msg);
    if (level >= h->min_log_level) {
        if (h->nranks > 1)
            fprintf(stderr, "%s[%s rank %d] %s: %s\n", h->log_prefix ? h->log_prefix : "",
                    h->desc->name, h->rank, names[level], msg);
        else
            fprintf(stderr, "%s[%s] %s: %s\n", h->log_prefix ? h->log_prefix : "", h->desc->name,
                    names[level], msg);
    }
}

static void h_error(bx_ctx *ctx, const char *msg)
{
    snprintf(H(ctx)->error, sizeof H(ctx)->error, "%s", msg ? msg : "");
}

static void h_print(bx_ctx *ctx, const char *text)
{
    hostctx *h = H(ctx);
    if (h->print_out && text)
        fputs(text, h->print_out);
}

static int h_barrier(bx_ctx *ctx)
{
    hostctx *h = H(ctx);
    return h->barrier_fn ? h->barrier_fn() : 0;
}

static int h_allreduce(bx_ctx *ctx, double *values, int count, int op)
{
    hostctx *h = H(ctx);
    if (count < 0 || op < BX_OP_SUM || op > BX_OP_MIN)
        return BX_EINVAL;
    return h->allreduce_fn ? h->allreduce_fn(values, count, op) : 0;
}

static int h_expand(bx_ctx *ctx, const char *const *kv)
{
    hostctx *h = H(ctx);
    if (!kv)
        return BX_EINVAL;
    h->expanded = xrealloc(h->expanded, (h->nexpanded + 1) * sizeof *h->expanded);
    strvec *sv = &h->expanded[h->nexpanded++];
    memset(sv, 0, sizeof *sv);
    for (size_t i = 0; kv[i]; i++)
        strvec_push(sv, kv[i]);
    return 0;
}

static const bx_host the_host = {
    .struct_size = sizeof(bx_host),
    .abi_major = BX_ABI_MAJOR,
    .abi_minor = BX_ABI_MINOR,
    .param_isset = h_isset,
    .param_int = h_int,
    .param_double = h_double,
    .param_string = h_string,
    .rank = h_rank,
    .nranks = h_nranks,
    .threads = h_threads,
    .repetitions = h_reps,
    .is_warmup = h_warmup,
    .metric = h_metric,
    .sample = h_sample,
    .meta = h_meta,
    .log = h_log,
    .error = h_error,
    .print = h_print,
    .barrier = h_barrier,
    .allreduce = h_allreduce,
    .expand_point = h_expand,
    .node_ranks = h_node_ranks,
};

const bx_host *core_host(void) { return &the_host; }

void hostctx_init(hostctx *h, const bx_plugin *desc, pset *params)
{
    memset(h, 0, sizeof *h);
    h->ctx.host = &the_host;
    h->ctx.host_data = h;
    h->desc = desc;
    h->params = params;
    h->nranks = 1;
    h->threads = 1;
    h->reps = desc->default_repetitions ? desc->default_repetitions : 1;
    h->collect = 1;
    h->min_log_level = BX_LOG_WARN;
    size_t n = 0;
    while (desc->metrics && desc->metrics[n].name)
        n++;
    h->nmetrics = n;
    h->metrics = xcalloc(n, sizeof *h->metrics);
    for (size_t i = 0; i < n; i++) {
        h->metrics[i].def = &desc->metrics[i];
        h->metrics[i].last_rep = (unsigned)-1;
    }
}

void hostctx_free(hostctx *h)
{
    for (size_t i = 0; i < h->nmetrics; i++)
        free(h->metrics[i].samples);
    free(h->metrics);
    strvec_free(&h->meta_keys);
    strvec_free(&h->meta_vals);
    strvec_free(&h->warnings);
    for (size_t i = 0; i < h->nexpanded; i++)
        strvec_free(&h->expanded[i]);
    free(h->expanded);
    memset(h, 0, sizeof *h);
}

void hostctx_fill_best(hostctx *h)
{
    for (size_t i = 0; i < h->nmetrics; i++) {
        metric_slot *s = &h->metrics[i];
        if (s->has_value || s->n == 0)
            continue;
        double best = s->samples[s->n - 1].value;
        for (size_t k = 0; k < s->n; k++) {
            double v = s->samples[k].value;
            if (s->def->better == BX_BETTER_HIGHER && v > best)
                best = v;
            if (s->def->better == BX_BETTER_LOWER && v < best)
                best = v;
        }
        s->value = best;
        s->has_value = 1;
    }
}

static const char *better_name(bx_better b)
{
    return b == BX_BETTER_HIGHER ? "higher" : b == BX_BETTER_LOWER ? "lower" : "none";
}

static cJSON *number_or_null(double v)
{
    return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

void hostctx_results_json(const hostctx *h, cJSON *doc)
{
    cJSON *metrics = cJSON_GetObjectItemCaseSensitive(doc, "metrics");
    if (!metrics)
        metrics = cJSON_AddObjectToObject(doc, "metrics");
    cJSON *samples = cJSON_AddObjectToObject(doc, "samples");
    for (size_t i = 0; i < h->nmetrics; i++) {
        const metric_slot *s = &h->metrics[i];
        if (s->has_value) {
            cJSON *m = cJSON_AddObjectToObject(metrics, s->def->name);
            cJSON_AddItemToObject(m, "value", number_or_null(s->value));
            cJSON_AddStringToObject(m, "unit", s->def->unit);
            cJSON_AddStringToObject(m, "better", better_name(s->def->better));
        }
        if (s->n) {
            cJSON *arr = cJSON_AddArrayToObject(samples, s->def->name);
            for (size_t k = 0; k < s->n; k++) {
                cJSON *t = cJSON_CreateArray();
                cJSON_AddItemToArray(t, cJSON_CreateNumber(s->samples[k].rep));
                cJSON_AddItemToArray(t, cJSON_CreateNumber(s->samples[k].idx));
                cJSON_AddItemToArray(t, number_or_null(s->samples[k].value));
                cJSON_AddItemToArray(arr, t);
            }
        }
    }
    cJSON *w = cJSON_AddArrayToObject(doc, "warnings");
    for (size_t i = 0; i < h->warnings.n; i++)
        cJSON_AddItemToArray(w, cJSON_CreateString(h->warnings.v[i]));
    cJSON *meta = cJSON_AddObjectToObject(doc, "meta");
    for (size_t i = 0; i < h->meta_keys.n; i++)
        cJSON_AddStringToObject(meta, h->meta_keys.v[i], h->meta_vals.v[i]);
}
