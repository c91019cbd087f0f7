/*
 * man.c — benchaas.1 and the bash completion, written from the command table
 * and the option tables (`benchaas --man`, `benchaas --completion`; the build
 * runs them, `cmake --install` installs what they wrote).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Text for roff: '-' and '\' escaped, a line never starting with '.' or '''. */
static void roff(const char *s, FILE *to)
{
    int bol = 1;
    for (; *s; s++) {
        if (bol && (*s == '.' || *s == '\''))
            fputs("\\&", to);
        if (*s == '-' || *s == '\\')
            fputc('\\', to);
        fputc(*s, to);
        bol = *s == '\n';
    }
}

static void man_opt(const cli_opt *o, void *arg)
{
    FILE *to = arg;
    if (!o->name) { /* (a heading) */
        fputs(".PP\n", to);
        roff(o->help, to);
        return;
    }
    fputs(".TP\n.B ", to);
    roff(o->syn ? o->syn : o->name, to);
    if (o->letter && !(o->syn && o->syn[0] == '-' && o->syn[1] == o->letter)) {
        char l[8];
        snprintf(l, sizeof l, ", -%c", o->letter);
        roff(l, to);
    }
    fputc('\n', to);
    roff(o->help ? o->help : "", to);
    fputc('\n', to);
    if (o->choices) {
        fputs("One of: ", to);
        roff(o->choices, to);
        fputs(".\n", to);
    }
}

void cli_write_man(FILE *to)
{
    fputs(".TH BENCHAAS 1 \"\" \"benchaas " BENCHAAS_VERSION "\" \"User Commands\"\n"
          ".SH NAME\nbenchaas \\- benchmarks for HPC systems\n"
          ".SH SYNOPSIS\n.B benchaas\n[\\-\\-version] [\\-\\-help] COMMAND [ARGS]\n"
          ".SH DESCRIPTION\nOne runner for benchmark plugins (HPL, STREAM, network, IO and third\\-party\n"
          "plugins) with one configuration format, local, MPI and Slurm launchers, and one\n"
          "SQLite database of results; and a web service on the same database.\n"
          ".B benchaas COMMAND \\-\\-help\ndescribes each command.\n"
          ".SH COMMANDS\n",
          to);
    for (const cli_cmd *c = cli_commands; c->name; c++) {
        fputs(".TP\n.B ", to);
        char *syn = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&syn, &len);
        if (m) {
            cli_synopsis(c->spec, c->synopsis, m);
            fclose(m); /* (syn stays NULL when it could not be written) */
        }
        roff(syn ? syn : c->synopsis, to);
        free(syn);
        fputc('\n', to);
        roff(c->summary, to);
        fputc('\n', to);
    }
    fputs(".SH OPTIONS\n", to);
    for (const cli_cmd *c = cli_commands; c->name; c++) {
        if (!c->spec || !c->fn)
            continue;
        fprintf(to, ".SS benchaas %s\n", c->name);
        cli_each_row(c->spec->opts, man_opt, to);
    }
    fputs(".SH EXIT STATUS\n0 success, 1 a benchmark ran but failed (check: a regression), 2 bad\n"
          "usage or input (nothing was run).\n"
          ".SH ENVIRONMENT\n.TP\n.B BENCHAAS_DB\nthe database (default ./benchaas.db)\n"
          ".TP\n.B BENCHAAS_PLUGIN_PATH\nextra plugin folders, searched first (colon\\-separated)\n"
          ".TP\n.B BENCHAAS_TOKEN\nthe token of push\n"
          ".SH FILES\n/usr/share/doc/benchaas/ (serve.md, database.md, formats.md, slurm.md),\n"
          "/usr/lib/systemd/system/benchaas.service\n",
          to);
}

/* An option's names for the completion. */
static void comp_opt(const cli_opt *o, void *arg)
{
    FILE *to = arg;
    fprintf(to, " %s", o->name);
    if (o->letter)
        fprintf(to, " -%c", o->letter);
}

/* `case $prev in --format) ...` for the options with choices. */
static void comp_choices(const cli_opt *o, void *arg)
{
    FILE *to = arg;
    if (!o->choices)
        return;
    fprintf(to, "            %s) words=\"", o->name);
    for (const char *p = o->choices; *p; p++)
        fputc(*p == '|' ? ' ' : *p, to);
    fputs("\" ;;\n", to);
}

void cli_write_completion(FILE *to)
{
    fputs("# bash completion of benchaas (written by `benchaas --completion`)\n"
          "_benchaas() {\n"
          "    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} words=\n"
          "    if [ \"$COMP_CWORD\" -eq 1 ]; then\n"
          "        words=\"--help --version",
          to);
    for (const cli_cmd *c = cli_commands; c->name; c++)
        if (c->fn)
            fprintf(to, " %s", c->name);
    fputs("\"\n"
          "        COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n"
          "        return\n"
          "    fi\n"
          "    case ${COMP_WORDS[1]} in\n",
          to);
    for (const cli_cmd *c = cli_commands; c->name; c++) {
        if (!c->fn)
            continue;
        fprintf(to, "    %s)\n        case $prev in\n", c->name);
        if (c->spec)
            cli_each_opt(c->spec->opts, comp_choices, to);
        fputs("            *) words=\"--help", to);
        if (c->spec)
            cli_each_opt(c->spec->opts, comp_opt, to);
        fputs("\" ;;\n        esac ;;\n", to);
    }
    fputs("    esac\n"
          "    COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n"
          "}\n"
          "complete -o default -F _benchaas benchaas\n",
          to);
}

static void list_opt(const cli_opt *o, void *arg)
{
    const char *cmd = arg;
    printf("%s %s\n", cmd, o->name);
    if (o->letter)
        printf("%s -%c\n", cmd, o->letter);
}

void cli_list_options(void)
{
    for (const cli_cmd *c = cli_commands; c->name; c++) {
        if (!c->fn)
            continue;
        printf("%s\n", c->name);
        if (c->spec)
            cli_each_opt(c->spec->opts, list_opt, (void *)c->name);
    }
}
