/*
 * page_board.h — the leaderboard pages of `benchaas serve` (docs/serve.md, "Pages").
 */
#ifndef BENCHAAS_PAGE_BOARD_H
#define BENCHAAS_PAGE_BOARD_H

#include "http.h"

/* GET /leaderboard: the plugins that have runs. */
int page_board_list(http_req *r, http_resp *o);
/* GET /leaderboard/{plugin}[?metric=M][&include=warned]. */
int page_board(http_req *r, http_resp *o);

#endif
