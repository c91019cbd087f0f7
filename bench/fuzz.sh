#!/usr/bin/env bash
# bench/fuzz.sh — the long fuzzing run: every libFuzzer target of tests/fuzz/
# for SECONDS each (default 300), then the executions and crashes of this run
# and the totals of every run recorded in the build folder.
#
#   bench/fuzz.sh [SECONDS] [TARGET...]
#
# Environment: FUZZ_BUILD (default <source>/build-fuzz), as tests/fuzz/run.sh.
# The corpus grows in $FUZZ_BUILD/corpus/ from run to run; a crash lands in
# $FUZZ_BUILD/artifacts/TARGET/ (fix it, then copy the input into
# tests/fuzz/regressions/TARGET/).  Exit status: 0 no crash, 1 a crash.
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
export FUZZ_BUILD=${FUZZ_BUILD:-$SRC/build-fuzz}
export FUZZ_SECONDS=${1:-300}
[ $# -gt 0 ] && shift
mkdir -p "$FUZZ_BUILD"
ledger="$FUZZ_BUILD/fuzz-ledger.txt"   # "date target executions crashed" per target and run
this=$(mktemp)
trap 'rm -f "$this"' EXIT

echo "fuzz: $FUZZ_SECONDS s per target, in $FUZZ_BUILD" >&2
FUZZ_SUMMARY="$this" "$SRC/tests/fuzz/run.sh" "$@"
rc=$?
[ $rc -eq 2 ] && exit 2
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
awk -v d="$now" '{print d, $0}' "$this" >>"$ledger"

echo
echo "totals over every run in $ledger:"
printf '%-12s %14s %6s %8s\n' TARGET EXECUTIONS RUNS CRASHES
awk '{ e[$2] += $3; r[$2]++; c[$2] += $4 }
     END { for (t in e) printf "%-12s %14d %6d %8d\n", t, e[t], r[t], c[t] }' "$ledger" | sort
exit $rc
