/*
 * open.c — opening the result store (one SQLite file, schema in docs/database.md).
 *
 * What this file guarantees:
 *   - a file that is not ours (text, garbage, another program's SQLite
 *     database) is refused by reading its 100-byte header ourselves, before
 *     SQLite ever opens it, so it is left byte-for-byte untouched; a file of
 *     zeros changed in the last seconds is one being created in place by
 *     another program: waited for (classify_settled), never refused at once;
 *   - a new database is never seen half-made: its schema is written and
 *     committed in a file of its own beside the path, which is then linked
 *     into place (create_database); concurrent creators each make one, the
 *     first in place wins and the others open it;
 *   - a new database and its -wal and -shm files are mode 0600 (it holds
 *     password hashes);
 *   - busy_timeout 30 s, so concurrent writers queue instead of failing.
 */
#define _GNU_SOURCE /* renameat2 */
#include "store_int.h"
#include "safefile.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "benchaas/plugin.h" /* BX_E* codes */

#define BUSY_TIMEOUT_MS 30000

struct sqlite3 *store_db(store *s) { return s->db; }

/* The serial numbers of connections opened by this process (store_serial). */
static atomic_uint_fast64_t serials;

uint64_t store_serial(const store *s) { return s->serial; }

sqlite3_stmt *store_stmt(store *s, const char *sql)
{
    for (size_t i = 0; i < s->nkept; i++)
        if (s->kept[i].sql == sql) {
            sqlite3_reset(s->kept[i].st);
            sqlite3_clear_bindings(s->kept[i].st);
            return s->kept[i].st;
        }
    struct kept_stmt *nk = realloc(s->kept, (s->nkept + 1) * sizeof *nk);
    if (!nk)
        return NULL;
    s->kept = nk;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return NULL;
    }
    s->kept[s->nkept].sql = sql;
    s->kept[s->nkept++].st = st;
    return st;
}
int store_schema_version(store *s) { return s->schema_version; }

/* ---- the header check ---------------------------------------------------- */

/* FILE_GROWING: bytes, all zeros so far, written in the last CREATE_WAIT_S seconds */
enum { FILE_ABSENT, FILE_EMPTY, FILE_OURS, FILE_GROWING };

/*
 * How long a file of zeros is taken for one that another program is still creating
 * in place (SQLite extends a new file with zeros before it writes the pages, with
 * memory-mapped I/O; an older BenchaaS created its databases that way): an opener
 * waits for its header that long after the file's last change, then refuses it.
 */
#define CREATE_WAIT_S 5

/* 1 when the n bytes at h are all zeros and the file changed in the last CREATE_WAIT_S s. */
static int being_written(const unsigned char *h, size_t n, const struct stat *sb)
{
    for (size_t i = 0; i < n; i++)
        if (h[i])
            return 0;
    return n > 0 && time(NULL) - sb->st_mtime < CREATE_WAIT_S;
}

