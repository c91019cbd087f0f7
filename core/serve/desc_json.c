/* desc_json.c — a plugin descriptor's data as JSON and back (see desc_json.h). */
#include "desc_json.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spec.h"
#include "util.h"

/* A descriptor made here owns its strings and tables: writable, cast back. */
#define OWN(p) ((void *)(uintptr_t)(p))

static void add_str(cJSON *o, const char *k, const char *v)
{
    if (v)
        cJSON_AddStringToObject(o, k, v);
}

cJSON *desc_to_json(const bx_plugin *d)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "magic", d->magic);
    cJSON_AddNumberToObject(o, "abi_major", d->abi_major);
    cJSON_AddNumberToObject(o, "abi_minor", d->abi_minor);
    cJSON_AddNumberToObject(o, "struct_size", d->struct_size);
    cJSON_AddNumberToObject(o, "flags", d->flags);
    cJSON_AddNumberToObject(o, "default_repetitions", d->default_repetitions);
    add_str(o, "name", d->name);
    add_str(o, "version", d->version);
    add_str(o, "description", d->description);
    cJSON *ps = cJSON_AddArrayToObject(o, "params");
    for (const bx_param *q = d->params; q && q->name; q++) {
        cJSON *x = cJSON_CreateObject();
        add_str(x, "name", q->name);
        cJSON_AddNumberToObject(x, "type", q->type);
        add_str(x, "def", q->def);
        cJSON_AddNumberToObject(x, "min", q->min);
        cJSON_AddNumberToObject(x, "max", q->max);
        if (q->choices) {
            cJSON *c = cJSON_AddArrayToObject(x, "choices");
            for (const char *const *ch = q->choices; *ch; ch++)
                cJSON_AddItemToArray(c, cJSON_CreateString(*ch));
        }
        add_str(x, "help", q->help);
        cJSON_AddNumberToObject(x, "flags", q->flags);
        cJSON_AddItemToArray(ps, x);
    }
    cJSON *ms = cJSON_AddArrayToObject(o, "metrics");
    for (const bx_metric_def *m = d->metrics; m && m->name; m++) {
        cJSON *x = cJSON_CreateObject();
        add_str(x, "name", m->name);
        add_str(x, "unit", m->unit);
        cJSON_AddNumberToObject(x, "better", m->better);
        add_str(x, "help", m->help);
        cJSON_AddNumberToObject(x, "flags", m->flags);
        cJSON_AddItemToArray(ms, x);
    }
    return o;
}

static char *str_of(const cJSON *o, const char *k)
{
    const char *s = json_str(o, k);
    return s ? xstrdup(s) : NULL;
}

static double num_of(const cJSON *o, const char *k)
{
    double v = 0;
    json_num(o, k, &v);
    return v;
}

bx_plugin *desc_from_json(const cJSON *j)
{
    const cJSON *ps = cJSON_GetObjectItemCaseSensitive(j, "params");
    const cJSON *ms = cJSON_GetObjectItemCaseSensitive(j, "metrics");
    if (!json_str(j, "name") || !cJSON_IsArray(ps) || !cJSON_IsArray(ms))
        return NULL;
    bx_plugin *d = xcalloc(1, sizeof *d);
    d->magic = (uint32_t)num_of(j, "magic");
    d->abi_major = (uint16_t)num_of(j, "abi_major");
    d->abi_minor = (uint16_t)num_of(j, "abi_minor");
    d->struct_size = (uint32_t)num_of(j, "struct_size");
    d->flags = (uint32_t)num_of(j, "flags");
    d->default_repetitions = (uint32_t)num_of(j, "default_repetitions");
    d->name = str_of(j, "name");
    d->version = str_of(j, "version");
    d->description = str_of(j, "description");
    bx_param *q = xcalloc((size_t)cJSON_GetArraySize(ps) + 1, sizeof *q);
    size_t n = 0;
    const cJSON *x;
    cJSON_ArrayForEach(x, ps)
    {
        if (!json_str(x, "name"))
            continue;
        bx_param *p = &q[n++];
        p->name = str_of(x, "name");
        p->type = (bx_type)num_of(x, "type");
        p->def = str_of(x, "def");
        p->min = num_of(x, "min");
        p->max = num_of(x, "max");
        p->help = str_of(x, "help");
        p->flags = (uint32_t)num_of(x, "flags");
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(x, "choices");
        if (cJSON_IsArray(c)) {
            char **ch = xcalloc((size_t)cJSON_GetArraySize(c) + 1, sizeof *ch);
            size_t k = 0;
            const cJSON *y;
            cJSON_ArrayForEach(y, c)
            {
                if (cJSON_IsString(y))
                    ch[k++] = xstrdup(y->valuestring);
            }
            p->choices = (const char *const *)ch;
        }
    }
    d->params = q;
    bx_metric_def *m = xcalloc((size_t)cJSON_GetArraySize(ms) + 1, sizeof *m);
    n = 0;
    cJSON_ArrayForEach(x, ms)
    {
        if (!json_str(x, "name"))
            continue;
        bx_metric_def *e = &m[n++];
        e->name = str_of(x, "name");
        e->unit = str_of(x, "unit");
        e->better = (bx_better)num_of(x, "better");
        e->help = str_of(x, "help");
        e->flags = (uint32_t)num_of(x, "flags");
    }
    d->metrics = m;
    return d;
}

void desc_free(const bx_plugin *d)
{
    if (!d)
        return;
    for (const bx_param *q = d->params; q && q->name; q++) {
        for (const char *const *ch = q->choices; ch && *ch; ch++)
            free(OWN(*ch));
        free(OWN(q->choices));
        free(OWN(q->name));
        free(OWN(q->def));
        free(OWN(q->help));
    }
    for (const bx_metric_def *m = d->metrics; m && m->name; m++) {
        free(OWN(m->name));
        free(OWN(m->unit));
        free(OWN(m->help));
    }
    free(OWN(d->params));
    free(OWN(d->metrics));
    free(OWN(d->name));
    free(OWN(d->version));
    free(OWN(d->description));
    free(OWN(d));
}
