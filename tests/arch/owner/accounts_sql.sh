#!/usr/bin/env bash
# The users and tokens tables have one owner, core/serve/accounts.c: no other file of
# core/ (the schema's CREATE TABLE in store/ aside) reads or writes them, nor the
# password hashes.  Fails when, for example, pages.c reads password_hash again or
# http.c looks tokens up with its own SELECT.
# Usage: accounts_sql.sh SOURCE_DIR
set -uo pipefail
cd "$1/core" || exit 2
allowed=(serve/accounts.c store/schema.c)
bad=0
is_allowed() { local a; for a in "${allowed[@]}"; do [ "$a" = "$1" ] && return 0; done; return 1; }
pattern='\b(FROM|JOIN|INTO|UPDATE|TABLE)[[:space:]]+(users|tokens)\b|password_hash'
for f in $(grep -rlE "$pattern" --include='*.c' . | sed 's|^\./||' | sort); do
    is_allowed "$f" && continue
    grep -nE "$pattern" "$f" | head -3
    echo "FAIL: $f touches the users or tokens table: ask accounts.h"
    bad=1
done
[ $bad = 0 ] && echo "ok: the users and tokens tables are accounts.c's"
exit $bad
