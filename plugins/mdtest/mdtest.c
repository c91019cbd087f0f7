/*
 * mdtest.c — metadata rates in the manner of mdtest, as a BenchaaS plugin.
 *
 * One repetition runs the phases of mdtest in its order: folders created,
 * stat'ed and removed, then files created (and written write_bytes),
 * stat'ed, read (read_bytes, checked against what was written) and
 * removed.  Each rank does its `items` of each phase; a barrier starts the
 * phase, every rank times its own part from there, and the phase time is
 * the slowest rank's (as mdtest does): rate = items x ranks / that time,
 * in operations per second.
 *
 * Every step ends with an agreement of the ranks (the SDK's collectives:
 * the runner's MPI, or the mock's threads), so a failure on one rank is
 * every rank's failure with that rank's message, and the clean-up —
 * everything the run made, nothing else — is done by all of them.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mdtest.h"

static const bx_param md_params[] = {
    {"path", BX_STRING, ".", BX_NORANGE, NULL,
     "the folder the run makes its own folder in [-d]; relative to the working directory",
     BX_PARAM_PATH_WRITE},
    {"items", BX_INT, "1000", BX_RANGE(1, 1e9), NULL, "files (and folders) per rank [-n]", 0},
    {"unique_dir", BX_BOOL, "false", BX_NORANGE, NULL,
     "each rank works in a folder of its own; otherwise all ranks share one [-u]", 0},
    {"write_bytes", BX_SIZE, "0", BX_RANGE(0, 1073741824.0), NULL,
     "bytes written to each file when it is created [-w]", BX_PARAM_RANGE},
    {"read_bytes", BX_SIZE, "0", BX_RANGE(0, 1073741824.0), NULL,
     "bytes read back (and checked) from each file in the read phase [-e]", BX_PARAM_RANGE},
    {"files_only", BX_BOOL, "false", BX_NORANGE, NULL, "only the file phases [-F]", 0},
    {"dirs_only", BX_BOOL, "false", BX_NORANGE, NULL, "only the folder phases [-D]", 0},
    {"sync_file", BX_BOOL, "false", BX_NORANGE, NULL,
     "fsync each file after writing it, inside the create phase [-y]", 0},
    {NULL, 0, NULL, 0, 0, NULL, NULL, 0},
};

/* In P_* order. */
static const bx_metric_def md_metrics[] = {
    {"dir_create", "op/s", BX_BETTER_HIGHER, "folders made (mkdir) per second, all ranks", 0},
    {"dir_stat", "op/s", BX_BETTER_HIGHER, "folders stat'ed per second", 0},
    {"dir_remove", "op/s", BX_BETTER_HIGHER, "folders removed (rmdir) per second", 0},
    {"file_create", "op/s", BX_BETTER_HIGHER,
     "files created (open O_CREAT|O_EXCL, write, close) per second", BX_METRIC_HEADLINE},
    {"file_stat", "op/s", BX_BETTER_HIGHER, "files stat'ed per second", BX_METRIC_HEADLINE},
    {"file_read", "op/s", BX_BETTER_HIGHER, "files opened, read and closed per second", 0},
    {"file_remove", "op/s", BX_BETTER_HIGHER, "files removed (unlink) per second",
     BX_METRIC_HEADLINE},
    {NULL, NULL, 0, NULL, 0},
};

#define MSG_LEN 300

/*
 * Every rank calls this with its result of the step just done.  0 when all
 * succeeded; otherwise the lowest failing rank's code, and its message in
 * text on every rank (sent as doubles through bx_allreduce).
 */
static int agree_text(bx_ctx *ctx, md_state *s, int rc, char *text, size_t len)
{
    double first = rc ? (double)s->rank : 1e18;
    if (bx_allreduce(ctx, &first, 1, BX_OP_MIN) != 0) {
        snprintf(text, len, "the ranks could not agree");
        return BX_ECOMM;
    }
    if (first == 1e18)
        return 0;
    double msg[MSG_LEN + 1] = {0};
    if (s->rank == (int)first) {
        msg[0] = rc;
        for (size_t k = 0; k < MSG_LEN && s->err[k]; k++)
            msg[k + 1] = (unsigned char)s->err[k];
    }
    bx_allreduce(ctx, msg, MSG_LEN + 1, BX_OP_SUM);
    char m[MSG_LEN + 1];
    for (size_t k = 0; k < MSG_LEN; k++)
        m[k] = (char)(unsigned char)msg[k + 1];
    m[MSG_LEN] = '\0';
    if (s->cfg.nranks > 1)
        snprintf(text, len, "rank %d: %s", (int)first, m);
    else
        snprintf(text, len, "%s", m);
    return (int)msg[0];
}

