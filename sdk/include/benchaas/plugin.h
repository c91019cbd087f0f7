/*
 * benchaas/plugin.h — the BenchaaS plugin ABI.
 *
 * A plugin is a shared object that exports one function,
 *
 *     const bx_plugin *benchaas_plugin_entry(const bx_host *host);
 *
 * returning a pointer to a static, read-only descriptor, and (since ABI 1.2)
 * one constant, benchaas_plugin_stamp (bx_stamp, below).  BX_PLUGIN_DEFINE()
 * writes both for you.  The descriptor declares the plugin's
 * parameters and metrics as tables; the core validates every user value
 * against the parameter table before any plugin code runs, and accepts only
 * the metrics declared in the metric table.
 *
 * Versioning (as GStreamer and OBS do it):
 *   - abi_major must equal the runner's BX_ABI_MAJOR;
 *   - abi_minor must be <= the runner's BX_ABI_MINOR;
 *   - struct_size lets fields be appended to bx_plugin and bx_host in later
 *     minors; a reader only touches fields that lie inside struct_size.
 * Fields are only ever appended, never reordered or removed.  The entries
 * of the parameter and metric tables grew a `flags` field in 1.2; the host
 * reads a plugin's tables with the layout of the abi_minor it was built
 * against, so a 1.0 or 1.1 plugin loads and behaves as before.
 *
 * A plugin talks to the core only through the bx_host table handed to it
 * inside every bx_ctx (see benchaas/sdk.h for the convenient wrappers).  A
 * plugin never includes a core header.
 */
#ifndef BENCHAAS_PLUGIN_H
#define BENCHAAS_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BX_ABI_MAGIC 0x42584131u /* "BXA1" */
#define BX_ABI_MAJOR 1
#define BX_ABI_MINOR 3

/* Name of the one exported symbol. */
#define BX_ENTRY_SYMBOL "benchaas_plugin_entry"

/* Error codes: every callback returns 0 or one of these (negative). */
enum {
    BX_OK = 0,
    BX_EINVAL = -1,   /* bad parameter value or combination (exit 2, nothing ran) */
    BX_ENOMEM = -2,   /* allocation failed */
    BX_EIO = -3,      /* an I/O or system call failed */
    BX_EFAILED = -4,  /* the benchmark ran but its validation failed */
    BX_ENOTSUP = -5,  /* asked for something this build cannot do */
    BX_ECOMM = -6,    /* communication with a peer or another rank failed */
    BX_EINTERNAL = -7 /* a bug */
};

typedef enum bx_type {
    BX_BOOL = 1,   /* true/false, yes/no, on/off, 1/0 */
    BX_INT = 2,    /* 64-bit signed integer */
    BX_DOUBLE = 3, /* floating point */
    BX_SIZE = 4,   /* bytes, with k/m/g/t suffixes (powers of 1024) */
    BX_STRING = 5, /* free text (paths, host names) */
    BX_ENUM = 6    /* one of the NULL-terminated `choices` */
} bx_type;

typedef enum bx_better {
    BX_BETTER_NONE = 0,   /* informational (sizes, counts, 0/1 flags) */
    BX_BETTER_HIGHER = 1, /* bandwidth, rates */
    BX_BETTER_LOWER = 2   /* times, latencies, errors */
} bx_better;

/*
 * One declared parameter.  Tables end with an entry whose name is NULL.
 * `def` is parsed exactly like user input (NULL: the parameter is optional
 * and has no value unless the user gives one; bx_param_isset() tells).
 *
 * Range (INT, DOUBLE, SIZE; inclusive): `min`/`max` are checked when
 * `flags` has BX_PARAM_RANGE, or when min <= max and they are not both 0
 * (what BX_RANGE(lo, hi) writes).  An entry that leaves min and max out has
 * no range; so has BX_NORANGE (min=1, max=0).  Only the range 0 .. 0 needs
 * the flag.  The loader refuses min > max other than BX_NORANGE.
 * (ABI 1.0/1.1 plugins: min <= max is a range, also 0 .. 0, as before.)
 */
