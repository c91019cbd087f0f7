/* plan.c — configuration files, command-line experiments, sweep expansion, validation. */
#define _GNU_SOURCE
#include "launch.h"
#include "plan.h"

#include <errno.h>
#include <libconfig.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cfgsrc.h"
#include "slurm_opts.h"
#include "text.h"
#include "paramval.h"

#define MAX_POINTS 100000

void settings_init(settings *s)
{
    memset(s, 0, sizeof *s);
    s->ranks = s->threads = s->repetitions = -1;
    s->spread_target = -1;
    s->timeout = -1;
}

void settings_free(settings *s)
{
    free(s->launcher);
    strvec_free(&s->tags);
    strvec_free(&s->mpirun_args);
    settings_init(s);
}

static void dim_free(dim *d)
{
    free(d->name);
    free(d->where);
    strvec_free(&d->values);
}

static void experiment_free(experiment *e)
{
    free(e->name);
    free(e->plugin);
    free(e->where);
    for (size_t i = 0; i < e->ndims; i++)
        dim_free(&e->dims[i]);
    free(e->dims);
    settings_free(&e->set);
    cJSON_Delete(e->slurm);
}

void config_free(config *cfg)
{
    for (size_t i = 0; i < cfg->nexps; i++)
        experiment_free(&cfg->exps[i]);
    free(cfg->exps);
    free(cfg->path);
    free(cfg->database);
    settings_free(&cfg->defaults);
    cJSON_Delete(cfg->slurm);
    memset(cfg, 0, sizeof *cfg);
}

/* ---- reading libconfig ------------------------------------------------ */

/* The text being read (config_load_text), for file:line of every setting. */
static const cfgsrc *g_src;

static int raw_line(const config_setting_t *s)
{
    int l = (int)config_setting_source_line(s);
    return l > 0 ? l : 1;
}

/* The line of s in the file it was written in (an @include'd one too). */
static int line_of(const config_setting_t *s) { return cfgsrc_line(g_src, raw_line(s)); }

/* The file s was written in; `file` (the configuration) when not known. */
static const char *file_of(const char *file, const config_setting_t *s)
{
    return g_src ? cfgsrc_file(g_src, raw_line(s), file) : file;
}

/* "%s:%d" arguments: the file and line of setting s. */
#define AT(file, s) file_of((file), (s)), line_of(s)

/* The value of setting s as the user wrote it (for messages), else the number v. */
static const char *as_written(const config_setting_t *s, long long v, char *buf, size_t len)
{
    const char *name = config_setting_name(s);
    if (!name || cfgsrc_literal(g_src, raw_line(s), name, buf, len) != 0)
        snprintf(buf, len, "%lld", v);
    return buf;
}

static const char *kind_name(int type)
{
    switch (type) {
    case CONFIG_TYPE_GROUP: return "a group { }";
    case CONFIG_TYPE_ARRAY: return "an array [ ]";
    case CONFIG_TYPE_LIST: return "a list ( )";
    case CONFIG_TYPE_STRING: return "a string";
    case CONFIG_TYPE_BOOL: return "a boolean";
    case CONFIG_TYPE_FLOAT: return "a number";
    default: return "an integer";
    }
}

/* A scalar setting as text; NULL if it is not a scalar. Caller frees. */
static char *scalar_text(const config_setting_t *s)
{
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT: return xasprintf("%d", config_setting_get_int(s));
    case CONFIG_TYPE_INT64: return xasprintf("%lld", config_setting_get_int64(s));
    case CONFIG_TYPE_FLOAT: return xasprintf("%.17g", config_setting_get_float(s));
    case CONFIG_TYPE_BOOL: return xstrdup(config_setting_get_bool(s) ? "true" : "false");
    case CONFIG_TYPE_STRING: return xstrdup(config_setting_get_string(s));
    default: return NULL;
    }
}

static int is_list(const config_setting_t *s)
{
    int t = config_setting_type(s);
    return t == CONFIG_TYPE_ARRAY || t == CONFIG_TYPE_LIST;
}

static const char *suggest_key(const char *name, const char *const *keys)
{
    bx_param tbl[32];
    size_t n = 0;
    for (; keys[n] && n < 31; n++) {
        memset(&tbl[n], 0, sizeof tbl[n]);
        tbl[n].name = keys[n];
    }
    memset(&tbl[n], 0, sizeof tbl[n]);
    return bxp_suggest(tbl, name);
}

static int check_keys(const char *file, const config_setting_t *grp, const char *const *keys,
                      const char *what, char *err, size_t errlen)
{
    int n = config_setting_length(grp);
    for (int i = 0; i < n; i++) {
        const config_setting_t *s = config_setting_get_elem(grp, (unsigned)i);
        const char *name = config_setting_name(s);
        int ok = 0;
        for (const char *const *k = keys; *k; k++)
            if (name && strcmp(name, *k) == 0)
                ok = 1;
        if (!ok) {
            const char *sug = name ? suggest_key(name, keys) : NULL;
            char allowed[512] = "";
            size_t off = 0;
            for (const char *const *k = keys; *k && off < sizeof allowed; k++)
                off += (size_t)snprintf(allowed + off, sizeof allowed - off, "%s%s",
                                        k == keys ? "" : ", ", *k);
            if (sug)
                return errf(err, errlen, BX_EINVAL, "%s:%d: unknown setting '%s' in %s; did you mean '%s'?",
                            AT(file, s), name ? name : "?", what, sug);
            return errf(err, errlen, BX_EINVAL, "%s:%d: unknown setting '%s' in %s (allowed: %s)",
                        AT(file, s), name ? name : "?", what, allowed);
        }
    }
    return 0;
}