/* What `path` is, read from its first 100 bytes without SQLite. */
static int classify_file(const char *path, int *kind, char *err, size_t errlen)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        if (errno == ENOENT) {
            /* absent: fine if its folder exists, so that it can be created */
            char *dir = strdup(path), *slash = dir ? strrchr(dir, '/') : NULL;
            int ok = 1;
            if (slash) {
                if (slash == dir)
                    slash[1] = '\0'; /* "/x.db" */
                else
                    *slash = '\0';
                ok = stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode);
            }
            free(dir);
            if (!ok) {
                store__err(err, errlen, "cannot create the database '%s': its folder does not exist",
                           path);
                return BX_EINVAL;
            }
            *kind = FILE_ABSENT;
            return 0;
        }
        store__err(err, errlen, "cannot use '%s' as the database: %s", path, strerror(errno));
        return BX_EINVAL;
    }
    if (S_ISDIR(sb.st_mode)) {
        store__err(err, errlen, "'%s' is a directory, not a BenchaaS database (give a file name)",
                   path);
        return BX_EINVAL;
    }
    if (!S_ISREG(sb.st_mode)) {
        store__err(err, errlen, "'%s' is not a regular file, not a BenchaaS database", path);
        return BX_EINVAL;
    }
    if (sb.st_size == 0) {
        *kind = FILE_EMPTY;
        return 0;
    }
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC); /* a FIFO swapped in never blocks */
    if (fd < 0) {
        store__err(err, errlen, "cannot read '%s': %s", path, strerror(errno));
        return BX_EINVAL;
    }
    unsigned char h[100];
    size_t got = 0;
    while (got < sizeof h) {
        ssize_t r = read(fd, h + got, sizeof h - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    if (being_written(h, got, &sb)) {
        *kind = FILE_GROWING;
        return 0;
    }
    static const char magic[16] = "SQLite format 3"; /* with its terminating NUL */
    if (got < sizeof h || memcmp(h, magic, sizeof magic) != 0) {
        store__err(err, errlen,
                   "'%s' is not a BenchaaS database (not an SQLite file); refusing to touch it "
                   "(give --db a new file name or one of our databases)",
                   path);
        return BX_EINVAL;
    }
    uint32_t app = (uint32_t)h[68] << 24 | (uint32_t)h[69] << 16 | (uint32_t)h[70] << 8 | h[71];
    if (app != STORE_APPLICATION_ID) {
        store__err(err, errlen,
                   "'%s' is an SQLite database of another application (application_id 0x%08" PRIx32
                   ", ours is 0x%08x); refusing to touch it",
                   path, app, (unsigned)STORE_APPLICATION_ID);
        return BX_EINVAL;
    }
    *kind = FILE_OURS;
    return 0;
}

/*
 * classify_file, waiting while another program is still writing the file in place
 * (FILE_GROWING): it is looked at again every 20 ms until it has a header, or its
 * zeros are CREATE_WAIT_S seconds old (then classify_file refuses it as not an SQLite
 * file), or, when something keeps touching it, for 2 * CREATE_WAIT_S seconds at most.
 */
static int classify_settled(const char *path, int *kind, char *err, size_t errlen)
{
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        int rc = classify_file(path, kind, err, errlen);
        if (rc != 0 || *kind != FILE_GROWING)
            return rc;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - start.tv_sec >= 2 * CREATE_WAIT_S) {
            store__err(err, errlen,
                       "'%s' is not a BenchaaS database (not an SQLite file: still only zeros "
                       "after %d s of waiting for the program writing it); refusing to touch it",
                       path, 2 * CREATE_WAIT_S);
            return BX_EINVAL;
        }
        usleep(20000);
    }
}

int store_check_file(const char *path, char *err, size_t errlen)
{
    int kind;
    if (!path || !*path) {
        store__err(err, errlen, "no database file name given");
        return BX_EINVAL;
    }
    return classify_settled(path, &kind, err, errlen);
}

/* ---- opening ------------------------------------------------------------- */

/*
 * Switch to WAL (persistent in the file).  Changing the journal mode needs
 * a moment alone with the file; when another process holds it we retry for
 * a while and otherwise go on in rollback mode (correct, only slower): the
 * next opener switches.
 */
static void enable_wal(store *s)
{
    sqlite3_stmt *st;
    for (int attempt = 0; attempt < 50; attempt++) {
        const unsigned char *mode = NULL;
        int ok = 0;
        if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &st, NULL) != SQLITE_OK)
            return;
        if (sqlite3_step(st) == SQLITE_ROW) {
            mode = sqlite3_column_text(st, 0);
            ok = mode && strcmp((const char *)mode, "wal") == 0;
        }
        sqlite3_finalize(st);
        if (ok)
            return;
        usleep(20000);
    }
}

/*
 * SQLite reports a full disk at open time as a "disk I/O error" (it cannot
 * grow the -shm file): say what it is (tests/store/ingest/disk_full_database.faults.sh).
 */
static void disk_full_hint(const char *path, char *err, size_t errlen)
{
    char *dir = strdup(path), *slash = dir ? strrchr(dir, '/') : NULL;
    struct statvfs vfs;
    if (slash)
        *slash = '\0';
    if (dir && statvfs(slash ? (*dir ? dir : "/") : ".", &vfs) == 0 && vfs.f_bavail == 0) {
        size_t n = strlen(err);
        if (n < errlen)
            snprintf(err + n, errlen - n, " (the disk holding it is full)");
    }
    free(dir);
}

/* When the file or its folder cannot be written, say so (SQLite only says
 * "unable to open database file" or "attempt to write a readonly database"). */
