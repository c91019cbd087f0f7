#!/usr/bin/env bash
# No function of core/ is longer than 150 lines (a function that long is
# split into named phases).  Usage: function_length.sh SOURCE_DIR [MAX]
#
# ALLOWED: functions still waiting for their split, "file:function" (keep
# this list empty; an entry that is no longer too long fails the test, so
# the list cannot rot).
set -euo pipefail
src=$1 max=${2:-150}
ALLOWED=()
long=$(awk -v max="$max" '
    FNR == 1 { start = 0 }
    /^[a-z].*\(/ && !/;[[:space:]]*$/ { name = $0; start = FNR }
    /^}/ && start { n = FNR - start + 1; if (n > max) printf "%s:%d: %d lines: %s\n", FILENAME, start, n, name; start = 0 }
' "$src"/core/*/*.c)
for a in ${ALLOWED[@]+"${ALLOWED[@]}"}; do
    file=${a%%:*} fn=${a#*:}
    if ! grep -q "^$src/$file:[0-9]*: [0-9]* lines: .*[ *]$fn(" <<<"$long"; then
        echo "FAIL: $a is allowed to be long but is not (or is gone): drop it from ALLOWED"
        exit 1
    fi
    long=$(grep -v "^$src/$file:[0-9]*: [0-9]* lines: .*[ *]$fn(" <<<"$long" || true)
done
if [[ -n $long ]]; then
    echo "FAIL: functions longer than $max lines (split them into named phases):"
    echo "$long"
    exit 1
fi
echo "ok: no function of core/ is longer than $max lines"
