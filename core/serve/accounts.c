/* accounts.c — users, passwords and tokens (see accounts.h). */
#define _GNU_SOURCE
#include "accounts.h"

#include <ctype.h>
#include <pthread.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http.h"
#include "jobs.h"
#include "util.h"

/*
 * The one row a user name names: names are case-folded (new ones stored lower-case;
 * `Alice` and `alice` are one account).  A row made before, with capitals, is still
 * found by any spelling of its name; should two such rows differ only in case, the exact
 * spelling picks its own.  ?1 is the name as given.
 */
#define USER_ROW                                                                            \
    "(SELECT id FROM users WHERE lower(name) = lower(?1) ORDER BY name = ?1 DESC LIMIT 1)"

#define PW_OPS crypto_pwhash_OPSLIMIT_INTERACTIVE
#define PW_MEM crypto_pwhash_MEMLIMIT_INTERACTIVE

static pthread_once_t once = PTHREAD_ONCE_INIT, dummy_once = PTHREAD_ONCE_INIT;
static int sodium_ok;
/* Verified against when the user does not exist, so both cases cost the same. */
static char dummy_hash[crypto_pwhash_STRBYTES];

static void do_init(void) { sodium_ok = sodium_init() >= 0; }

/* Made at the first sign-in, not at start: Argon2id takes 64 MiB for a moment. */
static void make_dummy(void)
{
    char pw[32];
    for (size_t i = 0; i + 1 < sizeof pw; i++)
        pw[i] = (char)('a' + randombytes_uniform(26));
    pw[sizeof pw - 1] = '\0';
    if (crypto_pwhash_str(dummy_hash, pw, sizeof pw - 1, PW_OPS, PW_MEM) != 0)
        dummy_hash[0] = '\0';
}

int accounts_init(char *err, size_t errlen)
{
    pthread_once(&once, do_init);
    if (!sodium_ok)
        return errf(err, errlen, BX_EIO, "libsodium could not be initialised");
    return 0;
}

int account_role_parse(const char *name)
{
    if (!name)
        return -1;
    if (strcmp(name, "admin") == 0)
        return ROLE_ADMIN;
    if (strcmp(name, "member") == 0)
        return ROLE_MEMBER;
    if (strcmp(name, "viewer") == 0)
        return ROLE_VIEWER;
    return -1;
}

const char *account_role_name(int role)
{
    switch (role) {
    case ROLE_ADMIN: return "admin";
    case ROLE_MEMBER: return "member";
    case ROLE_VIEWER: return "viewer";
    default: return "anyone";
    }
}

int account_scope_parse(const char *name)
{
    if (!name)
        return -1;
    if (strcmp(name, "read") == 0)
        return SCOPE_READ;
    if (strcmp(name, "submit") == 0)
        return SCOPE_ALL;
    if (strcmp(name, "upload") == 0)
        return SCOPE_READ | SCOPE_UPLOAD;
    return -1;
}

int account_name_ok(const char *name, char *err, size_t errlen)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > 64)
        return errf(err, errlen, BX_EINVAL, "a user name has 1 to 64 characters");
    if (name[0] == '-' || name[0] == '.')
        return errf(err, errlen, BX_EINVAL, "user name '%s' must not start with '%c'", name,
                    name[0]);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (!isalnum(c) && c != '.' && c != '_' && c != '-')
            return errf(err, errlen, BX_EINVAL,
                        "user name '%s': only letters, digits, '.', '_' and '-' are allowed",
                        name);
    }
    return 0;
}

int account_hash_password(const char *password, char *out, size_t outlen, char *err,
                          size_t errlen)
{
    int rc = accounts_init(err, errlen);
    if (rc)
        return rc;
    size_t n = strlen(password);
    if (n < 8 || n > 1024)
        return errf(err, errlen, BX_EINVAL, "a password has 8 to 1024 characters");
    if (outlen < crypto_pwhash_STRBYTES)
        return errf(err, errlen, BX_EINVAL, "internal error: hash buffer too small");
    if (crypto_pwhash_str(out, password, n, PW_OPS, PW_MEM) != 0)
        return errf(err, errlen, BX_EIO, "cannot hash the password (out of memory?)");
    return 0;
}