static void readonly_hint(const char *path, char *err, size_t errlen)
{
    char *dir = strdup(path), *slash = dir ? strrchr(dir, '/') : NULL;
    if (slash)
        slash[slash == dir ? 1 : 0] = '\0';
    const char *d = slash ? dir : ".";
    int e = 0;
    const char *what = NULL;
    if (access(path, W_OK) != 0 && errno != ENOENT)
        e = errno, what = "the file";
    else if (d && access(d, W_OK) != 0)
        e = errno, what = "its folder";
    if (what) {
        size_t n = strlen(err);
        if (n < errlen)
            snprintf(err + n, errlen - n,
                     " (%s cannot be written: %s; SQLite needs to write the file and create "
                     "its -wal and -shm files beside it%s)",
                     what, strerror(e),
                     e == EROFS ? ": a read-only file system" : "");
    }
    free(dir);
}

/*
 * BENCHAAS_SQL_PROFILE set (to anything): every finished statement's time
 * and text on stderr, "sql 12.345 ms: SELECT ...", for measuring which stage
 * of a command costs what (docs/performance.md).
 */
static int profile_cb(unsigned type, void *ctx, void *p, void *x)
{
    (void)ctx;
    if (type == SQLITE_TRACE_PROFILE) {
        char *sql = sqlite3_expanded_sql((sqlite3_stmt *)p);
        fprintf(stderr, "sql %9.3f ms: %s\n", (double)*(sqlite3_int64 *)x / 1e6,
                sql ? sql : sqlite3_sql((sqlite3_stmt *)p));
        sqlite3_free(sql);
    }
    return 0;
}

/*
 * Process-wide SQLite settings, made once before the first connection (SQLite
 * takes them only before it initialises; if something in the process already
 * used SQLite they are simply not applied):
 *   - a savepoint's journal (store_ingest inside a batch) stays in memory up to
 *     16 MiB: a run changes about 35 pages, 140 KiB, and the default 64 KiB
 *     spilled every run's savepoint into a temporary file, two write calls a
 *     page, which cost more than the batch saved;
 *   - no memory statistics: they take a global mutex on every allocation.
 */
static pthread_once_t sqlite_once = PTHREAD_ONCE_INIT;
static void sqlite_settings(void)
{
    sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, 16 << 20);
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/*
 * A test hook: BENCHAAS_TEST_CREATE_DELAY_MS=N makes the connection that creates a
 * database sleep N ms each time SQLite grows the new file (SQLITE_FCNTL_SIZE_HINT:
 * with memory-mapped I/O the file is extended with zeros first and its pages written
 * after), which holds open the moment a half-made file could be seen
 * (tests/store: create_window).  A VFS over the default one that replaces only the
 * main database file's xFileControl.
 */
static sqlite3_vfs slow_vfs;
static sqlite3_io_methods slow_methods;
static const sqlite3_io_methods *slow_real_methods;
static long slow_ms;
static pthread_once_t slow_once = PTHREAD_ONCE_INIT;

static int slow_file_control(sqlite3_file *f, int op, void *arg)
{
    int rc = slow_real_methods->xFileControl(f, op, arg);
    if (op == SQLITE_FCNTL_SIZE_HINT)
        usleep((useconds_t)slow_ms * 1000);
    return rc;
}

static int slow_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out)
{
    sqlite3_vfs *real = vfs->pAppData;
    int rc = real->xOpen(real, name, f, flags, out);
    if (rc == SQLITE_OK && (flags & SQLITE_OPEN_MAIN_DB) && f->pMethods) {
        if (!slow_real_methods) {
            slow_real_methods = f->pMethods;
            slow_methods = *f->pMethods;
            slow_methods.xFileControl = slow_file_control;
        }
        if (f->pMethods == slow_real_methods)
            f->pMethods = &slow_methods;
    }
    return rc;
}

static void slow_register(void)
{
    sqlite3_vfs *real = sqlite3_vfs_find(NULL);
    if (!real)
        return;
    slow_vfs = *real;
    slow_vfs.zName = "benchaas-test-slow-create";
    slow_vfs.pAppData = real;
    slow_vfs.xOpen = slow_open;
    slow_vfs.pNext = NULL;
    if (sqlite3_vfs_register(&slow_vfs, 0) != SQLITE_OK)
        slow_vfs.zName = NULL;
}

/* The VFS a creating connection uses: the slow one when the hook asks for it, else NULL. */
static const char *create_vfs(void)
{
    const char *e = getenv("BENCHAAS_TEST_CREATE_DELAY_MS");
    if (!e || (slow_ms = strtol(e, NULL, 10)) <= 0)
        return NULL;
    pthread_once(&slow_once, slow_register);
    return slow_vfs.zName;
}

