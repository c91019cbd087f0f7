/* mock.c — a host for plugin unit tests, without the runner. */
#define _POSIX_C_SOURCE 200809L
#include "benchaas/mock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchaas/sdk.h"
#include "paramval.h"

#define MOCK_MAX 128

typedef struct mock_series {
    char *name;
    double value;
    int has_value;
    double *samples;
    size_t n, cap;
} mock_series;

struct bx_mock {
    const bx_plugin *plugin;
    bx_ctx ctx;
    bxp_value values[MOCK_MAX]; /* by index in the plugin's table */
    int set[MOCK_MAX];
    int rank, nranks, node_ranks, threads, verbose, warmup;
    unsigned reps;
    mock_series series[MOCK_MAX];
    size_t nseries;
    char *meta_key[MOCK_MAX], *meta_val[MOCK_MAX];
    size_t nmeta;
    char error[2048];
    char refused[1024]; /* why the loader would refuse the descriptor, or "" */
    char last_warning[2048];
    int nwarnings;
    char *describe;
    size_t describe_len;
};

static bx_mock *M(bx_ctx *ctx) { return (bx_mock *)ctx->host_data; }

static int param_index(bx_mock *m, const char *name)
{
    const bx_param *p = bxp_find(m->plugin->params, name);
    return p ? (int)(p - m->plugin->params) : -1;
}

static int h_isset(bx_ctx *ctx, const char *name)
{
    int i = param_index(M(ctx), name);
    return i >= 0 && M(ctx)->set[i];
}

static int64_t h_int(bx_ctx *ctx, const char *name)
{
    int i = param_index(M(ctx), name);
    return i >= 0 && M(ctx)->set[i] ? M(ctx)->values[i].i : 0;
}

static double h_double(bx_ctx *ctx, const char *name)
{
    int i = param_index(M(ctx), name);
    return i >= 0 && M(ctx)->set[i] ? M(ctx)->values[i].d : 0.0;
}

static const char *h_string(bx_ctx *ctx, const char *name)
{
    int i = param_index(M(ctx), name);
    return i >= 0 && M(ctx)->set[i] ? M(ctx)->values[i].text : NULL;
}

static int h_rank(bx_ctx *ctx) { return M(ctx)->rank; }
static int h_nranks(bx_ctx *ctx) { return M(ctx)->nranks; }
static int h_node_ranks(bx_ctx *ctx)
{
    bx_mock *m = M(ctx);
    return m->node_ranks > 0 ? m->node_ranks : m->nranks;
}
static int h_threads(bx_ctx *ctx) { return M(ctx)->threads; }
static unsigned h_reps(bx_ctx *ctx) { return M(ctx)->reps; }
static int h_warmup(bx_ctx *ctx) { return M(ctx)->warmup; }

static const bx_metric_def *find_metric(bx_mock *m, const char *name)
{
    for (const bx_metric_def *d = m->plugin->metrics; d && d->name; d++)
        if (strcmp(d->name, name) == 0)
            return d;
    return NULL;
}

static mock_series *series(bx_mock *m, const char *name, int create)
{
    for (size_t i = 0; i < m->nseries; i++)
        if (strcmp(m->series[i].name, name) == 0)
            return &m->series[i];
    if (!create || m->nseries == MOCK_MAX)
        return NULL;
    mock_series *s = &m->series[m->nseries++];
    memset(s, 0, sizeof *s);
    s->name = strdup(name);
    return s;
}

static int h_metric(bx_ctx *ctx, const char *name, double value)
{
    bx_mock *m = M(ctx);
    if (!find_metric(m, name)) {
        snprintf(m->error, sizeof m->error, "metric '%s' is not declared by plugin %s", name,
                 m->plugin->name);
        fprintf(stderr, "mock: %s\n", m->error);
        return BX_EINVAL;
    }
    mock_series *s = series(m, name, 1);
    if (!s)
        return BX_ENOMEM;
    s->value = value;
    s->has_value = 1;
    return 0;
}

static int h_sample(bx_ctx *ctx, const char *name, double value)
{
    bx_mock *m = M(ctx);
    if (!find_metric(m, name)) {
        snprintf(m->error, sizeof m->error, "metric '%s' is not declared by plugin %s", name,
                 m->plugin->name);
        fprintf(stderr, "mock: %s\n", m->error);
        return BX_EINVAL;
    }
    if (m->warmup)
        return 0;
    mock_series *s = series(m, name, 1);
    if (!s)
        return BX_ENOMEM;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        double *d = realloc(s->samples, cap * sizeof *d);
        if (!d)
            return BX_ENOMEM;
        s->samples = d;
        s->cap = cap;
    }
    s->samples[s->n++] = value;
    return 0;
}