/* Run sql with ?1 = a, ?2 = b, ?3 = i (as many as it has); *changes: rows changed, *row: 1
 * when it gave a row (each may be NULL).  ACCOUNT_TAKEN on a constraint. */
static int exec1(store *st, const char *sql, const char *a, const char *b, int64_t i, int *changes,
                 int *row, char *err, size_t errlen)
{
    sqlite3 *db = store_db(st);
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
        return errf(err, errlen, BX_EIO, "database: %s", sqlite3_errmsg(db));
    int np = sqlite3_bind_parameter_count(s);
    if (np >= 1)
        sqlite3_bind_text(s, 1, a, -1, SQLITE_TRANSIENT);
    if (np >= 2)
        sqlite3_bind_text(s, 2, b, -1, SQLITE_TRANSIENT);
    if (np >= 3)
        sqlite3_bind_int64(s, 3, i);
    int rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (row)
        *row = rc == SQLITE_ROW;
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        if ((rc & 0xff) == SQLITE_CONSTRAINT)
            return ACCOUNT_TAKEN;
        return errf(err, errlen, BX_EIO, "database: %s", sqlite3_errmsg(db));
    }
    if (changes)
        *changes = sqlite3_changes(db);
    return 0;
}

void account_name_fold(const char *name, char *out, size_t len)
{
    size_t i = 0;
    for (; name && name[i] && i + 1 < len; i++)
        out[i] = (char)tolower((unsigned char)name[i]);
    if (len)
        out[i] = '\0';
}

int account_add(store *st, const char *given, const char *password, int role, int64_t *id,
                char *err, size_t errlen)
{
    int rc = account_name_ok(given, err, errlen);
    if (rc)
        return rc;
    char name[128];
    account_name_fold(given, name, sizeof name);
    int found = 0;
    if ((rc = exec1(st, "SELECT 1 FROM users WHERE id = " USER_ROW, name, NULL, 0, NULL, &found,
                    err, errlen)))
        return rc;
    if (found) {
        errf(err, errlen, BX_EINVAL, "user '%s' exists already", name);
        return ACCOUNT_TAKEN;
    }
    if (role < ROLE_VIEWER || role > ROLE_ADMIN)
        return errf(err, errlen, BX_EINVAL, "the role is one of admin, member, viewer");
    char hash[crypto_pwhash_STRBYTES], now[32];
    if ((rc = account_hash_password(password, hash, sizeof hash, err, errlen)))
        return rc;
    iso_now(now, sizeof now);
    char *sql = xasprintf("INSERT INTO users(name, role, password_hash, created_at) "
                          "VALUES (?1, '%s', ?2, '%s')",
                          account_role_name(role), now);
    rc = exec1(st, sql, name, hash, 0, NULL, NULL, err, errlen);
    free(sql);
    sodium_memzero(hash, sizeof hash);
    if (rc == ACCOUNT_TAKEN) {
        errf(err, errlen, BX_EINVAL, "user '%s' exists already", name);
        return ACCOUNT_TAKEN;
    }
    if (rc == 0 && id)
        *id = sqlite3_last_insert_rowid(store_db(st));
    return rc;
}

int account_set_password(store *st, const char *name, const char *password, char *err,
                         size_t errlen)
{
    char hash[crypto_pwhash_STRBYTES];
    int rc = account_hash_password(password, hash, sizeof hash, err, errlen), n = 0;
    if (rc)
        return rc;
    rc = exec1(st, "UPDATE users SET password_hash = ?2 WHERE id = " USER_ROW, name, hash, 0, &n,
               NULL, err, errlen);
    sodium_memzero(hash, sizeof hash);
    if (rc == 0 && n == 0)
        return errf(err, errlen, BX_EINVAL, "no user '%s' (see `benchaas user list`)", name);
    /* A new password ends every session of the user. */
    if (rc == 0) {
        char now[32];
        iso_now(now, sizeof now);
        rc = exec1(st,
                   "UPDATE tokens SET revoked_at = ?2 WHERE kind = 'session' AND revoked_at IS "
                   "NULL AND user_id = " USER_ROW,
                   name, now, 0, NULL, NULL, err, errlen);
    }
    return rc;
}

