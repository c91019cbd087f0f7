/* mock.c — a host for plugin unit tests, without the runner. */
#define _POSIX_C_SOURCE 200809L
#include "benchaas/mock.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchaas/sdk.h"
#include "collector.h"
#include "paramval.h"

#define MOCK_MAX 128

/* One simulated rank: its own context, warm-up flag and repetition. */
typedef struct mock_rank {
    bx_ctx ctx;
    struct bx_mock *m;
    int rank;
    int warmup;
    unsigned rep;
} mock_rank;

/* Collectives among the threads of bx_mock_run_ranks(). */
typedef struct mock_world {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int n, arrived;
    unsigned long gen;
    double *buf[2];
    int count[2];
    int bad; /* ranks disagreed on count or op */
} mock_world;

struct bx_mock {
    const bx_plugin *plugin; /* as given (the callbacks are called through desc) */
    bx_plugin *desc;         /* in this SDK's layout, NULL when refused */
    mock_rank r0;
    bxp_value values[MOCK_MAX]; /* by index in the plugin's table */
    int set[MOCK_MAX];
    int rank, nranks, node_ranks, threads, verbose;
    unsigned reps;
    bxp_collector col;
    double *sample_copy[MOCK_MAX]; /* bx_mock_samples' arrays */
    char error[2048];
    char refused[1024]; /* why the loader would refuse the descriptor, or "" */
    char last_warning[2048];
    int nwarnings;
    char *describe;
    size_t describe_len;
    char ***points; /* expand(): each a NULL-terminated copy of kv */
    size_t npoints;
    int (*barrier_fn)(void *user);
    int (*allreduce_fn)(void *user, double *values, int count, int op);
    void *coll_user;
    mock_world *world; /* during bx_mock_run_ranks */
};

static mock_rank *R(bx_ctx *ctx) { return (mock_rank *)ctx->host_data; }
static bx_mock *M(bx_ctx *ctx) { return R(ctx)->m; }

