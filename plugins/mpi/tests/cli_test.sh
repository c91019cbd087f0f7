#!/bin/bash
# cli_test.sh BENCHAAS — the mpi plugin end to end through the benchaas CLI
# (two and three real MPI ranks under mpirun): metrics, one sample per size
# and repetition, the sizes in the run's metadata, collectives, a corrupted
# message failing the run (exit 1), and bad input refused (exit 2).
#
# latency_min (the fastest batch of round trips) is checked against latency (the average)
# sample by sample: never above it, and below it at some size.  Mutations that fail it:
# latency() in mpi_p2p.c keeping the slowest batch (fails "above latency"), or the average
# of all batches (fails "never below").
# The MPI thread level the worker asked for (the run's metadata mpi_thread_level): single
# with one thread per rank, funneled with --threads 2.  Mutations that fail it: start_mpi()
# in core/worker/worker.c asking MPI_THREAD_FUNNELED always (fails "single"), or
# MPI_THREAD_SINGLE always (fails "funneled").
set -u
BX=${1:?usage: cli_test.sh path/to/benchaas}
DIR=$(mktemp -d "${TMPDIR:-/tmp}/benchaas-mpi-cli.XXXXXX") || exit 1
trap 'rm -rf "$DIR"' EXIT
cd "$DIR" || exit 1
unset BENCHAAS_DB BENCHAAS_PLUGIN_PATH BENCHAAS_MPI_TEST_CORRUPT
DB=$DIR/r.db

fail() { echo "FAIL: $*" >&2; exit 1; }
expect() {
    local want=$1; shift
    "$BX" "$@" >"$DIR/out" 2>"$DIR/err"
    local rc=$?
    [ "$rc" -eq "$want" ] || { cat "$DIR/out" "$DIR/err" >&2; fail "exit $rc, expected $want: $*"; }
}
q() { sqlite3 -batch "$DB" "$1"; }
last() { q "SELECT $1 FROM runs_view ORDER BY run_id DESC LIMIT 1"; }

# 1. two ranks, point to point, 1 B .. 4 KiB (13 sizes), two repetitions
expect 0 run mpi --ranks 2 -p max_size=4k -p iterations=200 --repetitions 2 --db "$DB"
[ "$(last status)" = ok ] || fail "run 1: $(last status)"
[ "$(q "SELECT value > 0 FROM results WHERE metric='latency' AND unit='us'")" = 1 ] \
    || fail "no latency in us"
[ "$(q "SELECT value > 0 FROM results WHERE metric='bandwidth' AND unit='MB/s'")" = 1 ] \
    || fail "no bandwidth in MB/s"
[ "$(q "SELECT value FROM results WHERE metric='verified'")" = 1.0 ] || fail "verified != 1"
n=$(q "SELECT count(*) FROM samples_view WHERE metric='bibw'")
[ "$n" = 26 ] || fail "bibw: $n samples, want 13 sizes x 2 repetitions"
[ "$(q "SELECT max(idx) FROM samples_view WHERE metric='latency'")" = 12 ] || fail "latency idx"
[ "$(q "SELECT value FROM run_meta WHERE key='sizes.latency'")" = \
  "1,2,4,8,16,32,64,128,256,512,1024,2048,4096" ] || fail "sizes.latency meta"
[ "$(q "SELECT value FROM run_meta WHERE key='sizes.latency_min'")" = \
  "1,2,4,8,16,32,64,128,256,512,1024,2048,4096" ] || fail "sizes.latency_min meta"
n=$(q "SELECT count(*) FROM samples_view WHERE metric='latency_min' AND unit='us'")
[ "$n" = 26 ] || fail "latency_min: $n samples, want 13 sizes x 2 repetitions"
# per repetition and size: the fastest batch against the average of all of them
pair="FROM samples_view l JOIN samples_view m ON m.run_id = l.run_id AND m.rep = l.rep AND
      m.idx = l.idx WHERE l.metric = 'latency' AND m.metric = 'latency_min'"
[ "$(q "SELECT count(*) $pair AND m.value > 0 AND m.value <= l.value")" = 26 ] \
    || fail "latency_min above latency (or missing): $(q "SELECT l.idx, l.value, m.value $pair")"
[ "$(q "SELECT count(*) $pair AND m.value < l.value")" -gt 0 ] \
    || fail "latency_min is never below the average: not the fastest batch"
[ "$(q "SELECT value FROM results WHERE metric='latency_min'")" = \
  "$(q "SELECT min(value) FROM samples_view WHERE metric='latency_min' AND idx=0")" ] \
    || fail "latency_min's value is not the best repetition at 1 B"
[ "$(q "SELECT value FROM run_meta WHERE key='mpi_thread_level'")" = single ] \
    || fail "one thread per rank: MPI's level is not single"

# 2. collectives over three ranks, two threads per rank: MPI_THREAD_FUNNELED
expect 0 run mpi --ranks 3 --threads 2 -p test=collective -p min_size=4 -p max_size=1k \
    -p iterations=50 --repetitions 1 --db "$DB"
[ "$(q "SELECT value FROM run_meta WHERE key='mpi_thread_level' AND
       run_id=(SELECT max(id) FROM runs)")" = funneled ] \
    || fail "two threads per rank: MPI's level is not funneled"
[ "$(last status)" = ok ] || fail "collectives: $(last status)"
for m in allreduce alltoall bcast; do
    n=$(q "SELECT count(*) FROM samples_view WHERE metric='$m' AND run_id=(SELECT max(id) FROM runs)")
    [ "$n" = 9 ] || fail "$m: $n samples, want 9"
done

# 3. a corrupted message (the test hook) fails the run: exit 1, status failed, verified 0
BENCHAAS_MPI_TEST_CORRUPT=1024 expect 1 run mpi --ranks 2 -p test=latency -p max_size=2k \
    -p iterations=20 --repetitions 1 --db "$DB"
[ "$(last status)" = failed ] || fail "corrupted run: $(last status)"
last error | grep -q "a message of 1024 bytes from rank . arrived wrong" \
    || fail "error text: $(last error)"

# 4. bad input: exit 2, nothing stored
runs=$(q "SELECT count(*) FROM runs")
expect 2 run mpi -p min_size=8k -p max_size=1k --ranks 2 --db "$DB"
grep -q "larger than max_size" "$DIR/err" || fail "message: $(cat "$DIR/err")"
expect 2 run mpi -p test=latency --ranks 1 --db "$DB"
grep -q "at least 2 ranks" "$DIR/err" || fail "message: $(cat "$DIR/err")"
[ "$(q "SELECT count(*) FROM runs")" = "$runs" ] || fail "a refused run was stored"
echo "passed"
