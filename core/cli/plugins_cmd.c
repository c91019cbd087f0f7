/* plugins_cmd.c — `benchaas plugins` and `benchaas describe PLUGIN`. */
#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "host.h"
#include "loader.h"
#include "paramval.h"
#include "text.h"
#include "util.h"

/* What plugins and describe were told. */
typedef struct {
    int json;
    strvec dirs; /* --plugin-path */
    const char *name;
} plugins_args;

static const cli_opt plugins_opts[] = {
    {"--json", 0, CLI_FLAG, offsetof(plugins_args, json), NULL, NULL,
     "one JSON document {\"plugins\": [...]}: name, version,\n"
     "abi, path, description, needs_mpi of each", NULL},
    {"--plugin-path", 0, CLI_LIST, offsetof(plugins_args, dirs), "--plugin-path DIR", NULL,
     "extra plugin folders, searched first (repeatable)", NULL},
    CLI_END,
};

const cli_spec cli_plugins_spec = {
    "plugins",
    "plugins [--json] [--plugin-path]...",
    "Every plugin found in the plugin folders (--plugin-path, then\n"
    "BENCHAAS_PLUGIN_PATH, then the install's): name, version, ABI, whether it\n"
    "needs MPI, description and file; the files that were refused, and why, on\n"
    "stderr.\n"
    "\n",
    plugins_opts, 21, NULL, NULL,
};

const cli_spec cli_describe_spec = {
    "describe",
    "describe PLUGIN [--plugin-path]...",
    "A plugin's parameters (type, default, range or choices, help) and metrics\n"
    "(unit, which direction is better; the headline ones named), as `benchaas run\n"
    "PLUGIN -p NAME=VALUE` takes them.\n"
    "\n",
    plugins_opts + 1, 21, NULL, NULL,
};

/* describe's one positional argument, the plugin. */
static int describe_take(void *opts, const cli_opt *o, const char *val)
{
    plugins_args *pa = opts;
    (void)o;
    if (pa->name)
        return cli_usage_error(&cli_describe_spec, "unexpected argument '%s'", val);
    pa->name = val;
    return 0;
}

int cmd_plugins(int argc, char **argv)
{
    plugins_args pa = {0};
    int pr = cli_parse(&cli_plugins_spec, argc, argv, &pa, NULL);
    if (pr) {
        strvec_free(&pa.dirs);
        return pr < 0 ? 0 : 2;
    }
    int json = pa.json;
    strvec user = pa.dirs;
    strvec dirs = {0};
    char perr[1024];
    if (plugin_dirs_check(&user, perr, sizeof perr) != 0) {
        say("%s", perr);
        strvec_free(&user);
        return 2;
    }
    plugin_search_path(&user, &dirs);
    plugin_entry *e = NULL;
    size_t n = 0;
    plugin_scan(&dirs, core_host(), &e, &n);
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON *arr = cJSON_AddArrayToObject(o, "plugins");
        for (size_t i = 0; i < n; i++) {
            if (e[i].error)
                continue;
            const bx_plugin *d = e[i].p.desc;
            cJSON *p = cJSON_CreateObject();
            char abi[32];
            snprintf(abi, sizeof abi, "%u.%u", d->abi_major, d->abi_minor);
            cJSON_AddStringToObject(p, "name", d->name);
            cJSON_AddStringToObject(p, "version", d->version);
            cJSON_AddStringToObject(p, "abi", abi);
            cJSON_AddStringToObject(p, "path", e[i].p.path);
            cJSON_AddStringToObject(p, "description", d->description);
            cJSON_AddBoolToObject(p, "needs_mpi", (d->flags & BX_NEEDS_MPI) != 0);
            cJSON_AddItemToArray(arr, p);
        }
        char *t = cJSON_Print(o);
        printf("%s\n", t);
        free(t);
        cJSON_Delete(o);
    } else {
        printf("%-12s %-9s %-5s %-4s %s\n", "NAME", "VERSION", "ABI", "MPI", "DESCRIPTION");
        for (size_t i = 0; i < n; i++) {
            if (e[i].error)
                continue;
            const bx_plugin *d = e[i].p.desc;
            printf("%-12s %-9s %u.%-3u %-4s %s\n", d->name, d->version, d->abi_major,
                   d->abi_minor, (d->flags & BX_NEEDS_MPI) ? "yes" : "", d->description);
            printf("%-12s %s\n", "", e[i].p.path);
        }
    }
    for (size_t i = 0; i < n; i++)
        if (e[i].error)
            fprintf(stderr, "benchaas: refused %s\n", e[i].error);
    if (n == 0) {
        fprintf(stderr, "benchaas: no plugins found in:");
        for (size_t i = 0; i < dirs.n; i++)
            fprintf(stderr, " %s", dirs.v[i]);
        fprintf(stderr, "\n");
    }
    plugin_scan_free(e, n);
    strvec_free(&dirs);
    strvec_free(&user);
    return 0;
}