static int get_long(const char *file, const config_setting_t *s, long lo, long hi, long *out,
                    char *err, size_t errlen)
{
    int t = config_setting_type(s);
    long long v;
    if (t == CONFIG_TYPE_INT)
        v = config_setting_get_int(s);
    else if (t == CONFIG_TYPE_INT64)
        v = config_setting_get_int64(s);
    else
        return errf(err, errlen, BX_EINVAL, "%s:%d: '%s' must be an integer, not %s", AT(file,
                    s), config_setting_name(s), kind_name(t));
    char lit[64];
    if (v < lo || v > hi)
        return errf(err, errlen, BX_EINVAL, "%s:%d: '%s' = %s is out of range (%ld .. %ld)",
                    AT(file, s), config_setting_name(s), as_written(s, v, lit, sizeof lit), lo,
                    hi);
    *out = (long)v;
    return 0;
}

static int get_string(const char *file, const config_setting_t *s, const char **out, char *err,
                      size_t errlen)
{
    if (config_setting_type(s) != CONFIG_TYPE_STRING)
        return errf(err, errlen, BX_EINVAL, "%s:%d: '%s' must be a string, not %s", AT(file,
                    s), config_setting_name(s), kind_name(config_setting_type(s)));
    *out = config_setting_get_string(s);
    return 0;
}

static int get_strings(const char *file, const config_setting_t *s, strvec *out, char *err,
                       size_t errlen)
{
    if (config_setting_type(s) == CONFIG_TYPE_STRING) {
        strvec_push(out, config_setting_get_string(s));
        return 0;
    }
    if (!is_list(s))
        return errf(err, errlen, BX_EINVAL, "%s:%d: '%s' must be a string or a list of strings",
                    AT(file, s), config_setting_name(s));
    int n = config_setting_length(s);
    for (int i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        if (config_setting_type(e) != CONFIG_TYPE_STRING)
            return errf(err, errlen, BX_EINVAL, "%s:%d: '%s' must hold only strings", AT(file,
                        e), config_setting_name(s));
        strvec_push(out, config_setting_get_string(e));
    }
    return 0;
}

/* libconfig setting -> cJSON (for the slurm groups). */
static cJSON *setting_to_json(const config_setting_t *s)
{
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_GROUP: {
        cJSON *o = cJSON_CreateObject();
        int n = config_setting_length(s);
        for (int i = 0; i < n; i++) {
            const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
            cJSON *v = setting_to_json(e);
            cJSON_AddItemToObject(o, config_setting_name(e), v);
            /* remember the line for error messages */
            char *k = xasprintf("%s#line", config_setting_name(e));
            cJSON_AddNumberToObject(o, k, line_of(e));
            free(k);
        }
        return o;
    }
    case CONFIG_TYPE_ARRAY:
    case CONFIG_TYPE_LIST: {
        cJSON *a = cJSON_CreateArray();
        int n = config_setting_length(s);
        for (int i = 0; i < n; i++)
            cJSON_AddItemToArray(a, setting_to_json(config_setting_get_elem(s, (unsigned)i)));
        return a;
    }
    case CONFIG_TYPE_STRING: return cJSON_CreateString(config_setting_get_string(s));
    case CONFIG_TYPE_BOOL: return cJSON_CreateBool(config_setting_get_bool(s));
    case CONFIG_TYPE_FLOAT: return cJSON_CreateNumber(config_setting_get_float(s));
    case CONFIG_TYPE_INT64: return cJSON_CreateNumber((double)config_setting_get_int64(s));
    default: return cJSON_CreateNumber(config_setting_get_int(s));
    }
}

static void add_dim(experiment *e, const char *name, int kind, const char *where)
{
    e->dims = xrealloc(e->dims, (e->ndims + 1) * sizeof *e->dims);
    dim *d = &e->dims[e->ndims++];
    memset(d, 0, sizeof *d);
    d->name = xstrdup(name);
    d->kind = kind;
    d->where = xstrdup(where);
}

/* A value or a list of values (a sweep) into a new dimension. */
static int read_dim(const char *file, experiment *e, const config_setting_t *s, const char *name,
                    int kind, char *err, size_t errlen)
{
    char *where = xasprintf("%s:%d", AT(file, s));
    add_dim(e, name, kind, where);
    free(where);
    dim *d = &e->dims[e->ndims - 1];
    if (is_list(s)) {
        int n = config_setting_length(s);
        if (n == 0)
            return errf(err, errlen, BX_EINVAL, "%s:%d: '%s' is an empty list", AT(file, s),
                        name);
        for (int i = 0; i < n; i++) {
            const config_setting_t *v = config_setting_get_elem(s, (unsigned)i);
            char *t = scalar_text(v);
            if (!t)
                return errf(err, errlen, BX_EINVAL, "%s:%d: '%s' must hold only plain values",
                            AT(file, v), name);
            strvec_push_owned(&d->values, t);
        }
        return 0;
    }
    char *t = scalar_text(s);
    if (!t)
        return errf(err, errlen, BX_EINVAL, "%s:%d: '%s' must be a value or a list of values, not %s",
                    AT(file, s), name, kind_name(config_setting_type(s)));
    strvec_push_owned(&d->values, t);
    return 0;
}

static const char *const settings_keys[] = {"repetitions", "timeout", "threads", "ranks",
                                            "launcher", "tags", "mpirun_args", NULL};

int plan_auto_reps(const char *v, long *max)
{
    if (strncmp(v, "auto", 4) != 0 || (v[4] && v[4] != ':'))
        return -1;
    *max = PLAN_AUTO_MAX;
    if (!v[4])
        return 0;
    char *end;
    errno = 0;
    long n = strtol(v + 5, &end, 10);
    if (end == v + 5 || *end || errno || n < 3 || n > 1000000)
        return -1;
    *max = n;
    return 0;
}

