/* collector.c — results a host collects from a plugin (see collector.h). */
#include "collector.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

int bxp_collector_init(bxp_collector *c, const bx_plugin *desc)
{
    memset(c, 0, sizeof *c);
    pthread_mutex_init(&c->lock, NULL);
    c->desc = desc;
    c->strict = desc->abi_minor >= 2;
    c->max_warnings = 100;
    while (desc->metrics && desc->metrics[c->nseries].name)
        c->nseries++;
    while (desc->params && desc->params[c->nparams].name)
        c->nparams++;
    c->series = calloc(c->nseries + 1, sizeof *c->series);
    c->computed = calloc(c->nparams + 1, sizeof *c->computed);
    c->computed_set = calloc(c->nparams + 1, sizeof *c->computed_set);
    if (!c->series || !c->computed || !c->computed_set) {
        bxp_collector_free(c);
        return BX_ENOMEM;
    }
    for (size_t i = 0; i < c->nseries; i++) {
        c->series[i].def = &desc->metrics[i];
        c->series[i].last_rep = (unsigned)-1;
    }
    return 0;
}

void bxp_collector_free(bxp_collector *c)
{
    for (size_t i = 0; c->series && i < c->nseries; i++)
        free(c->series[i].samples);
    free(c->series);
    for (size_t i = 0; i < c->nmeta; i++) {
        free(c->meta_key[i]);
        free(c->meta_val[i]);
    }
    free(c->meta_key);
    free(c->meta_val);
    for (size_t i = 0; i < c->nwarnings; i++)
        free(c->warnings[i]);
    free(c->warnings);
    for (size_t i = 0; c->computed && i < c->nparams; i++)
        bxp_value_free(&c->computed[i]);
    free(c->computed);
    free(c->computed_set);
    pthread_mutex_destroy(&c->lock);
    memset(c, 0, sizeof *c);
}

bxp_series *bxp_collector_series(bxp_collector *c, const char *name)
{
    for (size_t i = 0; name && i < c->nseries; i++)
        if (strcmp(c->series[i].def->name, name) == 0)
            return &c->series[i];
    return NULL;
}

static int undeclared(bxp_collector *c, const char *name, char *err, size_t errlen)
{
    snprintf(err, errlen, "plugin %s reported undeclared metric '%s'", c->desc->name,
             name ? name : "(null)");
    return BX_EINVAL;
}

int bxp_collector_metric(bxp_collector *c, const char *name, double value, char *err,
                         size_t errlen)
{
    bxp_series *s = bxp_collector_series(c, name);
    if (!s)
        return undeclared(c, name, err, errlen);
    pthread_mutex_lock(&c->lock);
    s->value = value;
    s->has_value = 1;
    pthread_mutex_unlock(&c->lock);
    return 0;
}

int bxp_collector_sample(bxp_collector *c, const char *name, unsigned rep, double value,
                         char *err, size_t errlen)
{
    bxp_series *s = bxp_collector_series(c, name);
    if (!s)
        return undeclared(c, name, err, errlen);
    int rc = 0;
    pthread_mutex_lock(&c->lock);
    if (s->last_rep != rep) {
        s->last_rep = rep;
        s->next_idx = 0;
    }
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        bxp_sample *d = realloc(s->samples, cap * sizeof *d);
        if (!d)
            rc = BX_ENOMEM;
        else {
            s->samples = d;
            s->cap = cap;
        }
    }
    if (rc == 0)
        s->samples[s->n++] = (bxp_sample){rep, s->next_idx++, value};
    pthread_mutex_unlock(&c->lock);
    return rc;
}

/* Append to a growing array of strings (under the lock). */
static int push(char ***v, size_t n, const char *s)
{
    char **d = realloc(*v, (n + 1) * sizeof *d);
    if (!d)
        return BX_ENOMEM;
    *v = d;
    return (d[n] = dup(s)) ? 0 : BX_ENOMEM;
}

int bxp_collector_meta(bxp_collector *c, const char *key, const char *value)
{
    if (!key || !*key)
        return BX_EINVAL;
    if (!value)
        value = "";
    int rc = 0;
    pthread_mutex_lock(&c->lock);
    size_t i = 0;
    while (i < c->nmeta && strcmp(c->meta_key[i], key) != 0)
        i++;
    if (i < c->nmeta) {
        char *v = dup(value);
        if (v) {
            free(c->meta_val[i]);
            c->meta_val[i] = v;
        } else
            rc = BX_ENOMEM;
    } else if ((rc = push(&c->meta_key, c->nmeta, key)) == 0) {
        if ((rc = push(&c->meta_val, c->nmeta, value)) == 0)
            c->nmeta++;
        else
            free(c->meta_key[c->nmeta]);
    }
    pthread_mutex_unlock(&c->lock);
    return rc;
}

int bxp_collector_warning(bxp_collector *c, const char *msg)
{
    int rc = 0;
    pthread_mutex_lock(&c->lock);
    if (c->nwarnings < c->max_warnings && (rc = push(&c->warnings, c->nwarnings, msg ? msg : "")) == 0)
        c->nwarnings++;
    pthread_mutex_unlock(&c->lock);
    return rc;
}

