/*
 * opt.h — the declared command line: a table of commands (cmdtab.c) and, per
 * command, a table of its options, from which one parser reads argv and from
 * which --help, the man page benchaas.1 and the bash completion are written.
 *
 * An option is named by its long name ("--format"), perhaps a letter ('o'
 * for -o), and takes a value or not.  The parser takes, for every command
 * alike: --opt=value, --opt value, -x value, -xvalue (-pNB=128), --help and
 * -h.  Its usage errors have one wording: "--db needs a value", "--json
 * takes no value", "unknown option '--formt'; did you mean '--format'?".
 */
#ifndef BENCHAAS_CLI_OPT_H
#define BENCHAAS_CLI_OPT_H

#include <stddef.h>
#include <stdio.h>

/* What an option takes. */
typedef enum {
    CLI_FLAG,   /* nothing: the int at `off` becomes 1 */
    CLI_STRING, /* a value: the const char * at `off` points at it (the last one given wins) */
    CLI_INT,    /* a whole number (checked by the command's handler) */
    CLI_SIZE,   /* a size with k, m, g (checked by the command's handler) */
    CLI_DOUBLE, /* a number (checked by the command's handler) */
    CLI_ENUM,   /* one of `choices` (checked by the command's handler, with its own words) */
    CLI_LIST,   /* a value, repeatable: pushed on the strvec at `off` */
    CLI_HEADING /* (not an option: a row of text that heads the options below it) */
} cli_type;

/* `off` of an option whose value the command's handler takes. */
#define CLI_HANDLER ((size_t)-1)

typedef struct cli_opt {
    const char *name;    /* "--format"; NULL: a line of text in the help (`help`), an operand
                          * (`syn` and `help`: "-", read the SQL from stdin), or `include` */
    char letter;         /* 'o' for -o; 0: none */
    cli_type type;
    size_t off;          /* offsetof() the field in the command's options, or CLI_HANDLER */
    const char *syn;     /* the name and its value ("--format table|csv", "-o, --output FILE");
                          * NULL: the name (a flag).  --help shows it, with "-x, " before it
                          * when the option has a letter that syn does not show */
    const char *choices; /* CLI_ENUM: "table|csv|json" (for the completion and the man page) */
    const char *help;    /* what it does, never empty: --help shows its lines, the second
                          * and later indented to the help column; so does the man page */
    const struct cli_opt *include; /* a table declared once (the filters), spliced in here;
                                    * an option of the command's own of the same name wins */
} cli_opt;

/* A row that ends an option table. */
#define CLI_END {NULL, 0, CLI_FLAG, 0, NULL, NULL, NULL, NULL}
/* A line of text in a command's help between its options (a heading: "Output:\n"). */
#define CLI_TEXT(s) {NULL, 0, CLI_FLAG, 0, NULL, NULL, s, NULL}
/* A heading of the options below it ("Output:\n"), in the help and in the man page. */
#define CLI_HEADING(s) {NULL, 0, CLI_HEADING, 0, NULL, NULL, s, NULL}
/* An operand shown like an option in the help ("-", what a lone dash means); not an option. */
#define CLI_OPERAND(syn, help) {NULL, 0, CLI_FLAG, 0, syn, NULL, help, NULL}
/* The rows of a shared table, here. */
#define CLI_INCLUDE(t) {NULL, 0, CLI_FLAG, 0, NULL, NULL, NULL, t}
/* The same, taken by the parser but not listed in the command's help (its text tells them, or
 * points elsewhere: "filters (`benchaas query --help`)"); the man page lists them. */
#define CLI_INCLUDE_QUIET(t) {NULL, 0, CLI_FLAG, 0, NULL, NULL, "", t}

/*
 * What a command declares, from which its --help is written:
 *
 *   usage: benchaas SYNOPSIS            (each line of `synopsis`, the options expanded)
 *
 *   INTRO
 *     --opt VALUE           help        (the rows of `opts`, when col is not 0)
 *   OUTRO
 *
 * `synopsis` holds the forms of the command line after "benchaas ", one a line; a
 * line that starts with a space continues the form above, indented under it.  An
 * option named there ("[--title]", "-o", "(--at | --every)") is written with its
 * value as its row declares it ("[--title TEXT]"), unless a value follows the name
 * in the synopsis already ("[--format table|csv|json|jsonl]" where the row says F).
 */
typedef struct cli_spec {
    const char *name;     /* "query" */
    const char *synopsis; /* "query [filters] [--format] [--db]\nquery [filters] --group-by ..." */
    const char *intro;    /* what it does, after the usage and a blank line; or NULL */
    const cli_opt *opts;  /* its options, CLI_END last */
    int col;              /* the column of the options' help (0: --help lists no option; the
                           * intro tells them) */
    const char *outro;    /* after the options: notes, exit status, examples; or NULL */
    const struct cli_spec *help; /* a part of a command (baseline set): --help shows this
                                  * spec's help instead; NULL: its own */
} cli_spec;

/*
 * A handler of the command: takes a positional argument (o NULL) or an
 * option whose `off` is CLI_HANDLER.  Returns 0, or 2 after it printed a
 * usage error (cli_usage_error).
 */
typedef int (*cli_take_fn)(void *opts, const cli_opt *o, const char *val);

/*
 * Read argv[1..argc-1] by the spec: values go to `opts` at their offsets or
 * to `take`.  Returns 0; -1 when --help was given (printed on stdout: exit
 * 0); 2 after a usage error was printed on stderr (exit 2).
 */
int cli_parse(const cli_spec *s, int argc, char **argv, void *opts, cli_take_fn take);

/*
 * 1 when argv[1..argc-1], up to a "--", holds the flag `name` itself: for a
 * command with two sets of options (check --across-nodes).
 */
int cli_has_flag(int argc, char **argv, const char *name);

/* Print a usage error, "benchaas CMD: MSG (see benchaas CMD --help)", on stderr; returns 2. */
int cli_usage_error(const cli_spec *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Write one line of text (up to a '\n') as a synopsis of command s: its options
 * with the values their rows declare ("--html" as "--html FILE"); s NULL: as
 * it is.  Returns the characters written: for the main help's column.
 */
int cli_synopsis(const cli_spec *s, const char *text, FILE *to);

/* Write the command's --help (of s->help when it is set). */
void cli_help(const cli_spec *s, FILE *to);

/* Calls fn for every option of the table, the included ones too, each name once (the
 * command's own option, not an included one of the same name). */
void cli_each_opt(const cli_opt *t, void (*fn)(const cli_opt *o, void *arg), void *arg);
/* The same, and the headings (CLI_HEADING rows) where they stand: for the man page. */
void cli_each_row(const cli_opt *t, void (*fn)(const cli_opt *o, void *arg), void *arg);

#endif
