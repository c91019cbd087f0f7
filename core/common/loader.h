/*
 * loader.h — finding, loading and checking plugins.
 *
 * Search order: folders given with --plugin-path, then BENCHAAS_PLUGIN_PATH
 * (colon-separated), then the install's plugin folder (<exe>/../lib/benchaas/
 * plugins).  Never the current folder: empty path elements are ignored.
 * A plugin file, or the folder holding it, that others may write is refused.
 */
#ifndef BENCHAAS_LOADER_H
#define BENCHAAS_LOADER_H

#include <stddef.h>

#include "benchaas/plugin.h"
#include "util.h"

typedef struct loaded_plugin {
    char *path;              /* absolute path of the .so (owned) */
    void *handle;            /* dlopen handle */
    const bx_plugin *desc;   /* the plugin's descriptor in this SDK's layout (a copy,
                              * owned: tables of 1.0/1.1 plugins converted) */
} loaded_plugin;

/* The folders to search, in order (owned strings, absolute paths). */
void plugin_search_path(const strvec *user_dirs, strvec *out);

/* The plugin files (NAME.so) of folder dir, sorted by name, appended to files: 0, or -1 when
 * the folder cannot be read (files untouched). */
int plugin_files_in(const char *dir, strvec *files);
/* Every folder the user named with --plugin-path (a:b too) exists and is a folder: 0, or
 * BX_EINVAL naming the one that is not (a typo must not fall back silently). */
int plugin_dirs_check(const strvec *user_dirs, char *err, size_t errlen);

/*
 * Load the .so at `path` and check its descriptor (magic, ABI, struct_size,
 * callbacks, name matching the file, tables).  0 and *out, or BX_EINVAL and
 * "PATH: <what is wrong>" in err.  The entry function gets `host`, or the
 * core's table when host is NULL (a plugin never sees NULL).  A 1.2 plugin's
 * stamp (bx_stamp) is checked before the entry function is called.
 */
int plugin_load_file(const char *path, const bx_host *host, loaded_plugin *out, char *err,
                     size_t errlen);

/* Find NAME.so in the search path and load it. */
int plugin_find(const strvec *dirs, const char *name, const bx_host *host, loaded_plugin *out,
                char *err, size_t errlen);

void plugin_unload(loaded_plugin *p);

/* One entry of plugin_scan(): a plugin, or a file that was refused. */
typedef struct plugin_entry {
    loaded_plugin p; /* valid when error == NULL */
    char *file;      /* path of the .so */
    char *error;     /* why it was refused, or NULL */
} plugin_entry;

/* Every *.so in every folder, in search order, duplicates refused. */
int plugin_scan(const strvec *dirs, const bx_host *host, plugin_entry **out, size_t *n);
void plugin_scan_free(plugin_entry *e, size_t n);

/* Does descriptor d carry `field` (it lies inside d->struct_size)?  Fields
 * appended in later minors must be read only through this. */
#define BX_DESC_HAS(d, field) \
    ((d)->struct_size >= offsetof(bx_plugin, field) + sizeof((d)->field))


#endif
