/*
 * page_board.c — the leaderboard pages (page_board.h): /leaderboard and
 * /leaderboard/{plugin}.
 *
 * Comparable before ranked: the API's answer (board.h's choice) comes ordered by
 * configuration, and each configuration gets a table of its own, headed by what
 * makes it one (ranks, threads, the parameters set, the values the plugin computed;
 * parameters left at their defaults behind a "details" toggle).  Runs whose plugin
 * said the figure is not what the metric means are listed apart with the reason,
 * and a link ranks them too.
 */
#define _GNU_SOURCE
#include "page_board.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "loader.h"
#include "board.h"
#include "page_kit.h"
#include "page_yard.h"
#include "paramval.h"

/* Is stored value v the parameter's default? */
static int is_default(const bx_param *p, const cJSON *v)
{
    if (!p || !p->def)
        return 0;
    bxp_value d;
    char err[256];
    if (bxp_parse(p, p->def, &d, err, sizeof err))
        return 0;
    int same = 0;
    if (cJSON_IsBool(v))
        same = (d.i != 0) == cJSON_IsTrue(v);
    else if (cJSON_IsNumber(v))
        same = d.d == v->valuedouble;
    else if (cJSON_IsString(v))
        same = strcmp(d.text, v->valuestring) == 0;
    bxp_value_free(&d);
    return same;
}

/* name=value, a size in bytes as a person reads it. */
static void param_text(FILE *f, const bx_param *p, const char *name, const cJSON *v)
{
    html_txt(f, name);
    fputc('=', f);
    if (cJSON_IsNumber(v) && p && p->type == BX_SIZE) {
        html_quantity(f, v->valuedouble, "bytes");
    } else if (cJSON_IsNumber(v) && fabs(v->valuedouble) >= 1e4 && fabs(v->valuedouble) < 1e15 &&
               v->valuedouble == floor(v->valuedouble)) {
        char d[32]; /* digits in groups of three: 46 000 000 */
        int n = snprintf(d, sizeof d, "%.0f", fabs(v->valuedouble));
        fputs(v->valuedouble < 0 ? "-" : "", f);
        for (int i = 0; i < n; i++)
            fprintf(f, "%s%c", i && (n - i) % 3 == 0 ? "\u2009" : "", d[i]);
    } else if (cJSON_IsString(v)) {
        html_txt(f, v->valuestring);
    } else {
        char *t = cJSON_PrintUnformatted(v);
        html_txt(f, t);
        free(t);
    }
}

void page_config(FILE *f, const cJSON *e, const bx_param *table, const char *tag)
{
    double rk = page_jnum(e, "ranks"), th = page_jnum(e, "threads");
    fprintf(f, "<%s class=\"config\"><span class=\"cfg\">%.0f rank%s × %.0f thread%s", tag,
            isnan(rk) ? 1 : rk, rk == 1 || isnan(rk) ? "" : "s", isnan(th) ? 1 : th,
            th == 1 || isnan(th) ? "" : "s");
    const cJSON *pa;
    int ndef = 0;
    cJSON_ArrayForEach(pa, cJSON_GetObjectItemCaseSensitive(e, "params"))
    {
        const bx_param *p = table ? bxp_find(table, pa->string) : NULL;
        if (is_default(p, pa)) {
            ndef++;
            continue;
        }
        fputs(" · ", f);
        param_text(f, p, pa->string, pa);
    }
    cJSON_ArrayForEach(pa, cJSON_GetObjectItemCaseSensitive(e, "computed"))
    {
        fputs(" · ", f);
        param_text(f, table ? bxp_find(table, pa->string) : NULL, pa->string, pa);
        fputs(" <span class=\"small\">(computed)</span>", f);
    }
    fprintf(f, "</span></%s>", tag);
    if (!ndef)
        return;
    fprintf(f, " <details class=\"small\"><summary>%d parameter%s at %s default</summary>", ndef,
            ndef == 1 ? "" : "s", ndef == 1 ? "its" : "their");
    int first = 1;
    cJSON_ArrayForEach(pa, cJSON_GetObjectItemCaseSensitive(e, "params"))
    {
        const bx_param *p = table ? bxp_find(table, pa->string) : NULL;
        if (!is_default(p, pa))
            continue;
        fputs(first ? "" : ", ", f);
        first = 0;
        param_text(f, p, pa->string, pa);
    }
    fputs("</details>", f);
}

/* Do a and b (entries) belong to one configuration? */
static int same_config(const cJSON *a, const cJSON *b)
{
    return a && b && cJSON_Compare(cJSON_GetObjectItemCaseSensitive(a, "params"),
                                   cJSON_GetObjectItemCaseSensitive(b, "params"), 1) &&
           page_jnum(a, "ranks") == page_jnum(b, "ranks") &&
           page_jnum(a, "threads") == page_jnum(b, "threads");
}

static void table_head(FILE *f, int left_out)
{
    fprintf(f, "<div class=\"scroll\"><table class=\"board\"><thead><tr><th scope=\"col\">%s</th>"
               "<th scope=\"col\">User</th><th scope=\"col\">Host</th><th scope=\"col\">Value"
               "</th><th scope=\"col\">Date</th>%s</tr></thead><tbody>",
            left_out ? "Run" : "Rank", "<th scope=\"col\">Note</th>");
}