int account_canonical(store *st, const char *name, char *canon, size_t len, char *err,
                     size_t errlen)
{
    sqlite3 *db = store_db(st);
    sqlite3_stmt *s;
    int found = 0;
    if (sqlite3_prepare_v2(db, "SELECT name FROM users WHERE id = " USER_ROW, -1, &s, NULL) !=
        SQLITE_OK)
        return errf(err, errlen, BX_EIO, "database: %s", sqlite3_errmsg(db));
    sqlite3_bind_text(s, 1, name ? name : "", -1, SQLITE_TRANSIENT);
    if (sqlite3_step(s) == SQLITE_ROW) {
        snprintf(canon, len, "%s", (const char *)sqlite3_column_text(s, 0));
        found = 1;
    }
    sqlite3_finalize(s);
    if (!found)
        return errf(err, errlen, BX_EINVAL, "no user '%s' (see `benchaas user list`)",
                    name ? name : "");
    return 0;
}

/* Cancel the queued and running jobs of user canon (the stored name); their ids into *ids
 * (malloc'd, may be NULL) for the scheduler to stop running points. */
static int cancel_jobs_of(store *st, const char *canon, int64_t **ids, size_t *n, char *err,
                          size_t errlen)
{
    sqlite3 *db = store_db(st);
    sqlite3_stmt *s;
    int64_t *v = NULL;
    size_t k = 0;
    if (sqlite3_prepare_v2(db, "SELECT id FROM jobs WHERE user = ?1 AND state IN ('queued', "
                               "'running') ORDER BY id",
                           -1, &s, NULL) != SQLITE_OK)
        return errf(err, errlen, BX_EIO, "database: %s", sqlite3_errmsg(db));
    sqlite3_bind_text(s, 1, canon, -1, SQLITE_TRANSIENT);
    while (sqlite3_step(s) == SQLITE_ROW) {
        v = xrealloc(v, (k + 1) * sizeof *v);
        v[k++] = sqlite3_column_int64(s, 0);
    }
    sqlite3_finalize(s);
    int rc = 0;
    for (size_t i = 0; i < k && rc == 0; i++)
        rc = job_cancel(st, v[i], err, errlen) < 0 ? BX_EIO : 0;
    if (ids && rc == 0) {
        *ids = v;
        *n = k;
    } else {
        free(v);
    }
    return rc;
}

int account_remove(store *st, const char *name, char *err, size_t errlen)
{
    char canon[128];
    int rc = account_canonical(st, name, canon, sizeof canon, err, errlen), n = 0;
    /* what it left queued never runs, its schedules go: a new account of the same name
       starts with nothing */
    if (rc == 0)
        rc = cancel_jobs_of(st, canon, NULL, NULL, err, errlen);
    if (rc == 0)
        rc = exec1(st, "DELETE FROM schedules WHERE user = ?1", canon, NULL, 0, NULL, NULL, err,
                   errlen);
    if (rc == 0)
        rc = exec1(st, "DELETE FROM tokens WHERE user_id = (SELECT id FROM users WHERE name = ?1)",
                   canon, NULL, 0, NULL, NULL, err, errlen);
    if (rc == 0)
        rc = exec1(st, "DELETE FROM users WHERE name = ?1", canon, NULL, 0, &n, NULL, err, errlen);
    if (rc == 0 && n == 0)
        return errf(err, errlen, BX_EINVAL, "no user '%s' (see `benchaas user list`)", name);
    return rc;
}

int account_set_disabled(store *st, const char *name, int disabled, int64_t **cancelled,
                         size_t *ncancelled, char *err, size_t errlen)
{
    char canon[128];
    int rc = account_canonical(st, name, canon, sizeof canon, err, errlen), n = 0;
    if (cancelled)
        *cancelled = NULL, *ncancelled = 0;
    if (rc)
        return rc;
    rc = exec1(st,
               disabled ? "UPDATE users SET password_hash = '!' || password_hash WHERE name = ?1 "
                          "AND substr(password_hash, 1, 1) <> '!'"
                        : "UPDATE users SET password_hash = substr(password_hash, 2) WHERE name "
                          "= ?1 AND substr(password_hash, 1, 1) = '!'",
               canon, NULL, 0, &n, NULL, err, errlen);
    if (rc == 0 && disabled) {
        char now[32];
        iso_now(now, sizeof now);
        rc = exec1(st, "UPDATE tokens SET revoked_at = ?2 WHERE revoked_at IS NULL AND user_id = "
                       "(SELECT id FROM users WHERE name = ?1)",
                   canon, now, 0, NULL, NULL, err, errlen);
        if (rc == 0)
            rc = cancel_jobs_of(st, canon, cancelled, ncancelled, err, errlen);
    }
    return rc ? rc : n ? 0 : 1;
}

