#!/usr/bin/env bash
# bench/mpi.sh — the mpi plugin against NetPIPE (Debian's netpipe-openmpi, NPopenmpi) on
# the same 2 ranks and the same message sizes (powers of two, 1 B .. MAX), alternated.
#
#   latency    plugin: test=latency (OSU's ping-pong, 10000 iterations, 1000 above 8 KiB,
#              in batches of up to 256), its metric latency_min: half the round trip in the
#              fastest batch
#              NetPIPE: its default ping-pong (-p 0: no perturbed sizes), half the round
#              trip, the best of its trials; the rows of the powers of two
#   latency (average)  plugin: the same runs' metric latency, half the round trip averaged
#              over all the iterations (OSU's figure), against the same NetPIPE figure:
#              printed for reference, stricter than NetPIPE's own kind
#   bandwidth  plugin: test=bw (OSU's window of 64 MPI_Isend, then a reply), its metric
#              bandwidth_max: size x 64 / the fastest iteration's time, MB/s = 1e6 B/s
#              NetPIPE: -s (streaming: MPI_Send after MPI_Send from one buffer, the receiver
#              MPI_Recv-ing each into one buffer and timing them), the best of its trials:
#              its Mbps column x 2^20 / 8 / 1e6 = MB/s (NetPIPE's Mbps are of 2^20 bit/s:
#              bits / (time x 1024 x 1024); its time column, to 10 ns, is too coarse for
#              small messages)
#   bandwidth (average)  plugin: the same runs' metric bandwidth, over all the timed
#              iterations (OSU's figure), against the same NetPIPE figure
#
# Both run under `mpirun -np 2` with the same binding (OpenMPI's default for 2 ranks on
# this machine; the runner adds nothing else).  Per size, a plugin run's figure is its best
# repetition (REPS of them, the metric's rule), NetPIPE's the best of its own trials.  Which
# tool goes first flips between tests and rounds.  Prints per size the median and min-max
# over ROUNDS rounds of each tool, and three ratios (latency: NetPIPE / plugin, bandwidth:
# plugin / NetPIPE, so >= 1 means the plugin's figure is at least the reference's): of the
# medians, of the best rounds, and the median of each round's own ratio, with the number of
# rounds in which the plugin was at least NetPIPE.
#
# Usage: bench/mpi.sh [BUILD_DIR]            (default: build)
#        ROUNDS=5 REPS=3 MAX=4m bench/mpi.sh
# Needs NPopenmpi (apt-get install netpipe-openmpi) and sqlite3.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$here/build}" && pwd)
ROUNDS=${ROUNDS:-5}
REPS=${REPS:-3}
MAX=${MAX:-4m}
bx=$build/bin/benchaas
command -v NPopenmpi >/dev/null || { echo "mpi.sh: needs NPopenmpi (apt-get install netpipe-openmpi)" >&2; exit 2; }
[ -x "$bx" ] || { echo "mpi.sh: $bx is not built" >&2; exit 2; }
max_bytes=$(numfmt --from=iec "${MAX^^}")
work=$(mktemp -d "${TMPDIR:-/tmp}/benchaas-mpi-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
unset BENCHAAS_MPI_TEST_CORRUPT

echo "== 2 ranks, 1 B .. $MAX; $ROUNDS rounds alternating; plugin --repetitions $REPS"
echo "== $(NPopenmpi 2>&1 | grep -m1 -i version || echo 'NetPIPE 3.7'); $(mpirun --version | head -1)"
echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"

# samples METRIC AGG OUT: "size value" per size of the last run, AGG over its repetitions
samples() {
    sqlite3 -batch -separator ' ' "$work/b.db" \
        "SELECT idx, $2(value) FROM samples_view WHERE metric='$1' AND
         run_id=(SELECT max(id) FROM runs) GROUP BY idx ORDER BY idx" |
        awk '{printf "%d %.6f\n", 2^$1, $2}' >"$3"
}

# plugin TEST ROUND: per size, the best repetition (min latency / max bandwidth) into
# plugin.latency.ROUND (latency_min) and plugin.latavg.ROUND (latency), or plugin.bw.ROUND
# (bandwidth_max) and plugin.bwavg.ROUND (bandwidth)
plugin() {
    local test=$1 r=$2
    "$bx" run mpi --ranks 2 -p test="$test" -p max_size="$MAX" --repetitions "$REPS" \
        --db "$work/b.db" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
    if [ "$test" = bw ]; then
        samples bandwidth_max max "$work/plugin.bw.$r"
        samples bandwidth max "$work/plugin.bwavg.$r"
    else
        samples latency_min min "$work/plugin.latency.$r"
        samples latency min "$work/plugin.latavg.$r"
    fi
}

# netpipe MODE OUT: "size value" for the powers of two (latency us / bandwidth MB/s)
netpipe() {
    local mode=$1 out=$2 flags=()
    [ "$mode" = bw ] && flags=(-s)
    mpirun -np 2 NPopenmpi -l 1 -u "$max_bytes" -p 0 "${flags[@]}" -o "$work/np.out" \
        >/dev/null 2>&1
    awk -v m="$mode" 'function pow2(x) { while (x > 1 && x % 2 == 0) x /= 2; return x == 1 }
        pow2($1) { if (m == "bw") printf "%d %.6f\n", $1, $2 * 1048576 / 8 / 1e6; else printf "%d %.6f\n", $1, $3 * 1e6 }' \
        "$work/np.out" >"$out"
}

# A round runs each test of both tools back to back, the order flipping between the two tests
# and between rounds (plugin-NetPIPE for latency, NetPIPE-plugin for bandwidth, then the
# other way round): the machine here switches between two speeds for seconds at a time (the
# two ranks' cores close or far on the host, 0.13 against 0.35 us at 1 B), and two runs
# next to each other most often share one, so each round's pair is compared as well as the
# medians over the rounds.
for r in $(seq "$ROUNDS"); do
    if [ $((r % 2)) -eq 1 ]; then first=plugin; else first=netpipe; fi
    echo "round $r ($first first; load $(cut -d' ' -f1 /proc/loadavg))" >&2
    for m in latency bw; do
        if [ "$m" = bw ]; then
            [ "$first" = plugin ] && order="netpipe plugin" || order="plugin netpipe"
        else
            order="$first $([ "$first" = plugin ] && echo netpipe || echo plugin)"
        fi
        for t in $order; do
            if [ "$t" = plugin ]; then plugin "$m" "$r"; else netpipe "$m" "$work/$t.$m.$r"; fi
        done
    done
done

# the table: per size, median and min-max of each tool over the rounds; the ratio of the
# medians, of the best figures (each tool's best round), and the median of the rounds' own
# ratios with the rounds in which the plugin's figure was at least NetPIPE's (latency:
# latency_min against NetPIPE; latavg: latency's average against the same; bw:
# bandwidth_max against NetPIPE; bwavg: bandwidth's average against the same); every ratio
# is >= 1 where the plugin's figure is at least the reference's
for m in latency latavg bw bwavg; do
    ref=$m unit=us title=latency_min
    [ "$m" = latavg ] && ref=latency title=latency
    [ "$m" = bw ] && unit=MB/s title=bw_max
    [ "$m" = bwavg ] && ref=bw unit=MB/s title=bw
    echo
    printf '%-11s %-8s %24s %24s %6s %6s %6s %6s
' "$title" size "plugin ($unit)" \
        "NetPIPE ($unit)" median best paired ahead
    : >"$work/all"
    for r in $(seq "$ROUNDS"); do
        awk -v r="$r" '{print "p", r, $0}' "$work/plugin.$m.$r" >>"$work/all"
        awk -v r="$r" '{print "n", r, $0}' "$work/netpipe.$ref.$r" >>"$work/all"
    done
    sort -k3,3n -k1,1 -k2,2n "$work/all" | awk -v m="$m" '
        function med(a, n,   i, j, t) {
            for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
            return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
        }
        function better(x, y) { return m ~ /^bw/ ? x / y : y / x }
        function flush(   r, k, mp, mn, bp, bn, nr, ahead) {
            if (!size) return
            k = 0; for (r in p) { sp[++k] = p[r] }; mp = med(sp, k)
            k = 0; for (r in q) { sq[++k] = q[r] }; mn = med(sq, k)
            bp = m ~ /^bw/ ? sp[k] : sp[1]; bn = m ~ /^bw/ ? sq[k] : sq[1]
            nr = ahead = 0
            for (r in p) if (r in q) { pr[++nr] = better(p[r], q[r]); ahead += pr[nr] >= 1 }
            printf "%-11s %-8d %9.2f (%6.2f-%6.2f) %9.2f (%6.2f-%6.2f) %6.2f %6.2f %6.2f %3d/%d\n", "",
                   size, mp, sp[1], sp[k], mn, sq[1], sq[k], better(mp, mn), better(bp, bn),
                   med(pr, nr), ahead, nr
            delete p; delete q; delete sp; delete sq; delete pr
        }
        $3 != size { flush(); size = $3 }
        $1 == "p" { p[$2] = $4 }
        $1 == "n" { q[$2] = $4 }
        END { flush() }'
done
echo
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
