/* apart.c — planning in a confined child (see apart.h). */
#define _GNU_SOURCE
#include "apart.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "desc_json.h"
#include "loader.h"
#include "spec.h"

#define APART_TIMEOUT 60.0     /* seconds a check may take */
#define APART_MAX (16u << 20)  /* bytes of answer */

/* Start argv with its stdin and stdout on pipes; only async-signal-safe calls in the child. */
static pid_t spawn(char *const *argv, int *in, int *out)
{
    int a[2], b[2];
    if (pipe2(a, O_CLOEXEC) != 0)
        return -1;
    if (pipe2(b, O_CLOEXEC) != 0) {
        close(a[0]);
        close(a[1]);
        return -1;
    }
    pid_t parent = getpid(), pid = fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
        dup2(a[0], STDIN_FILENO);
        dup2(b[1], STDOUT_FILENO);
        if (null >= 0)
            dup2(null, STDERR_FILENO);
        signal(SIGPIPE, SIG_DFL);
        syscall(SYS_close_range, 3, ~0U, 1U << 2 /* CLOSE_RANGE_CLOEXEC: nothing else of ours */);
        execv(argv[0], argv);
        _exit(127);
    }
    close(a[0]);
    close(b[1]);
    if (pid < 0) {
        close(a[1]);
        close(b[0]);
        return -1;
    }
    *in = a[1];
    *out = b[0];
    return pid;
}

