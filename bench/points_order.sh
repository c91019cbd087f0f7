#!/usr/bin/env bash
# bench/points_order.sh — storing runs out of time order, this store against an earlier one.
#
#   bench/points_order.sh [-b BUILD_DIR] [-r BASE_TREE] N ORDER ROUNDS
#
# Stores N runs of one series, one transaction each, into a new database, in ORDER
# (newest, oldest or shuffled), with bench/points_order.c built here (BUILD_DIR, default
# ./build) and, with -r, the same program compiled against BASE_TREE's store (a checkout
# of an earlier version whose build/ folder is built: `cmake --build BASE_TREE/build
# --target benchaas_store`).  The two alternate ROUNDS times, each on a new file, and the
# script prints every run, then the median wall and CPU times of each, their min-max and the
# ratio (this store / the earlier one), and the load average before and after.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=$here/build base=
while getopts b:r: o; do
    case $o in
    b) build=$(cd "$OPTARG" && pwd) ;;
    r) base=$(cd "$OPTARG" && pwd) ;;
    *) echo "usage: bench/points_order.sh [-b BUILD_DIR] [-r BASE_TREE] N ORDER ROUNDS" >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
[ $# -eq 3 ] || { echo "usage: bench/points_order.sh [-b BUILD_DIR] [-r BASE_TREE] N ORDER ROUNDS" >&2; exit 2; }
n=$1 order=$2 rounds=$3
case $order in newest | oldest | shuffled) ;; *) echo "ORDER is newest, oldest or shuffled, not '$order'" >&2; exit 2 ;; esac
case $n$rounds in *[!0-9]*) echo "N and ROUNDS are numbers" >&2; exit 2 ;; esac
ours=$build/bench/points_order
[ -x "$ours" ] || { echo "$ours is not built (cmake --build $build --target points_order)" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/benchaas-points-order.XXXXXX")
trap 'rm -rf "$work"' EXIT
tools=(new)
cp "$ours" "$work/new"
if [ -n "$base" ]; then
    lib=$base/build/lib
    for a in benchaas_store benchaas_common benchaas-sdk; do
        [ -f "$lib/lib$a.a" ] || { echo "$lib/lib$a.a is not built (cmake --build $base/build --target benchaas_store)" >&2; exit 2; }
    done
    cc -O2 -o "$work/base" "$here/bench/points_order.c" -I"$base/core/store" -I"$base/core/common" \
        -I"$base/sdk/include" "$lib/libbenchaas_store.a" "$lib/libbenchaas_common.a" \
        "$lib/libbenchaas-sdk.a" $(pkg-config --libs libcjson sqlite3) -ldl -lm -lpthread
    tools=(base new)
fi
echo "== $n runs, $order; $rounds rounds; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$rounds"); do
    # which one goes first flips every round
    [ $((r % 2)) -eq 0 ] && [ ${#tools[@]} -eq 2 ] && set -- base new || set -- "${tools[@]}"
    [ $((r % 2)) -eq 1 ] && [ ${#tools[@]} -eq 2 ] && set -- new base
    for t in "$@"; do
        rm -f "$work"/x.db*
        line=$("$work/$t" "$n" "$order" "$work/x.db")
        echo "$t $line"
        echo "$t $line" | awk '{gsub(/[(]/, ""); print $1, $5, $8}' >>"$work/times"
    done
done
awk '
    function med(a, k,   i, j, t) {
        for (i = 2; i <= k; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
        return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
    }
    { w[$1, ++c[$1]] = $2; u[$1, c[$1]] = $3 }
    END {
        for (t in c) {
            for (i = 1; i <= c[t]; i++) { x[i] = w[t, i]; y[i] = u[t, i] }
            mw[t] = med(x, c[t]); mc[t] = med(y, c[t])
            printf "%-4s wall %.0f ms (%.0f-%.0f), CPU %.0f ms\n", t, mw[t], x[1], x[c[t]], mc[t]
        }
        if (("base" in c) && ("new" in c))
            printf "ratio new / base: wall %.2f, CPU %.2f\n", mw["new"] / mw["base"], mc["new"] / mc["base"]
    }' "$work/times"
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