/* "repetitions": a count, or "auto[:MAX]" (st->spread_target then PLAN_SPREAD_TARGET). */
static int get_repetitions(const char *file, const config_setting_t *s, settings *st, char *err,
                           size_t errlen)
{
    if (config_setting_type(s) != CONFIG_TYPE_STRING)
        return get_long(file, s, 1, 1000000, &st->repetitions, err, errlen);
    const char *v = config_setting_get_string(s);
    if (plan_auto_reps(v, &st->repetitions) != 0)
        return errf(err, errlen, BX_EINVAL,
                    "%s:%d: 'repetitions' must be a count or \"auto[:MAX]\" (MAX from 3 to "
                    "1000000), not \"%s\"",
                    AT(file, s), v);
    st->spread_target = PLAN_SPREAD_TARGET;
    return 0;
}

/* Read the shared settings; ranks/threads lists become dimensions of e (when e != NULL). */
static int read_settings(const char *file, const config_setting_t *grp, settings *st,
                         experiment *e, char *err, size_t errlen)
{
    const config_setting_t *s;
    int rc;
    if ((s = config_setting_get_member(grp, "ranks"))) {
        if (e && is_list(s))
            rc = read_dim(file, e, s, "ranks", DIM_RANKS, err, errlen);
        else
            rc = get_long(file, s, 1, 1000000, &st->ranks, err, errlen);
        if (rc)
            return rc;
    }
    if ((s = config_setting_get_member(grp, "threads"))) {
        if (e && is_list(s))
            rc = read_dim(file, e, s, "threads", DIM_THREADS, err, errlen);
        else
            rc = get_long(file, s, 1, 100000, &st->threads, err, errlen);
        if (rc)
            return rc;
    }
    if ((s = config_setting_get_member(grp, "repetitions")) &&
        (rc = get_repetitions(file, s, st, err, errlen)))
        return rc;
    if ((s = config_setting_get_member(grp, "timeout"))) {
        int t = config_setting_type(s);
        double v = t == CONFIG_TYPE_FLOAT ? config_setting_get_float(s)
                   : t == CONFIG_TYPE_INT ? config_setting_get_int(s)
                   : t == CONFIG_TYPE_INT64 ? (double)config_setting_get_int64(s)
                                            : -1;
        if (t != CONFIG_TYPE_FLOAT && t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64)
            return errf(err, errlen, BX_EINVAL, "%s:%d: 'timeout' must be a number of seconds",
                        AT(file, s));
        char lit[64];
        if (!(v > 0) || v > 31 * 86400.0) {
            if (cfgsrc_literal(g_src, raw_line(s), "timeout", lit, sizeof lit) != 0)
                snprintf(lit, sizeof lit, "%g", v);
            return errf(err, errlen, BX_EINVAL,
                        "%s:%d: 'timeout' = %s is out of range (more than 0, at most 31 days)",
                        AT(file, s), lit);
        }
        st->timeout = v;
    }
    if ((s = config_setting_get_member(grp, "launcher"))) {
        const char *l = NULL;
        if ((rc = get_string(file, s, &l, err, errlen)))
            return rc;
        char names[64];
        if (!launcher_find(l))
            return errf(err, errlen, BX_EINVAL, "%s:%d: launcher '%s' is not one of %s",
                        AT(file, s), l, launcher_names(names, sizeof names, ", ", ", "));
        free(st->launcher);
        st->launcher = xstrdup(l);
    }
    if ((s = config_setting_get_member(grp, "tags")) &&
        (rc = get_strings(file, s, &st->tags, err, errlen)))
        return rc;
    if ((s = config_setting_get_member(grp, "mpirun_args")) &&
        (rc = get_strings(file, s, &st->mpirun_args, err, errlen)))
        return rc;
    return 0;
}

static int read_experiment(const char *file, const config_setting_t *g, size_t idx,
                           experiment *e, char *err, size_t errlen)
{
    static const char *const keys[] = {"name",     "plugin",  "params",      "sweep",
                                       "ranks",    "threads", "repetitions", "timeout",
                                       "launcher", "tags",    "mpirun_args", "slurm",
                                       NULL};
    memset(e, 0, sizeof *e);
    settings_init(&e->set);
    e->where = xasprintf("%s:%d", AT(file, g));
    if (config_setting_type(g) != CONFIG_TYPE_GROUP)
        return errf(err, errlen, BX_EINVAL, "%s: experiment %zu must be a group { ... }", e->where,
                    idx + 1);
    int rc = check_keys(file, g, keys, "an experiment", err, errlen);
    if (rc)
        return rc;
    const config_setting_t *s;
    const char *str = NULL;
    if (!(s = config_setting_get_member(g, "plugin")))
        return errf(err, errlen, BX_EINVAL, "%s: experiment %zu has no 'plugin'", e->where,
                    idx + 1);
    if ((rc = get_string(file, s, &str, err, errlen)))
        return rc;
    e->plugin = xstrdup(str);
    free(e->where);
    e->where = xasprintf("%s:%d", AT(file, s));
    if ((s = config_setting_get_member(g, "name"))) {
        if ((rc = get_string(file, s, &str, err, errlen)))
            return rc;
        e->name = xstrdup(str);
    } else {
        e->name = xasprintf("%s-%zu", e->plugin, idx + 1);
    }
    if ((s = config_setting_get_member(g, "sweep"))) {
        if ((rc = get_string(file, s, &str, err, errlen)))
            return rc;
        if (strcmp(str, "zip") == 0)
            e->zip = 1;
        else if (strcmp(str, "product") != 0)
            return errf(err, errlen, BX_EINVAL, "%s:%d: sweep '%s' is not 'product' or 'zip'",
                        AT(file, s), str);
    }
    if ((rc = read_settings(file, g, &e->set, e, err, errlen)))
        return rc;
    if ((s = config_setting_get_member(g, "params"))) {
        if (config_setting_type(s) != CONFIG_TYPE_GROUP)
            return errf(err, errlen, BX_EINVAL, "%s:%d: 'params' must be a group { name = value; }",
                        AT(file, s));
        int n = config_setting_length(s);
        for (int i = 0; i < n; i++) {
            const config_setting_t *p = config_setting_get_elem(s, (unsigned)i);
            if ((rc = read_dim(file, e, p, config_setting_name(p), DIM_PARAM, err, errlen)))
                return rc;
        }
    }
    if ((s = config_setting_get_member(g, "slurm"))) {
        if (config_setting_type(s) != CONFIG_TYPE_GROUP)
            return errf(err, errlen, BX_EINVAL, "%s:%d: 'slurm' must be a group", AT(file,
                        s));
        e->slurm = setting_to_json(s);
    }
    return 0;
}

