/*
 * sqlcmd.c — what `benchaas sql "SELECT ..."` does (its options and help are
 * core/cli/sql_cmd.c's): read-only SQL against the documented views (docs/database.md), printed as a table, CSV, JSON or
 * JSON lines.
 *
 * Three locks keep it read-only: the file is opened with
 * SQLITE_OPEN_READONLY; every statement is prepared before any runs and
 * one for which sqlite3_stmt_readonly() is false refuses the whole input
 * (exit 2); an authorizer denies ATTACH (which could create a file) and
 * every writing action, and extension loading stays off.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "benchaas/plugin.h"
#include "dbpath.h"
#include "query.h"
#include "safefile.h"
#include "sqlcmd.h"
#include "text.h"
#include "store.h"

/* Deny what could change a file; reading is allowed. */
static int authorizer(void *arg, int action, const char *a, const char *b, const char *dbname,
                      const char *trigger)
{
    (void)arg;
    (void)a;
    (void)b;
    (void)dbname;
    (void)trigger;
    switch (action) {
    case SQLITE_SELECT:
    case SQLITE_READ:
    case SQLITE_FUNCTION:
    case SQLITE_RECURSIVE:
    case SQLITE_TRANSACTION: /* BEGIN/COMMIT: harmless on a read-only connection */
    case SQLITE_SAVEPOINT:
    case SQLITE_PRAGMA:      /* a writing PRAGMA is caught by sqlite3_stmt_readonly */
        return SQLITE_OK;
    default:
        return SQLITE_DENY;
    }
}

/* The text of column i in the form of `format`; NULL for SQL NULL. */
static const char *cell_text(sqlite3_stmt *st, int i, char *buf, size_t len, char **heap)
{
    *heap = NULL;
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_NULL: return NULL;
    case SQLITE_INTEGER:
        snprintf(buf, len, "%" PRId64, (int64_t)sqlite3_column_int64(st, i));
        return buf;
    case SQLITE_FLOAT: return query_exact_number(sqlite3_column_double(st, i), buf, len);
    case SQLITE_BLOB: {
        int n = sqlite3_column_bytes(st, i);
        const unsigned char *p = sqlite3_column_blob(st, i);
        char *h = malloc((size_t)n * 2 + 4);
        if (!h)
            return "";
        size_t k = 0;
        h[k++] = 'x';
        h[k++] = '\'';
        for (int j = 0; j < n; j++)
            k += (size_t)sprintf(h + k, "%02x", p[j]);
        h[k++] = '\'';
        h[k] = '\0';
        *heap = h;
        return h;
    }
    default: return (const char *)sqlite3_column_text(st, i);
    }
}

static cJSON *cell_json(sqlite3_stmt *st, int i)
{
    char buf[64], *heap;
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_NULL: return cJSON_CreateNull();
    case SQLITE_INTEGER: return cJSON_CreateNumber((double)sqlite3_column_int64(st, i));
    case SQLITE_FLOAT: {
        double d = sqlite3_column_double(st, i);
        return isfinite(d) ? cJSON_CreateNumber(d) : cJSON_CreateNull();
    }
    default: {
        const char *t = cell_text(st, i, buf, sizeof buf, &heap);
        cJSON *o = cJSON_CreateString(t ? t : "");
        free(heap);
        return o;
    }
    }
}

#define CELL_MAX 60 /* table cells longer than this are cut */

