/*
 * plugin_kept.h — the descriptors of the plugins the pages show, read once per plugin file
 * and shared by every server thread.
 *
 * A page that shows a plugin's parameters (/submit/{plugin}, a leaderboard, the dashboard)
 * and the API's list of plugins used to load the plugin on every request: the loader's trust
 * checks over the folder chain, dlopen, the entry function, in the server's process.  Here a
 * plugin file is described once and kept, keyed by its name and what identifies its
 * contents: the device, inode, size, modification and change times, mode and owner of the
 * file the name leads to (links followed).  A request only stats the name; a file replaced,
 * rebuilt, written over in place, re-linked, chmod'ed or chown'ed no longer matches, and the
 * next request describes it again.
 *
 * A file is described in the service's confined child (apart_describe, apart.h): the loader
 * there makes every check it makes (loader.h: a file, or a folder above it, that others may
 * write is refused), loads it, and sends back the descriptor's data (desc_json.h: names,
 * texts, parameter and metric tables).  No plugin code runs in the server for this, and the
 * child reads the file afresh each time (the server's own dynamic loader would hand out the
 * version it opened first: it never closes a plugin).  Without a site policy installed (not
 * the service) the file is loaded here instead, and a file this process opened before is
 * used once, not kept.
 *
 * A refusal is kept the same way, REFUSAL_KEPT_S seconds at most (the loader also judges the
 * folders above the file, which the key does not cover: a folder made safe again is seen).
 * The callbacks of a kept descriptor are NULL.
 *
 * Threads: every function may be called from any thread.
 */
#ifndef BENCHAAS_PLUGIN_KEPT_H
#define BENCHAAS_PLUGIN_KEPT_H

#include <stddef.h>

#include "loader.h"
#include "util.h"

#define PLUGIN_KEPT_MAX 64 /* plugin files kept at most (unused ones are dropped first) */

/* The plugin file at `path`, described now or kept: the kept plugin (plugin_kept_put it;
 * its desc is data only, its handle NULL), or NULL and the loader's message in err. */
const loaded_plugin *plugin_kept_file(const char *path, char *err, size_t errlen);
/* Plugin `name` from the search path (dirs, in order), as plugin_find finds it: kept, or
 * NULL and a message (an unknown name: "unknown plugin 'X'; available: a, b", no folder
 * named; a name that is no plugin name: the loader's). */
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