int config_load(const char *path, config *cfg, char *err, size_t errlen)
{
    memset(cfg, 0, sizeof *cfg);
    settings_init(&cfg->defaults);
    cfg->path = xstrdup(path);
    struct stat st;
    if (stat(path, &st) != 0)
        return errf(err, errlen, BX_EINVAL, "cannot read configuration %s: %s", path,
                    strerror(errno));
    if (!S_ISREG(st.st_mode))
        return errf(err, errlen, BX_EINVAL, "configuration %s is not a regular file", path);
    if (st.st_size == 0)
        return errf(err, errlen, BX_EINVAL,
                    "configuration %s is empty; it needs an experiments = ( ... ); list "
                    "(see examples/quickstart.cfg)",
                    path);
    /* A NUL byte means a binary file: refuse it before libconfig guesses. */
    char *text = NULL;
    size_t len = 0;
    if (read_file(path, 16u << 20, &text, &len, err, errlen) != 0)
        return BX_EINVAL;
    config_free(cfg); /* config_load_text initialises it again */
    int rc = config_load_text(path, text, len, cfg, err, errlen);
    free(text);
    return rc;
}

int config_load_text(const char *path, const char *text, size_t len, config *cfg, char *err,
                     size_t errlen)
{
    memset(cfg, 0, sizeof *cfg);
    settings_init(&cfg->defaults);
    cfg->path = xstrdup(path);
    size_t line = 1;
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\n')
            line++;
        if (text[i] == '\0')
            return errf(err, errlen, BX_EINVAL,
                        "%s:%zu: this is not a text file (a NUL byte); is it the right file?",
                        path, line);
    }
    /* @include expanded (relative to the including file), integers checked as written */
    cfgsrc src;
    if (cfgsrc_build(&src, path, text, len, err, errlen) != 0) {
        cfgsrc_free(&src);
        return BX_EINVAL;
    }
    config_t c;
    config_init(&c);
    if (config_read_string(&c, src.text) != CONFIG_TRUE) {
        int el = config_error_line(&c);
        int rc = errf(err, errlen, BX_EINVAL, "%s:%d: syntax error: %s",
                      cfgsrc_file(&src, el, path), cfgsrc_line(&src, el), config_error_text(&c));
        config_destroy(&c);
        cfgsrc_free(&src);
        return rc;
    }
    g_src = &src;
    static const char *const top[] = {"database", "defaults", "experiments", "slurm", NULL};
    const config_setting_t *root = config_root_setting(&c);
    int rc = check_keys(path, root, top, "the file", err, errlen);
    const config_setting_t *s;
    const char *str = NULL;
    if (!rc && (s = config_setting_get_member(root, "database"))) {
        rc = get_string(path, s, &str, err, errlen);
        if (!rc)
            cfg->database = xstrdup(str);
    }
    if (!rc && (s = config_setting_get_member(root, "defaults"))) {
        if (config_setting_type(s) != CONFIG_TYPE_GROUP)
            rc = errf(err, errlen, BX_EINVAL, "%s:%d: 'defaults' must be a group { ... }", AT(path,
                      s));
        if (!rc)
            rc = check_keys(path, s, settings_keys, "defaults", err, errlen);
        if (!rc)
            rc = read_settings(path, s, &cfg->defaults, NULL, err, errlen);
    }
    if (!rc && (s = config_setting_get_member(root, "slurm"))) {
        if (config_setting_type(s) != CONFIG_TYPE_GROUP)
            rc = errf(err, errlen, BX_EINVAL, "%s:%d: 'slurm' must be a group { ... }", AT(path,
                      s));
        else
            cfg->slurm = setting_to_json(s);
    }
    if (!rc) {
        s = config_setting_get_member(root, "experiments");
        if (!s)
            rc = errf(err, errlen, BX_EINVAL,
                      "%s: no 'experiments' list; add experiments = ( { plugin = \"stream\"; } );",
                      path);
        else if (!is_list(s) || config_setting_length(s) == 0)
            rc = errf(err, errlen, BX_EINVAL,
                      "%s:%d: 'experiments' must be a non-empty list ( { ... }, { ... } )", AT(path,
                      s));
        else {
            size_t n = (size_t)config_setting_length(s);
            cfg->exps = xcalloc(n, sizeof *cfg->exps);
            for (size_t i = 0; !rc && i < n; i++) {
                rc = read_experiment(path, config_setting_get_elem(s, (unsigned)i), i,
                                     &cfg->exps[i], err, errlen);
                cfg->nexps = i + 1;
            }
            for (size_t i = 0; !rc && i < n; i++)
                for (size_t j = 0; j < i; j++)
                    if (strcmp(cfg->exps[i].name, cfg->exps[j].name) == 0) {
                        rc = errf(err, errlen, BX_EINVAL,
                                  "%s: experiment name '%s' is used twice (also at %s)",
                                  cfg->exps[i].where, cfg->exps[i].name, cfg->exps[j].where);
                        break;
                    }
        }
    }
    config_destroy(&c);
    g_src = NULL;
    cfgsrc_free(&src);
    return rc;
}