/* Markers in the kept table around a row's user, replaced for each request by board_mine():
 * the user's name in hexadecimal between two \x01 (the row's class) or two \x02 (the
 * "(you)" after the name).  Escaped text never holds a control character (html_txt writes
 * U+FFFD instead), so a marker cannot be forged by a user's name or any stored text. */
#define MARK_ROW '\x01'
#define MARK_YOU '\x02'

static void user_mark(FILE *f, char mark, const char *user)
{
    if (!user)
        return;
    fputc(mark, f);
    for (const unsigned char *c = (const unsigned char *)user; *c; c++)
        fprintf(f, "%02x", *c);
    fputc(mark, f);
}

static void entry_row(FILE *f, http_req *r, const cJSON *e, const char *unit, const char *metric,
                      int left_out)
{
    const char *u = page_jstr(e, "user"), *cav = page_jstr(e, "caveat");
    fputs("<tr", f);
    user_mark(f, MARK_ROW, u);
    fputs("><td class=\"n\">", f);
    if (left_out)
        fprintf(f, "<a href=\"/runs/%.0f\">%.0f</a>", page_jnum(e, "run_id"),
                page_jnum(e, "run_id"));
    else
        fprintf(f, "%.0f", page_jnum(e, "rank"));
    fputs("</td><td>", f);
    html_txt(f, u ? u : "(CLI)");
    user_mark(f, MARK_YOU, u);
    fputs("</td><td>", f);
    html_txt(f, page_jstr(e, "host"));
    fprintf(f, "</td><td class=\"n\"><a href=\"/runs/%.0f\">", page_jnum(e, "run_id"));
    html_quantity(f, page_jnum(e, "value"), unit);
    fputs("</a>", f);
    page_yard_short(f, r, (long long)page_jnum(e, "run_id"), metric);
    fputs("</td><td>", f);
    html_when(f, page_jstr(e, "started_at"));
    fputs("</td><td class=\"small caveat\">", f);
    html_txt(f, cav);
    fputs("</td></tr>", f);
}

/* The kept part t with the markers of user `me` turned into highlights, the others dropped. */
static void board_mine(FILE *f, const char *t, const char *me)
{
    char hex[2 * 128 + 1] = "";
    size_t hl = 0;
    for (const unsigned char *c = (const unsigned char *)(me ? me : ""); *c && hl + 2 < sizeof hex;
         c++)
        hl += (size_t)snprintf(hex + hl, sizeof hex - hl, "%02x", *c);
    int known = me && hl == 2 * strlen(me);
    for (const char *m; (m = strpbrk(t, "\x01\x02")) != NULL;) {
        fwrite(t, 1, (size_t)(m - t), f);
        const char *end = strchr(m + 1, *m);
        if (!end) { /* (cannot happen: every marker is written whole) */
            t = m + 1;
            continue;
        }
        if (known && (size_t)(end - m - 1) == hl && memcmp(m + 1, hex, hl) == 0)
            fputs(*m == MARK_ROW ? " class=\"mine\"" : " <span class=\"small\">(you)</span>", f);
        t = end + 1;
    }
    fputs(t, f);
}

/* The entries of `list`, one table per configuration. */
static void board_tables(FILE *f, http_req *r, const cJSON *list, const char *unit,
                         const char *metric, const bx_param *table, int left_out)
{
    const cJSON *e, *prev = NULL;
    cJSON_ArrayForEach(e, list)
    {
        if (!same_config(prev, e)) {
            if (prev)
                fputs("</tbody></table></div>", f);
            page_config(f, e, table, "h3");
            table_head(f, left_out);
        }
        entry_row(f, r, e, unit, metric, left_out);
        prev = e;
    }
    if (prev)
        fputs("</tbody></table></div>", f);
}

/* The metric chooser: the metrics of the plugin's newest ok run, and the include toggle. */
static void board_form(FILE *f, store *st, const char *plugin, const char *chosen, int warned)
{
    fputs("<form class=\"row\" method=\"get\" action=\"/leaderboard/", f);
    html_url(f, plugin);
    fputs("\"><div><label for=\"metric\">Metric</label><select id=\"metric\" name=\"metric\">", f);
    strvec names = {0}, units = {0};
    board_metrics(st, plugin, &names, &units);
    for (size_t i = 0; i < names.n; i++) {
        fputs("<option value=\"", f);
        html_txt(f, names.v[i]);
        fputs(chosen && strcmp(chosen, names.v[i]) == 0 ? "\" selected>" : "\">", f);
        html_txt(f, names.v[i]);
        if (*units.v[i]) {
            fputs(" (", f);
            html_txt(f, units.v[i]);
            fputs(")", f);
        }
        fputs("</option>", f);
    }
    strvec_free(&names);
    strvec_free(&units);
    fprintf(f, "</select></div><div><label><input type=\"checkbox\" name=\"include\" "
               "value=\"warned\"%s> rank runs with a caveat too</label></div>"
               "<button type=\"submit\">Show</button></form>",
            warned ? " checked" : "");
}

