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

#endif
