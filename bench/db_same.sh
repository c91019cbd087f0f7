#!/usr/bin/env bash
# bench/db_same.sh — do two builds answer the same over the same database?
#
# A change made for speed must not change an answer.  This script runs the
# result commands of two builds' generators (bench/dbgen.c: `store_dbgen
# query|check|compare|report ...`) on two copies of one database (each build
# migrates its own copy to its schema) and compares their output byte for
# byte (the report without its "generated" time and command line), with the
# exit codes, and prints each command's time with the new build.
#
# Usage: bench/db_same.sh OLD_DBGEN NEW_DBGEN DB
#   OLD_DBGEN, NEW_DBGEN  store_dbgen of two build folders (build/bench/store_dbgen)
#   DB                    a database both can read (the older schema), e.g. one
#                         bench/db.sh made; it is copied, never written
# Exit status: 0 every answer is the same, 1 one differs (the diff is shown),
# 2 bad usage.
set -uo pipefail

if [[ $# -ne 3 || ! -x $1 || ! -x $2 || ! -f $3 ]]; then
    echo "usage: bench/db_same.sh OLD_DBGEN NEW_DBGEN DB (two store_dbgen programs, a database)" >&2
    exit 2
fi
old=$1 new=$2 db=$3
work=$(mktemp -d "${TMPDIR:-/tmp}/benchaas-dbsame.XXXXXX")
trap 'rm -rf "$work"' EXIT
cp "$db" "$work/old.db" && cp "$db" "$work/new.db" || exit 2
# the first command of each build migrates its copy; not timed
"$old" query --db "$work/old.db" --limit 1 >/dev/null 2>&1
"$new" query --db "$work/new.db" --limit 1 >/dev/null 2>&1

# What differs between two runs of the same report: the time and the command line.
strip() { sed 's/generated [^·]*·//; s#<code>benchaas report[^<]*</code>##; s#<code>/[^<]*db</code>##' "$1"; }

fail=0
while IFS='|' read -r cmd args; do
    [[ -z $cmd || $cmd == \#* ]] && continue
    if [[ $cmd == report ]]; then
        "$old" report --db "$work/old.db" --html "$work/o.html" $args >/dev/null 2>&1; orc=$?
        s=$(date +%s%N)
        "$new" report --db "$work/new.db" --html "$work/n.html" $args >/dev/null 2>&1; nrc=$?
        e=$(date +%s%N)
        strip "$work/o.html" >"$work/o.txt" 2>/dev/null
        strip "$work/n.html" >"$work/n.txt" 2>/dev/null
    else
        "$old" $cmd --db "$work/old.db" $args >"$work/o.txt" 2>&1; orc=$?
        s=$(date +%s%N)
        "$new" $cmd --db "$work/new.db" $args >"$work/n.txt" 2>&1; nrc=$?
        e=$(date +%s%N)
        sed -i "s#$work/old.db#DB#g" "$work/o.txt"
        sed -i "s#$work/new.db#DB#g" "$work/n.txt"
    fi
    if [[ $orc == "$nrc" ]] && cmp -s "$work/o.txt" "$work/n.txt"; then
        printf 'same  exit %s %7d ms  %s %s\n' "$nrc" $(((e - s) / 1000000)) "$cmd" "$args"
    else
        printf 'DIFF  exit %s/%s  %s %s\n' "$orc" "$nrc" "$cmd" "$args"
        diff "$work/o.txt" "$work/n.txt" | head -10
        fail=1
    fi
done <<'LIST'
# command|arguments (no spaces inside an argument)
query|--plugin hpl --param NB=192 --status ok --since 2026-01-01 --metric gflops --format csv
query|--tag acceptance --limit 50 --format json
query|--plugin hpl --status ok --since 2026-01-01 --metric gflops --group-by NB --stat count,median,p5,p95
query|--plugin stream --status ok --metric triad --group-by host,array_size --stat median,p95 --over samples
query|--plugin stream --metric triad --group-by host --over samples --format csv
query|--plugin stream,hpl --status ok --metric triad,gflops --group-by host,plugin --stat count,mean,stddev,p95,runs --over samples
query|--plugin stream --status ok,failed --since 2026-01-01 --metric triad --group-by host,array_size --stat count,median,min,max --over samples --format json
query|--plugin hpl,stream --metric gflops,triad --group-by host,plugin,ranks --stat count,mean,stddev,p90,runs
query|--latest --plugin hpl --format csv
query|--latest --tag acceptance --format csv
query|--latest --host node03 --format csv --all-metrics
query|--latest --prov kernel=6.1.0-25-amd64 --plugin ior --format json
query|--group-by host --metric rtt --stat median
query|--group-by kernel --plugin stream --metric triad --stat mean,count
check|
check|--tag acceptance --since 30d
check|--plugin hpl --format json
check|--across-nodes
check|--across-nodes --plugin stream --metric triad
compare|plugin:hpl+since:2026-06-01 plugin:hpl+until:2026-06-01
report|
report|--plugin hpl
report|--plugin hpl --since 2026-01-01
report|--plugin stream,ior --since 2025-06-01 --until 2026-03-01
report|--status failed
report|--status ok,failed --plugin iperf
report|--host node03
report|--host node03,node07 --plugin hpl
report|--tag acceptance
report|--param NB=192
report|--metric gflops
report|--since 90d
LIST
exit $fail