/* An SQLite connection with our settings (no header check, no migration). */
static int open_connection(const char *path, int create, int one_thread, store **out, char *err,
                           size_t errlen)
{
    *out = NULL;
    store *s = calloc(1, sizeof *s);
    if (s)
        s->serial = atomic_fetch_add(&serials, 1) + 1;
    if (!s || !(s->path = strdup(path))) {
        free(s);
        store__err(err, errlen, "out of memory");
        return BX_ENOMEM;
    }
    pthread_once(&sqlite_once, sqlite_settings);
    int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) |
                (one_thread ? SQLITE_OPEN_NOMUTEX : SQLITE_OPEN_FULLMUTEX);
    if (sqlite3_open_v2(path, &s->db, flags, create ? create_vfs() : NULL) != SQLITE_OK) {
        store__err(err, errlen, "cannot open the database '%s': %s", path,
                   s->db ? sqlite3_errmsg(s->db) : "out of memory");
        readonly_hint(path, err, errlen);
        store_close(s);
        return BX_EIO;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
    if (getenv("BENCHAAS_SQL_PROFILE"))
        sqlite3_trace_v2(s->db, SQLITE_TRACE_PROFILE, profile_cb, NULL);
    /*
     * Constant settings, no values from outside.  synchronous = NORMAL is the
     * WAL setting SQLite recommends: a commit is atomic and survives the
     * process being killed; only a power cut or kernel crash in the second
     * after a commit can lose that last run (the file is never corrupted).
     * It saves an fsync per ingested run (~10 ms here).  Memory-mapped reads
     * spare a system call per page on large queries.
     */
    sqlite3_exec(s->db,
                 "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;"
                 " PRAGMA mmap_size = 268435456",
                 NULL, NULL, NULL);
    s->one_thread = one_thread;
    *out = s;
    return 0;
}

/* Another connection to first's database, of the same schema (no check, no migration). */
static int open_sibling(const store *first, int one_thread, store **out, char *err,
                        size_t errlen)
{
    int rc = open_connection(first->path, 0, one_thread, out, err, errlen);
    if (rc == 0)
        (*out)->schema_version = first->schema_version;
    return rc;
}