/* One statement's rows as a table: buffered, for the column widths. */
static int print_table(sqlite3_stmt *st, FILE *out, int *step_rc)
{
    int ncol = sqlite3_column_count(st);
    size_t nrows = 0, cap = 0;
    char **cells = NULL; /* row-major, (nrows + 1) * ncol, row 0 the header */
    int rc = 0;
    cap = 64;
    cells = calloc(cap * (size_t)ncol, sizeof *cells);
    if (!cells)
        return BX_ENOMEM;
    for (int c = 0; c < ncol; c++)
        cells[c] = text_escaped_dup(sqlite3_column_name(st, c) ? sqlite3_column_name(st, c) : "");
    nrows = 1;
    int s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        if (nrows == cap) {
            char **nc = realloc(cells, cap * 2 * (size_t)ncol * sizeof *nc);
            if (!nc) {
                rc = BX_ENOMEM;
                break;
            }
            cells = nc;
            cap *= 2;
        }
        for (int c = 0; c < ncol; c++) {
            char buf[64], *heap;
            const char *t = cell_text(st, c, buf, sizeof buf, &heap);
            /* a control character from the database is shown escaped, never obeyed */
            cells[nrows * (size_t)ncol + (size_t)c] = text_escaped_dup(t ? t : "");
            free(heap);
        }
        nrows++;
    }
    *step_rc = s;
    int *w = calloc((size_t)ncol + 1, sizeof *w);
    int *numeric = calloc((size_t)ncol + 1, sizeof *numeric);
    if (rc == 0 && w && numeric) {
        for (size_t r = 0; r < nrows; r++)
            for (int c = 0; c < ncol; c++) {
                const char *t = cells[r * (size_t)ncol + (size_t)c];
                int l = t ? (int)strlen(t) : 0;
                if (l > CELL_MAX)
                    l = CELL_MAX;
                if (l > w[c])
                    w[c] = l;
            }
        /* right-align columns whose every value is a number */
        for (int c = 0; c < ncol; c++) {
            numeric[c] = nrows > 1;
            for (size_t r = 1; r < nrows && numeric[c]; r++) {
                const char *t = cells[r * (size_t)ncol + (size_t)c];
                char *end;
                if (t && *t) {
                    strtod(t, &end);
                    numeric[c] = *end == '\0';
                }
            }
        }
        for (size_t r = 0; r < nrows; r++) {
            char line[8192];
            size_t used = 0;
            for (int c = 0; c < ncol && used < sizeof line; c++) {
                const char *t = cells[r * (size_t)ncol + (size_t)c];
                char cut[CELL_MAX + 1];
                if (t && strlen(t) > CELL_MAX) {
                    snprintf(cut, sizeof cut, "%.*s...", CELL_MAX - 3, t);
                    t = cut;
                }
                int n = snprintf(line + used, sizeof line - used, "%s%*s", c ? "  " : "",
                                 numeric[c] ? w[c] : -w[c], t ? t : "");
                used += n > 0 ? (size_t)n : 0;
            }
            if (used >= sizeof line)
                used = sizeof line - 1;
            while (used && line[used - 1] == ' ')
                line[--used] = '\0';
            fprintf(out, "%s\n", line);
        }
    } else if (rc == 0) {
        rc = BX_ENOMEM;
    }
    free(w);
    free(numeric);
    for (size_t i = 0; i < nrows * (size_t)ncol; i++)
        free(cells[i]);
    free(cells);
    return rc;
}

/* One statement's rows in a streaming format (csv, json, jsonl). */
static int print_stream(sqlite3_stmt *st, const char *format, FILE *out, int *step_rc)
{
    int ncol = sqlite3_column_count(st);
    int json = strcmp(format, "json") == 0, jsonl = strcmp(format, "jsonl") == 0;
    if (!json && !jsonl) {
        for (int c = 0; c < ncol; c++)
            query_csv_field(out, sqlite3_column_name(st, c), c + 1 == ncol);
    } else if (json) {
        cJSON *cols = cJSON_CreateArray();
        for (int c = 0; c < ncol; c++)
            cJSON_AddItemToArray(cols, cJSON_CreateString(sqlite3_column_name(st, c)));
        char *t = cJSON_PrintUnformatted(cols);
        cJSON_Delete(cols);
        if (!t)
            return BX_ENOMEM;
        fputs("{\"columns\": ", out);
        text_put_json(out, t);
        fputs(", \"rows\": [", out);
        cJSON_free(t);
    }
    size_t row = 0;
    int s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        if (!json && !jsonl) {
            for (int c = 0; c < ncol; c++) {
                char buf[64], *heap;
                query_csv_field(out, cell_text(st, c, buf, sizeof buf, &heap), c + 1 == ncol);
                free(heap);
            }
        } else {
            cJSON *o = json ? cJSON_CreateArray() : cJSON_CreateObject();
            for (int c = 0; c < ncol; c++) {
                if (json)
                    cJSON_AddItemToArray(o, cell_json(st, c));
                else
                    cJSON_AddItemToObject(o, sqlite3_column_name(st, c), cell_json(st, c));
            }
            char *raw = cJSON_PrintUnformatted(o);
            cJSON_Delete(o);
            char *t = raw ? text_json_fix(raw) : NULL; /* valid UTF-8, no raw control */
            cJSON_free(raw);
            if (!t)
                return BX_ENOMEM;
            if (json)
                fprintf(out, "%s\n  %s", row ? "," : "", t);
            else
                fprintf(out, "%s\n", t);
            free(t);
        }
        row++;
    }
    *step_rc = s;
    if (json)
        fputs(row ? "\n]}\n" : "]}\n", out);
    return 0;
}

