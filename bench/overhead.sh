#!/usr/bin/env bash
# bench/overhead.sh — what the framework costs next to a benchmark.
#
# 1. Wall time of `benchaas run` on the trivial test plugin (process start,
#    plugin load, validation, fork/exec of the worker, result document,
#    ingest): N runs as one sweep, and N separate invocations.
# 2. Reported as a median over ROUNDS rounds and per run.  Goal: < 30 ms/run.
#
# usage: bench/overhead.sh [BUILD_DIR] [N] [ROUNDS]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
n=${2:-50}
rounds=${3:-5}
bx=$build/bin/benchaas
export BENCHAAS_PLUGIN_PATH=$build/tests/plugins/good
[ -x "$bx" ] || { echo "no runner at $bx; build first" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

list=$(seq -s, 100 100 $((n * 100)))
sweep=() single=()
for r in $(seq "$rounds"); do
    t0=$(now)
    "$bx" run trivial -p count="$list" --repetitions 1 --db "$tmp/sweep.db" --quiet >/dev/null
    t1=$(now)
    sweep+=($(( (t1 - t0) / n / 1000 )))
    t0=$(now)
    for i in $(seq "$n"); do
        "$bx" run trivial -p count=1 --repetitions 1 --db "$tmp/single.db" --quiet >/dev/null
    done
    t1=$(now)
    single+=($(( (t1 - t0) / n / 1000 )))
done
ms() { awk '{printf "%.2f", $1/1000}'; }
echo "overhead per run, median of $rounds rounds of $n runs (trivial plugin, 1 repetition + warm-up):"
echo "  one sweep of $n points:     $(printf '%s\n' "${sweep[@]}" | median | ms) ms/run"
echo "  $n separate invocations:    $(printf '%s\n' "${single[@]}" | median | ms) ms/run"
echo "  goal: < 30 ms/run"