/* Start a read transaction on s now (a read, not just BEGIN, fixes its snapshot). */
static int begin_read(store *s)
{
    sqlite3_stmt *st = NULL;
    int ok = sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK &&
             sqlite3_prepare_v2(s->db, "SELECT count(*) FROM sqlite_schema", -1, &st, NULL) ==
                 SQLITE_OK &&
             sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    if (!ok && !sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return ok ? 0 : BX_EIO;
}

int store_open_twins(store *s, int n, char *err, size_t errlen)
{
    store *lock = NULL, *twin[STORE_TWINS] = {NULL};
    if (errlen)
        err[0] = '\0';
    if (n < 1 || n > STORE_TWINS || s->twin[0] || !sqlite3_get_autocommit(s->db)) {
        store__err(err, errlen, "%s: a transaction is already open", s->path);
        return BX_EINVAL;
    }
    const char *threads = getenv("BENCHAAS_THREADS");
    if (threads && strcmp(threads, "1") == 0) {
        store__err(err, errlen, "BENCHAAS_THREADS=1: one thread");
        return BX_EINVAL;
    }
    int rc = open_connection(s->path, 0, 1, &lock, err, errlen);
    if (rc == 0) {
        /* no commit can fall between the snapshots while this holds the write lock;
           a writer busy for longer than a moment: go on with one connection */
        sqlite3_busy_timeout(lock->db, 200);
        if (sqlite3_exec(lock->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
            store__err(err, errlen, "%s: %s", s->path, sqlite3_errmsg(lock->db));
            rc = BX_EIO;
        }
    }
    for (int i = 0; rc == 0 && i < n; i++)
        rc = open_sibling(s, s->one_thread, &twin[i], err, errlen);
    if (rc == 0 && begin_read(s) != 0)
        rc = BX_EIO;
    for (int i = 0; rc == 0 && i < n; i++)
        if (begin_read(twin[i]) != 0)
            rc = BX_EIO;
    if (rc == BX_EIO && !*err)
        store__err(err, errlen, "%s: cannot start reading", s->path);
    store_close(lock); /* (rolls its transaction back) */
    if (rc != 0) {
        if (!sqlite3_get_autocommit(s->db))
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        for (int i = 0; i < n; i++)
            store_close(twin[i]);
        return rc;
    }
    memcpy(s->twin, twin, sizeof twin);
    return 0;
}

store *store_twin(store *s, int i) { return i >= 0 && i < STORE_TWINS ? s->twin[i] : NULL; }

void store_twins_close(store *s)
{
    for (int i = 0; i < STORE_TWINS; i++) {
        store_close(s->twin[i]);
        s->twin[i] = NULL;
    }
}

int store_open_again(const store *first, store **out, char *err, size_t errlen)
{
    return open_sibling(first, 0, out, err, errlen);
}

/*
 * Put the finished database `tmp` at `path`, which was `kind` (absent or empty) when
 * looked at: 0 when it is in place or another creator's database took the place first
 * (the caller looks at `path` again either way).  An absent path: link(2), which never
 * replaces anything (rename with RENAME_NOREPLACE where the file system has no hard
 * links).  An empty file: replaced, under an exclusive flock(2) of it, only if it is
 * still the empty file at `path`, so that two creators never both replace it.
 */
static int place_database(const char *tmp, const char *path, int kind, char *err, size_t errlen)
{
    if (kind == FILE_ABSENT) {
        if (link(tmp, path) == 0 || errno == EEXIST)
            return 0;
        if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0 || errno == EEXIST)
            return 0;
    } else {
        int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        struct stat held, now;
        if (fd < 0)
            return errno == ENOENT ? 0 : (store__err(err, errlen, "cannot read '%s': %s", path,
                                                     strerror(errno)),
                                          BX_EIO);
        int e = 0;
        while (flock(fd, LOCK_EX) != 0 && errno == EINTR)
            ;
        if (fstat(fd, &held) == 0 && held.st_size == 0 && stat(path, &now) == 0 &&
            now.st_dev == held.st_dev && now.st_ino == held.st_ino && rename(tmp, path) != 0)
            e = errno;
        close(fd); /* (releases the flock) */
        if (e == 0)
            return 0;
        errno = e;
    }
    store__err(err, errlen, "cannot create the database '%s': %s", path, strerror(errno));
    return BX_EIO;
}

/*
 * Make a new database at `path` (absent or empty, `kind`) without ever showing a
 * half-made file there: the schema is written into a new file beside it
 * ("PATH.new-XXXXXX", mode 0600: the database holds password hashes, and SQLite gives
 * its -journal, -wal and -shm files the database's mode), committed and closed, and
 * only then put in place (place_database).  Concurrent creators each make one; the
 * first in place wins and the others open it.  The temporary file is always removed.
 */
static int create_database(const char *path, int kind, const store_migration *steps,
                           size_t nsteps, char *err, size_t errlen)
{
    size_t len = strlen(path) + sizeof ".new-XXXXXX";
    char *tmp = malloc(len);
    if (!tmp) {
        store__err(err, errlen, "out of memory");
        return BX_ENOMEM;
    }
    snprintf(tmp, len, "%s.new-XXXXXX", path);
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        store__err(err, errlen, "cannot open the database '%s': cannot create a file beside it: %s",
                   path, strerror(errno));
        readonly_hint(path, err, errlen);
        free(tmp);
        return BX_EIO;
    }
    close(fd);
    store *s;
    int rc = open_connection(tmp, 1, 1, &s, err, errlen);
    if (rc == 0) {
        char *name = strdup(path); /* messages name the database, not the temporary file */
        if (name) {
            free(s->path);
            s->path = name;
        }
        rc = store__migrate(s, steps, nsteps, err, errlen);
        store_close(s);
    }
    if (rc == BX_EIO)
        disk_full_hint(path, err, errlen);
    if (rc == 0)
        rc = place_database(tmp, path, kind, err, errlen);
    unlink(tmp);
    free(tmp);
    return rc;
}

/*
 * Make sure `path` is one of our databases: 0 when it is (made now with STORE_CREATE
 * when absent or empty), BX_E* with the reason otherwise.  A few rounds: a creator
 * that lost the race looks again and finds the winner's database.
 */
