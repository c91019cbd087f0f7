/*
 * plan.h — experiments (from a config file or the command line) and the
 * validated points they expand to.
 *
 * Everything the user wrote is checked here, before anything runs: plugin
 * names, parameter names (with a did-you-mean), types, ranges, choices, the
 * plugin's own check(), ranks/threads/timeouts.  Errors name the file and
 * line ("run.cfg:7: ...") or the command-line option.
 */
#ifndef BENCHAAS_PLAN_H
#define BENCHAAS_PLAN_H

#include <cjson/cJSON.h>

#include "host.h"
#include "loader.h"
#include "util.h"

enum dim_kind { DIM_PARAM = 0, DIM_RANKS = 1, DIM_THREADS = 2 };

/* One swept (or fixed) dimension: a parameter, or ranks/threads. */
typedef struct dim {
    char *name;
    int kind;
    strvec values; /* text, as the user wrote them (config scalars converted) */
    char *where;   /* "run.cfg:7" or "-p NB=128,192" */
} dim;

/* `auto[:MAX]` repetitions (the command line's --repetitions, a config's or a job's
   "repetitions"): repeat until the headline metric's spread is below the target, at most
   MAX (PLAN_AUTO_MAX by default, from 3). */
#define PLAN_AUTO_MAX 20
#define PLAN_SPREAD_TARGET 0.035 /* PTS's 3.5 % */
/* Parse "auto" or "auto:MAX" into *max; 0, or -1 when v is not that. */
int plan_auto_reps(const char *v, long *max);

/* Settings that defaults{} and an experiment may both give; -1/NULL: unset. */
typedef struct settings {
    long ranks, threads, repetitions;
    double spread_target; /* > 0: repetitions is the most of `auto[:MAX]`; -1 unset */
    double timeout;
    char *launcher;
    strvec tags;
    strvec mpirun_args;
} settings;

typedef struct experiment {
    char *name;
    char *plugin;
    char *where;    /* where the experiment starts, "run.cfg:12" */
    int zip;        /* 1: the lists advance together */
    dim *dims;
    size_t ndims;
    settings set;
    cJSON *slurm;   /* the experiment's own slurm = {...} overrides, or NULL */
} experiment;

typedef struct config {
    char *path;      /* NULL when built from the command line */
    char *database;  /* database = "..." or NULL */
    settings defaults;
    experiment *exps;
    size_t nexps;
    cJSON *slurm;    /* slurm = {...} as JSON, or NULL */
} config;

/* Parse a libconfig file.  BX_EINVAL and "file:line: message" on error. */
int config_load(const char *path, config *cfg, char *err, size_t errlen);
/* The same for text already read (len bytes, NUL-terminated; `path` names it in
 * messages).  Always initialises *cfg: config_free() it, also after an error. */
int config_load_text(const char *path, const char *text, size_t len, config *cfg, char *err,
                     size_t errlen);
void config_free(config *cfg);
void settings_init(settings *s);
void settings_free(settings *s);

/* One validated point, ready to become a run spec. */
typedef struct point {
    const experiment *exp;
    loaded_plugin *plugin; /* borrowed from the plan */
    pset params;
    int ranks, threads;
    int node_ranks; /* the most ranks one node holds (check()'s bx_node_ranks) */
    unsigned repetitions;   /* with spread_target: the most */
    double spread_target;   /* > 0: `--repetitions auto`, stop below this spread */
    double timeout;
    char *launcher;
    strvec tags, mpirun_args;
    int mpi;      /* the worker initialises MPI */
    int index;    /* position within its experiment */
    size_t pos;   /* the sweep's combination it came from (expand() makes several of one) */
    char *label;  /* "NB=128 N=4000" — the swept values, for progress lines */
} point;

typedef struct plan {
    loaded_plugin *plugins;
    size_t nplugins;
    point *points;
    size_t npoints;
} plan;

/* Command-line overrides of run/submit (-1 / NULL: not given). */
typedef struct cli_overrides {
    settings set;
    const char *only;       /* --only NAME */
    const strvec *plugin_dirs;
    int no_plugin_code;     /* 1: neither check() nor expand() runs (the service runs
                               them apart, then plan_adopt()s what they made) */
} cli_overrides;

/*
 * Expand and validate every experiment of cfg into points.  BX_EINVAL and a
 * message when anything is wrong (nothing has run).
 */
int plan_build(const config *cfg, const cli_overrides *ov, plan *out, char *err, size_t errlen);
void plan_free(plan *p);

/*
 * The points of a one-experiment plan as JSON, [{"pos","index","label",
 * "params":{NAME:TEXT}}], and back: plan_adopt() replaces the points of p
 * (built with no_plugin_code, one point per combination) by those of the
 * list, each a copy of the point of its "pos" with the listed values set.
 * 0 or BX_EINVAL + err (p unchanged).
 */
cJSON *plan_points_json(const plan *p);
int plan_adopt(plan *p, const cJSON *points, char *err, size_t errlen);

/* Build a one-experiment config from `run PLUGIN -p k=v ...`. */
int config_from_cli(const char *plugin, const strvec *pargs, config *cfg, char *err,
                    size_t errlen);

#endif