int config_from_cli(const char *plugin, const strvec *pargs, config *cfg, char *err,
                    size_t errlen)
{
    memset(cfg, 0, sizeof *cfg);
    settings_init(&cfg->defaults);
    cfg->exps = xcalloc(1, sizeof *cfg->exps);
    cfg->nexps = 1;
    experiment *e = &cfg->exps[0];
    settings_init(&e->set);
    e->name = xstrdup(plugin);
    e->plugin = xstrdup(plugin);
    e->where = xstrdup("the command line");
    for (size_t i = 0; pargs && i < pargs->n; i++) {
        const char *a = pargs->v[i];
        const char *eq = strchr(a, '=');
        if (!eq || eq == a)
            return errf(err, errlen, BX_EINVAL, "-p %s: expected NAME=VALUE", a);
        char *name = xasprintf("%.*s", (int)(eq - a), a);
        for (size_t k = 0; k < e->ndims; k++)
            if (strcmp(e->dims[k].name, name) == 0) {
                int rc = errf(err, errlen, BX_EINVAL, "-p %s: parameter '%s' is given twice", a,
                              name);
                free(name);
                return rc;
            }
        char *where = xasprintf("-p %s", a);
        add_dim(e, name, DIM_PARAM, where);
        /* A comma list is a sweep, unless the whole text is itself a valid
         * value (an enum choice such as phases=write,read): plan_build
         * decides, knowing the type.  Mark it with a leading NUL-free tag. */
        strvec_push(&e->dims[e->ndims - 1].values, eq + 1);
        e->dims[e->ndims - 1].kind = DIM_PARAM | 0x100;
        free(where);
        free(name);
    }
    return 0;
}

/* ---- validation and expansion ----------------------------------------- */

static loaded_plugin *get_plugin(plan *p, const strvec *dirs, const char *name, char *err,
                                 size_t errlen)
{
    for (size_t i = 0; i < p->nplugins; i++)
        if (strcmp(p->plugins[i].desc->name, name) == 0)
            return &p->plugins[i];
    loaded_plugin lp;
    if (plugin_find(dirs, name, core_host(), &lp, err, errlen) != 0)
        return NULL;
    p->plugins[p->nplugins] = lp;
    return &p->plugins[p->nplugins++];
}

/* Split "128,192" into values when the whole text is not itself valid. */
static void split_cli_dim(dim *d, const bx_param *bp)
{
    const char *text = d->values.v[0];
    if (!strchr(text, ','))
        return;
    if (bp) {
        bxp_value v;
        char e[256];
        if (bxp_parse(bp, text, &v, e, sizeof e) == 0) {
            bxp_value_free(&v);
            return; /* a valid value with a comma in it */
        }
    } else if (d->kind != DIM_RANKS && d->kind != DIM_THREADS) {
        return;
    }
    /* Keep empty items ("1,,2"): validation then says what is wrong with them. */
    strvec out = {0};
    for (const char *t = text;;) {
        const char *c = strchr(t, ',');
        size_t n = c ? (size_t)(c - t) : strlen(t);
        strvec_push_owned(&out, xasprintf("%.*s", (int)n, t));
        if (!c)
            break;
        t = c + 1;
    }
    if (out.n) {
        strvec_free(&d->values);
        d->values = out;
    } else {
        strvec_free(&out);
    }
}

static void point_free(point *pt)
{
    pset_free(&pt->params);
    free(pt->launcher);
    free(pt->label);
    strvec_free(&pt->tags);
    strvec_free(&pt->mpirun_args);
}

void plan_free(plan *p)
{
    for (size_t i = 0; i < p->npoints; i++)
        point_free(&p->points[i]);
    free(p->points);
    for (size_t i = 0; i < p->nplugins; i++)
        plugin_unload(&p->plugins[i]);
    free(p->plugins);
    memset(p, 0, sizeof *p);
}

static void copy_strs(strvec *dst, const strvec *a, const strvec *b);

/* A copy of src that owns its own strings (the label is left to the caller). */
static void point_clone(point *dst, const point *src)
{
    *dst = *src;
    pset_copy(&dst->params, &src->params);
    dst->launcher = src->launcher ? xstrdup(src->launcher) : NULL;
    dst->label = NULL;
    memset(&dst->tags, 0, sizeof dst->tags);
    memset(&dst->mpirun_args, 0, sizeof dst->mpirun_args);
    copy_strs(&dst->tags, &src->tags, &(strvec){0});
    copy_strs(&dst->mpirun_args, &src->mpirun_args, &(strvec){0});
}

cJSON *plan_points_json(const plan *p)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < p->npoints; i++) {
        const point *pt = &p->points[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "pos", (double)pt->pos);
        cJSON_AddNumberToObject(o, "index", pt->index);
        cJSON_AddStringToObject(o, "label", pt->label ? pt->label : "");
        cJSON *ps = cJSON_AddObjectToObject(o, "params");
        for (size_t k = 0; k < pt->params.n; k++)
            if (pt->params.set[k])
                cJSON_AddStringToObject(ps, pt->params.desc->params[k].name,
                                        pt->params.vals[k].text);
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

int plan_adopt(plan *p, const cJSON *points, char *err, size_t errlen)
{
    size_t n = (size_t)cJSON_GetArraySize(points), cap = n + 1;
    if (!cJSON_IsArray(points) || n == 0)
        return errf(err, errlen, BX_EINVAL, "the plan's check made no point");
    plan np = {.points = xcalloc(cap, sizeof *np.points)};
    int rc = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, points)
    {
        double pos, index;
        const cJSON *ps = cJSON_GetObjectItemCaseSensitive(it, "params"), *kv;
        if (json_num(it, "pos", &pos) != 0 || json_num(it, "index", &index) != 0 || pos < 0 ||
            pos >= (double)p->npoints || !cJSON_IsObject(ps) || !json_str(it, "label")) {
            rc = errf(err, errlen, BX_EINVAL, "the plan's check answered a malformed point");
            break;
        }
        point pt;
        point_clone(&pt, &p->points[(size_t)pos]);
        pt.index = (int)index;
        pt.label = xstrdup(json_str(it, "label"));
        cJSON_ArrayForEach(kv, ps)
        {
            if (rc == 0 && (!cJSON_IsString(kv) ||
                            pset_set(&pt.params, kv->string, kv->valuestring, err, errlen) != 0))
                rc = BX_EINVAL;
        }
        np.points[np.npoints++] = pt;
        if (rc)
            break;
    }
    if (rc == 0) {
        for (size_t i = 0; i < p->npoints; i++)
            point_free(&p->points[i]);
        free(p->points);
        p->points = np.points;
        p->npoints = np.npoints;
    } else {
        for (size_t i = 0; i < np.npoints; i++)
            point_free(&np.points[i]);
        free(np.points);
    }
    return rc;
}

