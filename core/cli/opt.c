/* opt.c — the one parser of every declared command, and its --help written from the same rows (see opt.h). */
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

static void each_opt(const cli_opt *root, const cli_opt *t, int headings,
                     void (*fn)(const cli_opt *o, void *arg), void *arg)
{
    for (; t && (t->name || t->help || t->include); t++) {
        if (t->include)
            each_opt(root, t->include, headings, fn, arg);
        else if (t->name && find_opt(root, t->name, strlen(t->name), 0) == t)
            fn(t, arg); /* (not an included one the command declares itself) */
        else if (!t->name && t->type == CLI_HEADING && headings)
            fn(t, arg);
    }
}

void cli_each_opt(const cli_opt *t, void (*fn)(const cli_opt *o, void *arg), void *arg)
{
    each_opt(t, t, 0, fn, arg);
}

void cli_each_row(const cli_opt *t, void (*fn)(const cli_opt *o, void *arg), void *arg)
{
    each_opt(t, t, 1, fn, arg);
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

/* What --help shows of an option: "-o, --output FILE" (syn, "-x, " before it when it hides the letter). */
static int opt_label(const cli_opt *o, FILE *to)
{
    const char *syn = o->syn ? o->syn : o->name;
    if (o->name && o->letter && !(syn[0] == '-' && syn[1] == o->letter))
        return fprintf(to, "-%c, %s", o->letter, syn);
    return fprintf(to, "%s", syn);
}

/* An option's lines: "  SYN", padded to the column (two spaces at least), its help. */
static void help_rows(const cli_opt *t, int col, FILE *to)
{
    for (; t && (t->name || t->help || t->include); t++) {
        if (t->include) {
            if (!t->help) /* (CLI_INCLUDE_QUIET: parsed, told by the text) */
                help_rows(t->include, col, to);
            continue;
        }
        if (!t->name && !t->syn) { /* (a line of text) */
            fputs(t->help, to);
            continue;
        }
        fputs("  ", to);
        int n = 2 + opt_label(t, to);
        fprintf(to, "%*s", n + 2 > col ? 2 : col - n, "");
        for (const char *p = t->help ? t->help : ""; *p; p++) { /* (never NULL: the test) */
            fputc(*p, to);
            if (*p == '\n' && p[1])
                fprintf(to, "%*s", col, "");
        }
        fputc('\n', to);
    }
}

/* The value an option's syn gives after its name: " FILE" of "-o, --output FILE"; "" for a flag. */
static const char *value_part(const cli_opt *o)
{
    const char *at = o->syn ? strstr(o->syn, o->name) : NULL;
    return at ? at + strlen(o->name) : "";
}

/*
 * One line of a synopsis (text starts at `start`) from p to its end (a '\n'
 * or the end): an option named there, not followed by a value of its own,
 * gets the value its row declares.  Adds what it wrote to *n; returns where
 * the line ended.
 */
static const char *synopsis_line(const cli_spec *s, const char *start, const char *p, FILE *to,
                                 int *n)
{
    while (*p && *p != '\n') {
        int starts = p[0] == '-' && p[1] && p[1] != ' ' && (p == start || strchr(" [(|", p[-1]));
        size_t len = starts ? strspn(p, "-abcdefghijklmnopqrstuvwxyz0123456789") : 0;
        const cli_opt *o = NULL;
        if (len == 2 && p[1] != '-')
            o = find_opt(s->opts, NULL, 0, p[1]);
        else if (len > 2)
            o = find_opt(s->opts, p, len, 0);
        if (!o) {
            fputc(*p++, to);
            ++*n;
            continue;
        }
        *n += (int)fwrite(p, 1, len, to);
        p += len;
        int valued = p[0] == ' ' && p[1] && !strchr("[(|-.\n", p[1]);
        if (!valued)
            *n += fprintf(to, "%s", value_part(o));
    }
    return p;
}

int cli_synopsis(const cli_spec *s, const char *text, FILE *to)
{
    int n = 0;
    if (s)
        synopsis_line(s, text, text, to, &n);
    else
        n = fprintf(to, "%s", text);
    return n;
}

/* "usage: benchaas FORM", the later forms under it, the continuation lines under the form. */
static void write_synopsis(const cli_spec *s, FILE *to)
{
    const char *p = s->synopsis;
    int indent = 0;
    for (int line = 0; *p; line++) {
        if (*p == ' ') { /* (continues the form above) */
            p += strspn(p, " ");
            fprintf(to, "%*s", indent, "");
        } else {
            fputs(line ? "       benchaas " : "usage: benchaas ", to);
            /* under the command's name and its action ("baseline set "), if any */
            size_t cmd = strcspn(p, " \n");
            indent = 16 + (int)cmd + (p[cmd] == ' ');
            const char *act = p + cmd + (p[cmd] == ' ');
            size_t alen = strspn(act, "abcdefghijklmnopqrstuvwxyz");
            if (alen && (act[alen] == ' ' || act[alen] == '\n' || !act[alen]))
                indent += (int)alen + (act[alen] == ' ');
        }
        int n = 0;
        p = synopsis_line(s, s->synopsis, p, to, &n);
        fputc('\n', to);
        if (*p == '\n')
            p++;
    }
}

void cli_help(const cli_spec *s, FILE *to)
{
    if (s->help)
        s = s->help;
    write_synopsis(s, to);
    if (s->intro) {
        fputc('\n', to);
        fputs(s->intro, to);
    }
    if (s->col)
        help_rows(s->opts, s->col, to);
    if (s->outro)
        fputs(s->outro, to);
}
