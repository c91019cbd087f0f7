/*
 * stream_driver.c — run the stream plugin once through the mock host and
 * print its metrics, for bench/stream.sh while the benchaas CLI is not
 * there and for quick experiments.  Not installed.
 *
 *     stream_driver [--threads N] [--repetitions N] [NAME=VALUE]...
 *
 * Prints "metric value unit" lines, then "meta key value" lines; warnings
 * go to stderr.  Exit 0 ok, 1 the run failed (validation), 2 bad input.
 * Thread binding is up to the caller (OMP_PROC_BIND, OMP_PLACES), as the
 * runner would set it.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchaas/mock.h"
#include "benchaas/sdk.h"



int main(int argc, char **argv)
{
    const bx_plugin *p = benchaas_plugin_entry(bx_mock_host());
    bx_mock *m = bx_mock_new(p);
    if (!m)
        return 2;
    bx_mock_set_verbose(m, 1);
    for (int i = 1; i < argc; i++) {
        if ((strcmp(argv[i], "--threads") == 0 || strcmp(argv[i], "--repetitions") == 0) &&
            i + 1 < argc) {
            long v = strtol(argv[i + 1], NULL, 10);
            if (v < 1) {
                fprintf(stderr, "stream_driver: %s needs a positive number\n", argv[i]);
                return 2;
            }
            if (argv[i][2] == 't')
                bx_mock_set_threads(m, (int)v);
            else
                bx_mock_set_repetitions(m, (unsigned)v);
            i++;
            continue;
        }
        char *eq = strchr(argv[i], '=');
        if (!eq) {
            fprintf(stderr, "usage: stream_driver [--threads N] [--repetitions N] [NAME=VALUE]...\n");
            return 2;
        }
        *eq = '\0';
        if (bx_mock_set(m, argv[i], eq + 1) != 0) {
            fprintf(stderr, "stream_driver: %s\n", bx_mock_error(m));
            return 2;
        }
    }
    int rc = bx_mock_run(m);
    for (const bx_metric_def *d = p->metrics; d->name; d++) {
        double v;
        if (bx_mock_metric(m, d->name, &v) == 0)
            printf("%s %.1f %s\n", d->name, v, d->unit);
    }
    static const char *const keys[] = {"array_size", "isa", "stores", "tuned", "omp_proc_bind",
                                       NULL};
    for (int i = 0; keys[i]; i++)
        if (bx_mock_meta(m, keys[i]))
            printf("meta %s %s\n", keys[i], bx_mock_meta(m, keys[i]));
    if (rc)
        fprintf(stderr, "stream_driver: %s\n", bx_mock_error(m));
    bx_mock_free(m);
    return rc == 0 ? 0 : rc == BX_EINVAL ? 2 : 1;
}