static void push_point(plan *p, size_t *cap, point *pt)
{
    if (p->npoints == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        p->points = xrealloc(p->points, *cap * sizeof *p->points);
    }
    p->points[p->npoints++] = *pt;
}

static const char *pick_str(const char *a, const char *b, const char *c)
{
    return a ? a : b ? b : c;
}

static long pick_long(long a, long b, long c, long dflt)
{
    return a >= 0 ? a : b >= 0 ? b : c >= 0 ? c : dflt;
}

static void copy_strs(strvec *dst, const strvec *a, const strvec *b)
{
    for (size_t i = 0; i < a->n; i++)
        strvec_push(dst, a->v[i]);
    for (size_t i = 0; i < b->n; i++) {
        int dup = 0;
        for (size_t k = 0; k < dst->n; k++)
            dup |= strcmp(dst->v[k], b->v[i]) == 0;
        if (!dup)
            strvec_push(dst, b->v[i]);
    }
}

/* The plugin's check() in the runner, before anything is launched. */
static int run_check(point *pt, char *msg, size_t len)
{
    const bx_plugin *d = pt->plugin->desc;
    if (!d->check)
        return 0;
    hostctx h;
    hostctx_init(&h, d, &pt->params);
    h.nranks = pt->ranks;
    h.node_ranks = pt->node_ranks;
    h.threads = pt->threads;
    h.reps = pt->repetitions;
    h.min_log_level = BX_LOG_ERROR + 1; /* the worker prints warnings, once */
    h.collect = 0;
    int rc = hostctx_misuse(&h, d->check(&h.ctx));
    if (rc)
        snprintf(msg, len, "%s", h.error[0] ? h.error : bx_strerror(rc));
    hostctx_free(&h);
    return rc;
}

/* Resolve launcher/ranks/threads and check them against the plugin. */
static int finish_point(point *pt, const config *cfg, const experiment *e,
                        const cli_overrides *ov, char *err, size_t errlen)
{
    const bx_plugin *d = pt->plugin->desc;
    const char *l = pick_str(ov->set.launcher, e->set.launcher, cfg->defaults.launcher);
    if (!l)
        l = (d->flags & BX_NEEDS_MPI) || pt->ranks > 1 ? "mpi" : "local";
    char names[64];
    if (!launcher_find(l))
        return errf(err, errlen, BX_EINVAL, "launcher '%s' is not one of %s", l,
                    launcher_names(names, sizeof names, ", ", ", "));
    if (strcmp(l, "local") == 0 && (d->flags & BX_NEEDS_MPI))
        return errf(err, errlen, BX_EINVAL,
                    "%s: plugin %s needs MPI; use --launcher mpi (or leave the launcher unset)",
                    e->where, d->name);
    if (strcmp(l, "local") == 0 && pt->ranks > 1)
        return errf(err, errlen, BX_EINVAL,
                    "%s: %d ranks need the mpi or slurm launcher, not local", e->where,
                    pt->ranks);
    if (pt->ranks > 1 && !(d->flags & (BX_NEEDS_MPI | BX_USES_MPI)))
        return errf(err, errlen, BX_EINVAL,
                    "%s: plugin %s does not use MPI, so it runs with one rank (ranks = %d given)",
                    e->where, d->name, pt->ranks);
    pt->launcher = xstrdup(l);
    pt->mpi = (d->flags & BX_NEEDS_MPI) || pt->ranks > 1;
    /* The local and mpi launchers put every rank on this node; Slurm spreads
     * them over slurm.nodes (the experiment's, else the file's), block by block. */
    pt->node_ranks = pt->ranks;
    long nodes = strcmp(l, "slurm") == 0 ? slurm_nodes(cfg->slurm, e->slurm) : 0;
    if (nodes > 0)
        pt->node_ranks = (int)((pt->ranks + nodes - 1) / nodes);
    return 0;
}

static char *make_label(const experiment *e, const size_t *idx)
{
    char buf[1024] = "";
    size_t off = 0;
    for (size_t k = 0; k < e->ndims && off < sizeof buf; k++)
        if (e->dims[k].values.n > 1)
            off += (size_t)snprintf(buf + off, sizeof buf - off, "%s%s=%s", off ? " " : "",
                                    e->dims[k].name, e->dims[k].values.v[idx[k]]);
    return xstrdup(buf);
}

/* Names, tags and values must be text: valid UTF-8, no control character (text.h). */
static int text_ok(const char *where, const char *what, const char *v, char *err, size_t errlen)
{
    char why[128], shown[256];
    if (text_check(v, why, sizeof why) == 0)
        return 0;
    text_escape(v, shown, sizeof shown);
    return errf(err, errlen, BX_EINVAL,
                "%s: %s \"%s\": %s; names, tags and values must be printable UTF-8 text", where,
                what, shown, why);
}

static int texts_ok(const char *where, const char *what, const strvec *sv, char *err,
                    size_t errlen)
{
    for (size_t i = 0; i < sv->n; i++)
        if (text_ok(where, what, sv->v[i], err, errlen))
            return BX_EINVAL;
    return 0;
}

