#!/usr/bin/env bash
# No function of core/ is longer than 150 lines (a function that long is
# split into named phases).  Usage: function_length.sh SOURCE_DIR [MAX]
set -euo pipefail
src=$1 max=${2:-150}
long=$(awk -v max="$max" '
    FNR == 1 { start = 0 }
    /^[a-z].*\(/ && !/;[[:space:]]*$/ { name = $0; start = FNR }
    /^}/ && start { n = FNR - start + 1; if (n > max) printf "%s:%d: %d lines: %s\n", FILENAME, start, n, name; start = 0 }
' "$src"/core/*/*.c)
if [[ -n $long ]]; then
    echo "FAIL: functions longer than $max lines (split them into named phases):"
    echo "$long"
    exit 1
fi
echo "ok: no function of core/ is longer than $max lines"
