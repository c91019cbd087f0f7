/* loader.c — finding, loading and checking plugins (see loader.h). */
#define _GNU_SOURCE
#include "loader.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host.h"
#include "paramval.h"
#include "safefile.h"

static void add_dir(strvec *out, const char *dir)
{
    if (!dir || !*dir)
        return; /* an empty element would mean "." — never search it implicitly */
    char real[PATH_MAX];
    const char *use = realpath(dir, real) ? real : dir;
    for (size_t i = 0; i < out->n; i++)
        if (strcmp(out->v[i], use) == 0)
            return;
    strvec_push(out, use);
}

void plugin_search_path(const strvec *user_dirs, strvec *out)
{
    for (size_t i = 0; user_dirs && i < user_dirs->n; i++) {
        char *copy = xstrdup(user_dirs->v[i]), *save = NULL;
        for (char *t = strtok_r(copy, ":", &save); t; t = strtok_r(NULL, ":", &save))
            add_dir(out, t);
        free(copy);
    }
    const char *env = getenv("BENCHAAS_PLUGIN_PATH");
    if (env) {
        char *copy = xstrdup(env), *save = NULL;
        for (char *t = strtok_r(copy, ":", &save); t; t = strtok_r(NULL, ":", &save))
            add_dir(out, t);
        free(copy);
    }
    char *ed = exe_dir();
    char *inst = xasprintf("%s/%s", ed, BENCHAAS_PLUGIN_RELDIR);
    add_dir(out, inst);
    free(inst);
    free(ed);
}

int plugin_dirs_check(const strvec *user_dirs, char *err, size_t errlen)
{
    for (size_t i = 0; user_dirs && i < user_dirs->n; i++) {
        if (!*user_dirs->v[i])
            return errf(err, errlen, BX_EINVAL, "--plugin-path: an empty folder name");
        char *copy = xstrdup(user_dirs->v[i]), *save = NULL;
        int rc = 0;
        for (char *t = strtok_r(copy, ":", &save); t && !rc; t = strtok_r(NULL, ":", &save)) {
            struct stat st;
            if (stat(t, &st) != 0)
                rc = errf(err, errlen, BX_EINVAL, "--plugin-path %s: %s", t,
                          errno == ENOENT ? "no such folder" : strerror(errno));
            else if (!S_ISDIR(st.st_mode))
                rc = errf(err, errlen, BX_EINVAL, "--plugin-path %s: not a folder", t);
        }
        free(copy);
        if (rc)
            return rc;
    }
    return 0;
}

/*
 * Plugin trust, as ssh and sudo judge key files and plugins: the plugin file
 * and every folder above it, up to /, must be owned by root or by the user
 * running benchaas, and none may be writable by its group or by every user.
 * One exception, a directory with the sticky bit owned by root (as /tmp):
 * nobody but root may rename or replace what others own in it, so it is safe
 * to pass through; what lies below it is judged like everything else.
 */
static int owner_ok(uid_t u) { return u == 0 || u == getuid() || u == geteuid(); }

static const char *who_writes(mode_t m) { return m & S_IWOTH ? "every user" : "its group"; }

/* Judge the file `real` (resolved) and its folders; `shown` is the name the user gave. */
static int check_trust(const char *real, const char *shown, int is_file, char *err, size_t errlen)
{
    struct stat st;
    if (stat(real, &st) != 0)
        return errf(err, errlen, BX_EINVAL, "%s: %s", real, strerror(errno));
    if (is_file && !owner_ok(st.st_uid))
        return errf(err, errlen, BX_EINVAL,
                    "%s: the file is owned by uid %u, not by root or you (uid %u); refusing to "
                    "load it (fix it with chown)",
                    real, (unsigned)st.st_uid, (unsigned)getuid());
    if (is_file && (st.st_mode & (S_IWOTH | S_IWGRP)))
        return errf(err, errlen, BX_EINVAL,
                    "%s: the file is writable by %s (mode %04o); fix it with chmod go-w", real,
                    who_writes(st.st_mode), (unsigned)(st.st_mode & 07777));
    char *dir = xstrdup(real);
    int rc = 0, first = 1;
    for (;;) {
        char *slash = strrchr(dir, '/');
        if (!slash)
            break;
        if (slash == dir) {
            if (!dir[1])
                break; /* "/" was judged last time round */
            slash[1] = '\0';
        } else {
            *slash = '\0';
        }
        if (!is_file && first) {
            /* `real` is itself the folder: judge it first */
            free(dir);
            dir = xstrdup(real);
        }
        if (stat(dir, &st) != 0) {
            rc = errf(err, errlen, BX_EINVAL, "%s: %s: %s", shown, dir, strerror(errno));
            break;
        }
        const char *rel = first ? "its folder" : "its ancestor folder";
        int root_sticky = (st.st_mode & S_ISVTX) && st.st_uid == 0;
        if (!owner_ok(st.st_uid)) {
            rc = errf(err, errlen, BX_EINVAL,
                      "%s: %s %s is owned by uid %u, not by root or you (uid %u); refusing to "
                      "load plugins below it",
                      shown, rel, dir, (unsigned)st.st_uid, (unsigned)getuid());
            break;
        }
        if ((st.st_mode & (S_IWOTH | S_IWGRP)) && !root_sticky) {
            rc = errf(err, errlen, BX_EINVAL,
                      "%s: %s %s is writable by %s (mode %04o)%s; fix it with chmod go-w", shown,
                      rel, dir, who_writes(st.st_mode), (unsigned)(st.st_mode & 07777),
                      st.st_mode & S_ISVTX ? ", and its sticky bit protects nothing as it is "
                                             "not owned by root"
                                           : "");
            break;
        }
        first = 0;
        if (strcmp(dir, "/") == 0)
            break;
    }
    free(dir);
    return rc;
}

