#!/usr/bin/env bash
# No source file of core/ is longer than 1 200 lines: a file that long is split by
# responsibility (pages by family, the store by format).  Fails when, for example,
# the page families of serve/page_*.c are pasted back into pages.c.
# Usage: file_length.sh SOURCE_DIR [MAX]
#
# ALLOWED: files still waiting for their split, each with why (an entry that is no
# longer too long fails the test, so the list cannot rot).
set -uo pipefail
src=$1 max=${2:-1200}
cd "$src/core" || exit 2
ALLOWED=(
)
bad=0
long=$(find . -name '*.c' -print0 | xargs -0 wc -l | awk -v max="$max" '$2 != "total" && $1 > max { sub(/^\.\//, "", $2); print $2, $1 }')
for a in "${ALLOWED[@]}"; do
    if ! grep -q "^$a " <<<"$long"; then
        echo "FAIL: $a is allowed to be long but is not (or is gone): drop it from ALLOWED"
        bad=1
    fi
    long=$(grep -v "^$a " <<<"$long")
done
if [ -n "$long" ]; then
    echo "FAIL: files of core/ longer than $max lines (split them by responsibility):"
    echo "$long"
    bad=1
fi
[ $bad = 0 ] && echo "ok: no file of core/ is longer than $max lines (but ${#ALLOWED[@]} waiting)"
exit $bad
