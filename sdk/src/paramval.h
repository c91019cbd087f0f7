/*
 * paramval.h — parsing and checking of parameter values against a plugin's
 * declared table.  Private to the SDK library and the core (not installed):
 * the runner and the mock host must judge user input identically.
 */
#ifndef BENCHAAS_PARAMVAL_H
#define BENCHAAS_PARAMVAL_H

#include <stddef.h>
#include <stdint.h>

#include "benchaas/plugin.h"

/* A parsed value.  `text` is the canonical form, owned by the value. */
typedef struct bxp_value {
    bx_type type;
    int64_t i;  /* INT, SIZE (bytes), BOOL (0/1), ENUM (index) */
    double d;   /* every numeric type, also INT/SIZE/BOOL */
    char *text; /* canonical text: "131072", "true", "1.5", the choice, the string */
} bxp_value;

/* The entry named `name` in a NULL-terminated table, or NULL. */
const bx_param *bxp_find(const bx_param *table, const char *name);

/*
 * Parse `text` as parameter p's type and check its range or choices.
 * 0 and *out filled (free with bxp_value_free), or BX_EINVAL and a message
 * in err ("value 'abc' for 'N' is not an integer").
 */
int bxp_parse(const bx_param *p, const char *text, bxp_value *out, char *err, size_t errlen);
void bxp_value_free(bxp_value *v);

/* Levenshtein distance, case-insensitive, of two names of at most 64
 * characters (99 when either is longer). */
int bxp_edit_distance(const char *a, const char *b);

/* The closest name in the table to a misspelt one, or NULL if none is close. */
const char *bxp_suggest(const bx_param *table, const char *name);

/*
 * Check a descriptor as the loader does, except what needs the file (its
 * name): magic, ABI version, struct_size, name/version/description, the
 * required callbacks, at least one metric, and the tables (types, enum
 * choices, duplicate names, defaults that parse and lie in range, metric
 * units and directions).  0, or BX_EINVAL and the reason in err.
 */
int bxp_check_descriptor(const bx_plugin *d, char *err, size_t errlen);

/* The checks of magic, version and struct_size alone (a descriptor's, or
 * the bx_stamp a 1.2 plugin exports). */
int bxp_check_stamp(uint32_t magic, unsigned major, unsigned minor, uint32_t struct_size,
                    char *err, size_t errlen);

/*
 * A heap copy of a descriptor in this SDK's layout: tables of 1.0/1.1
 * plugins converted (their min <= max flagged BX_PARAM_RANGE, so they behave
 * as before), fields past the plugin's struct_size 0, the first metric
 * marked BX_METRIC_HEADLINE when none is.  Callbacks are the plugin's.
 * 0 and *out (free with bxp_normalized_free), or BX_EINVAL/BX_ENOMEM.
 */
int bxp_normalize(const bx_plugin *raw, bx_plugin **out, char *err, size_t errlen);
void bxp_normalized_free(bx_plugin *d);

/* 1 when parameter p's min .. max is checked (see bx_param). */
int bxp_has_range(const bx_param *p);

/* The size of bx_plugin in ABI 1.0, up to and including fini. */
#define BXP_PLUGIN_MIN_SIZE (offsetof(bx_plugin, fini) + sizeof(void (*)(void *)))

/* "int", "size", ... */
const char *bxp_type_name(bx_type t);
/* What a STRING parameter names (ABI 1.3 kinds): "path_read", "path_write", "host",
 * or NULL when it is plain text. */
const char *bxp_kind_name(const bx_param *p);

/* "1 .. 65535" or "one of: a, b, c" or "" into buf. */
const char *bxp_describe_range(const bx_param *p, char *buf, size_t len);

#endif