typedef struct bx_param {
    const char *name;
    bx_type type;
    const char *def;
    double min, max;
    const char *const *choices; /* BX_ENUM only, NULL-terminated */
    const char *help;
    uint32_t flags;             /* ABI 1.2: BX_PARAM_* (1.3: the PATH/HOST kinds) */
} bx_param;

/* bx_param.flags */
#define BX_PARAM_RANGE 0x1u /* min .. max is a range, whatever the values */
/*
 * ABI 1.3: what a BX_STRING value names, so the core can apply a site's policy
 * to it for every plugin (`benchaas serve --allow-path`, `--allow-host`).  The
 * command line keeps its freedom; the service refuses a value outside what the
 * site allows before any plugin code sees it.  At most one of the three.
 */
#define BX_PARAM_PATH_READ 0x2u  /* a file or folder the plugin reads */
#define BX_PARAM_PATH_WRITE 0x4u /* a file or folder the plugin creates or writes */
#define BX_PARAM_HOST 0x8u       /* a host name or address the plugin connects to */
#define BX_PARAM_KIND_MASK (BX_PARAM_PATH_READ | BX_PARAM_PATH_WRITE | BX_PARAM_HOST)

/* Range helpers for bx_param tables. */
#define BX_NORANGE 1, 0
#define BX_RANGE(lo, hi) (lo), (hi)

/*
 * One declared metric.  `unit` is printed as is ("GFLOP/s", "MB/s",
 * "MiB/s", "Gbit/s", "s", "us", "" for counts and flags).
 * BX_METRIC_HEADLINE marks the metrics a summary shows first (`benchaas
 * describe` lists them); a plugin that marks none has the first declared
 * metric as its headline.
 */
typedef struct bx_metric_def {
    const char *name;
    const char *unit;
    bx_better better;
    const char *help;
    uint32_t flags; /* ABI 1.2: BX_METRIC_* */
} bx_metric_def;

/* bx_metric_def.flags */
#define BX_METRIC_HEADLINE 0x1u

/* bx_plugin.flags */
#define BX_NEEDS_MPI 0x1u  /* always start under mpirun; the worker calls MPI_Init */
#define BX_NO_WARMUP 0x2u  /* skip the warm-up run (e.g. a 10 s network test) */
#define BX_USES_MPI 0x4u   /* may be started under mpirun when ranks > 1 */

typedef struct bx_ctx bx_ctx;
typedef struct bx_host bx_host;

/*
 * The plugin descriptor.  Every pointer points to static storage owned by
 * the plugin; the core never frees or writes any of it.
 */
typedef struct bx_plugin {
    uint32_t magic;      /* BX_ABI_MAGIC */
    uint16_t abi_major;  /* BX_ABI_MAJOR the plugin was built against */
    uint16_t abi_minor;  /* BX_ABI_MINOR the plugin was built against */
    uint32_t struct_size;/* sizeof(bx_plugin) the plugin was built with */
    uint32_t flags;      /* BX_NEEDS_MPI, BX_NO_WARMUP, BX_USES_MPI */

    const char *name;        /* must equal the file's base name: hpl -> hpl.so */
    const char *version;     /* the plugin's own version, "1.0.0" */
    const char *description; /* one line */

    const bx_param *params;       /* table ending with {NULL} */
    const bx_metric_def *metrics; /* table ending with {NULL} */
    uint32_t default_repetitions; /* timed repetitions when the user says nothing (>= 1) */

    /*
     * Optional: cross-parameter checks (`block_size` must be a multiple of
     * `transfer_size`, P*Q <= ranks, memory that is not there).  Runs in the
     * runner before anything is launched, and again in the worker; it must
     * not start threads, call MPI or allocate much.  Return BX_EINVAL with
     * bx_error() to refuse the point (exit code 2).
     */
    int (*check)(bx_ctx *ctx);

    /*
     * Required.  Allocate the state the runs need, outside the timed region.
     * *state is passed to run/report/fini.  fini is called iff init returned 0.
     */
    int (*init)(bx_ctx *ctx, void **state);
    /*
     * Required.  One repetition.  rep is 0 for the warm-up (its samples are
     * discarded; bx_is_warmup() tells) and 1..repetitions afterwards.
     * Emit per-repetition values with bx_sample().
     */
    int (*run)(bx_ctx *ctx, void *state, unsigned rep);
    /*
     * Required.  After the last repetition: validate and emit the final
     * metrics with bx_metric().  A declared metric that has samples but no
     * value gets the best sample (by its better-direction; the last one
     * when NONE).  Return BX_EFAILED when validation failed.
     */
    int (*report)(bx_ctx *ctx, void *state);
    /* Required.  Free the state. */
    void (*fini)(void *state);

    /*
     * Optional: turn one point into several (an imported HPL.dat, say).
     * Called in the runner after validation; call bx_expand_point() once
     * per new point.  Calling it never means the point stays as it is.
     */
    int (*expand)(bx_ctx *ctx);
    /* Optional: extra lines for `benchaas describe`, printed with bx_print(). */
    void (*describe)(bx_ctx *ctx);
} bx_plugin;

