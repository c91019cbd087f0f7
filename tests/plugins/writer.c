/*
 * writer.c — a third-party plugin with path parameters, for the site-policy
 * tests (tests/serve/policy/isolation.py).  It writes `out` (declared
 * BX_PARAM_PATH_WRITE, so the service checks it against the site's folders)
 * and, in its run, also tries what a careless or hostile plugin might: write
 * `stray` and read `peek`, two paths declared as plain text (no kind), which
 * the service cannot check and its sandbox must stop.  Metrics say what it
 * managed: written (bytes of out), stray_written 0/1, peek_read 0/1; and with
 * `dial` (ADDRESS:PORT, plain text) whether a TCP connection there was made
 * (dial_ok 0/1, dial_errno).  `size` bytes more are written to `out` (the job
 * folder's quota, tests/serve/jobs/job_quota.py), then it sleeps `hold` seconds (a point
 * that hangs, ended by its time limit or by the quota's watcher).
 * check() refuses an `out` whose folder is missing, naming the value.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <benchaas/sdk.h>

static const bx_param params[] = {
    {"out", BX_STRING, "writer.out", BX_NORANGE, NULL, "the file it writes", BX_PARAM_PATH_WRITE},
    {"stray", BX_STRING, NULL, BX_NORANGE, NULL, "a file it also tries to write (plain text)", 0},
    {"peek", BX_STRING, NULL, BX_NORANGE, NULL, "a file it tries to read (plain text)", 0},
    {"dial", BX_STRING, NULL, BX_NORANGE, NULL,
     "ADDRESS:PORT it tries to connect to over TCP (plain text, a numeric address)", 0},
    {"dial_thread", BX_BOOL, "false", BX_NORANGE, NULL, "dial from a thread of its own", 0},
    {"size", BX_SIZE, "0", BX_RANGE(0, 1099511627776.0), NULL, "bytes more written to out", 0},
    {"hold", BX_INT, "0", BX_RANGE(0, 86400), NULL, "seconds it sleeps after writing", 0},
    {NULL, 0, NULL, 0, 0, NULL, NULL, 0},
};

static const bx_metric_def metrics[] = {
    {"written", "B", BX_BETTER_NONE, "bytes written to out", 0},
    {"stray_written", "", BX_BETTER_NONE, "1 when writing stray worked", 0},
    {"peek_read", "", BX_BETTER_NONE, "1 when reading peek worked", 0},
    {"dial_ok", "", BX_BETTER_NONE, "1 when the connection to dial was made", 0},
    {"dial_errno", "", BX_BETTER_NONE, "connect()'s errno when it failed (0: none)", 0},
    {NULL, NULL, 0, NULL, 0},
};

static int w_check(bx_ctx *ctx)
{
    const char *out = bx_param_str(ctx, "out");
    const char *slash = strrchr(out, '/');
    if (!slash || slash == out)
        return 0;
    char dir[1024];
    snprintf(dir, sizeof dir, "%.*s", (int)(slash - out), out);
    struct stat st;
    if (stat(dir, &st) != 0)
        return bx_error(ctx, BX_EINVAL, "the folder of '%s' does not exist", out);
    return 0;
}

static int w_init(bx_ctx *ctx, void **state)
{
    (void)ctx;
    *state = NULL;
    return 0;
}

static int try_write(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return 0;
    int ok = write(fd, "stray\n", 6) == 6;
    close(fd);
    return ok;
}

/* Connect to "ADDRESS:PORT" (the last colon splits): 0, or connect()'s errno. */
static int try_dial(const char *where)
{
    char host[128];
    const char *colon = strrchr(where, ':');
    if (!colon || (size_t)(colon - where) >= sizeof host)
        return EINVAL;
    snprintf(host, sizeof host, "%.*s", (int)(colon - where), where);
    struct addrinfo hint = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST}, *res;
    if (getaddrinfo(host, colon + 1, &hint, &res) != 0)
        return EINVAL;
    int s = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0), e = 0;
    if (s < 0 || connect(s, res->ai_addr, res->ai_addrlen) != 0)
        e = errno;
    if (s >= 0)
        close(s);
    freeaddrinfo(res);
    return e;
}

typedef struct dial_arg {
    const char *where;
    int err;
} dial_arg;

static void *dial_main(void *p)
{
    dial_arg *a = p;
    a->err = try_dial(a->where);
    return NULL;
}

static int w_run(bx_ctx *ctx, void *state, unsigned rep)
{
    (void)state;
    if (rep == 0)
        return 0;
    const char *out = bx_param_str(ctx, "out");
    FILE *f = fopen(out, "w");
    if (!f)
        return bx_error(ctx, BX_EIO, "cannot write %s: %s", out, strerror(errno));
    int64_t n = fprintf(f, "written by the writer test plugin\n");
    static char block[65536];
    memset(block, 'w', sizeof block);
    for (int64_t left = bx_param_int(ctx, "size"); left > 0 && n > 0;) {
        size_t k = left < (int64_t)sizeof block ? (size_t)left : sizeof block;
        if (fwrite(block, 1, k, f) != k)
            break;
        left -= (int64_t)k;
        n += (int64_t)k;
    }
    if (fclose(f) != 0)
        return bx_error(ctx, BX_EIO, "cannot write %s: %s", out, strerror(errno));
    for (int64_t s = bx_param_int(ctx, "hold"); s > 0; s--)
        sleep(1);
    bx_metric(ctx, "written", (double)n);
    int stray = bx_param_isset(ctx, "stray") && try_write(bx_param_str(ctx, "stray"));
    bx_metric(ctx, "stray_written", stray);
    int peek = 0;
    if (bx_param_isset(ctx, "peek")) {
        FILE *p = fopen(bx_param_str(ctx, "peek"), "r");
        char line[64];
        peek = p && fgets(line, sizeof line, p) != NULL;
        if (p)
            fclose(p);
    }
    bx_metric(ctx, "peek_read", peek);
    if (bx_param_isset(ctx, "dial")) {
        dial_arg a = {bx_param_str(ctx, "dial"), EINVAL};
        pthread_t t;
        if (!bx_param_bool(ctx, "dial_thread"))
            dial_main(&a);
        else if (pthread_create(&t, NULL, dial_main, &a) == 0)
            pthread_join(t, NULL);
        int e = a.err;
        bx_metric(ctx, "dial_ok", e == 0);
        bx_metric(ctx, "dial_errno", e);
    }
    return 0;
}

static int w_report(bx_ctx *ctx, void *state)
{
    (void)ctx;
    (void)state;
    return 0;
}

static void w_fini(void *state) { (void)state; }

static const bx_plugin desc = {
    BX_PLUGIN_HEADER,
    .flags = BX_NO_WARMUP,
    .name = "writer",
    .version = "1.0.0",
    .description = "writes a file (a path parameter), and tries to stray (site-policy tests)",
    .params = params,
    .metrics = metrics,
    .default_repetitions = 1,
    .check = w_check,
    .init = w_init,
    .run = w_run,
    .report = w_report,
    .fini = w_fini,
};
BX_PLUGIN_DEFINE(desc)
