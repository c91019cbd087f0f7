/*
 * accounts.h — users, roles, passwords and tokens of `benchaas serve`
 * (tables users and tokens of schema 3).
 *
 * Passwords: Argon2id through libsodium's crypto_pwhash_str, rehashed at
 * the next sign-in when the parameters change; never stored nor logged in
 * clear.  Tokens: 32 random bytes, given to the user once as
 * "bx_" + 64 hex digits; only their BLAKE2b hash is stored, with a scope,
 * an expiry and a revocation time.  Sign-in sessions are tokens of kind
 * "session".
 *
 * Every function returns 0 or a negative BX_E* code with a message in err;
 * BX_EINVAL for the caller's mistake (unknown user, name taken, ...).
 */
#ifndef BENCHAAS_ACCOUNTS_H
#define BENCHAAS_ACCOUNTS_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define ACCOUNT_TOKEN_TEXT 68 /* "bx_" + 64 hex + NUL */

/* libsodium's sodium_init(), once; BX_EIO if it fails. */
int accounts_init(char *err, size_t errlen);

/* "admin" -> ROLE_ADMIN ...; -1 when unknown.  And back. */
int account_role_parse(const char *name);
const char *account_role_name(int role);

/* A user name: 1-64 of [A-Za-z0-9._-], not starting with '-' or '.'. */
int account_name_ok(const char *name, char *err, size_t errlen);

/*
 * User names are case-folded: account_add stores the name lower-case and refuses one that
 * differs from an existing name only in case (ACCOUNT_TAKEN); every function that takes a
 * name finds the account by any spelling of it.  Accounts made before with capitals keep
 * their stored name (their jobs and runs name them so) and are found the same way.
 * account_name_fold: name lower-cased into out.
 */
void account_name_fold(const char *name, char *out, size_t len);
/* The stored spelling of the account name names into canon: 0, or BX_EINVAL (no such user). */
int account_canonical(store *st, const char *name, char *canon, size_t len, char *err,
                      size_t errlen);

/* Argon2id hash of password into out (crypto_pwhash_STRBYTES). */
int account_hash_password(const char *password, char *out, size_t outlen, char *err,
                          size_t errlen);

/* BX_EEXIST-like: returns ACCOUNT_TAKEN when the name exists. */
enum { ACCOUNT_TAKEN = -1000, ACCOUNT_DISABLED = -1001 };
int account_add(store *st, const char *name, const char *password, int role, int64_t *id,
                char *err, size_t errlen);
int account_set_password(store *st, const char *name, const char *password, char *err,
                         size_t errlen);
/* Remove the account and its tokens; its queued and running jobs are cancelled and its
 * schedules removed, so that a new account of the same name inherits nothing. */
int account_remove(store *st, const char *name, char *err, size_t errlen);

/*
 * Disable (disabled 1: its password no longer matches, its sessions and tokens end, its
 * queued and running jobs are cancelled, their ids in *cancelled (malloc'd; may be NULL) for
 * the scheduler to stop their running points) or enable it again.  Its schedules do not fire
 * while it is disabled (the scheduler skips them).  0 changed, 1 it was so already,
 * BX_EINVAL no such user.
 */
int account_set_disabled(store *st, const char *name, int disabled, int64_t **cancelled,
                         size_t *ncancelled, char *err, size_t errlen);

/* Give the account a new role (ROLE_*): 0, or BX_EINVAL when there is no such user. */
int account_set_role(store *st, const char *name, int role, char *err, size_t errlen);

/* 1 when the account exists and is not disabled (its schedules may fire), else 0. */
int account_usable(store *st, const char *name);

/* One account as the lists show it. */
typedef struct account_info {
    char *name, *role, *created_at;
    int disabled;
    int api_tokens; /* live API tokens (not revoked; expired ones counted) */
    int sessions;   /* live sign-in sessions (not revoked, not expired) */
} account_info;

/* Every account, by name: 0 and *out (account_list_free), or BX_EIO. */
int account_list(store *st, account_info **out, size_t *n, char *err, size_t errlen);
void account_list_free(account_info *v, size_t n);

/* One token as `token list` shows it. */
typedef struct account_token_info {
    int64_t id;
    char *user, *kind, *scope, *created_at;
    char *expires_at; /* "never" when it does not expire */
    char *revoked_at; /* "" when live */
} account_token_info;

/* The tokens of user (NULL: of everyone), by id: 0 and *out (account_token_list_free), or
 * BX_EIO. */
int account_token_list(store *st, const char *user, account_token_info **out, size_t *n,
                       char *err, size_t errlen);
void account_token_list_free(account_token_info *v, size_t n);

/*
 * Check name/password.  0 and *id, *role and the stored name in canon (may be NULL) when
 * right; BX_EINVAL when the user is unknown or the password wrong, a disabled account's
 * included (the same work is done and the same message given in each case, so neither the
 * time nor the text tells them apart); ACCOUNT_DISABLED only when the password is right and
 * the account disabled.  Rehashes an outdated hash.
 */
int account_verify(store *st, const char *name, const char *password, int64_t *id, int *role,
                   char *canon, size_t canonlen, char *err, size_t errlen);

/* Scope names of tokens: read, submit, upload. -1 when unknown. */
int account_scope_parse(const char *name);

/*
 * A new token for user `name`: kind "api" or "session", scope, lifetime in
 * seconds (0: never expires).  The token text goes to out (once), its id to
 * *id, its expiry ("" if none) to expires (>= 32 bytes).
 */
int account_token_create(store *st, const char *name, const char *kind, const char *scope,
                         int64_t lifetime_s, char out[ACCOUNT_TOKEN_TEXT], int64_t *id,
                         char *expires, size_t explen, char *err, size_t errlen);
/* Revoke token `id` (of any kind). */
int account_token_revoke(store *st, int64_t id, char *err, size_t errlen);

/* The hex BLAKE2b of a token text (65 bytes). */
void account_token_hash(const char *token, char out[65]);

/* Who holds a live token (account_token_find). */
typedef struct account_holder {
    int64_t user_id, token_id;
    char user[128];
    const char *role;   /* the user's role name, as stored ("" when unreadable) */
    const char *scope;  /* the token's scope name */
    int session;        /* 1: a sign-in session (every scope of its user) */
} account_holder;

/*
 * The live token whose hash is hash (account_token_hash): not revoked, not expired at
 * now (ISO 8601).  1 and *h filled (its strings valid until the next call from this
 * thread), 0 when there is none.  The statement is prepared once per thread and
 * connection; account_token_find_forget() releases it (when the thread's connection
 * closes).
 */
int account_token_find(store *st, const char *hash, const char *now, account_holder *h);
void account_token_find_forget(void);

/* "30d", "12h", "90m", "45s", "2w" -> seconds; BX_EINVAL otherwise. */
int account_parse_duration(const char *text, int64_t *seconds);

#endif
