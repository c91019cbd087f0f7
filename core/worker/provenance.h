/* provenance.h — where and with what a run ran (host, CPU, kernel, libraries, environment). */
#ifndef BENCHAAS_PROVENANCE_H
#define BENCHAAS_PROVENANCE_H

#include <cjson/cJSON.h>

/* Add string key/values to obj: hostname, cpu_model, cores, memory_bytes,
 * kernel, compiler, benchaas_version, git_revision, openblas_config (when
 * the plugin loaded OpenBLAS), mpi_library (when given), and the OMP_*,
 * OPENBLAS_*, GOMP_*, SLURM_*, OMPI_* (not secrets) environment variables. */
void provenance_collect(cJSON *obj, const char *mpi_library);

#endif