/*
 * The table of host services.  Append-only; check struct_size before
 * touching a field added after ABI 1.0.  The SDK wrappers in benchaas/sdk.h
 * are the intended way to call these.
 *
 * Strings passed in are copied by the host; strings returned are owned by
 * the host and live until fini returns.
 *
 * Threads (ABI 1.2 hosts: the runner's worker and the mock).  [any thread]
 * calls may be made from several threads of the plugin at once (an OpenMP
 * parallel region, a pthread per stream), during any callback.  [one thread]
 * calls are made by one thread at a time per rank, as MPI's collectives.
 * Before 1.2 no call was documented as thread-safe.
 *
 * Parameter getters fail the run (ABI 1.2 plugins) when the name is not
 * declared, or the getter does not suit the type (param_int on a DOUBLE or
 * a STRING, param_double on a STRING); they return 0 / NULL and
 * the run ends after the callback with a message naming the parameter and
 * the plugin.  A 1.0/1.1 plugin gets a warning on stderr, as before.
 */
struct bx_host {
    uint32_t struct_size;
    uint16_t abi_major, abi_minor;

    /* Parameters (already validated against the table).  [any thread] */
    int (*param_isset)(bx_ctx *ctx, const char *name);
    int64_t (*param_int)(bx_ctx *ctx, const char *name);   /* INT, SIZE, BOOL, ENUM (index) */
    double (*param_double)(bx_ctx *ctx, const char *name); /* the same and DOUBLE */
    const char *(*param_string)(bx_ctx *ctx, const char *name);/* any type, as text */

    /* Where this run is.  [any thread] */
    int (*rank)(bx_ctx *ctx);
    int (*nranks)(bx_ctx *ctx);
    int (*threads)(bx_ctx *ctx);
    unsigned (*repetitions)(bx_ctx *ctx);
    int (*is_warmup)(bx_ctx *ctx);

    /* Results (rank 0's are stored; other ranks' calls are ignored).
     * [any thread]: samples from several threads are all kept, in the order
     * they arrive. */
    int (*metric)(bx_ctx *ctx, const char *name, double value);
    int (*sample)(bx_ctx *ctx, const char *metric, double value);
    int (*meta)(bx_ctx *ctx, const char *key, const char *value);

    /* Messages. level: BX_LOG_* below.  Warnings are stored with the run.
     * log and error: [any thread]; print: [one thread], from describe(). */
    void (*log)(bx_ctx *ctx, int level, const char *msg);
    void (*error)(bx_ctx *ctx, const char *msg); /* why the last call failed */
    void (*print)(bx_ctx *ctx, const char *text);/* describe output */

    /* Collectives over the ranks of the run (no-ops with one rank).
     * [one thread]: every rank calls them in the same order. */
    int (*barrier)(bx_ctx *ctx);
    int (*allreduce)(bx_ctx *ctx, double *values, int count, int op);

