/*
 * page_dash.h — the dashboard of `benchaas serve` (docs/serve.md, "Pages") and the
 * actions on the regressions it shows.
 */
#ifndef BENCHAAS_PAGE_DASH_H
#define BENCHAAS_PAGE_DASH_H

#include "http.h"

/* GET /: the queue, the scheduler's health, newest results and failures, the
 * regressions, each plugin's latest headline figures. */
int page_dashboard(http_req *r, http_resp *o);
/* POST /alerts/{id}/acknowledge and /alerts/{id}/accept (field reason). */
int page_alert_ack(http_req *r, http_resp *o);
int page_alert_accept(http_req *r, http_resp *o);

#endif
