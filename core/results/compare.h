/* compare.h — `benchaas compare` (compare.c). */
#ifndef BENCHAAS_COMPARE_H
#define BENCHAAS_COMPARE_H

/* `benchaas compare A B`: two runs or groups, per metric; argv[0] = "compare".  0, or 2. */
int cmd_compare(int argc, char **argv);

#endif