static char *dupstr(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

static void set_error(bx_mock *m, const char *msg)
{
    pthread_mutex_lock(&m->col.lock);
    snprintf(m->error, sizeof m->error, "%s", msg ? msg : "");
    pthread_mutex_unlock(&m->col.lock);
}

static const bxp_value *value_of(bx_mock *m, const char *name, int get)
{
    int i = bxp_collector_param(&m->col, name, get);
    if (i < 0 || i >= MOCK_MAX)
        return NULL;
    if (m->set[i])
        return &m->values[i];
    return bxp_collector_computed_value(&m->col, (size_t)i);
}

static int h_isset(bx_ctx *ctx, const char *name)
{
    int i = bxp_collector_param(&M(ctx)->col, name, BXP_GET_ISSET);
    return i >= 0 && i < MOCK_MAX && M(ctx)->set[i];
}

static int64_t h_int(bx_ctx *ctx, const char *name)
{
    const bxp_value *v = value_of(M(ctx), name, BXP_GET_INT);
    return v ? v->i : 0;
}

static double h_double(bx_ctx *ctx, const char *name)
{
    const bxp_value *v = value_of(M(ctx), name, BXP_GET_DOUBLE);
    return v ? v->d : 0.0;
}

static const char *h_string(bx_ctx *ctx, const char *name)
{
    const bxp_value *v = value_of(M(ctx), name, BXP_GET_STRING);
    return v ? v->text : NULL;
}

static int h_computed(bx_ctx *ctx, const char *name, const char *value)
{
    bx_mock *m = M(ctx);
    const bx_param *p = bxp_find(m->desc->params, name);
    int given = p && m->set[p - m->desc->params];
    char err[1024];
    int rc = bxp_collector_computed(&m->col, name, value, given, err, sizeof err);
    if (rc) {
        set_error(m, err);
        fprintf(stderr, "mock: %s\n", err);
    }
    return rc;
}

static int h_rank(bx_ctx *ctx) { return M(ctx)->world ? R(ctx)->rank : M(ctx)->rank; }
static int h_nranks(bx_ctx *ctx) { return M(ctx)->world ? M(ctx)->world->n : M(ctx)->nranks; }
static int h_node_ranks(bx_ctx *ctx)
{
    bx_mock *m = M(ctx);
    return m->node_ranks > 0 ? m->node_ranks : h_nranks(ctx);
}
static int h_threads(bx_ctx *ctx) { return M(ctx)->threads; }
static unsigned h_reps(bx_ctx *ctx) { return M(ctx)->reps; }
static int h_warmup(bx_ctx *ctx) { return R(ctx)->warmup; }

/* With simulated ranks, rank 0's results are kept, as in the runner; a mock
 * that pretends to be rank r of n (bx_mock_set_world) keeps its own. */
static int collects(bx_ctx *ctx) { return !M(ctx)->world || R(ctx)->rank == 0; }

static int undeclared(bx_mock *m, const char *err)
{
    set_error(m, err);
    fprintf(stderr, "mock: %s\n", err);
    return BX_EINVAL;
}

static int h_metric(bx_ctx *ctx, const char *name, double value)
{
    bx_mock *m = M(ctx);
    char err[512];
    if (!collects(ctx) && bxp_collector_series(&m->col, name))
        return 0;
    int rc = bxp_collector_metric(&m->col, name, value, err, sizeof err);
    return rc == BX_EINVAL ? undeclared(m, err) : rc;
}

static int h_sample(bx_ctx *ctx, const char *name, double value)
{
    bx_mock *m = M(ctx);
    char err[512];
    if ((R(ctx)->warmup || !collects(ctx)) && bxp_collector_series(&m->col, name))
        return 0;
    int rc = bxp_collector_sample(&m->col, name, R(ctx)->rep, value, err, sizeof err);
    return rc == BX_EINVAL ? undeclared(m, err) : rc;
}

static int h_meta(bx_ctx *ctx, const char *key, const char *value)
{
    /* As the runner's host: a key is required, a NULL value is stored as "". */
    if (!key || !*key)
        return BX_EINVAL;
    return collects(ctx) ? bxp_collector_meta(&M(ctx)->col, key, value) : 0;
}

static void h_log(bx_ctx *ctx, int level, const char *msg)
{
    bx_mock *m = M(ctx);
    if (level == BX_LOG_WARN) {
        pthread_mutex_lock(&m->col.lock);
        m->nwarnings++;
        snprintf(m->last_warning, sizeof m->last_warning, "%s", msg);
        pthread_mutex_unlock(&m->col.lock);
        if (collects(ctx))
            bxp_collector_warning(&m->col, msg);
    }
    if (m->verbose || level >= BX_LOG_ERROR) {
        if (m->world)
            fprintf(stderr, "[%s rank %d] %s\n", m->desc->name, R(ctx)->rank, msg);
        else
            fprintf(stderr, "[%s] %s\n", m->desc->name, msg);
    }
}

static void h_error(bx_ctx *ctx, const char *msg) { set_error(M(ctx), msg); }

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

/* Simulated ranks: every thread adds its values; the last one in wakes the others. */
static int world_allreduce(mock_world *w, double *values, int count, int op)
{
    pthread_mutex_lock(&w->lock);
    unsigned long gen = w->gen;
    int slot = (int)(gen & 1);
    if (w->arrived == 0) {
        free(w->buf[slot]);
        w->buf[slot] = count ? malloc((size_t)count * sizeof(double)) : NULL;
        if (count && w->buf[slot])
            memcpy(w->buf[slot], values, (size_t)count * sizeof(double));
        w->count[slot] = count;
    } else if (w->count[slot] != count || (count && !w->buf[slot])) {
        w->bad = 1;
    } else {
        for (int i = 0; i < count; i++) {
            double *b = &w->buf[slot][i];
            *b = op == BX_OP_SUM   ? *b + values[i]
                 : op == BX_OP_MAX ? (values[i] > *b ? values[i] : *b)
                                   : (values[i] < *b ? values[i] : *b);
        }
    }
    if (++w->arrived == w->n) {
        w->arrived = 0;
        w->gen++;
        pthread_cond_broadcast(&w->cond);
    } else {
        while (w->gen == gen)
            pthread_cond_wait(&w->cond, &w->lock);
    }
    int rc = w->bad ? BX_ECOMM : 0;
    if (rc == 0 && count)
        memcpy(values, w->buf[slot], (size_t)count * sizeof(double));
    pthread_mutex_unlock(&w->lock);
    return rc;
}

static int h_barrier(bx_ctx *ctx)
{
    bx_mock *m = M(ctx);
    if (m->world)
        return world_allreduce(m->world, NULL, 0, BX_OP_SUM);
    return m->barrier_fn ? m->barrier_fn(m->coll_user) : 0;
}

/* One rank: the reduction of a value is the value.  A negative count or an
 * unknown op is refused, as the runner's host refuses them. */
static int h_allreduce(bx_ctx *ctx, double *values, int count, int op)
{
    bx_mock *m = M(ctx);
    if (count < 0 || (count > 0 && !values) || op < BX_OP_SUM || op > BX_OP_MIN)
        return BX_EINVAL;
    if (m->world)
        return world_allreduce(m->world, values, count, op);
    return m->allreduce_fn ? m->allreduce_fn(m->coll_user, values, count, op) : 0;
}

static int h_expand(bx_ctx *ctx, const char *const *kv)
{
    bx_mock *m = M(ctx);
    if (!kv)
        return BX_EINVAL;
    size_t n = 0;
    while (kv[n])
        n++;
    char **copy = calloc(n + 1, sizeof *copy);
    char ***pts = realloc(m->points, (m->npoints + 1) * sizeof *pts);
    if (!copy || !pts) {
        free(copy);
        if (pts)
            m->points = pts;
        return BX_ENOMEM;
    }
    m->points = pts;
    for (size_t i = 0; i < n; i++)
        copy[i] = dupstr(kv[i]);
    m->points[m->npoints++] = copy;
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
    .param_computed = h_computed,
};

const bx_host *bx_mock_host(void) { return &mock_host; }

/* A stand-in with no parameters or metrics for a refused descriptor, so
 * every bx_mock_* call stays safe. */
static const bx_metric_def no_metrics[] = {{NULL, NULL, BX_BETTER_NONE, NULL, 0}};
static const bx_param no_params[] = {{NULL, BX_INT, NULL, 0, 0, NULL, NULL, 0}};

bx_mock *bx_mock_new(const bx_plugin *plugin)
{
    if (!plugin)
        return NULL;
    bx_mock *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->plugin = plugin;
    m->r0.ctx.host = &mock_host;
    m->r0.ctx.host_data = &m->r0;
    m->r0.m = m;
    m->rank = 0;
    m->nranks = 1;
    m->threads = 1;
    /* A descriptor the runner's loader would refuse fails every phase, so a
     * unit test catches it before the plugin meets the runner. */
    if (bxp_check_descriptor(plugin, m->refused, sizeof m->refused) != 0 ||
        bxp_normalize(plugin, &m->desc, m->refused, sizeof m->refused) != 0) {
        if (!m->refused[0])
            snprintf(m->refused, sizeof m->refused, "unusable descriptor");
        snprintf(m->error, sizeof m->error, "the runner would refuse this plugin: %s",
                 m->refused);
        fprintf(stderr, "mock: %s\n", m->error);
        bxp_normalized_free(m->desc);
        bx_plugin *stub = calloc(1, sizeof *stub);
        if (!stub) {
            free(m);
            return NULL;
        }
        /* a stub with the plugin's name, when it has one */
        stub->name = plugin->magic == BX_ABI_MAGIC && plugin->name ? plugin->name : "?";
        stub->params = no_params;
        stub->metrics = no_metrics;
        stub->abi_minor = BX_ABI_MINOR;
        m->desc = stub;
    }
    m->reps = m->desc->default_repetitions ? m->desc->default_repetitions : 1;
    if (bxp_collector_init(&m->col, m->desc) != 0) {
        bx_mock_free(m);
        return NULL;
    }
    for (const bx_param *p = m->desc->params; p && p->name; p++) {
        int i = (int)(p - m->desc->params);
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
    for (int i = 0; i < MOCK_MAX; i++) {
        bxp_value_free(&m->values[i]);
        free(m->sample_copy[i]);
    }
    if (m->col.desc)
        bxp_collector_free(&m->col);
    for (size_t i = 0; i < m->npoints; i++) {
        for (char **k = m->points[i]; *k; k++)
            free(*k);
        free(m->points[i]);
    }
    free(m->points);
    free(m->describe);
    if (m->refused[0])
        free(m->desc); /* the stub */
    else
        bxp_normalized_free(m->desc);
    free(m);
}

int bx_mock_set(bx_mock *m, const char *name, const char *value)
{
    const bx_param *p = bxp_find(m->desc->params, name);
    if (!p) {
        const char *s = bxp_suggest(m->desc->params, name);
        snprintf(m->error, sizeof m->error, "unknown parameter '%s' for plugin %s%s%s%s", name,
                 m->desc->name, s ? "; did you mean '" : "", s ? s : "", s ? "'?" : "");
        return BX_EINVAL;
    }
    int i = (int)(p - m->desc->params);
    if (i >= MOCK_MAX)
        return BX_ENOMEM;
    bxp_value v;
    if (bxp_parse(p, value, &v, m->error, sizeof m->error) != 0)
        return BX_EINVAL;
    bxp_value_free(&m->values[i]);
    m->values[i] = v;
    m->set[i] = 1;
    return 0;
}

int bx_mock_vset(bx_mock *m, va_list ap)
{
    for (const char *kv; (kv = va_arg(ap, const char *));) {
        const char *eq = strchr(kv, '=');
        char name[128];
        if (!eq || (size_t)(eq - kv) >= sizeof name) {
            snprintf(m->error, sizeof m->error, "setting '%.200s': not name=value", kv);
            return BX_EINVAL;
        }
        snprintf(name, sizeof name, "%.*s", (int)(eq - kv), kv);
        int rc = bx_mock_set(m, name, eq + 1);
        if (rc) {
            char why[sizeof m->error];
            snprintf(why, sizeof why, "%s", m->error);
            snprintf(m->error, sizeof m->error, "setting '%.200s': %s", kv, why);
            return rc;
        }
    }
    return 0;
}

void bx_mock_set_world(bx_mock *m, int rank, int nranks)
{
    m->rank = rank;
    m->nranks = nranks;
    m->r0.rank = rank;
}
void bx_mock_set_node_ranks(bx_mock *m, int node_ranks) { m->node_ranks = node_ranks; }
void bx_mock_set_threads(bx_mock *m, int threads) { m->threads = threads; }
void bx_mock_set_repetitions(bx_mock *m, unsigned reps) { m->reps = reps; }
void bx_mock_set_verbose(bx_mock *m, int verbose) { m->verbose = verbose; }

void bx_mock_set_collectives(bx_mock *m, int (*barrier)(void *user),
                             int (*allreduce)(void *user, double *values, int count, int op),
                             void *user)
{
    m->barrier_fn = barrier;
    m->allreduce_fn = allreduce;
    m->coll_user = user;
}

/* BX_EINVAL (message in m->error) when the loader would refuse the plugin. */
static int refused(bx_mock *m)
{
    if (!m->refused[0])
        return 0;
    snprintf(m->error, sizeof m->error, "the runner would refuse this plugin: %s", m->refused);
    return BX_EINVAL;
}

/* rc, or BX_EINTERNAL when the plugin misused a parameter getter (the
 * message, naming the parameter and the plugin, in m->error and on stderr). */
static int misuse(bx_mock *m, int rc)
{
    char why[1024];
    if (!bxp_collector_failed(&m->col, why, sizeof why))
        return rc;
    if (strcmp(m->error, why) != 0) {
        set_error(m, why);
        fprintf(stderr, "mock: %s\n", why);
    }
    return BX_EINTERNAL;
}

static int check_r(bx_mock *m, mock_rank *r)
{
    int rc = refused(m);
    if (rc)
        return rc;
    return misuse(m, m->desc->check ? m->desc->check(&r->ctx) : 0);
}

static int init_r(bx_mock *m, mock_rank *r, void **state)
{
    *state = NULL;
    int rc = refused(m);
    if (rc)
        return rc;
    return misuse(m, m->desc->init(&r->ctx, state));
}

static int run_rep_r(bx_mock *m, mock_rank *r, void *state, unsigned rep)
{
    r->warmup = rep == 0;
    r->rep = rep;
    int rc = misuse(m, m->desc->run(&r->ctx, state, rep));
    r->warmup = 0;
    return rc;
}

int bx_mock_check(bx_mock *m) { return check_r(m, &m->r0); }
int bx_mock_init(bx_mock *m, void **state) { return init_r(m, &m->r0, state); }
int bx_mock_run_rep(bx_mock *m, void *state, unsigned rep)
{
    return run_rep_r(m, &m->r0, state, rep);
}

int bx_mock_report(bx_mock *m, void *state)
{
    int rc = misuse(m, m->desc->report(&m->r0.ctx, state));
    bxp_collector_fill_best(&m->col);
    return rc;
}

void bx_mock_fini(bx_mock *m, void *state) { m->desc->fini(state); }

/* Every rank learns the worst code (with simulated ranks; else rc itself). */
static int agree(bx_mock *m, int rc)
{
    if (!m->world)
        return rc;
    double v = rc;
    world_allreduce(m->world, &v, 1, BX_OP_MIN);
    return (int)v;
}

/* The worker's sequence for one rank. */
static int run_all(bx_mock *m, mock_rank *r)
{
    int rc = agree(m, check_r(m, r));
    if (rc)
        return rc;
    void *state = NULL;
    rc = agree(m, init_r(m, r, &state));
    if (rc)
        return rc;
    if (!(m->desc->flags & BX_NO_WARMUP))
        rc = agree(m, run_rep_r(m, r, state, 0));
    for (unsigned k = 1; rc == 0 && k <= m->reps; k++)
        rc = agree(m, run_rep_r(m, r, state, k));
    if (rc == 0)
        rc = agree(m, misuse(m, m->desc->report(&r->ctx, state)));
    m->desc->fini(state);
    return rc;
}

int bx_mock_run(bx_mock *m)
{
    int rc = run_all(m, &m->r0);
    bxp_collector_fill_best(&m->col); /* as the worker: also when a repetition failed */
    return rc;
}

typedef struct rank_job {
    bx_mock *m;
    mock_rank r;
    int rc;
} rank_job;

static void *rank_main(void *arg)
{
    rank_job *j = arg;
    j->rc = run_all(j->m, &j->r);
    return NULL;
}

int bx_mock_run_ranks(bx_mock *m, int nranks)
{
    if (nranks < 1 || nranks > 1024)
        return BX_EINVAL;
    mock_world w;
    memset(&w, 0, sizeof w);
    pthread_mutex_init(&w.lock, NULL);
    pthread_cond_init(&w.cond, NULL);
    w.n = nranks;
    rank_job *jobs = calloc((size_t)nranks, sizeof *jobs);
    pthread_t *tids = calloc((size_t)nranks, sizeof *tids);
    int rc = jobs && tids ? 0 : BX_ENOMEM;
    m->world = &w;
    int started = 0;
    for (int i = 0; rc == 0 && i < nranks; i++) {
        jobs[i].m = m;
        jobs[i].r.m = m;
        jobs[i].r.rank = i;
        jobs[i].r.ctx.host = &mock_host;
        jobs[i].r.ctx.host_data = &jobs[i].r;
        if (pthread_create(&tids[i], NULL, rank_main, &jobs[i]) != 0)
            rc = BX_ENOMEM; /* the started ranks would wait for ever: give up */
        else
            started++;
    }
    if (rc && started) {
        fprintf(stderr, "mock: cannot start %d threads\n", nranks);
        abort();
    }
    for (int i = 0; i < started; i++) {
        pthread_join(tids[i], NULL);
        if (jobs[i].rc < rc)
            rc = jobs[i].rc;
    }
    m->world = NULL;
    bxp_collector_fill_best(&m->col);
    free(w.buf[0]);
    free(w.buf[1]);
    pthread_cond_destroy(&w.cond);
    pthread_mutex_destroy(&w.lock);
    free(jobs);
    free(tids);
    return rc;
}

int bx_mock_expand(bx_mock *m)
{
    int rc = refused(m);
    if (rc)
        return rc;
    if (!m->desc->expand)
        return 0;
    return misuse(m, m->desc->expand(&m->r0.ctx));
}

size_t bx_mock_points(bx_mock *m) { return m->npoints; }

const char *const *bx_mock_point(bx_mock *m, size_t i)
{
    return i < m->npoints ? (const char *const *)m->points[i] : NULL;
}

int bx_mock_metric(bx_mock *m, const char *name, double *out)
{
    bxp_series *s = bxp_collector_series(&m->col, name);
    if (!s || !s->has_value)
        return BX_EINVAL;
    *out = s->value;
    return 0;
}

const double *bx_mock_samples(bx_mock *m, const char *name, size_t *n)
{
    bxp_series *s = bxp_collector_series(&m->col, name);
    size_t i = s ? (size_t)(s - m->col.series) : 0;
    *n = 0;
    if (!s || !s->n || i >= MOCK_MAX)
        return NULL;
    double *d = realloc(m->sample_copy[i], s->n * sizeof *d);
    if (!d)
        return NULL;
    m->sample_copy[i] = d;
    for (size_t k = 0; k < s->n; k++)
        d[k] = s->samples[k].value;
    *n = s->n;
    return d;
}

const char *bx_mock_meta(bx_mock *m, const char *key)
{
    for (size_t i = 0; key && i < m->col.nmeta; i++)
        if (strcmp(m->col.meta_key[i], key) == 0)
            return m->col.meta_val[i];
    return NULL;
}

size_t bx_mock_meta_count(bx_mock *m) { return m->col.nmeta; }

const char *bx_mock_meta_key(bx_mock *m, size_t i)
{
    return i < m->col.nmeta ? m->col.meta_key[i] : NULL;
}

const char *bx_mock_computed(bx_mock *m, const char *name)
{
    const bx_param *p = bxp_find(m->desc->params, name);
    const bxp_value *v =
        p ? bxp_collector_computed_value(&m->col, (size_t)(p - m->desc->params)) : NULL;
    return v ? v->text : NULL;
}

int bx_mock_is_headline(bx_mock *m, const char *metric)
{
    bxp_series *s = bxp_collector_series(&m->col, metric);
    return s && (s->def->flags & BX_METRIC_HEADLINE) != 0;
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
    if (m->desc->describe)
        m->desc->describe(&m->r0.ctx);
    return m->describe ? m->describe : "";
}
