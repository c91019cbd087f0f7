/*
 * schedule_cmd.h — `benchaas schedule add|list|remove`: the schedules of a service, through
 * its API (/api/v1/schedules; docs/api.md).
 */
#ifndef BENCHAAS_SCHEDULE_CMD_H
#define BENCHAAS_SCHEDULE_CMD_H

#include "opt.h"

extern const cli_spec cli_schedule_spec;

/* 0; 1 when the service refused or could not be reached; 2 for bad usage or input (a
 * configuration file that does not load, a field the service names). */
int cmd_schedule(int argc, char **argv);

#endif
