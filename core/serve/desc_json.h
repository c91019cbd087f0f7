/*
 * desc_json.h — a plugin descriptor's data as JSON and back: what the describe child
 * (apart.h) sends the server, which keeps it (plugin_kept.h) instead of loading the plugin.
 *
 * The data are the descriptor's header fields (ABI, size, flags, default repetitions), its
 * name, version and description, and its parameter and metric tables, every field of each.
 * A descriptor made from JSON owns its strings and tables (desc_free) and has no callbacks:
 * its plugin's code is not in this process.
 */
#ifndef BENCHAAS_DESC_JSON_H
#define BENCHAAS_DESC_JSON_H

#include <cjson/cJSON.h>

#include "benchaas/plugin.h"

cJSON *desc_to_json(const bx_plugin *d);
/* The descriptor of j (desc_free it), or NULL when j is not one. */
bx_plugin *desc_from_json(const cJSON *j);
void desc_free(const bx_plugin *d);

#endif
