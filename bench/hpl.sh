#!/usr/bin/env bash
# bench/hpl.sh — the hpl plugin against HPCC's HPL, and both against DGEMM.
#
#   bench/hpl.sh [-b BUILD_DIR] [-n N] [-nb NB] [-p P] [-q Q] [-r REPS] [-k]
#
# Runs `benchaas run hpl` and HPCC's HPL (the `hpcc` binary, `apt-get install
# hpcc`) alternately REPS times each with the same N, NB, P x Q grid, depth 1,
# panel factorisation (right, crout, nbmin 4, ndiv 2), broadcast (1ringM),
# swap (mix, 64), the same OpenBLAS, one thread per rank and P*Q ranks, and
# prints the median GFLOP/s of each, their ratio, and both against the DGEMM
# rate of the machine measured with the same number of processes of one
# thread each running DGEMM at the same time.  Which HPL goes first flips
# every run, and the DGEMM rate is measured in every run, next to them.
# Also printed per run: where rank 0 of our run spent its time (panel
# factorisation, row swaps, triangular solves, DGEMM update, waiting for
# panels, back solve: the run's time_rank0), and the load average.
#
# Both MPI jobs get the same shared-memory transport settings: single-copy
# disabled (copy-in/copy-out), unless -k keeps OpenMPI's default (CMA), which
# is also what the runner uses when ptrace is not restricted.
# hpcc runs its other tests before HPL (hpccmemf.txt tries to keep them small, but at
# N=20000 its MPIRandomAccess still used a 2^28-word table: minutes on a busy machine)
# and hpcc is stopped once HPL is done.
set -euo pipefail

BUILD=${BENCHAAS_BUILD:-build}
N=10000 NB=192 P=1 Q=2 REPS=3 KEEP_CMA=0
while [ $# -gt 0 ]; do
    case $1 in
    -b) BUILD=$2; shift 2 ;;
    -n) N=$2; shift 2 ;;
    -nb) NB=$2; shift 2 ;;
    -p) P=$2; shift 2 ;;
    -q) Q=$2; shift 2 ;;
    -r) REPS=$2; shift 2 ;;
    -k) KEEP_CMA=1; shift ;;
    -h | --help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
BX=$BUILD/bin/benchaas
[ -x "$BX" ] || { echo "no $BX: build first, or give -b BUILD_DIR" >&2; exit 2; }
command -v hpcc >/dev/null || { echo "hpcc is not installed (apt-get install hpcc)" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "sqlite3 is needed to read the results" >&2; exit 2; }
RANKS=$((P * Q))

