/* host.c — the core's bx_host: parameters, results, messages (see host.h). */
#define _GNU_SOURCE
#include "host.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
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

/* The value a getter reads: given or default, else computed by the plugin. */
static const bxp_value *value_of(hostctx *h, const char *name, int get)
{
    int i = bxp_collector_param(&h->col, name, get);
    if (i < 0)
        return NULL;
    if (h->params->set[i])
        return &h->params->vals[i];
    return bxp_collector_computed_value(&h->col, (size_t)i);
}

static int h_isset(bx_ctx *ctx, const char *name)
{
    hostctx *h = H(ctx);
    int i = bxp_collector_param(&h->col, name, BXP_GET_ISSET);
    return i >= 0 && h->params->set[i];
}

static int64_t h_int(bx_ctx *ctx, const char *name)
{
    const bxp_value *v = value_of(H(ctx), name, BXP_GET_INT);
    return v ? v->i : 0;
}

static double h_double(bx_ctx *ctx, const char *name)
{
    const bxp_value *v = value_of(H(ctx), name, BXP_GET_DOUBLE);
    return v ? v->d : 0.0;
}

static const char *h_string(bx_ctx *ctx, const char *name)
{
    const bxp_value *v = value_of(H(ctx), name, BXP_GET_STRING);
    return v ? v->text : NULL;
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

/* h->error from any thread. */
static void set_error(hostctx *h, const char *msg)
{
    pthread_mutex_lock(&h->col.lock);
    snprintf(h->error, sizeof h->error, "%s", msg ? msg : "");
    pthread_mutex_unlock(&h->col.lock);
}

static int failed(hostctx *h, int rc, const char *msg)
{
    set_error(h, msg);
    fprintf(stderr, "benchaas: %s\n", msg);
    return rc;
}

static int h_metric(bx_ctx *ctx, const char *name, double value)
{
    hostctx *h = H(ctx);
    char err[512];
    if (!h->collect && bxp_collector_series(&h->col, name))
        return 0; /* another rank's: accepted, not kept */
    int rc = bxp_collector_metric(&h->col, name, value, err, sizeof err);
    return rc == BX_EINVAL ? failed(h, rc, err) : rc;
}

static int h_sample(bx_ctx *ctx, const char *name, double value)
{
    hostctx *h = H(ctx);
    char err[512];
    if ((!h->collect || h->warmup) && bxp_collector_series(&h->col, name))
        return 0; /* another rank's, or the warm-up's: not kept */
    int rc = bxp_collector_sample(&h->col, name, h->cur_rep, value, err, sizeof err);
    return rc == BX_EINVAL ? failed(h, rc, err) : rc;
}

static int h_meta(bx_ctx *ctx, const char *key, const char *value)
{
    hostctx *h = H(ctx);
    if (!key || !*key)
        return BX_EINVAL;
    if (!h->collect)
        return 0;
    return bxp_collector_meta(&h->col, key, value);
}

static int h_computed(bx_ctx *ctx, const char *name, const char *value)
{
    hostctx *h = H(ctx);
    char err[1024];
    const bx_param *p = bxp_find(h->desc->params, name);
    int given = p && h->params->set[p - h->desc->params];
    int rc = bxp_collector_computed(&h->col, name, value, given, err, sizeof err);
    return rc ? failed(h, rc, err) : 0;
}

static void h_log(bx_ctx *ctx, int level, const char *msg)
{
    hostctx *h = H(ctx);
    static const char *const names[] = {"debug", "info", "warning", "error"};
    if (level < BX_LOG_DEBUG || level > BX_LOG_ERROR)
        level = BX_LOG_INFO;
    if (level == BX_LOG_WARN && h->collect)
        bxp_collector_warning(&h->col, msg);
    if (level >= h->min_log_level) {
        if (h->nranks > 1)
            fprintf(stderr, "%s[%s rank %d] %s: %s\n", h->log_prefix ? h->log_prefix : "",
                    h->desc->name, h->rank, names[level], msg);
        else
            fprintf(stderr, "%s[%s] %s: %s\n", h->log_prefix ? h->log_prefix : "", h->desc->name,
                    names[level], msg);
    }
}

static void h_error(bx_ctx *ctx, const char *msg) { set_error(H(ctx), msg); }

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
    .param_computed = h_computed,
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
    if (bxp_collector_init(&h->col, desc) != 0) {
        fputs("benchaas: out of memory\n", stderr);
        abort();
    }
}

void hostctx_free(hostctx *h)
{
    bxp_collector_free(&h->col);
    for (size_t i = 0; i < h->nexpanded; i++)
        strvec_free(&h->expanded[i]);
    free(h->expanded);
    memset(h, 0, sizeof *h);
}

void hostctx_fill_best(hostctx *h) { bxp_collector_fill_best(&h->col); }

int hostctx_misuse(hostctx *h, int rc)
{
    char why[1024];
    if (!bxp_collector_failed(&h->col, why, sizeof why))
        return rc;
    if (strcmp(h->error, why) != 0) /* once, on whichever rank it happened */
        fprintf(stderr, "benchaas: %s\n", why);
    snprintf(h->error, sizeof h->error, "%s", why);
    return BX_EINTERNAL;
}

cJSON *hostctx_params_json(hostctx *h)
{
    cJSON *o = pset_to_typed_json(h->params);
    for (size_t i = 0; i < h->params->n; i++) {
        const bxp_value *v = h->params->set[i] ? NULL : bxp_collector_computed_value(&h->col, i);
        if (!v)
            continue;
        cJSON *e = cJSON_AddObjectToObject(o, h->desc->params[i].name);
        cJSON_AddStringToObject(e, "value", v->text);
        cJSON_AddStringToObject(e, "type", bxp_type_name(h->desc->params[i].type));
        cJSON_AddTrueToObject(e, "computed");
    }
    return o;
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
    for (size_t i = 0; i < h->col.nseries; i++) {
        const bxp_series *s = &h->col.series[i];
        if (s->has_value) {
            cJSON *m = cJSON_AddObjectToObject(metrics, s->def->name);
            cJSON_AddItemToObject(m, "value", number_or_null(s->value));
            cJSON_AddStringToObject(m, "unit", s->def->unit);
            cJSON_AddStringToObject(m, "better", better_name(s->def->better));
            if (s->def->flags & BX_METRIC_HEADLINE)
                cJSON_AddTrueToObject(m, "headline");
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
    for (size_t i = 0; i < h->col.nwarnings; i++)
        cJSON_AddItemToArray(w, cJSON_CreateString(h->col.warnings[i]));
    cJSON *meta = cJSON_AddObjectToObject(doc, "meta");
    for (size_t i = 0; i < h->col.nmeta; i++)
        cJSON_AddStringToObject(meta, h->col.meta_key[i], h->col.meta_val[i]);
}