/* Read all of stdin (the SQL given as "-"). */
static char *read_stdin(void)
{
    size_t len = 0, cap = 4096;
    char *buf = malloc(cap);
    while (buf) {
        size_t n = fread(buf + len, 1, cap - len - 1, stdin);
        len += n;
        if (n == 0)
            break;
        if (len + 1 == cap) {
            char *nb = cap < ((size_t)16 << 20) ? realloc(buf, cap * 2) : NULL;
            if (!nb) {
                int too_big = cap >= ((size_t)16 << 20);
                free(buf);
                errno = too_big ? EFBIG : ENOMEM;
                return NULL;
            }
            buf = nb;
            cap *= 2;
        }
    }
    if (buf)
        buf[len] = '\0';
    return buf;
}

/*
 * SQLite's message, with the file and, when the database cannot be opened
 * or read for want of write access (a WAL database needs its -shm file
 * beside it even to be read), what to do.
 */
static void sql_error(sqlite3 *db, const char *path)
{
    int code = sqlite3_errcode(db) & 0xff;
    fprintf(stderr, "benchaas sql: %s: %s", path, sqlite3_errmsg(db));
    if (code == SQLITE_CANTOPEN || code == SQLITE_READONLY || code == SQLITE_PERM) {
        char *dir = strdup(path), *slash = dir ? strrchr(dir, '/') : NULL;
        if (slash)
            slash[slash == dir ? 1 : 0] = '\0';
        const char *d = slash ? dir : ".";
        if (access(d, W_OK) != 0)
            fprintf(stderr,
                    " (its folder %s cannot be written: %s; a database in WAL mode needs its "
                    "-shm file beside it, even to be read: copy %s with its -wal file to a "
                    "folder you may write, and give that copy to --db)",
                    d, strerror(errno), path);
        else
            fprintf(stderr, " (check that you may read %s and write its folder)", path);
        free(dir);
    }
    fputc('\n', stderr);
}

