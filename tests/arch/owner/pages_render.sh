#!/usr/bin/env bash
# The pages only render: no file of the page families (core/serve/pages.c, page_*.c)
# holds SQL or reaches for the database itself; their data come from functions of
# results/ (queries) and serve/ (jobs, accounts, alerts).  Fails when, for example, a
# SELECT is pasted back into page_dash.c.
# Usage: pages_render.sh SOURCE_DIR
set -uo pipefail
cd "$1/core/serve" || exit 2
bad=0
for f in pages.c page_*.c; do
    if grep -nE 'sqlite3_|store_db\(|"[^"]*\b(SELECT|INSERT INTO|UPDATE [a-z_]+ SET|DELETE FROM)\b' "$f" | head -3 | grep .; then
        echo "FAIL: $f queries the database itself: ask results/ or serve/ for the rows"
        bad=1
    fi
done
[ $bad = 0 ] && echo "ok: the pages only render"
exit $bad
