/* opt.c — the one parser of every declared command, and its --help (see opt.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "opt.h"
#include "paramval.h"
#include "util.h"

int cli_usage_error(const cli_spec *s, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    fprintf(stderr, "benchaas %s: %s (see benchaas %s --help)\n", s->name, buf, s->name);
    return 2;
}

void cli_each_opt(const cli_opt *t, void (*fn)(const cli_opt *o, void *arg), void *arg)
{
    for (; t && (t->name || t->help || t->include); t++) {
        if (t->include)
            cli_each_opt(t->include, fn, arg);
        else if (t->name)
            fn(t, arg);
    }
}

/* The option of the table called `name` (long, "--x") or with `letter`. */
static const cli_opt *find_opt(const cli_opt *t, const char *name, size_t len, char letter)
{
    for (; t && (t->name || t->help || t->include); t++) {
        const cli_opt *o = t->include ? find_opt(t->include, name, len, letter) : t;
        if (!o || !o->name)
            continue;
        if (letter ? o->letter == letter : strlen(o->name) == len && !strncmp(o->name, name, len))
            return o;
    }
    return NULL;
}

typedef struct {
    const char *name;
    const char *best;
    int bestd;
} suggestion;

static void closer(const cli_opt *o, void *arg)
{
    suggestion *s = arg;
    int d = bxp_edit_distance(o->name + 2, s->name);
    if (d < s->bestd) {
        s->bestd = d;
        s->best = o->name;
    }
}

/* "unknown option '--formt'" and, when a long one is close (as bxp_suggest), "; did you mean ...". */
static int unknown(const cli_spec *s, const char *name, size_t len)
{
    char typed[64];
    snprintf(typed, sizeof typed, "%.*s", (int)len, name);
    const char *bare = typed + strspn(typed, "-");
    suggestion sg = {bare, NULL, 99};
    cli_each_opt(s->opts, closer, &sg);
    size_t n = strlen(bare);
    int limit = n <= 3 ? 1 : n <= 6 ? 2 : 3;
    if (*bare && typed[1] == '-' && sg.best && sg.bestd <= limit) /* (not for a letter: -Z) */
        return cli_usage_error(s, "unknown option '%s'; did you mean '%s'?", typed, sg.best);
    return cli_usage_error(s, "unknown option '%s'", typed);
}

/* Put the value where the option says. */
static int store_value(const cli_opt *o, const char *val, void *opts, cli_take_fn take)
{
    if (o->off == CLI_HANDLER)
        return take(opts, o, val);
    char *at = (char *)opts + o->off;
    if (o->type == CLI_FLAG)
        *(int *)at = 1;
    else if (o->type == CLI_LIST)
        strvec_push((strvec *)at, val);
    else
        *(const char **)at = val;
    return 0;
}

/* One argument that starts with '-': the option, its value, then where it goes. */
static int one_option(const cli_spec *s, int argc, char **argv, int *i, void *opts,
                      cli_take_fn take)
{
    const char *arg = argv[*i];
    const char *val = NULL;
    const cli_opt *o;
    char typed[3] = {'-', arg[1], '\0'};
    const char *shown = arg;
    if (arg[1] == '-') {
        const char *eq = strchr(arg, '=');
        size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
        if (!(o = find_opt(s->opts, arg, len, 0)))
            return unknown(s, arg, len);
        shown = o->name;
        if (eq && o->type == CLI_FLAG)
            return cli_usage_error(s, "%s takes no value", o->name);
        val = eq ? eq + 1 : NULL;
    } else {
        if (!(o = find_opt(s->opts, NULL, 0, arg[1])))
            return unknown(s, arg, strlen(arg));
        shown = typed;
        if (arg[2] && o->type == CLI_FLAG)
            return unknown(s, arg, strlen(arg));
        val = arg[2] ? arg + 2 : NULL; /* -pNB=128 */
    }
    if (o->type != CLI_FLAG && !val) {
        if (*i + 1 >= argc)
            return cli_usage_error(s, "%s needs a value", shown);
        val = argv[++*i];
    }
    return store_value(o, val, opts, take);
}

int cli_parse(const cli_spec *s, int argc, char **argv, void *opts, cli_take_fn take)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            cli_help(s, stdout);
            return -1;
        }
        int rc;
        if (a[0] != '-' || a[1] == '\0' || (a[1] >= '0' && a[1] <= '9'))
            rc = take ? take(opts, NULL, a) : cli_usage_error(s, "unexpected argument '%s'", a);
        else
            rc = one_option(s, argc, argv, &i, opts, take);
        if (rc)
            return 2;
    }
    return 0;
}

int cli_has_flag(int argc, char **argv, const char *name)
{
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], name) == 0)
            return 1;
    return 0;
}

/* An option's lines: "  SYN", padded to the column (two spaces at least), its help. */
static void help_rows(const cli_opt *t, int col, FILE *to)
{
    for (; t && (t->name || t->help || t->include); t++) {
        if (t->include) {
            if (!t->help) /* (CLI_INCLUDE_QUIET: parsed, documented elsewhere) */
                help_rows(t->include, col, to);
            continue;
        }
        if (!t->name) {
            fputs(t->help, to);
            continue;
        }
        if (!t->help) /* (an option documented elsewhere: compare's --db is query's) */
            continue;
        int n = fprintf(to, "  %s", t->syn ? t->syn : t->name);
        if (*t->help)
            fprintf(to, "%*s", n + 2 > col ? 2 : col - n, "");
        for (const char *p = t->help; *p; p++) {
            fputc(*p, to);
            if (*p == '\n' && p[1])
                fprintf(to, "%*s", col, "");
        }
        fputc('\n', to);
    }
}

void cli_help(const cli_spec *s, FILE *to)
{
    fputs(s->usage, to);
    if (s->col)
        help_rows(s->opts, s->col, to);
    if (s->epilogue)
        fputs(s->epilogue, to);
}
