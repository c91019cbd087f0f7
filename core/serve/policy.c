/* policy.c — the site's policy for members' values (see policy.h). */
#define _GNU_SOURCE
#include "policy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <netdb.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loader.h"
#include "paramval.h"
#include "text.h"

static const site_policy *g_policy;

void policy_install(const site_policy *p) { g_policy = p; }
const site_policy *policy_current(void) { return g_policy; }

void policy_free(site_policy *p)
{
    strvec_free(&p->paths);
    strvec_free(&p->paths_given);
    free(p->cidrs);
    free(p->scratch_root);
    free(p->db);
    free(p->run_as);
    free(p->self_exe);
    memset(p, 0, sizeof *p);
}

int policy_add_path(site_policy *p, const char *dir, char *err, size_t errlen)
{
    char real[PATH_MAX];
    struct stat st;
    if (!realpath(dir, real) || stat(real, &st) != 0 || !S_ISDIR(st.st_mode))
        return errf(err, errlen, BX_EINVAL, "--allow-path %s: not an existing folder", dir);
    if (strcmp(real, "/") == 0)
        return errf(err, errlen, BX_EINVAL,
                    "--allow-path %s: the whole file system cannot be allowed", dir);
    strvec_push(&p->paths, real);
    strvec_push(&p->paths_given, dir);
    return 0;
}

int policy_add_host(site_policy *p, const char *cidr, char *err, size_t errlen)
{
    char addr[INET6_ADDRSTRLEN + 1];
    const char *slash = strchr(cidr, '/');
    size_t n = slash ? (size_t)(slash - cidr) : strlen(cidr);
    policy_cidr c = {0};
    if (n == 0 || n >= sizeof addr)
        return errf(err, errlen, BX_EINVAL, "--allow-host %s: expected ADDRESS/BITS", cidr);
    memcpy(addr, cidr, n);
    addr[n] = '\0';
    if (inet_pton(AF_INET, addr, c.addr) == 1)
        c.family = AF_INET;
    else if (inet_pton(AF_INET6, addr, c.addr) == 1)
        c.family = AF_INET6;
    else
        return errf(err, errlen, BX_EINVAL,
                    "--allow-host %s: '%s' is not an IPv4 or IPv6 address", cidr, addr);
    long max = c.family == AF_INET ? 32 : 128, bits = max;
    if (slash && parse_long(slash + 1, 0, max, &bits) != 0)
        return errf(err, errlen, BX_EINVAL, "--allow-host %s: the prefix length is 0 to %ld",
                    cidr, max);
    c.bits = (int)bits;
    p->cidrs = xrealloc(p->cidrs, (p->ncidrs + 1) * sizeof *p->cidrs);
    p->cidrs[p->ncidrs++] = c;
    return 0;
}

/* 1 when folder `dir` is `path` or one of its ancestors (by device and inode). */
static int holds(const char *dir, const char *path)
{
    struct stat d, a;
    if (stat(dir, &d) != 0)
        return 0;
    char *up = xstrdup(path);
    int found = 0;
    for (;;) {
        if (stat(up, &a) == 0 && a.st_dev == d.st_dev && a.st_ino == d.st_ino) {
            found = 1;
            break;
        }
        char *slash = strrchr(up, '/');
        if (!slash || slash == up) {
            found = stat("/", &a) == 0 && a.st_dev == d.st_dev && a.st_ino == d.st_ino;
            break;
        }
        *slash = '\0';
    }
    free(up);
    return found;
}

static int run_as_user(site_policy *p, const char *run_as, char *err, size_t errlen)
{
    if (geteuid() != 0) {
        if (run_as)
            return errf(err, errlen, BX_EINVAL,
                        "--run-as %s needs a server started as root (this one runs as uid %u)",
                        run_as, (unsigned)geteuid());
        p->uid = (unsigned)geteuid();
        p->gid = (unsigned)getegid();
        p->run_as = xstrdup("the server's own user");
        return 0;
    }
    const char *name = run_as ? run_as : "nobody";
    struct passwd pw, *res = NULL;
    char buf[4096];
    if (getpwnam_r(name, &pw, buf, sizeof buf, &res) != 0 || !res)
        return errf(err, errlen, BX_EINVAL, "--run-as %s: no such user", name);
    if (res->pw_uid == 0)
        return errf(err, errlen, BX_EINVAL,
                    "--run-as %s: submitted work never runs as root; name an unprivileged user",
                    name);
    p->drop = 1;
    p->uid = (unsigned)res->pw_uid;
    p->gid = (unsigned)res->pw_gid;
    p->run_as = xstrdup(name);
    return 0;
}

