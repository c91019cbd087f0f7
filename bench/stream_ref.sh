#!/bin/bash
# bench/stream_ref.sh — the stream plugin against STREAM 5.10's own stream.c, alternated.
#
#   STREAM_C=/path/to/stream.c bench/stream_ref.sh
#   STREAM_C=... N=10000000 THREADS=2 ROUNDS=7 bench/stream_ref.sh
#
# stream.c is not packaged by Debian and nothing is downloaded here: give its path
# (https://www.cs.virginia.edu/stream/FTP/Code/stream.c).  It is compiled as its
# instructions say, with the flags of a tuned build: gcc -O3 -march=native -fopenmp
# -DSTREAM_ARRAY_SIZE=N -DNTIMES=10 (static arrays, `omp parallel for` with the default
# static schedule, ordinary stores).  The plugin runs the same N, THREADS threads, 10 passes
# (the first not counted, as stream.c), nt_stores=false, --repetitions 1.
#
# Compared, per kernel (copy, triad): best against best (the plugin's copy / triad, stream.c's
# "Best Rate") and average against average (the plugin's copy_avg / triad_avg, stream.c's
# bytes / "Avg time").  Each round runs both, the order flipping every round; printed: every
# round with the 1-minute load, then per figure the median (min-max) and the ratio of the
# medians plugin / stream.c.
set -euo pipefail
N=${N:-10000000}
THREADS=${THREADS:-2}
ROUNDS=${ROUNDS:-7}
BENCHAAS=${BENCHAAS:-build/bin/benchaas}
root=$(cd "$(dirname "$0")/.." && pwd)
[[ -n "${STREAM_C:-}" && -f "$STREAM_C" ]] || { echo "stream_ref.sh: set STREAM_C to STREAM's stream.c" >&2; exit 2; }
[[ -x "$BENCHAAS" ]] || { echo "stream_ref.sh: no $BENCHAAS: build first" >&2; exit 2; }
# shellcheck source=bench/wrk_lib.sh
. "$root/bench/wrk_lib.sh"   # stats, median, loadavg
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gcc -O3 -march=native -fopenmp -mcmodel=medium -DSTREAM_ARRAY_SIZE="$N" -DNTIMES=10 "$STREAM_C" \
    -o "$tmp/stream_c" -lm

ours() {
    "$BENCHAAS" run stream -p array_size="$N" -p ntimes=10 -p nt_stores=false --threads "$THREADS" \
        --repetitions 1 --db "$tmp/b.db" --json 2>/dev/null | python3 -c '
import json, sys
m = json.load(sys.stdin)["runs"][0]["metrics"]
print(*(round(m[k]["value"]) for k in ("copy", "triad", "copy_avg", "triad_avg")))'
}
ref() {
    OMP_NUM_THREADS=$THREADS "$tmp/stream_c" | awk -v n="$N" '
        $1 == "Copy:" {cb = $2; ca = 16 * n / $3 / 1e6}
        $1 == "Triad:" {tb = $2; ta = 24 * n / $3 / 1e6}
        END {printf "%d %d %d %d\n", cb, tb, ca, ta}'
}

declare -A fig
echo "stream plugin against stream.c 5.10: N=$N, $THREADS threads, $ROUNDS rounds (MB/s: copy triad copy_avg triad_avg)"
for r in $(seq "$ROUNDS"); do
    for who in $( ((r % 2)) && echo "ours ref" || echo "ref ours"); do
        l0=$(loadavg)
        read -r cb tb ca ta < <($who)
        fig[$who.copy]+=" $cb" fig[$who.triad]+=" $tb" fig[$who.copy_avg]+=" $ca" fig[$who.triad_avg]+=" $ta"
        printf "   round %d %-4s copy %7d triad %7d copy_avg %7d triad_avg %7d  load %s-%s\n" \
            "$r" "$who" "$cb" "$tb" "$ca" "$ta" "$l0" "$(loadavg)"
    done
done
printf "   %-10s %-28s %-28s %s\n" figure "plugin median (min-max)" "stream.c median (min-max)" "plugin / stream.c"
# median (min-max) in whole MB/s (wrk_lib.sh's stats prints 4 significant digits)
mbs() {
    tr ' ' '\n' <<<"$1" | awk 'NF' | sort -g | awk '{v[NR] = $1} END {
        m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "%.0f (%.0f-%.0f)", m, v[1], v[NR] }'
}
for k in copy triad copy_avg triad_avg; do
    printf "   %-10s %-28s %-28s %.2f\n" "$k" "$(mbs "${fig[ours.$k]}")" "$(mbs "${fig[ref.$k]}")" \
        "$(awk -v a="$(median "${fig[ours.$k]}")" -v b="$(median "${fig[ref.$k]}")" 'BEGIN {print a / b}')"
done
