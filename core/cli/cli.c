/*
 * cli.c — `benchaas`: main(), which finds the command in the table (cmdtab.c)
 * and hands it argv; --version, --help, and the hidden --man, --completion
 * and --list-options.  The commands are core/cli/NAME_cmd.c; the contract is
 * docs/cli.md.
 *
 * Exit codes: 0 success, 1 a benchmark ran but failed (validation, crash,
 * timeout), 2 bad usage, configuration or input (nothing was run or written).
 */
#include <cjson/cJSON.h>
#include <libconfig.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "benchaas/plugin.h"
#include "cli.h"

/* ---- --version -------------------------------------------------------- */

static int print_version(void)
{
    printf("benchaas %s (git %s)\n", BENCHAAS_VERSION, BENCHAAS_GIT_REVISION);
    printf("plugin ABI %d.%d\n", BX_ABI_MAJOR, BX_ABI_MINOR);
    printf("libconfig %d.%d.%d, SQLite %s, cJSON %s", LIBCONFIG_VER_MAJOR, LIBCONFIG_VER_MINOR,
           LIBCONFIG_VER_REVISION, sqlite3_libversion(), cJSON_Version());
#ifdef BENCHAAS_MPI_VERSION
    printf(", MPI %s", BENCHAAS_MPI_VERSION);
#endif
#ifdef BENCHAAS_OPENBLAS_VERSION
    printf(", OpenBLAS %s", BENCHAAS_OPENBLAS_VERSION);
#endif
    printf("\n");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        cli_main_help(stderr);
        return 2;
    }
    const char *c = argv[1];
    if (strcmp(c, "--help") == 0 || strcmp(c, "-h") == 0 || strcmp(c, "help") == 0) {
        cli_main_help(stdout);
        return 0;
    }
    if (strcmp(c, "--version") == 0 || strcmp(c, "version") == 0)
        return print_version();
    if (strcmp(c, "--man") == 0 || strcmp(c, "--completion") == 0) {
        /* (hidden: the build writes benchaas.1 and the bash completion with them) */
        (c[2] == 'm' ? cli_write_man : cli_write_completion)(stdout);
        return fflush(stdout) == 0 ? 0 : 1;
    }
    if (strcmp(c, "--list-options") == 0) { /* (hidden: for the test of the two) */
        cli_list_options();
        return fflush(stdout) == 0 ? 0 : 1;
    }
    for (const cli_cmd *t = cli_commands; t->name; t++)
        if (t->fn && strcmp(c, t->name) == 0)
            return t->fn(argc - 1, argv + 1);
    fprintf(stderr, "benchaas: unknown command '%s'\n\n", c);
    cli_main_help(stderr);
    return 2;
}