void bxp_collector_fill_best(bxp_collector *c)
{
    pthread_mutex_lock(&c->lock);
    for (size_t i = 0; i < c->nseries; i++) {
        bxp_series *s = &c->series[i];
        if (s->has_value || s->n == 0)
            continue;
        double best = s->samples[s->n - 1].value;
        for (size_t k = 0; k < s->n; k++) {
            double v = s->samples[k].value;
            if (s->def->better == BX_BETTER_HIGHER && v > best)
                best = v;
            if (s->def->better == BX_BETTER_LOWER && v < best)
                best = v;
        }
        s->value = best;
        s->has_value = 1;
    }
    pthread_mutex_unlock(&c->lock);
}

static const char *const getter_names[] = {"bx_param_isset", "bx_param_int", "bx_param_double",
                                           "bx_param_str"};

int bxp_collector_param(bxp_collector *c, const char *name, int get)
{
    const bx_param *p = bxp_find(c->desc->params, name);
    char why[512];
    if (!p) {
        const char *s = bxp_suggest(c->desc->params, name);
        snprintf(why, sizeof why, "plugin %s asked for undeclared parameter '%s'%s%s%s",
                 c->desc->name, name ? name : "(null)", s ? " (did you mean '" : "",
                 s ? s : "", s ? "'?)" : "");
    } else {
        bx_type t = p->type;
        /* An ENUM reads as its index; a DOUBLE is not an integer; text is no number. */
        int ok = get == BXP_GET_ISSET || get == BXP_GET_STRING ||
                 (get == BXP_GET_INT && t != BX_DOUBLE && t != BX_STRING) ||
                 (get == BXP_GET_DOUBLE && t != BX_STRING);
        if (ok)
            return (int)(p - c->desc->params);
        snprintf(why, sizeof why, "plugin %s called %s on parameter '%s', which is of type %s%s",
                 c->desc->name, getter_names[get], p->name, bxp_type_name(t),
                 t == BX_DOUBLE ? " (use bx_param_double)"
                                : " (use bx_param_str)");
    }
    if (!c->strict) {
        /* Before ABI 1.2: an undeclared name got a line on stderr, a getter
         * of the wrong type answered silently; 1.0/1.1 plugins keep that. */
        if (!p)
            fprintf(stderr, "benchaas: %s\n", why);
        return p ? (int)(p - c->desc->params) : -1;
    }
    pthread_mutex_lock(&c->lock);
    if (!c->failure[0])
        snprintf(c->failure, sizeof c->failure, "%s; the plugin has a bug", why);
    pthread_mutex_unlock(&c->lock);
    return -1;
}

int bxp_collector_failed(bxp_collector *c, char *buf, size_t len)
{
    pthread_mutex_lock(&c->lock);
    int failed = c->failure[0] != '\0';
    if (failed && buf)
        snprintf(buf, len, "%s", c->failure);
    pthread_mutex_unlock(&c->lock);
    return failed;
}

int bxp_collector_computed(bxp_collector *c, const char *name, const char *text,
                           int already_set, char *err, size_t errlen)
{
    const bx_param *p = bxp_find(c->desc->params, name);
    if (!p) {
        snprintf(err, errlen, "plugin %s: computed value for undeclared parameter '%s'",
                 c->desc->name, name ? name : "(null)");
        return BX_EINVAL;
    }
    if (already_set) {
        snprintf(err, errlen,
                 "plugin %s: parameter '%s' already has a value (given or default); only an "
                 "unset parameter can be computed",
                 c->desc->name, p->name);
        return BX_EINVAL;
    }
    size_t i = (size_t)(p - c->desc->params);
    bxp_value v;
    char e[512];
    if (bxp_parse(p, text, &v, e, sizeof e) != 0) {
        snprintf(err, errlen, "plugin %s: computed %s", c->desc->name, e);
        return BX_EINVAL;
    }
    int rc = 0;
    pthread_mutex_lock(&c->lock);
    if (!c->computed_set[i]) {
        c->computed[i] = v;
        c->computed_set[i] = 1;
    } else {
        /* Strings handed out stay valid: a value, once computed, stays. */
        if (strcmp(c->computed[i].text, v.text) != 0) {
            snprintf(err, errlen, "plugin %s: parameter '%s' was computed as %s, now as %s",
                     c->desc->name, p->name, c->computed[i].text, v.text);
            rc = BX_EINVAL;
        }
        bxp_value_free(&v);
    }
    pthread_mutex_unlock(&c->lock);
    return rc;
}

const bxp_value *bxp_collector_computed_value(bxp_collector *c, size_t i)
{
    pthread_mutex_lock(&c->lock);
    const bxp_value *v = i < c->nparams && c->computed_set[i] ? &c->computed[i] : NULL;
    pthread_mutex_unlock(&c->lock);
    return v;
}
