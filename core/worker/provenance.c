/* provenance.c — collect where and with what a run ran. */
#define _GNU_SOURCE
#include "provenance.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "util.h"

extern char **environ;

static void cpu_model(char *buf, size_t len)
{
    snprintf(buf, len, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "model name", 10) == 0 || strncmp(line, "Model", 5) == 0) {
            char *c = strchr(line, ':');
            if (c) {
                c++;
                while (*c == ' ' || *c == '\t')
                    c++;
                c[strcspn(c, "\n")] = '\0';
                snprintf(buf, len, "%s", c);
                break;
            }
        }
    }
    fclose(f);
}

static const char *const env_prefixes[] = {"OMP_", "OPENBLAS_", "GOMP_", "KMP_", "SLURM_",
                                           "OMPI_MCA_", "MKL_", "BENCHAAS_", NULL};

void provenance_collect(cJSON *o, const char *mpi_library)
{
    char buf[512];
    cJSON_AddStringToObject(o, "hostname", short_hostname(buf, sizeof buf));
    cpu_model(buf, sizeof buf);
    cJSON_AddStringToObject(o, "cpu_model", buf);
    snprintf(buf, sizeof buf, "%ld", sysconf(_SC_NPROCESSORS_ONLN));
    cJSON_AddStringToObject(o, "cores", buf);
    snprintf(buf, sizeof buf, "%llu",
             (unsigned long long)sysconf(_SC_PHYS_PAGES) * (unsigned long long)sysconf(_SC_PAGESIZE));
    cJSON_AddStringToObject(o, "memory_bytes", buf);
    struct utsname u;
    if (uname(&u) == 0) {
        snprintf(buf, sizeof buf, "%s %s %s", u.sysname, u.release, u.machine);
        cJSON_AddStringToObject(o, "kernel", buf);
    }
#ifdef __VERSION__
    cJSON_AddStringToObject(o, "compiler", "gcc-compatible " __VERSION__);
#endif
    cJSON_AddStringToObject(o, "benchaas_version", BENCHAAS_VERSION);
    cJSON_AddStringToObject(o, "git_revision", BENCHAAS_GIT_REVISION);
    /* OpenBLAS, when the plugin brought it in. */
    void *h = dlopen("libopenblas.so.0", RTLD_NOW | RTLD_NOLOAD);
    if (h) {
        char *(*cfg)(void);
        *(void **)&cfg = dlsym(h, "openblas_get_config");
        if (cfg && cfg())
            cJSON_AddStringToObject(o, "openblas_config", cfg());
        dlclose(h);
    }
    if (mpi_library && *mpi_library) {
        snprintf(buf, sizeof buf, "%s", mpi_library);
        buf[strcspn(buf, "\n")] = '\0';
        cJSON_AddStringToObject(o, "mpi_library", buf);
    }
    for (char **e = environ; e && *e; e++) {
        for (const char *const *p = env_prefixes; *p; p++) {
            if (strncmp(*e, *p, strlen(*p)) != 0)
                continue;
            const char *eq = strchr(*e, '=');
            if (!eq)
                break;
            char key[256];
            snprintf(key, sizeof key, "env.%.*s", (int)(eq - *e), *e);
            /* Never store anything that looks like a credential. */
            if (strstr(key, "TOKEN") || strstr(key, "SECRET") || strstr(key, "PASSWORD") ||
                strstr(key, "KEY"))
                break;
            if (!cJSON_GetObjectItemCaseSensitive(o, key))
                cJSON_AddStringToObject(o, key, eq + 1);
            break;
        }
    }
}
