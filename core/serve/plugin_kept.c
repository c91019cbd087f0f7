/* plugin_kept.c — plugin descriptors loaded once per plugin file (see plugin_kept.h). */
#define _GNU_SOURCE
#include "plugin_kept.h"

#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "apart.h"
#include "desc_json.h"
#include "host.h"
#include "policy.h"

#define REFUSAL_KEPT_S 5.0 /* a refusal is kept this long at most: the loader also judges the
                              folders above the plugin's, which the key does not cover */

typedef struct kept {
    loaded_plugin lp;   /* first: plugin_kept_put finds its entry from it; no handle: the
                           descriptor is the plugin's data (desc_json.h), no code */
    char *path;         /* the plugin file's name (a link is followed by the key) */
    char *error;        /* the loader's refusal (lp is empty), or NULL */
    struct stat file;   /* that file, when it was loaded */
    double at;          /* when it was loaded (mono_now) */
    unsigned long used; /* when it was last asked for (the table's clock) */
    int refs;           /* users, and 1 while it is in the table */
} kept;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static kept *table[PLUGIN_KEPT_MAX];
static size_t ntable;
static unsigned long clock_now;

static int same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
           a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec &&
           a->st_mode == b->st_mode && a->st_uid == b->st_uid && a->st_gid == b->st_gid;
}

static void kept_free(kept *k)
{
    if (!k)
        return;
    desc_free(k->lp.desc);
    free(k->lp.path);
    free(k->error);
    free(k->path);
    free(k);
}

/* Drop one reference (under mu): the entry when it was the last one, to free after unlocking. */
static kept *unref(kept *k)
{
    return --k->refs == 0 ? k : NULL;
}

/* Take table[i] out (under mu); when nobody uses it, to gone[] to free after unlocking. */
static void take_out(size_t i, kept **gone, size_t *ngone)
{
    kept *g = unref(table[i]);
    table[i] = table[--ntable];
    if (g)
        gone[(*ngone)++] = g;
}

/* The entry kept for the name path with keys f, a reference taken; else the entry of that
 * name taken out (its file changed) and NULL (under mu). */
static kept *lookup(const char *path, const struct stat *f, kept **gone, size_t *ngone)
{
    for (size_t i = 0; i < ntable; i++) {
        kept *k = table[i];
        if (strcmp(k->path, path) != 0)
            continue;
        if (same_file(&k->file, f) && !(k->error && mono_now() - k->at > REFUSAL_KEPT_S)) {
            k->refs++;
            k->used = ++clock_now;
            return k;
        }
        take_out(i, gone, ngone);
        break;
    }
    return NULL;
}

/* Put k in the table (under mu), in place of another entry of its name (another thread's
 * load) or, when it is full, of the one unused longest; not kept when every entry is in use. */
static void insert(kept *k, kept **gone, size_t *ngone)
{
    for (size_t i = 0; i < ntable; i++)
        if (strcmp(table[i]->path, k->path) == 0) {
            take_out(i, gone, ngone);
            break;
        }
    if (ntable == PLUGIN_KEPT_MAX) {
        size_t old = PLUGIN_KEPT_MAX;
        for (size_t i = 0; i < ntable; i++)
            if (table[i]->refs == 1 &&
                (old == PLUGIN_KEPT_MAX || table[i]->used < table[old]->used))
                old = i;
        if (old == PLUGIN_KEPT_MAX)
            return;
        take_out(old, gone, ngone);
    }
    k->refs++;
    k->used = ++clock_now;
    table[ntable++] = k;
}

static void free_all(kept **gone, size_t ngone)
{
    for (size_t i = 0; i < ngone; i++)
        kept_free(gone[i]);
}

/* Read path's descriptor into a new entry (one reference, not in the table): described in a
 * confined child under the site's policy (apart.h), or, with no policy installed (not the
 * service), loaded here. */
static kept *load(const char *path)
{
    kept *k = xcalloc(1, sizeof *k);
    char why[2048];
    const site_policy *p = policy_current();
    cJSON *j = NULL;
    if (p) {
        if (apart_describe(p, path, &j, why, sizeof why) != 0)
            k->error = xstrdup(why);
    } else {
        loaded_plugin lp;
        if (plugin_load_file(path, core_host(), &lp, why, sizeof why) != 0) {
            k->error = xstrdup(why);
        } else {
            j = desc_to_json(lp.desc);
            plugin_unload(&lp);
        }
    }
    if (j && !(k->lp.desc = desc_from_json(j)))
        k->error = xstrdup("the plugin's description could not be read");
    cJSON_Delete(j);
    if (p && k->error)
        policy_hide_paths(p, k->error, strlen(k->error) + 1);
    k->lp.path = xstrdup(path);
    k->path = xstrdup(path);
    k->at = mono_now();
    k->refs = 1;
    return k;
}

