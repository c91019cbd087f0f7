/*
 * page_board.h — the leaderboard pages of `benchaas serve` (docs/serve.md, "Pages").
 */
#ifndef BENCHAAS_PAGE_BOARD_H
#define BENCHAAS_PAGE_BOARD_H

#include <cjson/cJSON.h>
#include <stdio.h>

#include "benchaas/plugin.h"
#include "http.h"

/* A configuration as a person reads it, from an object with "params" (as set),
 * "computed", "ranks" and "threads": "2 ranks × 1 thread · N=3000 · array_size=10 000 000
 * (computed)" in a <tag class="config"> element, then the parameters left at their defaults
 * (table: the plugin's, or NULL: every parameter shown) in a "details" toggle. */
void page_config(FILE *f, const cJSON *e, const bx_param *table, const char *tag);

/* GET /leaderboard: the plugins that have runs. */
int page_board_list(http_req *r, http_resp *o);
/* GET /leaderboard/{plugin}[?metric=M][&include=warned]. */
int page_board(http_req *r, http_resp *o);

#endif