static int ensure_database(const char *path, int mode, const store_migration *steps,
                           size_t nsteps, char *err, size_t errlen)
{
    int kind, rc;
    for (int round = 0;; round++) {
        if ((rc = classify_settled(path, &kind, err, errlen)) != 0)
            return rc;
        if (kind == FILE_OURS)
            return 0;
        if (mode != STORE_CREATE && kind == FILE_ABSENT) {
            store__err(err, errlen,
                       "no database at '%s' (run a benchmark first, or give --db FILE or "
                       "BENCHAAS_DB)",
                       path);
            return BX_EINVAL;
        }
        if (mode != STORE_CREATE) {
            store__err(err, errlen, "'%s' is empty: no BenchaaS results in it yet", path);
            return BX_EINVAL;
        }
        if (round == 8) {
            store__err(err, errlen, "cannot create the database '%s': it keeps changing", path);
            return BX_EIO;
        }
        if ((rc = create_database(path, kind, steps, nsteps, err, errlen)) != 0)
            return rc;
    }
}

int store_open_with(const char *path, int mode, const store_migration *steps, size_t nsteps,
                    store **out, char *err, size_t errlen)
{
    int rc, one_thread = (mode & STORE_ONE_THREAD) != 0;
    mode &= ~STORE_ONE_THREAD;
    *out = NULL;
    if (!path || !*path) {
        store__err(err, errlen, "no database file name given");
        return BX_EINVAL;
    }
    /* SQLite's in-memory database (tests, fuzz targets): no file to check or to make */
    int memory = strcmp(path, ":memory:") == 0;
    if (memory && mode != STORE_CREATE) {
        store__err(err, errlen, "an in-memory database is always new: open it to create");
        return BX_EINVAL;
    }
    if (!memory && (rc = ensure_database(path, mode, steps, nsteps, err, errlen)) != 0)
        return rc;

    safefile_protect_db(path); /* never an output file of this process */
    store *s;
    if ((rc = open_connection(path, memory, one_thread, &s, err, errlen)) != 0)
        return rc;
    if ((rc = store__migrate(s, steps, nsteps, err, errlen)) != 0) {
        if (rc == BX_EIO) {
            disk_full_hint(path, err, errlen);
            readonly_hint(path, err, errlen);
        }
        store_close(s);
        return rc;
    }
    enable_wal(s);
    *out = s;
    return 0;
}

int store_open(const char *path, int mode, store **out, char *err, size_t errlen)
{
    size_t n;
    const store_migration *steps = store_migrations(&n);
    return store_open_with(path, mode, steps, n, out, err, errlen);
}

void store_close(store *s)
{
    if (!s)
        return;
    for (int i = 0; i < ST__COUNT; i++)
        sqlite3_finalize(s->st[i]);
    for (int i = 0; i < PST__COUNT; i++)
        sqlite3_finalize(s->pst[i]);
    for (size_t i = 0; i < s->nkept; i++)
        sqlite3_finalize(s->kept[i].st);
    free(s->kept);
    for (int i = 0; i < MULTI__COUNT; i++)
        for (int n = 0; n < MULTI_ROWS; n++)
            sqlite3_finalize(s->multi[i][n]);
    store__kinds_forget(&s->kinds);
    store_twins_close(s);
    if (s->db)
        sqlite3_close(s->db);
    free(s->path);
    free(s);
}

int store_check_writable(store *s, char *err, size_t errlen)
{
    if (sqlite3_db_readonly(s->db, "main") == 1) {
        store__err(err, errlen,
                   "'%s' cannot be written (a read-only file or file system); nothing was run "
                   "(give --db a database you may write)",
                   s->path);
        return BX_EINVAL;
    }
    if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        store__err(err, errlen, "'%s' cannot be written: %s; nothing was run", s->path,
                   sqlite3_errmsg(s->db));
        return BX_EINVAL;
    }
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_stmt *st = NULL;
    int ok = 0;
    const char *why = NULL;
    if (sqlite3_prepare_v2(s->db, "PRAGMA quick_check(1)", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(st, 0);
        ok = t && strcmp((const char *)t, "ok") == 0;
        if (!ok && t)
            why = (const char *)t;
    }
    if (!ok)
        store__err(err, errlen,
                   "'%s' is damaged (%s); nothing was run (restore it from a backup, or give "
                   "--db another file)",
                   s->path, why ? why : sqlite3_errmsg(s->db));
    sqlite3_finalize(st);
    return ok ? 0 : BX_EINVAL;
}

