/*
 * util.h — small helpers shared by the runner and the worker.
 *
 * Error convention: functions return 0 or a negative BX_E* code and write a
 * message into a caller-provided (err, errlen) buffer.
 */
#ifndef BENCHAAS_UTIL_H
#define BENCHAAS_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "benchaas/plugin.h"
#include "benchaas/sdk.h"

#define BX_VERSION_STRING BENCHAAS_VERSION
#define BX_DOC_MAX ((size_t)64 << 20) /* cap on any JSON document we read */

/* snprintf into err (if err is non-NULL); returns code. */
int errf(char *err, size_t errlen, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Message to stderr prefixed by "benchaas: " (to the calling thread's say_to() file
 * instead when one is set). */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Where say() writes from the calling thread: f, or stderr again with NULL.  The
 * service gives a job's log to the library code it calls for that job; other
 * threads keep writing to stderr.  Returns the previous file (NULL: stderr). */
FILE *say_to(FILE *f);

/* malloc that never returns NULL (aborts with a message on exhaustion). */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A growable array of owned strings. */
typedef struct strvec {
    char **v;
    size_t n, cap;
} strvec;
void strvec_push(strvec *sv, const char *s); /* copies s */
void strvec_push_owned(strvec *sv, char *s);
void strvec_free(strvec *sv);

/* Read a whole file (at most `cap` bytes; BX_EINVAL if larger).  *out is NUL-terminated, caller frees. */
int read_file(const char *path, size_t cap, char **out, size_t *len, char *err, size_t errlen);
/* Write data to path.tmp, fsync, rename to path.  Atomic for readers. */
int write_file_atomic(const char *path, const char *data, size_t len, char *err, size_t errlen);
/* mkdir -p (mode 0755). */
int mkdir_p(const char *path, char *err, size_t errlen);

/* Current UTC time as "2026-11-21T10:12:17Z" into buf (>= 32 bytes). */
const char *iso_now(char *buf, size_t len);
/* Wall clock seconds (CLOCK_REALTIME) and monotonic seconds. */
double wall_now(void);
double mono_now(void);

/* A random RFC 4122 version 4 UUID (37 bytes with NUL). */
void uuid_v4(char out[37]);

/* Directory holding the running executable (from /proc/self/exe); caller frees. */
char *exe_dir(void);

/* Short host name (up to the first dot). */
const char *short_hostname(char *buf, size_t len);

/* strtol with full-string and range check; 0 or BX_EINVAL. */
int parse_long(const char *s, long lo, long hi, long *out);

/* Name of a signal ("Segmentation fault"). */
const char *signal_text(int sig);

#endif