/* The plugin file as named (its folder chain, not following the last link) and
 * as resolved (links followed to the real file). */
static int check_permissions(const char *path, char *err, size_t errlen)
{
    char real[PATH_MAX];
    if (!realpath(path, real))
        return errf(err, errlen, BX_EINVAL, "%s: %s", path, strerror(errno));
    int rc = check_trust(real, strcmp(real, path) ? real : path, 1, err, errlen);
    if (rc) {
        if (strcmp(real, path) != 0) {
            size_t n = strlen(err);
            if (n < errlen)
                snprintf(err + n, errlen - n, " (%s links to it)", path);
        }
        return rc;
    }
    /* the folder holding the name given (a link in a loose folder can be replaced) */
    char *d = xstrdup(path), *slash = strrchr(d, '/');
    if (slash) {
        slash[slash == d ? 1 : 0] = '\0';
        char rd[PATH_MAX];
        if (realpath(d, rd) && strcmp(rd, real) != 0)
            rc = check_trust(rd, path, 0, err, errlen);
    }
    free(d);
    return rc;
}

/* "dir/hpl.so" -> "hpl" (caller frees). */
static char *stem_of(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    char *s = xstrdup(base);
    size_t n = strlen(s);
    if (n > 3 && strcmp(s + n - 3, ".so") == 0)
        s[n - 3] = '\0';
    return s;
}

int plugin_load_file(const char *path, const bx_host *host, loaded_plugin *out, char *err,
                     size_t errlen)
{
    memset(out, 0, sizeof *out);
    /* A symbolic link is judged by what it points to as well: a link in a
     * safe folder to a file in a folder others may write is not safe
     * (tests/common/loader/plugin_symlink.faults.sh). */
    int rc = check_permissions(path, err, errlen);
    if (rc)
        return rc;
    char real[PATH_MAX];
    if (!realpath(path, real))
        return errf(err, errlen, BX_EINVAL, "%s: %s", path, strerror(errno));
    /* A file dlopen would choke on (a FIFO would hang it, a truncated copy
     * kill the process with SIGBUS) is refused first, with the reason. */
    if ((rc = safefile_plugin_ok(real, err, errlen)) != 0)
        return BX_EINVAL;
    dlerror();
    void *h = dlopen(real, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *e = dlerror();
        return errf(err, errlen, BX_EINVAL, "%s: cannot load: %s", real, e ? e : "unknown error");
    }
    /* ABI 1.2 plugins export a stamp: check magic and version from data,
     * before any plugin code (the entry function) runs. */
    const bx_stamp *stamp = (const bx_stamp *)dlsym(h, BX_STAMP_SYMBOL);
    char why[768];
    if (stamp &&
        bxp_check_stamp(stamp->magic, stamp->abi_major, stamp->abi_minor, stamp->struct_size, why,
                        sizeof why) != 0) {
        dlclose(h);
        return errf(err, errlen, BX_EINVAL, "%s: %s", real, why);
    }
    bx_entry_fn entry;
    *(void **)&entry = dlsym(h, BX_ENTRY_SYMBOL);
    if (!entry) {
        dlclose(h);
        return errf(err, errlen, BX_EINVAL,
                    "%s: not a BenchaaS plugin (no entry point %s; was it built with "
                    "BX_PLUGIN_DEFINE?)",
                    real, BX_ENTRY_SYMBOL);
    }
    const bx_plugin *raw = entry(host ? host : core_host()); /* never NULL */
    /* The same checks as the mock host's, so a plugin its author tested
     * with the mock loads here. */
    rc = bxp_check_descriptor(raw, why, sizeof why);
    if (rc == 0 && stamp &&
        (raw->magic != stamp->magic || raw->abi_minor != stamp->abi_minor)) {
        snprintf(why, sizeof why, "the descriptor's ABI %u.%u differs from the stamp's %u.%u",
                 (unsigned)raw->abi_major, (unsigned)raw->abi_minor, (unsigned)stamp->abi_major,
                 (unsigned)stamp->abi_minor);
        rc = BX_EINVAL;
    }
    /* From here on the core reads the descriptor in this SDK's layout. */
    bx_plugin *d = NULL;
    if (rc == 0)
        rc = bxp_normalize(raw, &d, why, sizeof why);
    char *stem = stem_of(real);
    if (rc == 0 && strcmp(d->name, stem) != 0) {
        snprintf(why, sizeof why, "plugin name '%s' does not match the file name '%s.so'",
                 d->name, stem);
        rc = BX_EINVAL;
    }
    free(stem);
    if (rc) {
        bxp_normalized_free(d);
        dlclose(h);
        return errf(err, errlen, BX_EINVAL, "%s: %s", real, why);
    }
    out->path = xstrdup(real);
    out->handle = h;
    out->desc = d;
    return 0;
}

