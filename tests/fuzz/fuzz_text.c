/*
 * fuzz_text.c — what decides whether bytes are text (core/common/text.c) and
 * whether a value may go into a batch script (core/runner/batchval.c):
 * text_check(), the escapes for terminals, JSON and HTML, batch_put_word().
 * Properties: an escaped string is always printable text and leaves text
 * alone; fixed JSON is valid UTF-8; a value fit for a batch script holds no
 * control byte, and its shell word is one line between single quotes.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batchval.h"
#include "fuzz_common.h"
#include "svg.h"
#include "text.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

/* Valid UTF-8 (controls allowed). */
static int utf8_ok(const char *s)
{
    while (*s) {
        unsigned cp;
        size_t n = text_utf8_at(s, &cp);
        if (n == 0)
            return 0;
        s += n;
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1u << 14))
        return 0;
    char *s = fuzz_cstr(data, size); /* stops at the first NUL, as C strings do */
    char why[128] = "";
    int ok = text_check(s, why, sizeof why) == 0;
    FUZZ_CHECK(ok || why[0], "text refused without a reason");
    FUZZ_CHECK(ok == !text_needs_escape(s), "text_check and text_needs_escape disagree");

    char *e = text_escaped_dup(s);
    FUZZ_CHECK(e != NULL, "text_escaped_dup failed");
    FUZZ_CHECK(text_check(e, NULL, 0) == 0, "an escaped string is not printable text");
    if (ok)
        FUZZ_CHECK(strcmp(e, s) == 0, "text was changed by escaping");
    char small[16];
    text_escape(s, small, sizeof small);
    FUZZ_CHECK(strlen(small) < sizeof small && text_check(small, NULL, 0) == 0,
               "a cut escape is not printable text");
    free(e);

    char *j = text_json_fix(s);
    FUZZ_CHECK(j && utf8_ok(j), "fixed JSON text is not UTF-8");
    for (const unsigned char *p = (const unsigned char *)j; *p; p++)
        FUZZ_CHECK(*p != 0x7f, "DEL left raw in JSON");
    free(j);

    char *html = NULL;
    size_t hlen = 0;
    FILE *f = open_memstream(&html, &hlen);
    if (f) {
        svg_escape(f, s);
        fclose(f);
        FUZZ_CHECK(utf8_ok(html), "HTML-escaped text is not UTF-8");
        FUZZ_CHECK(!strpbrk(html, "<>\"\x1b"), "HTML escaping left a markup or ESC byte");
        free(html);
    }

    char err[1024] = "";
    int fit = batch_value_check("value", s, err, sizeof err) == 0;
    FUZZ_CHECK(fit == ok, "batch values and text disagree");
    FUZZ_CHECK(fit || err[0], "a batch value refused without a reason");
    char *w = NULL;
    size_t wlen = 0;
    f = open_memstream(&w, &wlen);
    if (f) {
        batch_out b = {.f = f, .failed = 0, .err = ""};
        batch_put_word(&b, "value", s);
        fclose(f);
        FUZZ_CHECK(b.failed == !fit, "batch_put_word and batch_value_check disagree");
        if (fit) {
            FUZZ_CHECK(wlen >= 2 && w[0] == '\'' && w[wlen - 1] == '\'', "not single-quoted");
            FUZZ_CHECK(!strchr(w, '\n') && !strchr(w, '\r'), "a line break in a shell word");
        } else {
            FUZZ_CHECK(wlen == 0, "a refused value was written");
        }
        free(w);
    }
    free(s);
    return 0;
}
