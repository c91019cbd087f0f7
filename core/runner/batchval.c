/* batchval.c — values fit for a Slurm batch script (see batchval.h). */
#include "batchval.h"

#include <stdio.h>
#include <string.h>

#include "benchaas/plugin.h" /* BX_EINVAL */
#include "text.h"

int batch_value_check(const char *what, const char *value, char *err, size_t errlen)
{
    char why[128];
    if (!value)
        value = "";
    if (text_check(value, why, sizeof why) != 0) {
        char shown[256];
        text_escape(value, shown, sizeof shown);
        snprintf(err, errlen,
                 "%s \"%s\" cannot go into a batch script: %s (a newline would start a new "
                 "command there)",
                 what, shown, why);
        return BX_EINVAL;
    }
    return 0;
}

static int gate(batch_out *b, const char *what, const char *value)
{
    if (b->failed)
        return -1;
    if (batch_value_check(what, value, b->err, sizeof b->err) != 0) {
        b->failed = 1;
        return -1;
    }
    return 0;
}

void batch_put(batch_out *b, const char *what, const char *value)
{
    if (gate(b, what, value) == 0)
        fputs(value, b->f);
}

void batch_put_word(batch_out *b, const char *what, const char *value)
{
    if (gate(b, what, value) != 0)
        return;
    fputc('\'', b->f);
    for (const char *s = value; *s; s++) {
        if (*s == '\'')
            fputs("'\\''", b->f);
        else
            fputc(*s, b->f);
    }
    fputc('\'', b->f);
}