/* Open `path` read-only after checking it is one of ours: 0 and *db, or 2 (printed). */
static int open_readonly(const char *path, sqlite3 **db)
{
    char err[512];
    *db = NULL;
    if (store_check_file(path, err, sizeof err) != 0) {
        fprintf(stderr, "benchaas sql: %s\n", err);
        return 2;
    }
    FILE *probe = fopen(path, "rb");
    if (!probe) {
        fprintf(stderr,
                "benchaas sql: no database at '%s' (run a benchmark first, or give --db FILE or "
                "BENCHAAS_DB)\n",
                path);
        return 2;
    }
    int empty = fgetc(probe) == EOF;
    fclose(probe);
    if (empty) {
        fprintf(stderr, "benchaas sql: '%s' is empty: no BenchaaS results in it yet\n", path);
        return 2;
    }
    safefile_protect_db(path); /* never an output file of this process */
    if (sqlite3_open_v2(path, db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fprintf(stderr, "benchaas sql: cannot open '%s': %s\n", path,
                *db ? sqlite3_errmsg(*db) : "out of memory");
        sqlite3_close(*db);
        *db = NULL;
        return 2;
    }
    sqlite3_busy_timeout(*db, 30000);
    sqlite3_limit(*db, SQLITE_LIMIT_ATTACHED, 0);
    sqlite3_db_config(*db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
    sqlite3_db_config(*db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, NULL);
    sqlite3_set_authorizer(*db, authorizer, NULL);
    return 0;
}

/*
 * Prepare every statement of text first (into *sts, *nst, which the caller
 * finalizes): refuse the input before anything has run.  0, or 2 after
 * printing why.
 */
static int sql_prepare_all(sqlite3 *db, const char *path, const char *text, sqlite3_stmt ***sts,
                           size_t *nst)
{
    const char *p = text;
    while (p && *p) {
        sqlite3_stmt *st = NULL;
        const char *tail = NULL;
        if (sqlite3_prepare_v2(db, p, -1, &st, &tail) != SQLITE_OK) {
            const char *msg = sqlite3_errmsg(db);
            if (sqlite3_errcode(db) == SQLITE_AUTH || strstr(msg, "not authorized"))
                fprintf(stderr,
                        "benchaas sql: refused: the database is opened read-only (no ATTACH, "
                        "no writes): %s\n",
                        msg);
            else
                sql_error(db, path);
            return 2;
        }
        p = tail;
        if (!st)
            continue; /* whitespace or a comment */
        if (!sqlite3_stmt_readonly(st)) {
            char *sqltext = sqlite3_expanded_sql(st);
            fprintf(stderr,
                    "benchaas sql: refused: '%.80s' would change the database; `benchaas sql` "
                    "only reads (nothing was run)\n",
                    sqltext ? sqltext : sqlite3_sql(st));
            sqlite3_free(sqltext);
            sqlite3_finalize(st);
            return 2;
        }
        sqlite3_stmt **n2 = realloc(*sts, (*nst + 1) * sizeof *n2);
        if (!n2) {
            sqlite3_finalize(st);
            fprintf(stderr, "benchaas: out of memory\n");
            return 2;
        }
        *sts = n2;
        (*sts)[(*nst)++] = st;
    }
    return 0;
}

/* Run the statements, printing their rows on `to` in format.  0, or 2 after printing why. */
static int sql_run_all(sqlite3 *db, const char *path, sqlite3_stmt **sts, size_t nst,
                       const char *format, FILE *to)
{
    int code = 0;
    for (size_t i = 0; i < nst && code == 0; i++) {
        int step_rc = SQLITE_DONE, rc;
        if (i && strcmp(format, "table") == 0 && sqlite3_column_count(sts[i - 1]))
            fputc('\n', to);
        if (sqlite3_column_count(sts[i]) == 0) {
            step_rc = sqlite3_step(sts[i]);
            rc = 0;
            if (step_rc == SQLITE_ROW)
                step_rc = SQLITE_DONE;
        } else if (strcmp(format, "table") == 0) {
            rc = print_table(sts[i], to, &step_rc);
        } else {
            rc = print_stream(sts[i], format, to, &step_rc);
        }
        if (rc) {
            fprintf(stderr, "benchaas: out of memory\n");
            code = 2;
        } else if (step_rc != SQLITE_DONE) {
            sql_error(db, path);
            code = 2;
        }
    }
    return code;
}

int sql_command(const sql_request *r, FILE *to)
{
    const char *db_path = r->db, *format = r->format ? r->format : "table", *text = r->text;
    const char *output = r->output;
    char *owned = NULL;
    sqlite3 *db = NULL;
    sqlite3_stmt **sts = NULL;
    size_t nst = 0;
    int code = 0;
    query_out out = {0};

    if (strcmp(text, "-") == 0) {
        if (!(text = owned = read_stdin())) {
            fprintf(stderr, "benchaas sql: cannot read the SQL from standard input: %s\n",
                    errno == EFBIG ? "it is larger than 16 MiB" : strerror(errno));
            return 2;
        }
    }
    db_path = default_db(db_path);
    if ((code = open_readonly(db_path, &db)) != 0)
        goto out;

    if ((code = sql_prepare_all(db, db_path, text, &sts, &nst)) != 0)
        goto out;
    if (nst == 0) {
        code = query_usage_error("sql", "no SQL statement in '%s'", text);
        goto out;
    }
    if (output && query_out_open(&out, "sql", output) != 0) {
        code = 2;
        goto out;
    }
    code = sql_run_all(db, db_path, sts, nst, format, output ? out.f : to);
    if (output) {
        if (query_out_close(&out, "sql", code == 0) != 0)
            code = 2;
    } else if (fflush(to) != 0) {
        fprintf(stderr, "benchaas sql: writing the results failed: %s\n", strerror(errno));
        code = 2;
    }
out:
    if (out.f)
        query_out_close(&out, "sql", 0);
    for (size_t i = 0; i < nst; i++)
        sqlite3_finalize(sts[i]);
    free(sts);
    sqlite3_close(db);
    free(owned);
    return code;
}