/* The names, tags and values of experiment e and the command line: all text. */
static int experiment_texts_ok(const config *cfg, const experiment *e, const cli_overrides *ov,
                               char *err, size_t errlen)
{
    if (text_ok(e->where, "experiment name", e->name, err, errlen) ||
        texts_ok(cfg->path ? cfg->path : "the configuration", "tag", &cfg->defaults.tags, err,
                 errlen) ||
        texts_ok(e->where, "tag", &e->set.tags, err, errlen) ||
        texts_ok("--tag", "tag", &ov->set.tags, err, errlen) ||
        texts_ok(e->where, "mpirun argument", &e->set.mpirun_args, err, errlen) ||
        texts_ok("--mpirun-arg", "mpirun argument", &ov->set.mpirun_args, err, errlen))
        return BX_EINVAL;
    for (size_t k = 0; k < e->ndims; k++)
        for (size_t i = 0; i < e->dims[k].values.n; i++)
            if (text_ok(e->dims[k].where, e->dims[k].name, e->dims[k].values.v[i], err, errlen))
                return BX_EINVAL;
    return 0;
}

/*
 * Check every value of every dimension of e first, so errors point at the
 * line; split -p lists; *total_out: the points of the sweep (product or
 * zip).  0 or BX_EINVAL + err.
 */
static int check_dims(const experiment *e, const bx_plugin *d, size_t *total_out, char *err,
                      size_t errlen)
{
    size_t total = 1, zip_len = 0;
    for (size_t k = 0; k < e->ndims; k++) {
        dim *dm = &e->dims[k];
        int from_cli = (dm->kind & 0x100) != 0;
        dm->kind &= 0xff;
        if (dm->kind == DIM_PARAM) {
            const bx_param *bp = bxp_find(d->params, dm->name);
            if (!bp) {
                const char *s = bxp_suggest(d->params, dm->name);
                if (s)
                    return errf(err, errlen, BX_EINVAL,
                                "%s: unknown parameter '%s' for plugin %s; did you mean '%s'?",
                                dm->where, dm->name, d->name, s);
                return errf(err, errlen, BX_EINVAL,
                            "%s: unknown parameter '%s' for plugin %s (see `benchaas describe %s`)",
                            dm->where, dm->name, d->name, d->name);
            }
            if (from_cli)
                split_cli_dim(dm, bp);
            for (size_t i = 0; i < dm->values.n; i++) {
                bxp_value v;
                char e2[512];
                if (bxp_parse(bp, dm->values.v[i], &v, e2, sizeof e2) != 0)
                    return errf(err, errlen, BX_EINVAL, "%s: %s", dm->where, e2);
                bxp_value_free(&v);
            }
        } else {
            for (size_t i = 0; i < dm->values.n; i++) {
                long v;
                if (parse_long(dm->values.v[i], 1, dm->kind == DIM_RANKS ? 1000000 : 100000, &v))
                    return errf(err, errlen, BX_EINVAL, "%s: %s value '%s' must be a positive integer",
                                dm->where, dm->name, dm->values.v[i]);
            }
        }
        size_t n = dm->values.n;
        if (e->zip && n > 1) {
            if (zip_len && n != zip_len)
                return errf(err, errlen, BX_EINVAL,
                            "%s: sweep = \"zip\" needs lists of the same length ('%s' has %zu "
                            "values, an earlier list has %zu)",
                            dm->where, dm->name, n, zip_len);
            zip_len = n;
        }
        if (!e->zip) {
            if (total * n > MAX_POINTS)
                return errf(err, errlen, BX_EINVAL,
                            "%s: the sweep has more than %d points; split it", e->where,
                            MAX_POINTS);
            total *= n;
        }
    }
    if (e->zip)
        total = zip_len ? zip_len : 1;
    *total_out = total;
    return 0;
}

/* A point's settings: the command line's over the experiment's over the file's defaults. */
static void point_settings(point *pt, const config *cfg, const experiment *e,
                           const cli_overrides *ov, const bx_plugin *d)
{
    pt->ranks = (int)pick_long(ov->set.ranks, e->set.ranks, cfg->defaults.ranks, 1);
    pt->threads = (int)pick_long(ov->set.threads, e->set.threads, cfg->defaults.threads, 1);
    long reps = pick_long(ov->set.repetitions, e->set.repetitions, cfg->defaults.repetitions,
                          d->default_repetitions ? (long)d->default_repetitions : 1);
    pt->repetitions = (unsigned)reps;
    /* auto repetitions (with their MAX) from the level that gave the repetitions */
    const settings *from = ov->set.repetitions > 0 ? &ov->set
                           : e->set.repetitions > 0 ? &e->set
                                                    : &cfg->defaults;
    pt->spread_target = reps > 0 && from->spread_target > 0 ? from->spread_target : 0;
    pt->timeout = ov->set.timeout > 0         ? ov->set.timeout
                  : e->set.timeout > 0        ? e->set.timeout
                  : cfg->defaults.timeout > 0 ? cfg->defaults.timeout
                                              : 3600.0;
    copy_strs(&pt->tags, &cfg->defaults.tags, &e->set.tags);
    {
        strvec none = {0};
        copy_strs(&pt->tags, &ov->set.tags, &none);
    }
    copy_strs(&pt->mpirun_args, &cfg->defaults.mpirun_args, &e->set.mpirun_args);
    {
        strvec none = {0};
        copy_strs(&pt->mpirun_args, &ov->set.mpirun_args, &none);
    }
}

