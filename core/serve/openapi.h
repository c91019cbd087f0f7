/*
 * openapi.h — the OpenAPI 3.1 document of the JSON API (core/serve/openapi.json,
 * compiled in), served at GET /api/v1/openapi.json without sign-in.  docs/api.md is
 * the same contract in words; tests/serve/openapi/openapi.py checks the server's real
 * answers against it.
 */
#ifndef BENCHAAS_OPENAPI_H
#define BENCHAAS_OPENAPI_H

#include "http.h"

/* GET /api/v1/openapi.json: the document, application/json. */
int openapi_api_get(http_req *r, http_resp *o);

#endif