/* ---- describe --------------------------------------------------------- */

int cmd_describe(int argc, char **argv)
{
    plugins_args pa = {0};
    int pr = cli_parse(&cli_describe_spec, argc, argv, &pa, describe_take);
    strvec user = pa.dirs;
    const char *name = pa.name;
    if (pr) {
        strvec_free(&user);
        return pr < 0 ? 0 : 2;
    }
    if (!name) {
        cli_usage_error(&cli_describe_spec, "which plugin? (see `benchaas plugins`)");
        strvec_free(&user);
        return 2;
    }
    strvec dirs = {0};
    char perr[1024];
    if (plugin_dirs_check(&user, perr, sizeof perr) != 0) {
        say("%s", perr);
        strvec_free(&user);
        return 2;
    }
    plugin_search_path(&user, &dirs);
    loaded_plugin lp;
    char err[4096];
    int rc = plugin_find(&dirs, name, core_host(), &lp, err, sizeof err);
    strvec_free(&dirs);
    strvec_free(&user);
    if (rc) {
        say("%s", err);
        return 2;
    }
    const bx_plugin *d = lp.desc;
    printf("%s %s — %s\n", d->name, d->version, d->description);
    printf("file: %s\nABI %u.%u%s%s; default repetitions %u%s\n\n", lp.path, d->abi_major,
           d->abi_minor, (d->flags & BX_NEEDS_MPI) ? "; needs MPI (runs under mpirun)" : "",
           (d->flags & BX_USES_MPI) ? "; uses MPI when --ranks > 1" : "",
           d->default_repetitions ? d->default_repetitions : 1,
           (d->flags & BX_NO_WARMUP) ? "; no warm-up run" : ", after one warm-up");
    int w = 4, wd = 7;
    for (const bx_param *p = d->params; p && p->name; p++) {
        if ((int)strlen(p->name) > w)
            w = (int)strlen(p->name);
        if (p->def && (int)strlen(p->def) > wd)
            wd = (int)strlen(p->def);
    }
    for (const bx_metric_def *m = d->metrics; m && m->name; m++)
        if ((int)strlen(m->name) > w)
            w = (int)strlen(m->name);
    printf("Parameters:\n");
    printf("  %-*s %-7s %-*s %s\n", w, "NAME", "TYPE", wd, "DEFAULT", "RANGE/CHOICES — HELP");
    for (const bx_param *p = d->params; p && p->name; p++) {
        char r[512];
        bxp_describe_range(p, r, sizeof r);
        const char *kind = bxp_kind_name(p);
        if (kind && !r[0])
            snprintf(r, sizeof r, "%s",
                     strcmp(kind, "host") == 0 ? "a host it connects to"
                     : strcmp(kind, "path_read") == 0 ? "a path it reads"
                                                      : "a path it writes");
        printf("  %-*s %-7s %-*s %s%s%s\n", w, p->name, bxp_type_name(p->type), wd,
               p->def ? p->def : "-", r, r[0] ? " — " : "", p->help ? p->help : "");
    }
    printf("\nMetrics:\n");
    printf("  %-*s %-9s %-7s %s\n", w, "NAME", "UNIT", "BETTER", "HELP");
    for (const bx_metric_def *m = d->metrics; m && m->name; m++)
        printf("  %-*s %-9s %-7s %s\n", w, m->name, m->unit[0] ? m->unit : "-",
               m->better == BX_BETTER_HIGHER  ? "higher"
               : m->better == BX_BETTER_LOWER ? "lower"
                                              : "-",
               m->help ? m->help : "");
    printf("  (every run also stores wall_time s, user_time s, sys_time s, max_rss MiB)\n");
    printf("  headline:");
    for (const bx_metric_def *m = d->metrics; m && m->name; m++)
        if (m->flags & BX_METRIC_HEADLINE)
            printf(" %s", m->name);
    printf("\n");
    if (BX_DESC_HAS(d, describe) && d->describe) {
        printf("\n");
        pset ps;
        pset_init(&ps, d);
        hostctx h;
        hostctx_init(&h, d, &ps);
        h.print_out = stdout;
        h.collect = 0;
        d->describe(&h.ctx);
        hostctx_free(&h);
        pset_free(&ps);
    }
    plugin_unload(&lp);
    return 0;
}