int account_verify(store *st, const char *name, const char *password, int64_t *id, int *role,
                   char *canon, size_t canonlen, char *err, size_t errlen)
{
    int rc = accounts_init(err, errlen);
    if (rc)
        return rc;
    sqlite3 *db = store_db(st);
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, "SELECT id, role, password_hash, name FROM users WHERE id = " USER_ROW,
                           -1, &s, NULL) != SQLITE_OK)
        return errf(err, errlen, BX_EIO, "database: %s", sqlite3_errmsg(db));
    sqlite3_bind_text(s, 1, name ? name : "", -1, SQLITE_TRANSIENT);
    char hash[crypto_pwhash_STRBYTES];
    int found = 0, disabled = 0;
    if (sqlite3_step(s) == SQLITE_ROW) {
        *id = sqlite3_column_int64(s, 0);
        *role = account_role_parse((const char *)sqlite3_column_text(s, 1));
        const char *h = (const char *)sqlite3_column_text(s, 2);
        disabled = h && h[0] == '!'; /* account_set_disabled's mark before the hash */
        snprintf(hash, sizeof hash, "%s", h ? h + disabled : "");
        if (canon)
            snprintf(canon, canonlen, "%s", (const char *)sqlite3_column_text(s, 3));
        found = 1;
    }
    sqlite3_finalize(s);
    const char *pw = password ? password : "";
    pthread_once(&dummy_once, make_dummy);
    int ok = crypto_pwhash_str_verify(found ? hash : dummy_hash, pw, strlen(pw)) == 0;
    if (!found || !ok)
        return errf(err, errlen, BX_EINVAL, "wrong user name or password");
    if (disabled) { /* told only to whoever knows the password */
        errf(err, errlen, BX_EINVAL, "the account is disabled: ask an administrator to enable it");
        return ACCOUNT_DISABLED;
    }
    if (crypto_pwhash_str_needs_rehash(hash, PW_OPS, PW_MEM) != 0) {
        char fresh[crypto_pwhash_STRBYTES], e2[256];
        if (crypto_pwhash_str(fresh, pw, strlen(pw), PW_OPS, PW_MEM) == 0)
            exec1(st, "UPDATE users SET password_hash = ?2 WHERE id = ?3", NULL, fresh, *id, NULL,
                  NULL, e2, sizeof e2);
    }
    return 0;
}

void account_token_hash(const char *token, char out[65])
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
    sodium_bin2hex(out, 65, h, sizeof h);
}

int account_parse_duration(const char *text, int64_t *seconds)
{
    if (!text || !*text)
        return BX_EINVAL;
    char *end;
    long long v = strtoll(text, &end, 10);
    if (end == text || v <= 0 || v > 100000000LL)
        return BX_EINVAL;
    int64_t mul;
    if (*end == '\0' || strcmp(end, "s") == 0)
        mul = 1;
    else if (strcmp(end, "m") == 0)
        mul = 60;
    else if (strcmp(end, "h") == 0)
        mul = 3600;
    else if (strcmp(end, "d") == 0)
        mul = 86400;
    else if (strcmp(end, "w") == 0)
        mul = 7 * 86400;
    else
        return BX_EINVAL;
    *seconds = (int64_t)v * mul;
    if (*seconds > (int64_t)100 * 366 * 86400)
        return BX_EINVAL;
    return 0;
}

