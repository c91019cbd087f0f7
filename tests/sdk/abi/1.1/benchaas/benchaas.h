/* benchaas/benchaas.h — the one header a plugin includes. */
#ifndef BENCHAAS_BENCHAAS_H
#define BENCHAAS_BENCHAAS_H

#include "benchaas/plugin.h"
#include "benchaas/sdk.h"

#endif
