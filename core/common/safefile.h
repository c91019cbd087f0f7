/*
 * safefile.h — the file-system edges: which files we may write and read.
 *
 *   - An output file (report --html, export/query/sql -o, check --junit) is
 *     written only when its path is absent or a regular file that is not a
 *     database this process opened nor one of its companions (-wal, -shm,
 *     -journal, .spool); anything else (a FIFO, a device, a folder, the
 *     database) is refused.  The write itself is temporary file + rename.
 *   - A file we read (result documents, specs, configurations, plugins) is
 *     opened without blocking (a FIFO never hangs us), must be a regular
 *     file within a size cap; a plugin must also look like an ELF shared
 *     object of this machine whose sections lie inside the file (a
 *     truncated copy would otherwise kill the process with SIGBUS).
 *
 * Error convention of util.h: 0 or a negative BX_E* code, message in err.
 */
#ifndef BENCHAAS_SAFEFILE_H
#define BENCHAAS_SAFEFILE_H

#include <stddef.h>

/* Remember a database path (and so its companions) as never to be written over. */
void safefile_protect_db(const char *db);

/* 0 when `path` may be (re)placed by an output file; BX_EINVAL with the reason otherwise. */
int safefile_output_ok(const char *path, char *err, size_t errlen);

/*
 * Open `path` for reading without blocking and check it: a regular file of
 * at most `cap` bytes.  0 and *fd (blocking again, close-on-exec) or an
 * error: BX_EIO (cannot open; ENOENT kept in errno), BX_EINVAL (not a
 * regular file, too large).
 */
int safefile_open_read(const char *path, size_t cap, int *fd, char *err, size_t errlen);

/* The checks of safefile_open_read plus ELF sanity for a plugin (.so). */
int safefile_plugin_ok(const char *path, char *err, size_t errlen);

#endif
