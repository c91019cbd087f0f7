/*
 * openapi.c — serves the OpenAPI document (openapi.h).  The document is the
 * source file core/serve/openapi.json, turned into openapi_doc.c by embed.cmake at
 * build time, so what is served is byte for byte what is reviewed.
 */
#include "openapi.h"

extern const unsigned char openapi_doc[];
extern const size_t openapi_doc_len;

int openapi_api_get(http_req *r, http_resp *o)
{
    (void)r;
    return http_text(o, 200, "application/json", (const char *)openapi_doc, openapi_doc_len);
}
