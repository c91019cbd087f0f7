/*
 * page_yard.h — a run's headline figure with what it is measured against, for the
 * run page (docs/serve.md, "Pages"; the yardstick itself: core/results/yardstick.h).
 */
#ifndef BENCHAAS_PAGE_YARD_H
#define BENCHAAS_PAGE_YARD_H

#include <stdio.h>

#include "http.h"

/* <div id="headline">: the figure in human units, its fraction of the node's peak or of
 * the host class's typical value, and how that was derived in a "details" toggle. */
void page_headline(FILE *f, http_req *r, long long run_id);

/* " 54 % of peak" or " 114 % of typical" after a figure of `metric` of run run_id (how it
 * was derived in the title), or nothing when there is no yardstick. */
void page_yard_short(FILE *f, http_req *r, long long run_id, const char *metric);

/* The same in words after a figure of `metric` (in unit) of run run_id, for the dashboard:
 * " — 54 % of this node's peak of 38.4 GFLOP/s" (how it was derived in the title), or
 * nothing when there is no yardstick. */
void page_yard_long(FILE *f, http_req *r, long long run_id, const char *metric, const char *unit);

#endif