static int build_experiment(plan *p, size_t *cap, const config *cfg, const experiment *e,
                            const cli_overrides *ov, loaded_plugin *lp, char *err, size_t errlen)
{
    const bx_plugin *d = lp->desc;
    if (experiment_texts_ok(cfg, e, ov, err, errlen))
        return BX_EINVAL;
    size_t total = 0;
    int crc = check_dims(e, d, &total, err, errlen);
    if (crc)
        return crc;

    size_t *idx = xcalloc(e->ndims + 1, sizeof *idx);
    int rc = 0;
    for (size_t t = 0; t < total && rc == 0; t++) {
        /* Odometer (product) or lock-step (zip) indices for this point. */
        if (e->zip) {
            for (size_t k = 0; k < e->ndims; k++)
                idx[k] = e->dims[k].values.n > 1 ? t : 0;
        } else if (t > 0) {
            for (size_t k = e->ndims; k-- > 0;) {
                if (++idx[k] < e->dims[k].values.n)
                    break;
                idx[k] = 0;
            }
        }
        point pt;
        memset(&pt, 0, sizeof pt);
        pt.exp = e;
        pt.plugin = lp;
        pset_init(&pt.params, d);
        point_settings(&pt, cfg, e, ov, d);
        for (size_t k = 0; k < e->ndims && rc == 0; k++) {
            const dim *dm = &e->dims[k];
            const char *v = dm->values.v[idx[k]];
            if (dm->kind == DIM_RANKS && ov->set.ranks < 0)
                pt.ranks = atoi(v);
            else if (dm->kind == DIM_THREADS && ov->set.threads < 0)
                pt.threads = atoi(v);
            else if (dm->kind == DIM_PARAM)
                rc = pset_set(&pt.params, dm->name, v, err, errlen);
        }
        pt.index = (int)t;
        pt.label = make_label(e, idx);
        char msg[2048];
        if (rc == 0)
            rc = finish_point(&pt, cfg, e, ov, err, errlen);
        pt.pos = t;
        if (rc == 0 && !ov->no_plugin_code && run_check(&pt, msg, sizeof msg) != 0)
            rc = errf(err, errlen, BX_EINVAL, "%s%s%s%s: %s", e->where,
                      pt.label[0] ? " (" : "", pt.label, pt.label[0] ? ")" : "", msg);
        if (rc) {
            point_free(&pt);
            break;
        }
        if (ov->no_plugin_code || !BX_DESC_HAS(d, expand) || !d->expand) {
            push_point(p, cap, &pt);
            continue;
        }
        /* expand(): one point may become several (an imported HPL.dat). */
        hostctx h;
        hostctx_init(&h, d, &pt.params);
        h.nranks = pt.ranks;
        h.threads = pt.threads;
        h.collect = 0;
        int xr = hostctx_misuse(&h, d->expand(&h.ctx));
        if (xr != 0) {
            rc = errf(err, errlen, BX_EINVAL, "%s: %s", e->where,
                      h.error[0] ? h.error : bx_strerror(xr));
        } else if (h.nexpanded == 0) {
            push_point(p, cap, &pt);
            memset(&pt, 0, sizeof pt);
        } else {
            for (size_t x = 0; x < h.nexpanded && rc == 0; x++) {
                point np;
                point_clone(&np, &pt);
                char lbl[1024] = "";
                size_t off = 0;
                for (size_t k = 0; k < h.expanded[x].n && rc == 0; k++) {
                    const char *kv = h.expanded[x].v[k];
                    const char *eq = strchr(kv, '=');
                    if (!eq) {
                        rc = errf(err, errlen, BX_EINVAL, "%s: plugin %s expanded a bad pair '%s'",
                                  e->where, d->name, kv);
                        break;
                    }
                    char *name = xasprintf("%.*s", (int)(eq - kv), kv);
                    char e2[512];
                    if (pset_set(&np.params, name, eq + 1, e2, sizeof e2) != 0)
                        rc = errf(err, errlen, BX_EINVAL, "%s: %s", e->where, e2);
                    free(name);
                    if (off < sizeof lbl)
                        off += (size_t)snprintf(lbl + off, sizeof lbl - off, "%s%s",
                                                off ? " " : "", kv);
                }
                np.label = xstrdup(lbl);
                np.index = (int)(t * 1000 + x);
                if (rc == 0 && run_check(&np, msg, sizeof msg) != 0)
                    rc = errf(err, errlen, BX_EINVAL, "%s (%s): %s", e->where, np.label, msg);
                if (rc)
                    point_free(&np);
                else
                    push_point(p, cap, &np);
            }
        }
        hostctx_free(&h);
        point_free(&pt);
    }
    free(idx);
    return rc;
}

int plan_build(const config *cfg, const cli_overrides *ov, plan *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    out->plugins = xcalloc(cfg->nexps + 1, sizeof *out->plugins);
    strvec dirs = {0};
    plugin_search_path(ov->plugin_dirs, &dirs);
    size_t cap = 0;
    int rc = 0, matched = 0;
    for (size_t i = 0; i < cfg->nexps && rc == 0; i++) {
        const experiment *e = &cfg->exps[i];
        if (ov->only && strcmp(ov->only, e->name) != 0)
            continue;
        matched++;
        char e2[2048];
        loaded_plugin *lp = get_plugin(out, &dirs, e->plugin, e2, sizeof e2);
        if (!lp) {
            rc = errf(err, errlen, BX_EINVAL, "%s: %s", e->where, e2);
            break;
        }
        rc = build_experiment(out, &cap, cfg, e, ov, lp, err, errlen);
    }
    if (rc == 0 && ov->only && !matched) {
        char names[1024] = "";
        size_t off = 0;
        for (size_t i = 0; i < cfg->nexps && off < sizeof names; i++)
            off += (size_t)snprintf(names + off, sizeof names - off, "%s%s", i ? ", " : "",
                                    cfg->exps[i].name);
        rc = errf(err, errlen, BX_EINVAL, "--only %s: no experiment of that name (there are: %s)",
                  ov->only, names);
    }
    strvec_free(&dirs);
    if (rc)
        plan_free(out);
    return rc;
}
