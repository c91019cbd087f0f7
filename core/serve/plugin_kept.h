/*
 * plugin_kept.h — the descriptors of the plugins the pages show, loaded once per plugin file
 * and shared by every server thread.
 *
 * A page that shows a plugin's parameters (/submit/{plugin}, a leaderboard, the dashboard)
 * and the API's list of plugins used to load the plugin on every request: the loader's trust
 * checks over the folder chain, dlopen, the entry function.  Here a plugin file is loaded
 * once and kept, keyed by what identifies its contents: the file the name resolves to (links
 * followed) and its device, inode, size, modification and change times, mode and owner.  A
 * request only resolves the name and stats the file; a file replaced, rebuilt, re-linked,
 * chmod'ed or chown'ed no longer matches, and the next request loads it again through the
 * loader, with every check it makes (loader.h: a file or folder that others may write is
 * refused, so no untrusted plugin's code runs in the server).  The code that runs is the code
 * that was checked: a file whose identity has not changed is the file that was loaded, and a
 * replaced file in a folder others may write is refused when it is loaded again.
 *
 * A refusal is kept the same way, REFUSAL_KEPT_S seconds at most (the loader also judges the
 * folders above the file, which the key does not cover: a folder made safe again is seen).
 *
 * What is kept is the descriptor's data (names, texts, parameter and metric tables), copied
 * out of the plugin, whose file is closed again at once: nothing keeps a plugin file mapped
 * (a file rewritten in place cannot fault the server), and the callbacks of a kept
 * descriptor are NULL.  The dynamic loader hands out an object already open under the same
 * name instead of reading the file again, so a file loaded while another part of the server
 * holds it open (a plan in progress) is used for that request and not kept.
 *
 * Threads: every function may be called from any thread.
 */
#ifndef BENCHAAS_PLUGIN_KEPT_H
#define BENCHAAS_PLUGIN_KEPT_H

#include <stddef.h>

#include "loader.h"
#include "util.h"

#define PLUGIN_KEPT_MAX 64 /* plugin files kept at most (unused ones are dropped first) */

/* The plugin file at `path`, loaded or kept: the kept plugin (plugin_kept_put it), or NULL
 * and the loader's message in err. */
const loaded_plugin *plugin_kept_file(const char *path, char *err, size_t errlen);
/* Plugin `name` from the search path (dirs, in order), as plugin_find finds it: kept, or
 * NULL and plugin_find's message (an unknown name lists the plugins that exist). */
const loaded_plugin *plugin_kept_find(const strvec *dirs, const char *name, char *err,
                                      size_t errlen);
/* fn(plugin, ctx) for the plugin of every *.so of dirs, kept, in plugin_scan's order,
 * refused files and later duplicates of a name left out (the plugin is valid during fn). */
void plugin_kept_each(const strvec *dirs, void (*fn)(const loaded_plugin *lp, void *ctx),
                      void *ctx);
/* Their names, appended to out. */
void plugin_kept_names(const strvec *dirs, strvec *out);
/* Done with a kept plugin (NULL is fine). */
void plugin_kept_put(const loaded_plugin *lp);
/* Unload every kept plugin not in use (at the server's end). */
void plugin_kept_clear(void);

#endif
