/* slurm_cmd.h — running Slurm's commands (slurm_cmd.c), for slurm.c. */
#ifndef BENCHAAS_SLURM_CMD_H
#define BENCHAAS_SLURM_CMD_H

/* Run argv (sbatch, squeue, ...) through the spawner, with a deadline; its stdout in
 * *out and its stderr in *errout (errout may be NULL; each up to 1 MiB; caller frees).
 * The exit status, -1 when it did not exit by itself, 127 when it could not start
 * (*errout then says why). */
int slurm_capture(char *const *argv, char **out, char **errout);
/* 1 when program name is on PATH. */
int slurm_have_command(const char *name);
/* Trailing white space off s. */
void slurm_trim(char *s);
/* The last line of s (trimmed, in place), for messages. */
const char *slurm_last_line(char *s);

#endif