int plugin_find(const strvec *dirs, const char *name, const bx_host *host, loaded_plugin *out,
                char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (!*name || strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return errf(err, errlen, BX_EINVAL, "'%s' is not a plugin name", name);
    for (size_t i = 0; i < dirs->n; i++) {
        char *path = xasprintf("%s/%s.so", dirs->v[i], name);
        struct stat st;
        if (stat(path, &st) == 0) {
            int rc = plugin_load_file(path, host, out, err, errlen);
            free(path);
            return rc;
        }
        free(path);
    }
    /* Unknown: list what exists, so the user sees the choices. */
    plugin_entry *e = NULL;
    size_t n = 0;
    plugin_scan(dirs, NULL, &e, &n);
    char names[1024] = "";
    size_t off = 0;
    for (size_t i = 0; i < n && off < sizeof names - 1; i++)
        if (!e[i].error)
            off += (size_t)snprintf(names + off, sizeof names - off, "%s%s", off ? ", " : "",
                                    e[i].p.desc->name);
    plugin_scan_free(e, n);
    char where[1024] = "";
    off = 0;
    for (size_t i = 0; i < dirs->n && off < sizeof where - 1; i++)
        off += (size_t)snprintf(where + off, sizeof where - off, "%s%s", off ? ":" : "",
                                dirs->v[i]);
    return errf(err, errlen, BX_EINVAL,
                "unknown plugin '%s' (searched %s); available: %s; see `benchaas plugins`", name,
                where, *names ? names : "none");
}

void plugin_unload(loaded_plugin *p)
{
    if (!p)
        return;
    /* Keep the object mapped: plugins may have registered atexit handlers or
     * started libraries (OpenMP, MPI) whose threads still run its code. */
    free(p->path);
    bxp_normalized_free((bx_plugin *)p->desc);
    memset(p, 0, sizeof *p);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int plugin_files_in(const char *dir, strvec *files)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if (len > 3 && strcmp(de->d_name + len - 3, ".so") == 0)
            strvec_push_owned(files, xasprintf("%s/%s", dir, de->d_name));
    }
    closedir(d);
    if (files->n)
        qsort(files->v, files->n, sizeof *files->v, cmp_str);
    return 0;
}

int plugin_scan(const strvec *dirs, const bx_host *host, plugin_entry **out, size_t *n)
{
    plugin_entry *v = NULL;
    size_t cnt = 0, cap = 0;
    for (size_t i = 0; i < dirs->n; i++) {
        strvec files = {0};
        if (plugin_files_in(dirs->v[i], &files) != 0)
            continue;
        for (size_t k = 0; k < files.n; k++) {
            if (cnt == cap) {
                cap = cap ? cap * 2 : 16;
                v = xrealloc(v, cap * sizeof *v);
            }
            plugin_entry *e = &v[cnt++];
            memset(e, 0, sizeof *e);
            e->file = xstrdup(files.v[k]);
            char err[1024];
            if (plugin_load_file(files.v[k], host, &e->p, err, sizeof err) != 0) {
                e->error = xstrdup(err);
                continue;
            }
            for (size_t j = 0; j + 1 < cnt; j++) {
                if (!v[j].error && strcmp(v[j].p.desc->name, e->p.desc->name) == 0) {
                    e->error = xasprintf("%s: duplicate plugin name '%s' (also in %s, which wins)",
                                         e->p.path, e->p.desc->name, v[j].p.path);
                    plugin_unload(&e->p);
                    break;
                }
            }
        }
        strvec_free(&files);
    }
    *out = v;
    *n = cnt;
    return 0;
}

void plugin_scan_free(plugin_entry *e, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!e[i].error)
            plugin_unload(&e[i].p);
        free(e[i].file);
        free(e[i].error);
    }
    free(e);
}
