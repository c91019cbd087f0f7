#!/usr/bin/env bash
# bench/ior.sh — the ior plugin against fio on identical I/O, alternated and settled.
#
#   write: a new SIZE file (default 1 GiB) in 1 MiB sequential pwrite()s, then fsync
#          plugin: phases=write fsync=true keep=true   fio: --rw=write --bs=1m --end_fsync=1
#          Both timed regions hold every write and the fsync (the plugin's also open and
#          close: IOR's definition; fio's runtime starts at its first write and ends when
#          end_fsync returns).  One rank / one job, psync, fio --fallocate=none (the plugin
#          does not preallocate either).
#   read:  the same file (the one the round's last write pass left) in 1 MiB O_DIRECT
#          pread()s       plugin: phases=read direct=true   fio: --rw=read --direct=1
#
# Every pass starts from the same state: the file removed (writes) or kept (reads), then
# "settle": sync, drop the page cache (root), wait until Dirty + Writeback < 16 MiB and
# the disk is idle, then SETTLE_S more seconds.  The wait matters on virtual machines:
# memory freed a moment ago (a removed file's page cache) is still backed by the host for
# about a second, and a buffered write into it runs up to 5x faster than one into memory
# the host has to supply again (free page reporting).  Without it, whichever tool runs
# first after a removal looks faster.  Which tool goes first flips every round.
#
# For each pass the script also prints what the disk did during it (MiB written / read,
# from /proc/diskstats) and the largest Dirty seen, so you can check that the fsync'd
# write really moved SIZE to the device inside the pass.
#
# CPU placement: for a job of 1 rank x 1 thread the runner leaves OpenMPI's default, which
# binds the rank to one core; fio is not bound.  On a busy machine a process tied to one
# core gets less CPU than one the scheduler may move (measured here at load 20: plugin
# 0.75x fio on writes, 0.61x on reads, bound), so the plugin runs with --bind-to none.
#
# Prints per round, then the median, min-max and the ratio of medians plugin / fio.
#
# Usage: bench/ior.sh [BUILD_DIR]        (default: build)
#        DIR=/scratch/me SIZE=4g ROUNDS=7 SETTLE_S=5 bench/ior.sh /tmp/build-ior
# DIR must be on a real disk (not tmpfs): default /var/tmp.  Needs fio and jq; root for
# drop_caches (without it the script says so and only syncs and waits).
# Uses BUILD_DIR/bin/benchaas when it is built, else BUILD_DIR/bin/ior_run
# (the plugin on the mock host, under mpirun).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
SIZE=${SIZE:-1g}
ROUNDS=${ROUNDS:-5}
SETTLE_S=${SETTLE_S:-5}
base=${DIR:-/var/tmp}

