#!/usr/bin/env bash
# bench/ior.sh — the ior plugin against fio on the same I/O pattern.
#
#   write: 1 MiB sequential writes of SIZE (default 1 GiB) to a new file,
#          ended by fsync             plugin: phases=write fsync=true keep=true
#                                     fio:    --rw=write --bs=1m --end_fsync=1
#   read:  the same file back with O_DIRECT 1 MiB sequential reads
#                                     plugin: phases=read direct=true
#                                     fio:    --rw=read --bs=1m --direct=1
#
# One rank / one job, synchronous calls (fio --ioengine=psync), and fio
# --fallocate=none so that fio, like the plugin, does not preallocate.  The two
# tools alternate (which goes first flips every round), each bandwidth is
# the tool's own figure (MiB/s; fio's runtime includes its end_fsync, the
# plugin's interval includes open, fsync and close), and the script prints
# the median of ROUNDS rounds and the ratio plugin / fio of the medians.
#
# Usage: bench/ior.sh [BUILD_DIR]        (default: build)
#        DIR=/scratch/me SIZE=4g ROUNDS=7 bench/ior.sh /tmp/build-ior
# DIR must be on a real disk (not tmpfs): default /var/tmp.  Needs fio and jq.
# Uses BUILD_DIR/bin/benchaas when it is built, else BUILD_DIR/bin/ior_run
# (the plugin on the mock host, under mpirun).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
SIZE=${SIZE:-1g}
ROUNDS=${ROUNDS:-5}
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

echo "== $SIZE, 1 MiB transfers, in $work ($(df -h "$work" | awk 'NR==2 {print $1", "$4" free"}'))"
echo "== plugin through: $how; $(fio --version); $ROUNDS rounds, alternating"

# plugin PHASE_PARAMS...: prints the phase's bandwidth (MiB/s)
plugin() {
    local metric=$1; shift
    local common=(path="$work/ior.dat" block_size="$SIZE" transfer_size=1m keep=true)
    if [ -x "$bx" ]; then
        local args=()
        for kv in "${common[@]}" "$@"; do args+=(-p "$kv"); done
        "$bx" run ior "${args[@]}" --repetitions 1 --db "$work/bench.db" --json 2>/dev/null \
            | jq -r ".runs[0].metrics.$metric.value"
    else
        mpirun -np 1 "$drv" --reps 1 "${common[@]}" "$@" 2>/dev/null \
            | awk -v m="$metric" '$1 == m {print $2}'
    fi
}

# fio RW EXTRA...: prints the bandwidth in MiB/s
fio_bw() {
    local rw=$1; shift
    local dir=write
    [ "$rw" = read ] && dir=read
    fio --name=bench --filename="$work/fio.dat" --rw="$rw" --bs=1m --size="$SIZE" \
        --ioengine=psync --fallocate=none --output-format=json "$@" | jq -r ".jobs[0].$dir.bw_bytes / 1048576"
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

pw=() fw=() pr=() fr=()
for r in $(seq "$ROUNDS"); do
    rm -f "$work/ior.dat" "$work/fio.dat"
    if [ $((r % 2)) -eq 1 ]; then
        pw+=("$(plugin write_bw phases=write fsync=true)")
        fw+=("$(fio_bw write --end_fsync=1)")
        pr+=("$(plugin read_bw phases=read direct=true)")
        fr+=("$(fio_bw read --direct=1)")
    else
        fw+=("$(fio_bw write --end_fsync=1)")
        pw+=("$(plugin write_bw phases=write fsync=true)")
        fr+=("$(fio_bw read --direct=1)")
        pr+=("$(plugin read_bw phases=read direct=true)")
    fi
    printf 'round %d: write plugin %8.1f fio %8.1f   read(O_DIRECT) plugin %8.1f fio %8.1f MiB/s\n' \
        "$r" "${pw[-1]}" "${fw[-1]}" "${pr[-1]}" "${fr[-1]}"
done

mpw=$(printf '%s\n' "${pw[@]}" | median) mfw=$(printf '%s\n' "${fw[@]}" | median)
mpr=$(printf '%s\n' "${pr[@]}" | median) mfr=$(printf '%s\n' "${fr[@]}" | median)
echo "== medians (MiB/s)          plugin        fio   plugin/fio"
awk -v a="$mpw" -v b="$mfw" 'BEGIN {printf "write + fsync          %10.1f %10.1f   %.3f\n", a, b, a / b}'
awk -v a="$mpr" -v b="$mfr" 'BEGIN {printf "read, O_DIRECT         %10.1f %10.1f   %.3f\n", a, b, a / b}'
