#!/usr/bin/env bash
# bench/mdtest.sh — the mdtest plugin against fio's metadata engines on the same number of
# files in a fresh folder of the same file system, alternated.
#
#   create  plugin: file_create (openat O_CREAT|O_EXCL, close)   fio: --ioengine=filecreate
#   stat    plugin: file_stat (fstatat)                          fio: --ioengine=filestat
#   remove  plugin: file_remove (unlinkat)                       fio: --ioengine=filedelete
#
# One rank, N empty files (write_bytes=0, files_only=true: mdtest -F -n N), one pass of each
# tool per round (plugin --repetitions 1; fio one job, openfiles=1, fallocate=none and
# create_on_open=1: without it filestat and filedelete first "lay out" the files, writing
# filesize=4k into each, and then time other files than the plugin's empty ones).  The
# plugin's files go into the folder it makes inside DIR/p, fio's into DIR/f: both empty
# before each pass.  Rates in operations per second: the plugin's phase rate, fio's iops
# (files per second of its run time).  Before each pass: sync and a short pause.  Which
# tool goes first flips every round.  Prints the median and min-max over ROUNDS rounds and
# the ratio of medians plugin / fio (>= 1: the plugin's rate is at least fio's).
#
# Usage: bench/mdtest.sh [BUILD_DIR]          (default: build)
#        N=10000 ROUNDS=7 DIR=/scratch/me bench/mdtest.sh
# DIR default /var/tmp.  Needs fio (apt-get install fio), jq and sqlite3.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
N=${N:-10000}
ROUNDS=${ROUNDS:-5}
bx=$build/bin/benchaas
command -v fio >/dev/null || { echo "mdtest.sh: needs fio (apt-get install fio)" >&2; exit 2; }
command -v jq >/dev/null || { echo "mdtest.sh: needs jq (apt-get install jq)" >&2; exit 2; }
[ -x "$bx" ] || { echo "mdtest.sh: $bx is not built" >&2; exit 2; }
work=$(mktemp -d "${DIR:-/var/tmp}/benchaas-mdtest-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

echo "== $N files, 1 rank, in $work ($(df --output=fstype "$work" | tail -1 | tr -d ' '))"
echo "== $(fio --version); $ROUNDS rounds alternating"
echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"

settle() { sync; sleep 1; }

# plugin OUT: "create stat remove" rates of one pass
plugin() {
    mkdir -p "$work/p"
    settle
    "$bx" run mdtest -p path="$work/p" -p items="$N" -p files_only=true --repetitions 1 \
        --db "$work/b.db" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
    sqlite3 -batch -separator ' ' "$work/b.db" \
        "SELECT group_concat(value, ' ') FROM (SELECT value FROM results WHERE
         run_id=(SELECT max(id) FROM runs) AND metric IN ('file_create','file_stat','file_remove')
         ORDER BY CASE metric WHEN 'file_create' THEN 1 WHEN 'file_stat' THEN 2 ELSE 3 END)"
    [ -z "$(ls -A "$work/p")" ] || { echo "mdtest.sh: the plugin left files" >&2; exit 1; }
}

# fio_engine ENGINE: files per second
fio_engine() {
    fio --name=md --ioengine="$1" --directory="$work/f" --nrfiles="$N" --filesize=4k \
        --openfiles=1 --fallocate=none --create_on_open=1 --output-format=json 2>/dev/null |
        jq -r '.jobs[0] | (.read.iops + .write.iops)'
}

fio_pass() {
    mkdir -p "$work/f"
    settle
    local c s d
    c=$(fio_engine filecreate)
    s=$(fio_engine filestat)
    d=$(fio_engine filedelete)
    [ -z "$(ls -A "$work/f")" ] || { echo "mdtest.sh: fio left files" >&2; exit 1; }
    echo "$c $s $d"
}

: >"$work/all"
for r in $(seq "$ROUNDS"); do
    if [ $((r % 2)) -eq 1 ]; then order="plugin fio"; else order="fio plugin"; fi
    for t in $order; do
        if [ "$t" = plugin ]; then v=$(plugin); else v=$(fio_pass); fi
        printf 'round %d %-6s create %9.0f  stat %9.0f  remove %9.0f op/s (load %s)\n' "$r" "$t" \
            $v "$(cut -d' ' -f1 /proc/loadavg)" >&2
        echo "$t $v" >>"$work/all"
    done
done

# stats: "median min max" of the numbers on stdin
stats() { sort -g | awk '{a[NR] = $1} END {printf "%s %s %s", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2, a[1], a[NR]}'; }

echo
printf '%-8s %28s %28s %7s\n' phase "plugin (op/s)" "fio (op/s)" ratio
for k in 1 2 3; do
    name=$(echo create stat remove | cut -d' ' -f$k)
    read -r mp lp hp <<<"$(awk -v k=$((k + 1)) '$1 == "plugin" {print $k}' "$work/all" | stats)"
    read -r mq lq hq <<<"$(awk -v k=$((k + 1)) '$1 == "fio" {print $k}' "$work/all" | stats)"
    printf '%-8s %10.0f (%.0f-%.0f) %10.0f (%.0f-%.0f) %7.2f\n' "$name" "$mp" "$lp" "$hp" \
        "$mq" "$lq" "$hq" "$(awk -v a="$mp" -v b="$mq" 'BEGIN {print a / b}')"
done
echo
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
