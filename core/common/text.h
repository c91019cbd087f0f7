/*
 * text.h — text that is text: valid UTF-8 without control characters.
 *
 * Tags, experiment names and the other names a user gives are refused at
 * the door when they are not (text_check); what comes back from the
 * database is escaped before it reaches a terminal (text_escape), so an
 * ESC sequence stored by an older version or written with `sqlite3` never
 * drives the user's terminal.
 */
#ifndef BENCHAAS_TEXT_H
#define BENCHAAS_TEXT_H

#include <stddef.h>
#include <stdio.h>

/* 0 when s is valid UTF-8 with no control character (C0, DEL, C1); else -1 and why. */
int text_check(const char *s, char *why, size_t whylen);
/* 1 when s needs escaping for a terminal (a control character or invalid UTF-8). */
int text_needs_escape(const char *s);
/* s with control characters as \n, \t, \e, \xHH and invalid bytes as \xHH, cut to fit out. */
void text_escape(const char *s, char *out, size_t outlen);
/* The same, written to f. */
void text_escape_to(FILE *f, const char *s);
/* s as a new string, escaped when it needs it (caller frees); NULL when out of memory. */
char *text_escaped_dup(const char *s);
/* s to f: escaped when it needs it, else as it is (for what a terminal shows). */
void text_put(FILE *f, const char *s);
/*
 * JSON text (as cJSON prints it) made safe: bytes that are not UTF-8 become
 * U+FFFD, and DEL and C1 controls (which cJSON leaves raw) become \u00XX.
 * A new string (caller frees), NULL when out of memory.
 */
char *text_json_fix(const char *json);
/* JSON text to f through text_json_fix() (as it is when out of memory). */
void text_put_json(FILE *f, const char *json);
/* The UTF-8 sequence at s: its length (1..4) and code point, or 0 when it is not valid. */
size_t text_utf8_at(const char *s, unsigned *cp);
/* 1 for a control character (C0, DEL, C1). */
int text_is_control(unsigned cp);

#endif