int account_token_create(store *st, const char *name, const char *kind, const char *scope,
                         int64_t lifetime_s, char out[ACCOUNT_TOKEN_TEXT], int64_t *id,
                         char *expires, size_t explen, char *err, size_t errlen)
{
    int rc = accounts_init(err, errlen);
    if (rc)
        return rc;
    if (account_scope_parse(scope) < 0)
        return errf(err, errlen, BX_EINVAL, "scope '%s' is not one of read, submit, upload",
                    scope);
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    memcpy(out, "bx_", 3);
    sodium_bin2hex(out + 3, 65, raw, sizeof raw);
    sodium_memzero(raw, sizeof raw);
    char hash[65], now[32], exp[32] = "";
    account_token_hash(out, hash);
    iso_now(now, sizeof now);
    if (lifetime_s > 0)
        store_time_format((int64_t)time(NULL) + lifetime_s, exp, sizeof exp);
    sqlite3 *db = store_db(st);
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO tokens(user_id, hash, kind, scope, created_at, expires_at) "
                           "SELECT id, ?2, ?3, ?4, ?5, ?6 FROM users WHERE id = " USER_ROW,
                           -1, &s, NULL) != SQLITE_OK)
        return errf(err, errlen, BX_EIO, "database: %s", sqlite3_errmsg(db));
    sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, hash, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, kind, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 4, scope, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 5, now, -1, SQLITE_TRANSIENT);
    if (exp[0])
        sqlite3_bind_text(s, 6, exp, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(s, 6);
    rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return errf(err, errlen, BX_EIO, "database: %s", sqlite3_errmsg(db));
    if (sqlite3_changes(db) == 0)
        return errf(err, errlen, BX_EINVAL, "no user '%s' (see `benchaas user list`)", name);
    if (id)
        *id = sqlite3_last_insert_rowid(db);
    if (expires)
        snprintf(expires, explen, "%s", exp);
    return 0;
}

int account_token_revoke(store *st, int64_t id, char *err, size_t errlen)
{
    char now[32];
    iso_now(now, sizeof now);
    return exec1(st, "UPDATE tokens SET revoked_at = ?1 WHERE id = ?3 AND revoked_at IS NULL", now,
                 NULL, id, NULL, NULL, err, errlen);
}

/* ---- finding a token's holder (every request) ------------------------------------ */

/* The thread's prepared lookup, for its connection t_find_db. */
static __thread sqlite3_stmt *t_find_stmt;
static __thread sqlite3 *t_find_db;
static __thread char t_role[32], t_scope[32];

void account_token_find_forget(void)
{
    sqlite3_finalize(t_find_stmt);
    t_find_stmt = NULL;
    t_find_db = NULL;
}

int account_token_find(store *st, const char *hash, const char *now, account_holder *h)
{
    memset(h, 0, sizeof *h);
    /* prepared once per thread and connection: parsing it was a fifth of a cached answer */
    if (t_find_db != store_db(st)) {
        account_token_find_forget();
        t_find_db = store_db(st);
        if (sqlite3_prepare_v3(t_find_db,
                               "SELECT u.id, u.name, u.role, t.id, t.scope, t.kind FROM tokens t "
                               "JOIN users u ON u.id = t.user_id WHERE t.hash = ?1 AND "
                               "t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at "
                               "> ?2)",
                               -1, SQLITE_PREPARE_PERSISTENT, &t_find_stmt, NULL) != SQLITE_OK) {
            t_find_db = NULL;
            return 0;
        }
    }
    sqlite3_stmt *s = t_find_stmt;
    sqlite3_bind_text(s, 1, hash, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, now, -1, SQLITE_TRANSIENT);
    int found = 0;
    if (sqlite3_step(s) == SQLITE_ROW) {
        const char *role = (const char *)sqlite3_column_text(s, 2);
        const char *scope = (const char *)sqlite3_column_text(s, 4);
        const char *kind = (const char *)sqlite3_column_text(s, 5);
        h->user_id = sqlite3_column_int64(s, 0);
        snprintf(h->user, sizeof h->user, "%s", (const char *)sqlite3_column_text(s, 1));
        h->token_id = sqlite3_column_int64(s, 3);
        snprintf(t_role, sizeof t_role, "%s", role ? role : "");
        snprintf(t_scope, sizeof t_scope, "%s", scope ? scope : "");
        h->role = t_role;
        h->scope = t_scope;
        h->session = kind && strcmp(kind, "session") == 0;
        found = 1;
    }
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return found;
}

/* ---- roles and lists ---------------------------------------------------------------------- */

