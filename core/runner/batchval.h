/*
 * batchval.h — the one gate for values written into a Slurm batch script.
 *
 * Every value that reaches a batch script, from whatever source (paths of
 * the database, spool, worker and specs; slurm.* settings; env values;
 * mpirun arguments; module names), goes through batch_put() (as is, for an
 * #SBATCH line) or batch_put_word() (single-quoted for the shell).  Both
 * refuse a control character (a newline would end the #SBATCH line or the
 * command and start another) and text that is not UTF-8; the script is then
 * not written at all.
 */
#ifndef BENCHAAS_BATCHVAL_H
#define BENCHAAS_BATCHVAL_H

#include <stddef.h>
#include <stdio.h>

/* 0 when `value` may go into a batch script; BX_EINVAL with a message naming `what`. */
int batch_value_check(const char *what, const char *value, char *err, size_t errlen);

/* A batch script being written: the first refused value stops it. */
typedef struct batch_out {
    FILE *f;
    int failed;
    char err[1024];
} batch_out;

/* The value as it is (an #SBATCH option's value). */
void batch_put(batch_out *b, const char *what, const char *value);
/* The value as one shell word: 'value' with ' written as '\''. */
void batch_put_word(batch_out *b, const char *what, const char *value);

#endif