/* 1 when anyone may pass through every folder above path (o+x). */
static int reachable(const char *path)
{
    char *up = xstrdup(path);
    int ok = 1;
    for (char *slash; ok && (slash = strrchr(up, '/')) && slash != up;) {
        *slash = '\0';
        struct stat st;
        ok = stat(up, &st) == 0 && (st.st_mode & S_IXOTH);
    }
    free(up);
    return ok;
}

/* The folder of the jobs' folders, made again when it is gone (another server on the
 * same database removes it when it stops with no job's folder left in it). */
static int scratch_root_ready(const site_policy *p, char *err, size_t errlen)
{
    if (mkdir(p->scratch_root, 0711) != 0 && errno != EEXIST)
        return errf(err, errlen, BX_EINVAL, "cannot create the jobs' folders %s: %s",
                    p->scratch_root, strerror(errno));
    struct stat st;
    if (lstat(p->scratch_root, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid())
        return errf(err, errlen, BX_EINVAL, "%s is not a folder of the server's own",
                    p->scratch_root);
    chmod(p->scratch_root, 0711);
    return 0;
}

int policy_finish(site_policy *p, const char *db, const char *run_as, const char *scratch,
                  char *err, size_t errlen)
{
    char real[PATH_MAX];
    /* the database may not exist yet: resolve its folder */
    char *dir = xstrdup(db), *slash = strrchr(dir, '/');
    const char *base = slash ? slash + 1 : db;
    if (slash)
        *slash = '\0';
    if (!realpath(slash ? (dir[0] ? dir : "/") : ".", real)) {
        free(dir);
        return errf(err, errlen, BX_EINVAL, "the database's folder: %s", strerror(errno));
    }
    p->db = xasprintf("%s/%s", strcmp(real, "/") == 0 ? "" : real, base);
    free(dir);
    for (size_t i = 0; i < p->paths.n; i++)
        if (holds(p->paths.v[i], p->db))
            return errf(err, errlen, BX_EINVAL,
                        "--allow-path %s holds the database; members' work must never reach it "
                        "(allow a folder beside it instead)",
                        p->paths_given.v[i]);
    int rc = run_as_user(p, run_as, err, errlen);
    if (rc)
        return rc;
    p->scratch_root = scratch ? xstrdup(scratch) : xasprintf("%s.scratch", p->db);
    if (!scratch && p->drop && !reachable(p->db)) {
        /* the run-as user could not reach a folder beside the database: one in /tmp,
         * named after the database's folder so that a restart finds it again (and
         * checked below to be ours) */
        struct stat dst;
        char *dbdir = xstrdup(p->db);
        *strrchr(dbdir, '/') = '\0';
        int got = stat(dbdir[0] ? dbdir : "/", &dst);
        free(dbdir);
        if (got != 0)
            return errf(err, errlen, BX_EINVAL, "the database's folder: %s", strerror(errno));
        free(p->scratch_root);
        p->scratch_root = xasprintf("/tmp/benchaas-scratch-%llx-%llx",
                                    (unsigned long long)dst.st_dev,
                                    (unsigned long long)dst.st_ino);
    }
    for (size_t i = 0; i < p->paths.n; i++)
        if (holds(p->paths.v[i], p->scratch_root) || holds(p->scratch_root, p->db))
            return errf(err, errlen, BX_EINVAL,
                        "the jobs' folders %s may not hold the database nor lie in an allowed "
                        "folder",
                        p->scratch_root);
    rc = scratch_root_ready(p, err, errlen);
    if (rc)
        return rc;
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    self[n > 0 ? n : 0] = '\0';
    p->self_exe = xstrdup(self);
    return 0;
}

/* ---- checking values ---------------------------------------------------------------- */

static int inside(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/* 1 when st is the database or its -wal / -shm. */
static int is_db(const site_policy *p, const struct stat *st)
{
    static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < 4; i++) {
        char *f = xasprintf("%s%s", p->db, suffix[i]);
        struct stat d;
        int same = stat(f, &d) == 0 && d.st_dev == st->st_dev && d.st_ino == st->st_ino;
        free(f);
        if (same)
            return 1;
    }
    return 0;
}

/*
 * Where absolute path v really is: its longest existing prefix resolved
 * (symbolic links followed, as the kernel would), the rest appended.  NULL
 * when it cannot be resolved.
 */
static char *resolve(const char *v)
{
    char *pre = xstrdup(v), real[PATH_MAX];
    size_t keep = strlen(pre);
    for (;;) {
        if (realpath(pre[0] ? pre : "/", real)) {
            char *out = xasprintf("%s%s", strcmp(real, "/") == 0 ? "" : real, v + keep);
            free(pre);
            return out;
        }
        if (errno != ENOENT && errno != ENOTDIR)
            break;
        char *slash = strrchr(pre, '/');
        if (!slash)
            break;
        *slash = '\0';
        keep = (size_t)(slash - pre);
    }
    free(pre);
    return NULL;
}

static int has_dotdot(const char *v)
{
    for (const char *s = v; (s = strstr(s, "..")); s += 2)
        if ((s == v || s[-1] == '/') && (s[2] == '/' || s[2] == '\0'))
            return 1;
    return 0;
}

static int path_ok(const site_policy *p, const char *v)
{
    if (!v[0])
        return 1; /* unset */
    if (has_dotdot(v))
        return 0;
    if (v[0] != '/')
        return 1; /* inside the job's folder (its process works there, confined) */
    char *r = resolve(v);
    int ok = 0;
    for (size_t i = 0; r && !ok && i < p->paths.n; i++)
        ok = inside(r, p->paths.v[i]);
    struct stat st;
    if (ok && stat(r, &st) == 0 && is_db(p, &st))
        ok = 0;
    free(r);
    return ok;
}

static int cidr_has(const policy_cidr *c, const struct sockaddr *sa)
{
    const unsigned char *a;
    if (sa->sa_family != c->family)
        return 0;
    a = c->family == AF_INET ? (const unsigned char *)&((const struct sockaddr_in *)(const void *)sa)->sin_addr
                             : (const unsigned char *)&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
    int full = c->bits / 8, rest = c->bits % 8;
    if (memcmp(a, c->addr, (size_t)full) != 0)
        return 0;
    unsigned char mask = (unsigned char)(0xff << (8 - rest));
    return rest == 0 || (a[full] & mask) == (c->addr[full] & mask);
}

/* Every address v resolves to lies inside an allowed network. */
static int host_ok(const site_policy *p, const char *v)
{
    if (!v[0])
        return 1;
    if (!p->ncidrs)
        return 0;
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
    if (getaddrinfo(v, NULL, &hints, &res) != 0 || !res)
        return 0;
    int ok = 1;
    for (const struct addrinfo *ai = res; ok && ai; ai = ai->ai_next) {
        int any = 0;
        for (size_t i = 0; !any && i < p->ncidrs; i++)
            any = cidr_has(&p->cidrs[i], ai->ai_addr);
        ok = any;
    }
    freeaddrinfo(res);
    return ok;
}

static int refuse(const site_policy *p, const bx_param *bp, const char *v, char *err,
                  size_t errlen)
{
    char shown[256];
    text_escape(v, shown, sizeof shown);
    if (bp->flags & BX_PARAM_HOST)
        return errf(err, errlen, BX_EINVAL,
                    "'%s' is not a host this site lets jobs reach (%s)", shown,
                    p->ncidrs ? "its networks are set by serve --allow-host"
                              : "no host is allowed: serve --allow-host");
    char list[1024] = "";
    size_t off = 0;
    for (size_t i = 0; i < p->paths_given.n && off < sizeof list; i++)
        off += (size_t)snprintf(list + off, sizeof list - off, "%s%s", i ? ", " : "",
                                p->paths_given.v[i]);
    return errf(err, errlen, BX_EINVAL,
                "'%s' is outside the folders this site allows: use a path relative to the job's "
                "own folder (no '..')%s%s",
                shown, off ? ", or one inside " : "", list);
}

static int is_true(const char *v)
{
    return !strcasecmp(v, "true") || !strcasecmp(v, "yes") || !strcasecmp(v, "on") ||
           !strcmp(v, "1");
}

/*
 * 1 when a plugin is asked to keep its files (a boolean parameter `keep`, as IOR's) and
 * one of its written paths (BX_PARAM_PATH_WRITE, as given or by default) lies in the
 * job's folder, which is removed when the job ends: the files would go silently.
 */
static int keeps_in_job_dir(const experiment *e, const bx_plugin *d)
{
    int keep = 0, relative = 0;
    for (size_t k = 0; k < e->ndims; k++) {
        const dim *dm = &e->dims[k];
        if ((dm->kind & 0xff) != DIM_PARAM)
            continue;
        const bx_param *bp = bxp_find(d->params, dm->name);
        int wpath = bp && (bp->flags & BX_PARAM_KIND_MASK) == BX_PARAM_PATH_WRITE;
        for (size_t i = 0; i < dm->values.n; i++) {
            keep |= bp && bp->type == BX_BOOL && !strcmp(dm->name, "keep") &&
                    is_true(dm->values.v[i]);
            relative |= wpath && dm->values.v[i][0] && dm->values.v[i][0] != '/';
        }
    }
    for (const bx_param *bp = d->params; keep && bp && bp->name; bp++) {
        int given = 0;
        for (size_t k = 0; k < e->ndims; k++)
            given |= !strcmp(e->dims[k].name, bp->name);
        if (!given && (bp->flags & BX_PARAM_KIND_MASK) == BX_PARAM_PATH_WRITE && bp->def &&
            bp->def[0] && bp->def[0] != '/')
            relative = 1;
    }
    return keep && relative;
}

int policy_check_experiment(const site_policy *p, const experiment *e, const bx_plugin *d,
                            char *field, size_t fieldlen, char *err, size_t errlen)
{
    for (size_t k = 0; k < e->ndims; k++) {
        const dim *dm = &e->dims[k];
        const bx_param *bp = (dm->kind & 0xff) == DIM_PARAM ? bxp_find(d->params, dm->name) : NULL;
        uint32_t kind = bp ? bp->flags & BX_PARAM_KIND_MASK : 0;
        for (size_t i = 0; kind && i < dm->values.n; i++) {
            const char *v = dm->values.v[i];
            int ok = kind == BX_PARAM_HOST ? host_ok(p, v) : path_ok(p, v);
            if (!ok) {
                snprintf(field, fieldlen, "params.%s", dm->name);
                return refuse(p, bp, v, err, errlen);
            }
        }
    }
    if (keeps_in_job_dir(e, d)) {
        snprintf(field, fieldlen, "params.keep");
        return errf(err, errlen, BX_EINVAL,
                    "keep=true: the files would be removed with the job's folder when the job "
                    "ends; write them into a folder the site allows (an absolute path)");
    }
    /* Slurm settings that place a file, a variable or a command before the worker
     * confines itself are the site's, not a member's (the service sets spool and
     * sandbox itself: policy_slurm_job) */
    static const char *const site_only[] = {"spool", "sandbox", "env", "extra", "modules", NULL};
    for (size_t i = 0; e->slurm && site_only[i]; i++)
        if (cJSON_GetObjectItemCaseSensitive(e->slurm, site_only[i])) {
            snprintf(field, fieldlen, "slurm.%s", site_only[i]);
            return errf(err, errlen, BX_EINVAL,
                        "slurm.%s is the site's setting under this service's policy",
                        site_only[i]);
        }
    return 0;
}

/* ---- folders and sandboxes ------------------------------------------------------------ */

static char *own_dir(const site_policy *p, char *path, char *err, size_t errlen)
{
    if (mkdir(path, 0700) != 0 && errno != EEXIST) {
        errf(err, errlen, BX_EIO, "cannot create a job's folder: %s", strerror(errno));
        free(path);
        return NULL;
    }
    struct stat st;
    /* root-owned and sticky: the run-as user writes its own files, never replaces ours */
    if (lstat(path, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
        (p->drop && chown(path, geteuid(), p->gid) != 0) ||
        chmod(path, p->drop ? 01770 : 0700) != 0) {
        errf(err, errlen, BX_EIO, "a job's folder is not the server's own");
        free(path);
        return NULL;
    }
    return path;
}

char *policy_job_dir(const site_policy *p, int64_t job, char *err, size_t errlen)
{
    if (scratch_root_ready(p, err, errlen))
        return NULL;
    return own_dir(p, xasprintf("%s/job-%lld", p->scratch_root, (long long)job), err, errlen);
}

char *policy_check_dir(const site_policy *p, char *err, size_t errlen)
{
    if (scratch_root_ready(p, err, errlen))
        return NULL;
    char *t = xasprintf("%s/check-XXXXXX", p->scratch_root);
    if (!mkdtemp(t)) {
        errf(err, errlen, BX_EIO, "cannot create a folder to check the job in: %s",
             strerror(errno));
        free(t);
        return NULL;
    }
    return own_dir(p, t, err, errlen);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (flag == FTW_DP)
        rmdir(path);
    else
        unlink(path);
    return 0;
}

void policy_dir_remove(const char *dir)
{
    if (dir)
        nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

void policy_sandbox(const site_policy *p, const char *dir, const strvec *plugin_dirs,
                    sandbox *sb)
{
    memset(sb, 0, sizeof *sb);
    sb->drop = p->drop;
    sb->uid = p->uid;
    sb->gid = p->gid;
    sb->quota = p->job_quota;
    sandbox_add_system(sb);
    for (size_t i = 0; plugin_dirs && i < plugin_dirs->n; i++) {
        char real[PATH_MAX]; /* a relative BENCHAAS_PLUGIN_PATH entry too */
        if (realpath(plugin_dirs->v[i], real))
            strvec_push(&sb->read, real);
    }
    if (p->self_exe && p->self_exe[0]) {
        char *d = xstrdup(p->self_exe), *slash = strrchr(d, '/');
        if (slash && slash != d) {
            *slash = '\0';
            strvec_push(&sb->read, d);
        }
        free(d);
    }
    for (size_t i = 0; i < p->paths.n; i++)
        strvec_push(&sb->write, p->paths.v[i]);
    if (dir)
        strvec_push(&sb->write, dir);
    /* connections at run time: the --allow-host networks (and loopback) only */
    sb->net = 1;
    for (size_t i = 0; i < p->ncidrs; i++) {
        char a[INET6_ADDRSTRLEN];
        if (inet_ntop(p->cidrs[i].family, p->cidrs[i].addr, a, sizeof a))
            strvec_push_owned(&sb->hosts, xasprintf("%s/%d", a, p->cidrs[i].bits));
    }
}

/* Every occurrence of `path` in msg becomes `as`. */
static void replace_all(char *msg, size_t len, const char *path, const char *as)
{
    size_t n = strlen(path);
    if (n < 2)
        return;
    char *hit;
    while ((hit = strstr(msg, path))) {
        char *rest = xstrdup(hit + n);
        snprintf(hit, len - (size_t)(hit - msg), "%s%s", as, rest);
        free(rest);
    }
}

void policy_hide_paths(const site_policy *p, char *msg, size_t len)
{
    strvec dirs = {0};
    plugin_search_path(NULL, &dirs);
    for (size_t i = 0; i < dirs.n; i++)
        replace_all(msg, len, dirs.v[i], "(the site's plugin folder)");
    strvec_free(&dirs);
    replace_all(msg, len, p->scratch_root, "(the jobs' folders)");
    replace_all(msg, len, p->db, "(the database)");
}

/* ---- jobs submitted through Slurm ----------------------------------------------------- */

static char *slurm_box_path(const char *spool, int64_t job)
{
    return xasprintf("%s/service-job-%lld.sandbox.json", spool, (long long)job);
}

char *policy_slurm_job(const site_policy *p, int64_t job, const char *spool, cJSON *exp,
                       char *err, size_t errlen)
{
    char *dir = policy_job_dir(p, job, err, errlen);
    if (!dir)
        return NULL;
    strvec dirs = {0};
    plugin_search_path(NULL, &dirs);
    sandbox sb;
    policy_sandbox(p, dir, &dirs, &sb);
    strvec_free(&dirs);
    cJSON *j = sandbox_to_json(&sb);
    sandbox_free(&sb);
    char *text = cJSON_Print(j), *path = slurm_box_path(spool, job);
    cJSON_Delete(j);
    char e2[512];
    int rc = mkdir_p(spool, e2, sizeof e2) || write_file_atomic(path, text, strlen(text), e2,
                                                                  sizeof e2)
                 ? errf(err, errlen, BX_EIO, "cannot write the job's sandbox in the spool")
                 : 0;
    free(text);
    if (rc == 0) {
        cJSON *sl = cJSON_GetObjectItemCaseSensitive(exp, "slurm");
        if (!cJSON_IsObject(sl)) {
            cJSON_DeleteItemFromObjectCaseSensitive(exp, "slurm");
            sl = cJSON_AddObjectToObject(exp, "slurm");
        }
        /* the member's own were refused (policy_check_experiment) */
        cJSON_DeleteItemFromObjectCaseSensitive(sl, "spool");
        cJSON_DeleteItemFromObjectCaseSensitive(sl, "sandbox");
        cJSON_AddStringToObject(sl, "spool", dir);
        cJSON_AddStringToObject(sl, "sandbox", path);
    } else {
        policy_dir_remove(dir);
        free(dir);
        dir = NULL;
    }
    free(path);
    return dir;
}

void policy_slurm_done(const site_policy *p, int64_t job, const char *spool)
{
    char *path = slurm_box_path(spool, job);
    unlink(path);
    free(path);
    char *dir = xasprintf("%s/job-%lld", p->scratch_root, (long long)job);
    policy_dir_remove(dir);
    free(dir);
}
