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

/*
 * What the node's theoretical peak is made of (the yardstick of HPL's figure): physical
 * cores (distinct "physical id"/"core id" pairs of /proc/cpuinfo), the highest clock
 * (cpufreq's cpuinfo_max_freq, else cpuinfo's "cpu MHz"), and the widest vector unit with
 * its double-precision operations per cycle and core, counting two FMA pipes (so an upper
 * bound: many AVX-512 parts have one).  Keys are left out when not known.
 */
static void cpu_peak_facts(cJSON *o)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return;
    char line[4096], flags[4096] = "";
    double mhz = 0;
    int phys = -1, pairs = 0;
    int seen[4096] = {0};
    while (fgets(line, sizeof line, f)) {
        char *c = strchr(line, ':');
        if (!c)
            continue;
        if (!strncmp(line, "physical id", 11))
            phys = atoi(c + 1);
        else if (!strncmp(line, "core id", 7) && phys >= 0 && phys < 16) {
            int k = phys * 256 + (atoi(c + 1) & 255);
            pairs += !seen[k];
            seen[k] = 1;
        } else if (!strncmp(line, "cpu MHz", 7) && atof(c + 1) > mhz)
            mhz = atof(c + 1);
        else if (!strncmp(line, "flags", 5) && !flags[0])
            snprintf(flags, sizeof flags, " %s ", c + 1);
    }
    fclose(f);
    FILE *q = fopen("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq", "r");
    long khz = 0;
    if (q && fscanf(q, "%ld", &khz) == 1 && khz > 0)
        mhz = khz / 1000.0;
    if (q)
        fclose(q);
    char buf[64];
    if (pairs > 0) {
        snprintf(buf, sizeof buf, "%d", pairs);
        cJSON_AddStringToObject(o, "cpu_physical_cores", buf);
    }
    if (mhz > 0) {
        snprintf(buf, sizeof buf, "%.0f", mhz);
        cJSON_AddStringToObject(o, "cpu_max_mhz", buf);
    }
    static const struct { const char *flag, *name; int flops; } units[] = {
        {" avx512f ", "AVX-512 with FMA", 32}, {" fma ", "AVX2 with FMA", 16},
        {" avx ", "AVX", 8}, {" sse2 ", "SSE2", 4}, {" asimd ", "NEON", 4},
    };
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (!strstr(flags, units[i].flag))
            continue;
        if (i == 0 && !strstr(flags, " fma "))
            continue;
        cJSON_AddStringToObject(o, "cpu_vector", units[i].name);
        snprintf(buf, sizeof buf, "%d", units[i].flops);
        cJSON_AddStringToObject(o, "cpu_dp_flops_per_cycle", buf);
        break;
    }
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
    cpu_peak_facts(o);
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