    /* expand(): add one point; kv is "name=value" strings, NULL-terminated.
     * [one thread] */
    int (*expand_point)(bx_ctx *ctx, const char *const *kv);

    /* ---- ABI 1.1 (read only when struct_size covers it; bx_node_ranks does) ---- */
    /* How many of the run's ranks share one node, for memory checks.  In the
     * runner's check(): the most any node will hold (every rank for the local
     * and mpi launchers; ranks / slurm.nodes, rounded up, under Slurm).  In the
     * workers: the ranks on this rank's node, as MPI counts them.
     * [any thread] */
    int (*node_ranks)(bx_ctx *ctx);

    /* ---- ABI 1.2 (bx_param_computed checks struct_size) ---- */
    /* The effective value of a declared parameter the user left unset, which
     * the plugin computed (STREAM's array_size from the cache size).  Parsed
     * and range-checked like user input; later getters return it; the run
     * stores it as a parameter marked "computed", so queries find it.
     * BX_EINVAL (with a message in error) when the name is not declared, the
     * user or a default already set it, or the value does not parse.  Only
     * rank 0's value is stored.  [any thread] */
    int (*param_computed)(bx_ctx *ctx, const char *name, const char *value);
};

/* bx_host.log levels */
enum { BX_LOG_DEBUG = 0, BX_LOG_INFO = 1, BX_LOG_WARN = 2, BX_LOG_ERROR = 3 };
/* bx_host.allreduce ops */
enum { BX_OP_SUM = 0, BX_OP_MAX = 1, BX_OP_MIN = 2 };

/*
 * What the core passes to every callback.  `host` is the service table (never
 * NULL); `host_data` belongs to the host and must not be touched by the plugin.
 */
struct bx_ctx {
    const bx_host *host;
    void *host_data;
};

typedef const bx_plugin *(*bx_entry_fn)(const bx_host *host);

/*
 * ABI 1.2: BX_PLUGIN_DEFINE also exports this data symbol, so a loader can
 * check the magic and the version before it calls any plugin code.  The
 * entry function's `host` argument is never NULL (the mock passes
 * bx_mock_host(), the runner its own table).
 */
#define BX_STAMP_SYMBOL "benchaas_plugin_stamp"
typedef struct bx_stamp {
    uint32_t magic;     /* BX_ABI_MAGIC */
    uint16_t abi_major, abi_minor;
    uint32_t struct_size; /* sizeof(bx_plugin) */
} bx_stamp;

#if defined(_WIN32)
#define BX_EXPORT __declspec(dllexport)
#else
#define BX_EXPORT __attribute__((visibility("default")))
#endif

/*
 * BX_PLUGIN_DEFINE(desc): export the entry function returning &desc.
 * Use it once per plugin, after the static descriptor:
 *
 *     static const bx_plugin my_plugin = { BX_PLUGIN_HEADER, .name = "dgemm", ... };
 *     BX_PLUGIN_DEFINE(my_plugin)
 */
#define BX_PLUGIN_HEADER                                                          \
    .magic = BX_ABI_MAGIC, .abi_major = BX_ABI_MAJOR, .abi_minor = BX_ABI_MINOR, \
    .struct_size = (uint32_t)sizeof(bx_plugin)

#define BX_PLUGIN_DEFINE(desc)                                                    \
    BX_EXPORT extern const bx_stamp benchaas_plugin_stamp;                        \
    BX_EXPORT const bx_stamp benchaas_plugin_stamp = {                            \
        BX_ABI_MAGIC, BX_ABI_MAJOR, BX_ABI_MINOR, (uint32_t)sizeof(bx_plugin)};   \
    BX_EXPORT const bx_plugin *benchaas_plugin_entry(const bx_host *host);       \
    BX_EXPORT const bx_plugin *benchaas_plugin_entry(const bx_host *host)        \
    {                                                                             \
        (void)host;                                                               \
        return &(desc);                                                           \
    }

#ifdef __cplusplus
}
#endif
#endif /* BENCHAAS_PLUGIN_H */