WORK=$(mktemp -d /tmp/hpl-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
if [ "$KEEP_CMA" = 1 ]; then
    export OMPI_MCA_btl_vader_single_copy_mechanism=cma
else
    export OMPI_MCA_btl_vader_single_copy_mechanism=none
fi

# HPCC's input: the HPL part is an HPL.dat; PTRANS gets a small problem.
cat >"$WORK/hpccinf.txt" <<EOF
HPLinpack benchmark input file
Innovative Computing Laboratory, University of Tennessee
HPL.out      output file name (if any)
8            device out (6=stdout,7=stderr,file)
1            # of problems sizes (N)
$N           Ns
1            # of NBs
$NB          NBs
0            PMAP process mapping (0=Row-,1=Column-major)
1            # of process grids (P x Q)
$P           Ps
$Q           Qs
16.0         threshold
1            # of panel fact
2            PFACTs (0=left, 1=Crout, 2=Right)
1            # of recursive stopping criterium
4            NBMINs (>= 1)
1            # of panels in recursion
2            NDIVs
1            # of recursive panel fact.
1            RFACTs (0=left, 1=Crout, 2=Right)
1            # of broadcast
1            BCASTs (0=1rg,1=1rM,2=2rg,3=2rM,4=Lng,5=LnM)
1            # of lookahead depth
1            DEPTHs (>=0)
2            SWAP (0=bin-exch,1=long,2=mix)
64           swapping threshold
0            L1 in (0=transposed,1=no-transposed) form
0            U  in (0=transposed,1=no-transposed) form
1            Equilibration (0=no,1=yes)
8            memory alignment in double (> 0)
##### This line (no. 32) is ignored (it serves as a separator). ######
0                      		Number of additional problem sizes for PTRANS
1000                    	values of N
0                       	number of additional blocking sizes for PTRANS
64                      	values of NB
EOF

# HPCC runs its other tests (RandomAccess, PTRANS, FFT, ...) before HPL, sized
# from the memory; a small memory file keeps them short (HPL still uses the N
# above; HPCC prints MemProc=16 in hpccoutf.txt).
echo "Total=16" >"$WORK/hpccmemf.txt"

ours() {
    local db=$WORK/ours.db
    "$BX" run hpl -p N="$N" -p NB="$NB" -p P="$P" -p Q="$Q" -p depth=1 -p pfact=right -p rfact=crout \
        -p nbmin=4 -p ndiv=2 -p bcast=1ringM -p swap=mix -p swap_threshold=64 \
        --ranks "$RANKS" --threads 1 --repetitions 1 --db "$db" >"$WORK/ours.out" 2>&1 ||
        { cat "$WORK/ours.out" >&2; echo "benchaas run failed" >&2; exit 1; }
    [ "$(sqlite3 "$db" "SELECT value FROM results WHERE metric='passed' ORDER BY run_id DESC LIMIT 1")" = "1.0" ] ||
        echo "warning: benchaas hpl did not pass its residual check" >&2
    sqlite3 "$db" "SELECT value FROM run_meta WHERE key='time_rank0' ORDER BY run_id DESC LIMIT 1" \
        >"$WORK/ours.prof" 2>/dev/null || true
    sqlite3 "$db" "SELECT value FROM results WHERE metric='gflops' ORDER BY run_id DESC LIMIT 1"
}

# HPL's result line: "WR11C2R4  N  NB  P  Q  time  Gflops"; stop hpcc after it.
theirs() {
    rm -f "$WORK/hpccoutf.txt"
    (cd "$WORK" && exec mpirun -np "$RANKS" --oversubscribe hpcc >"$WORK/hpcc.log" 2>&1) &
    local pid=$! line=""
    while kill -0 "$pid" 2>/dev/null; do
        if [ -f "$WORK/hpccoutf.txt" ] && grep -q "End of HPL section" "$WORK/hpccoutf.txt"; then
            kill "$pid" 2>/dev/null || true
            break
        fi
        sleep 0.5
    done
    wait "$pid" 2>/dev/null || true
    line=$(grep -E "^W[RC][0-9]" "$WORK/hpccoutf.txt" | tail -1 || true)
    [ -n "$line" ] || { echo "no HPL result in hpccoutf.txt" >&2; tail -20 "$WORK/hpccoutf.txt" >&2; exit 1; }
    grep -q "PASSED" "$WORK/hpccoutf.txt" || echo "warning: HPCC's HPL did not report PASSED" >&2
    echo "$line" | awk '{print $7}'
}

# DGEMM: RANKS processes of one thread, each multiplying 3000^3, at once.
cat >"$WORK/dgemm.c" <<'EOF'
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}
int main(void)
{
    const int n = 3000;
    double *a = malloc(sizeof(double) * n * n), *b = malloc(sizeof(double) * n * n),
           *c = malloc(sizeof(double) * n * n);
    for (long i = 0; i < (long)n * n; i++)
        a[i] = b[i] = c[i] = 1.0 / (1 + i % 7);
    double best = 0;
    for (int r = 0; r < 3; r++) {
        double t = now();
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, a, n, b, n, 0.5, c, n);
        t = now() - t;
        if (2.0 * n * n * n / t / 1e9 > best)
            best = 2.0 * n * n * n / t / 1e9;
    }
    printf("%.3f\n", best);
    return 0;
}
EOF
cc -O2 "$WORK/dgemm.c" -o "$WORK/dgemm" $(pkg-config --cflags --libs openblas)
dgemm_rate() {
    local i pids=()
    for i in $(seq 1 "$RANKS"); do
        "$WORK/dgemm" >"$WORK/dgemm.$i" &
        pids+=($!)
    done
    wait "${pids[@]}"
    cat "$WORK"/dgemm.[0-9]* | awk '{s += $1} END {printf "%.3f\n", s}'
}

