/* check.h — `benchaas baseline` and `benchaas check` (check.c). */
#ifndef BENCHAAS_CHECK_H
#define BENCHAAS_CHECK_H

/* `benchaas baseline set|list|delete`; argv[0] = "baseline".  0, or 2. */
int cmd_baseline(int argc, char **argv);

/* `benchaas check`: regressions against baselines or history.  0, 1 regression, 2. */
int cmd_check(int argc, char **argv);

#endif
