#!/bin/bash
# bench/stream.sh — the stream plugin against likwid-bench's hand-written STREAM
# kernels (copy and triad), ordinary and non-temporal stores, like with like.
#
#   bench/stream.sh            (from the top of the source tree)
#   N=20000000 THREADS=2 ROUNDS=5 BENCHAAS=/opt/benchaas/bin/benchaas bench/stream.sh
#
# What is compared.  Both get the same arrays (N doubles each: copy moves 16*N
# bytes, triad 24*N, counted as STREAM counts them) and the same threads.
#
#   average  the plugin's copy_avg / triad_avg (the rate at the average time of
#            its ntimes-1 = 9 counted passes, --repetitions 1) against
#            likwid-bench -i 9 (9 passes timed together: an average).
#   best     the plugin's copy / triad (STREAM's figure: its fastest of those 9
#            passes) against the fastest of 9 likwid-bench -i 1 runs (one pass
#            each).  likwid-bench prints no maximum of its own, so this is the
#            nearest like-for-like "best"; STREAM 5.10 itself (stream.c) is not
#            packaged by Debian and is not downloaded here.
#   stores   nt_stores=false against copy_avx / stream_avx (AVX-512 variants
#            where the CPU and likwid have them), nt_stores=true against
#            copy_mem_avx / stream_mem_avx (non-temporal stores).
#
# Each round runs the plugin and likwid-bench for one store variant back to
# back, in an order that flips every round.  Printed: every round, then per
# kernel and variant the medians, min-max, and the ratio plugin / likwid of
# the medians, for best and average.
#
# The plugin is run with `benchaas run stream` ($BENCHAAS, default
# build/bin/benchaas).  Without the CLI it falls back to the mock-host driver
# ($STREAM_DRIVER, default build/bin/stream_driver, built with the plugin's
# tests) and says so.  likwid-bench: `apt-get install likwid`.
set -euo pipefail

N=${N:-10000000}
THREADS=${THREADS:-2}
ROUNDS=${ROUNDS:-${RUNS:-5}}
BEST_RUNS=${BEST_RUNS:-9}
BENCHAAS=${BENCHAAS:-build/bin/benchaas}
STREAM_DRIVER=${STREAM_DRIVER:-build/bin/stream_driver}

die() { echo "stream.sh: $*" >&2; exit 2; }
command -v likwid-bench >/dev/null || die "likwid-bench not found (apt-get install likwid)"

# likwid-bench kernels: AVX-512 where the CPU has it and likwid knows it, else AVX.
kernels=$(likwid-bench -a 2>/dev/null | awk '{print $1}')
v=avx
if grep -qw avx512f /proc/cpuinfo && grep -qx stream_avx512 <<<"$kernels" &&
   grep -qx stream_mem_avx512 <<<"$kernels"; then
    v=avx512
fi
declare -A LK=([copy.false]=copy_$v [copy.true]=copy_mem_$v
               [triad.false]=stream_$v [triad.true]=stream_mem_$v)
# likwid-bench's working set is all vectors together; its kB are 1000 bytes.
declare -A LKSIZE=([copy]="$((N * 16 / 1000))kB" [triad]="$((N * 24 / 1000))kB")

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

if [ -x "$BENCHAAS" ]; then
    MODE="benchaas run stream ($BENCHAAS)"
    plugin() { # nt_stores -> "copy copy_avg triad triad_avg" in MB/s
        local db="$TMP/r$RANDOM.db"
        "$BENCHAAS" run stream -p array_size="$N" -p nt_stores="$1" --threads "$THREADS" \
            --repetitions 1 --db "$db" >/dev/null 2>"$TMP/err" ||
            { cat "$TMP/err" >&2; die "benchaas run failed"; }
        local out=""
        for m in copy copy_avg triad triad_avg; do
            out="$out $(sqlite3 "$db" "SELECT value FROM results WHERE metric='$m'")"
        done
        echo $out
    }