int page_board_list(http_req *r, http_resp *o)
{
    page p;
    page_open(&p, r, o);
    page_begin(&p, "Leaderboards", 0);
    strvec plugins = {0};
    board_plugins(r->st, &plugins);
    fputs("<ul>", p.f);
    for (size_t i = 0; i < plugins.n; i++) {
        fputs("<li><a href=\"/leaderboard/", p.f);
        html_url(p.f, plugins.v[i]);
        fputs("\">", p.f);
        html_txt(p.f, plugins.v[i]);
        fputs("</a></li>", p.f);
    }
    strvec_free(&plugins);
    fputs("</ul>", p.f);
    return page_send(&p, 200);
}

/* The runs left out, with their reasons and the way to rank them too. */
static void left_out_part(FILE *f, http_req *r, const cJSON *j, const char *plugin,
                          const char *unit, const bx_param *table)
{
    const cJSON *left = cJSON_GetObjectItemCaseSensitive(j, "left_out");
    if (!cJSON_GetArraySize(left))
        return;
    fputs("<section id=\"left-out\"><h2>Left out of the ranking</h2><p>The plugin said these "
          "runs' figures are not what the metric means (the reason is by each). <a href=\""
          "/leaderboard/",
          f);
    html_url(f, plugin);
    fputs("?metric=", f);
    html_url(f, page_jstr(j, "metric"));
    fputs("&amp;include=warned\">Rank them too</a>.</p>", f);
    board_tables(f, r, left, unit, page_jstr(j, "metric"), table, 1);
    fputs("</section>", f);
}

/* The ranked tables of the API's answer j, and the runs left out. */
static void board_ranked(FILE *f, http_req *r, const cJSON *j, const char *plugin, int warned)
{
    char err[512];
    const loaded_plugin *lp = page_plugin_get(plugin, err, sizeof err);
    const bx_param *table = lp ? lp->desc->params : NULL;
    fputs("<p>Ranked by <strong>", f);
    html_txt(f, page_jstr(j, "metric"));
    fputs("</strong>, ", f);
    html_txt(f, page_jstr(j, "better"));
    fputs(" is better. Runs are ranked only against runs of the same configuration (ranks, "
          "threads and parameters): one table each, the best run of each user and host. Your "
          "entries are highlighted.</p>",
          f);
    const char *unit = page_jstr(j, "unit");
    const cJSON *entries = cJSON_GetObjectItemCaseSensitive(j, "entries");
    fputs("<div id=\"leaderboard\">", f);
    if (!cJSON_GetArraySize(entries))
        fputs("<p>No run to rank.</p>", f);
    board_tables(f, r, entries, unit, page_jstr(j, "metric"), table, 0);
    fputs("</div>", f);
    if (!warned)
        left_out_part(f, r, j, plugin, unit, table);
    page_plugin_put(lp);
}

/*
 * The leaderboard's form and tables for r's plugin and arguments, the same for everyone (the
 * rows of each user marked, not highlighted): a kept answer (answers.h), refreshed off the
 * request path, since rendering the rows (each with its yardstick) costs far more than the
 * page around them.  On an API error: that status and the form with the message, not kept.
 */
static int board_part(http_req *r, http_resp *o)
{
    const char *plugin = r->seg[0];
    const char *inc = http_query(r, "include");
    int warned = inc && strcmp(inc, "warned") == 0;
    cJSON *j = NULL;
    int st = page_api_part(r, "/api/v1/leaderboard", &j);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) {
        cJSON_Delete(j);
        return http_error(o, 500, "out of memory", NULL);
    }
    board_form(f, r->st, plugin, page_jstr(j, "metric"), warned);
    if (st != 200) {
        fputs("<p class=\"msg bad\">", f);
        html_txt(f, page_api_message(j));
        fputs("</p>", f);
        st = st == 404 ? 404 : 400;
    } else {
        board_ranked(f, r, j, plugin, warned);
    }
    cJSON_Delete(j);
    fclose(f);
    http_text(o, st, PAGE_HTML, buf, len);
    free(buf);
    return 0;
}

static const http_route board_route = {"GET", "(leaderboard tables)", ROLE_VIEWER, SCOPE_READ,
                                       ROUTE_CACHE, NULL, board_part};

int page_board(http_req *r, http_resp *o)
{
    const char *plugin = r->seg[0];
    page_set_query(r, "plugin", plugin);
    page_set_query(r, "limit", "200");
    char *part = NULL;
    int st = page_kept_part(r, &board_route, &part);
    page p;
    page_open(&p, r, o);
    char title[160];
    snprintf(title, sizeof title, "Leaderboard: %s", plugin);
    page_begin(&p, title, 0);
    if (part) {
        board_mine(p.f, part, r->auth.user);
    } else {
        fputs("<p class=\"msg bad\">The leaderboard cannot be read.</p>", p.f);
        st = 500;
    }
    free(part);
    return page_send(&p, st == 200 || st == 400 || st == 404 ? st : 500);
}