/* Write req to the child, read its answer until it closes (or the deadline); reap it. */
static char *talk(pid_t pid, int in, int out, const char *req, int *status)
{
    size_t len = strlen(req), off = 0, got = 0, cap = 8192;
    char *buf = xmalloc(cap);
    double deadline = mono_now() + APART_TIMEOUT;
    signal(SIGPIPE, SIG_IGN);
    while (off < len) {
        ssize_t w = write(in, req + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    close(in);
    for (;;) {
        int ms = (int)((deadline - mono_now()) * 1000.0);
        struct pollfd pf = {.fd = out, .events = POLLIN};
        if (ms <= 0 || poll(&pf, 1, ms) == 0) {
            kill(pid, SIGKILL);
            break;
        }
        if (got + 4096 > cap) {
            if (cap >= APART_MAX) {
                kill(pid, SIGKILL);
                break;
            }
            cap *= 2;
            buf = xrealloc(buf, cap);
        }
        ssize_t n = read(out, buf + got, cap - got - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    buf[got] = '\0';
    close(out);
    while (waitpid(pid, status, 0) < 0 && errno == EINTR) {
    }
    return buf;
}

/* Send request rq (consumed) to a new `serve --plan-child` and read its answer: 0 with *a
 * the parsed answer (NULL when it was not JSON) and *status the child's wait status, or -1
 * (errno set) when the child could not start. */
static int ask_child(const site_policy *p, cJSON *rq, cJSON **a, int *status)
{
    char *req = cJSON_PrintUnformatted(rq);
    cJSON_Delete(rq);
    char *argv[] = {p->self_exe, "serve", "--plan-child", NULL};
    int in, out;
    *status = 0;
    *a = NULL;
    pid_t pid = spawn(argv, &in, &out);
    if (pid < 0) {
        int e = errno;
        free(req);
        errno = e;
        return -1;
    }
    char *ans = talk(pid, in, out, req, status);
    free(req);
    *a = cJSON_Parse(ans);
    free(ans);
    return 0;
}

int apart_plan(const site_policy *p, const cJSON *exp, const char *launcher, const char *dir,
               cJSON **points, char *err, size_t errlen, char *field, size_t fieldlen)
{
    *points = NULL;
    snprintf(field, fieldlen, "experiment");
    strvec dirs = {0};
    plugin_search_path(NULL, &dirs);
    sandbox sb;
    policy_sandbox(p, dir, &dirs, &sb);
    strvec_free(&dirs);
    cJSON *rq = cJSON_CreateObject();
    cJSON_AddItemToObject(rq, "experiment", cJSON_Duplicate(exp, 1));
    cJSON_AddStringToObject(rq, "launcher", launcher);
    cJSON_AddStringToObject(rq, "dir", dir);
    cJSON_AddItemToObject(rq, "sandbox", sandbox_to_json(&sb));
    sandbox_free(&sb);
    cJSON *a;
    int status;
    if (ask_child(p, rq, &a, &status) != 0)
        return errf(err, errlen, BX_EIO, "cannot start the check of the job: %s",
                    strerror(errno));
    const char *e = json_str(a, "error");
    int rc = 0;
    if (e) {
        const char *f = json_str(a, "field");
        snprintf(field, fieldlen, "%s", f ? f : "experiment");
        rc = errf(err, errlen, BX_EINVAL, "%s", e);
    } else if (!a || !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(a, "points")) ||
               !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        rc = errf(err, errlen, BX_EIO,
                  "the check of the job did not finish (it ran over %g s, crashed, or could not "
                  "be confined)",
                  APART_TIMEOUT);
    } else {
        *points = cJSON_DetachItemFromObjectCaseSensitive(a, "points");
    }
    cJSON_Delete(a);
    return rc;
}

/* The folder holding path (links followed), appended to v. */
static void push_folder_of(const char *path, strvec *v)
{
    char real[PATH_MAX];
    if (!realpath(path, real))
        return;
    char *slash = strrchr(real, '/');
    if (slash && slash != real) {
        *slash = '\0';
        strvec_push(v, real);
    }
}

int apart_describe(const site_policy *p, const char *path, cJSON **desc, char *err,
                   size_t errlen)
{
    *desc = NULL;
    strvec dirs = {0};
    plugin_search_path(NULL, &dirs);
    push_folder_of(path, &dirs);
    sandbox sb;
    policy_sandbox(p, NULL, &dirs, &sb);
    strvec_free(&dirs);
    cJSON *rq = cJSON_CreateObject();
    cJSON_AddStringToObject(rq, "describe", path);
    cJSON_AddStringToObject(rq, "dir", "/");
    cJSON_AddStringToObject(rq, "launcher", "local");
    cJSON_AddItemToObject(rq, "sandbox", sandbox_to_json(&sb));
    sandbox_free(&sb);
    cJSON *a;
    int status;
    if (ask_child(p, rq, &a, &status) != 0)
        return errf(err, errlen, BX_EIO, "cannot start the plugin's description: %s",
                    strerror(errno));
    const char *e = json_str(a, "error");
    int rc = 0;
    if (e) {
        rc = errf(err, errlen, BX_EINVAL, "%s", e);
    } else if (!cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(a, "plugin")) ||
               !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        rc = errf(err, errlen, BX_EIO,
                  "the plugin's description did not finish (it ran over %g s, crashed, or could "
                  "not be confined)",
                  APART_TIMEOUT);
    } else {
        *desc = cJSON_DetachItemFromObjectCaseSensitive(a, "plugin");
    }
    cJSON_Delete(a);
    return rc;
}

static int answer(cJSON *a)
{
    char *t = cJSON_PrintUnformatted(a);
    cJSON_Delete(a);
    int ok = t && fputs(t, stdout) >= 0 && fflush(stdout) == 0;
    free(t);
    return ok ? 0 : 1;
}

static int child_error(const char *msg, const char *field)
{
    cJSON *a = cJSON_CreateObject();
    cJSON_AddStringToObject(a, "error", msg);
    cJSON_AddStringToObject(a, "field", field);
    return answer(a);
}

/* The child's side of apart_describe (confined): the plugin's descriptor, or the loader's
 * refusal. */
static int describe_child(const char *path)
{
    loaded_plugin lp;
    char err[2048];
    if (plugin_load_file(path, NULL, &lp, err, sizeof err) != 0)
        return child_error(err, "plugin");
    cJSON *a = cJSON_CreateObject();
    cJSON_AddItemToObject(a, "plugin", desc_to_json(lp.desc));
    plugin_unload(&lp);
    return answer(a);
}

int apart_plan_child(apart_planner plan_fn)
{
    char err[4096], note[256], field[256];
    size_t len = 0, cap = 65536;
    char *text = xmalloc(cap);
    for (;;) {
        if (len + 1 >= cap) {
            if (cap >= APART_MAX) {
                free(text);
                return 2;
            }
            cap *= 2;
            text = xrealloc(text, cap);
        }
        ssize_t n = read(STDIN_FILENO, text + len, cap - len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    text[len] = '\0';
    cJSON *rq = cJSON_Parse(text);
    free(text);
    sandbox sb;
    const char *dir = json_str(rq, "dir"), *launcher = json_str(rq, "launcher");
    if (!dir || !launcher ||
        sandbox_from_json(cJSON_GetObjectItemCaseSensitive(rq, "sandbox"), &sb, err, sizeof err)) {
        cJSON_Delete(rq);
        return 2;
    }
    int rc = chdir(dir) != 0 ? BX_EIO : sandbox_apply(&sb, note, sizeof note, err, sizeof err);
    sandbox_free(&sb);
    if (rc) {
        cJSON_Delete(rq);
        return 3; /* never plan unconfined */
    }
    const char *describe = json_str(rq, "describe");
    if (describe) {
        rc = describe_child(describe);
        cJSON_Delete(rq);
        return rc;
    }
    config cfg;
    plan pl;
    rc = plan_fn(cJSON_GetObjectItemCaseSensitive(rq, "experiment"), launcher, &cfg, &pl, err,
                  sizeof err, field, sizeof field);
    if (rc)
        rc = child_error(err, field);
    else {
        cJSON *a = cJSON_CreateObject();
        cJSON_AddItemToObject(a, "points", plan_points_json(&pl));
        rc = answer(a);
    }
    plan_free(&pl);
    config_free(&cfg);
    cJSON_Delete(rq);
    return rc;
}