static int h_meta(bx_ctx *ctx, const char *key, const char *value)
{
    bx_mock *m = M(ctx);
    /* As the runner's host: a key is required, a NULL value is stored as "". */
    if (!key || !*key)
        return BX_EINVAL;
    if (!value)
        value = "";
    for (size_t i = 0; i < m->nmeta; i++)
        if (strcmp(m->meta_key[i], key) == 0) {
            free(m->meta_val[i]);
            m->meta_val[i] = strdup(value);
            return 0;
        }
    if (m->nmeta == MOCK_MAX)
        return BX_ENOMEM;
    m->meta_key[m->nmeta] = strdup(key);
    m->meta_val[m->nmeta] = strdup(value);
    m->nmeta++;
    return 0;
}

static void h_log(bx_ctx *ctx, int level, const char *msg)
{
    bx_mock *m = M(ctx);
    if (level >= BX_LOG_WARN) {
        m->nwarnings += level == BX_LOG_WARN;
        if (level == BX_LOG_WARN)
            snprintf(m->last_warning, sizeof m->last_warning, "%s", msg);
    }
    if (m->verbose || level >= BX_LOG_ERROR)
        fprintf(stderr, "[%s] %s\n", m->plugin->name, msg);
}

static void h_error(bx_ctx *ctx, const char *msg)
{
    snprintf(M(ctx)->error, sizeof M(ctx)->error, "%s", msg);
}

static void h_print(bx_ctx *ctx, const char *text)
{
    bx_mock *m = M(ctx);
    size_t n = strlen(text);
    char *d = realloc(m->describe, m->describe_len + n + 1);
    if (!d)
        return;
    memcpy(d + m->describe_len, text, n + 1);
    m->describe = d;
    m->describe_len += n;
}

static int h_barrier(bx_ctx *ctx)
{
    (void)ctx;
    return 0;
}

/* One rank: the reduction of a value is the value.  A negative count or an
 * unknown op is refused, as the runner's host refuses them. */
static int h_allreduce(bx_ctx *ctx, double *values, int count, int op)
{
    (void)ctx;
    if (count < 0 || (count > 0 && !values) || op < BX_OP_SUM || op > BX_OP_MIN)
        return BX_EINVAL;
    return 0;
}

static int h_expand(bx_ctx *ctx, const char *const *kv)
{
    (void)ctx;
    (void)kv;
    return 0;
}