/* agree_text, the message given with bx_error. */
static int agree(bx_ctx *ctx, md_state *s, int rc)
{
    char text[MSG_LEN + 32];
    rc = agree_text(ctx, s, rc, text, sizeof text);
    return rc ? bx_error(ctx, rc, "%s", text) : 0;
}

/*
 * Every rank removes what it made; then rank 0 the run's folder.  0 or the
 * agreed error; after a failure (quiet) a folder left is only a warning, so
 * the failure's own message stays the run's.
 */
static int cleanup(bx_ctx *ctx, md_state *s, int quiet)
{
    md_remove_mine(s);
    bx_barrier(ctx);
    int rc = s->rank == 0 ? md_remove_top(s) : 0;
    if (!quiet)
        return agree(ctx, s, rc);
    if (rc)
        bx_warn(ctx, "%s", s->err);
    return 0;
}

static int md_init(bx_ctx *ctx, void **out)
{
    md_state *s = calloc(1, sizeof *s);
    if (!s)
        return bx_error(ctx, BX_ENOMEM, "out of memory");
    *out = s;
    s->dfd = -1;
    s->rank = bx_rank(ctx);
    int rc = md_cfg_load(ctx, &s->cfg);
    if (rc)
        return rc;
    size_t wb = (size_t)s->cfg.write_bytes, rb = (size_t)s->cfg.read_bytes;
    s->wbuf = malloc(wb ? wb : 1);
    s->rbuf = malloc(rb ? rb : 1);
    if (!s->wbuf || !s->rbuf)
        return bx_error(ctx, BX_ENOMEM, "out of memory for %zu bytes", wb + rb);
    for (size_t k = 0; k < wb; k++)
        s->wbuf[k] = (unsigned char)(k * 7 + 1);
    /* the run's folder: rank 0's process id and clock, shared through the collectives */
    double id[2] = {0, 0};
    if (s->rank == 0) {
        id[0] = (double)getpid();
        id[1] = (double)(bx_now_ns() % 1000000000u);
    }
    bx_allreduce(ctx, id, 2, BX_OP_SUM);
    char top[PATH_MAX];
    snprintf(top, sizeof top, "%s/benchaas-mdtest.%.0f.%.0f", s->cfg.path, id[0], id[1]);
    snprintf(s->top, sizeof s->top, "%s", top);
    rc = agree(ctx, s, s->rank == 0 ? md_make_top(s, top) : 0);
    if (rc)
        return rc;
    bx_barrier(ctx);
    char why[MSG_LEN + 32];
    rc = agree_text(ctx, s, md_make_mine(s), why, sizeof why);
    if (rc) {
        cleanup(ctx, s, 1);
        return bx_error(ctx, rc, "%s", why);
    }
    if (s->rank == 0)
        bx_meta(ctx, "folder", s->top);
    return 0;
}

static int md_run(bx_ctx *ctx, void *state, unsigned rep)
{
    md_state *s = state;
    for (int p = 0; p < P_COUNT; p++) {
        if (!md_phase_on(&s->cfg, p))
            continue;
        bx_barrier(ctx);
        double t0 = bx_now();
        int rc = md_phase(s, p, rep);
        double t = bx_now() - t0;
        char why[MSG_LEN + 32];
        rc = agree_text(ctx, s, rc, why, sizeof why);
        if (rc) {
            cleanup(ctx, s, 1);
            return bx_error(ctx, rc, "%s", why);
        }
        bx_allreduce(ctx, &t, 1, BX_OP_MAX);
        double rate = (double)s->cfg.items * (double)s->cfg.nranks / (t > 0 ? t : 1e-9);
        bx_sample(ctx, md_phase_name(p), rate);
    }
    return 0;
}

static int md_report(bx_ctx *ctx, void *state)
{
    md_state *s = state;
    return cleanup(ctx, s, 0);
}

/* After a failure the ranks have cleaned up already; this catches what is left. */
static void md_fini(void *state)
{
    md_state *s = state;
    if (!s)
        return;
    md_remove_mine(s);
    if (s->rank == 0)
        md_remove_top(s);
    free(s->wbuf);
    free(s->rbuf);
    free(s);
}

static const bx_plugin md_plugin = {
    BX_PLUGIN_HEADER,
    .flags = BX_USES_MPI | BX_NO_WARMUP,
    .name = "mdtest",
    .version = "1.0.0",
    .description = "metadata: files and folders created, stat'ed, read and removed per second, "
                   "in the manner of mdtest",
    .params = md_params,
    .metrics = md_metrics,
    .default_repetitions = 3,
    .check = md_check,
    .init = md_init,
    .run = md_run,
    .report = md_report,
    .fini = md_fini,
};

BX_PLUGIN_DEFINE(md_plugin)