# DGEMM at the shape of the trailing update (m x n x NB, m = N, n = N/Q/2: a typical
# update of one rank) against the square 3000^3 of the reference, one process, alternated:
# the ceiling of HPL's fraction of DGEMM is the update's share of the time times this ratio.
cat >"$WORK/shape.c" <<'EOF'
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}
static double *fill(size_t n)
{
    double *p = malloc(sizeof(double) * n);
    for (size_t i = 0; p && i < n; i++)
        p[i] = 1.0 / (1 + i % 7);
    return p;
}
static double rate(int m, int n, int k, const double *a, const double *b, double *c)
{
    double t = now();
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasTrans, m, n, k, -1.0, a, m, b, n, 1.0, c, m);
    return 2.0 * m * n * k / (now() - t) / 1e9;
}
int main(int argc, char **argv)
{
    int m = atoi(argv[1]), n = atoi(argv[2]), k = atoi(argv[3]), rounds = atoi(argv[4]), s = 3000;
    double *a = fill((size_t)m * k), *b = fill((size_t)n * k), *c = fill((size_t)m * n);
    double *sa = fill((size_t)s * s), *sb = fill((size_t)s * s), *sc = fill((size_t)s * s);
    if (!a || !b || !c || !sa || !sb || !sc)
        return 1;
    for (int r = 0; r < rounds; r++) {
        double sq, up;
        if (r % 2) {
            up = rate(m, n, k, a, b, c);
            sq = rate(s, s, s, sa, sb, sc);
        } else {
            sq = rate(s, s, s, sa, sb, sc);
            up = rate(m, n, k, a, b, c);
        }
        printf("%.3f %.3f\n", sq, up);
    }
    return 0;
}
EOF
cc -O2 "$WORK/shape.c" -o "$WORK/shape" $(pkg-config --cflags --libs openblas)

median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

echo "N=$N NB=$NB grid ${P}x$Q, $RANKS ranks x 1 thread, $REPS runs each, alternating" \
    "(single-copy: $OMPI_MCA_btl_vader_single_copy_mechanism)"
: >"$WORK/ours.txt"
: >"$WORK/theirs.txt"
: >"$WORK/dgemm.txt"
: >"$WORK/pair.txt"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$REPS"); do
    d=$(dgemm_rate)
    echo "$d" >>"$WORK/dgemm.txt"
    if [ $((r % 2)) = 1 ]; then
        o=$(ours); t=$(theirs); first=benchaas
    else
        t=$(theirs); o=$(ours); first=hpcc
    fi
    echo "$o" >>"$WORK/ours.txt"
    echo "$t" >>"$WORK/theirs.txt"
    awk -v o="$o" -v t="$t" 'BEGIN {print o / t}' >>"$WORK/pair.txt"
    printf "run %d (%s first, load %s): benchaas hpl %8.2f GFLOP/s   hpcc HPL %8.2f GFLOP/s   DGEMM x%d %8.2f GFLOP/s\n" \
        "$r" "$first" "$(cut -d' ' -f1 /proc/loadavg)" "$o" "$t" "$RANKS" "$d"
    echo "       benchaas rank 0: $(cat "$WORK/ours.prof" 2>/dev/null)"
done
mp=$(median <"$WORK/pair.txt")
mo=$(median <"$WORK/ours.txt")
mt=$(median <"$WORK/theirs.txt")
md=$(median <"$WORK/dgemm.txt")
awk -v o="$mo" -v t="$mt" -v d="$md" -v p="$mp" 'BEGIN {
    printf "median: benchaas hpl %.2f, hpcc HPL %.2f, DGEMM %.2f GFLOP/s\n", o, t, d
    printf "ratio benchaas/hpcc: %.3f (of the medians), %.3f (median of the per-run ratios)\n", o / t, p
    printf "fraction of DGEMM: benchaas %.1f %%, hpcc %.1f %%\n", 100 * o / d, 100 * t / d
}'
printf 'spread (min-max): benchaas %s, hpcc %s, DGEMM %s GFLOP/s\n' \
    "$(sort -g "$WORK/ours.txt" | awk 'NR==1{a=$1} {b=$1} END{printf "%.1f-%.1f", a, b}')" \
    "$(sort -g "$WORK/theirs.txt" | awk 'NR==1{a=$1} {b=$1} END{printf "%.1f-%.1f", a, b}')" \
    "$(sort -g "$WORK/dgemm.txt" | awk 'NR==1{a=$1} {b=$1} END{printf "%.1f-%.1f", a, b}')"
"$WORK/shape" "$N" "$((N / Q / 2))" "$NB" 6 >"$WORK/shape.txt"
ratios=$(awk '{printf "%.3f\n", $2 / $1}' "$WORK/shape.txt" | sort -g)
echo "DGEMM of the update shape (${N}x$((N / Q / 2))x$NB, 1 process) / square 3000^3, per round:" \
    $ratios "; median $(echo "$ratios" | median)"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