int account_set_role(store *st, const char *name, int role, char *err, size_t errlen)
{
    const char *rn = account_role_name(role);
    int n = 0;
    int rc = exec1(st, "UPDATE users SET role = ?2 WHERE id = " USER_ROW, name, rn, 0, &n, NULL,
                   err, errlen);
    if (rc == 0 && n == 0)
        return errf(err, errlen, BX_EINVAL, "no user '%s' (see `benchaas user list`)", name);
    return rc;
}

int account_usable(store *st, const char *name)
{
    int row = 0;
    char e[128];
    return exec1(st,
                 "SELECT 1 FROM users WHERE id = " USER_ROW " AND substr(password_hash, 1, 1) <> "
                 "'!'",
                 name, NULL, 0, NULL, &row, e, sizeof e) == 0 &&
           row;
}

static char *col_dup(sqlite3_stmt *s, int i)
{
    const char *t = (const char *)sqlite3_column_text(s, i);
    return xstrdup(t ? t : "");
}

int account_list(store *st, account_info **out, size_t *n, char *err, size_t errlen)
{
    sqlite3 *db = store_db(st);
    sqlite3_stmt *s;
    char now[32];
    iso_now(now, sizeof now);
    *out = NULL;
    *n = 0;
    if (sqlite3_prepare_v2(db,
                           "SELECT u.name, u.role, u.created_at, substr(u.password_hash, 1, 1) = "
                           "'!', (SELECT count(*) FROM tokens t WHERE t.user_id = u.id AND "
                           "t.kind = 'api' AND t.revoked_at IS NULL), (SELECT count(*) FROM "
                           "tokens t WHERE t.user_id = u.id AND t.kind = 'session' AND "
                           "t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > "
                           "?1)) FROM users u ORDER BY u.name",
                           -1, &s, NULL) != SQLITE_OK)
        return errf(err, errlen, BX_EIO, "database: %s", sqlite3_errmsg(db));
    sqlite3_bind_text(s, 1, now, -1, SQLITE_TRANSIENT);
    while (sqlite3_step(s) == SQLITE_ROW) {
        *out = xrealloc(*out, (*n + 1) * sizeof **out);
        account_info *a = &(*out)[(*n)++];
        a->name = col_dup(s, 0);
        a->role = col_dup(s, 1);
        a->created_at = col_dup(s, 2);
        a->disabled = sqlite3_column_int(s, 3);
        a->api_tokens = sqlite3_column_int(s, 4);
        a->sessions = sqlite3_column_int(s, 5);
    }
    sqlite3_finalize(s);
    return 0;
}

void account_list_free(account_info *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].name);
        free(v[i].role);
        free(v[i].created_at);
    }
    free(v);
}

int account_token_list(store *st, const char *user, account_token_info **out, size_t *n,
                       char *err, size_t errlen)
{
    sqlite3 *db = store_db(st);
    sqlite3_stmt *s;
    *out = NULL;
    *n = 0;
    if (sqlite3_prepare_v2(db,
                           "SELECT t.id, u.name, t.kind, t.scope, t.created_at, "
                           "coalesce(t.expires_at, 'never'), coalesce(t.revoked_at, '') FROM "
                           "tokens t JOIN users u ON u.id = t.user_id WHERE ?1 IS NULL OR u.name "
                           "= ?1 ORDER BY t.id",
                           -1, &s, NULL) != SQLITE_OK)
        return errf(err, errlen, BX_EIO, "database: %s", sqlite3_errmsg(db));
    sqlite3_bind_text(s, 1, user, -1, SQLITE_TRANSIENT);
    while (sqlite3_step(s) == SQLITE_ROW) {
        *out = xrealloc(*out, (*n + 1) * sizeof **out);
        account_token_info *t = &(*out)[(*n)++];
        t->id = sqlite3_column_int64(s, 0);
        t->user = col_dup(s, 1);
        t->kind = col_dup(s, 2);
        t->scope = col_dup(s, 3);
        t->created_at = col_dup(s, 4);
        t->expires_at = col_dup(s, 5);
        t->revoked_at = col_dup(s, 6);
    }
    sqlite3_finalize(s);
    return 0;
}

void account_token_list_free(account_token_info *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].user);
        free(v[i].kind);
        free(v[i].scope);
        free(v[i].created_at);
        free(v[i].expires_at);
        free(v[i].revoked_at);
    }
    free(v);
}
