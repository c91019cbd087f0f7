/* collect.h — ingest the finished result documents of a spool folder (collect.c). */
#ifndef BENCHAAS_COLLECT_H
#define BENCHAAS_COLLECT_H

#include <stddef.h>

#include "store.h"

/*
 * Ingest every <uuid>.result.json in spool (keep = 1: leave the files) and
 * record orphaned local/mpi runs as interrupted; *ingested counts the
 * stored documents.  Returns the number that failed.
 */
int collect_spool(store *st, const char *spool, int keep, int verbose, size_t *ingested);

#endif