command -v fio >/dev/null || { echo "ior.sh: needs fio (apt-get install fio)" >&2; exit 2; }
command -v jq >/dev/null || { echo "ior.sh: needs jq (apt-get install jq)" >&2; exit 2; }
work=$(mktemp -d "$base/benchaas-ior-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

bx=$build/bin/benchaas
drv=$build/bin/ior_run
if [ -x "$bx" ]; then
    how="benchaas run ior"
elif [ -x "$drv" ]; then
    how="mpirun -np 1 ior_run (mock host)"
else
    echo "ior.sh: neither $bx nor $drv: build first" >&2
    exit 2
fi
dev=$(df --output=source "$work" | tail -1)
dev=${dev##*/}
if [ -w /proc/sys/vm/drop_caches ]; then
    drop=1
else
    drop=0
    echo "ior.sh: not root: cannot drop the page cache between passes (only sync and wait)" >&2
fi

echo "== $SIZE, 1 MiB transfers, in $work ($dev, $(df -h --output=avail "$work" | tail -1 | tr -d ' ') free)"
echo "== plugin through: $how; $(fio --version); $ROUNDS rounds, alternating; settle ${SETTLE_S}s"
echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

file=$work/data

# disk counters of $dev: "sectors_read sectors_written"
disk() { awk -v d="$dev" '$3 == d {print $6, $10}' /proc/diskstats; }
dirty_kb() { awk '/^(Dirty|Writeback):/ {s += $2} END {print s}' /proc/meminfo; }

settle() {
    sync
    [ "$drop" = 1 ] && echo 3 >/proc/sys/vm/drop_caches
    local i=0
    while [ "$(dirty_kb)" -gt 16384 ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
    sleep "$SETTLE_S"
}

# watch: samples Dirty + Writeback (kB) every 50 ms into $work/dirty until killed
watch_start() { (while :; do dirty_kb; sleep 0.05; done) >"$work/dirty" 2>/dev/null & wpid=$!; d0=$(disk); }
watch_stop() {
    kill "$wpid" 2>/dev/null; wait "$wpid" 2>/dev/null || true
    local d1; d1=$(disk)
    io_note=$(echo "$d0 $d1" | awk '{printf "disk r %5.0f w %5.0f MiB", ($3-$1)/2048, ($4-$2)/2048}')
    io_note="$io_note, max dirty $(sort -n "$work/dirty" | tail -1 | awk '{printf "%5.0f", $1/1024}') MiB"
}

# plugin PHASE_PARAMS...: prints the phase's bandwidth (MiB/s)
plugin() {
    local metric=$1; shift
    local common=(path="$file" block_size="$SIZE" transfer_size=1m keep=true)
    if [ -x "$bx" ]; then
        local args=()
        for kv in "${common[@]}" "$@"; do args+=(-p "$kv"); done
        "$bx" run ior "${args[@]}" --repetitions 1 --mpirun-arg=--bind-to --mpirun-arg=none \
            --db "$work/bench.db" --json 2>/dev/null \
            | jq -r ".runs[0].metrics.$metric.value"
    else
        mpirun -np 1 --bind-to none "$drv" --reps 1 "${common[@]}" "$@" 2>/dev/null \
            | awk -v m="$metric" '$1 == m {print $2}'
    fi
}

# fio RW EXTRA...: prints the bandwidth in MiB/s
fio_bw() {
    local rw=$1; shift
    local dir=write
    [ "$rw" = read ] && dir=read
    fio --name=bench --filename="$file" --rw="$rw" --bs=1m --size="$SIZE" \
        --ioengine=psync --fallocate=none --output-format=json "$@" \
        | jq -r ".jobs[0].$dir.bw_bytes / 1048576"
}

# pass TOOL KIND: one settled, watched pass; prints "MiB/s" and sets io_note
pass() {
    local tool=$1 kind=$2 v
    [ "$kind" = write ] && rm -f "$file"
    settle
    watch_start
    case $tool/$kind in
    plugin/write) v=$(plugin write_bw phases=write fsync=true) ;;
    fio/write) v=$(fio_bw write --end_fsync=1) ;;
    plugin/read) v=$(plugin read_bw phases=read direct=true) ;;
    fio/read) v=$(fio_bw read --direct=1) ;;
    esac
    watch_stop
    printf '  %-6s %-5s %8.1f MiB/s   (%s)\n' "$tool" "$kind" "$v" "$io_note" >&2
    echo "$v"
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
range() { sort -g | awk 'NR==1 {lo=$1} {hi=$1} END {printf "%.0f-%.0f", lo, hi}'; }

pw=() fw=() pr=() fr=()
for r in $(seq "$ROUNDS"); do
    if [ $((r % 2)) -eq 1 ]; then order="plugin fio"; else order="fio plugin"; fi
    echo "round $r ($order first; load $(cut -d' ' -f1 /proc/loadavg)):" >&2
    for t in $order; do
        v=$(pass "$t" write)
        if [ "$t" = plugin ]; then pw+=("$v"); else fw+=("$v"); fi
    done
    for t in $order; do
        v=$(pass "$t" read)
        if [ "$t" = plugin ]; then pr+=("$v"); else fr+=("$v"); fi
    done
done

mpw=$(printf '%s\n' "${pw[@]}" | median) mfw=$(printf '%s\n' "${fw[@]}" | median)
mpr=$(printf '%s\n' "${pr[@]}" | median) mfr=$(printf '%s\n' "${fr[@]}" | median)
echo "== $ROUNDS rounds, MiB/s: median (min-max)     plugin                fio   plugin/fio"
printf 'write + fsync (new file)       %8.1f (%s)  %8.1f (%s)   %.3f\n' \
    "$mpw" "$(printf '%s\n' "${pw[@]}" | range)" "$mfw" "$(printf '%s\n' "${fw[@]}" | range)" \
    "$(awk -v a="$mpw" -v b="$mfw" 'BEGIN {print a / b}')"
printf 'read, O_DIRECT (same file)     %8.1f (%s)  %8.1f (%s)   %.3f\n' \
    "$mpr" "$(printf '%s\n' "${pr[@]}" | range)" "$mfr" "$(printf '%s\n' "${fr[@]}" | range)" \
    "$(awk -v a="$mpr" -v b="$mfr" 'BEGIN {print a / b}')"
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
