#!/usr/bin/env bash
# The core's file and library graph, from the symbols of the libraries'
# objects: which object defines a function, which objects use it.
#   - every call goes to the same library or one it may use (below it);
#   - no cycle between files (tsort finds none).
# Usage: layers.sh NAME=LIBRARY.a ...   (common store results runner serve cli worker)
set -euo pipefail
command -v nm >/dev/null && command -v tsort >/dev/null || { echo "needs nm and tsort"; exit 77; }

declare -A allowed=(
    [common]="common"
    [store]="store common"
    [results]="results store common"
    [runner]="runner store common"
    [serve]="serve runner results store common"
    [cli]="cli serve runner results store common"
    [worker]="worker common"
)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for arg in "$@"; do
    lib=${arg%%=*} file=${arg#*=}
    [[ -n ${allowed[$lib]:-} ]] || { echo "unknown library $lib"; exit 2; }
    # "lib obj kind symbol" for every global definition (T/D/B/R) and use (U)
    nm -A -g "$file" | awk -v lib="$lib" '{
        split($1, p, ":"); obj = p[2]; sub(/\.c\.o$/, "", obj)
        if ($2 == "U") print lib, obj, "U", $3
        else if ($2 ~ /^[TDBRC]$/) print lib, obj, "D", $3
    }' >>"$tmp/syms"
done
# file -> file edges (lib:obj), from uses to definitions
awk '$3 == "D" { def[$4] = $1 ":" $2 }
     $3 == "U" { use[++n] = $1 ":" $2 " " $4 }
     END { for (i = 1; i <= n; i++) { split(use[i], u, " ");
               if (u[2] in def && def[u[2]] != u[1]) print u[1], def[u[2]], u[2] } }' \
    "$tmp/syms" "$tmp/syms" | sort -u >"$tmp/edges"
bad=0
while read -r from to sym; do
    fl=${from%%:*} tl=${to%%:*}
    if [[ " ${allowed[$fl]} " != *" $tl "* ]]; then
        echo "FAIL: ${from#*:}.c ($fl) calls $sym of ${to#*:}.c ($tl): $fl may only use ${allowed[$fl]}"
        bad=1
    fi
done <"$tmp/edges"
awk '{ print $1, $2 }' "$tmp/edges" | sort -u >"$tmp/pairs"
if ! tsort "$tmp/pairs" >/dev/null 2>"$tmp/loop"; then
    echo "FAIL: a cycle between files of core/:"
    cat "$tmp/loop"
    bad=1
fi
echo "$(wc -l <"$tmp/pairs") file dependencies between $(awk '{print $1":"$2}' "$tmp/syms" | sort -u | wc -l) files"
[[ $bad == 0 ]] && echo "ok: every call goes downward, no cycle between files"
exit $bad
