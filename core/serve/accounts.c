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
#include "util.h"

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

static int exec1(store *st, const char *sql, const char *a, const char *b, int64_t i, int *changes,
                 char *err, size_t errlen)
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
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        if ((rc & 0xff) == SQLITE_CONSTRAINT)
            return ACCOUNT_TAKEN;
        return errf(err, errlen, BX_EIO, "database: %s", sqlite3_errmsg(db));
    }
    if (changes)
        *changes = sqlite3_changes(db);
    return 0;
}

int account_add(store *st, const char *name, const char *password, int role, int64_t *id,
                char *err, size_t errlen)
{
    int rc = account_name_ok(name, err, errlen);
    if (rc)
        return rc;
    if (role < ROLE_VIEWER || role > ROLE_ADMIN)
        return errf(err, errlen, BX_EINVAL, "the role is one of admin, member, viewer");
    char hash[crypto_pwhash_STRBYTES], now[32];
    if ((rc = account_hash_password(password, hash, sizeof hash, err, errlen)))
        return rc;
    iso_now(now, sizeof now);
    char *sql = xasprintf("INSERT INTO users(name, role, password_hash, created_at) "
                          "VALUES (?1, '%s', ?2, '%s')",
                          account_role_name(role), now);
    rc = exec1(st, sql, name, hash, 0, NULL, err, errlen);
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
    rc = exec1(st, "UPDATE users SET password_hash = ?2 WHERE name = ?1", name, hash, 0, &n, err,
               errlen);
    sodium_memzero(hash, sizeof hash);
    if (rc == 0 && n == 0)
        return errf(err, errlen, BX_EINVAL, "no user '%s' (see `benchaas user list`)", name);
    /* A new password ends every session of the user. */
    if (rc == 0) {
        char now[32];
        iso_now(now, sizeof now);
        rc = exec1(st,
                   "UPDATE tokens SET revoked_at = ?2 WHERE kind = 'session' AND revoked_at IS "
                   "NULL AND user_id = (SELECT id FROM users WHERE name = ?1)",
                   name, now, 0, NULL, err, errlen);
    }
    return rc;
}

int account_remove(store *st, const char *name, char *err, size_t errlen)
{
    int n = 0;
    int rc = exec1(st, "DELETE FROM tokens WHERE user_id = (SELECT id FROM users WHERE name = ?1)",
                   name, NULL, 0, NULL, err, errlen);
    if (rc == 0)
        rc = exec1(st, "DELETE FROM users WHERE name = ?1", name, NULL, 0, &n, err, errlen);
    if (rc == 0 && n == 0)
        return errf(err, errlen, BX_EINVAL, "no user '%s' (see `benchaas user list`)", name);
    return rc;
}

int account_verify(store *st, const char *name, const char *password, int64_t *id, int *role,
                   char *err, size_t errlen)
{
    int rc = accounts_init(err, errlen);
    if (rc)
        return rc;
    sqlite3 *db = store_db(st);
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, "SELECT id, role, password_hash FROM users WHERE name = ?1", -1,
                           &s, NULL) != SQLITE_OK)
        return errf(err, errlen, BX_EIO, "database: %s", sqlite3_errmsg(db));
    sqlite3_bind_text(s, 1, name ? name : "", -1, SQLITE_TRANSIENT);
    char hash[crypto_pwhash_STRBYTES];
    int found = 0;
    if (sqlite3_step(s) == SQLITE_ROW) {
        *id = sqlite3_column_int64(s, 0);
        *role = account_role_parse((const char *)sqlite3_column_text(s, 1));
        const char *h = (const char *)sqlite3_column_text(s, 2);
        snprintf(hash, sizeof hash, "%s", h ? h : "");
        found = 1;
    }
    sqlite3_finalize(s);
    const char *pw = password ? password : "";
    pthread_once(&dummy_once, make_dummy);
    int ok = crypto_pwhash_str_verify(found ? hash : dummy_hash, pw, strlen(pw)) == 0;
    if (!found || !ok)
        return errf(err, errlen, BX_EINVAL, "wrong user name or password");
    if (crypto_pwhash_str_needs_rehash(hash, PW_OPS, PW_MEM) != 0) {
        char fresh[crypto_pwhash_STRBYTES], e2[256];
        if (crypto_pwhash_str(fresh, pw, strlen(pw), PW_OPS, PW_MEM) == 0)
            exec1(st, "UPDATE users SET password_hash = ?2 WHERE name = ?1", name, fresh, 0, NULL,
                  e2, sizeof e2);
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
                           "SELECT id, ?2, ?3, ?4, ?5, ?6 FROM users WHERE name = ?1",
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
                 NULL, id, NULL, err, errlen);
}