static const bx_host mock_host = {
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

bx_mock *bx_mock_new(const bx_plugin *plugin)
{
    if (!plugin)
        return NULL;
    bx_mock *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->plugin = plugin;
    m->ctx.host = &mock_host;
    m->ctx.host_data = m;
    m->rank = 0;
    m->nranks = 1;
    m->threads = 1;
    m->reps = plugin->default_repetitions ? plugin->default_repetitions : 1;
    /* A descriptor the runner's loader would refuse fails every phase, so a
     * unit test catches it before the plugin meets the runner. */
    if (bxp_check_descriptor(plugin, m->refused, sizeof m->refused) != 0) {
        snprintf(m->error, sizeof m->error, "the runner would refuse this plugin: %s",
                 m->refused);
        fprintf(stderr, "mock: %s\n", m->error);
    }
    for (const bx_param *p = plugin->params; p && p->name; p++) {
        int i = (int)(p - plugin->params);
        if (i >= MOCK_MAX)
            break;
        if (p->def) {
            char err[512];
            if (bxp_parse(p, p->def, &m->values[i], err, sizeof err) == 0)
                m->set[i] = 1; /* a bad default is reported in m->refused */
        }
    }
    return m;
}

void bx_mock_free(bx_mock *m)
{
    if (!m)
        return;
    for (int i = 0; i < MOCK_MAX; i++)
        bxp_value_free(&m->values[i]);
    for (size_t i = 0; i < m->nseries; i++) {
        free(m->series[i].name);
        free(m->series[i].samples);
    }
    for (size_t i = 0; i < m->nmeta; i++) {
        free(m->meta_key[i]);
        free(m->meta_val[i]);
    }
    free(m->describe);
    free(m);
}

int bx_mock_set(bx_mock *m, const char *name, const char *value)
{
    const bx_param *p = bxp_find(m->plugin->params, name);
    if (!p) {
        const char *s = bxp_suggest(m->plugin->params, name);
        snprintf(m->error, sizeof m->error, "unknown parameter '%s' for plugin %s%s%s%s", name,
                 m->plugin->name, s ? "; did you mean '" : "", s ? s : "", s ? "'?" : "");
        return BX_EINVAL;
    }
    int i = (int)(p - m->plugin->params);
    bxp_value v;
    if (bxp_parse(p, value, &v, m->error, sizeof m->error) != 0)
        return BX_EINVAL;
    bxp_value_free(&m->values[i]);
    m->values[i] = v;
    m->set[i] = 1;
    return 0;
}

void bx_mock_set_world(bx_mock *m, int rank, int nranks)
{
    m->rank = rank;
    m->nranks = nranks;
}
void bx_mock_set_node_ranks(bx_mock *m, int node_ranks) { m->node_ranks = node_ranks; }
void bx_mock_set_threads(bx_mock *m, int threads) { m->threads = threads; }
void bx_mock_set_repetitions(bx_mock *m, unsigned reps) { m->reps = reps; }
void bx_mock_set_verbose(bx_mock *m, int verbose) { m->verbose = verbose; }

/* BX_EINVAL (message in m->error) when the loader would refuse the plugin. */
static int refused(bx_mock *m)
{
    if (!m->refused[0])
        return 0;
    snprintf(m->error, sizeof m->error, "the runner would refuse this plugin: %s", m->refused);
    return BX_EINVAL;
}

int bx_mock_check(bx_mock *m)
{
    int rc = refused(m);
    if (rc)
        return rc;
    return m->plugin->check ? m->plugin->check(&m->ctx) : 0;
}

int bx_mock_init(bx_mock *m, void **state)
{
    *state = NULL;
    int rc = refused(m);
    if (rc)
        return rc;
    return m->plugin->init(&m->ctx, state);
}

int bx_mock_run_rep(bx_mock *m, void *state, unsigned rep)
{
    m->warmup = rep == 0;
    int rc = m->plugin->run(&m->ctx, state, rep);
    m->warmup = 0;
    return rc;
}

static void fill_best(bx_mock *m)
{
    for (const bx_metric_def *d = m->plugin->metrics; d && d->name; d++) {
        mock_series *s = series(m, d->name, 0);
        if (!s || s->has_value || s->n == 0)
            continue;
        double best = s->samples[s->n - 1];
        for (size_t i = 0; i < s->n; i++) {
            if (d->better == BX_BETTER_HIGHER && s->samples[i] > best)
                best = s->samples[i];
            if (d->better == BX_BETTER_LOWER && s->samples[i] < best)
                best = s->samples[i];
        }
        s->value = best;
        s->has_value = 1;
    }
}

int bx_mock_report(bx_mock *m, void *state)
{
    int rc = m->plugin->report(&m->ctx, state);
    fill_best(m);
    return rc;
}

void bx_mock_fini(bx_mock *m, void *state) { m->plugin->fini(state); }

int bx_mock_run(bx_mock *m)
{
    int rc = bx_mock_check(m);
    if (rc)
        return rc;
    void *state = NULL;
    rc = bx_mock_init(m, &state);
    if (rc)
        return rc;
    if (!(m->plugin->flags & BX_NO_WARMUP))
        rc = bx_mock_run_rep(m, state, 0);
    for (unsigned r = 1; rc == 0 && r <= m->reps; r++)
        rc = bx_mock_run_rep(m, state, r);
    if (rc == 0)
        rc = bx_mock_report(m, state);
    bx_mock_fini(m, state);
    fill_best(m); /* as the worker: also when a repetition failed */
    return rc;
}

int bx_mock_metric(bx_mock *m, const char *name, double *out)
{
    mock_series *s = series(m, name, 0);
    if (!s || !s->has_value)
        return BX_EINVAL;
    *out = s->value;
    return 0;
}

const double *bx_mock_samples(bx_mock *m, const char *name, size_t *n)
{
    mock_series *s = series(m, name, 0);
    *n = s ? s->n : 0;
    return s ? s->samples : NULL;
}

const char *bx_mock_meta(bx_mock *m, const char *key)
{
    for (size_t i = 0; i < m->nmeta; i++)
        if (strcmp(m->meta_key[i], key) == 0)
            return m->meta_val[i];
    return NULL;
}

const char *bx_mock_error(bx_mock *m) { return m->error; }

int bx_mock_warnings(bx_mock *m, const char **last)
{
    if (last)
        *last = m->last_warning;
    return m->nwarnings;
}

const char *bx_mock_describe(bx_mock *m)
{
    free(m->describe);
    m->describe = NULL;
    m->describe_len = 0;
    if (m->plugin->describe)
        m->plugin->describe(&m->ctx);
    return m->describe ? m->describe : "";
}