elif [ -x "$STREAM_DRIVER" ]; then
    MODE="mock-host driver ($STREAM_DRIVER): the benchaas CLI was not found at $BENCHAAS"
    plugin() {
        # What the runner sets for threads > 1 unless the user did.
        OMP_NUM_THREADS=$THREADS OMP_PROC_BIND=${OMP_PROC_BIND:-spread} \
            OMP_PLACES=${OMP_PLACES:-cores} \
            "$STREAM_DRIVER" --threads "$THREADS" --repetitions 1 array_size="$N" nt_stores="$1" \
            2>"$TMP/err" |
            awk '{ v[$1] = $2 } END { print v["copy"], v["copy_avg"], v["triad"], v["triad_avg"] }'
    }
else
    die "neither $BENCHAAS nor $STREAM_DRIVER exists; build first (cmake --build build) or set BENCHAAS"
fi

# lk KERNEL SIZE ITER -> MB/s
lk() { likwid-bench -t "$1" -w "S0:$2:$THREADS" -i "$3" 2>/dev/null | awk '/^MByte\/s:/ { print $2 }'; }
# likwid KIND NT -> "best avg": best of BEST_RUNS one-pass runs, average of one 9-pass run
likwid() {
    local k=${LK[$1.$2]} s=${LKSIZE[$1]} best=0 r x
    for r in $(seq "$BEST_RUNS"); do
        x=$(lk "$k" "$s" 1)
        best=$(awk -v a="$best" -v b="$x" 'BEGIN { print (b > a) ? b : a }')
    done
    echo "$best $(lk "$k" "$s" 9)"
}

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
range() { printf '%s\n' "$@" | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.0f-%.0f", lo, hi }'; }

echo "stream.sh: N=$N doubles per array, $THREADS threads, $ROUNDS rounds; load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "plugin: $MODE"
echo "likwid-bench: ${LK[copy.false]} ${LK[copy.true]} ${LK[triad.false]} ${LK[triad.true]}, -w S0:SIZE:$THREADS; best of $BEST_RUNS x -i 1, average -i 9"

declare -A P L   # P[kind.nt.stat] / L[kind.nt.stat] = space-separated values over rounds
for r in $(seq "$ROUNDS"); do
    for nt in false true; do
        o=0; [ "$nt" = true ] && o=1
        if [ $(((r + o) % 2)) = 1 ]; then
            read -r pc pca pt pta <<<"$(plugin "$nt")"
            read -r lcb lca <<<"$(likwid copy "$nt")"
            read -r ltb lta <<<"$(likwid triad "$nt")"
            first=plugin
        else
            read -r lcb lca <<<"$(likwid copy "$nt")"
            read -r ltb lta <<<"$(likwid triad "$nt")"
            read -r pc pca pt pta <<<"$(plugin "$nt")"
            first=likwid
        fi
        P[copy.$nt.best]+=" $pc"; P[copy.$nt.avg]+=" $pca"
        P[triad.$nt.best]+=" $pt"; P[triad.$nt.avg]+=" $pta"
        L[copy.$nt.best]+=" $lcb"; L[copy.$nt.avg]+=" $lca"
        L[triad.$nt.best]+=" $ltb"; L[triad.$nt.avg]+=" $lta"
        printf 'round %d nt_stores=%-5s (%s first, load %s)  MB/s best/avg  copy: plugin %.0f/%.0f likwid %.0f/%.0f   triad: plugin %.0f/%.0f likwid %.0f/%.0f\n' \
            "$r" "$nt" "$first" "$(cut -d' ' -f1 /proc/loadavg)" "$pc" "$pca" "$lcb" "$lca" "$pt" "$pta" "$ltb" "$lta"
    done
done

echo
echo "== medians over $ROUNDS rounds (min-max), MB/s; ratio = plugin / likwid-bench of the medians"
for kind in copy triad; do
    for nt in false true; do
        for stat in best avg; do
            read -r -a pv <<<"${P[$kind.$nt.$stat]}"; read -r -a lv <<<"${L[$kind.$nt.$stat]}"
            pm=$(median "${pv[@]}"); lm=$(median "${lv[@]}")
            printf '%-5s %-12s %-4s plugin %8.0f (%s)  likwid %-16s %8.0f (%s)  ratio %.3f\n' \
                "$kind" "$([ $nt = true ] && echo non-temporal || echo ordinary)" "$stat" \
                "$pm" "$(range "${pv[@]}")" "${LK[$kind.$nt]}" "$lm" "$(range "${lv[@]}")" \
                "$(awk -v a="$pm" -v b="$lm" 'BEGIN { print a / b }')"
        done
    done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
