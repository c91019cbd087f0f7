/*
 * stampplug.c — a shared object whose bx_stamp has a bad magic and whose
 * entry function aborts: the loader must refuse it from the stamp alone,
 * without calling any of its code.
 */
#include <stdlib.h>

#include "benchaas/plugin.h"

BX_EXPORT extern const bx_stamp benchaas_plugin_stamp;
BX_EXPORT const bx_stamp benchaas_plugin_stamp = {0xdeadbeefu, BX_ABI_MAJOR, BX_ABI_MINOR,
                                                  (uint32_t)sizeof(bx_plugin)};

BX_EXPORT const bx_plugin *benchaas_plugin_entry(const bx_host *host);
BX_EXPORT const bx_plugin *benchaas_plugin_entry(const bx_host *host)
{
    (void)host;
    abort(); /* never called */
}
