/* report.h — `benchaas report` (report.c). */
#ifndef BENCHAAS_REPORT_H
#define BENCHAAS_REPORT_H

/* `benchaas report --html FILE`; argv[0] = "report".  0, or 2. */
int cmd_report(int argc, char **argv);

#endif
