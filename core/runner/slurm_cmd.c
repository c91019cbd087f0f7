/*
 * slurm_cmd.c — Slurm's commands, run through the spawner (spawn.h): capturing
 * their output, and what submit, collect and `check --across-nodes` ask about
 * nodes (the nodes of --each-node; a node's state, drain and resume).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "slurm.h"
#include "slurm_cmd.h"
#include "spawn.h"

/* Slurm's commands answer within seconds; one that hangs (a slurmctld gone
 * away) is stopped rather than holding submit, collect or the service. */
#define SLURM_CMD_TIMEOUT 300.0

/* Run argv through the spawner; capture stdout and stderr (each up to 1 MiB).
 * Exit status, or -1 when it did not exit by itself (or, 127, could not start:
 * *errout then says why). */
int slurm_capture(char *const *argv, char **out, char **errout)
{
    spawn_opts so = {.timeout = SLURM_CMD_TIMEOUT, .capture = 1};
    spawn_result r;
    char why[512];
    *out = NULL;
    if (errout)
        *errout = NULL;
    if (spawn_run(argv, &so, &r, why, sizeof why) != 0) {
        *out = xstrdup("");
        if (errout)
            *errout = xasprintf("%s\n", why);
        return 127;
    }
    *out = r.out;
    if (errout)
        *errout = r.err;
    else
        free(r.err);
    return r.exited ? r.exit_code : -1;
}

int slurm_have_command(const char *name)
{
    const char *path = getenv("PATH");
    if (!path)
        return 0;
    char *copy = xstrdup(path), *save = NULL;
    int found = 0;
    for (char *d = strtok_r(copy, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
        char *p = xasprintf("%s/%s", d, name);
        found = access(p, X_OK) == 0;
        free(p);
    }
    free(copy);
    return found;
}

void slurm_trim(char *s)
{
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
}

/* The last line of sbatch's stderr, for messages. */
const char *slurm_last_line(char *s)
{
    slurm_trim(s);
    char *nl = strrchr(s, '\n');
    return nl ? nl + 1 : s;
}

/* A node name as Slurm prints it: letters, digits, '.', '_', '-'. */
static int node_name_ok(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && !strchr("._-", *s))
            return 0;
    return 1;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int slurm_resolve_nodes(const char *list, const char *partition, strvec *out, char *err,
                        size_t errlen)
{
    char *text = NULL, *serr = NULL;
    memset(out, 0, sizeof *out);
    if (list && !strpbrk(list, "[]")) {
        text = xstrdup(list);
    } else {
        const char *tool = list ? "scontrol" : "sinfo";
        if (!slurm_have_command(tool))
            return errf(err, errlen, BX_EINVAL,
                        "--each-node: %s needs Slurm's %s, which is not installed here; "
                        "name the nodes with --nodes n1,n2,...",
                        list ? "a host list expression" : "finding the nodes", tool);
        char *argv_s[] = {"scontrol", "show", "hostnames", (char *)list, NULL};
        char *argv_p[] = {"sinfo", "-h", "-N", "-o", "%N", "-p", (char *)partition, NULL};
        char *argv_a[] = {"sinfo", "-h", "-N", "-o", "%N", NULL};
        int x = slurm_capture(list ? argv_s : partition ? argv_p : argv_a, &text, &serr);
        if (x != 0) {
            int rc = errf(err, errlen, BX_EINVAL, "--each-node: %s failed: %s", tool,
                          serr && *serr ? slurm_last_line(serr) : "no message");
            free(text);
            free(serr);
            return rc;
        }
        free(serr);
    }
    for (char *save = NULL, *t = strtok_r(text ? text : (char *)"", ", \t\n", &save); t;
         t = strtok_r(NULL, ", \t\n", &save)) {
        if (!node_name_ok(t)) {
            int rc = errf(err, errlen, BX_EINVAL,
                          "--nodes: '%s' is not a node name (letters, digits, '.', '_', '-')",
                          t);
            free(text);
            strvec_free(out);
            return rc;
        }
        int dup = 0;
        for (size_t i = 0; i < out->n && !dup; i++)
            dup = strcmp(out->v[i], t) == 0;
        if (!dup)
            strvec_push(out, t);
    }
    free(text);
    if (out->n == 0)
        return errf(err, errlen, BX_EINVAL, "--each-node: no node%s%s%s", list ? " in '" : "",
                    list ? list : partition ? " in partition " : " known to Slurm",
                    list ? "'" : partition ? partition : "");
    qsort(out->v, out->n, sizeof *out->v, cmp_str);
    return 0;
}

/* ---- a node's state, drain and resume (check --across-nodes --drain / --resume) ---- */

/* Run one of Slurm's commands about node NODE: 0 and *out (caller frees), or BX_EINVAL
 * with the command's last line of error text. */
static int node_command(char *const *argv, const char *node, char **out, char *err,
                        size_t errlen)
{
    char *serr = NULL;
    *out = NULL;
    if (!node_name_ok(node))
        return errf(err, errlen, BX_EINVAL, "'%s' is not a node name", node);
    if (!slurm_have_command(argv[0]))
        return errf(err, errlen, BX_EINVAL, "Slurm's %s is not installed here", argv[0]);
    int x = slurm_capture(argv, out, &serr);
    int rc = 0;
    if (x != 0) {
        rc = errf(err, errlen, BX_EINVAL, "%s for %s failed: %s", argv[0], node,
                  serr && *serr ? slurm_last_line(serr) : "no message");
        free(*out);
        *out = NULL;
    }
    free(serr);
    return rc;
}

int slurm_node_state(const char *node, int *drained, char *reason, size_t rlen, char *err,
                     size_t errlen)
{
    char *argv[] = {"sinfo", "-h", "-N", "-n", (char *)node, "-o", "%T|%E", NULL};
    char *out = NULL;
    *drained = 0;
    snprintf(reason, rlen, "%s", "");
    int rc = node_command(argv, node, &out, err, errlen);
    if (rc)
        return rc;
    char *bar = strchr(out, '|');
    if (!bar) {
        free(out);
        return errf(err, errlen, BX_EINVAL, "Slurm does not know node %s", node);
    }
    *bar = '\0';
    /* "drained", "draining", "drained*" (and not responding): a drain is set */
    *drained = strncmp(out, "drain", 5) == 0;
    char *nl = strchr(bar + 1, '\n');
    if (nl)
        *nl = '\0';
    snprintf(reason, rlen, "%s", strcmp(bar + 1, "none") == 0 ? "" : bar + 1);
    free(out);
    return 0;
}

int slurm_node_drain(const char *node, const char *reason, char *err, size_t errlen)
{
    char *nn = xasprintf("NodeName=%s", node), *rs = xasprintf("Reason=%s", reason);
    char *argv[] = {"scontrol", "update", nn, "State=DRAIN", rs, NULL};
    char *out = NULL;
    int rc = node_command(argv, node, &out, err, errlen);
    free(out);
    free(nn);
    free(rs);
    return rc;
}

int slurm_node_resume(const char *node, char *err, size_t errlen)
{
    char *nn = xasprintf("NodeName=%s", node);
    char *argv[] = {"scontrol", "update", nn, "State=RESUME", NULL};
    char *out = NULL;
    int rc = node_command(argv, node, &out, err, errlen);
    free(out);
    free(nn);
    return rc;
}