const loaded_plugin *plugin_kept_file(const char *path, char *err, size_t errlen)
{
    struct stat f; /* links followed: the file the name resolves to now */
    int keyed = stat(path, &f) == 0;
    kept *gone[2];
    size_t ngone = 0;
    if (keyed) {
        pthread_mutex_lock(&mu);
        kept *k = lookup(path, &f, gone, &ngone);
        pthread_mutex_unlock(&mu);
        free_all(gone, ngone);
        ngone = 0;
        if (k && !k->error)
            return &k->lp;
        if (k) {
            snprintf(err, errlen, "%s", k->error);
            plugin_kept_put(&k->lp);
            return NULL;
        }
        /* Loaded here (no policy), a file this process opened before is handed out again by
         * the dynamic loader, whatever the file holds now: used once, not kept. */
        char real[PATH_MAX];
        void *open_now = policy_current() || !realpath(path, real)
                             ? NULL
                             : dlopen(real, RTLD_LAZY | RTLD_NOLOAD);
        if (open_now) {
            dlclose(open_now);
            keyed = 0;
        }
    }
    kept *k = load(path);
    if (keyed) { /* the keys read before loading: a file replaced meanwhile is loaded again */
        k->file = f;
        pthread_mutex_lock(&mu);
        insert(k, gone, &ngone);
        pthread_mutex_unlock(&mu);
        free_all(gone, ngone);
    }
    if (k->error) {
        snprintf(err, errlen, "%s", k->error);
        plugin_kept_put(&k->lp);
        return NULL;
    }
    return &k->lp;
}

static int valid_name(const char *name)
{
    return *name && !strchr(name, '/') && strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

const loaded_plugin *plugin_kept_find(const strvec *dirs, const char *name, char *err,
                                      size_t errlen)
{
    for (size_t i = 0; valid_name(name) && i < dirs->n; i++) {
        char *path = xasprintf("%s/%s.so", dirs->v[i], name);
        struct stat st;
        if (stat(path, &st) == 0) {
            const loaded_plugin *lp = plugin_kept_file(path, err, errlen);
            free(path);
            return lp;
        }
        free(path);
    }
    if (!valid_name(name)) { /* the loader's own message; nothing is opened */
        loaded_plugin lp;
        if (plugin_find(dirs, name, core_host(), &lp, err, errlen) == 0)
            plugin_unload(&lp);
        return NULL;
    }
    /* unknown: the plugins that exist, from what is kept (no plugin is loaded here, and no
     * server folder is named) */
    strvec names = {0};
    plugin_kept_names(dirs, &names);
    size_t off = (size_t)snprintf(err, errlen, "unknown plugin '%s'; available: ", name);
    for (size_t i = 0; i < names.n && off < errlen; i++)
        off += (size_t)snprintf(err + off, errlen - off, "%s%s", i ? ", " : "", names.v[i]);
    if (off < errlen)
        snprintf(err + off, errlen - off, "%s", names.n ? "" : "none");
    strvec_free(&names);
    return NULL;
}

void plugin_kept_each(const strvec *dirs, void (*fn)(const loaded_plugin *lp, void *ctx),
                      void *ctx)
{
    strvec seen = {0};
    for (size_t i = 0; i < dirs->n; i++) {
        strvec files = {0};
        if (plugin_files_in(dirs->v[i], &files) != 0)
            continue;
        for (size_t k = 0; k < files.n; k++) {
            char err[1024];
            const loaded_plugin *lp = plugin_kept_file(files.v[k], err, sizeof err);
            if (!lp)
                continue;
            int dup = 0;
            for (size_t j = 0; j < seen.n && !dup; j++)
                dup = strcmp(seen.v[j], lp->desc->name) == 0;
            if (!dup) {
                strvec_push(&seen, lp->desc->name);
                fn(lp, ctx);
            }
            plugin_kept_put(lp);
        }
        strvec_free(&files);
    }
    strvec_free(&seen);
}

static void push_name(const loaded_plugin *lp, void *ctx)
{
    strvec_push(ctx, lp->desc->name);
}

void plugin_kept_names(const strvec *dirs, strvec *out)
{
    plugin_kept_each(dirs, push_name, out);
}

void plugin_kept_put(const loaded_plugin *lp)
{
    if (!lp)
        return;
    kept *k = (kept *)(void *)(uintptr_t)lp; /* lp is the entry's first member */
    pthread_mutex_lock(&mu);
    kept *g = unref(k);
    pthread_mutex_unlock(&mu);
    kept_free(g);
}

void plugin_kept_clear(void)
{
    kept *gone[PLUGIN_KEPT_MAX];
    size_t ngone = 0;
    pthread_mutex_lock(&mu);
    for (size_t i = ntable; i-- > 0;)
        if (table[i]->refs == 1)
            take_out(i, gone, &ngone);
    pthread_mutex_unlock(&mu);
    free_all(gone, ngone);
}
